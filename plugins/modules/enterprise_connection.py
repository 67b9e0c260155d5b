#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: enterprise_connection
short_description: Remove the SSO (enterprise) connections of a DNSFilter organisation
version_added: 0.1.0
description:
  - Deletes single sign-on connections of one organisation, chosen by O(id), or all of them with O(all=true).
  - Only the organisation's own connections are touched; an O(id) that belongs to another organisation, or is already
    gone, changes nothing and is reported in RV(not_found).
  - "B(Warning): deleting SSO does not give back password sign-in. Enabling SSO deactivated the organisation's
    email/password users at Admin level or lower, and deleting the SSO configuration does not restore them: an Owner or
    Super Admin must invite them again, and the people who signed in through SSO can no longer sign in (DNSFilter KB
    \"Configure single sign-on\"). Owners always keep password sign-in. Plan who re-invites whom before a customer exit
    or before changing the account owner."
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  organization_id:
    description:
      - The organisation whose connections to remove.
    type: int
    required: true
  organization_name:
    description:
      - A guard; the task fails, before any change, unless O(organization_id) has this name.
    type: str
  id:
    description:
      - The connections to remove (see M(msp.dnsfilter.enterprise_connection_info)).
      - One of O(id) and O(all=true) is required.
    type: list
    elements: int
  all:
    description:
      - Remove every connection of the organisation.
    type: bool
    default: false
  state:
    description:
      - Only V(absent) is supported; connections are created in the dashboard.
    type: str
    choices: [absent]
    default: absent
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.enterprise_connection_info
notes:
  - DNSFilter answers HTTP 422 ("Unable to delete connection") when it refuses a deletion; the task then fails with
    DNSFilter's reason.
'''

EXAMPLES = r'''
- name: Remove the exiting customer's SSO (its users were re-invited or are leaving too)
  msp.dnsfilter.enterprise_connection:
    organization_id: 4000101
    organization_name: Contoso Dental
    all: true
    state: absent

- name: Remove one connection by id
  msp.dnsfilter.enterprise_connection:
    organization_id: 4000101
    id: [4401]
'''

RETURN = r'''
enterprise_connections:
  description: The connections removed (in check mode, that would be removed), without the client secret.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "4401"
      organization_id: 4000101
      display_name: Contoso SSO
      idp: azure
      authorized_domains: [contoso.example]
      role_map:
        - {group: DNSFilter-Admins, role: administrator}
      role_default: read_only
not_found:
  description: The ids given that are not connections of the organisation (already removed, or another organisation's).
  returned: always
  type: list
  elements: str
  sample: ["4402"]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import enterprise_connections, write_failed

PASSWORD_USERS_WARNING = (
    'Deleting SSO does not restore the email/password users that enabling SSO deactivated: an Owner or Super Admin of '
    'organisation %s must invite them again, and people who signed in through SSO can no longer sign in.')


def main_logic(mod):
    params = mod.params
    if not params['all'] and not params['id']:
        mod.fail('Say which connections: id, or all=true.')
    if params['all'] and params['id']:
        mod.fail('all=true removes every connection; it is mutually exclusive with id.')
    org_id = params['organization_id']
    if params['organization_name'] is not None:
        mod.organization(org_id, name=params['organization_name'])
    current = enterprise_connections(mod.client, org_id)
    if params['all']:
        doomed, not_found = current, []
    else:
        wanted = [str(i) for i in params['id']]
        doomed = [c for c in current if c['id'] in wanted]
        not_found = [i for i in dict.fromkeys(wanted) if not any(c['id'] == i for c in current)]

    done = []
    for conn in doomed:
        try:
            mod.write('DELETE', '/v1/enterprise_connections/%s' % conn['id'], missing_ok=True)
        except DNSFilterError as exc:
            write_failed(mod, exc, done)
            mod.fail('%s Connections removed before it: %d of %d (see removed).' % (exc.message, len(done), len(doomed)),
                     status=exc.status, removed=done)
        done.append(conn)
    if doomed:
        mod.warnings.append(PASSWORD_USERS_WARNING % org_id)
    remaining = [c for c in current if c not in doomed]
    mod.exit(enterprise_connections=doomed, not_found=not_found,
             diff={'before': {'enterprise_connections': current}, 'after': {'enterprise_connections': remaining}})


def main():
    mod = DNSFilterModule(argument_spec=dict(
        organization_id=dict(type='int', required=True),
        organization_name=dict(type='str'),
        id=dict(type='list', elements='int'),
        all=dict(type='bool', default=False),
        state=dict(type='str', choices=['absent'], default='absent'),
    ))
    mod.run(main_logic)


if __name__ == '__main__':
    main()

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
  ids:
    description:
      - The connections to remove (see M(msp.dnsfilter.enterprise_connection_info)).
      - One of O(ids) and O(all=true) is required.
    type: list
    elements: int
    aliases: [id]
  all:
    description:
      - Remove every connection of the organisation.
    type: bool
    default: false
  state:
    description:
      - Only V(absent) is supported; connections are created in the dashboard.
      - Required, so that a task never deletes because an option was left out.
    type: str
    choices: [absent]
    required: true
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.enterprise_connection_info
notes:
  - Only a Super Admin or the Owner may remove SSO. The module reads the API key's user's role in the organisation
    first; with a lesser role, in check mode and for real alike, it plans and reports each connection in
    RV(outstanding) instead of trying, and changes nothing. Should DNSFilter still refuse with HTTP 403, the connection
    is reported outstanding as well.
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
    ids: [4401]
    state: absent
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
outstanding:
  description: The connections the module may not remove with this key, each with a C(reason) and what to do.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "4401"
      display_name: Contoso SSO
      reason: Only a Super Admin or the Owner may remove SSO; the API key's user is administrator in organisation 4000101.
caller_role:
  description: The API key's user's role in the organisation, as DNSFilter reports it (V(null) when it does not).
  returned: always
  type: str
  sample: administrator
not_found:
  description: The ids given that are not connections of the organisation (already removed, or another organisation's).
  returned: always
  type: list
  elements: str
  sample: ["4402"]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._access import SSO_ROLES, enterprise_connections
from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._removal import OUTSTANDING, REMOVE, Outstanding, Removal, check_selection

PASSWORD_USERS_WARNING = (
    'Deleting SSO does not restore the email/password users that enabling SSO deactivated: an Owner or Super Admin of '
    'organisation %s must invite them again, and people who signed in through SSO can no longer sign in.')


def decide(role, org_id):
    """Whether the key's user may remove SSO here: only a Super Admin or the Owner may (KB "Configure single sign-on").

    The organisation's `role` is the caller's role there. Without it the module tries, and a refusal is outstanding.
    """
    def decision(conn):  # pylint: disable=unused-argument
        if role is None or role in SSO_ROLES:
            return REMOVE, None
        return OUTSTANDING, ('Only a Super Admin or the Owner may remove SSO; the API key\'s user is %s in organisation %s. '
                             'Remove it in the dashboard as a Super Admin, or run again with such a key.' % (role, org_id))
    return decision


def main_logic(mod):
    params = mod.params
    org_id = params['organization_id']
    check_selection(mod, 'connection', params['ids'], None, params['all'], options='ids')
    org = mod.organization(org_id, name=params['organization_name'])
    removal = Removal(mod, 'enterprise connection', enterprise_connections(mod.client, org_id))
    removal.select(ids=params['ids'], everything=params['all'], where='of organisation %s' % org_id, options='ids')
    removal.plan(decide(org.get('role'), org_id))

    def delete(conn):
        try:
            path = '/v1/enterprise_connections/%s' % conn['id']
            mod.write('DELETE', path, missing_ok=True, action='remove SSO connection',
                      subjects=[subject('enterprise_connection', conn['id'], conn.get('name')), subject('organization', org_id, org.get('name'))],
                      why="the organisation's name matches; the key's user may remove SSO there (%s)" % (org.get('role') or 'role not shown'),
                      verify=gone(path))
        except DNSFilterError as exc:
            if exc.status != 403:
                raise
            # The role did not say (or said wrongly): DNSFilter's refusal is the answer, and nothing was changed.
            raise Outstanding('%s Remove it in the dashboard as a Super Admin or the Owner.' % exc.message) from None

    removal.apply(one=delete)
    removal.verify(lambda: enterprise_connections(mod.client, org_id))
    if removal.removed:
        mod.warnings.append(PASSWORD_USERS_WARNING % org_id)
    result = removal.result(removed_key='enterprise_connections')
    mod.exit(not_found=[str(i) for i in params['ids'] or [] if not any(c['id'] == str(i) for c in removal.before)],
             caller_role=org.get('role'), **result)


def main():
    mod = DNSFilterModule(argument_spec=dict(
        organization_id=dict(type='int', required=True),
        organization_name=dict(type='str'),
        ids=dict(type='list', elements='int', aliases=['id']),
        all=dict(type='bool', default=False),
        state=dict(type='str', choices=['absent'], required=True),
    ))
    mod.run(main_logic)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: organization
short_description: Cancel or delete an MSP customer (sub-organisation) in DNSFilter
version_added: 0.1.0
description:
  - The last, optional step of a customer exit, after the billing handoff is recorded.
  - O(state=canceled) marks the sub-organisation canceled (C(POST /v1/organizations/{id}/cancel)).
  - O(state=absent) deletes it (C(DELETE /v1/organizations/{id})), optionally clearing its subscription information.
  - Guards, checked before any write - the organisation's name must match O(name); it must be a customer of an MSP
    (C(managed_by_msp_id) set), never the MSP's own organisation; and it must belong to an MSP the API key's user can
    see. Anything else fails with zero writes.
  - What DNSFilter keeps after a cancel or a delete, and whether a delete can be undone, is not published; check with
    DNSFilter before deleting a customer whose data may still be needed. Canceling is the conservative choice.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  id:
    description: The sub-organisation's id.
    type: int
    required: true
  name:
    description:
      - The sub-organisation's name, which must match exactly (surrounding spaces aside, letter case significant); a
        case twin or a look-alike is refused.
    type: str
    required: true
  state:
    description: V(canceled) or V(absent) (deleted).
    type: str
    choices: [canceled, absent]
    required: true
  clear_subscription_info:
    description: With O(state=absent), also clear the subscription information tied to the customer.
    type: bool
    default: false
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Cancel the exiting customer once the billing handoff is recorded
  msp.dnsfilter.organization:
    id: 4000101
    name: Contoso Dental
    state: canceled
'''

RETURN = r'''
organization:
  description: The organisation before the change (id, name, canceled, managed_by_msp_id).
  returned: always
  type: dict
outstanding:
  description:
    - Empty, or the organisation with the C(reason) it was left as it is - only the MSP's owner or super administrators
      may cancel or delete a customer, and the API key's user is not one. Check mode and a real run say the same.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule, same_id

KEYS = ('id', 'name', 'canceled', 'canceled_at', 'managed_by_msp_id')
# Who may cancel or delete an MSP's customer (KB "Manage DNSFilter account user permissions": MSP Super Admin and up).
MSP_ADMIN_ROLES = ('owner', 'super_administrator')


def main_logic(mod):
    p = mod.params
    body = mod.client.get('/v1/organizations/%s' % p['id'], missing_ok=True)
    if not body or not body.get('data'):
        if p['state'] == 'absent':
            mod.warnings.append('Organisation %s does not exist (or is not visible to this key): nothing to delete.' % p['id'])
            mod.exit(organization={}, diff={'before': {}, 'after': {}})
        mod.fail('Organisation %s was not found, or the API key cannot see it.' % p['id'])
    org = mod.organization(p['id'], name=p['name'], body=body)
    msp_id = org.get('managed_by_msp_id')
    if not msp_id:
        mod.fail('Organisation %s (%s) is not an MSP customer (it has no managed_by_msp_id); refusing to cancel or delete '
                 'what may be the MSP itself.' % (p['id'], org.get('name')))
    msp = [o for o in mod.organizations() if same_id(o.get('owned_msp_id'), msp_id) or same_id(o.get('id'), msp_id)]
    if not msp:
        mod.fail('Organisation %s belongs to MSP %s, which the API key\'s user does not manage; refusing.' % (p['id'], msp_id))
    before = {k: org.get(k) for k in KEYS}
    role = msp[0].get('role')
    if role is not None and role not in MSP_ADMIN_ROLES:
        # Plan and run alike: DNSFilter lets only the MSP's owner or super administrators cancel or delete a customer.
        mod.exit(organization=before, diff={'before': before, 'after': before}, outstanding=[{
            'id': str(p['id']), 'name': org.get('name'),
            'reason': 'Only an owner or super administrator of the MSP may %s a customer; the API key\'s user is %s of %s. '
                      '%s it in the dashboard as one, or run again with such a key.'
                      % ('cancel' if p['state'] == 'canceled' else 'delete', role, msp[0].get('name'),
                         'Cancel' if p['state'] == 'canceled' else 'Delete')}])
    path = '/v1/organizations/%s' % p['id']
    journal = dict(subjects=[subject('organization', p['id'], org.get('name'))],
                   why='the name matches; a customer of MSP %s, which the key\'s user manages as %s'
                   % (msp_id, role or 'a role not shown'))
    if p['state'] == 'canceled':
        after = dict(before, canceled=True)
        if not org.get('canceled'):
            mod.write('POST', path + '/cancel', action='cancel customer organisation',
                      verify={'path': path, 'field': 'canceled', 'in': [True], 'gone': True}, **journal)
    else:
        after = {}
        mod.write('DELETE', path, params={'clear_subscription_info': p['clear_subscription_info']},
                  missing_ok=True, action='delete customer organisation', verify=gone(path), **journal)
    mod.exit(organization=before, diff={'before': before, 'after': after}, outstanding=[])


def main():
    DNSFilterModule(argument_spec=dict(
        id=dict(type='int', required=True),
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['canceled', 'absent'], required=True),
        clear_subscription_info=dict(type='bool', default=False),
    )).run(main_logic)


if __name__ == '__main__':
    main()

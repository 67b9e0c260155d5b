#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: organization_info
short_description: List DNSFilter organisations and the MSP's sub-organisations
version_added: 0.1.0
description:
  - Returns the organisations the API key's user can see, or one organisation by id.
  - With O(managed_by_msp_id), returns the sub-organisations (customers) of that MSP.
  - With O(name) and O(id) together, fails unless the organisation with that id has that name, so a playbook can
    confirm it targets the right customer before it changes anything.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  id:
    description:
      - The organisation's id.
    type: int
  name:
    description:
      - The organisation's name, compared exactly (surrounding spaces aside, letter case significant); a case twin or a look-alike is refused.
      - With O(id), a guard; without it, a filter that must match exactly one organisation and no look-alike of it.
    type: str
  managed_by_msp_id:
    description:
      - Only the sub-organisations of this MSP organisation.
    type: int
  include_current_user:
    description:
      - Also return the API key's own user (RV(current_user)), so a playbook can protect the caller's access.
    type: bool
    default: false
  include_billing:
    description:
      - With O(id), also return the organisation's usage for the last O(usage_days) days and its invoices (RV(billing)),
        for the billing handoff record.
    type: bool
    default: false
  usage_days:
    description: The usage window, in days up to now, with O(include_billing).
    type: int
    default: 30
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Confirm the exiting customer by id and name
  msp.dnsfilter.organization_info:
    id: 4000101
    name: Contoso Dental
  register: customer

- name: List every customer of the MSP
  msp.dnsfilter.organization_info:
    managed_by_msp_id: 4000100
  register: customers
'''

RETURN = r'''
organizations:
  description: The organisations found; each is the API's attributes flattened beside its id.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "4000101"
      name: Contoso Dental
      managed_by_msp_id: 4000100
      canceled: false
billing:
  description: Usage (C(usage)) and invoices (C(invoices)) of the organisation, when O(include_billing=true).
  returned: when O(include_billing=true)
  type: dict
  sample:
    usage: {organization_id: 4000101, plan: pro, user_count: 14}
    invoices: []
current_user:
  description: The API key's own user (id, name, email), when O(include_current_user=true).
  returned: when O(include_current_user=true)
  type: dict
  sample:
    id: "5000001"
    name: Northwind Automation
    email: automation@northwind.example
'''

import datetime

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule, flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import choose


def main_logic(mod):
    params = mod.params
    if params['id'] is not None:
        orgs = [mod.organization(params['id'], name=params['name'])]
    else:
        query = {'managed_by_msp_id': params['managed_by_msp_id']}
        orgs = mod.organizations(query)
        if params['name'] is not None:
            orgs = choose(mod, orgs, names=[params['name']], what='organisation', id_option='id')
    result = {'organizations': orgs}
    if params['include_billing']:
        if params['id'] is None:
            mod.fail('include_billing needs id: usage and invoices are per organisation.')
        now = datetime.datetime.now(datetime.timezone.utc)
        window = {'from': (now - datetime.timedelta(days=params['usage_days'])).strftime('%Y-%m-%d'),
                  'to': now.strftime('%Y-%m-%d')}
        usage = mod.client.get('/v1/metrics/organization_usage/%s' % params['id'], params=window) or {}
        invoices = mod.client.get('/v1/invoices', params={'organization_id': params['id']}) or []
        if isinstance(invoices, dict):
            invoices = invoices.get('data') or []
        result['billing'] = {'window': window, 'usage': flatten(usage.get('data', usage)) if isinstance(usage, dict) else usage,
                             'invoices': [flatten(i) for i in invoices]}
    if params['include_current_user']:
        user = flatten((mod.client.get('/v1/current_user') or {}).get('data') or {})
        result['current_user'] = {k: user.get(k) for k in ('id', 'name', 'email')}
    mod.exit(**result)


def main():
    mod = DNSFilterModule(
        argument_spec=dict(
            id=dict(type='int'),
            name=dict(type='str'),
            managed_by_msp_id=dict(type='int'),
            include_current_user=dict(type='bool', default=False),
            include_billing=dict(type='bool', default=False),
            usage_days=dict(type='int', default=30),
        ),
        mutually_exclusive=[('id', 'managed_by_msp_id')],
    )
    mod.run(main_logic)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: api_key_info
short_description: List the API keys of the API key's own DNSFilter user
version_added: 0.1.0
description:
  - Returns the API keys of the user who owns O(api_key), without any token.
  - DNSFilter API keys belong to the user who created them; nobody else, not even an Owner, can list or revoke them.
    To see a departing technician's keys, run this module with one of that technician's keys.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  name:
    description:
      - Only the keys with these names (compared without regard to case or surrounding spaces).
    type: list
    elements: str
  last_four:
    description:
      - Only the keys whose token ends with these four characters (as the dashboard shows them).
    type: list
    elements: str
  expired:
    description:
      - V(true) for only the keys past their expiry, V(false) for only those not yet expired, as the API decides it.
    type: bool
  status:
    description:
      - Only the keys with this status.
    type: str
    choices: [active, revoked]
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.api_key
'''

EXAMPLES = r'''
- name: Which keys does the departing technician still have? (run with one of their keys)
  msp.dnsfilter.api_key_info:
    api_key: "{{ bob_api_key }}"
    status: active
    expired: false
  register: bob_keys
'''

RETURN = r'''
api_keys:
  description: The keys found. The token is never returned; O(last_four) identifies a key.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The key's id.
      type: str
    name:
      description: The key's name.
      type: str
    last_four:
      description: The last four characters of the token.
      type: str
    status:
      description: V(active) or V(revoked).
      type: str
    expiry:
      description: When the key expires.
      type: str
    expired:
      description: Whether the key has expired, as the API's C(expired) filter says (the API's clock decides, not this host's).
      type: bool
    usable:
      description: Whether the key still authenticates as far as its status and expiry tell (active and not expired).
      type: bool
  sample:
    - id: "1618"
      name: PSA sync
      last_four: R9Nc
      status: active
      expiry: "2027-04-24T01:59:59.999-04:00"
      expired: false
      usable: true
      created_at: "2025-10-23T18:07:10.872-04:00"
      updated_at: "2025-10-23T18:07:10.872-04:00"
      user_id: 42618
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import list_api_keys


def main_logic(mod):
    params = mod.params
    keys = list_api_keys(mod.client)
    if params['name']:
        names = set(n.strip().casefold() for n in params['name'])
        keys = [k for k in keys if (k.get('name') or '').strip().casefold() in names]
    if params['last_four']:
        keys = [k for k in keys if k.get('last_four') in params['last_four']]
    if params['expired'] is not None:
        keys = [k for k in keys if k['expired'] == params['expired']]
    if params['status']:
        keys = [k for k in keys if k.get('status') == params['status']]
    mod.exit(api_keys=keys)


def main():
    mod = DNSFilterModule(argument_spec=dict(
        name=dict(type='list', elements='str'),
        last_four=dict(type='list', elements='str', no_log=False),
        expired=dict(type='bool'),
        status=dict(type='str', choices=['active', 'revoked']),
    ))
    mod.run(main_logic)


if __name__ == '__main__':
    main()

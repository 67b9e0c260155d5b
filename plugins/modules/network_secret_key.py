#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: network_secret_key
short_description: Revoke or rotate the site secret keys of DNSFilter networks
version_added: 0.1.0
description:
  - A Roaming Client installs with its site's secret key and re-registers with it; a live agent whose record was
    deleted comes back for as long as the key is valid. Revoking the key stops new deployments and re-registration.
  - Revoke after the site's agents are uninstalled (or confirmed gone), as the last step of the Roaming Client phase.
  - The key is never returned or logged.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  organization_id:
    description: The organisation whose sites to act on.
    type: int
    required: true
  ids:
    description: The sites, by id. With neither O(ids) nor O(names), every site of the organisation.
    type: list
    elements: int
  names:
    description: The sites, by name (each must match exactly one site).
    type: list
    elements: str
  state:
    description:
      - V(absent) revokes the key of each site that has one (a site without a key is left alone).
      - V(present) creates a key for each site that has none.
      - V(rotated) replaces each site's key with a new one. This changes every time it runs, by design.
    type: str
    choices: [absent, present, rotated]
    default: absent
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Stop new deployments and re-registration for the whole customer
  msp.dnsfilter.network_secret_key:
    organization_id: 4000101
    state: absent
'''

RETURN = r'''
networks:
  description: The sites acted on, after the change (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  sample:
    - id: "6000201"
      name: Contoso Dental - Main Office
      has_secret_key: false
changed_ids:
  description: The ids of the sites whose key was (or would be) revoked, created or rotated.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._networks import SITE_FILTER_SPEC, list_sites

METHOD = {'absent': 'DELETE', 'present': 'POST', 'rotated': 'PATCH'}


def main_logic(mod):
    state = mod.params['state']
    sites = list_sites(mod)
    before = [{'id': s['id'], 'name': s.get('name'), 'has_secret_key': s['has_secret_key']} for s in sites]
    changed_ids = []
    for s in sites:
        if (state == 'absent' and not s['has_secret_key']) or (state == 'present' and s['has_secret_key']):
            continue
        mod.write(METHOD[state], '/v1/networks/%s/secret_key' % s['id'])
        changed_ids.append(str(s['id']))
        s['has_secret_key'] = state != 'absent'
    after = [{'id': s['id'], 'name': s.get('name'), 'has_secret_key': s['has_secret_key']} for s in sites]
    mod.exit(diff={'before': {'networks': before}, 'after': {'networks': after}}, networks=sites, changed_ids=changed_ids)


def main():
    spec = dict(SITE_FILTER_SPEC)
    spec['state'] = dict(type='str', choices=['absent', 'present', 'rotated'], default='absent')
    DNSFilterModule(argument_spec=spec).run(main_logic)


if __name__ == '__main__':
    main()

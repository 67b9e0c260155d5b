#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: network
short_description: Delete DNSFilter networks (sites) at a site closure or customer exit
version_added: 0.1.0
description:
  - Deletes sites. DNSFilter refuses (HTTP 409) to delete a site that still has Roaming Clients or LAN proxies; the
    module checks first and fails without deleting anything, naming the agents to uninstall and remove first.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  organization_id:
    description: The organisation the sites belong to.
    type: int
    required: true
  ids:
    description: The sites, by id.
    type: list
    elements: int
  names:
    description: The sites, by name (each must match exactly one site).
    type: list
    elements: str
  state:
    description: Only V(absent) is supported; sites are created in the dashboard.
    type: str
    choices: [absent]
    default: absent
notes:
  - At least one of O(ids) or O(names) is required.
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Close the branch office site
  msp.dnsfilter.network:
    organization_id: 4000101
    names: [Contoso Dental - Branch]
    state: absent
'''

RETURN = r'''
deleted:
  description: The sites deleted (or that would be deleted in check mode).
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._networks import SITE_FILTER_SPEC, list_sites

GONE = frozenset(('uninstalled', 'uninstalled_from_client'))


def main_logic(mod):
    org_id = mod.params['organization_id']
    sites = list_sites(mod, missing_ok=True)
    if not sites:
        mod.exit(deleted=[], diff={'before': {'networks': []}, 'after': {'networks': []}})
    agents = mod.client.list('/v1/user_agents', params={'organization_ids': [org_id], 'network_ids': [int(s['id']) for s in sites]})
    if agents:
        live = [a for a in agents if (a.get('attributes') or {}).get('status') not in GONE]
        mod.fail('Refusing to delete the site(s): %d Roaming Client record(s) are still on them (%s), %d not yet uninstalled. '
                 'Uninstall the agents (msp.dnsfilter.roaming_client state=uninstalled) and delete their records '
                 '(state=absent) first; DNSFilter would answer HTTP 409.'
                 % (len(agents), ', '.join(sorted((a.get('attributes') or {}).get('hostname') or a['id'] for a in agents)), len(live)))
    for s in sites:
        mod.write('DELETE', '/v1/networks/%s' % s['id'], missing_ok=True)
    summary = [{'id': s['id'], 'name': s.get('name')} for s in sites]
    mod.exit(deleted=summary, diff={'before': {'networks': summary}, 'after': {'networks': []}})


def main():
    spec = dict(SITE_FILTER_SPEC)
    spec['state'] = dict(type='str', choices=['absent'], default='absent')
    DNSFilterModule(argument_spec=spec, required_one_of=[('ids', 'names')]).run(main_logic)


if __name__ == '__main__':
    main()

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
    description:
      - The sites, by name. Each must match exactly one site, exactly (surrounding spaces aside, letter case
        significant); a case twin or a look-alike is refused and listed.
    type: list
    elements: str
  state:
    description:
      - Only V(absent) is supported; sites are created in the dashboard.
      - Required, so that a task never deletes because an option was left out.
    type: str
    choices: [absent]
    required: true
  records_deleted_first:
    description:
      - Roaming Client records (agent ids) the same run deletes before this task, as the records step planned them.
      - Only check mode reads it. Nothing has been deleted in a plan yet, so a site whose remaining records are all
        in this list is planned to go once they are (C(conditional) in the result), instead of refused. A real run
        decides from DNSFilter's state alone.
    type: list
    elements: str
    default: []
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
conditional:
  description:
    - Check mode only - the sites planned to go once the records in O(records_deleted_first) are deleted, each with its
      C(condition); if a record stays, the real run keeps the site and it is outstanding.
  returned: when there are any
  type: list
  elements: dict
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._networks import SITE_FILTER_SPEC, list_sites, read_sites
from ansible_collections.msp.dnsfilter.plugins.module_utils._removal import CONDITIONAL, REMOVE, Removal, check_selection

GONE = frozenset(('uninstalled', 'uninstalled_from_client'))


def summary(site):
    return {'id': site['id'], 'name': site.get('name')}


def site_agents(mod, org_id, sites):
    """The Roaming Client records of each site, by site id (one read for all of them)."""
    found = {str(s['id']): [] for s in sites}
    if sites:
        for agent in mod.client.list('/v1/user_agents', params={'organization_ids': [org_id],
                                                                'network_ids': [int(s['id']) for s in sites]}):
            attributes = agent.get('attributes') or {}
            network = ((agent.get('relationships') or {}).get('network') or {}).get('data') or {}
            site = str(attributes.get('network_id') or network.get('id') or '')
            # A record whose site the answer does not tell counts against every site asked about (fail closed).
            for ident in ([site] if site else list(found)):
                if ident in found:
                    found[ident].append(agent)
    return found


def no_site_with_agents(agents):
    """A site keeps its Roaming Client records: DNSFilter refuses (409) to delete it, and its agents would be orphans."""
    def rule(removal):
        left = [a for s in removal.planned(REMOVE) for a in agents.get(str(s['id']), [])]
        if not left:
            return []
        live = [a for a in left if (a.get('attributes') or {}).get('status') not in GONE]
        return ['%d Roaming Client record(s) are still on the site(s) (%s), %d not yet uninstalled. Uninstall the agents '
                '(msp.dnsfilter.roaming_client state=uninstalled) and delete their records (state=absent) first; '
                'DNSFilter would answer HTTP 409'
                % (len(left), ', '.join(sorted((a.get('attributes') or {}).get('hostname') or a['id'] for a in left)), len(live))]
    return rule


def main_logic(mod):
    params = mod.params
    org_id = params['organization_id']
    check_selection(mod, 'site', params['ids'], params['names'], options='ids, names')
    removal = Removal(mod, 'network', read_sites(mod), label=lambda s: '%s (%s)' % (s.get('name'), s['id']))
    removal.choose(list_sites(mod, missing_ok=True, sites=removal.before))
    agents = site_agents(mod, org_id, removal.chosen)
    first = {str(i) for i in params['records_deleted_first']} if mod.check_mode else set()

    def decide(site):
        on_site = agents.get(str(site['id']), [])
        if on_site and all(str(a['id']) in first for a in on_site):
            names = ', '.join(sorted((a.get('attributes') or {}).get('hostname') or str(a['id']) for a in on_site))
            return CONDITIONAL, None, ('deleted once the records of its agents (%s) are deleted earlier in the run; '
                                       'else kept and outstanding' % names)
        return REMOVE, None
    removal.plan(decide)
    removal.check(no_site_with_agents(agents))
    if removal.planned(CONDITIONAL):
        mod.changed = True
    removal.apply(one=lambda s: mod.write('DELETE', '/v1/networks/%s' % s['id'], missing_ok=True, action='delete site',
                                          subjects=[subject('site', s['id'], s.get('name')), subject('organization', org_id)],
                                          why='no Roaming Client record is left on the site',
                                          verify=gone('/v1/networks/%s' % s['id'])))
    removal.verify(lambda: read_sites(mod))
    mod.exit(**removal.result(summary, removed_key='deleted'))


def main():
    spec = dict(SITE_FILTER_SPEC)
    spec['state'] = dict(type='str', choices=['absent'], required=True)
    spec['records_deleted_first'] = dict(type='list', elements='str', default=[])
    DNSFilterModule(argument_spec=spec, required_one_of=[('ids', 'names')]).run(main_logic)


if __name__ == '__main__':
    main()

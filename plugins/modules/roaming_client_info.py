#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: roaming_client_info
short_description: List an organisation's DNSFilter Roaming Clients and where each stands in its removal
version_added: 0.1.0
description:
  - Returns the Roaming Clients (user agents) of one organisation that the filters select, each with its removal state
    (C(installed), C(queued), C(uninstalling), C(uninstalled)) and whether it can be uninstalled remotely.
  - The removal state comes from what DNSFilter documents only - the C(status) values C(uninstalled) and
    C(uninstalled_from_client), and the list filters C(status=uninstall_queued) and C(status=uninstalling) (so each
    organisation is listed three times) - never from C(uninstall_queued_at) or a status code.
  - Use it for the evidence of the agents before and after removal, and to prove nothing came back after records were
    deleted.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
  - msp.dnsfilter.agents
options:
  removal_states:
    description: Only agents in these removal states.
    type: list
    elements: str
    choices: [installed, queued, uninstalling, uninstalled]
  remote_uninstall_supported:
    description: Only agents that can (V(true)) or cannot (V(false)) be uninstalled remotely.
    type: bool
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Windows agents of the customer not seen for 30 days
  msp.dnsfilter.roaming_client_info:
    organization_id: 4000101
    agent_types: [windows]
    last_sync_before: "2026-10-28"
  register: stale
'''

RETURN = r'''
roaming_clients:
  description: The agents selected.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0198a454-7812-77a6-8207-b96b1ffcab7b
      hostname: DESK-01
      agent_type: windows
      agent_version: 2.2.0
      status: active
      last_sync: "2026-11-27T10:02:11Z"
      removal_state: installed
      remote_uninstall_supported: true
counts:
  description: How many of the selected agents are in each removal state.
  returned: always
  type: dict
  sample: {installed: 5, queued: 1, uninstalling: 0, uninstalled: 2}
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._agents import AGENT_SELECT_RULES, AGENT_SELECT_SPEC, list_agents, removal_state, summary
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule


def main_logic(mod):
    chosen, dummy = list_agents(mod)
    states = set(mod.params['removal_states'] or [])
    supported = mod.params['remote_uninstall_supported']
    chosen = [a for a in chosen if (not states or removal_state(a) in states)
              and (supported is None or a['remote_uninstall_supported'] == supported)]
    counts = dict.fromkeys(('installed', 'queued', 'uninstalling', 'uninstalled'), 0)
    for agent in chosen:
        counts[removal_state(agent)] += 1
    mod.exit(roaming_clients=[summary(a) for a in chosen], counts=counts)


def main():
    spec = dict(AGENT_SELECT_SPEC)
    spec.update(
        removal_states=dict(type='list', elements='str', choices=['installed', 'queued', 'uninstalling', 'uninstalled']),
        remote_uninstall_supported=dict(type='bool'),
    )
    DNSFilterModule(argument_spec=spec, **AGENT_SELECT_RULES).run(main_logic)


if __name__ == '__main__':
    main()

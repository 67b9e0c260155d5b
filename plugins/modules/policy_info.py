#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: policy_info
short_description: List an organisation's DNSFilter policies with their allow and block lists
version_added: 0.1.0
description:
  - Returns the filtering policies of one organisation, each with its allow list (C(whitelist_domains)), block list
    (C(blacklist_domains)) and blocked category ids (C(blacklist_categories)).
  - This is the evidence of a customer's allow and block lists at an exit, and the freeze snapshot - the output is stable
    (policies sorted by id, domains normalised and sorted, category ids sorted, no per-caller attributes), so a snapshot
    taken at the start and one taken at the end compare equal unless something changed.
  - The MSP's global policies, which apply to its customers too, are included by default and marked with
    C(is_global_policy).
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_id:
    description: The organisation whose policies to list.
    type: int
    required: true
  ids:
    description: Only these policies.
    type: list
    elements: int
  names:
    description:
      - Only these policies, by name. Each must match exactly one policy, exactly (surrounding spaces aside, letter case
        significant); a case twin or a look-alike is refused and listed.
    type: list
    elements: str
  include_global_policies:
    description: Include the global policies of the organisation's MSP.
    type: bool
    default: true
notes:
  - Domains are shown normalised - lower case, without surrounding whitespace or a trailing dot - the way
    M(msp.dnsfilter.policy_domains) compares them.
seealso:
  - module: msp.dnsfilter.policy_domains
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Allow and block lists of the exiting customer (evidence)
  msp.dnsfilter.policy_info:
    organization_id: 4000101
  register: lists_at_start

- name: Later - report drift since the freeze
  msp.dnsfilter.policy_info:
    organization_id: 4000101
  register: lists_at_end

- name: Fail if any policy changed during the freeze
  ansible.builtin.assert:
    that: lists_at_start.policies == lists_at_end.policies
    fail_msg: >-
      Policies changed during the freeze:
      {{ lists_at_end.policies | difference(lists_at_start.policies) | map(attribute='name') | list }}
'''

RETURN = r'''
policies:
  description: The policies found, sorted by id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The policy id.
      type: str
    name:
      description: The policy name.
      type: str
    organization_id:
      description: The organisation that owns the policy (the MSP, for a global policy).
      type: int
    is_global_policy:
      description: Whether this is an MSP global policy, shared with the MSP's customers.
      type: bool
    whitelist_domains:
      description: The allow list, normalised and sorted.
      type: list
      elements: str
    blacklist_domains:
      description: The block list, normalised and sorted.
      type: list
      elements: str
    blacklist_categories:
      description: The ids of the blocked categories, sorted.
      type: list
      elements: int
    allow_notes:
      description: Notes on allow entries, by domain.
      type: dict
    block_notes:
      description: Notes on block entries, by domain.
      type: dict
    network_ids:
      description: The sites that use the policy, sorted.
      type: list
      elements: str
  sample:
    - id: "920101"
      name: Contoso Dental Default
      organization_id: 4000101
      is_global_policy: false
      whitelist_domains: [contosodental-portal.example, dentrix.com]
      blacklist_domains: [facebook.com, tiktokcdn.com]
      blacklist_categories: [2, 38, 56]
      allow_unknown_domains: true
      allow_notes: {}
      block_notes: {}
      allowlist_updated_at: "2026-03-24T08:40:32.913-04:00"
      blocklist_updated_at: "2026-03-24T08:49:55.424-04:00"
      lock_version: 23
      network_ids: ["6000201"]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._policies import ORG_SELECTION_SPEC, list_policies, select


def main_logic(mod):
    params = mod.params
    org_id = params['organization_id']
    policies, dummy = list_policies(mod, org_id, include_global=params['include_global_policies'])
    mod.exit(policies=select(mod, policies, org_id, params['ids'], params['names']))


def main():
    spec = dict(ORG_SELECTION_SPEC)
    spec['include_global_policies'] = dict(type='bool', default=True)
    DNSFilterModule(argument_spec=spec).run(main_logic)


if __name__ == '__main__':
    main()

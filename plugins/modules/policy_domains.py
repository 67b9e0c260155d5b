#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: policy_domains
short_description: Add or remove allow and block list entries on DNSFilter policies
version_added: 0.1.0
description:
  - Makes a list of domains present on, or absent from, the allow list or the block list of one or more policies of an
    organisation, in one task.
  - Domains are normalised (lower case, surrounding whitespace and a trailing dot removed) before they are compared, so
    V(Example.COM.) and V(example.com) are one entry. Only the entries that differ are written.
  - When at least O(bulk_threshold) entries change, they are written with DNSFilter's bulk endpoints (one call per set of
    policies that need the same entries); otherwise one call per policy and domain. An API that does not implement
    the bulk endpoints (HTTP 501) is answered by falling back to the single calls, with a warning.
  - After writing, the module reads the policies again and fails if an entry is not as asked.
  - At a customer exit, use O(state=absent) to retire the customer's entries from the MSP's global policies (give the
    MSP's id as O(organization_id)).
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  organization_id:
    description:
      - The organisation that owns the policies.
      - A global policy belongs to the MSP; give the MSP's organisation id to change it.
    type: int
    required: true
  policy_ids:
    description: The policies, by id. At least one of O(policy_ids) and O(policy_names) is required.
    type: list
    elements: int
  policy_names:
    description:
      - The policies, by name. Each must match exactly one policy of the organisation, exactly (surrounding spaces
        aside, letter case significant); a case twin or a look-alike is refused and listed.
    type: list
    elements: str
  list:
    description: Which list - the allow list (whitelist) or the block list (blacklist).
    type: str
    choices: [allow, block]
    required: true
  domains:
    description: The domains, for example V(contoso-portal.example) or V(*.contoso-portal.example).
    type: list
    elements: str
    required: true
  state:
    description: V(present) adds the domains that are missing; V(absent) removes those that are listed.
    type: str
    choices: [present, absent]
    default: present
  note:
    description:
      - A note stored with each entry the module adds (for example the ticket number).
      - Existing entries keep their notes; a different note alone does not change anything.
    type: str
  bulk_threshold:
    description:
      - Use the bulk endpoints when at least this many entries (policy and domain pairs) change; fewer are written one call
        each.
    type: int
    default: 2
seealso:
  - module: msp.dnsfilter.policy_info
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Allow the practice-management SaaS on both of the customer's policies
  msp.dnsfilter.policy_domains:
    organization_id: 4000101
    policy_names: [Contoso Dental Default, Contoso Guest Wi-Fi]
    list: allow
    domains: [dentrix.com, eaglesoft.net]
    note: "PSA #48213"

- name: Exit - retire the customer's entries from the MSP's global policy
  msp.dnsfilter.policy_domains:
    organization_id: 4000001
    policy_names: [Northwind Baseline]
    list: allow
    domains: [contosodental-portal.example]
    state: absent
'''

RETURN = r'''
policies:
  description: The policies acted on, after the change (in check mode, as they would be), as M(msp.dnsfilter.policy_info) returns them.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "920101"
      name: Contoso Dental Default
      whitelist_domains: [contosodental-portal.example, dentrix.com, eaglesoft.net]
      blacklist_domains: [facebook.com]
changes:
  description: The entries added or removed (or that would be), per policy; policies that needed nothing are left out.
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
    added:
      description: Domains added to the list.
      type: list
      elements: str
    removed:
      description: Domains removed from the list.
      type: list
      elements: str
  sample:
    - {id: "920101", name: Contoso Dental Default, added: [eaglesoft.net], removed: []}
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._policies import (
    LIST_ATTRIBUTES, list_policies, normalize_domain, select)

BULK_PATHS = {
    ('allow', 'present'): '/v1/policies/bulk/add_allowlist_domains',
    ('allow', 'absent'): '/v1/policies/bulk/remove_allowlist_domains',
    ('block', 'present'): '/v1/policies/bulk/add_blocklist_domains',
    ('block', 'absent'): '/v1/policies/bulk/remove_blocklist_domains',
}
SINGLE_ACTIONS = {
    ('allow', 'present'): 'add_whitelist_domain',
    ('allow', 'absent'): 'remove_whitelist_domain',
    ('block', 'present'): 'add_blacklist_domain',
    ('block', 'absent'): 'remove_blacklist_domain',
}
GLOBAL_HINT = " A global policy belongs to the MSP: give the MSP's organization_id to change it."
NOT_A_DOMAIN = (' ', '\t', '/', '@', ':', '?', '#')


def wanted_domains(mod):
    wanted = []
    for value in mod.params['domains']:
        domain = normalize_domain(value)
        if not domain or any(c in domain for c in NOT_A_DOMAIN) or '..' in domain:
            mod.fail('%r is not a domain: give a host name such as contoso.example or *.contoso.example, not a URL or an '
                     'address.' % value)
        if domain not in wanted:
            wanted.append(domain)
    return sorted(wanted)


def plan(mod, chosen, raw, attr, wanted):
    """Per policy: the domains to add or remove (normalised) and the values to send.

    A removal sends each entry exactly as the API stores it, in case it stores one not normalised.
    """
    state = mod.params['state']
    steps = []
    for policy in chosen:
        stored = (raw[str(policy['id'])].get('attributes') or {}).get(attr) or []
        current = set(policy[attr])
        if state == 'present':
            delta = [d for d in wanted if d not in current]
            send = list(delta)
        else:
            delta = [d for d in wanted if d in current]
            send = sorted({s for s in stored if normalize_domain(s) in delta})
        if delta:
            steps.append({'policy': policy, 'delta': delta, 'send': send})
    return steps


def journal(params, policies, domains):
    """What a write of domains to policies is, for the journal: the policies and the domains, and how to read it back."""
    attr = LIST_ATTRIBUTES[params['list']]
    paths = ['/v1/policies/%s' % p['id'] for p in policies]
    verify = {'path': paths[0], 'field': attr, ('holds' if params['state'] == 'present' else 'lacks'): list(domains)}
    if len(paths) > 1:
        verify['each'] = paths
    return dict(action='%s %slist domains' % ('add' if params['state'] == 'present' else 'remove', params['list']),
                subjects=[subject('policy', p['id'], p.get('name')) for p in policies] + [subject('domain', d) for d in domains],
                why='the policies of organisation %s selected by %s'
                % (params['organization_id'], 'name' if params.get('policy_names') else 'id'),
                verify=verify)


def apply(mod, steps):
    """Write the planned entries: bulk calls per set of policies that need the same entries, or single calls."""
    params = mod.params
    key = (params['list'], params['state'])
    note = params['note']
    use_bulk = sum(len(s['send']) for s in steps) >= params['bulk_threshold']
    groups = {}
    for step in steps:
        groups.setdefault(tuple(step['send']), []).append(step['policy'])
    singles = []
    for domains, policies in groups.items():
        if not use_bulk:
            singles.append((domains, policies))
            continue
        body = {'policy_ids': [int(p['id']) for p in policies], 'domains': list(domains)}
        if note and params['state'] == 'present':
            body['notes'] = {d: note for d in domains}
        try:
            answer = mod.write('POST', BULK_PATHS[key], body=body, **journal(params, policies, domains))
        except DNSFilterError as exc:
            if exc.status != 501:
                raise
            # Not implemented: nothing was written, so the single calls are safe.
            mod.warnings.append('DNSFilter does not implement %s (HTTP 501); wrote the entries one call each instead.'
                                % BULK_PATHS[key])
            use_bulk = False
            singles.append((domains, policies))
            continue
        check_bulk_answer(mod, answer, body)
    for domains, policies in singles:
        for policy in policies:
            for domain in domains:
                mod.write('POST', '/v1/policies/%s/%s' % (policy['id'], SINGLE_ACTIONS[key]),
                          body={'domain': domain, 'note': note if note and params['state'] == 'present' else ''},
                          **journal(params, [policy], [domain]))


def check_bulk_answer(mod, answer, body):
    """The description answers success/failure/noop lists; the live API answers {"status": "ok", ...}."""
    if not isinstance(answer, dict):
        return
    failed = answer.get('failure') or []
    if failed or answer.get('status') not in (None, 'ok'):
        mod.fail('DNSFilter did not update every policy in a bulk change of %s: %s'
                 % (', '.join(body['domains']), failed or answer))


def entries(policies, attr):
    return [{'id': p['id'], 'name': p.get('name'), attr: list(p[attr])} for p in policies]


def main_logic(mod):
    params = mod.params
    org_id, state = params['organization_id'], params['state']
    attr = LIST_ATTRIBUTES[params['list']]
    wanted = wanted_domains(mod)
    policies, raw = list_policies(mod, org_id)
    chosen = select(mod, policies, org_id, params['policy_ids'], params['policy_names'], id_option='policy_ids', hint=GLOBAL_HINT)
    for policy in chosen:
        if policy.get('organization_id') is not None and str(policy['organization_id']) != str(org_id):
            mod.fail('Policy %s (%s) belongs to organisation %s, not %s; give organization_id %s to change it.'
                     % (policy['id'], policy.get('name'), policy['organization_id'], org_id, policy['organization_id']))
    steps = plan(mod, chosen, raw, attr, wanted)
    before = entries(chosen, attr)
    changes = [{'id': s['policy']['id'], 'name': s['policy'].get('name'),
                'added': s['delta'] if state == 'present' else [],
                'removed': s['delta'] if state == 'absent' else []} for s in steps]
    if steps:
        apply(mod, steps)
    if steps and not mod.check_mode:
        after_all, dummy = list_policies(mod, org_id)
        chosen = select(mod, after_all, org_id, [int(p['id']) for p in chosen])
        verify(mod, chosen, attr, wanted)
    else:
        for step in steps:
            policy = step['policy']
            if state == 'present':
                policy[attr] = sorted(set(policy[attr]) | set(step['delta']))
            else:
                policy[attr] = sorted(set(policy[attr]) - set(step['delta']))
    mod.exit(diff={'before': {'policies': before}, 'after': {'policies': entries(chosen, attr)}},
             policies=chosen, changes=changes)


def verify(mod, chosen, attr, wanted):
    wrong = []
    for policy in chosen:
        current = set(policy[attr])
        bad = [d for d in wanted if (d in current) != (mod.params['state'] == 'present')]
        if bad:
            wrong.append('%s (%s): %s' % (policy['id'], policy.get('name'), ', '.join(bad)))
    if wrong:
        mod.fail('DNSFilter accepted the change, but reading the policies back shows these entries still %s: %s'
                 % ('missing' if mod.params['state'] == 'present' else 'listed', '; '.join(wrong)))


def main():
    spec = dict(
        organization_id=dict(type='int', required=True),
        policy_ids=dict(type='list', elements='int'),
        policy_names=dict(type='list', elements='str'),
        list=dict(type='str', choices=['allow', 'block'], required=True),
        domains=dict(type='list', elements='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        note=dict(type='str'),
        bulk_threshold=dict(type='int', default=2),
    )
    DNSFilterModule(argument_spec=spec, required_one_of=[('policy_ids', 'policy_names')]).run(main_logic)


if __name__ == '__main__':
    main()

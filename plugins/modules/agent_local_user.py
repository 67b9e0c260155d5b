#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: agent_local_user
short_description: Remove stale or duplicate DNSFilter Users (Deployments > Users)
version_added: 0.1.0
description:
  - Removes agent-local Users, the records Roaming Clients create for the people who log in on a device.
  - O(state=absent) removes every User that the filters select (by id, login, account name, last seen).
  - O(state=deduplicated) keeps one record per person and removes the rest. The runbook's rule, "keep the record with
    the newer last-seen date", is applied as - newest C(last_seen), then newest C(first_seen), then highest id.
    Two records are the same person when their O(duplicate_key) matches within one organisation - by default the
    account name, the login without its domain or host (V(CONTOSO\\jdoe), V(DESK-07\\jdoe) and V(jdoe@contoso.example)
    are one person, V(jdoe)). DNSFilter itself does not define duplicates.
  - Several Users are removed with one bulk-delete job, which the module waits for and then verifies; a failed job fails
    the task.
  - A User whose person still logs in on a device with a live Roaming Client comes back at the agent's next check-in.
    Remove Users after the person has left or the agent is uninstalled.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  state:
    description: V(absent) removes the selected Users; V(deduplicated) removes all but the newest record of each person.
    type: str
    choices: [absent, deduplicated]
    default: absent
  organization_ids:
    description: The organisations to act in.
    type: list
    elements: int
    required: true
  ids:
    description: Only the Users with these ids.
    type: list
    elements: str
  user_logins:
    description: Only these logins (for example V(CONTOSO\\jdoe)), compared without regard to case.
    type: list
    elements: str
  account_names:
    description: Only these people, by account name (the login without its domain or host).
    type: list
    elements: str
  last_seen_before:
    description: Only Users last seen before this date or time (ISO 8601, UTC if no zone is given).
    type: str
  duplicate_key:
    description: What makes two records the same person, with O(state=deduplicated).
    type: str
    choices: [account_name, user_name]
    default: account_name
  bulk_threshold:
    description: Use one bulk-delete job when removing at least this many Users; fewer are deleted one call each.
    type: int
    default: 2
  wait_timeout:
    description: Seconds to wait for a bulk-delete job to complete.
    type: int
    default: 300
notes:
  - With O(state=absent), at least one of O(ids), O(user_logins), O(account_names) or O(last_seen_before) is required, so
    that a missing variable cannot remove every User of an organisation.
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Customer user leaves - remove every record of jdoe
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    account_names: [jdoe]
    state: absent

- name: Keep one record per person across the customer
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    state: deduplicated

- name: Remove Users not seen for 90 days
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    last_seen_before: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 90 * 86400) }}"
'''

RETURN = r'''
removed:
  description: The Users removed (or, in check mode, that would be removed).
  returned: always
  type: list
  elements: dict
  sample:
    - {id: "7002", user_login: DESK-07\jdoe, last_seen: "2026-10-02T17:40:00Z", organization_id: 4000101}
kept:
  description: With O(state=deduplicated), the record kept for each person that had duplicates.
  returned: always
  type: list
  elements: dict
job:
  description: The bulk-delete job, when one was used.
  returned: when a bulk-delete job ran
  type: dict
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._jobs import job_fields, wait_for_job
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._users import ALU_FILTER_SPEC, find_duplicates, list_users

SUMMARY_KEYS = ('id', 'user_login', 'user_name', 'account_name', 'first_seen', 'last_seen', 'organization_id')


def summary(user):
    return {k: user.get(k) for k in SUMMARY_KEYS}


def main_logic(mod):
    params = mod.params
    users = list_users(mod, ids=params['ids'])
    kept = []
    if params['state'] == 'deduplicated':
        targets = []
        for records in find_duplicates(users, params['duplicate_key']).values():
            kept.append(summary(records[0]))
            targets.extend(records[1:])
    else:
        targets = users
    removed = [summary(u) for u in targets]
    diff = {'before': {'users': [summary(u) for u in users]},
            'after': {'users': [summary(u) for u in users if u not in targets]}}
    result = {'removed': removed, 'kept': kept}
    if targets:
        result.update(remove(mod, targets))
    mod.exit(diff=diff, **result)


def remove(mod, targets):
    """Delete the targets (one bulk job, or one call each) and prove they are gone."""
    ids = [str(u['id']) for u in targets]
    extra = {}
    if len(ids) >= mod.params['bulk_threshold']:
        body = mod.write('POST', '/v1/agent_local_user_bulk_deletes', body={'ids': [int(i) if i.isdigit() else i for i in ids]})
        if mod.check_mode:
            return extra
        job = job_fields(body)
        if job.get('id') is None:
            mod.fail('DNSFilter accepted the bulk delete of %d Users but returned no job id: %s' % (len(ids), body))
        extra['job'] = wait_for_job(mod.client, '/v1/agent_local_user_bulk_deletes/%s' % job['id'],
                                    timeout=mod.params['wait_timeout'], what='bulk delete of %d Users' % len(ids))
    else:
        for ident in ids:
            mod.write('DELETE', '/v1/agent_local_users/%s' % ident, missing_ok=True)
        if mod.check_mode:
            return extra
    left = [str(u['id']) for u in list_users(mod, ids=ids)]
    if left:
        raise DNSFilterError('DNSFilter reported the delete done, but these Users are still there: %s' % ', '.join(left))
    return extra


def main():
    spec = dict(ALU_FILTER_SPEC)
    spec.update(
        state=dict(type='str', choices=['absent', 'deduplicated'], default='absent'),
        ids=dict(type='list', elements='str'),
        duplicate_key=dict(type='str', choices=['account_name', 'user_name'], default='account_name'),
        bulk_threshold=dict(type='int', default=2),
        wait_timeout=dict(type='int', default=300),
    )
    mod = DNSFilterModule(
        argument_spec=spec,
        required_if=[('state', 'absent', ('ids', 'user_logins', 'account_names', 'last_seen_before'), True)],
    )
    mod.run(main_logic)


if __name__ == '__main__':
    main()

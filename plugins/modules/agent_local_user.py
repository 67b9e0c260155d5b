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
  - Removes agent-local Users, the records Roaming Clients create for the accounts that log in on a device.
  - Users are told apart by account, not by name. Records are one account when they have the same SID
    (C(user_remote_id)), or, without a SID, the same full login on the same roaming clients (as DNSFilter associates
    them, read through the C(user_agent_uuids) filter). The same login on two devices (V(DESK-07\\admin),
    V(FRONTDESK-01\\admin)), two SIDs under one login (a re-imaged device) and a record with a SID beside one without
    are different accounts.
  - O(state=absent) removes the Users that the filters select. A typed login or account name must mean one account; one
    that matches the records of more than one account is refused, with every candidate shown (id, login, SID, last
    seen) and nothing changed, unless O(match=all_accounts).
  - O(state=deduplicated) keeps the newest record of each account and removes the others - newest C(last_seen), then
    newest C(first_seen), then highest id. The result and the diff, in check mode too, name each record removed, the
    record kept in its place and why (V(same SID S-1-5-...), V(same login CONTOSO\\x on the same devices (DESK-07\))).
    DNSFilter itself does not define duplicate Users; see O(duplicate_key).
  - Several Users are removed with one bulk-delete job, which the module waits for; a failed job fails the task. The
    Users are then read again to prove they are gone.
  - A User whose account still logs in on a device with a live Roaming Client comes back at the agent's next check-in.
    Remove Users after the person has left or the agent is uninstalled.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  state:
    description:
      - V(absent) removes the selected Users; V(deduplicated) removes all but the newest record of each account.
      - Required, so that a task never removes Users by default.
    type: str
    choices: [absent, deduplicated]
    required: true
  organization_ids:
    description:
      - The organisations to act in.
      - With O(user_logins) or O(account_names), exactly one organisation - a typed name never selects across
        organisations.
    type: list
    elements: int
    required: true
  ids:
    description: Only the Users with these ids. Ids are exact, so they name an account where a typed name cannot.
    type: list
    elements: str
  user_logins:
    description:
      - Users by full login, for example V(CONTOSO\\jdoe) or V(DESK-07\\admin). An entry matches that login exactly as
        Windows compares logins - in any case, surrounding spaces ignored, Unicode-normalised (NFC). V(jdoe) does not
        match V(CONTOSO\\jdoe).
      - An entry whose records belong to more than one account (a re-imaged device's old and new account under one
        login) is refused unless O(match=all_accounts).
      - The other records of the account it selects, the same SID under another login (an account renamed), are
        selected with it.
    type: list
    elements: str
  account_names:
    description:
      - Users by account name, the login without its domain or host - V(admin) matches V(DESK-07\\admin) and
        V(FRONTDESK-01\\admin), which are usually different accounts.
      - An entry whose records belong to more than one account is refused, with every candidate shown, unless
        O(match=all_accounts). Name the accounts with O(user_logins) or O(ids) instead.
      - The other records of the account it selects (the same SID under another login) are selected with it.
      - An entry containing V(\\) or V(@) is a full login and is refused here; give it in O(user_logins).
    type: list
    elements: str
  match:
    description:
      - What an entry of O(user_logins) or O(account_names) may select.
      - V(one_account) - the records of one account; an entry matching more than one account fails the task and
        changes nothing.
      - V(all_accounts) - the records of every account it matches (an explicit choice, shown in each removal's reason).
    type: str
    choices: [one_account, all_accounts]
    default: one_account
  last_seen_before:
    description: Only Users last seen before this date or time (ISO 8601, UTC if no zone is given).
    type: str
  duplicate_key:
    description:
      - What makes two records duplicates, with O(state=deduplicated).
      - V(identity) - one account, as described above (the same SID, or without a SID the same full login on the same
        roaming clients). Safe - never merges two accounts.
      - V(account_name) - the same account name (the login without domain or host), so V(DESK-07\\admin) and
        V(FRONTDESK-01\\admin) are duplicates. Merges different accounts; an explicit opt-in.
      - V(user_name) - the same user name as the agent reported it. Merges different accounts; an explicit opt-in.
    type: str
    choices: [identity, account_name, user_name]
    default: identity
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
    that a missing variable cannot remove every User of an organisation. Entries of O(user_logins) and O(account_names)
    add up (a record matching any of them is selected); O(ids) and O(last_seen_before) narrow.
  - With O(state=deduplicated), the filters only narrow which records may be removed; the newest record of every
    account is always kept.
  - Without a SID, the roaming clients of a record decide whether it is the same account as another with its login.
    They are read (one list call per roaming client of the organisation) only when two SID-less records share a login.
    DNSFilter describes the filter as the current user on each device, so a record of nobody currently logged in has
    no known device and is never a duplicate; remove such records with O(last_seen_before) or O(ids).
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Customer user leaves - remove the Users of jdoe's domain account and of the local account on DESK-07
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    user_logins: ['CONTOSO\jdoe', 'DESK-07\jdoe']
    state: absent

- name: Remove every account called admin, knowing there are several
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    account_names: [admin]
    match: all_accounts
    state: absent

- name: Keep one record per account across the customer
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    state: deduplicated

- name: Remove Users not seen for 90 days
  msp.dnsfilter.agent_local_user:
    organization_ids: [4000101]
    last_seen_before: "{{ '%Y-%m-%d' | strftime(now().timestamp() - 90 * 86400) }}"
    state: absent
'''

RETURN = r'''
removed:
  description:
    - The Users removed (or, in check mode, that would be removed), each with C(reason); with O(state=deduplicated)
      also C(duplicate_of), the id of the record kept in its place.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "7002"
      user_login: contoso\JDoe
      user_remote_id: S-1-5-21-3623811015-3361044348-30300820-1104
      last_seen: "2026-10-02T17:40:00Z"
      organization_id: 4000101
      duplicate_of: "7001"
      reason: same SID S-1-5-21-3623811015-3361044348-30300820-1104 as 7001 (CONTOSO\jdoe), which was seen later
removed_ids:
  description: The ids of RV(removed), in the same order.
  returned: always
  type: list
  elements: str
  sample: ["7002"]
kept:
  description: With O(state=deduplicated), the record kept for each account that had duplicates.
  returned: always
  type: list
  elements: dict
not_found:
  description:
    - The entries of O(user_logins), O(account_names) and O(ids) that matched no User (already removed, or mistyped),
      each as a dict of the option's singular and the value.
  returned: always
  type: list
  elements: dict
  sample:
    - {user_login: DESK-07\jdoe}
candidates:
  description:
    - When a typed name is refused, each refused entry with the accounts it matches and their records (id, login,
      SID, last seen, and the devices where they decide).
  returned: on failure, when a typed name matches more than one account
  type: list
  elements: dict
job:
  description: The bulk-delete job, when one was used.
  returned: when a bulk-delete job ran
  type: dict
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._jobs import job_fields, wait_for_job
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._users import (
    ALU_FILTER_SPEC, MATCHES, devices_needed, name_problems, plan_problems, plan_removal, read_devices, read_users, report,
    verify_removed)


def read(mod):
    """Everything the plan depends on: the organisations' Users and, where they decide, their roaming clients."""
    params = mod.params
    users = read_users(mod.client, params['organization_ids'])
    wanted = devices_needed(users, params, for_selection=params['state'] == 'absent' and params['match'] == 'one_account',
                            for_duplicates=params['state'] == 'deduplicated')
    devices, hostnames = read_devices(mod.client, users, wanted) if wanted else ({}, {})
    return users, devices, hostnames


def apply(mod, plan):
    """Delete the planned Users through the check-mode aware write: one bulk job, or one call each."""
    ids = [str(row['id']) for row in plan['targets']]
    if not ids:
        return {}

    def journal(rows):
        paths = ['/v1/agent_local_users/%s' % row['id'] for row in rows]
        return dict(action='delete User record', subjects=[subject('agent_local_user', row['id'], row.get('user_login')) for row in rows],
                    why='; '.join('%s: %s' % (row['id'], row.get('reason')) if len(rows) > 1 else str(row.get('reason'))
                                  for row in rows),
                    verify=gone(paths[0], paths if len(rows) > 1 else None))
    if len(ids) >= mod.params['bulk_threshold']:
        body = mod.write('POST', '/v1/agent_local_user_bulk_deletes', body={'ids': [int(i) if i.isdigit() else i for i in ids]},
                         **journal(plan['targets']))
        if mod.check_mode:
            return {}
        job = job_fields(body)
        if job.get('id') is None:
            mod.fail('DNSFilter accepted the bulk delete of %d Users but returned no job id: %s' % (len(ids), body))
        return {'job': wait_for_job(mod.client, '/v1/agent_local_user_bulk_deletes/%s' % job['id'],
                                    timeout=mod.params['wait_timeout'], what='bulk delete of %d Users' % len(ids))}
    for row in plan['targets']:
        mod.write('DELETE', '/v1/agent_local_users/%s' % row['id'], missing_ok=True, **journal([row]))
    return {}


def main_logic(mod):
    params = mod.params
    problems = name_problems(params)
    if problems:
        mod.fail(' '.join(problems + ['Nothing was changed.']))
    users, devices, hostnames = read(mod)
    plan = plan_removal(users, params, devices, hostnames)
    problems = plan_problems(plan, users, params, devices)
    if problems:
        mod.fail(' '.join(problems), candidates=plan['refusals'])
    extra = apply(mod, plan)
    if plan['targets'] and not mod.check_mode:
        verify_removed(mod.client, params['organization_ids'], [str(row['id']) for row in plan['targets']])
    result, diff = report(plan, users)
    for missing in result['not_found']:
        mod.warnings.append('No User matches %s %r in organisation(s) %s (already removed, or mistyped).'
                            % (list(missing)[0], list(missing.values())[0], ', '.join(str(o) for o in params['organization_ids'])))
    result.update(extra)
    mod.exit(diff=diff, **result)


def main():
    spec = dict(ALU_FILTER_SPEC)
    spec.update(
        state=dict(type='str', choices=['absent', 'deduplicated'], required=True),
        ids=dict(type='list', elements='str'),
        match=dict(type='str', choices=list(MATCHES), default='one_account'),
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

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Agent-local Users (Deployments > Users): reading them, telling accounts apart, selecting, planning their removal.

Records are one account only when DNSFilter's own data says so:
- the same SID (``user_remote_id``) within one organisation, whatever the login looks like (an account renamed, or
  reported in another case, keeps its SID);
- without a SID, the same full login (compared as Windows compares logins: any case, surrounding spaces ignored,
  Unicode NFC) on the same, known set of roaming clients. A User's roaming clients are not attributes of the User;
  the API gives them only through the ``user_agent_uuids`` filter of the User list, so they are read one roaming
  client at a time, and only for SID-less records that share a login with another.
Everything else is another account: the same login on two devices, two SIDs under one login (a re-imaged device),
a record with a SID and one without. A typed login or account name that matches more than one account is refused.

The removal module runs read -> plan -> check -> apply -> verify -> report; everything but reading and applying
is a pure function of the records here, so check mode and a real run decide alike.
"""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import account_name, parse_time, text_key

DUPLICATE_KEYS = ('identity', 'account_name', 'user_name')
MATCHES = ('one_account', 'all_accounts')

ALU_FILTER_SPEC = dict(
    organization_ids=dict(type='list', elements='int', required=True),
    user_logins=dict(type='list', elements='str'),
    account_names=dict(type='list', elements='str'),
    last_seen_before=dict(type='str'),
    duplicate_key=dict(type='str', choices=list(DUPLICATE_KEYS), default='identity'),
)

SUMMARY_KEYS = ('id', 'user_login', 'user_name', 'user_remote_id', 'account_name', 'first_seen', 'last_seen', 'organization_id')
REFUSAL_ADVICE = ('Nothing was changed. Name the account you mean by its full login (user_logins) or its id (ids), '
                  'or set match=all_accounts if every one of them is meant.')


def summary(user):
    return {k: user.get(k) for k in SUMMARY_KEYS}


def ident(user):
    return str(user.get('id'))


# --- reading ------------------------------------------------------------------------------------------------

def name_problems(params, one_organization=True):
    """Typed names that cannot select safely, found before any call."""
    problems = []
    for option in ('user_logins', 'account_names'):
        if any(not text_key(value) for value in params.get(option) or []):
            problems.append('%s has an empty entry.' % option)
    for value in params.get('account_names') or []:
        if '\\' in value or '@' in value:
            problems.append('account_names entry %r is a full login: give it in user_logins, which matches that login '
                            'exactly.' % value.strip())
    orgs = set(params.get('organization_ids') or [])
    if one_organization and len(orgs) > 1 and (params.get('user_logins') or params.get('account_names')):
        problems.append('user_logins and account_names select by a typed name, so they act in one organisation only, '
                        'and organization_ids names %d. Run once per organisation, or select by ids.' % len(orgs))
    return problems


def read_users(client, org_ids):
    """Every User of the organisations, each with its organization_id and account_name."""
    users = []
    for org_id in org_ids:
        for item in client.paginate('/v1/agent_local_users', params={'organization_ids': [org_id]}):
            user = flatten(item)
            user['organization_id'] = org_id
            user['account_name'] = account_name(user.get('user_login'))
            users.append(user)
    return users


def sid_of(user):
    return text_key(user.get('user_remote_id')).upper() or None


def login_twins(users):
    """Ids of the SID-less Users that share their full login with another SID-less User of their organisation."""
    groups = {}
    for user in users:
        login = text_key(user.get('user_login'))
        if sid_of(user) is None and login:
            groups.setdefault((user['organization_id'], login), []).append(ident(user))
    return {i for ids in groups.values() if len(ids) > 1 for i in ids}


def read_devices(client, users, wanted):
    """({User id: frozenset of roaming client ids}, {roaming client id: hostname}) for the Users whose ids are wanted."""
    found = {i: set() for i in wanted}
    hostnames = {}
    for org_id in sorted({u['organization_id'] for u in users if ident(u) in found}):
        for agent in client.paginate('/v1/user_agents', params={'organization_ids': [org_id]}):
            agent_id = str(agent.get('id'))
            hostnames[agent_id] = (agent.get('attributes') or {}).get('hostname') or agent_id
            # The filter is named for UUIDs, and a roaming client has two (its id and its uuid): both are sent.
            uuids = [agent_id] + ([str(agent['uuid'])] if agent.get('uuid') and str(agent['uuid']) != agent_id else [])
            for item in client.paginate('/v1/agent_local_users', params={'organization_ids': [org_id], 'user_agent_uuids': uuids}):
                if str(item.get('id')) in found:
                    found[str(item.get('id'))].add(agent_id)
    return {i: frozenset(agents) for i, agents in found.items()}, hostnames


def matches_a_name(user, params):
    logins = {text_key(v) for v in params.get('user_logins') or []}
    accounts = {text_key(v) for v in params.get('account_names') or []}
    return text_key(user.get('user_login')) in logins or user.get('account_name') in accounts


def devices_needed(users, params, for_selection, for_duplicates):
    """The Users whose roaming clients decide which account they are (SID-less twins the task looks at)."""
    if for_duplicates and params.get('duplicate_key') == 'identity':
        return login_twins(users)
    if for_selection:
        return login_twins([u for u in users if matches_a_name(u, params)])
    return set()


# --- accounts -----------------------------------------------------------------------------------------------

def account_of(user, devices):
    """The account a record belongs to, as a key two records share only when they are one account."""
    org = user['organization_id']
    sid = sid_of(user)
    if sid:
        return (org, 'sid', sid)
    known = devices.get(ident(user))
    if known:
        return (org, 'login', text_key(user.get('user_login')), known)
    return (org, 'record', ident(user))


def hostnames_of(agent_ids, hostnames):
    return ', '.join(sorted(hostnames.get(a, a) for a in agent_ids))


def account_label(user, devices, hostnames):
    """How the account of a record is shown to a person."""
    account = account_of(user, devices)
    login = (user.get('user_login') or '').strip()
    if account[1] == 'sid':
        return 'SID %s' % account[2]
    if account[1] == 'login':
        return 'no SID, login %s on %s' % (login, hostnames_of(account[3], hostnames))
    return 'no SID, login %s (record %s)' % (login, ident(user))


def _newest_first(user):
    epoch = parse_time('1970-01-01')
    text = ident(user)
    return (parse_time(user.get('last_seen')) or epoch, parse_time(user.get('first_seen')) or epoch,
            int(text) if text.isdigit() else 0, text)


def duplicate_groups(users, key, devices):
    """[(group, records newest first)] for every group of more than one record, in the order the API listed them.

    key identity: one account (see account_of); account_name and user_name: the old, looser keys, on request only.
    """
    groups = {}
    for user in users:
        if key == 'identity':
            group = account_of(user, devices)
            if group[1] == 'record':
                continue
        elif key == 'account_name':
            group = (user['organization_id'], 'account_name', user.get('account_name'))
        else:
            group = (user['organization_id'], 'user_name', text_key(user.get('user_name')))
        if group[2]:
            groups.setdefault(group, []).append(user)
    return [(group, sorted(records, key=_newest_first, reverse=True)) for group, records in groups.items() if len(records) > 1]


def group_label(group, kept, hostnames):
    kind = group[1]
    if kind == 'sid':
        return 'SID %s' % group[2]
    if kind == 'login':
        return 'no SID, login %s on %s' % ((kept.get('user_login') or '').strip(), hostnames_of(group[3], hostnames))
    return '%s %s' % (kind.replace('_', ' '), group[2])


def duplicate_reason(group, kept, hostnames):
    kind = group[1]
    if kind == 'sid':
        why = 'same SID %s' % group[2]
    elif kind == 'login':
        why = 'same login %s on the same devices (%s)' % ((kept.get('user_login') or '').strip(), hostnames_of(group[3], hostnames))
    else:
        why = 'same %s %s (duplicate_key=%s, which does not prove one account)' % (kind.replace('_', ' '), group[2], kind)
    return '%s as %s (%s), which was seen later' % (why, ident(kept), (kept.get('user_login') or '').strip())


def duplicates_by_label(users, shown, key, devices, hostnames):
    """{'<org>/<account>': [records newest first]} for every group with a record among the shown ones."""
    shown_ids = {ident(u) for u in shown}
    result = {}
    for group, records in duplicate_groups(users, key, devices):
        if shown_ids & {ident(r) for r in records}:
            result['%s/%s' % (group[0], group_label(group, records[0], hostnames))] = records
    return result


# --- selecting ----------------------------------------------------------------------------------------------

def _candidate(user, devices, hostnames):
    row = {k: user.get(k) for k in ('id', 'user_login', 'user_remote_id', 'last_seen')}
    if devices.get(ident(user)):
        row['devices'] = sorted(hostnames.get(a, a) for a in devices[ident(user)])
    return row


def _by_account(records, devices, hostnames):
    accounts = {}
    for user in records:
        accounts.setdefault(account_of(user, devices), []).append(user)
    return [{'account': account_label(members[0], devices, hostnames), 'records': [_candidate(u, devices, hostnames) for u in members]}
            for members in accounts.values()]


def select(users, params, devices, hostnames):
    """(chosen {id: reason}, refusals, not_found): the records the filters choose, and what a typed name cannot decide.

    ids narrow first; then each user_logins / account_names entry must match the records of one account (unless
    match=all_accounts), and takes every record of that account (its SID under another login too); then
    last_seen_before narrows. Without a typed name, ids or last_seen_before alone choose.
    """
    # A selector given as an empty list selects nothing: an empty variable must never widen a removal to everything.
    wanted = None if params.get('ids') is None else [str(i).strip() for i in params['ids']]
    pool = [u for u in users if wanted is None or ident(u) in wanted]
    every = params.get('match') == 'all_accounts'
    by_name = params.get('user_logins') is not None or params.get('account_names') is not None
    typed = [('user_login', v) for v in params.get('user_logins') or []] + [('account_name', v) for v in params.get('account_names') or []]
    reasons, refusals, not_found = {}, [], []
    for option, value in typed:
        key = text_key(value)
        if option == 'user_login':
            found = [u for u in pool if text_key(u.get('user_login')) == key]
        else:
            found = [u for u in pool if u.get('account_name') == key]
        if not found:
            not_found.append({option: value.strip()})
            continue
        accounts = _by_account(found, devices, hostnames)
        if len(accounts) > 1 and not every:
            refusals.append({option: value.strip(), 'organization_id': found[0]['organization_id'], 'accounts': accounts})
            continue
        suffix = ' (match=all_accounts)' if len(accounts) > 1 else ''
        for user in found:
            reasons.setdefault(ident(user), ('login %s' % (user.get('user_login') or '').strip() if option == 'user_login'
                                             else 'account name %s' % key) + suffix)
        # The account's records under another login (renamed, or reported otherwise) go with it: one SID, one account.
        sids = {sid_of(u) for u in found} - {None}
        for user in pool:
            if sid_of(user) in sids:
                reasons.setdefault(ident(user), 'same SID %s as %s %s' % (sid_of(user), option.replace('_', ' '), value.strip()))
    if not by_name:
        reasons = {ident(u): 'id %s' % ident(u) if wanted is not None else None for u in pool}
    not_found += [{'id': i} for i in wanted or [] if i not in {ident(u) for u in users}]
    before = parse_time(params.get('last_seen_before'))
    chosen = {}
    for user in users:
        if ident(user) not in reasons:
            continue
        seen = parse_time(user.get('last_seen'))
        if before is not None and seen is not None and seen >= before:
            continue
        stale = 'last seen %s, before %s' % (user.get('last_seen'), params.get('last_seen_before')) if before is not None else None
        chosen[ident(user)] = '; '.join(r for r in (reasons[ident(user)], stale) if r)
    return chosen, refusals, not_found


def refusal_message(refusals):
    parts = []
    for refusal in refusals:
        option = 'user_logins' if 'user_login' in refusal else 'account_names'
        typed = refusal.get('user_login', refusal.get('account_name'))
        accounts = '; '.join('[%s] %s' % (a['account'], ', '.join(
            'id %s %s last seen %s' % (r['id'], (r.get('user_login') or '').strip(), r.get('last_seen')) for r in a['records']))
            for a in refusal['accounts'])
        parts.append("%s entry '%s' matches %d different accounts in organisation %s: %s."
                     % (option, typed, len(refusal['accounts']), refusal['organization_id'], accounts))
    return ' '.join(parts + [REFUSAL_ADVICE])


# --- planning, checking, reporting --------------------------------------------------------------------------

def plan_removal(users, params, devices, hostnames):
    """What the task will remove and why, decided from the records alone (the same in check mode and for real)."""
    chosen, refusals, not_found = select(users, params, devices, hostnames)
    plan = {'targets': [], 'kept': [], 'refusals': refusals, 'not_found': not_found}
    if params['state'] == 'deduplicated':
        scoped = any(params.get(k) is not None for k in ('ids', 'user_logins', 'account_names', 'last_seen_before'))
        plan['refusals'] = []  # selectors only narrow what may go; every account keeps its newest record
        for group, records in duplicate_groups(users, params['duplicate_key'], devices):
            kept = records[0]
            going = [r for r in records[1:] if not scoped or ident(r) in chosen]
            if going:
                plan['kept'].append(summary(kept))
            for user in going:
                plan['targets'].append(dict(summary(user), reason=duplicate_reason(group, kept, hostnames), duplicate_of=ident(kept)))
        order = [ident(u) for u in users]
        plan['targets'].sort(key=lambda row: order.index(ident(row)))
    else:
        plan['targets'] = [dict(summary(u), reason=chosen[ident(u)]) for u in users if ident(u) in chosen]
    return plan


def plan_problems(plan, users, params, devices):
    """Why the plan must not run, judged on the state after it; [] when it may."""
    problems = [refusal_message(plan['refusals'])] if plan['refusals'] else []
    going = {ident(row) for row in plan['targets']}
    unknown = going - {ident(u) for u in users}
    if unknown:
        problems.append('The plan names Users that were not listed: %s.' % ', '.join(sorted(unknown)))
    if params['state'] == 'deduplicated':
        for group, records in duplicate_groups(users, params['duplicate_key'], devices):
            if ident(records[0]) in going:
                problems.append('Deduplicating would remove %s, the newest record of its group.' % ident(records[0]))
        if params['duplicate_key'] == 'identity':
            before = {account_of(u, devices) for u in users}
            after = {account_of(u, devices) for u in users if ident(u) not in going}
            if before - after:
                problems.append('Deduplicating would remove every record of an account.')
    return problems


def report(plan, users):
    """The result and the diff of a plan: what goes, why, and what stays."""
    going = [ident(row) for row in plan['targets']]
    result = {'removed': plan['targets'], 'removed_ids': going, 'kept': plan['kept'], 'not_found': plan['not_found']}
    diff = {'before': {'users': [summary(u) for u in users]},
            'after': {'users': [summary(u) for u in users if ident(u) not in going],
                      'removed': [{k: row[k] for k in ('id', 'user_login', 'user_remote_id', 'reason', 'duplicate_of') if k in row}
                                  for row in plan['targets']]}}
    return result, diff


def verify_removed(client, org_ids, ids):
    """Re-read the Users: raise if any removed one is still listed."""
    left = {ident(u) for u in read_users(client, org_ids)} & set(ids)
    if left:
        raise DNSFilterError('DNSFilter reported the delete done, but these Users are still there: %s'
                             % ', '.join(i for i in ids if i in left))

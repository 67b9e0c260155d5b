#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: api_key
short_description: Revoke or delete your own DNSFilter API keys, and prove whose keys are dead
version_added: 0.1.0
description:
  - "DNSFilter API keys belong to the user who created them: only that user can list, revoke or delete them; Owners
    and administrators cannot. So O(state=revoked) and O(state=absent) act on the keys of the user who owns O(api_key).
    For a departing technician, run it with one of the technician's keys (or have the technician run it) before
    their dashboard seat is removed with M(msp.dnsfilter.org_user)."
  - V(revoked) revokes the keys (the key stays listed with status C(revoked), an auditable record); V(absent) deletes them.
    The key the task itself authenticates with may be among them; it is revoked or deleted last, after the owner's list
    is read again, and then the module checks that it fails (HTTP 401).
  - "A dead token proves nothing by itself: not whose key it was, nor that it was its owner's last one. So the proof is
    built from observations: V(observed) tries each O(token) (read-only) and records whether it authenticates, as which
    user, which of that user's keys it is, and, while it is alive, the owner's complete key list. V(verified_dead) tries
    the tokens again and, with the O(observations) of that earlier run, proves dead the keys whose token was seen alive
    as the owner and then fails, or that the owner's own list shows revoked or gone."
  - A token is named in observations by a fingerprint (the first 16 hex digits of its SHA-256), never by the token,
    so observations can be written to an evidence bundle and read back by a resumed run.
  - Every result carries RV(api_keys_proof), which M(msp.dnsfilter.org_user) accepts in its
    O(msp.dnsfilter.org_user#module:api_keys_checked_by) option only when its owner is the user being removed, its key
    list is complete, and every key is proved dead or attested.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  state:
    description:
      - V(revoked) revokes the selected keys of the O(api_key) owner; V(absent) deletes them.
      - V(observed) tries each O(token) and records what it saw; it changes nothing.
      - V(verified_dead) tries each O(token) again and proves which keys of their owner are dead; it changes nothing.
      - Required (it used to default to V(revoked), so that a task without it revoked keys).
    type: str
    choices: [revoked, absent, observed, verified_dead]
    required: true
  name:
    description:
      - Select keys by name (compared without regard to case or surrounding spaces).
      - A name that matches more than one key still to be changed fails the task; give O(last_four) instead.
    type: list
    elements: str
  last_four:
    description:
      - Select keys by the last four characters of their token, as the dashboard shows them.
      - Four characters that match more than one key still to be changed fail the task; give O(id) instead.
    type: list
    elements: str
  id:
    description:
      - Select keys by id (see M(msp.dnsfilter.api_key_info)).
    type: list
    elements: int
  all:
    description:
      - Select every key of the user, including the one the task authenticates with. This is the departing
        technician's case, and the only selection after which RV(api_keys_proof) can prove every key dead.
    type: bool
    default: false
  token:
    description:
      - For O(state=observed) and O(state=verified_dead), the tokens to try. Each is sent only in the C(Authorization)
        header of its own requests (C(GET /v1/current_user) and, while it is alive, C(GET /v1/api_keys)) and never
        appears in the result, the diff or an error message; only its last four and its fingerprint do.
      - O(api_key) is still needed by the module's options but is not used for these states.
    type: list
    elements: str
  user_id:
    description:
      - The user whose keys are meant (see M(msp.dnsfilter.org_user_info)).
      - For O(state=observed) and O(state=verified_dead), a token that authenticates as another user fails the task,
        and the proof is about this user. Without it, the proof is about the one user the tokens were seen
        authenticate as.
      - For O(state=revoked) and O(state=absent), the task fails before any change unless O(api_key) belongs to this
        user.
    type: int
  observations:
    description:
      - For O(state=observed) and O(state=verified_dead), what earlier runs of this module saw, in any of these forms
        (nested lists are read too) - a registered result of this module (any O(state)), its RV(observations) list,
        or that list read back from an evidence file.
      - A key is proved dead only by what was seen of it alive first. Pass the result of O(state=observed) taken
        before the keys were revoked, and the result of O(state=revoked).
    type: raw
  inventory:
    description:
      - For O(state=verified_dead), the owner's keys as the MSP recorded them, for when no token of the owner was seen
        authenticate (so their own list could not be read). Each key not proved dead is V(unknown), or V(attested)
        with O(attestation).
    type: list
    elements: dict
    suboptions:
      id:
        description: The key's id.
        type: str
      name:
        description: The key's name.
        type: str
      last_four:
        description: The last four characters of the key's token.
        type: str
  attestation:
    description:
      - "For O(state=verified_dead), who confirmed that the keys this run cannot prove dead are revoked (for example
        C(ticket 1234: Bob revoked his keys in the dashboard, confirmed by Grace)). It turns V(unknown) keys into
        V(attested), never V(alive) ones."
    type: str
  fail_if_alive:
    description:
      - For O(state=verified_dead), fail the task if any O(token) still authenticates.
    type: bool
    default: true
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.api_key_info
  - module: msp.dnsfilter.org_user
notes:
  - Whether the real API lists revoked keys and accepts revoking an expired key is not documented; a key selected by
    name, last four or id that is not listed is reported in RV(not_found) with a warning, not treated as an error.
  - "An expired key that was never revoked is still counted as alive: whether it is expired is the API's word against a
    clock, revoked is final. O(all=true) revokes or deletes it too."
  - Observation times come from the controller's clock; they order what was seen, and a key is proved dead only by an
    observation later than the last one that saw it alive.
'''

EXAMPLES = r'''
- name: Observe the tokens the MSP holds for the departing technician, before anything is revoked
  msp.dnsfilter.api_key:
    state: observed
    user_id: 610004
    token: "{{ vault_bob_tokens }}"
  register: bob_seen

- name: The technician's keys are all revoked, with one of their live tokens (the key in use goes last)
  msp.dnsfilter.api_key:
    api_key: "{{ vault_bob_tokens[0] }}"
    state: revoked
    all: true
    user_id: 610004
  register: bob_revoked

- name: Prove them dead with what was seen of them alive
  msp.dnsfilter.api_key:
    state: verified_dead
    user_id: 610004
    token: "{{ vault_bob_tokens }}"
    observations: ["{{ bob_seen }}", "{{ bob_revoked }}"]
    fail_if_alive: false
  register: bob_proof

- name: Remove the technician's seats, with the proof
  msp.dnsfilter.org_user:
    user_id: [610004]
    all_organizations: true
    api_keys_checked_by: "{{ bob_proof }}"

- name: Delete two named keys of the automation user
  msp.dnsfilter.api_key:
    state: absent
    name:
      - old PSA sync
      - test key
'''

RETURN = r'''
api_keys:
  description:
    - For V(revoked) and V(absent), the selected keys after the change (predicted in check mode); a deleted key is
      listed with C(status=deleted). No token is ever returned.
  returned: when O(state) is V(revoked) or V(absent)
  type: list
  elements: dict
  sample:
    - id: "1618"
      name: PSA sync
      last_four: R9Nc
      status: revoked
      expiry: "2027-04-24T01:59:59.999-04:00"
      expired: false
      usable: false
owner:
  description: The user who owns the keys (for V(revoked) and V(absent), the owner of O(api_key)).
  returned: always
  type: dict
  sample:
    id: "5000042"
    email: bob@northwind.example
not_found:
  description: The names, last fours and ids given that matched no key.
  returned: when O(state) is V(revoked) or V(absent)
  type: list
  elements: str
  sample: [old PSA sync]
active_keys_remaining:
  description:
    - How many keys of the owner are still active (not revoked or deleted) after the change (predicted in check mode).
  returned: when O(state) is V(revoked) or V(absent)
  type: int
  sample: 0
checks:
  description: For V(observed) and V(verified_dead), one entry per O(token), in order.
  returned: when O(state) is V(observed) or V(verified_dead)
  type: list
  elements: dict
  contains:
    index:
      description: The position of the token in O(token), from 0.
      type: int
    last_four:
      description: The last four characters of the token.
      type: str
    fingerprint:
      description: The token's fingerprint (C(sha256:) and 16 hex digits).
      type: str
    alive:
      description: Whether the token authenticates now.
      type: bool
    status:
      description: The HTTP status of the check (401 for a dead key).
      type: int
    user:
      description: The user the token acts as (id, email, name), when it is alive.
      type: dict
    key_id:
      description: The id of the owner's key the token is (by its last four in their own list), when alive.
      type: str
  sample:
    - index: 0
      last_four: "0001"
      fingerprint: "sha256:5d41402abc4b2a76"
      alive: true
      status: 200
      user: {id: "610004", email: bob.tanaka@northwind-msp.example, name: Bob Tanaka}
      key_id: "5004"
observations:
  description:
    - What this run saw (for V(observed) and V(verified_dead), with the O(observations) given, merged, oldest first),
      for the evidence bundle and a later O(observations). No token is in it.
    - Each entry has C(kind) (V(token_check), V(key_list) or V(key_change)) and C(at) (UTC); a V(token_check) has
      C(fingerprint), C(last_four), C(alive), C(status), C(user) and C(key_id); a V(key_list) the C(owner) and their
      C(keys); a V(key_change) the C(key_id) and C(action).
  returned: always
  type: list
  elements: dict
  sample:
    - kind: token_check
      at: "2026-07-20T14:00:01.000123Z"
      fingerprint: "sha256:5d41402abc4b2a76"
      last_four: "0001"
      alive: true
      status: 200
      user: {id: "610004", email: bob.tanaka@northwind-msp.example}
      key_id: "5004"
      key_candidates: []
api_keys_dead:
  description: Same as RV(api_keys_proof.dead).
  returned: always
  type: bool
  sample: true
api_keys_proof:
  description:
    - What this run proves about the keys of one owner, for O(msp.dnsfilter.org_user#module:api_keys_checked_by).
  returned: always
  type: dict
  contains:
    owner:
      description: The keys' owner (id, email); C(id) is V(null) when no token was seen authenticate and no O(user_id) was given.
      type: dict
    owner_seen:
      description: Whether a token was seen authenticate as the owner (by this run or in O(observations)).
      type: bool
    keys:
      description:
        - Every key of the owner, with C(id), C(name), C(last_four), C(verdict) and C(how) (the observation behind it).
        - C(verdict) is V(proved_dead), V(attested), V(unknown) (seen alive earlier, nothing since shows it dead) or
          V(alive) (this run saw it alive).
      type: list
      elements: dict
    tokens:
      description:
        - Every token observed, by C(fingerprint) and C(last_four), with C(verdict) V(proved_dead), V(alive) (this run
          saw it authenticate), V(unknown) (an earlier run did, and it was not tried since), V(proves_nothing) (dead when
          first seen - revoked, expired or never existed) or V(not_the_owner), and C(how).
      type: list
      elements: dict
    complete:
      description: Whether RV(api_keys_proof.keys) is every key of the owner (their own list was read, or O(inventory) was given).
      type: bool
    complete_how:
      description: Where the key list comes from.
      type: str
    attestation:
      description: The O(attestation), if any.
      type: str
    dead:
      description: Whether the proof holds - owner known, complete, every key proved dead or attested, and the owner seen or an attestation given.
      type: bool
    counts:
      description: How many keys have each verdict.
      type: dict
    state:
      description: The O(state) that produced the proof.
      type: str
    checked:
      description: How many keys the proof covers.
      type: int
    simulated:
      description: Whether the proof is a check-mode prediction.
      type: bool
    summary:
      description: One line for the evidence trail and the report.
      type: str
  sample:
    state: verified_dead
    owner: {id: "610004", email: bob.tanaka@northwind-msp.example}
    owner_seen: true
    keys:
      - id: "5004"
        name: Bob PSA sync
        last_four: "0001"
        verdict: proved_dead
        how: its token ...0001 authenticated as bob.tanaka@northwind-msp.example (user 610004) at ..., then failed with HTTP 401 at ...
    tokens:
      - {fingerprint: "sha256:5d41402abc4b2a76", last_four: "0001", verdict: proved_dead, how: "key 5004: seen authenticate, then fail"}
    complete: true
    complete_how: the owner's own key list, read 1 time(s) with their live token
    attestation: null
    dead: true
    counts: {proved_dead: 1, attested: 0, unknown: 0, alive: 0}
    checked: 1
    simulated: false
    summary: "1 of 1 keys of bob.tanaka@northwind-msp.example (user 610004) proved dead: 5004 'Bob PSA sync' (last four 0001)"
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterClient, DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import (
    current_user, list_api_keys, user_summary, write_failed)
from ansible_collections.msp.dnsfilter.plugins.module_utils import _keyproof as kp

TOKEN_STATES = ('observed', 'verified_dead')


def _brief(key):
    return '%s (last four %s, id %s, %s)' % (key.get('name'), key.get('last_four'), key.get('id'), key.get('status'))


def select_keys(mod, keys):
    """(selected, not_found, problems): the keys the options name."""
    params = mod.params
    state = params['state']

    def needs_change(key):
        return state == 'absent' or key.get('status') != 'revoked'

    if params['all']:
        return list(keys), [], []
    selected, not_found, problems = [], [], []
    selectors = [('name', n, lambda k, v: (k.get('name') or '').strip().casefold() == v.strip().casefold(), 'last_four')
                 for n in params['name'] or []]
    selectors += [('last_four', f, lambda k, v: k.get('last_four') == v.strip(), 'id') for f in params['last_four'] or []]
    selectors += [('id', i, lambda k, v: str(k.get('id')) == str(v), None) for i in params['id'] or []]
    for option, value, match, better in selectors:
        found = [k for k in keys if match(k, value)]
        if not found:
            not_found.append(str(value))
            continue
        pending = [k for k in found if needs_change(k)]
        if len(pending) > 1:
            problems.append('%s %r matches %d keys: %s; select one by %s' % (
                option, value, len(pending), ', '.join(_brief(k) for k in pending), better))
            continue
        for key in pending or found:
            if not any(k['id'] == key['id'] for k in selected):
                selected.append(key)
    return selected, not_found, problems


def _change(mod, key, clock, owner, events, done):
    """Revoke or delete one key (a no-op for a revoked key under state=revoked); returns the key after."""
    params = mod.params
    new = dict(key)
    action = None
    path = '/v1/api_keys/%s' % key['id']
    journal = dict(subjects=[subject('api_key', key['id'], key.get('name')), subject('dashboard_user', owner.get('id'), owner.get('email'))],
                   why='a key of %s (user %s), the user api_key authenticates as: only its owner can change it'
                   % (owner.get('email'), owner.get('id')))
    try:
        if params['state'] == 'absent':
            mod.write('DELETE', path, missing_ok=True, action='delete API key', verify=gone(path), **journal)
            new.update(status='deleted', usable=False)
            action = 'deleted'
        elif key.get('status') != 'revoked':
            # 422: DNSFilter answers that the key is revoked already (a revoke sent again after a lost answer).
            mod.write('POST', path + '/revoke', action='revoke API key', verify={'path': path, 'field': 'status', 'in': ['revoked']},
                      already=(422,), **journal)
            new.update(status='revoked', usable=False)
            action = 'revoked'
    except DNSFilterError as exc:
        write_failed(mod, exc, done)
        mod.fail('%s Keys changed before it: %s.' % (exc.message, ', '.join(_brief(k) for k in done) or 'none'),
                 status=exc.status, api_keys=done, owner=owner, observations=events)
    if action:
        events.append(kp.key_change(params['api_key'], clock.now(), owner, key, action, simulated=mod.check_mode))
        done.append(new)
    return new


def manage(mod, clock):
    params = mod.params
    state = params['state']
    if not (params['all'] or params['name'] or params['last_four'] or params['id']):
        mod.fail('state=%s needs the keys to act on: name, last_four, id or all=true.' % state)
    if params['all'] and (params['name'] or params['last_four'] or params['id']):
        mod.fail('all=true selects every key; it is mutually exclusive with name, last_four and id.')
    for option in ('token', 'observations', 'inventory', 'attestation'):
        if params[option]:
            mod.fail('%s is for state=observed or state=verified_dead; state=%s acts on the keys of the api_key owner.'
                     % (option, state))
    start = clock.now()
    in_use = params['api_key']
    try:
        owner = current_user(mod.client)
    except DNSFilterError as exc:
        if exc.status == 401:
            mod.fail('api_key no longer authenticates (HTTP 401): it is revoked, expired, deleted or never existed, so '
                     'it cannot list or change keys, and nothing was changed. To prove its owner\'s keys dead, use '
                     'state=verified_dead with the observations of an earlier run that saw it alive.', status=401)
        raise
    if params['user_id'] is not None and owner.get('id') != str(params['user_id']):
        mod.fail('api_key authenticates as %s (user %s), not as user %s: no key was changed.'
                 % (owner.get('email'), owner.get('id'), params['user_id']), owner=owner)
    keys = list_api_keys(mod.client)
    events = [kp.token_check(in_use, clock.now(), True, 200, owner, keys), kp.key_list(in_use, clock.now(), owner, keys)]
    selected, not_found, problems = select_keys(mod, keys)
    if problems:
        mod.fail('No key was changed: %s.' % '; '.join(problems))
    for value in not_found:
        mod.warnings.append('No API key of %s matches %r; nothing to do for it.' % (owner.get('email'), value))

    dummy, in_use_ids = kp.match_key(in_use, keys)
    # The key this task authenticates with goes last: after it is revoked or deleted no call would succeed.
    others = [k for k in selected if k['id'] not in in_use_ids]
    last = [k for k in selected if k['id'] in in_use_ids]
    before = [dict(k) for k in others + last]
    after = []
    done = []
    for key in others:
        after.append(_change(mod, key, clock, owner, events, done))
    if last and done and not mod.check_mode:
        # Read the owner's list once more while the key in use still works: it shows the others revoked or gone,
        # and any key created meanwhile (which all=true then changes too).
        relisted = list_api_keys(mod.client)
        events.append(kp.key_list(in_use, clock.now(), owner, relisted))
        if params['all']:
            known = set(k['id'] for k in keys)
            for key in [k for k in relisted if k['id'] not in known and k['id'] not in in_use_ids]:
                mod.warnings.append('Key %s appeared while the keys were being changed; it is changed too.' % _brief(key))
                before.append(dict(key))
                keys.append(key)
                after.append(_change(mod, key, clock, owner, events, done))
    for key in last:
        after.append(_change(mod, key, clock, owner, events, done))
    if any(k['id'] in in_use_ids for k in done) and not mod.check_mode:
        # The proof that the key in use is dead: it no longer authenticates.
        try:
            still = current_user(mod.client)
            events.append(kp.token_check(in_use, clock.now(), True, 200, still))
            mod.warnings.append('The key this task used still authenticates after it was %s.' % done[-1]['status'])
        except DNSFilterError as exc:
            if exc.status != 401:
                raise
            events.append(kp.token_check(in_use, clock.now(), False, 401))

    changed_ids = set(k['id'] for k in done)
    # An expired key still counts: whether it is expired is the API's word against a clock, revoked is final.
    remaining = [k for k in keys if k['id'] not in changed_ids and k.get('status', 'active') == 'active']
    proof, dummy = kp.build_proof(events, state, owner_id=owner.get('id'), since=start,
                                  simulated=bool(mod.check_mode and mod.changed))
    mod.exit(api_keys=after, owner=proof['owner'], not_found=not_found, active_keys_remaining=len(remaining),
             api_keys_dead=proof['dead'], api_keys_proof=proof, observations=events,
             diff={'before': {'api_keys': before}, 'after': {'api_keys': after}})


def check_tokens(mod, tokens, clock):
    """Try each token with its own session: (events, checks). A live token's owner's key list is read with it."""
    params = mod.params
    events, checks = [], []
    for index, token in enumerate(tokens):
        token = (token or '').strip()
        if not token:
            mod.fail('token[%d] is empty.' % index)
        client = DNSFilterClient(api_key=token, api_url=params.get('api_url'), validate_certs=params['validate_certs'],
                                 ca_path=params.get('ca_path'), request_timeout=params['request_timeout'],
                                 api_deadline=params['api_deadline'])
        user, keys = None, None
        try:
            try:
                answer = client.request('GET', '/v1/current_user')
                body = answer.data if isinstance(answer.data, dict) else {}
                user = user_summary(body.get('data') if 'data' in body else body)
                alive, status = True, answer.status
            except DNSFilterError as exc:
                if exc.status == 401:
                    alive, status = False, 401
                elif exc.status == 403:
                    # Authenticated but not allowed: the key works, as a user the API does not name.
                    alive, status = True, 403
                else:
                    raise
            if alive and user and user.get('id') is not None:
                keys = list_api_keys(client)
        except DNSFilterError as exc:
            mod.client.calls += client.calls
            mod.fail('Could not tell whether token[%d] (last four %s) is dead: %s' % (index, token[-4:], exc.message),
                     status=exc.status, checks=checks, observations=events)
        mod.client.calls += client.calls
        event = kp.token_check(token, clock.now(), alive, status, user, keys)
        events.append(event)
        if keys is not None:
            events.append(kp.key_list(token, clock.now(), user, keys))
        checks.append({'index': index, 'last_four': token[-4:], 'fingerprint': event['fingerprint'], 'alive': alive,
                       'status': status, 'user': user if alive and user and user.get('id') is not None else None,
                       'key_id': event['key_id']})
    return events, checks


def _describe(check):
    user = check['user']
    return 'token[%d] (last four %s%s)' % (check['index'], check['last_four'], ', acts as %s' % user['email'] if user else '')


def by_token(mod, clock):
    params = mod.params
    state = params['state']
    tokens = params['token'] or []
    earlier = kp.events_from(params['observations'])
    if not tokens and not (state == 'verified_dead' and earlier):
        mod.fail('state=%s needs token: the key(s) to check%s.' % (
            state, ' (or observations that hold what was seen of them)' if state == 'verified_dead' else ''))
    if params['all']:
        mod.fail('all=true is for state=revoked or state=absent; state=%s checks the tokens given.' % state)
    if state == 'observed' and (params['inventory'] or params['attestation']):
        mod.fail('inventory and attestation are for state=verified_dead.')
    start = clock.now()
    events, checks = check_tokens(mod, tokens, clock)
    merged = kp.merge(earlier, events)
    proof, problems = kp.build_proof(merged, state, owner_id=params['user_id'], since=start,
                                     inventory=params['inventory'], attestation=params['attestation'])
    result = dict(checks=checks, observations=merged, owner=proof['owner'], api_keys_dead=proof['dead'],
                  api_keys_proof=proof)
    if problems and (state == 'verified_dead' or params['user_id'] is not None):
        mod.fail('Refusing this proof (nothing was changed): %s.' % '; '.join(problems), **result)
    alive = [c for c in checks if c['alive']]
    if state == 'verified_dead' and alive and params['fail_if_alive']:
        mod.fail('A key that should be dead still works: %s. Ask its owner to revoke it (msp.dnsfilter.api_key '
                 'state=revoked all=true, run with their key), or DNSFilter support if the owner has gone. %s'
                 % (', '.join(_describe(c) for c in alive), proof['summary']), **result)
    mod.exit(**result)


def main_logic(mod):
    clock = kp.Clock()
    if mod.params['state'] in TOKEN_STATES:
        by_token(mod, clock)
    else:
        manage(mod, clock)


def main():
    mod = DNSFilterModule(
        argument_spec=dict(
            state=dict(type='str', choices=['revoked', 'absent', 'observed', 'verified_dead'], required=True),
            name=dict(type='list', elements='str'),
            last_four=dict(type='list', elements='str', no_log=False),
            id=dict(type='list', elements='int'),
            all=dict(type='bool', default=False),
            token=dict(type='list', elements='str', no_log=True),
            user_id=dict(type='int'),
            observations=dict(type='raw'),
            inventory=dict(type='list', elements='dict', options=dict(
                id=dict(type='str'), name=dict(type='str'), last_four=dict(type='str', no_log=False))),
            attestation=dict(type='str'),
            fail_if_alive=dict(type='bool', default=True),
        ),
        # all (default false) cannot be in mutually_exclusive: an explicit all=false would count; manage() checks it.
        mutually_exclusive=[('token', 'name'), ('token', 'last_four'), ('token', 'id')],
    )
    mod.run(main_logic)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: api_key
short_description: Revoke or delete your own DNSFilter API keys, or prove that a key is dead
version_added: 0.1.0
description:
  - "DNSFilter API keys belong to the user who created them: only that user can revoke or delete them; Owners and
    administrators cannot. So O(state=revoked) and O(state=absent) act on the keys of the user who owns O(api_key).
    For a departing technician, run it with one of the technician's keys (or have the technician run it) before
    their dashboard seat is removed with M(msp.dnsfilter.org_user)."
  - V(revoked) revokes the keys (the key stays listed with status C(revoked), an auditable record); V(absent) deletes them.
  - The key the task itself authenticates with may be among them; it is revoked or deleted last.
  - V(verified_dead) checks tokens the MSP holds (for example a departing technician's integration key) by
    calling the API with each of them; HTTP 401 means the key is dead. It changes nothing.
  - Every result carries RV(api_keys_proof), which M(msp.dnsfilter.org_user) accepts in its O(msp.dnsfilter.org_user#module:api_keys_checked_by) option.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  state:
    description:
      - V(revoked) revokes the selected keys; V(absent) deletes them.
      - V(verified_dead) reports whether each O(token) still authenticates.
    type: str
    choices: [revoked, absent, verified_dead]
    default: revoked
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
        technician's case, and the only selection after which RV(api_keys_proof) can say that no active key is left.
    type: bool
    default: false
  token:
    description:
      - For O(state=verified_dead), the tokens to check. They are sent only in the C(Authorization) header of one
        C(GET /v1/current_user) each, and never appear in the result, the diff or an error message.
      - O(api_key) is still needed by the module's options but is not used for this check.
    type: list
    elements: str
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
'''

EXAMPLES = r'''
- name: The departing technician revokes every key they own (run with one of their keys)
  msp.dnsfilter.api_key:
    api_key: "{{ bob_api_key }}"
    state: revoked
    all: true
  register: bob_keys

- name: Delete two named keys of the automation user
  msp.dnsfilter.api_key:
    state: absent
    name:
      - old PSA sync
      - test key

- name: Prove that the integration key the technician created no longer works
  msp.dnsfilter.api_key:
    state: verified_dead
    token:
      - "{{ vault_bob_psa_integration_key }}"
  register: bob_integration_key

- name: Remove the technician's seat, with the proof
  msp.dnsfilter.org_user:
    email: bob@northwind.example
    all_organizations: true
    api_keys_checked_by:
      - "{{ bob_keys }}"
      - "{{ bob_integration_key }}"
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
  description: The user who owns the keys (the owner of O(api_key)).
  returned: when O(state) is V(revoked) or V(absent)
  type: dict
  sample:
    id: "5000042"
    email: bob@northwind.example
    name: Bob Jones
not_found:
  description: The names, last fours and ids given that matched no key.
  returned: when O(state) is V(revoked) or V(absent)
  type: list
  elements: str
  sample: [old PSA sync]
active_keys_remaining:
  description:
    - How many keys of the owner are still active (not revoked or deleted) after the change (predicted in check mode).
    - An expired key that was never revoked counts; O(all=true) revokes or deletes it too.
  returned: when O(state) is V(revoked) or V(absent)
  type: int
  sample: 0
checks:
  description: For V(verified_dead), one entry per O(token), in order.
  returned: when O(state=verified_dead)
  type: list
  elements: dict
  contains:
    index:
      description: The position of the token in O(token), from 0.
      type: int
    last_four:
      description: The last four characters of the token.
      type: str
    alive:
      description: Whether the token still authenticates.
      type: bool
    status:
      description: The HTTP status of the check (401 for a dead key).
      type: int
    user:
      description: The user the token acts as (id, email, name), when it is alive.
      type: dict
  sample:
    - index: 0
      last_four: Lhz4
      alive: false
      status: 401
      user: null
api_keys_dead:
  description: Same as RV(api_keys_proof.dead).
  returned: always
  type: bool
  sample: true
api_keys_proof:
  description:
    - What this run proves about the keys, for O(msp.dnsfilter.org_user#module:api_keys_checked_by).
    - For V(revoked) and V(absent), C(dead) is V(true) when the owner has no active (unrevoked, undeleted) key left;
      for V(verified_dead), when no token authenticates.
    - C(simulated) is V(true) when check mode predicted a change that was not made.
  returned: always
  type: dict
  contains:
    dead:
      description: Whether the keys are dead.
      type: bool
    state:
      description: The O(state) that produced the proof.
      type: str
    owner:
      description: The keys' owner (id, email), or V(null) for V(verified_dead).
      type: dict
    checked:
      description: How many keys were looked at.
      type: int
    simulated:
      description: Whether the proof is a check-mode prediction.
      type: bool
    summary:
      description: One line for the evidence trail.
      type: str
  sample:
    dead: true
    state: revoked
    owner: {id: "5000042", email: bob@northwind.example}
    checked: 2
    simulated: false
    summary: bob@northwind.example has no active API key left (2 keys checked)
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterClient, DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import (
    current_user, list_api_keys, user_summary, write_failed)


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


def manage(mod):
    params = mod.params
    state = params['state']
    if not (params['all'] or params['name'] or params['last_four'] or params['id']):
        mod.fail('state=%s needs the keys to act on: name, last_four, id or all=true.' % state)
    if params['all'] and (params['name'] or params['last_four'] or params['id']):
        mod.fail('all=true selects every key; it is mutually exclusive with name, last_four and id.')
    if params['token']:
        mod.fail('token is for state=verified_dead; state=%s acts on the keys of the api_key owner.' % state)
    owner = current_user(mod.client)
    keys = list_api_keys(mod.client)
    selected, not_found, problems = select_keys(mod, keys)
    if problems:
        mod.fail('No key was changed: %s.' % '; '.join(problems))
    for value in not_found:
        mod.warnings.append('No API key of %s matches %r; nothing to do for it.' % (owner.get('email'), value))

    in_use = params['api_key'][-4:]
    # The key this task authenticates with goes last: after it is revoked or deleted no call would succeed.
    selected.sort(key=lambda k: k.get('last_four') == in_use)
    before = [dict(k) for k in selected]
    after = []
    done = []
    for key in selected:
        new = dict(key)
        try:
            if state == 'absent':
                mod.write('DELETE', '/v1/api_keys/%s' % key['id'], missing_ok=True)
                new.update(status='deleted', usable=False)
            elif key.get('status') != 'revoked':
                mod.write('POST', '/v1/api_keys/%s/revoke' % key['id'])
                new.update(status='revoked', usable=False)
        except DNSFilterError as exc:
            write_failed(mod, exc, done)
            mod.fail('%s Keys changed before it: %s.' % (exc.message, ', '.join(_brief(k) for k in done) or 'none'),
                     status=exc.status, api_keys=done, owner=owner)
        if new.get('status') != key.get('status'):
            done.append(new)
        after.append(new)

    changed_ids = set(k['id'] for k in after)
    # An expired key still counts: whether it is expired is the API's word against a clock, revoked is final.
    remaining = [k for k in keys if k['id'] not in changed_ids and k.get('status', 'active') == 'active']
    dead = not remaining
    who = owner.get('email') or 'user %s' % owner.get('id')
    summary = ('%s has no active API key left (%d keys checked)' % (who, len(keys)) if dead else
               '%s still has %d active API key(s): %s' % (who, len(remaining), ', '.join(_brief(k) for k in remaining)))
    proof = {'dead': dead, 'state': state, 'owner': {'id': owner.get('id'), 'email': owner.get('email')},
             'checked': len(keys), 'simulated': bool(mod.check_mode and mod.changed), 'summary': summary}
    mod.exit(api_keys=after, owner=owner, not_found=not_found, active_keys_remaining=len(remaining),
             api_keys_dead=dead, api_keys_proof=proof,
             diff={'before': {'api_keys': before}, 'after': {'api_keys': after}})


def verify(mod):
    params = mod.params
    tokens = params['token'] or []
    if not tokens:
        mod.fail('state=verified_dead needs token: the key(s) to check.')
    if params['all']:
        mod.fail('all=true is for state=revoked or state=absent; state=verified_dead checks the tokens given.')
    checks = []
    for index, token in enumerate(tokens):
        token = (token or '').strip()
        if not token:
            mod.fail('token[%d] is empty.' % index)
        client = None
        try:
            client = DNSFilterClient(api_key=token, api_url=params.get('api_url'), validate_certs=params['validate_certs'],
                                     ca_path=params.get('ca_path'), request_timeout=params['request_timeout'],
                                     api_deadline=params['api_deadline'])
            answer = client.request('GET', '/v1/current_user')
            mod.client.calls += client.calls
            body = answer.data if isinstance(answer.data, dict) else {}
            checks.append({'index': index, 'last_four': token[-4:], 'alive': True, 'status': answer.status,
                           'user': user_summary(body.get('data') if 'data' in body else body)})
        except DNSFilterError as exc:
            mod.client.calls += client.calls if client else 0
            if exc.status == 401:
                checks.append({'index': index, 'last_four': token[-4:], 'alive': False, 'status': 401, 'user': None})
            elif exc.status == 403:
                # Authenticated but not allowed: the key works.
                checks.append({'index': index, 'last_four': token[-4:], 'alive': True, 'status': 403, 'user': None})
            else:
                mod.fail('Could not tell whether token[%d] (last four %s) is dead: %s' % (index, token[-4:], exc.message),
                         status=exc.status, checks=checks)
    alive = [c for c in checks if c['alive']]
    summary = ('none of the %d token(s) authenticates' % len(checks) if not alive else
               '%d of %d token(s) still authenticate: %s' % (len(alive), len(checks), ', '.join(
                   'token[%d] (last four %s%s)' % (c['index'], c['last_four'],
                                                   ', acts as %s' % c['user']['email'] if c['user'] else '')
                   for c in alive)))
    proof = {'dead': not alive, 'state': 'verified_dead', 'owner': None, 'checked': len(checks), 'simulated': False,
             'summary': summary}
    if alive and params['fail_if_alive']:
        mod.fail('A key that should be dead still works: %s. Ask its owner to revoke it (msp.dnsfilter.api_key '
                 'state=revoked, run with their key), or DNSFilter support if the owner has gone.' % summary,
                 checks=checks, api_keys_dead=False, api_keys_proof=proof)
    mod.exit(checks=checks, api_keys_dead=not alive, api_keys_proof=proof)


def main_logic(mod):
    if mod.params['state'] == 'verified_dead':
        verify(mod)
    else:
        manage(mod)


def main():
    mod = DNSFilterModule(
        argument_spec=dict(
            state=dict(type='str', choices=['revoked', 'absent', 'verified_dead'], default='revoked'),
            name=dict(type='list', elements='str'),
            last_four=dict(type='list', elements='str', no_log=False),
            id=dict(type='list', elements='int'),
            all=dict(type='bool', default=False),
            token=dict(type='list', elements='str', no_log=True),
            fail_if_alive=dict(type='bool', default=True),
        ),
        # all (default false) cannot be in mutually_exclusive: an explicit all=false would count; manage() checks it.
        mutually_exclusive=[('token', 'name'), ('token', 'last_four'), ('token', 'id')],
    )
    mod.run(main_logic)


if __name__ == '__main__':
    main()

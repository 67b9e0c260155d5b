# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The key proof: a key is proved dead only by what was seen of it alive, as its owner, and then dead."""

from __future__ import annotations

import datetime
import json

from ansible_collections.msp.dnsfilter.plugins.module_utils import _keyproof as kp

BOB = {'id': '610004', 'email': 'bob.tanaka@northwind-msp.example', 'name': 'Bob Tanaka'}
TWIN = {'id': '610099', 'email': 'BOB.Tanaka@northwind-msp.example', 'name': 'Robert'}
PRIYA = {'id': '610005', 'email': 'priya.shah@northwind-msp.example', 'name': 'Priya Shah'}
T1 = 'sim-tech-bob-key-0000000000000001'
T2 = 'sim-tech-bob-key-0000000000000002'
GONE = 'sim-tech-bob-key-0000000000009999'


def key(ident, name, last_four, status='active', expired=False):
    return {'id': str(ident), 'name': name, 'last_four': last_four, 'status': status, 'expired': expired}


BOB_KEYS = [key(5004, 'Bob PSA sync', '0001'), key(5005, 'Bob laptop scripts', '0002')]


class Times:
    """Observation times in order: T(0) < T(1) < ..."""

    def __init__(self):
        self.clock = kp.Clock(now=lambda: datetime.datetime(2026, 7, 20, 14, 0, tzinfo=datetime.timezone.utc))

    def __call__(self):
        return self.clock.now()


def observe(at, token, user=None, keys=None):
    """What state=observed records for a live token: the check and the owner's list."""
    user = BOB if user is None else user
    keys = BOB_KEYS if keys is None else keys
    return [kp.token_check(token, at(), True, 200, user, keys), kp.key_list(token, at(), user, keys)]


def dead(at, token):
    return kp.token_check(token, at(), False, 401)


def verdicts(proof):
    return dict((k['id'], k['verdict']) for k in proof['keys'])


def test_a_fingerprint_names_a_token_without_being_it():
    fp = kp.fingerprint(T1)
    assert fp.startswith('sha256:') and len(fp) == len('sha256:') + 16
    assert fp == kp.fingerprint(' %s ' % T1) and fp != kp.fingerprint(T2)
    assert T1 not in fp and T1[-8:] not in fp
    check = kp.token_check(T1, '2026-07-20T14:00:00.000000Z', True, 200, BOB, BOB_KEYS)
    assert T1 not in json.dumps(check) and check['key_id'] == '5004' and check['last_four'] == '0001'


def test_tokens_seen_alive_as_the_owner_then_dead_prove_every_key_dead():
    at = Times()
    start = at()
    events = observe(at, T1) + observe(at, T2) + [dead(at, T1), dead(at, T2)]
    proof, problems = kp.build_proof(events, 'verified_dead', owner_id=610004, since=start)
    assert problems == [] and proof['dead'] is True and proof['complete'] is True and proof['owner_seen'] is True
    assert verdicts(proof) == {'5004': 'proved_dead', '5005': 'proved_dead'}
    assert proof['owner'] == {'id': '610004', 'email': BOB['email']}
    assert proof['summary'].startswith('2 of 2 keys of %s (user 610004) proved dead: 5004' % BOB['email'])
    assert 'then failed with HTTP 401' in proof['keys'][0]['how']
    assert [t['verdict'] for t in proof['tokens']] == ['proved_dead', 'proved_dead']
    assert kp.refusals(proof, ['610004'], check_mode=False) == []


def test_a_token_dead_when_first_seen_or_never_existing_proves_nothing():
    at = Times()
    for owner_id in (None, 610004):
        proof, problems = kp.build_proof([dead(at, T1), dead(at, GONE)], 'verified_dead', owner_id=owner_id, since=at())
        assert problems == [] and proof['dead'] is False and proof['keys'] == [] and proof['complete'] is False
        assert proof['owner_seen'] is False
        assert [t['verdict'] for t in proof['tokens']] == ['proves_nothing', 'proves_nothing']
        assert 'proves nothing' in proof['summary'] and 'dead when first seen' in proof['summary']
        refused = kp.refusals(proof, ['610004'], check_mode=False)
        assert refused and any('proves nothing' in r or 'names no owner' in r for r in refused)


def test_dead_before_alive_is_not_a_death():
    at = Times()
    events = [dead(at, T1)] + observe(at, T1)
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=at())
    assert verdicts(proof)['5004'] == 'unknown' and proof['dead'] is False


def test_a_key_without_a_token_is_unknown_unless_attested_and_an_alive_key_is_never_attested():
    at = Times()
    start = at()
    events = observe(at, T1) + [dead(at, T1)]
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=at())
    assert verdicts(proof) == {'5004': 'proved_dead', '5005': 'unknown'} and proof['dead'] is False
    assert 'unknown (neither proved dead nor attested): 5005' in proof['summary']
    assert any('unknown' in r and '5005' in r for r in kp.refusals(proof, ['610004'], False))

    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=at(), attestation='T-1: Grace saw 5005 revoked')
    assert verdicts(proof) == {'5004': 'proved_dead', '5005': 'attested'} and proof['dead'] is True
    assert proof['keys'][1]['how'] == 'attested: T-1: Grace saw 5005 revoked'
    assert '2 of 2 keys of %s (user 610004) proved dead or attested' % BOB['email'] in proof['summary']

    # Seen alive in this run: alive, whatever is attested.
    events = observe(at, T2) + observe(at, T1) + [dead(at, T1)]
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=start, attestation='T-1: all revoked')
    assert verdicts(proof) == {'5004': 'proved_dead', '5005': 'alive'} and proof['dead'] is False
    assert 'ALIVE: 5005' in proof['summary']
    assert any('still alive' in r for r in kp.refusals(proof, ['610004'], False))


def test_keys_seen_alive_by_an_earlier_run_and_not_tried_since_can_be_attested():
    at = Times()
    events = observe(at, T1)
    since = at()
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=since, attestation='T-1: Bob revoked both')
    assert set(verdicts(proof).values()) == {'attested'} and proof['dead'] is True
    assert proof['tokens'][0]['verdict'] == 'unknown' and 'not tried since' in proof['tokens'][0]['how']
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=since)
    assert set(verdicts(proof).values()) == {'unknown'} and proof['dead'] is False


def test_the_owners_own_list_proves_revoked_and_deleted_keys():
    at = Times()
    start = at()
    events = observe(at, T1)
    events.append(kp.key_change(T1, at(), BOB, BOB_KEYS[1], 'revoked'))
    events.append(kp.key_list(T1, at(), BOB, [BOB_KEYS[0], dict(BOB_KEYS[1], status='revoked')]))
    events.append(kp.key_change(T1, at(), BOB, BOB_KEYS[0], 'revoked'))
    events.append(dead(at, T1))
    proof, dummy = kp.build_proof(events, 'revoked', owner_id='610004', since=start)
    assert verdicts(proof) == {'5004': 'proved_dead', '5005': 'proved_dead'} and proof['dead'] is True
    assert 'failed with HTTP 401' in proof['keys'][0]['how'] and 'revoked' in proof['keys'][1]['how']

    events = observe(at, T1) + [kp.key_list(T1, at(), BOB, BOB_KEYS[:1])]
    proof, dummy = kp.build_proof(events, 'absent', owner_id='610004', since=start)
    assert proof['keys'][1]['verdict'] == 'proved_dead' and 'no longer in' in proof['keys'][1]['how']


def test_a_live_token_of_someone_else_is_a_problem_and_two_owners_need_a_user_id():
    at = Times()
    events = observe(at, T1) + observe(at, 'sim-tech-priya-key-0000000000000001', PRIYA, [key(5006, 'Priya reporting', '0001')])
    proof, problems = kp.build_proof(events, 'observed', owner_id=610004, since=at())
    assert len(problems) == 1 and 'priya.shah@northwind-msp.example (user 610005), not as user 610004' in problems[0]
    assert '5006' not in verdicts(proof) and proof['tokens'][1]['verdict'] == 'not_the_owner'
    proof, problems = kp.build_proof(events, 'observed', since=at())
    assert problems and '2 different users' in problems[0] and proof['owner']['id'] is None


def test_the_gate_compares_the_owners_user_id_never_the_email():
    at = Times()
    events = observe(at, T1, TWIN, [key(7001, 'Twin key', '0001')]) + [dead(at, T1)]
    proof, dummy = kp.build_proof(events, 'verified_dead', since=at())
    assert proof['dead'] is True and proof['owner']['id'] == '610099'
    refused = kp.refusals(proof, ['610004'], check_mode=False)
    assert len(refused) == 1 and 'not of the user(s) being removed (user 610004)' in refused[0]
    assert kp.refusals(proof, ['610099'], check_mode=False) == []


def test_a_check_mode_proof_counts_only_in_check_mode():
    at = Times()
    start = at()
    events = observe(at, T1) + [kp.key_change(T1, at(), BOB, k, 'revoked', simulated=True) for k in BOB_KEYS]
    proof, dummy = kp.build_proof(events, 'revoked', owner_id='610004', since=start, simulated=True)
    assert proof['simulated'] is True and proof['dead'] is True and proof['summary'].startswith('check mode: ')
    assert any('check mode' in r for r in kp.refusals(proof, ['610004'], check_mode=False))
    assert kp.refusals(proof, ['610004'], check_mode=True) == []


def test_an_inventory_without_a_live_token_needs_an_attestation():
    at = Times()
    inventory = [{'id': '5004', 'name': 'Bob PSA sync', 'last_four': '0001'}, {'name': 'Bob laptop scripts', 'last_four': '0002'}]
    proof, dummy = kp.build_proof([dead(at, T1)], 'verified_dead', owner_id=610004, since=at(), inventory=inventory)
    assert proof['complete'] is True and set(verdicts(proof).values()) == {'unknown'} and proof['dead'] is False
    assert any('proves nothing' in r for r in kp.refusals(proof, ['610004'], False))
    proof, dummy = kp.build_proof([dead(at, T1)], 'verified_dead', owner_id=610004, since=at(), inventory=inventory,
                                  attestation='T-9: support revoked both')
    assert set(verdicts(proof).values()) == {'attested'} and proof['dead'] is True
    assert kp.refusals(proof, ['610004'], False) == []
    # An inventory key that the owner's list shows is the same key, not a second one.
    events = observe(at, T1) + [dead(at, T1)]
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=at(), inventory=inventory)
    assert sorted(verdicts(proof)) == ['5004', '5005']


def test_a_token_matching_two_keys_by_last_four_proves_neither():
    at = Times()
    twins = [key(1, 'a', 'zz99'), key(2, 'b', 'zz99')]
    token = 'x' * 30 + 'zz99'
    events = observe(at, token, keys=twins) + [dead(at, token)]
    proof, dummy = kp.build_proof(events, 'verified_dead', owner_id=610004, since=at())
    assert set(verdicts(proof).values()) == {'unknown'} and proof['dead'] is False
    assert proof['tokens'][0]['verdict'] == 'proves_nothing' and 'matched 2' in proof['tokens'][0]['how']


def test_observations_are_read_back_from_results_lists_and_files_once_and_in_order():
    at = Times()
    first = observe(at, T1)
    later = [dead(at, T1)]
    result = {'changed': False, 'observations': first, 'api_keys_proof': {}}
    from_file = json.loads(json.dumps(first))
    merged = kp.merge([{'results': [result]}, from_file], later, [{'unrelated': True}, 'text'])
    assert merged == first + later
    assert kp.merge(later + first) == first + later


def test_the_clock_never_repeats_a_time():
    clock = kp.Clock(now=lambda: datetime.datetime(2026, 7, 20, 14, 0, tzinfo=datetime.timezone.utc))
    times = [clock.now() for dummy in range(3)]
    assert times == sorted(times) and len(set(times)) == 3 and times[0] == '2026-07-20T14:00:00.000000Z'


def test_something_that_is_not_a_proof_is_refused():
    assert kp.refusals({'dead': True, 'owner': {'id': '610004'}, 'summary': 'old'}, ['610004'], False)[0].startswith(
        'it is not a key proof')

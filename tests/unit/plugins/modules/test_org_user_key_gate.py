# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""org_user's API-key gate: a seat goes only with a proof about that user id, complete, every key dead or attested."""

from __future__ import annotations

import datetime

from ansible_collections.msp.dnsfilter.plugins.module_utils import _keyproof as kp
from ansible_collections.msp.dnsfilter.plugins.modules import api_key, org_user
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module
from ansible_collections.msp.dnsfilter.tests.unit.plugins.modules.test_org_user import (
    ATTEST, BOB, CUST, OWNER, delete_call, me_call, org_call, users_call, writes)
from ansible_collections.msp.dnsfilter.tests.unit.plugins.modules.test_org_user import run_module as run_absent

BOB_USER = {'id': str(BOB['id']), 'email': BOB['email']}
# A different user whose e-mail is Bob's in other letter case.
TWIN = {'id': 5000099, 'email': 'BOB@northwind.example', 'name': 'Robert', 'role': 'read_only'}
T1 = 'unit-bob-token-000000000000000000000001'
T2 = 'unit-bob-token-000000000000000000000002'
BOB_KEYS = [{'id': '5004', 'name': 'Bob PSA sync', 'last_four': '0001', 'status': 'active'},
            {'id': '5005', 'name': 'Bob laptop scripts', 'last_four': '0002', 'status': 'active'}]


def at_factory():
    clock = kp.Clock(now=lambda: datetime.datetime(2026, 7, 20, 14, 0, tzinfo=datetime.timezone.utc))
    return clock.now


def result_of(events, owner_id=None, attestation=None, simulated=False, state='verified_dead', since=None):
    proof, dummy = kp.build_proof(events, state, owner_id=owner_id, since=since, attestation=attestation,
                                  simulated=simulated)
    return {'changed': False, 'api_keys_dead': proof['dead'], 'api_keys_proof': proof}


def seen_then_dead(user=None, tokens=(T1, T2)):
    user = user or BOB_USER
    at = at_factory()
    events = []
    for token in tokens:
        events += [kp.token_check(token, at(), True, 200, user, BOB_KEYS), kp.key_list(token, at(), user, BOB_KEYS)]
    events += [kp.token_check(token, at(), False, 401) for token in tokens]
    return events


def remove_bob(checked_by, check_mode=False, extra_users=(), args=None):
    args = dict({'user_id': [BOB['id']], 'organization_id': CUST, 'api_keys_checked_by': checked_by}, **(args or {}))
    return run_absent(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB, *extra_users),
                                       me_call()], check_mode=check_mode)


def test_a_proof_about_the_user_id_with_every_key_proved_dead_removes_the_seat():
    args = {'user_id': [BOB['id']], 'organization_id': CUST, 'api_keys_checked_by': result_of(seen_then_dead())}
    result, seam = run_absent(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB), me_call(),
                                               delete_call(CUST, BOB['id']), users_call(CUST, OWNER)])
    seam.assert_done()
    assert result['changed'] is True
    gate = result['api_keys_gate']
    assert gate['satisfied_by'] == 'api_keys_checked_by' and gate['evidence'][0]['owner'] == BOB_USER
    assert [k['verdict'] for k in gate['evidence'][0]['keys']] == ['proved_dead', 'proved_dead']


def test_tokens_dead_when_first_seen_prove_nothing_and_the_seat_stays():
    at = at_factory()
    dead_first = [kp.token_check(T1, at(), False, 401), kp.token_check(T2, at(), False, 401)]
    # Without an owner, and with the owner named but never seen.
    for checked_by in (result_of(dead_first), result_of(dead_first, owner_id=BOB['id'])):
        result, seam = remove_bob(checked_by)
        seam.assert_done()
        assert result['failed'] and writes(seam) == [], result['msg']
        assert 'does not prove their API keys dead' in result['msg']
        assert 'proves nothing' in result['msg'] or 'names no owner' in result['msg']


def test_a_proof_about_a_look_alike_email_with_another_user_id_is_refused():
    twin_proof = result_of(seen_then_dead({'id': str(TWIN['id']), 'email': TWIN['email']}))
    assert twin_proof['api_keys_dead'] is True
    result, seam = remove_bob(twin_proof, extra_users=[TWIN])
    seam.assert_done()
    assert result['failed'] and writes(seam) == []
    assert 'not of the user(s) being removed (user %s)' % BOB['id'] in result['msg']


def test_a_proof_with_a_key_unknown_or_alive_is_refused_naming_the_key():
    partial = result_of(seen_then_dead(tokens=(T1,)))
    result, seam = remove_bob(partial)
    assert result['failed'] and writes(seam) == [] and "unknown (neither proved dead nor attested): 5005 'Bob laptop scripts'" in result['msg']
    # The same proof with an attestation inside it covers the unknown key; org_user's own attestation does not.
    result, seam = remove_bob(partial, args={'api_keys_attestation': ATTEST})
    assert result['failed'] and writes(seam) == []
    attested = result_of(seen_then_dead(tokens=(T1,)), attestation=ATTEST)
    result, seam = run_absent(org_user, {'user_id': [BOB['id']], 'organization_id': CUST, 'api_keys_checked_by': attested},
                              [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB), me_call(),
                               delete_call(CUST, BOB['id']), users_call(CUST, OWNER)])
    seam.assert_done()
    assert result['changed'] is True

    at = at_factory()
    start = at()
    alive = result_of([kp.token_check(T1, at(), True, 200, BOB_USER, BOB_KEYS), kp.key_list(T1, at(), BOB_USER, BOB_KEYS)],
                      since=start)
    result, seam = remove_bob(alive)
    assert result['failed'] and writes(seam) == [] and 'still alive' in result['msg']


def test_every_user_removed_needs_its_own_proof():
    args = {'user_id': [BOB['id'], TWIN['id']], 'organization_id': CUST, 'api_keys_checked_by': result_of(seen_then_dead())}
    result, seam = run_absent(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB, TWIN), me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == [] and 'no proof covers user %s' % TWIN['id'] in result['msg']


def test_a_check_mode_proof_counts_only_in_check_mode():
    simulated = result_of(seen_then_dead(), simulated=True)
    result, seam = remove_bob(simulated)
    assert result['failed'] and 'check mode' in result['msg'] and writes(seam) == []
    result, seam = remove_bob(simulated, check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []


def test_an_old_style_proof_or_another_result_is_refused():
    old = {'changed': True, 'api_keys_dead': True, 'api_keys_proof': {
        'dead': True, 'state': 'verified_dead', 'owner': None, 'checked': 2, 'simulated': False, 'summary': 's'}}
    for evidence, why in ((old, 'not a key proof'), ({'changed': False, 'msg': 'x'}, 'not a result of msp.dnsfilter.api_key'),
                          (dict(result_of(seen_then_dead()), failed=True, msg='boom'), 'failed (boom)')):
        result, seam = remove_bob(evidence, args={'api_keys_attestation': ATTEST})
        assert result['failed'] and writes(seam) == [] and why in result['msg'], why


def test_the_result_of_revoking_every_key_with_the_technicians_token_opens_the_gate():
    def key(ident, last_four, status='active'):
        attributes = {'name': 'k%s' % ident, 'last_four': last_four, 'status': status, 'expiry': '2099-01-01T00:00:00Z'}
        return {'id': ident, 'type': 'api_keys', 'attributes': attributes}
    in_use = key('5004', '0000')
    me = Call('GET', '/v1/current_user', FakeResponse(200, {'data': {'id': str(BOB['id']), 'type': 'users', 'attributes': {
        'email': BOB['email'], 'name': BOB['name']}}}))
    listing = [Call('GET', '/v1/api_keys', FakeResponse(200, {'data': []}), query=[('expired', 'true')]),
               Call('GET', '/v1/api_keys', FakeResponse(200, {'data': [in_use]}), query=[])]
    revoked, seam = run_module(api_key, {'state': 'revoked', 'all': True, 'user_id': BOB['id']}, [me] + listing + [
        Call('POST', '/v1/api_keys/5004/revoke', FakeResponse(200, {'data': key('5004', '0000', 'revoked')})),
        Call('GET', '/v1/current_user', FakeResponse(401, {'error': 'Not Authorized'}))])
    seam.assert_done()
    assert revoked['api_keys_dead'] is True
    args = {'user_id': [BOB['id']], 'organization_id': CUST, 'api_keys_checked_by': revoked}
    result, seam = run_absent(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB), me_call(),
                                               delete_call(CUST, BOB['id']), users_call(CUST, OWNER)])
    seam.assert_done()
    assert result['changed'] is True and result['api_keys_gate']['satisfied_by'] == 'api_keys_checked_by'

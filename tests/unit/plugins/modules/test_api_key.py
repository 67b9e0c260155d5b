# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.msp.dnsfilter.plugins.modules import api_key, api_key_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse, Seam
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import (
    KEY, ModuleExit, _exit_json, _fail_json, run_module)

BOB = {'id': '5000042', 'email': 'bob@northwind.example', 'name': 'Bob Jones'}
IN_USE = KEY[-4:]


def key(ident, name, last_four, status='active', expiry='2099-05-13T01:59:59.999-04:00'):
    return {'id': str(ident), 'type': 'api_keys', 'uuid': 'u-%s' % ident, 'attributes': {
        'name': name, 'expiry': expiry, 'last_four': last_four, 'token': '***************%s' % last_four,
        'status': status, 'created_at': '2025-10-23T18:07:10.872-04:00', 'user_id': 5000042}}


KEYS = [key(1618, 'PSA sync', 'R9Nc'), key(180, 'old test', 'DM08', expiry='2025-03-10T15:57:57.382-04:00'),
        key(2864, 'Runner', IN_USE), key(2900, 'twin', 'aaaa'), key(2901, 'Twin', 'bbbb'),
        key(3000, 'gone', 'cccc', status='revoked')]


EXPIRED = ('180',)  # what the API's own `expired` filter says (its clock, not ours)


def keys_call(keys=None, expired=EXPIRED):
    """The two reads of the caller's keys: the expired ones (by the API's filter), then all of them."""
    keys = KEYS if keys is None else keys
    return [
        Call('GET', '/v1/api_keys', FakeResponse(200, {'data': [k for k in keys if k['id'] in expired]}),
             query=[('expired', 'true')]),
        Call('GET', '/v1/api_keys', FakeResponse(200, {'data': keys}), query=[]),
    ]


def me_call(user=None):
    user = user or BOB
    return Call('GET', '/v1/current_user', FakeResponse(200, {'data': {'id': user['id'], 'type': 'users', 'attributes': {
        'email': user['email'], 'name': user['name']}}}))


def revoke_call(ident):
    return Call('POST', '/v1/api_keys/%s/revoke' % ident, FakeResponse(200, {
        'id': int(ident), 'type': 'api_keys', 'attributes': {'status': 'revoked'}}))


def writes(seam):
    return [m for m in seam.made if m[0] != 'GET']


def test_info_lists_without_tokens_and_filters():
    result, seam = run_module(api_key_info, {}, keys_call())
    seam.assert_done()
    assert len(result['api_keys']) == 6 and 'token' not in json.dumps(result['api_keys'])
    psa = result['api_keys'][0]
    assert psa['id'] == '1618' and psa['last_four'] == 'R9Nc' and psa['usable'] is True and psa['expired'] is False
    old = result['api_keys'][1]
    assert old['expired'] is True and old['usable'] is False

    result, seam = run_module(api_key_info, {'name': ['TWIN'], 'status': 'active', 'expired': False}, keys_call())
    assert [k['id'] for k in result['api_keys']] == ['2900', '2901']
    result, seam = run_module(api_key_info, {'last_four': ['DM08'], 'expired': True}, keys_call())
    assert [k['id'] for k in result['api_keys']] == ['180']


def test_info_reads_the_recorded_sample_with_date_only_expiry():
    attributes = {'name': 'CI', 'expiry': '2027-05-31', 'token': 'eyJhbGciOiJIUzI1NiJ9.full', 'status': 'active'}
    sample = {'data': [{'id': '9', 'type': 'api_keys', 'attributes': attributes}]}
    result, seam = run_module(api_key_info, {}, keys_call(sample['data']))
    assert result['api_keys'][0]['usable'] is True and 'eyJ' not in json.dumps(result)


def revoked(keys, ids):
    """The keys as listed after the given ids were revoked."""
    out = []
    for k in keys:
        k = json.loads(json.dumps(k))
        if k['id'] in ids:
            k['attributes']['status'] = 'revoked'
        out.append(k)
    return out


GONE = FakeResponse(401, {'error': 'Not Authorized'})


def test_revoke_all_revokes_the_key_in_use_last_and_proves_every_key_of_the_owner_dead():
    others = ['1618', '180', '2900', '2901']
    result, seam = run_module(api_key, {'state': 'revoked', 'all': True}, [me_call()] + keys_call() + [
        revoke_call(1618), revoke_call(180), revoke_call(2900), revoke_call(2901)]
        # The owner's list once more while the key in use works, then that key, then the proof that it fails.
        + keys_call(revoked(KEYS, others)) + [revoke_call(2864), Call('GET', '/v1/current_user', GONE)])
    seam.assert_done()
    assert result['changed'] is True and result['active_keys_remaining'] == 0
    assert result['api_keys_dead'] is True
    proof = result['api_keys_proof']
    assert proof['dead'] is True and proof['owner'] == {'id': BOB['id'], 'email': BOB['email']}
    assert proof['simulated'] is False and proof['state'] == 'revoked' and proof['checked'] == 6
    assert proof['complete'] is True and proof['owner_seen'] is True
    assert set(k['verdict'] for k in proof['keys']) == {'proved_dead'}
    in_use = next(k for k in proof['keys'] if k['id'] == '2864')
    assert 'failed with HTTP 401' in in_use['how']
    assert proof['summary'].startswith('6 of 6 keys of %s (user %s) proved dead' % (BOB['email'], BOB['id']))
    assert [k['status'] for k in result['api_keys']] == ['revoked'] * 6
    assert result['diff']['before']['api_keys'][0]['status'] == 'active'
    assert KEY not in json.dumps(result['observations'])


def test_revoke_all_when_the_key_in_use_still_works_afterwards_proves_nothing_dead():
    alive_after = me_call()
    result, seam = run_module(api_key, {'state': 'revoked', 'all': True}, [me_call()] + keys_call(KEYS[2:3]) + [
        revoke_call(2864), alive_after])
    seam.assert_done()
    assert result['api_keys_dead'] is False and result['api_keys_proof']['keys'][0]['verdict'] == 'alive'


def test_revoke_with_the_key_of_another_user_than_user_id_changes_nothing():
    result, seam = run_module(api_key, {'state': 'revoked', 'all': True, 'user_id': 610004}, [me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == [] and 'not as user 610004' in result['msg']


def test_a_dead_api_key_cannot_revoke_and_says_how_to_prove_instead():
    result, seam = run_module(api_key, {'state': 'revoked', 'all': True}, [Call('GET', '/v1/current_user', GONE)])
    assert result['failed'] and writes(seam) == [] and 'state=verified_dead with the observations' in result['msg']


def test_state_is_required():
    result, seam = run_module(api_key, {'all': True}, [])
    assert result['failed'] and 'state' in result['msg'] and seam.made == []


def test_revoke_all_in_check_mode_writes_nothing_and_marks_the_proof_simulated():
    result, seam = run_module(api_key, {'state': 'revoked', 'all': True}, [me_call()] + keys_call(), check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []
    assert result['api_keys_proof']['simulated'] is True and result['api_keys_proof']['dead'] is True
    assert result['api_keys_proof']['summary'].startswith('check mode: ')


def test_revoke_again_is_no_change():
    revoked = [key(1, 'PSA sync', 'R9Nc', status='revoked'), key(2, 'Runner', IN_USE, status='revoked')]
    for check in (False, True):
        result, seam = run_module(api_key, {'state': 'revoked', 'name': ['psa sync']}, [me_call()] + keys_call(revoked),
                                  check_mode=check)
        seam.assert_done()
        assert result['changed'] is False and writes(seam) == []
        assert result['api_keys_proof']['simulated'] is False


def test_revoke_by_name_leaves_other_keys_so_no_proof():
    result, seam = run_module(api_key, {'state': 'revoked', 'name': ['psa sync']}, [me_call()] + keys_call() + [revoke_call(1618)])
    seam.assert_done()
    assert result['changed'] is True and result['api_keys_dead'] is False
    # The expired key 180 was never revoked, so it still counts.
    assert result['active_keys_remaining'] == 4
    assert "ALIVE: 180 'old test' (last four DM08), 2864" in result['api_keys_proof']['summary']
    assert [k['verdict'] for k in result['api_keys_proof']['keys'] if k['id'] == '1618'] == ['proved_dead']


def test_ambiguous_name_fails_asking_for_last_four_with_no_write():
    result, seam = run_module(api_key, {'state': 'revoked', 'name': ['twin', 'PSA sync']}, [me_call()] + keys_call())
    seam.assert_done()
    assert result['failed'] and writes(seam) == []
    assert "name 'twin' matches 2 keys" in result['msg'] and 'select one by last_four' in result['msg']


def test_last_four_selects_one_of_the_twins():
    result, seam = run_module(api_key, {'state': 'revoked', 'last_four': ['bbbb']}, [me_call()] + keys_call() + [revoke_call(2901)])
    seam.assert_done()
    assert result['changed'] is True and [k['id'] for k in result['api_keys']] == ['2901']


def test_absent_deletes_and_then_is_absent():
    result, seam = run_module(api_key, {'state': 'absent', 'id': [3000, 180]}, [me_call()] + keys_call() + [
        Call('DELETE', '/v1/api_keys/3000', FakeResponse(204)),
        Call('DELETE', '/v1/api_keys/180', FakeResponse(404, {'error': 'not found'}))])
    seam.assert_done()
    assert result['changed'] is True and [k['status'] for k in result['api_keys']] == ['deleted', 'deleted']
    assert result['diff']['after']['api_keys'][0]['id'] == '3000'

    remaining = [k for k in KEYS if k['id'] not in ('3000', '180')]
    for check in (False, True):
        result, seam = run_module(api_key, {'state': 'absent', 'id': [3000, 180]}, [me_call()] + keys_call(remaining),
                                  check_mode=check)
        seam.assert_done()
        assert result['changed'] is False and result['not_found'] == ['3000', '180'] and writes(seam) == []


def test_absent_in_check_mode():
    result, seam = run_module(api_key, {'state': 'absent', 'last_four': ['R9Nc']}, [me_call()] + keys_call(), check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []


def run_verify(args, per_token, check_mode=False):
    """Run state=observed or state=verified_dead: each token gets its own session (seam) with its calls, as in real
    use; the module's own session must see no call. Returns (result, token seams)."""
    full = dict(args, api_key=KEY, api_url='https://api.test', _ansible_check_mode=check_mode, _ansible_diff=True)
    main = Seam([])
    seams = [Seam(calls) for calls in per_token]
    with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full}))), \
            mock.patch.object(basic, '_ANSIBLE_PROFILE', 'legacy', create=True), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json), \
            mock.patch('ansible_collections.msp.dnsfilter.plugins.module_utils._api.requests.Session',
                       side_effect=[main] + seams):
        result = None
        try:
            api_key.main()
        except ModuleExit as done:
            result = done.result
    assert result is not None and main.made == []
    for seam in seams:
        seam.assert_done()
    for token in args.get('token') or []:
        assert token not in json.dumps(result), 'a token leaked into the result'
    assert KEY not in json.dumps(result)
    return result, seams


DEAD = FakeResponse(401, {'error': 'Not Authorized'})
PRIYA = {'id': '5000077', 'email': 'priya@northwind.example', 'name': 'Priya Shah'}
BOB_T1 = 'unit-bob-token-000000000000000000000001'
BOB_T2 = 'unit-bob-token-000000000000000000000002'
BOB_KEYS = [key(5004, 'Bob PSA sync', '0001'), key(5005, 'Bob laptop scripts', '0002')]


def alive_as(user=None, keys=None):
    """What a live token's own session answers: who it is, then that user's own keys."""
    return [me_call(user)] + keys_call(BOB_KEYS if keys is None else keys, expired=())


def dead():
    return [Call('GET', '/v1/current_user', DEAD)]


def test_dead_tokens_alone_prove_nothing():
    tokens = ['eyJ-departed-technician-token-0000000000Lhz4', 'eyJ-departed-technician-token-0000000000Abc1']
    result, per_token = run_verify({'state': 'verified_dead', 'token': tokens}, [dead(), dead()])
    assert not result.get('failed') and result['changed'] is False
    assert [(c['index'], c['last_four'], c['alive'], c['status'], c['user']) for c in result['checks']] == [
        (0, 'Lhz4', False, 401, None), (1, 'Abc1', False, 401, None)]
    # Dead when first seen: whose keys they were, and whether they were the last ones, is not known.
    assert result['api_keys_dead'] is False
    proof = result['api_keys_proof']
    assert proof['dead'] is False and proof['owner']['id'] is None and proof['keys'] == []
    assert proof['summary'].startswith('proves nothing')
    assert [t['verdict'] for t in proof['tokens']] == ['proves_nothing', 'proves_nothing']
    assert [seam.made[0][4]['Authorization'] for seam in per_token] == tokens


def test_observed_then_verified_dead_proves_every_key_of_the_owner():
    seen, dummy = run_verify({'state': 'observed', 'token': [BOB_T1, BOB_T2], 'user_id': 5000042},
                             [alive_as(), alive_as()])
    assert not seen.get('failed') and seen['changed'] is False
    assert [c['key_id'] for c in seen['checks']] == ['5004', '5005']
    assert seen['api_keys_proof']['dead'] is False
    assert set(k['verdict'] for k in seen['api_keys_proof']['keys']) == {'alive'}
    # As an evidence file gives it back.
    observations = json.loads(json.dumps(seen['observations']))
    result, dummy = run_verify({'state': 'verified_dead', 'token': [BOB_T1, BOB_T2], 'user_id': 5000042,
                                'observations': observations}, [dead(), dead()])
    proof = result['api_keys_proof']
    assert result['api_keys_dead'] is True and proof['dead'] is True and proof['complete'] is True
    assert proof['owner'] == {'id': BOB['id'], 'email': BOB['email']}
    assert [(k['id'], k['verdict']) for k in proof['keys']] == [('5004', 'proved_dead'), ('5005', 'proved_dead')]
    assert proof['summary'].startswith('2 of 2 keys of bob@northwind.example (user 5000042) proved dead')
    assert len(result['observations']) == len(observations) + 2


def test_verified_dead_with_one_token_leaves_the_other_key_unknown_unless_attested():
    seen, dummy = run_verify({'state': 'observed', 'token': [BOB_T1]}, [alive_as()])
    args = {'state': 'verified_dead', 'token': [BOB_T1], 'observations': seen}
    result, dummy = run_verify(args, [dead()])
    assert result['api_keys_dead'] is False
    assert [k['verdict'] for k in result['api_keys_proof']['keys']] == ['proved_dead', 'unknown']
    result, dummy = run_verify(dict(args, attestation='T-1: Grace saw Bob revoke 5005'), [dead()])
    assert result['api_keys_dead'] is True
    assert [k['verdict'] for k in result['api_keys_proof']['keys']] == ['proved_dead', 'attested']


def test_a_live_token_of_another_user_is_refused():
    result, dummy = run_verify({'state': 'observed', 'token': [BOB_T1, 'unit-priya-token-0000000000000000000009'],
                                'user_id': 5000042}, [alive_as(), alive_as(PRIYA, [key(5006, 'Priya', '0009')])])
    assert result['failed'] and 'priya@northwind.example (user 5000077), not as user 5000042' in result['msg']
    assert 'nothing was changed' in result['msg']


def test_verified_dead_fails_when_a_key_still_works():
    token = 'still-alive-token-00000000000000000000XyZ9'
    result, dummy = run_verify({'state': 'verified_dead', 'token': ['dead-token-0000000000000001', token]},
                               [dead(), alive_as(keys=[key(5009, 'Alive', 'XyZ9')])])
    assert result['failed'] and 'still works' in result['msg'] and 'XyZ9' in result['msg']
    assert BOB['email'] in result['msg']
    assert result['api_keys_proof']['dead'] is False

    result, dummy = run_verify({'state': 'verified_dead', 'token': [token], 'fail_if_alive': False},
                               [alive_as(keys=[key(5009, 'Alive', 'XyZ9')])])
    assert not result.get('failed') and result['api_keys_dead'] is False and result['checks'][0]['alive'] is True
    assert result['checks'][0]['user']['email'] == BOB['email']
    assert result['api_keys_proof']['keys'][0]['verdict'] == 'alive'


def test_verified_dead_from_a_revocation_alone():
    revoked_all, seam = run_module(api_key, {'state': 'revoked', 'all': True}, [me_call()] + keys_call(KEYS[2:3]) + [
        revoke_call(2864), Call('GET', '/v1/current_user', GONE)])
    result, dummy = run_verify({'state': 'verified_dead', 'observations': [revoked_all]}, [])
    assert result['api_keys_dead'] is True and result['api_keys_proof']['owner']['id'] == BOB['id']


def test_verified_dead_in_check_mode_still_checks():
    result, dummy = run_verify({'state': 'verified_dead', 'token': ['x' * 40]}, [dead()], check_mode=True)
    assert result['changed'] is False and result['checks'][0]['alive'] is False


def test_verified_dead_other_errors_are_not_read_as_dead():
    result, dummy = run_verify({'state': 'verified_dead', 'token': ['y' * 40]},
                               [[Call('GET', '/v1/current_user', FakeResponse(400, {'error': 'boom'}))]])
    assert result['failed'] and 'Could not tell' in result['msg']


def test_a_refused_revocation_reports_no_change_for_itself():
    result, seam = run_module(api_key, {'state': 'revoked', 'last_four': ['R9Nc', 'bbbb']}, [me_call()] + keys_call() + [
        revoke_call(1618),
        Call('POST', '/v1/api_keys/2901/revoke', FakeResponse(422, {'error': 'Can not update api key'}))])
    seam.assert_done()
    assert result['failed'] and result['changed'] is True and 'Keys changed before it: PSA sync' in result['msg']
    result, seam = run_module(api_key, {'state': 'revoked', 'last_four': ['bbbb']}, [me_call()] + keys_call() + [
        Call('POST', '/v1/api_keys/2901/revoke', FakeResponse(422, {'error': 'Can not update api key'}))])
    assert result['failed'] and result['changed'] is False


def test_bad_parameters_fail_without_calls():
    for args, why in (
            ({'state': 'revoked'}, 'needs the keys'),
            ({'state': 'revoked', 'all': True, 'name': ['x']}, 'mutually exclusive'),
            ({'state': 'verified_dead'}, 'needs token'),
            ({'state': 'observed'}, 'needs token'),
            ({'state': 'revoked', 'all': True, 'observations': [{}]}, 'observations is for'),
            ({'state': 'verified_dead', 'token': ['t' * 20], 'name': ['x']}, 'mutually exclusive'),
            ({'state': 'revoked', 'name': ['x'], 'token': ['t' * 20]}, 'mutually exclusive'),
    ):
        result, seam = run_module(api_key, args, [])
        assert result['failed'] and why in result['msg'], (args, result['msg'])
        assert seam.made == []


def test_a_revoke_dnsfilter_answers_already_done_is_journaled_as_already(tmp_path):
    from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal
    path = str(tmp_path / 'journal.jsonl')
    result, seam = run_module(api_key, {'state': 'revoked', 'id': ['1618'], 'journal': {'path': path, 'run': 'T-1'}},
                              [me_call()] + keys_call() + [
                                  Call('POST', '/v1/api_keys/1618/revoke', FakeResponse(422, {'error': 'Api key is already revoked'}))])
    assert result['failed']
    entries, torn = _journal.read(path)
    assert torn == 0
    [action] = _journal.actions(entries)
    assert (action['action'], action['result'], action['status']) == ('revoke API key', 'already', 422)
    assert action['subjects'][0] == {'type': 'api_key', 'id': '1618', 'name': 'PSA sync'}
    assert action['verify'] == {'path': '/v1/api_keys/1618', 'field': 'status', 'in': ['revoked']}
    text = open(path).read()
    assert KEY not in text and 'R9Nc' not in text

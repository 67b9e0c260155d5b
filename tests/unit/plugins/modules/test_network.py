# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import network, network_info, network_secret_key
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

SITE_KEY = 'site-secret-0123456789abcdef'


def site(ident, name, key=SITE_KEY):
    return {'id': str(ident), 'type': 'networks', 'attributes': {'name': name, 'secret_key': key, 'pin': '908662'}}


def sites(*items):
    return Call('GET', '/v1/networks/msp', FakeResponse(200, {'data': list(items)}),
                query=[('organization_id', '11'), ('page[number]', '1'), ('page[size]', '100')])


def test_info_never_returns_the_site_key_or_pin():
    result, seam = run_module(network_info, {'organization_id': 11}, [sites(site(1, 'Main'), site(2, 'Branch', None))])
    assert [(n['id'], n['has_secret_key']) for n in result['networks']] == [('1', True), ('2', False)]
    assert SITE_KEY not in str(result) and '908662' not in str(result)
    seam.assert_done()


def test_revoke_check_mode_then_real_then_again():
    revoke_all = {'organization_id': 11, 'all': True, 'state': 'absent'}
    result, seam = run_module(network_secret_key, revoke_all, [sites(site(1, 'Main'), site(2, 'Branch', None))], check_mode=True)
    assert result['changed'] is True and result['changed_ids'] == ['1']
    assert len(seam.made) == 1
    result, seam = run_module(network_secret_key, revoke_all, [
        sites(site(1, 'Main'), site(2, 'Branch', None)),
        Call('DELETE', '/v1/networks/1/secret_key', FakeResponse(204)),
        sites(site(1, 'Main', None), site(2, 'Branch', None)),
    ])
    assert result['changed'] is True and result['diff']['after']['networks'][0]['has_secret_key'] is False
    assert SITE_KEY not in str(result)
    seam.assert_done()
    result, seam = run_module(network_secret_key, revoke_all, [sites(site(1, 'Main', None), site(2, 'Branch', None))])
    assert result['changed'] is False
    seam.assert_done()


def test_unknown_site_name_fails_before_any_write():
    result, seam = run_module(network_secret_key, {'organization_id': 11, 'names': ['Nowhere'], 'state': 'absent'}, [sites(site(1, 'Main'))])
    assert result['failed'] and "No site of organisation 11 is named 'Nowhere'" in result['msg']
    assert [m[0] for m in seam.made] == ['GET']


def test_site_with_agents_is_not_deleted():
    agents = {'data': [{'id': 'u1', 'type': 'user_agents', 'attributes': {'hostname': 'DESK-01', 'status': 'active'}}]}
    result, seam = run_module(network, {'organization_id': 11, 'names': ['Main'], 'state': 'absent'}, [
        sites(site(1, 'Main')),
        Call('GET', '/v1/user_agents', FakeResponse(200, agents)),
    ])
    assert result['failed'] and 'DESK-01' in result['msg'] and '409' in result['msg']
    assert all(m[0] == 'GET' for m in seam.made)
    seam.assert_done()


def test_empty_site_is_deleted_and_absent_is_absent():
    result, seam = run_module(network, {'organization_id': 11, 'ids': [1], 'state': 'absent'}, [
        sites(site(1, 'Main')),
        Call('GET', '/v1/user_agents', FakeResponse(200, {'data': []})),
        Call('DELETE', '/v1/networks/1', FakeResponse(204)),
        sites(),
    ])
    assert result['changed'] is True and result['deleted'] == [{'id': '1', 'name': 'Main'}]
    seam.assert_done()
    result, seam = run_module(network, {'organization_id': 11, 'ids': [1], 'state': 'absent'}, [sites()])
    assert result['changed'] is False and result['deleted'] == []
    seam.assert_done()


def test_a_revoke_without_a_selection_or_a_state_does_nothing():
    # A missing variable must never select every site; a missing state must never revoke.
    for args, words in (({'organization_id': 11, 'state': 'absent'}, 'all=true'),
                        ({'organization_id': 11, 'all': True}, 'state'),
                        ({'organization_id': 11, 'all': True, 'ids': [1], 'state': 'absent'}, 'mutually exclusive')):
        result, seam = run_module(network_secret_key, args, [])
        assert result['failed'] and words in result['msg'] and seam.made == [], args


def test_a_retried_revoke_whose_first_answer_was_lost_is_revoked_not_failed():
    result, seam = run_module(network_secret_key, {'organization_id': 11, 'ids': [1], 'state': 'absent'}, [
        sites(site(1, 'Main')),
        Call('DELETE', '/v1/networks/1/secret_key', FakeResponse(422, {'error': 'none'})),
        sites(site(1, 'Main', None)),
    ])
    seam.assert_done()
    assert not result.get('failed') and result['changed'] is True and result['changed_ids'] == ['1']


def test_a_case_twin_site_name_is_refused_with_both():
    result, seam = run_module(network, {'organization_id': 11, 'names': ['Main Clinic'], 'state': 'absent'},
                              [sites(site(1, 'Main Clinic'), site(2, 'MAIN CLINIC'))])
    assert result['failed'] and "(id 1)" in result['msg'] and "(id 2)" in result['msg']
    assert [m[0] for m in seam.made] == ['GET']


def test_a_journal_holds_each_revoke_before_and_after_and_no_key(tmp_path):
    path = str(tmp_path / 'journal.jsonl')
    revoke_all = {'organization_id': 11, 'all': True, 'state': 'absent', 'journal': {'path': path, 'run': 'run-1'}}
    run_module(network_secret_key, revoke_all, [sites(site(1, 'Main'), site(2, 'Branch', None))], check_mode=True)
    assert not (tmp_path / 'journal.jsonl').exists()
    result, seam = run_module(network_secret_key, revoke_all, [
        sites(site(1, 'Main'), site(2, 'Branch')),
        Call('DELETE', '/v1/networks/1/secret_key', FakeResponse(204)),
        Call('DELETE', '/v1/networks/2/secret_key', FakeResponse(403, {'error': 'forbidden'})),
    ])
    assert result['failed']
    seam.assert_done()
    from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal
    text = (tmp_path / 'journal.jsonl').read_text()
    assert SITE_KEY not in text and '908662' not in text
    entries, torn = _journal.read(path)
    assert torn == 0
    done = _journal.actions(entries)
    assert [(a['path'], a['result'], a['run']) for a in done] == [
        ('/v1/networks/1/secret_key', 'done', 'run-1'),
        ('/v1/networks/2/secret_key', 'failed', 'run-1')]
    assert _journal.pending(entries) == []


def test_a_plan_deletes_a_site_once_the_records_the_run_deletes_first_are_gone():
    agents = {'data': [{'id': 'u1', 'type': 'user_agents', 'attributes': {'hostname': 'DESK-01', 'status': 'active', 'network_id': 1}},
                       {'id': 'u2', 'type': 'user_agents', 'attributes': {'hostname': 'DESK-02', 'status': 'active', 'network_id': 2}}]}
    calls = [sites(site(1, 'Main'), site(2, 'Branch')), Call('GET', '/v1/user_agents', FakeResponse(200, agents))]
    args = {'organization_id': 11, 'ids': [1], 'state': 'absent', 'records_deleted_first': ['u1']}
    result, seam = run_module(network, args, calls, check_mode=True)
    assert result['changed'] is True and result['deleted'] == [], result
    assert [c['id'] for c in result['conditional']] == ['1'] and 'DESK-01' in result['conditional'][0]['condition']
    assert all(m[0] == 'GET' for m in seam.made)
    # A record the run does not delete keeps the refusal, in the plan as for real.
    result, seam = run_module(network, dict(args, ids=[2]), calls, check_mode=True)
    assert result['failed'] and 'DESK-02' in result['msg']
    # For real, DNSFilter's state alone decides: the record is still there, so the site stays.
    result, seam = run_module(network, args, calls)
    assert result['failed'] and 'DESK-01' in result['msg'] and all(m[0] == 'GET' for m in seam.made)

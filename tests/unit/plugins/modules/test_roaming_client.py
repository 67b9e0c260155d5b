# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import roaming_client, roaming_client_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

ORG = {'organization_id': 11}


def agent(ident, hostname, version='2.2.0', status='active', queued=None, agent_type='windows'):
    return {'id': ident, 'type': 'user_agents', 'attributes': {
        'hostname': hostname, 'agent_type': agent_type, 'agent_version': version, 'status': status,
        'uninstall_queued_at': queued, 'last_sync': '2026-11-27T10:00:00Z'}}


def listing(*agents, status=None, org=11):
    query = [('organization_ids', str(org)), ('page[number]', '1'), ('page[size]', '100')]
    if status:
        query.append(('status', status))
    return Call('GET', '/v1/user_agents', FakeResponse(200, {'data': list(agents)}), query=query)


def lists(*agents, queued=(), uninstalling=(), org=11):
    """One organisation's listing as the modules read it: every agent, then the two documented phase filters."""
    return [listing(*agents, org=org), listing(*queued, status='uninstall_queued', org=org),
            listing(*uninstalling, status='uninstalling', org=org)]


A1 = agent('a1', 'DESK-01')
A2 = agent('a2', 'MAC-01', '2.1.0', agent_type='macos')
OLD = agent('a3', 'FRONTDESK-OLD', '1.9.4')
# Queued agents: only the status=uninstall_queued filter tells (what else the record shows is not documented).
Q1 = A1
Q2 = A2
U1 = agent('a1', 'DESK-01', status='uninstalled')
U2 = agent('a2', 'MAC-01', '2.1.0', status='uninstalled', agent_type='macos')


def test_selector_required():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled'), [])
    assert result['failed'] and 'all=true' in result['msg'] and seam.made == []


def test_uninstall_check_mode_predicts_queue_and_outstanding_without_writes():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True), lists(A1, A2, OLD), check_mode=True)
    assert result['changed'] is True
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'queued', 'a2': 'queued', 'a3': 'none'}
    assert [o['id'] for o in result['outstanding']] == ['a3'] and '1.9.4' in result['outstanding'][0]['reason']
    assert all(m[0] == 'GET' for m in seam.made)
    assert [r['removal_state'] for r in result['diff']['after']['roaming_clients']] == ['queued', 'queued', 'installed']
    seam.assert_done()


def test_uninstall_queues_each_capable_agent_with_its_own_call_never_the_bulk_job_and_verifies():
    # DNSFilter's bulk delete with queue_uninstall deletes the records of agents it counts as unable (counts: "delete")
    # - a live agent whose record is deleted re-registers - and which agents those are is not published.
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True, poll_interval=0), [
        *lists(A1, A2, OLD),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        Call('DELETE', '/v1/user_agents/a2', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        *lists(Q1, Q2, OLD, queued=[Q1, Q2]),
    ])
    assert result['changed'] is True and 'job' not in result
    assert [o['id'] for o in result['outstanding']] == ['a3']
    assert not [m for m in seam.made if 'bulk' in m[1]]
    seam.assert_done()


def test_a_record_deleted_instead_of_queued_fails_loudly():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', hostnames=['desk-01'], poll_interval=0), [
        *lists(A1, A2),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        *lists(A2),
    ])
    assert result['failed'] and 're-register' in result['msg']
    seam.assert_done()


def test_uninstall_again_changes_nothing():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True), lists(Q1, U2, queued=[Q1]))
    assert result['changed'] is False
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'already_queued', 'a2': 'already_uninstalled'}
    seam.assert_done()


def test_delete_refuses_installed_agents_with_zero_writes():
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all=True), lists(U1, A2))
    assert result['failed'] and 'would come back' in result['msg'] and 'MAC-01' in result['msg']
    assert all(m[0] == 'GET' for m in seam.made)


def delete_uninstalled_and_gone_calls():
    """a1 uninstalled and a3 confirmed gone go in one bulk job; a2 is still installed and stays."""
    return [
        *lists(U1, A2, OLD),
        Call('POST', '/v1/user_agent_bulk_deletes', FakeResponse(200, {'data': {'id': 6, 'completed': True, 'count': 2}}),
             query=[('organization_id', '11')], body={'ids': ['a1', 'a3']}),
        Call('GET', '/v1/user_agent_bulk_deletes/6', FakeResponse(200, {'data': {'id': 6, 'completed': True, 'count': 2}})),
        *lists(A2),
    ]


def test_delete_uninstalled_and_confirmed_gone_skip_the_rest():
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all=True, on_installed='skip',
                                                   confirmed_gone=['frontdesk-old']),
                              delete_uninstalled_and_gone_calls())
    assert result['changed'] is True
    assert [o['id'] for o in result['outstanding']] == ['a2']
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'deleted', 'a2': 'none', 'a3': 'deleted'}
    seam.assert_done()
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all=True, on_installed='skip'), lists(A2))
    assert result['changed'] is False
    seam.assert_done()


def test_dequeue_only_what_is_still_queued():
    result, seam = run_module(roaming_client, dict(ORG, state='dequeued', ids=['a1', 'a2']), [
        *lists(Q1, Q2, queued=[Q1], uninstalling=[Q2]),
        Call('POST', '/v1/user_agents/dequeue_uninstall', FakeResponse(200, {'success': True}), query=[('id', 'a1')]),
    ])
    assert result['changed'] is True
    assert result['outstanding'][0]['id'] == 'a2'
    seam.assert_done()


def test_info_counts_removal_states():
    result, seam = run_module(roaming_client_info, ORG, lists(A1, Q2, agent('a4', 'OLD-02', status='uninstalled'), queued=[Q2]))
    assert result['counts'] == {'installed': 1, 'queued': 1, 'uninstalling': 0, 'uninstalled': 1}
    seam.assert_done()


def test_many_organisations_in_one_task_with_one_bulk_job():
    other = agent('b1', 'FAB-WS-01')
    result, seam = run_module(roaming_client, {'organization_ids': [11, 12], 'all_agents': True, 'state': 'uninstalled', 'poll_interval': 0}, [
        *lists(A1), *lists(other, org=12),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        Call('DELETE', '/v1/user_agents/b1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        *lists(Q1, queued=[Q1]), *lists(other, queued=[other], org=12),
    ])
    assert result['changed'] is True
    assert {(r['id'], r['organization_id']) for r in result['roaming_clients']} == {('a1', 11), ('b1', 12)}
    seam.assert_done()


def test_one_scope_is_required():
    result, seam = run_module(roaming_client, {'state': 'uninstalled', 'all_agents': True}, [])
    assert result['failed'] and 'organization_id' in result['msg'] and seam.made == []


# A re-imaged PC: the old record, offline for months, and the new live one share a hostname.
STALE = {'id': 'c0a70c50-0000-4000-8000-0000000000a5', 'type': 'user_agents', 'attributes': {
    'hostname': 'DESK-07', 'agent_type': 'windows', 'agent_version': '2.2.0', 'status': 'active',
    'uninstall_queued_at': None, 'last_sync': '2026-05-02T08:00:00Z'}}
LIVE = {'id': 'c0a70c50-0000-4000-8000-0000000000a6', 'type': 'user_agents', 'attributes': {
    'hostname': 'DESK-07', 'agent_type': 'windows', 'agent_version': '3.3.6', 'status': 'active',
    'uninstall_queued_at': None, 'last_sync': '2026-11-27T10:00:00Z'}}
TWIN = agent('a9', 'desk-07 ')


def writes(seam):
    return [m for m in seam.made if m[0] != 'GET']


def test_a_hostname_two_records_share_is_refused_with_both_agent_ids():
    for module, args in ((roaming_client, dict(ORG, state='uninstalled', hostnames=['DESK-07'])),
                         (roaming_client, dict(ORG, state='absent', hostnames=['desk-07'], confirmed_gone=['DESK-07'])),
                         (roaming_client_info, dict(ORG, hostnames=['DESK-07']))):
        result, seam = run_module(module, args, lists(STALE, LIVE, A1))
        assert result['failed'], module
        assert STALE['id'] in result['msg'] and LIVE['id'] in result['msg'] and 'by id' in result['msg']
        assert sorted(c['id'] for c in result['candidates']) == [STALE['id'], LIVE['id']]
        assert writes(seam) == []


def test_case_twin_hostnames_are_refused():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', hostnames=['DESK-07']), lists(LIVE, TWIN))
    assert result['failed'] and 'a9' in result['msg'] and LIVE['id'] in result['msg'] and writes(seam) == []


def test_the_stale_record_named_by_agent_id_alone_is_chosen():
    result, seam = run_module(roaming_client_info, dict(ORG, ids=[STALE['id']]), lists(STALE, LIVE))
    seam.assert_done()
    assert [a['id'] for a in result['roaming_clients']] == [STALE['id']]
    # The same through devices: the bare agent id, or the hostname narrowed by last seen or by version.
    for entry in (STALE['id'], {'agent_id': STALE['id'], 'asset_id': 'ASSET-0042'},
                  {'hostname': 'DESK-07', 'last_seen_before': '2026-06-01'}, {'hostname': 'desk-07', 'agent_version': '2.2.0'}):
        result, seam = run_module(roaming_client_info, dict(ORG, devices=[entry]), lists(STALE, LIVE))
        assert [a['id'] for a in result['roaming_clients']] == [STALE['id']], entry
    assert result['roaming_clients'][0]['asset_id'] is None
    result, seam = run_module(roaming_client_info, dict(ORG, devices=[{'agent_id': STALE['id'], 'asset_id': 'ASSET-0042'}]), lists(STALE, LIVE))
    assert result['roaming_clients'][0]['asset_id'] == 'ASSET-0042'


def test_a_device_entry_that_is_malformed_or_contradicts_itself_fails():
    for entry, words in (({'serial': 'X'}, 'unknown key'), ({'asset_id': 'A-1'}, 'agent_id or hostname'), ('  ', 'empty'),
                         ({'agent_id': STALE['id'], 'hostname': 'FRONTDESK-01'}, 'not')):
        result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', devices=[entry]), lists(STALE, LIVE))
        assert result['failed'] and words in result['msg'] and writes(seam) == [], entry


def test_retiring_the_stale_record_by_id_deletes_only_it_and_never_queues_the_live_agent():
    args = dict(ORG, state='absent', ids=[STALE['id']], confirmed_gone=[STALE['id']], on_installed='skip')
    result, seam = run_module(roaming_client, args, [
        *lists(STALE, LIVE),
        Call('DELETE', '/v1/user_agents/%s' % STALE['id'], FakeResponse(204)),
        *lists(LIVE),
    ])
    seam.assert_done()
    assert [(r['id'], r['action']) for r in result['roaming_clients']] == [(STALE['id'], 'deleted')]
    assert [m[1] for m in writes(seam)] == ['https://api.test/v1/user_agents/%s' % STALE['id']]


def test_check_mode_plans_records_deleted_once_the_run_confirms_their_uninstall():
    # The run queues a1 and a2 before it deletes records; in check mode they are still installed. The plan must say
    # what the real run will do: delete each once its uninstall is confirmed, else keep it as outstanding.
    queued = {'roaming_clients': [{'id': 'a1', 'action': 'queued'}, {'id': 'a2', 'action': 'queued'}, {'id': 'a3', 'action': 'none'}]}
    args = dict(ORG, state='absent', all=True, on_installed='skip', after_uninstall_of=[queued])
    result, seam = run_module(roaming_client, args, lists(A1, A2, OLD), check_mode=True)
    seam.assert_done()
    rows = {r['id']: r for r in result['roaming_clients']}
    assert {i: r['action'] for i, r in rows.items()} == {'a1': 'delete_when_uninstalled', 'a2': 'delete_when_uninstalled', 'a3': 'none'}
    assert 'else the record is kept' in rows['a1']['condition']
    assert [o['id'] for o in result['outstanding']] == ['a3'] and result['changed'] is True
    # A real run reads where each agent stands: a1 uninstalled is deleted, a2 still queued is kept and outstanding.
    result, seam = run_module(roaming_client, dict(args, poll_interval=0), [
        *lists(U1, Q2, OLD, queued=[Q2]),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204)), *lists(Q2, OLD, queued=[Q2])])
    seam.assert_done()
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'deleted', 'a2': 'none', 'a3': 'none'}
    assert sorted(o['id'] for o in result['outstanding']) == ['a2', 'a3']


# --- Removal verified on every lifecycle DNSFilter might have: only documented statuses and filters count ---------

def test_a_queued_agent_is_known_by_the_status_filter_not_by_an_attribute():
    # The record of a queued agent need not show uninstall_queued_at; the documented filter finds it. Queueing it again
    # would be a write a second run must not make.
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True), lists(A1, queued=[A1]))
    seam.assert_done()
    assert result['changed'] is False and result['roaming_clients'][0]['action'] == 'already_queued'
    assert writes(seam) == []


def test_an_attribute_alone_does_not_make_an_agent_queued():
    # uninstall_queued_at set but no filter finds the agent queued: what the record says beside the filters is not
    # evidence of a queued uninstall (it may be a stale value), so the agent is queued.
    stale = agent('a1', 'DESK-01', queued='2026-11-27T10:05:00Z')
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True), lists(stale), check_mode=True)
    assert result['roaming_clients'][0]['action'] == 'queued' and result['roaming_clients'][0]['removal_state'] == 'installed'


def test_a_record_only_a_phase_filter_finds_is_still_listed():
    result, seam = run_module(roaming_client_info, ORG, lists(A2, queued=[A1]))
    seam.assert_done()
    assert {a['id']: a['removal_state'] for a in result['roaming_clients']} == {'a2': 'installed', 'a1': 'queued'}


def test_an_agent_that_says_nothing_about_why_it_cannot_uninstall_is_outstanding_after_the_wait():
    # A version the defaults call capable, yet the agent never uninstalls and its record gives no status code.
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', ids=['a1'], wait_uninstalled=1, poll_interval=0.2), [
        *lists(A1),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
    ] + lists(A1, queued=[A1]) * 20, check_mode=False)
    assert result['changed'] is True
    assert [o['id'] for o in result['outstanding']] == ['a1'] and 'not reported itself uninstalled' in result['outstanding'][0]['reason']
    assert result['roaming_clients'][0]['removal_state'] == 'queued'


def test_a_status_code_is_shown_never_parsed():
    # An agent too old for the defaults, queued earlier, reports a numeric code: reported as said, decided by version.
    old = dict(OLD, attributes=dict(OLD['attributes'], status_code=1, status_message='error_uninstalling'))
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True), lists(old, queued=[old]))
    seam.assert_done()
    [item] = result['outstanding']
    assert item['id'] == 'a3' and 'not supported by windows agent 1.9.4' in item['reason'] and 'error_uninstalling' in item['reason']
    assert result['changed'] is False


def test_done_only_when_the_status_says_uninstalled():
    # Picked up (status=uninstalling), then gone from every phase filter but not yet "uninstalled": still waiting.
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', ids=['a1'], wait_uninstalled=5, poll_interval=0), [
        *lists(A1),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        *lists(A1, uninstalling=[A1]),
        *lists(A1),
        *lists(U1),
    ])
    seam.assert_done()
    assert result['roaming_clients'][0]['removal_state'] == 'uninstalled' and result['outstanding'] == []


def test_a_dequeue_dnsfilter_refuses_is_outstanding_not_a_failure():
    # Where no uninstalling phase is shown, a picked-up uninstall still reads as queued; DNSFilter answers 422.
    result, seam = run_module(roaming_client, dict(ORG, state='dequeued', ids=['a1']), [
        *lists(A1, queued=[A1]),
        Call('POST', '/v1/user_agents/dequeue_uninstall', FakeResponse(422, {'error': 'Can not remove user agent from queue'}),
             query=[('id', 'a1')]),
    ])
    seam.assert_done()
    assert not result.get('failed') and [o['id'] for o in result['outstanding']] == ['a1']


def _journaled(tmp_path):
    from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal
    entries, torn = _journal.read(str(tmp_path / 'journal.jsonl'))
    assert torn == 0 and _journal.pending(entries) == []
    return _journal, _journal.actions(entries)


def test_a_bulk_delete_is_journaled_with_every_record_and_why_each_may_go(tmp_path):
    journal = {'path': str(tmp_path / 'journal.jsonl'), 'run': 'T-1-run'}
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all=True, on_installed='skip',
                                                   confirmed_gone=['frontdesk-old'], journal=journal),
                              delete_uninstalled_and_gone_calls())
    assert result['changed'] is True
    seam.assert_done()
    _journal, (action,) = _journaled(tmp_path)
    assert action['action'] == 'delete Roaming Client record' and action['result'] == 'done'
    assert action['subjects'] == [{'type': 'roaming_client', 'id': 'a1', 'name': 'DESK-01'},
                                  {'type': 'roaming_client', 'id': 'a3', 'name': 'FRONTDESK-OLD'}]
    assert 'uninstall confirmed' in action['why'] and 'DESK-01' in action['why']
    assert 'device confirmed gone: FRONTDESK-OLD' in action['why']
    assert action['verify']['each'] == ['/v1/user_agents/a1', '/v1/user_agents/a3'] and action['verify']['gone'] is True
    # On resume the bulk write is done only when every record is gone.
    assert _journal.judge_now(action['verify'], lambda path: None) == 'done'
    assert _journal.judge_now(action['verify'], lambda path: {'id': 'a3'} if path.endswith('a3') else None) == 'unknown'


def test_a_queued_uninstall_is_journaled_per_agent_and_told_from_the_agent_on_resume(tmp_path):
    journal = {'path': str(tmp_path / 'journal.jsonl'), 'run': 'T-1-run'}
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', ids=['a1'], wait_uninstalled=5, poll_interval=0,
                                                   journal=journal), [
        *lists(A1),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        *lists(A1, uninstalling=[A1]),
        *lists(U1),
    ])
    assert result['changed'] is True
    seam.assert_done()
    _journal, (action,) = _journaled(tmp_path)
    assert (action['action'], action['method'], action['path']) == ('queue remote uninstall', 'DELETE', '/v1/user_agents/a1')
    assert action['subjects'] == [{'type': 'roaming_client', 'id': 'a1', 'name': 'DESK-01'}]
    assert 'uninstall remotely' in action['why']
    assert _journal.judge_now(action['verify'], lambda path: {'uninstall_queued_at': '2026-11-27T10:05:00Z'}) == 'done'
    # What a queued record shows is not published: a record without the attribute proves nothing either way.
    assert _journal.judge_now(action['verify'], lambda path: {'uninstall_queued_at': None}) == 'unknown'
    assert _journal.judge_now(action['verify'], lambda path: None) == 'done'


def test_check_mode_journals_nothing(tmp_path):
    journal = {'path': str(tmp_path / 'journal.jsonl'), 'run': 'plan'}
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all=True, journal=journal), lists(A1, A2, OLD),
                              check_mode=True)
    assert result['changed'] is True and all(m[0] == 'GET' for m in seam.made)
    assert not (tmp_path / 'journal.jsonl').exists()

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


def listing(*agents, status=None):
    query = [('organization_ids', '11'), ('page[number]', '1'), ('page[size]', '100')]
    if status:
        query.append(('status', status))
    return Call('GET', '/v1/user_agents', FakeResponse(200, {'data': list(agents)}), query=query)


A1 = agent('a1', 'DESK-01')
A2 = agent('a2', 'MAC-01', '2.1.0', agent_type='macos')
OLD = agent('a3', 'FRONTDESK-OLD', '1.9.4')
Q1 = agent('a1', 'DESK-01', queued='2026-11-27T10:05:00Z')
Q2 = agent('a2', 'MAC-01', '2.1.0', queued='2026-11-27T10:05:00Z', agent_type='macos')
U1 = agent('a1', 'DESK-01', status='uninstalled')
U2 = agent('a2', 'MAC-01', '2.1.0', status='uninstalled', agent_type='macos')


def test_selector_required():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled'), [])
    assert result['failed'] and 'all_agents' in result['msg'] and seam.made == []


def test_uninstall_check_mode_predicts_queue_and_outstanding_without_writes():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all_agents=True), [listing(A1, A2, OLD)], check_mode=True)
    assert result['changed'] is True
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'queued', 'a2': 'queued', 'a3': 'none'}
    assert [o['id'] for o in result['outstanding']] == ['a3'] and '1.9.4' in result['outstanding'][0]['reason']
    assert all(m[0] == 'GET' for m in seam.made)
    assert [r['removal_state'] for r in result['diff']['after']['roaming_clients']] == ['queued', 'queued', 'installed']
    seam.assert_done()


def test_uninstall_uses_one_bulk_job_with_only_capable_agents_and_verifies():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all_agents=True, poll_interval=0), [
        listing(A1, A2, OLD),
        Call('POST', '/v1/user_agent_bulk_deletes', FakeResponse(200, {'data': {'id': 5, 'completed': False}}),
             query=[('organization_id', '11'), ('queue_uninstall', 'true')], body={'ids': ['a1', 'a2']}),
        Call('GET', '/v1/user_agent_bulk_deletes/5', FakeResponse(200, {'data': {'id': 5, 'completed': True, 'count': 2}})),
        listing(Q1, Q2, OLD),
        listing(status='uninstalling'),
    ])
    assert result['changed'] is True and result['job']['count'] == 2
    assert [o['id'] for o in result['outstanding']] == ['a3']
    seam.assert_done()


def test_a_record_deleted_instead_of_queued_fails_loudly():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', hostnames=['desk-01'], poll_interval=0), [
        listing(A1, A2),
        Call('DELETE', '/v1/user_agents/a1', FakeResponse(204), query=[('queue_uninstall', 'true')]),
        listing(A2),
    ])
    assert result['failed'] and 're-register' in result['msg']
    seam.assert_done()


def test_uninstall_again_changes_nothing():
    result, seam = run_module(roaming_client, dict(ORG, state='uninstalled', all_agents=True), [
        listing(Q1, U2), listing(status='uninstalling')])
    assert result['changed'] is False
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'already_queued', 'a2': 'already_uninstalled'}
    seam.assert_done()


def test_delete_refuses_installed_agents_with_zero_writes():
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all_agents=True), [listing(U1, A2)])
    assert result['failed'] and 'would come back' in result['msg'] and 'MAC-01' in result['msg']
    assert all(m[0] == 'GET' for m in seam.made)


def test_delete_uninstalled_and_confirmed_gone_skip_the_rest():
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all_agents=True, on_installed='skip',
                                                   confirmed_gone=['frontdesk-old']), [
        listing(U1, A2, OLD),
        Call('POST', '/v1/user_agent_bulk_deletes', FakeResponse(200, {'data': {'id': 6, 'completed': True, 'count': 2}}),
             query=[('organization_id', '11')], body={'ids': ['a1', 'a3']}),
        Call('GET', '/v1/user_agent_bulk_deletes/6', FakeResponse(200, {'data': {'id': 6, 'completed': True, 'count': 2}})),
        listing(A2),
    ])
    assert result['changed'] is True
    assert [o['id'] for o in result['outstanding']] == ['a2']
    assert {r['id']: r['action'] for r in result['roaming_clients']} == {'a1': 'deleted', 'a2': 'none', 'a3': 'deleted'}
    seam.assert_done()
    result, seam = run_module(roaming_client, dict(ORG, state='absent', all_agents=True, on_installed='skip'), [listing(A2)])
    assert result['changed'] is False
    seam.assert_done()


def test_dequeue_only_what_is_still_queued():
    result, seam = run_module(roaming_client, dict(ORG, state='dequeued', ids=['a1', 'a2']), [
        listing(Q1, Q2), listing(Q2, status='uninstalling'),
        Call('POST', '/v1/user_agents/dequeue_uninstall', FakeResponse(200, {'success': True}), query=[('id', 'a1')]),
    ])
    assert result['changed'] is True
    assert result['outstanding'][0]['id'] == 'a2'
    seam.assert_done()


def test_info_counts_removal_states():
    result, seam = run_module(roaming_client_info, ORG, [listing(A1, Q2, agent('a4', 'OLD-02', status='uninstalled')), listing(status='uninstalling')])
    assert result['counts'] == {'installed': 1, 'queued': 1, 'uninstalling': 0, 'uninstalled': 1}
    seam.assert_done()


def test_many_organisations_in_one_task_with_one_bulk_job():
    def org_listing(org, *agents, status=None):
        query = [('organization_ids', str(org)), ('page[number]', '1'), ('page[size]', '100')]
        if status:
            query.append(('status', status))
        return Call('GET', '/v1/user_agents', FakeResponse(200, {'data': list(agents)}), query=query)
    other = agent('b1', 'FAB-WS-01')
    queued_other = agent('b1', 'FAB-WS-01', queued='2026-11-27T10:05:00Z')
    result, seam = run_module(roaming_client, {'organization_ids': [11, 12], 'all_agents': True, 'state': 'uninstalled', 'poll_interval': 0}, [
        org_listing(11, A1), org_listing(12, other),
        Call('POST', '/v1/user_agent_bulk_deletes', FakeResponse(200, {'data': {'id': 8, 'completed': True}}),
             query=[('queue_uninstall', 'true')], body={'ids': ['a1', 'b1']}),
        Call('GET', '/v1/user_agent_bulk_deletes/8', FakeResponse(200, {'data': {'id': 8, 'completed': True, 'count': 2}})),
        org_listing(11, Q1), org_listing(11, status='uninstalling'), org_listing(12, queued_other), org_listing(12, status='uninstalling'),
    ])
    assert result['changed'] is True
    assert {(r['id'], r['organization_id']) for r in result['roaming_clients']} == {('a1', 11), ('b1', 12)}
    seam.assert_done()


def test_one_scope_is_required():
    result, seam = run_module(roaming_client, {'state': 'uninstalled', 'all_agents': True}, [])
    assert result['failed'] and 'organization_id' in result['msg'] and seam.made == []

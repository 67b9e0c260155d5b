# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import agent_local_user, agent_local_user_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

LIST = '/v1/agent_local_users'


SID_JDOE = 'S-1-5-21-3623811015-3361044348-30300820-1104'
SID_ASMITH = 'S-1-5-21-3623811015-3361044348-30300820-1107'


def alu(ident, login, last_seen, sid, first_seen='2026-01-01T00:00:00Z'):
    return {'id': str(ident), 'type': 'agent_local_users', 'attributes': {
        'user_login': login, 'user_name': login.split('\\')[-1], 'user_remote_id': sid, 'first_seen': first_seen, 'last_seen': last_seen}}


# One domain account (one SID) reported under three spellings of its login, and another person.
JDOE = [alu(1, 'CONTOSO\\jdoe', '2026-11-20T09:00:00Z', SID_JDOE), alu(2, 'contoso\\JDoe', '2026-10-02T17:40:00Z', SID_JDOE),
        alu(3, 'jdoe@contoso.example', '2026-09-01T08:00:00Z', SID_JDOE), alu(4, 'CONTOSO\\asmith', '2026-11-21T08:00:00Z', SID_ASMITH)]


def listing(users):
    return Call('GET', LIST, FakeResponse(200, {'data': users}))


def test_info_groups_one_person_newest_first():
    result, seam = run_module(agent_local_user_info, {'organization_ids': [11]}, [listing(JDOE)])
    assert list(result['duplicates']) == ['11/SID ' + SID_JDOE]
    assert [u['id'] for u in result['duplicates']['11/SID ' + SID_JDOE]] == ['1', '2', '3']
    seam.assert_done()


def test_dedupe_check_mode_predicts_and_writes_nothing():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [listing(JDOE)], check_mode=True)
    assert result['changed'] is True
    assert [u['id'] for u in result['removed']] == ['2', '3']
    assert [u['id'] for u in result['kept']] == ['1']
    assert [m[0] for m in seam.made] == ['GET']
    assert [u['id'] for u in result['diff']['after']['users']] == ['1', '4']
    seam.assert_done()


def test_dedupe_uses_one_bulk_job_waits_and_verifies():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [
        listing(JDOE),
        Call('POST', '/v1/agent_local_user_bulk_deletes', FakeResponse(202, {'id': 'job-1', 'status': 'pending'}), body={'ids': [2, 3]}),
        Call('GET', '/v1/agent_local_user_bulk_deletes/job-1', FakeResponse(200, {'id': 'job-1', 'status': 'pending'})),
        Call('GET', '/v1/agent_local_user_bulk_deletes/job-1', FakeResponse(200, {'data': {'id': 'job-1', 'attributes': {'completed': True}}})),
        listing([JDOE[0], JDOE[3]]),
    ])
    assert result['changed'] is True and not result.get('failed')
    assert result['job']['completed'] is True
    seam.assert_done()


def test_second_run_changes_nothing():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [listing([JDOE[0], JDOE[3]])])
    assert result['changed'] is False and result['removed'] == []
    seam.assert_done()


def test_failed_job_fails_loudly():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'account_names': ['jdoe'], 'state': 'absent'}, [
        listing(JDOE),
        Call('POST', '/v1/agent_local_user_bulk_deletes', FakeResponse(202, {'id': 'job-2', 'status': 'pending'})),
        Call('GET', '/v1/agent_local_user_bulk_deletes/job-2', FakeResponse(200, {'id': 'job-2', 'status': 'failed'})),
    ])
    assert result['failed'] and 'failed' in result['msg']
    seam.assert_done()


def test_single_user_deleted_directly_and_a_survivor_is_an_error():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'user_logins': ['contoso\\ASMITH'], 'state': 'absent'}, [
        listing(JDOE),
        Call('DELETE', '/v1/agent_local_users/4', FakeResponse(204)),
        listing(JDOE),
    ])
    assert result['failed'] and 'still there: 4' in result['msg']
    seam.assert_done()


def test_absent_without_a_selector_is_refused_before_any_call():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'absent'}, [])
    assert result['failed'] and 'state is absent' in result['msg']
    assert seam.made == []


def test_last_seen_before_selects_stale_users():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'last_seen_before': '2026-10-15', 'state': 'absent'},
                              [listing(JDOE)], check_mode=True)
    assert [u['id'] for u in result['removed']] == ['2', '3']
    seam.assert_done()

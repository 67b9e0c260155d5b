# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Users are told apart by account, not by display name: look-alikes that must never be merged or taken together.

An account is its SID (user_remote_id) where the API gives one; without one, its full login on the same devices
(the devices come from GET /v1/agent_local_users?user_agent_uuids=..., one roaming client at a time).
"""

from __future__ import annotations

import pytest

from ansible_collections.msp.dnsfilter.plugins.modules import agent_local_user, agent_local_user_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

LIST = '/v1/agent_local_users'
SID_DESK = 'S-1-5-21-1111111111-2222222222-3333333333-500'
SID_FRONT = 'S-1-5-21-4444444444-5555555555-6666666666-500'
SID_JDOE = 'S-1-5-21-3623811015-3361044348-30300820-1104'


def alu(ident, login, last_seen, sid=None, first_seen='2026-01-01T00:00:00Z'):
    return {'id': str(ident), 'type': 'agent_local_users', 'attributes': {
        'user_login': login, 'user_name': login.split('\\')[-1], 'user_remote_id': sid,
        'first_seen': first_seen, 'last_seen': last_seen}}


def listing(users):
    return Call('GET', LIST, FakeResponse(200, {'data': users}))


def agent(ident, uuid, hostname):
    return {'id': ident, 'type': 'user_agents', 'uuid': uuid, 'attributes': {'hostname': hostname}}


def agents(*items):
    return Call('GET', '/v1/user_agents', FakeResponse(200, {'data': list(items)}),
                query=[('organization_ids', '11'), ('page[number]', '1'), ('page[size]', '100')])


def users_on(item, users):
    """The Users DNSFilter associates with one roaming client (both of its identifiers are sent)."""
    return Call('GET', LIST, FakeResponse(200, {'data': users}), query=[
        ('organization_ids', '11'), ('user_agent_uuids', item['id']), ('user_agent_uuids', item['uuid']),
        ('page[number]', '1'), ('page[size]', '100')])


def ids(rows):
    return [row['id'] for row in rows]


KIOSK = agent('a1a1a1a1-0000-4000-8000-000000000001', '0198a454-0000-7000-8000-000000000001', 'KIOSK-01')
LAB = agent('a1a1a1a1-0000-4000-8000-000000000002', '0198a454-0000-7000-8000-000000000002', 'LAB-02')

ADMINS = [alu(1, 'DESK-07\\admin', '2026-11-20T09:00:00Z', SID_DESK), alu(2, 'FRONTDESK-01\\admin', '2026-11-21T09:00:00Z', SID_FRONT),
          alu(9, 'CONTOSO\\radtech', '2026-11-21T10:00:00Z', 'S-1-5-21-3623811015-3361044348-30300820-1105')]


# --- deduplicated: what is a duplicate ------------------------------------------------------------------------

def test_same_login_on_two_devices_with_different_sids_is_not_a_duplicate():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [listing(ADMINS)])
    assert result['changed'] is False and result['removed'] == [] and result['kept'] == []
    assert [m[0] for m in seam.made] == ['GET']
    seam.assert_done()


def test_same_full_login_with_different_sids_is_not_a_duplicate():
    # DESK-07 was re-imaged: a new local admin account, with a new SID, under the same login.
    users = [alu(1, 'DESK-07\\admin', '2026-11-20T09:00:00Z', SID_DESK), alu(2, 'desk-07\\Admin', '2026-03-01T09:00:00Z', SID_FRONT)]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [listing(users)])
    assert result['changed'] is False and result['removed'] == []
    seam.assert_done()


def test_same_sid_under_another_login_is_a_duplicate_and_the_plan_says_why():
    # One domain account, renamed once and reported once in another case: one SID, three records.
    users = [alu(1, 'CONTOSO\\jdoe', '2026-11-20T09:00:00Z', SID_JDOE), alu(2, 'CONTOSO\\john.doe', '2026-10-02T17:40:00Z', SID_JDOE),
             alu(3, 'contoso\\JDOE', '2026-09-01T08:00:00Z', SID_JDOE.lower()), ADMINS[2]]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [listing(users)], check_mode=True)
    assert result['changed'] is True
    assert ids(result['removed']) == ['2', '3'] and ids(result['kept']) == ['1']
    for row in result['removed']:
        assert row['duplicate_of'] == '1' and 'same SID %s' % SID_JDOE in row['reason']
    assert ids(result['diff']['before']['users']) == ['1', '2', '3', '9'] and ids(result['diff']['after']['users']) == ['1', '9']
    assert [(r['id'], r['reason']) for r in result['diff']['after']['removed']] == [(r['id'], r['reason']) for r in result['removed']]
    assert [m[0] for m in seam.made] == ['GET']
    seam.assert_done()


def test_same_login_without_sid_on_the_same_devices_is_a_duplicate():
    users = [alu(1, 'KIOSK-01\\frontdesk', '2026-11-20T09:00:00Z'), alu(2, 'kiosk-01\\FrontDesk ', '2026-08-01T09:00:00Z'), ADMINS[2]]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [
        listing(users), agents(KIOSK), users_on(KIOSK, users[:2])], check_mode=True)
    assert ids(result['removed']) == ['2'] and ids(result['kept']) == ['1']
    assert 'same login KIOSK-01\\frontdesk on the same devices (KIOSK-01)' in result['removed'][0]['reason']
    seam.assert_done()


def test_same_login_without_sid_on_different_devices_is_not_a_duplicate():
    users = [alu(1, 'CONTOSO\\temp', '2026-11-20T09:00:00Z'), alu(2, 'CONTOSO\\temp', '2026-08-01T09:00:00Z')]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [
        listing(users), agents(KIOSK, LAB), users_on(KIOSK, [users[0]]), users_on(LAB, [users[1]])])
    assert result['changed'] is False and result['removed'] == []
    seam.assert_done()


def test_same_login_without_sid_and_no_known_device_is_not_a_duplicate():
    # Nothing proves two SID-less records without a device are one account.
    users = [alu(1, 'CONTOSO\\temp', '2026-11-20T09:00:00Z'), alu(2, 'CONTOSO\\temp', '2026-08-01T09:00:00Z')]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [
        listing(users), agents(KIOSK), users_on(KIOSK, [])])
    assert result['changed'] is False and result['removed'] == []
    seam.assert_done()


def test_a_record_with_a_sid_and_one_without_are_not_merged():
    users = [alu(1, 'CONTOSO\\jdoe', '2026-11-20T09:00:00Z', SID_JDOE), alu(2, 'CONTOSO\\jdoe', '2026-08-01T09:00:00Z')]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated'}, [listing(users)])
    assert result['changed'] is False and result['removed'] == []
    seam.assert_done()


def test_check_mode_plans_exactly_the_pairs_the_real_run_removes():
    users = [alu(11, 'CONTOSO\\jdoe', '2026-11-20T09:00:00Z', SID_JDOE), alu(12, 'CONTOSO\\john.doe', '2026-10-02T17:40:00Z', SID_JDOE),
             alu(13, 'KIOSK-01\\frontdesk', '2026-11-20T09:00:00Z'), alu(14, 'KIOSK-01\\frontdesk', '2026-07-01T09:00:00Z'),
             alu(15, 'CONTOSO\\temp', '2026-11-20T09:00:00Z'), alu(16, 'CONTOSO\\temp', '2026-08-01T09:00:00Z')] + ADMINS
    args = {'organization_ids': [11], 'state': 'deduplicated'}
    # KIOSK-01\frontdesk (13, 14) is on KIOSK-01 and LAB-02 both; CONTOSO\temp 15 on KIOSK-01, 16 on LAB-02: not one account.
    reads = [listing(users), agents(KIOSK, LAB), users_on(KIOSK, [users[2], users[3], users[4]]), users_on(LAB, [users[2], users[3], users[5]])]
    plan, seam = run_module(agent_local_user, args, reads, check_mode=True)
    seam.assert_done()
    assert [m[0] for m in seam.made] == ['GET'] * 4
    planned = [(r['id'], r['duplicate_of'], r['reason']) for r in plan['removed']]
    assert [p[:2] for p in planned] == [('12', '11'), ('14', '13')]
    reads = [listing(users), agents(KIOSK, LAB), users_on(KIOSK, [users[2], users[3], users[4]]), users_on(LAB, [users[2], users[3], users[5]])]
    done, seam = run_module(agent_local_user, args, reads + [
        Call('POST', '/v1/agent_local_user_bulk_deletes', FakeResponse(202, {'id': 'job-1', 'status': 'pending'}), body={'ids': [12, 14]}),
        Call('GET', '/v1/agent_local_user_bulk_deletes/job-1', FakeResponse(200, {'id': 'job-1', 'status': 'completed'})),
        listing([u for u in users if u['id'] not in ('12', '14')]),
    ])
    seam.assert_done()
    assert done['changed'] is True and not done.get('failed')
    assert [(r['id'], r['duplicate_of'], r['reason']) for r in done['removed']] == planned
    assert done['removed_ids'] == plan['removed_ids'] == ['12', '14']
    assert done['diff'] == plan['diff']


def test_account_name_key_is_an_explicit_opt_in():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'state': 'deduplicated', 'duplicate_key': 'account_name'},
                              [listing(ADMINS)], check_mode=True)
    assert ids(result['removed']) == ['1'] and ids(result['kept']) == ['2']
    assert 'account name admin' in result['removed'][0]['reason']
    seam.assert_done()


# --- absent: selecting one person's Users by a typed name -----------------------------------------------------

def test_an_ambiguous_account_name_is_refused_with_every_candidate_and_no_write():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'account_names': ['admin'], 'state': 'absent'},
                              [listing(ADMINS)])
    assert result['failed'] and result['changed'] is False
    for text in ('DESK-07\\admin', 'FRONTDESK-01\\admin', SID_DESK, SID_FRONT, '2026-11-20T09:00:00Z', 'user_logins', 'all_accounts'):
        assert text in result['msg'], text
    [refusal] = result['candidates']
    assert refusal['account_name'] == 'admin'
    assert sorted(ids(a['records'])[0] for a in refusal['accounts']) == ['1', '2']
    assert [m[0] for m in seam.made] == ['GET']
    seam.assert_done()


def test_an_ambiguous_account_name_refuses_the_whole_task():
    # The unambiguous name beside it is not removed either: the task changes nothing.
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'account_names': ['radtech', 'admin'], 'state': 'absent'},
                              [listing(ADMINS)])
    assert result['failed'] and result['changed'] is False
    assert [c['account_name'] for c in result['candidates']] == ['admin']
    assert [m[0] for m in seam.made] == ['GET']
    seam.assert_done()


def test_a_full_login_matching_two_accounts_is_refused():
    users = [alu(1, 'DESK-07\\admin', '2026-11-20T09:00:00Z', SID_DESK), alu(2, 'desk-07\\Admin ', '2026-03-01T09:00:00Z', SID_FRONT)]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'user_logins': ['DESK-07\\admin'], 'state': 'absent'},
                              [listing(users)])
    assert result['failed'] and SID_DESK in result['msg'] and SID_FRONT in result['msg']
    assert [m[0] for m in seam.made] == ['GET']
    seam.assert_done()


def test_a_full_login_selects_that_login_only_whatever_its_case_spaces_or_unicode_form():
    users = ADMINS + [alu(7, 'CONTOSO\\jos\u00e9', '2026-11-01T09:00:00Z', 'S-1-5-21-3623811015-3361044348-30300820-1200')]
    result, seam = run_module(agent_local_user, {
        'organization_ids': [11], 'user_logins': [' frontdesk-01\\ADMIN ', 'contoso\\JOSE\u0301'], 'state': 'absent', 'bulk_threshold': 3}, [
        listing(users),
        Call('DELETE', '/v1/agent_local_users/2', FakeResponse(204)),
        Call('DELETE', '/v1/agent_local_users/7', FakeResponse(204)),
        listing([]),
    ], check_mode=False)
    assert not result.get('failed'), result.get('msg')
    assert result['removed_ids'] == ['2', '7']
    assert result['removed'][0]['reason'] == 'login FRONTDESK-01\\admin'
    seam.assert_done()


def test_a_full_login_takes_its_account_under_another_login_too():
    # CONTOSO\\john.doe was renamed CONTOSO\\jdoe: one SID, so one account, and the leaver's records all go.
    users = [alu(1, 'CONTOSO\\jdoe', '2026-11-20T09:00:00Z', SID_JDOE), alu(2, 'CONTOSO\\john.doe', '2026-10-02T17:40:00Z', SID_JDOE),
             ADMINS[2]]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'user_logins': ['CONTOSO\\jdoe'], 'state': 'absent'},
                              [listing(users)], check_mode=True)
    assert result['removed_ids'] == ['1', '2']
    assert result['removed'][1]['reason'] == 'same SID %s as user login CONTOSO\\jdoe' % SID_JDOE
    seam.assert_done()


def test_a_full_login_that_is_gone_changes_nothing_and_says_so():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'user_logins': ['DESK-07\\jdoe'], 'state': 'absent'},
                              [listing(ADMINS)])
    assert result['changed'] is False and result['removed'] == []
    assert result['not_found'] == [{'user_login': 'DESK-07\\jdoe'}]
    seam.assert_done()


def test_ids_name_the_accounts_exactly():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'ids': ['1'], 'account_names': ['admin'], 'state': 'absent'},
                              [listing(ADMINS)], check_mode=True)
    assert not result.get('failed') and result['removed_ids'] == ['1']
    seam.assert_done()


def test_match_all_accounts_takes_every_account_of_the_name():
    result, seam = run_module(agent_local_user, {
        'organization_ids': [11], 'account_names': ['admin'], 'match': 'all_accounts', 'state': 'absent'},
        [listing(ADMINS)], check_mode=True)
    assert result['changed'] is True and result['removed_ids'] == ['1', '2']
    assert result['removed'][0]['reason'] == 'account name admin (match=all_accounts)'
    seam.assert_done()


def test_sid_less_records_of_one_login_on_the_same_devices_are_one_account():
    users = [alu(3, 'KIOSK-01\\frontdesk', '2026-11-20T09:00:00Z'), alu(4, 'KIOSK-01\\frontdesk', '2026-07-01T09:00:00Z')]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'account_names': ['frontdesk'], 'state': 'absent'}, [
        listing(users), agents(KIOSK), users_on(KIOSK, users)], check_mode=True)
    assert not result.get('failed') and result['removed_ids'] == ['3', '4']
    seam.assert_done()


def test_sid_less_records_of_one_login_on_different_devices_are_ambiguous():
    users = [alu(5, 'CONTOSO\\temp', '2026-11-20T09:00:00Z'), alu(6, 'CONTOSO\\temp', '2026-08-01T09:00:00Z')]
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'user_logins': ['CONTOSO\\temp'], 'state': 'absent'}, [
        listing(users), agents(KIOSK, LAB), users_on(KIOSK, [users[0]]), users_on(LAB, [users[1]])])
    assert result['failed'] and 'KIOSK-01' in result['msg'] and 'LAB-02' in result['msg']
    assert [m[0] for m in seam.made] == ['GET'] * 4
    seam.assert_done()


def test_names_are_never_matched_across_organisations():
    result, seam = run_module(agent_local_user, {'organization_ids': [11, 12], 'account_names': ['radtech'], 'state': 'absent'}, [])
    assert result['failed'] and 'one organisation' in result['msg']
    assert seam.made == []


def test_an_account_name_that_is_a_full_login_is_refused_before_any_call():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'account_names': ['DESK-07\\admin'], 'state': 'absent'}, [])
    assert result['failed'] and 'user_logins' in result['msg']
    assert seam.made == []


def test_an_empty_name_is_refused_before_any_call():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'user_logins': ['  '], 'state': 'absent'}, [])
    assert result['failed'] and 'empty' in result['msg']
    assert seam.made == []


@pytest.mark.parametrize('empty', [{'ids': []}, {'user_logins': []}, {'account_names': []}, {'user_logins': [], 'account_names': []}])
def test_a_selector_given_as_an_empty_list_selects_nothing_never_everything(empty):
    # An inventory variable that came out empty must not turn "remove these" into "remove every User".
    result, seam = run_module(agent_local_user, dict({'organization_ids': [11], 'state': 'absent'}, **empty), [listing(ADMINS)])
    assert not result.get('failed') and result['changed'] is False and result['removed'] == []
    assert [m[0] for m in seam.made] == ['GET']
    seam.assert_done()


def test_state_is_required():
    result, seam = run_module(agent_local_user, {'organization_ids': [11], 'account_names': ['radtech']}, [])
    assert result['failed'] and 'state' in result['msg']
    assert seam.made == []


# --- agent_local_user_info: evidence of the accounts ----------------------------------------------------------

def test_info_groups_duplicates_by_account():
    users = [alu(11, 'CONTOSO\\jdoe', '2026-11-20T09:00:00Z', SID_JDOE), alu(12, 'CONTOSO\\john.doe', '2026-10-02T17:40:00Z', SID_JDOE)] + ADMINS
    result, seam = run_module(agent_local_user_info, {'organization_ids': [11]}, [listing(users)])
    assert list(result['duplicates']) == ['11/SID %s' % SID_JDOE]
    assert ids(result['duplicates']['11/SID %s' % SID_JDOE]) == ['11', '12']
    accounts = {u['id']: u['identity'] for u in result['users']}
    assert accounts['11'] == accounts['12'] == 'SID %s' % SID_JDOE
    assert accounts['1'] == 'SID %s' % SID_DESK and accounts['2'] == 'SID %s' % SID_FRONT
    seam.assert_done()


def test_info_lists_an_account_name_across_accounts_without_refusing():
    result, seam = run_module(agent_local_user_info, {'organization_ids': [11], 'account_names': ['ADMIN ']}, [listing(ADMINS)])
    assert ids(result['users']) == ['1', '2'] and result['duplicates'] == {}
    seam.assert_done()

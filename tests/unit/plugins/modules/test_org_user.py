# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import org_user
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module as run_exactly

MSP = 4000100
CUST = 4000101
BOB = {'id': 5000042, 'email': 'bob@northwind.example', 'name': 'Bob Jones', 'role': 'administrator',
       'organization_permission_ids': [], 'is_include_only_list': False, 'auth0_sub': 'auth0|x'}
OWNER = {'id': 5000001, 'email': 'owner@northwind.example', 'name': 'Olga Owner', 'role': 'owner'}
BOT = {'id': 5000009, 'email': 'automation@northwind.example', 'name': 'Automation', 'role': 'super_administrator'}
GLASS = {'id': 5000003, 'email': 'breakglass@northwind.example', 'name': 'Break Glass', 'role': 'super_administrator'}
ATTEST = 'ticket 1234: Bob revoked his 2 keys on 2026-11-27'


def run_module(module, args, calls, **kwargs):
    """Most tests here remove: state=absent unless the test says otherwise (state is a required option)."""
    return run_exactly(module, dict({'state': 'absent'}, **args), calls, **kwargs)


def org(ident, name, msp=None):
    return {'id': str(ident), 'type': 'organizations', 'attributes': {'name': name, 'managed_by_msp_id': msp}}


def orgs_call(*orgs):
    return Call('GET', '/v1/organizations', FakeResponse(200, {'data': list(orgs)}),
                query=[('page[number]', '1'), ('page[size]', '100')])


def users_call(org_id, *users):
    return Call('GET', '/v1/organizations/%s/users' % org_id, FakeResponse(200, {'users': [dict(u) for u in users]}))


def org_call(org_id, name):
    return Call('GET', '/v1/organizations/%s' % org_id, FakeResponse(200, {'data': org(org_id, name)}))


def me_call(user=None):
    user = user or BOT
    attributes = {'email': user['email'], 'name': user['name'], 'intercom_user_verification': 'secret'}
    return Call('GET', '/v1/current_user', FakeResponse(200, {'data': {
        'id': str(user['id']), 'type': 'users', 'attributes': attributes}}))


def delete_call(org_id, user_id):
    return Call('DELETE', '/v1/organizations/%s/users/%s' % (org_id, user_id), FakeResponse(204))


def all_orgs_reads(bob_in_customer=True):
    return [
        orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)),
        users_call(MSP, OWNER, BOT, GLASS, BOB),
        users_call(CUST, OWNER, BOT, *([dict(BOB, role='read_only')] if bob_in_customer else [])),
    ]


def writes(result_seam):
    return [m for m in result_seam.made if m[0] != 'GET']


def test_departing_technician_removed_everywhere_in_one_task():
    args = {'email': 'BOB@northwind.example', 'all_organizations': True, 'api_keys_attestation': ATTEST,
            'protected_users': ['breakglass@northwind.example']}
    result, seam = run_module(org_user, args, all_orgs_reads() + [
        me_call(), delete_call(MSP, BOB['id']), delete_call(CUST, BOB['id']),
        users_call(MSP, OWNER, BOT, GLASS), users_call(CUST, OWNER, BOT)])
    seam.assert_done()
    assert result['changed'] is True and not result.get('failed')
    assert [(c['action'], c['organization_id'], c['role_before']) for c in result['changes']] == [
        ('removed', str(MSP), 'administrator'), ('removed', str(CUST), 'read_only')]
    assert result['memberships'] == [] and result['not_found'] == []
    assert result['diff']['before']['memberships'][0] == {
        'organization_id': str(MSP), 'organization_name': 'Northwind MSP', 'user_id': str(BOB['id']),
        'email': 'bob@northwind.example', 'role': 'administrator'}
    assert result['diff']['after'] == {'memberships': []}
    assert result['api_keys_gate'] == {'satisfied_by': 'attestation', 'attestation': ATTEST, 'evidence': []}
    assert result['caller'] == {'id': str(BOT['id']), 'email': BOT['email'], 'name': BOT['name']}


def test_check_mode_reports_the_same_and_writes_nothing():
    args = {'email': 'bob@northwind.example', 'all_organizations': True, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, all_orgs_reads() + [me_call()], check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []
    assert len(result['changes']) == 2 and result['diff']['after'] == {'memberships': []}


def test_already_absent_is_no_change_and_needs_no_attestation():
    args = {'email': 'bob@northwind.example', 'all_organizations': True}
    calls = [orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)),
             users_call(MSP, OWNER, BOT), users_call(CUST, OWNER, BOT)]
    result, seam = run_module(org_user, args, calls)
    seam.assert_done()
    assert result['changed'] is False and result['changes'] == [] and writes(seam) == []
    assert result['api_keys_gate']['satisfied_by'] == 'nothing_removed'
    assert result['not_found'] == ['bob@northwind.example']


def test_already_absent_in_check_mode():
    args = {'user_id': [BOB['id']], 'organization_id': CUST}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER)],
                              check_mode=True)
    seam.assert_done()
    assert result['changed'] is False and writes(seam) == []


def test_a_404_on_delete_counts_as_removed():
    args = {'user_id': BOB['id'], 'organization_id': CUST, 'require_api_keys_revoked': False}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB), me_call(),
        Call('DELETE', '/v1/organizations/%s/users/%s' % (CUST, BOB['id']), FakeResponse(404, {'error': 'Not found'})),
        users_call(CUST, OWNER)])
    seam.assert_done()
    assert result['changed'] is True and result['api_keys_gate']['satisfied_by'] == 'not_required'


def test_refuses_to_remove_the_caller():
    args = {'email': [BOT['email'], 'bob@northwind.example'], 'all_organizations': True, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, all_orgs_reads() + [me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == [] and result['changed'] is False
    assert "API key's own user" in result['msg'] and 'no write was made' in result['msg']


def test_refuses_to_remove_the_last_owner():
    args = {'email': OWNER['email'], 'organization_id': CUST, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOT), me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == []
    assert 'without an owner' in result['msg']


def test_an_owner_may_go_when_another_owner_stays():
    second = dict(OWNER, id=5000002, email='owner2@northwind.example')
    args = {'email': OWNER['email'], 'organization_id': CUST, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, second), me_call(), delete_call(CUST, OWNER['id']),
        users_call(CUST, second)])
    seam.assert_done()
    assert result['changed'] is True


def test_refuses_to_remove_a_protected_user_even_in_one_of_many_organisations():
    args = {'email': [GLASS['email'], BOB['email']], 'all_organizations': True, 'api_keys_attestation': ATTEST,
            'protected_users': ['BreakGlass@northwind.example']}
    result, seam = run_module(org_user, args, all_orgs_reads() + [me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == []
    assert 'protected_users' in result['msg'] and 'breakglass@northwind.example' in result['msg']


def test_refuses_without_attestation_or_proof():
    args = {'email': BOB['email'], 'all_organizations': True}
    result, seam = run_module(org_user, args, all_orgs_reads() + [me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == []
    assert 'only that user can revoke them' in result['msg'] and 'api_keys_attestation' in result['msg']


def test_refuses_with_a_blank_attestation():
    args = {'email': BOB['email'], 'organization_id': CUST, 'api_keys_attestation': '   '}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, BOB), me_call()])
    assert result['failed'] and writes(seam) == []


# The API-key proof the gate accepts is tested in test_org_user_key_gate.py.


def test_organisation_name_guard_stops_before_reading_users():
    args = {'email': BOB['email'], 'organization_id': CUST, 'organization_name': 'Fabrikam'}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental')])
    seam.assert_done()
    assert result['failed'] and "not 'Fabrikam'" in result['msg']


def test_invisible_organisation_in_a_list_fails_before_any_write():
    args = {'email': BOB['email'], 'organization_ids': [MSP, 999], 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [
        org_call(MSP, 'Northwind MSP'),
        Call('GET', '/v1/organizations/999', FakeResponse(404, {'error': 'Not found'}))])
    seam.assert_done()
    assert result['failed'] and 'was not found' in result['msg'] and writes(seam) == []


def test_a_failed_write_says_what_was_done():
    args = {'email': BOB['email'], 'all_organizations': True, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, all_orgs_reads() + [
        me_call(), delete_call(MSP, BOB['id']),
        Call('DELETE', '/v1/organizations/%s/users/%s' % (CUST, BOB['id']), FakeResponse(403, {'error': 'Forbidden'}))])
    seam.assert_done()
    assert result['failed'] and result['changed'] is True
    assert '1 of 2' in result['msg'] and len(result['removed_before_failure']) == 1 and len(result['planned']) == 2
    assert result['removed_before_failure'][0]['organization_id'] == str(MSP)


def test_present_adds_and_changes_roles_then_is_idempotent():
    carol = {'id': 5000077, 'email': 'carol@contoso.example', 'name': 'Carol', 'role': 'administrator'}
    args = {'email': ['carol@contoso.example', 'dan@contoso.example'], 'organization_id': CUST, 'state': 'present',
            'role': 'read_only'}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, carol), me_call(),
        Call('PATCH', '/v1/organizations/%s/users/%s' % (CUST, carol['id']), FakeResponse(200, {
            'id': carol['id'], 'type': 'users', 'attributes': {'role': 'read_only'}}),
            body={'user': {'role': 'read_only'}}),
        Call('POST', '/v1/organizations/%s/users' % CUST, FakeResponse(201, {
            'id': 9999903, 'type': 'users', 'attributes': {'email': 'dan@contoso.example', 'role': 'read_only'}}),
            body={'user': {'email': 'dan@contoso.example', 'role': 'read_only'}}),
    ])
    seam.assert_done()
    assert result['changed'] is True
    assert [(c['action'], c['user_id']) for c in result['changes']] == [
        ('role_changed', str(carol['id'])), ('added', '9999903')]
    assert sorted((m['email'], m['role'], m['user_id']) for m in result['memberships']) == [
        ('carol@contoso.example', 'read_only', str(carol['id'])), ('dan@contoso.example', 'read_only', '9999903')]
    assert result['api_keys_gate']['satisfied_by'] == 'nothing_removed'

    dan = {'id': 9999903, 'email': 'dan@contoso.example', 'name': 'Dan', 'role': 'read_only'}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, dict(carol, role='read_only'), dan)])
    seam.assert_done()
    assert result['changed'] is False and result['changes'] == []


def test_present_in_check_mode_writes_nothing():
    args = {'email': 'dan@contoso.example', 'organization_id': CUST, 'state': 'present', 'role': 'read_only'}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER)],
                              check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []
    assert result['diff']['after']['memberships'][0]['email'] == 'dan@contoso.example'


def test_present_refuses_to_demote_the_last_owner_or_the_caller():
    for who, why in ((OWNER, 'without an owner'), (BOT, "API key's own user")):
        args = {'email': who['email'], 'organization_id': CUST, 'state': 'present', 'role': 'read_only'}
        result, seam = run_module(org_user, args, [
            org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOT), me_call()])
        seam.assert_done()
        assert result['failed'] and why in result['msg'] and writes(seam) == []


def test_present_by_id_of_a_non_member_asks_for_the_email():
    args = {'user_id': 123, 'organization_id': CUST, 'state': 'present', 'role': 'read_only'}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER)])
    seam.assert_done()
    assert result['failed'] and 'give email' in result['msg']


def test_bad_parameters_fail_without_calls():
    for args, why in (
            ({'email': BOB['email']}, 'Say where to act'),
            ({'email': BOB['email'], 'organization_id': 1, 'all_organizations': True}, 'mutually exclusive'),
            ({'email': BOB['email'], 'organization_id': 1, 'state': 'present'}, 'role'),
            ({'organization_id': 1}, 'Name the users'),
            ({'organization_id': 1, 'all_users': True, 'email': BOB['email']}, 'not with email'),
            ({'email': BOB['email'], 'organization_id': 1, 'state': 'present', 'role': 'owner'}, 'value of role'),
    ):
        result, seam = run_module(org_user, args, [])
        assert result['failed'] and why in result['msg'], (args, result['msg'])
        assert seam.made == []
    result, seam = run_exactly(org_user, {'email': BOB['email'], 'organization_id': 1}, [])
    assert result['failed'] and 'state' in result['msg'] and seam.made == [], 'state is required: nothing removes by default'


def test_json_api_shaped_user_lists_are_read_too():
    listing = {'data': [{'id': str(BOB['id']), 'type': 'users', 'attributes': {
        'email': BOB['email'], 'name': BOB['name'], 'role': 'administrator'}}]}
    args = {'email': BOB['email'], 'organization_id': CUST, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'),
        Call('GET', '/v1/organizations/%s/users' % CUST, FakeResponse(200, listing)),
        me_call(), delete_call(CUST, BOB['id']), users_call(CUST)])
    seam.assert_done()
    assert result['changed'] is True and result['changes'][0]['user_id'] == str(BOB['id'])


def test_two_owners_removed_in_one_task_is_refused_on_the_state_after():
    second = dict(OWNER, id=5000002, email='owner2@northwind.example')
    args = {'email': [OWNER['email'], second['email']], 'organization_id': CUST, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, second, BOT), me_call()])
    seam.assert_done()
    assert result['failed'] and writes(seam) == [] and result['changed'] is False
    assert 'without an owner' in result['msg'] and OWNER['email'] in result['msg'] and second['email'] in result['msg']


def test_case_twin_emails_of_two_users_are_refused_with_both():
    twin = dict(BOB, id=5000043, email='Bob@Northwind.example', name='Bob Jonas')
    for typed in ('bob@northwind.example', 'Bob@Northwind.example', 'BOB@NORTHWIND.EXAMPLE'):
        args = {'email': typed, 'all_organizations': True, 'api_keys_attestation': ATTEST}
        result, seam = run_module(org_user, args, [
            orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)),
            users_call(MSP, OWNER, BOT, BOB), users_call(CUST, OWNER, BOT, twin)])
        seam.assert_done()
        assert result['failed'] and writes(seam) == []
        assert str(BOB['id']) in result['msg'] and str(twin['id']) in result['msg'] and 'user_id' in result['msg']
        assert sorted(c['id'] for c in result['candidates']) == [str(BOB['id']), str(twin['id'])]


def test_a_user_named_by_id_is_removed_and_its_case_twin_is_not():
    twin = dict(BOB, id=5000043, email='Bob@Northwind.example')
    args = {'user_id': [BOB['id']], 'all_organizations': True, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [
        orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)),
        users_call(MSP, OWNER, BOT, BOB), users_call(CUST, OWNER, BOT, twin), me_call(),
        delete_call(MSP, BOB['id']), users_call(MSP, OWNER, BOT)])
    seam.assert_done()
    assert [(c['organization_id'], c['user_id']) for c in result['changes']] == [(str(MSP), str(BOB['id']))]


def test_all_users_removes_every_member_but_the_caller_and_the_protected_and_proves_it():
    args = {'all_users': True, 'organization_id': CUST, 'protected_users': [GLASS['email'].upper()], 'api_keys_attestation': ATTEST}
    dana = {'id': 5000077, 'email': 'dana@contoso.example', 'name': 'Dana', 'role': 'read_only'}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'), users_call(CUST, BOT, GLASS, dana, BOB), me_call(), me_call(),
        delete_call(CUST, dana['id']), delete_call(CUST, BOB['id']), users_call(CUST, BOT, GLASS)])
    seam.assert_done()
    assert [c['user_id'] for c in result['changes']] == [str(dana['id']), str(BOB['id'])]
    assert sorted(k['reason'] for k in result['kept']) == sorted(["the API key's own user", 'in protected_users'])


def test_a_removal_that_did_not_take_fails_the_task():
    args = {'email': BOB['email'], 'organization_id': CUST, 'api_keys_attestation': ATTEST}
    result, seam = run_module(org_user, args, [
        org_call(CUST, 'Contoso Dental'), users_call(CUST, OWNER, BOB), me_call(), delete_call(CUST, BOB['id']),
        users_call(CUST, OWNER, BOB)])
    seam.assert_done()
    assert result['failed'] and 'still there' in result['msg']


def test_each_removal_is_journaled_with_the_user_the_organisation_and_the_rule_that_allowed_it(tmp_path):
    from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal
    path = str(tmp_path / 'journal.jsonl')
    args = {'email': 'bob@northwind.example', 'all_organizations': True, 'api_keys_attestation': ATTEST,
            'journal': {'path': path, 'run': 'T-1001-run'}}
    result, seam = run_module(org_user, args, all_orgs_reads() + [
        me_call(), delete_call(MSP, BOB['id']), delete_call(CUST, BOB['id']),
        users_call(MSP, OWNER, BOT, GLASS), users_call(CUST, OWNER, BOT)])
    seam.assert_done()
    assert result['changed'] is True
    entries, torn = _journal.read(path)
    assert torn == 0
    done = _journal.happened(entries)
    assert [(a['action'], a['subjects']) for a in done] == [
        ('remove dashboard user from organisation', [{'type': 'dashboard_user', 'id': str(BOB['id']), 'name': 'bob@northwind.example'},
                                                     {'type': 'organization', 'id': str(org_id)}])
        for org_id in (MSP, CUST)]
    assert all('revocation of their API keys attested' in a['why'] and 'keeps an owner' in a['why'] for a in done)
    assert [a['verify'] for a in done] == [{'path': '/v1/organizations/%s/users/%s' % (o, BOB['id']), 'gone': True} for o in (MSP, CUST)]
    assert 'secret' not in open(path).read()

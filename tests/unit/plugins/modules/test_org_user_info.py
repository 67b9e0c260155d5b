# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import org_user_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module
from ansible_collections.msp.dnsfilter.tests.unit.plugins.modules.test_org_user import (
    BOB, CUST, MSP, OWNER, org, org_call, orgs_call, users_call)

# The recorded live answer of GET /v1/organizations/{id}/users (tests/sandbox/contract/dnsfilter-sample-responses.json).
SAMPLE = {'users': [
    {'id': 42618, 'name': 'Jane Smith', 'email': 'jane.smith@example.com', 'auth0_sub': 'auth0|5fbc', 'mfa_enabled': True,
     'last_sign_in_at': '2026-05-21T17:21:26.365-04:00', 'metadata': {}, 'role': 'owner',
     'is_include_only_list': False, 'organization_permission_ids': []},
    {'id': 120904, 'name': 'Desktop C2', 'email': 'jdoe@example.com', 'mfa_enabled': False, 'role': 'super_administrator',
     'is_include_only_list': True, 'organization_permission_ids': [802316]},
]}


def test_every_organisation_by_default_grouped_by_user():
    result, seam = run_module(org_user_info, {}, [
        orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)),
        users_call(MSP, OWNER, BOB),
        users_call(CUST, OWNER, dict(BOB, role='read_only')),
    ])
    seam.assert_done()
    assert result['changed'] is False
    bob = [u for u in result['users'] if u['email'] == BOB['email']][0]
    assert bob['organizations'] == [
        {'id': str(MSP), 'name': 'Northwind MSP', 'role': 'administrator', 'organization_permission_ids': [],
         'is_include_only_list': False},
        {'id': str(CUST), 'name': 'Contoso Dental', 'role': 'read_only', 'organization_permission_ids': [],
         'is_include_only_list': False}]
    assert 'auth0_sub' not in bob
    assert result['organizations'] == [{'id': str(MSP), 'name': 'Northwind MSP'},
                                       {'id': str(CUST), 'name': 'Contoso Dental'}]


def test_the_recorded_sample_shape_and_filters():
    result, seam = run_module(org_user_info, {'organization_id': 802315, 'email': ['JDOE@example.com', 'gone@example.com'],
                                              'user_id': [42618]}, [
        org_call(802315, 'Acme Accounting Co.'),
        Call('GET', '/v1/organizations/802315/users', FakeResponse(200, SAMPLE)),
    ])
    seam.assert_done()
    assert [u['email'] for u in result['users']] == ['jane.smith@example.com', 'jdoe@example.com']
    jdoe = result['users'][1]
    assert jdoe['id'] == '120904' and jdoe['organizations'][0]['role'] == 'super_administrator'
    assert jdoe['organizations'][0]['organization_permission_ids'] == [802316]
    assert jdoe['organizations'][0]['is_include_only_list'] is True
    assert result['not_found'] == ['gone@example.com']


def test_a_list_of_organisations_and_json_api_users():
    listing = {'data': [{'id': '7', 'type': 'users', 'attributes': {'email': 'x@example.com', 'role': 'read_only'}}]}
    result, seam = run_module(org_user_info, {'organization_ids': [1, 2]}, [
        org_call(1, 'One'), org_call(2, 'Two'),
        Call('GET', '/v1/organizations/1/users', FakeResponse(200, listing)),
        Call('GET', '/v1/organizations/2/users', FakeResponse(200, {'users': []})),
    ])
    seam.assert_done()
    assert result['users'] == [{'id': '7', 'email': 'x@example.com', 'name': None, 'mfa_enabled': None,
                                'last_sign_in_at': None, 'organizations': [
                                    {'id': '1', 'name': 'One', 'role': 'read_only', 'organization_permission_ids': [],
                                     'is_include_only_list': False}]}]


def test_permission_error_is_clear():
    result, seam = run_module(org_user_info, {'organization_id': 5}, [
        org_call(5, 'Five'),
        Call('GET', '/v1/organizations/5/users', FakeResponse(403, {'error': 'Forbidden'})),
    ])
    seam.assert_done()
    assert result['failed'] and 'lacks permission' in result['msg'] and 'organisation 5' in result['msg']

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

from ansible_collections.msp.dnsfilter.plugins.modules import enterprise_connection, enterprise_connection_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module
from ansible_collections.msp.dnsfilter.tests.unit.plugins.modules.test_org_user import CUST, MSP, org, orgs_call


def conn(ident, org_id=CUST, name='Contoso SSO'):
    # As the description has it: the id inside the attributes.
    return {'attributes': {
        'id': ident, 'organization_id': org_id, 'default_organization_id': org_id, 'name': 'contoso-oidc',
        'display_name': name, 'idp': 'azure', 'conn_id': 'con_8Xb2', 'authorized_domains': ['contoso.example'],
        'role_map': [{'group': 'DNSFilter-Admins', 'role': 'administrator'}], 'role_default': 'read_only',
        'options': {'client_id': 'abc', 'client_secret': 'very-secret', 'discovery_url': 'https://login.example'}}}


def list_call(org_id, *conns, status=200):
    return Call('GET', '/v1/enterprise_connections', FakeResponse(status, {'data': list(conns)} if status == 200 else {
        'error': 'Not found'}), query=[('organization_id', str(org_id))])


def writes(seam):
    return [m for m in seam.made if m[0] != 'GET']


def test_info_reports_idp_domains_role_map_and_default_without_the_secret():
    result, seam = run_module(enterprise_connection_info, {'organization_id': CUST}, [list_call(CUST, conn(4401))])
    seam.assert_done()
    (found,) = result['enterprise_connections']
    assert found['id'] == '4401' and found['idp'] == 'azure' and found['authorized_domains'] == ['contoso.example']
    assert found['role_map'] == [{'group': 'DNSFilter-Admins', 'role': 'administrator'}]
    assert found['role_default'] == 'read_only'
    assert 'very-secret' not in json.dumps(result)


def test_info_for_every_organisation_and_the_recorded_empty_answer_and_a_404():
    result, seam = run_module(enterprise_connection_info, {'all_organizations': True}, [
        orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)),
        list_call(MSP), list_call(CUST, {'id': '4402', 'type': 'enterprise_connections', 'attributes': {'idp': 'okta'}}),
    ])
    seam.assert_done()
    assert [(c['id'], c['organization_id']) for c in result['enterprise_connections']] == [('4402', str(CUST))]
    result, seam = run_module(enterprise_connection_info, {'organization_ids': [1]}, [list_call(1, status=404)])
    assert result['enterprise_connections'] == [] and not result.get('failed')


def test_info_needs_a_scope():
    result, seam = run_module(enterprise_connection_info, {}, [])
    assert result['failed'] and 'Say which organisations' in result['msg'] and seam.made == []


def me_in(org_id, role='super_administrator', name='Contoso Dental'):
    """The organisation as DNSFilter shows it to the key's user: its `role` is the caller's role there."""
    return Call('GET', '/v1/organizations/%s' % org_id, FakeResponse(200, {'data': {
        'id': str(org_id), 'type': 'organizations', 'attributes': {'name': name, 'managed_by_msp_id': MSP, 'role': role}}}))


def test_absent_all_removes_every_connection_with_the_password_users_warning():
    result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'all': True, 'state': 'absent'}, [
        me_in(CUST),
        list_call(CUST, conn(4401), conn(4403, name='Second')),
        Call('DELETE', '/v1/enterprise_connections/4401', FakeResponse(204)),
        Call('DELETE', '/v1/enterprise_connections/4403', FakeResponse(204)),
        list_call(CUST),
    ])
    seam.assert_done()
    assert result['changed'] is True and [c['id'] for c in result['enterprise_connections']] == ['4401', '4403']
    assert result['diff']['after'] == {'enterprise_connections': []} and result['outstanding'] == []
    assert len(result['diff']['before']['enterprise_connections']) == 2
    assert 'very-secret' not in json.dumps(result)


def test_absent_in_check_mode_writes_nothing():
    result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'ids': [4401], 'state': 'absent'},
                              [me_in(CUST), list_call(CUST, conn(4401), conn(4403))], check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []
    assert [c['id'] for c in result['diff']['after']['enterprise_connections']] == ['4403']


def test_an_administrator_key_plans_sso_as_outstanding_in_check_mode_and_for_real_alike():
    # Only a Super Admin or the Owner may remove SSO: the plan must say what the real run will do, not "removed".
    outcomes = []
    for check in (True, False):
        result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'all': True, 'state': 'absent'},
                                  [me_in(CUST, role='administrator'), list_call(CUST, conn(4401))], check_mode=check)
        seam.assert_done()
        assert result['changed'] is False and writes(seam) == [] and result['enterprise_connections'] == []
        assert [o['id'] for o in result['outstanding']] == ['4401'] and 'Super Admin' in result['outstanding'][0]['reason']
        outcomes.append((result['outstanding'], result['diff']))
    assert outcomes[0] == outcomes[1]


def test_a_403_where_the_role_was_not_reported_is_outstanding_not_a_failure():
    result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'all': True, 'state': 'absent'}, [
        me_in(CUST, role=None), list_call(CUST, conn(4401)),
        Call('DELETE', '/v1/enterprise_connections/4401', FakeResponse(403, {'error': 'Your role does not allow this change'}))])
    seam.assert_done()
    assert not result.get('failed') and result['changed'] is False
    assert 'does not allow' in result['outstanding'][0]['reason']


def test_absent_again_and_another_organisations_id_change_nothing():
    for check in (False, True):
        result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'ids': [4401, 4999], 'state': 'absent'},
                                  [me_in(CUST), list_call(CUST, conn(4403))], check_mode=check)
        seam.assert_done()
        assert result['changed'] is False and result['not_found'] == ['4401', '4999'] and writes(seam) == []
        result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'all': True, 'state': 'absent'},
                                  [me_in(CUST), list_call(CUST)], check_mode=check)
        assert result['changed'] is False and writes(seam) == []


def test_name_guard_and_a_refusal():
    result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'organization_name': 'Fabrikam', 'all': True,
                                                      'state': 'absent'}, [me_in(CUST)])
    seam.assert_done()
    assert result['failed'] and writes(seam) == []

    result, seam = run_module(enterprise_connection, {'organization_id': CUST, 'organization_name': 'Contoso Dental',
                                                      'ids': [4401], 'state': 'absent'}, [
        me_in(CUST), orgs_call(org(MSP, 'Northwind MSP'), org(CUST, 'Contoso Dental', MSP)), list_call(CUST, conn(4401)),
        Call('DELETE', '/v1/enterprise_connections/4401', FakeResponse(422, {'error': 'Unable to delete connection'}))])
    seam.assert_done()
    assert result['failed'] and 'Unable to delete connection' in result['msg']
    assert result['changed'] is False  # a 422 is a refusal: nothing was removed


def test_bad_parameters_fail_without_calls():
    for args, why in (({'organization_id': CUST, 'state': 'absent'}, 'Say which connections'),
                      ({'organization_id': CUST, 'all': True, 'ids': [1], 'state': 'absent'}, 'mutually exclusive'),
                      ({'organization_id': CUST, 'all': True}, 'state'),
                      ({'all': True, 'state': 'absent'}, 'organization_id')):
        result, seam = run_module(enterprise_connection, args, [])
        assert result['failed'] and why in result['msg'] and seam.made == []

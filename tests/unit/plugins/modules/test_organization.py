# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import organization
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module


def org(ident, name, msp=None, owned=None, canceled=False):
    return {'id': str(ident), 'type': 'organizations', 'attributes': {
        'name': name, 'managed_by_msp_id': msp, 'owned_msp_id': owned, 'canceled': canceled}}


MSP = org(10, 'Northwind MSP', owned=500)
CUSTOMER = org(11, 'Contoso Dental', msp=500)


def show(item):
    return Call('GET', '/v1/organizations/%s' % item['id'], FakeResponse(200, {'data': item}))


def visible(*items):
    return Call('GET', '/v1/organizations', FakeResponse(200, {'data': list(items)}))


def test_cancel_check_mode_then_real_then_again():
    result, seam = run_module(organization, {'id': 11, 'name': 'Contoso Dental', 'state': 'canceled'},
                              [show(CUSTOMER), visible(MSP, CUSTOMER)], check_mode=True)
    assert result['changed'] is True and all(m[0] == 'GET' for m in seam.made)
    result, seam = run_module(organization, {'id': 11, 'name': 'Contoso Dental', 'state': 'canceled'},
                              [show(CUSTOMER), visible(MSP, CUSTOMER), Call('POST', '/v1/organizations/11/cancel', FakeResponse(204))])
    assert result['changed'] is True and result['diff']['after']['canceled'] is True
    seam.assert_done()
    result, seam = run_module(organization, {'id': 11, 'name': 'Contoso Dental', 'state': 'canceled'},
                              [show(org(11, 'Contoso Dental', msp=500, canceled=True)), visible(MSP)])
    assert result['changed'] is False
    seam.assert_done()


def test_guards_fail_with_zero_writes():
    cases = [
        ({'id': 11, 'name': 'Fabrikam', 'state': 'absent'}, [show(CUSTOMER)], 'not \'Fabrikam\''),
        ({'id': 10, 'name': 'Northwind MSP', 'state': 'absent'}, [show(MSP), visible(MSP)], 'not an MSP customer'),
        ({'id': 11, 'name': 'Contoso Dental', 'state': 'absent'}, [show(CUSTOMER), visible(org(12, 'Other MSP', owned=900))],
         'does not manage'),
    ]
    for params, calls, words in cases:
        result, seam = run_module(organization, params, calls)
        assert result['failed'] and words in result['msg'], result['msg']
        assert all(m[0] == 'GET' for m in seam.made)


def test_delete_and_already_deleted():
    result, seam = run_module(organization, {'id': 11, 'name': 'Contoso Dental', 'state': 'absent', 'clear_subscription_info': True}, [
        show(CUSTOMER), visible(MSP, CUSTOMER),
        Call('DELETE', '/v1/organizations/11', FakeResponse(204), query=[('clear_subscription_info', 'true')]),
    ])
    assert result['changed'] is True
    seam.assert_done()
    result, seam = run_module(organization, {'id': 11, 'name': 'Contoso Dental', 'state': 'absent'}, [
        Call('GET', '/v1/organizations/11', FakeResponse(404, {'error': 'Not found'}))])
    assert result['changed'] is False
    seam.assert_done()


def test_a_key_that_is_not_the_msps_owner_or_super_admin_plans_and_reports_it_outstanding():
    admin_view = dict(MSP, attributes=dict(MSP['attributes'], role='administrator'))
    for check in (True, False):
        result, seam = run_module(organization, {'id': 11, 'name': 'Contoso Dental', 'state': 'canceled'},
                                  [show(CUSTOMER), visible(admin_view, CUSTOMER)], check_mode=check)
        seam.assert_done()
        assert result['changed'] is False and all(m[0] == 'GET' for m in seam.made)
        assert 'super administrator' in result['outstanding'][0]['reason'] and 'administrator of Northwind MSP' in result['outstanding'][0]['reason']


def test_a_name_that_two_organisations_have_once_spaces_are_ignored_confirms_nothing():
    # The id of "Globex " with the name "Globex": the name fits "Globex" as well, so a mistyped id would pass.
    twin = org(12, 'Contoso Dental ', msp=500)
    result, seam = run_module(organization, {'id': 12, 'name': 'Contoso Dental', 'state': 'absent'},
                              [show(twin), visible(MSP, CUSTOMER, twin)])
    seam.assert_done()
    assert result['failed'] and 'does not tell organisation 12 apart' in result['msg'] and "11 ('Contoso Dental')" in result['msg']
    assert sorted(c['id'] for c in result['candidates']) == ['11', '12'] and all(m[0] == 'GET' for m in seam.made)


def test_a_case_twin_name_is_refused_with_both_names():
    result, seam = run_module(organization, {'id': 11, 'name': 'CONTOSO DENTAL', 'state': 'absent'}, [show(CUSTOMER)])
    assert result['failed'] and "'Contoso Dental'" in result['msg'] and "'CONTOSO DENTAL'" in result['msg'] and 'letter case' in result['msg']
    assert all(m[0] == 'GET' for m in seam.made)

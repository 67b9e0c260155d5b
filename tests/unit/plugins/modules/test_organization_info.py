# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.msp.dnsfilter.plugins.modules import organization_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module


def org(ident, name, msp=None):
    return {'id': str(ident), 'type': 'organizations', 'attributes': {'name': name, 'managed_by_msp_id': msp}}


def test_id_and_matching_name():
    result, seam = run_module(organization_info, {'id': 11, 'name': ' Contoso Dental\t'}, [
        Call('GET', '/v1/organizations/11', FakeResponse(200, {'data': org(11, 'Contoso Dental', 10)})),
        Call('GET', '/v1/organizations', FakeResponse(200, {'data': [org(11, 'Contoso Dental', 10), org(12, 'CONTOSO DENTAL', 10)]})),
    ])
    assert not result.get('failed') and result['changed'] is False
    assert result['organizations'] == [{'id': '11', 'name': 'Contoso Dental', 'managed_by_msp_id': 10}]
    seam.assert_done()


@pytest.mark.parametrize('typed, words', [
    ('CONTOSO DENTAL', 'differ only in letter case'),
    ('contoso dental', 'differ only in letter case'),
    ('Contoso  Dental', 'differ only in spacing'),
    ('C\u043entoso Dental', 'U+043E CYRILLIC SMALL LETTER O'),
])
def test_a_case_twin_or_look_alike_of_the_name_is_refused(typed, words):
    # The id of one customer with the name of its look-alike twin: refused, the message shows both names.
    result, seam = run_module(organization_info, {'id': 11, 'name': typed}, [
        Call('GET', '/v1/organizations/11', FakeResponse(200, {'data': org(11, 'Contoso Dental', 10)})),
    ])
    seam.assert_done()
    assert result['failed'] and words in result['msg']
    assert "'Contoso Dental'" in result['msg'] and repr(typed) in result['msg']
    assert 'organizations' not in result


def test_name_that_does_not_match_the_id_fails():
    result, seam = run_module(organization_info, {'id': 11, 'name': 'Fabrikam'}, [
        Call('GET', '/v1/organizations/11', FakeResponse(200, {'data': org(11, 'Contoso Dental', 10)})),
    ])
    assert result['failed'] and "named 'Contoso Dental', not 'Fabrikam'" in result['msg']
    seam.assert_done()


def test_unknown_id_fails_clearly():
    result, seam = run_module(organization_info, {'id': 99}, [
        Call('GET', '/v1/organizations/99', FakeResponse(404, {'error': 'Not found'})),
    ])
    assert result['failed'] and 'not found' in result['msg']
    seam.assert_done()


def test_sub_organisations_across_pages_and_current_user():
    page1 = {'data': [org(i, 'C%d' % i, 10) for i in range(100)]}
    page2 = {'data': [org(100, 'C100', 10)]}
    result, seam = run_module(organization_info, {'managed_by_msp_id': 10, 'include_current_user': True}, [
        Call('GET', '/v1/organizations', FakeResponse(200, page1),
             query=[('managed_by_msp_id', '10'), ('page[number]', '1'), ('page[size]', '100')]),
        Call('GET', '/v1/organizations', FakeResponse(200, page2),
             query=[('managed_by_msp_id', '10'), ('page[number]', '2'), ('page[size]', '100')]),
        Call('GET', '/v1/current_user', FakeResponse(200, {'data': {'id': '5', 'type': 'users', 'attributes': {
            'name': 'Automation', 'email': 'a@example.com', 'intercom_user_verification': 'x'}}})),
    ])
    assert len(result['organizations']) == 101
    assert result['current_user'] == {'id': '5', 'name': 'Automation', 'email': 'a@example.com'}
    seam.assert_done()


def test_ambiguous_name_asks_for_the_id():
    result, dummy = run_module(organization_info, {'name': 'Contoso'}, [
        Call('GET', '/v1/organizations', FakeResponse(200, {'data': [org(1, 'Contoso'), org(2, 'contoso')]})),
    ])
    assert result['failed'] and "'Contoso' (id 1)" in result['msg'] and "'contoso' (id 2)" in result['msg'] and 'by id' in result['msg']


def test_billing_for_the_handoff_record():
    result, seam = run_module(organization_info, {'id': 11, 'include_billing': True, 'usage_days': 7}, [
        Call('GET', '/v1/organizations/11', FakeResponse(200, {'data': org(11, 'Contoso Dental', 10)})),
        Call('GET', '/v1/metrics/organization_usage/11', FakeResponse(200, {'data': {'organization_id': 11, 'user_count': 14}})),
        Call('GET', '/v1/invoices', FakeResponse(200, {'data': [{'id': '7', 'type': 'invoices', 'attributes': {'total': 1200}}]}),
             query=[('organization_id', '11')]),
    ])
    assert result['billing']['usage'] == {'organization_id': 11, 'user_count': 14}
    assert result['billing']['invoices'] == [{'id': '7', 'total': 1200}]
    seam.assert_done()

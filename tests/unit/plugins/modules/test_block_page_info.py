# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.modules import block_page_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

ORG = 11


def page(ident, name, email='it@contoso.example', redirect=None, networks=()):
    # As the block-pages/list sample has it (a JSON:API resource, not the bare schema).
    return {'id': str(ident), 'type': 'block_pages', 'attributes': {
        'name': name, 'organization_id': ORG, 'block_org_name': 'Contoso IT', 'block_email_addr': email,
        'block_logo_uuid': 'https://cdn.dnsfilter.com/10a71ac6/', 'block_redirect_url': redirect,
        'created_at': '2025-02-03T14:24:58.497-05:00', 'updated_at': '2025-09-11T13:13:31.686-04:00',
        'is_global': False, 'can_edit': True},
        'relationships': {'organization': {'data': {'id': str(ORG), 'type': 'organizations'}},
                          'networks': {'data': [{'id': str(n), 'type': 'networks'} for n in networks]}}}


def listing(*pages, status=200):
    body = {'data': list(pages), 'links': {'next': None}} if status == 200 else {'error': 'Unable to find the object'}
    return Call('GET', '/v1/block_pages', FakeResponse(status, body),
                query=[('organization_id', str(ORG)), ('page[number]', '1'), ('page[size]', '100')])


def test_lists_block_pages_with_contact_logo_redirect_and_sites():
    result, seam = run_module(block_page_info, {'organization_id': ORG}, [
        listing(page(2, 'Redirect', redirect='https://contoso.example/?'), page(1, 'Main', networks=[7002, 7001]))])
    seam.assert_done()
    assert result['changed'] is False
    assert [p['id'] for p in result['block_pages']] == ['1', '2']
    main = result['block_pages'][0]
    assert main['block_email_addr'] == 'it@contoso.example' and main['block_org_name'] == 'Contoso IT'
    assert main['block_logo_uuid'].startswith('https://') and main['network_ids'] == ['7001', '7002']
    assert 'can_edit' not in main
    assert result['block_pages'][1]['block_redirect_url'] == 'https://contoso.example/?'


def test_by_name_and_id():
    result, seam = run_module(block_page_info, {'organization_id': ORG, 'names': [' Main ']}, [listing(page(1, 'Main'), page(2, 'Other'))])
    seam.assert_done()
    assert [p['id'] for p in result['block_pages']] == ['1']
    # A name that differs only in case is not the name: refused, with the page it looks like.
    result, dummy = run_module(block_page_info, {'organization_id': ORG, 'names': ['MAIN']}, [listing(page(1, 'Main'), page(2, 'Other'))])
    assert result['failed'] and "'Main' (id 1)" in result['msg'] and 'letter case' in result['msg']
    result, dummy = run_module(block_page_info, {'organization_id': ORG, 'ids': [3]}, [listing(page(1, 'Main'))])
    assert result['failed'] and 'Block page 3 is not a block page of organisation 11' in result['msg']


def test_ambiguous_name_asks_for_the_id():
    result, dummy = run_module(block_page_info, {'organization_id': ORG, 'names': ['Main']}, [listing(page(1, 'Main'), page(2, 'main '))])
    assert result['failed'] and "'Main' (id 1)" in result['msg'] and "'main ' (id 2)" in result['msg'] and 'by id' in result['msg']
    assert [c['id'] for c in result['candidates']] == ['1', '2']


def test_empty_organisation_and_api_errors():
    result, dummy = run_module(block_page_info, {'organization_id': ORG}, [listing()])
    assert result['block_pages'] == []
    result, dummy = run_module(block_page_info, {'organization_id': ORG}, [listing(status=404)])
    assert result['failed'] and 'HTTP 404' in result['msg']

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy

from unittest import mock

from ansible.module_utils import basic

from ansible_collections.msp.dnsfilter.plugins.modules import policy_domains, policy_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

ORG = 11
MSP = 1

BULK_ADD_ALLOW = '/v1/policies/bulk/add_allowlist_domains'
BULK_REMOVE_BLOCK = '/v1/policies/bulk/remove_blocklist_domains'


def policy(ident, name, allow=None, block=None, categories=None, org=ORG, is_global=False, networks=()):
    # As the policies/list sample has it: null lists for never-used ones, ids as strings.
    return {'id': str(ident), 'type': 'policies', 'attributes': {
        'name': name, 'organization_id': org, 'whitelist_domains': allow, 'blacklist_domains': block,
        'blacklist_categories': categories, 'is_global_policy': is_global, 'can_edit': True, 'lock_version': 3,
        'allow_notes': {}, 'block_notes': {}},
        'relationships': {'organization': {'data': {'id': str(org), 'type': 'organizations'}},
                          'networks': {'data': [{'id': str(n), 'type': 'networks'} for n in networks]}}}


def listing(*policies, include_global=False, org=ORG):
    query = [('organization_id', str(org)), ('page[number]', '1'), ('page[size]', '100')]
    if include_global:
        query.append(('include_global_policies', 'true'))
    return Call('GET', '/v1/policies', FakeResponse(200, {'data': list(policies), 'links': {'next': None}}), query=query)


def writes(seam):
    return [(m[0], m[1].replace('https://api.test', ''), m[3]) for m in seam.made if m[0] != 'GET']


DEFAULT = policy(101, 'Contoso Default', allow=['Dentrix.com', 'contoso-portal.example.'], block=['tiktokcdn.com', 'facebook.com'],
                 categories=[56, 2, 38], networks=[7002, 7001])
GUEST = policy(102, 'Contoso Guest', allow=None, block=['facebook.com'], categories=[2])
BASELINE = policy(900, 'Northwind Baseline', block=['phish.example'], categories=[38, 2], org=MSP, is_global=True)


# policy_info

def test_info_lists_policies_and_global_policies_sorted_and_normalised():
    result, seam = run_module(policy_info, {'organization_id': ORG}, [listing(GUEST, BASELINE, DEFAULT, include_global=True)])
    seam.assert_done()
    assert result['changed'] is False
    assert [p['id'] for p in result['policies']] == ['101', '102', '900']
    first = result['policies'][0]
    assert first['whitelist_domains'] == ['contoso-portal.example', 'dentrix.com']
    assert first['blacklist_domains'] == ['facebook.com', 'tiktokcdn.com']
    assert first['blacklist_categories'] == [2, 38, 56]
    assert first['network_ids'] == ['7001', '7002']
    assert 'can_edit' not in first
    assert result['policies'][1]['whitelist_domains'] == []
    assert result['policies'][2]['is_global_policy'] is True


def test_info_snapshot_is_stable_whatever_order_the_api_answers_in():
    shuffled = copy.deepcopy(DEFAULT)
    shuffled['attributes']['whitelist_domains'].reverse()
    shuffled['attributes']['blacklist_categories'].sort()
    shuffled['relationships']['networks']['data'].reverse()
    one, dummy = run_module(policy_info, {'organization_id': ORG}, [listing(DEFAULT, GUEST, include_global=True)])
    two, dummy = run_module(policy_info, {'organization_id': ORG}, [listing(GUEST, shuffled, include_global=True)])
    assert one['policies'] == two['policies']


def test_info_without_global_policies_and_by_name_and_id():
    result, seam = run_module(policy_info, {'organization_id': ORG, 'include_global_policies': False,
                                            'names': ['Contoso Guest'], 'ids': [101]}, [listing(DEFAULT, GUEST)])
    seam.assert_done()
    assert [p['id'] for p in result['policies']] == ['101', '102']


def test_info_ambiguous_name_asks_for_the_id():
    twin = policy(103, 'Contoso Guest')
    result, dummy = run_module(policy_info, {'organization_id': ORG, 'names': ['Contoso Guest']},
                               [listing(DEFAULT, GUEST, twin, include_global=True)])
    assert result['failed'] and '2 policies' in result['msg'] and '(id 102)' in result['msg'] and '(id 103)' in result['msg']
    assert 'by id' in result['msg']


def test_info_unknown_id_fails():
    result, dummy = run_module(policy_info, {'organization_id': ORG, 'ids': [555]}, [listing(DEFAULT, include_global=True)])
    assert result['failed'] and 'Policy 555 is not a policy of organisation 11' in result['msg']


def test_info_permission_error_is_clean():
    call = Call('GET', '/v1/policies', FakeResponse(403, {'error': 'Forbidden'}))
    result, dummy = run_module(policy_info, {'organization_id': ORG}, [call])
    assert result['failed'] and 'lacks permission' in result['msg'] and 'organisation 11' in result['msg']


# policy_domains

ADD_TWO = {'organization_id': ORG, 'policy_names': ['Contoso Default', 'Contoso Guest'], 'list': 'allow',
           'domains': ['eaglesoft.net', ' DENTRIX.com. '], 'note': 'PSA #1'}


def added(p, *domains):
    p = copy.deepcopy(p)
    p['attributes']['whitelist_domains'] = (p['attributes']['whitelist_domains'] or []) + list(domains)
    return p


def test_add_check_mode_predicts_and_writes_nothing():
    result, seam = run_module(policy_domains, ADD_TWO, [listing(DEFAULT, GUEST)], check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []
    assert result['changes'] == [
        {'id': '101', 'name': 'Contoso Default', 'added': ['eaglesoft.net'], 'removed': []},
        {'id': '102', 'name': 'Contoso Guest', 'added': ['dentrix.com', 'eaglesoft.net'], 'removed': []}]
    assert result['diff']['before']['policies'][1]['whitelist_domains'] == []
    assert result['diff']['after']['policies'][1]['whitelist_domains'] == ['dentrix.com', 'eaglesoft.net']
    assert result['policies'][0]['whitelist_domains'] == ['contoso-portal.example', 'dentrix.com', 'eaglesoft.net']


def test_add_uses_one_bulk_call_per_set_of_policies_and_verifies():
    result, seam = run_module(policy_domains, ADD_TWO, [
        listing(DEFAULT, GUEST),
        Call('POST', BULK_ADD_ALLOW, FakeResponse(200, {'status': 'ok', 'updated_policies': [101]}),
             body={'policy_ids': [101], 'domains': ['eaglesoft.net'], 'notes': {'eaglesoft.net': 'PSA #1'}}),
        Call('POST', BULK_ADD_ALLOW, FakeResponse(200, {'success': [102], 'failure': [], 'noop': []}),
             body={'policy_ids': [102], 'domains': ['dentrix.com', 'eaglesoft.net'],
                   'notes': {'dentrix.com': 'PSA #1', 'eaglesoft.net': 'PSA #1'}}),
        listing(added(DEFAULT, 'eaglesoft.net'), added(GUEST, 'dentrix.com', 'eaglesoft.net')),
    ])
    seam.assert_done()
    assert result['changed'] is True and not result.get('failed')
    assert result['diff']['after']['policies'][1]['whitelist_domains'] == ['dentrix.com', 'eaglesoft.net']


def test_same_entries_for_several_policies_are_one_bulk_call():
    args = dict(ADD_TWO, domains=['eaglesoft.net', 'westlaw.com'])
    result, seam = run_module(policy_domains, args, [
        listing(DEFAULT, GUEST),
        Call('POST', BULK_ADD_ALLOW, FakeResponse(200, {'status': 'ok', 'updated_policies': [101, 102]}),
             body={'policy_ids': [101, 102], 'domains': ['eaglesoft.net', 'westlaw.com'],
                   'notes': {'eaglesoft.net': 'PSA #1', 'westlaw.com': 'PSA #1'}}),
        listing(added(DEFAULT, 'eaglesoft.net', 'westlaw.com'), added(GUEST, 'eaglesoft.net', 'westlaw.com')),
    ])
    seam.assert_done()
    assert result['changed'] is True


def test_add_again_changes_nothing():
    result, seam = run_module(policy_domains, ADD_TWO, [
        listing(added(DEFAULT, 'EAGLESOFT.net.'), added(GUEST, 'dentrix.com', 'eaglesoft.net'))])
    seam.assert_done()
    assert result['changed'] is False and result['changes'] == []
    result, seam = run_module(policy_domains, ADD_TWO, [
        listing(added(DEFAULT, 'eaglesoft.net'), added(GUEST, 'dentrix.com', 'eaglesoft.net'))], check_mode=True)
    assert result['changed'] is False
    seam.assert_done()


def test_one_entry_is_one_single_call_with_the_required_note():
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'allow', 'domains': ['dentrix.com']}
    result, seam = run_module(policy_domains, args, [
        listing(DEFAULT, GUEST),
        Call('POST', '/v1/policies/102/add_whitelist_domain', FakeResponse(200, {'id': 102, 'type': 'policies'}),
             body={'domain': 'dentrix.com', 'note': ''}),
        listing(DEFAULT, added(GUEST, 'dentrix.com')),
    ])
    seam.assert_done()
    assert result['changed'] is True


def test_remove_sends_the_entry_as_stored():
    stored = policy(102, 'Contoso Guest', block=['Facebook.COM', 'tiktokcdn.com'])
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'block', 'domains': ['facebook.com.'], 'state': 'absent'}
    result, seam = run_module(policy_domains, args, [
        listing(stored),
        Call('POST', '/v1/policies/102/remove_blacklist_domain', FakeResponse(200, {}), body={'domain': 'Facebook.COM', 'note': ''}),
        listing(policy(102, 'Contoso Guest', block=['tiktokcdn.com'])),
    ])
    seam.assert_done()
    assert result['changes'] == [{'id': '102', 'name': 'Contoso Guest', 'added': [], 'removed': ['facebook.com']}]
    assert result['diff']['after']['policies'][0]['blacklist_domains'] == ['tiktokcdn.com']


def test_remove_check_mode_bulk_then_real_then_again():
    args = {'organization_id': ORG, 'policy_names': ['Contoso Default', 'Contoso Guest'], 'list': 'block',
            'domains': ['facebook.com', 'never-listed.example'], 'state': 'absent'}
    result, seam = run_module(policy_domains, args, [listing(DEFAULT, GUEST)], check_mode=True)
    assert result['changed'] is True and writes(seam) == []
    assert [c['removed'] for c in result['changes']] == [['facebook.com'], ['facebook.com']]
    seam.assert_done()
    cleaned = [policy(101, 'Contoso Default', block=['tiktokcdn.com']), policy(102, 'Contoso Guest', block=[])]
    result, seam = run_module(policy_domains, args, [
        listing(DEFAULT, GUEST),
        Call('POST', BULK_REMOVE_BLOCK, FakeResponse(200, {'status': 'ok', 'updated_policies': [101, 102]}),
             body={'policy_ids': [101, 102], 'domains': ['facebook.com']}),
        listing(*cleaned),
    ])
    seam.assert_done()
    assert result['changed'] is True
    result, seam = run_module(policy_domains, args, [listing(*cleaned)])
    assert result['changed'] is False
    seam.assert_done()
    result, seam = run_module(policy_domains, args, [listing(*cleaned)], check_mode=True)
    assert result['changed'] is False
    seam.assert_done()


def test_bulk_not_implemented_falls_back_to_single_calls_with_a_warning():
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'allow', 'domains': ['a.example', 'b.example']}
    with mock.patch.object(basic.AnsibleModule, 'warn') as warn:
        result, seam = run_module(policy_domains, args, [
            listing(GUEST),
            Call('POST', BULK_ADD_ALLOW, FakeResponse(501, {'error': 'not simulated'})),
            Call('POST', '/v1/policies/102/add_whitelist_domain', FakeResponse(200, {}), body={'domain': 'a.example', 'note': ''}),
            Call('POST', '/v1/policies/102/add_whitelist_domain', FakeResponse(200, {}), body={'domain': 'b.example', 'note': ''}),
            listing(added(GUEST, 'a.example', 'b.example')),
        ])
    seam.assert_done()
    assert result['changed'] is True and not result.get('failed')
    assert 'HTTP 501' in warn.call_args[0][0]


def test_bulk_failure_list_fails_the_task():
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'allow', 'domains': ['a.example', 'b.example']}
    result, seam = run_module(policy_domains, args, [
        listing(GUEST),
        Call('POST', BULK_ADD_ALLOW, FakeResponse(200, {'success': [], 'failure': [102], 'noop': []})),
    ])
    seam.assert_done()
    assert result['failed'] and result['changed'] is True and 'did not update every policy' in result['msg']


def test_entry_not_there_after_the_write_fails_the_task():
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'allow', 'domains': ['a.example']}
    result, seam = run_module(policy_domains, args, [
        listing(GUEST),
        Call('POST', '/v1/policies/102/add_whitelist_domain', FakeResponse(200, {})),
        listing(GUEST),
    ])
    seam.assert_done()
    assert result['failed'] and 'still missing' in result['msg'] and 'a.example' in result['msg']


def test_write_refused_is_a_clean_failure():
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'allow', 'domains': ['a.example']}
    result, seam = run_module(policy_domains, args, [
        listing(GUEST),
        Call('POST', '/v1/policies/102/add_whitelist_domain', FakeResponse(403, {'error': 'read only'})),
    ])
    seam.assert_done()
    assert result['failed'] and 'lacks permission' in result['msg'] and result['changed'] is False


def test_ambiguous_policy_name_fails_before_any_write():
    twin = policy(103, 'Contoso Guest')
    args = {'organization_id': ORG, 'policy_names': ['contoso guest'], 'list': 'allow', 'domains': ['a.example']}
    result, seam = run_module(policy_domains, args, [listing(DEFAULT, GUEST, twin)])
    assert result['failed'] and '(id 102)' in result['msg'] and '(id 103)' in result['msg'] and 'policy_ids' in result['msg']
    assert writes(seam) == []


def test_global_policy_not_listed_for_the_customer_points_to_the_msp():
    args = {'organization_id': ORG, 'policy_ids': [900], 'list': 'block', 'domains': ['phish.example'], 'state': 'absent'}
    result, seam = run_module(policy_domains, args, [listing(DEFAULT)])
    assert result['failed'] and 'not a policy of organisation 11' in result['msg'] and "MSP's organization_id" in result['msg']
    assert writes(seam) == []


def test_global_policy_of_the_msp_needs_the_msps_id():
    args = {'organization_id': ORG, 'policy_ids': [900], 'list': 'block', 'domains': ['phish.example'], 'state': 'absent'}
    result, seam = run_module(policy_domains, args, [listing(DEFAULT, BASELINE)])
    assert result['failed'] and 'belongs to organisation 1' in result['msg']
    assert writes(seam) == []


def test_a_url_is_not_a_domain_and_nothing_is_called():
    args = {'organization_id': ORG, 'policy_ids': [102], 'list': 'allow', 'domains': ['https://a.example/login']}
    result, seam = run_module(policy_domains, args, [])
    assert result['failed'] and 'is not a domain' in result['msg'] and seam.made == []


def test_policies_are_required():
    result, seam = run_module(policy_domains, {'organization_id': ORG, 'list': 'allow', 'domains': ['a.example']}, [])
    assert result['failed'] and 'one of the following is required' in result['msg'] and seam.made == []

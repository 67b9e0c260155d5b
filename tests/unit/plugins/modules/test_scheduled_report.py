# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from unittest import mock

from ansible.module_utils import basic

from ansible_collections.msp.dnsfilter.plugins.modules import scheduled_report, scheduled_report_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

ORG = 11
INTERNAL = ['northwind-msp.example', '@ContosoDental.example.']


def report(ident, *emails, dashboard=False):
    return {'id': str(ident), 'type': 'scheduled_reports', 'attributes': {
        'organization_id': ORG, 'frequency': 'weekly', 'day_of_week': 'monday', 'include_threat_summary': True,
        'send_to_dashboard_users': dashboard, 'selected_sub_orgs': [],
        'scheduled_report_recipients': [{'email': e, 'organization': {'id': str(ORG), 'name': 'Contoso'}} for e in emails]}}


WEEKLY = report(950101, 'office.manager@contosodental.example', 'audit@outside-cpa.example')
MONTHLY = report(950102, 'Grace@Mail.Northwind-MSP.example', dashboard=True)


def listing(*reports):
    # The endpoint documents no paging: one plain GET (scheduled-reports/list sample: {"data": []}).
    return Call('GET', '/v1/scheduled_reports', FakeResponse(200, {'data': list(reports)}), query=[('organization_id', str(ORG))])


def writes(seam):
    return [(m[0], m[1].replace('https://api.test', '')) for m in seam.made if m[0] != 'GET']


# scheduled_report_info

def test_info_lists_recipients_and_flags_outside_ones():
    result, seam = run_module(scheduled_report_info, {'organization_id': ORG, 'internal_domains': INTERNAL}, [listing(MONTHLY, WEEKLY)])
    seam.assert_done()
    assert result['changed'] is False
    assert [r['id'] for r in result['scheduled_reports']] == ['950101', '950102']
    weekly, monthly = result['scheduled_reports']
    assert weekly['recipients'] == ['audit@outside-cpa.example', 'office.manager@contosodental.example']
    assert weekly['external_recipients'] == ['audit@outside-cpa.example']
    assert monthly['external_recipients'] == [] and monthly['send_to_dashboard_users'] is True
    assert result['external_recipients'] == ['audit@outside-cpa.example']


def test_info_without_internal_domains_flags_nothing():
    result, seam = run_module(scheduled_report_info, {'organization_id': ORG, 'ids': [950102]}, [listing(MONTHLY, WEEKLY)])
    seam.assert_done()
    assert [r['id'] for r in result['scheduled_reports']] == ['950102']
    assert 'external_recipients' not in result and 'external_recipients' not in result['scheduled_reports'][0]


def test_info_unknown_id_and_errors():
    result, dummy = run_module(scheduled_report_info, {'organization_id': ORG, 'ids': [1]}, [listing(WEEKLY)])
    assert result['failed'] and 'Scheduled report 1 is not a scheduled report of organisation 11' in result['msg']
    result, dummy = run_module(scheduled_report_info, {'organization_id': ORG}, [
        Call('GET', '/v1/scheduled_reports', FakeResponse(401, {'error': 'bad key'}))])
    assert result['failed'] and 'rejected the API key' in result['msg']


def test_info_empty_answer():
    result, dummy = run_module(scheduled_report_info, {'organization_id': ORG, 'internal_domains': INTERNAL}, [listing()])
    assert result['scheduled_reports'] == [] and result['external_recipients'] == []


# scheduled_report

def test_all_in_check_mode_then_real_then_again():
    args = {'organization_id': ORG, 'all': True, 'state': 'absent'}
    result, seam = run_module(scheduled_report, args, [listing(WEEKLY, MONTHLY)], check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and writes(seam) == []
    assert [r['id'] for r in result['deleted']] == ['950101', '950102']
    assert result['diff']['after']['scheduled_reports'] == [] and len(result['diff']['before']['scheduled_reports']) == 2
    result, seam = run_module(scheduled_report, args, [
        listing(WEEKLY, MONTHLY),
        Call('DELETE', '/v1/scheduled_reports/950101', FakeResponse(200, {'data': WEEKLY})),
        Call('DELETE', '/v1/scheduled_reports/950102', FakeResponse(204)),
        listing(),
    ])
    seam.assert_done()
    assert result['changed'] is True and [r['id'] for r in result['deleted']] == ['950101', '950102']
    result, seam = run_module(scheduled_report, args, [listing()])
    seam.assert_done()
    assert result['changed'] is False and result['deleted'] == []
    result, seam = run_module(scheduled_report, args, [listing()], check_mode=True)
    assert result['changed'] is False
    seam.assert_done()


def test_by_id_deletes_only_that_report():
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'ids': [950101]}, [
        listing(WEEKLY, MONTHLY),
        Call('DELETE', '/v1/scheduled_reports/950101', FakeResponse(204)),
        listing(MONTHLY),
    ])
    seam.assert_done()
    assert writes(seam) == [('DELETE', '/v1/scheduled_reports/950101')]
    assert [r['id'] for r in result['diff']['after']['scheduled_reports']] == ['950102']


def test_a_404_on_delete_is_already_absent():
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'ids': [950101]}, [
        listing(WEEKLY),
        Call('DELETE', '/v1/scheduled_reports/950101', FakeResponse(404, {'error': 'Unable to find the object'})),
        listing(),
    ])
    seam.assert_done()
    assert not result.get('failed') and result['changed'] is True


def test_an_id_of_no_report_of_the_organisation_is_left_alone_with_a_warning():
    with mock.patch.object(basic.AnsibleModule, 'warn') as warn:
        result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'ids': [12345]}, [listing(WEEKLY)])
    seam.assert_done()
    assert result['changed'] is False and writes(seam) == []
    assert 'Scheduled report 12345 is not' in warn.call_args[0][0]


def test_a_report_still_there_after_the_delete_fails_the_task():
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'ids': [950101]}, [
        listing(WEEKLY),
        Call('DELETE', '/v1/scheduled_reports/950101', FakeResponse(200, {})),
        listing(WEEKLY),
    ])
    seam.assert_done()
    assert result['failed'] and 'still there: 950101' in result['msg'] and result['changed'] is True


def test_a_refused_delete_is_a_clean_failure():
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'all': True}, [
        listing(WEEKLY),
        Call('DELETE', '/v1/scheduled_reports/950101', FakeResponse(422, {'error': 'cannot delete'})),
    ])
    seam.assert_done()
    assert result['failed'] and 'HTTP 422' in result['msg'] and 'cannot delete' in result['msg']


def test_selection_is_required_and_exclusive_and_nothing_is_called():
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent'}, [])
    assert result['failed'] and 'all=true' in result['msg'] and seam.made == []
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'all': False}, [])
    assert result['failed'] and seam.made == []
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'state': 'absent', 'all': True, 'ids': [1]}, [])
    assert result['failed'] and 'mutually exclusive' in result['msg'] and seam.made == []


def test_state_is_required_so_a_forgotten_option_never_deletes():
    result, seam = run_module(scheduled_report, {'organization_id': ORG, 'all': True}, [])
    assert result['failed'] and 'state' in result['msg'] and seam.made == []

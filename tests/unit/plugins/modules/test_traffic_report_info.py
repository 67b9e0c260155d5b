# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import json
import os

import pytest

from ansible_collections.msp.dnsfilter.plugins.module_utils._reports import report_window
from ansible_collections.msp.dnsfilter.plugins.modules import traffic_report_info
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import KEY, run_module

TR = '/v1/traffic_reports/'
WINDOW = [('organization_ids', '11'), ('from', '2026-11-20T00:00:00Z'), ('to', '2026-11-27T00:00:00Z')]


def series(*totals):
    return FakeResponse(200, {'data': {'organization_ids': [11], 'values': [
        {'bucket': '2026-11-%02d 00:00:00' % (20 + i), 'total': t, 'total_agents': t} for i, t in enumerate(totals)]}})


def top(values, number=1, last=1):
    return FakeResponse(200, {'data': {'values': values, 'page': {
        'size': 100, 'self': number, 'last': last, 'next': number + 1 if number < last else None}}})


def args(tmp_path=None, **extra):
    base = {'organization_id': 11, 'start': '2026-11-20', 'end': '2026-11-27T00:00:00Z'}
    if tmp_path is not None:
        base['dest'] = str(tmp_path / 'traffic.json')
    base.update(extra)
    return base


def q(*extra):
    return WINDOW + list(extra)


def every_section_calls():
    return [
        Call('GET', TR + 'total_requests', series(5, 7), query=q(('bucket_size', '1day'))),
        Call('GET', TR + 'total_requests', series(1, 2), query=q(('type', 'blocked'), ('bucket_size', '1day'))),
        Call('GET', TR + 'total_threats', series(0, 1), query=q(('bucket_size', '1day'))),
        Call('GET', TR + 'top_domains', top([{'domain': 'google.com', 'total': 9}]), query=q(('page[number]', '1'), ('page[size]', '25'))),
        Call('GET', TR + 'top_domains', top([{'domain': 'facebook.com', 'total': 3}]),
             query=q(('type', 'blocked'), ('page[number]', '1'), ('page[size]', '25'))),
        Call('GET', TR + 'top_domains', top([]), query=q(('security_report', 'true'), ('page[number]', '1'), ('page[size]', '25'))),
        Call('GET', TR + 'top_categories', top([{'category_name': 'Malware', 'total': 1}]),
             query=q(('security_report', 'true'), ('page[number]', '1'), ('page[size]', '25'))),
        Call('GET', TR + 'top_categories', top([{'category_name': 'Social Networking', 'total': 3}]),
             query=q(('type', 'blocked'), ('page[number]', '1'), ('page[size]', '25'))),
        # Users and Roaming Clients are listed in full: every page is followed.
        Call('GET', TR + 'top_users', top([{'user_id': 1, 'user_login': 'CONTOSO\\jdoe', 'total': 8}], 1, 2),
             query=q(('page[number]', '1'), ('page[size]', '100'))),
        Call('GET', TR + 'top_users', top([{'user_id': 2, 'user_login': 'CONTOSO\\amy', 'total': 1}], 2, 2),
             query=q(('page[number]', '2'), ('page[size]', '100'))),
        Call('GET', TR + 'top_agents', top([{'agent_id': 'a-1', 'agent_name': 'desk-01', 'total': 12}]),
             query=q(('page[number]', '1'), ('page[size]', '100'))),
    ]


def test_snapshot_of_every_section_written_atomically_and_kept_on_a_second_run(tmp_path):
    result, seam = run_module(traffic_report_info, args(tmp_path), every_section_calls())
    seam.assert_done()
    assert result['changed'] is True
    assert result['totals'] == {'requests': 12, 'blocked': 3, 'threats': 1, 'days': [
        {'bucket': '2026-11-20 00:00:00', 'requests': 5, 'blocked': 1, 'threats': 0},
        {'bucket': '2026-11-21 00:00:00', 'requests': 7, 'blocked': 2, 'threats': 1}]}
    assert [u['user_id'] for u in result['users']] == [1, 2]
    assert result['roaming_clients'][0]['agent_id'] == 'a-1'
    on_disk = json.loads((tmp_path / 'traffic.json').read_text())
    assert on_disk['options']['from'] == '2026-11-20T00:00:00Z' and on_disk['blocked_categories'][0]['total'] == 3
    assert KEY not in (tmp_path / 'traffic.json').read_text()
    assert oct(os.stat(tmp_path / 'traffic.json').st_mode & 0o777) == '0o640'
    assert os.listdir(tmp_path) == ['traffic.json']  # no temporary file left
    again, seam = run_module(traffic_report_info, args(tmp_path), [])
    assert again['changed'] is False and again['totals'] == result['totals'] and again['sha256'] == result['sha256']


def test_check_mode_reads_and_writes_nothing(tmp_path):
    result, seam = run_module(traffic_report_info, args(tmp_path, sections=['totals']), every_section_calls()[:3], check_mode=True)
    seam.assert_done()
    assert result['changed'] is True and result['totals']['requests'] == 12 and os.listdir(tmp_path) == []


def test_other_options_are_another_snapshot(tmp_path):
    run_module(traffic_report_info, args(tmp_path, sections=['totals']), every_section_calls()[:3])
    site = [('network_ids', '940101,940102')]
    result, seam = run_module(traffic_report_info, args(tmp_path, sections=['roaming_clients'], network_ids=[940102, 940101]), [
        Call('GET', TR + 'top_agents', top([]), query=q(*site, ('page[number]', '1'), ('page[size]', '100')))])
    seam.assert_done()
    assert result['changed'] is True and result['options']['network_ids'] == [940101, 940102]
    assert 'totals' not in json.loads((tmp_path / 'traffic.json').read_text())


@pytest.mark.parametrize('extra, message', [
    ({'start': '2026-11-27', 'end': '2026-11-20'}, 'must end after it starts'),
    ({'start': None, 'days': 0}, 'days must be at least 1'),
    ({'top': 0}, 'top must be at least 1'),
])
def test_bad_input_fails_before_any_call(extra, message):
    result, seam = run_module(traffic_report_info, args(**extra), [])
    assert result['failed'] and message in result['msg'] and result['api_calls'] == 0


def test_a_missing_directory_fails_before_any_call(tmp_path):
    result, seam = run_module(traffic_report_info, args(dest=str(tmp_path / 'nowhere' / 'x.json')), [])
    assert result['failed'] and 'does not exist' in result['msg'] and result['api_calls'] == 0


def test_default_window_is_the_whole_days_before_today():
    now = datetime.datetime(2026, 12, 3, 13, 40, tzinfo=datetime.timezone.utc)
    assert report_window(days=7, now=now) == ('2026-11-26T00:00:00Z', '2026-12-03T00:00:00Z')
    assert report_window(end='2026-12-01', days=1, now=now) == ('2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z')

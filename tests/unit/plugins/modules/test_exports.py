# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.msp.dnsfilter.plugins.modules import csv_export, query_log_export
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import KEY, run_module

QL = '/v1/traffic_reports/query_logs'


def rows(start, count):
    return FakeResponse(200, {'data': {'values': [
        {'time': '2026-11-26 10:00:%02d.000' % (i % 60), 'fqdn': 'host%d.example.com' % i, 'result': 'allowed',
         'categories': [40, 7], 'threat': False} for i in range(start, start + count)]}})


def page(number, size=2):
    return [('organization_id', '11'), ('from', '2026-11-26T00:00:00Z'), ('to', '2026-11-27T00:00:00Z'),
            ('page[number]', str(number)), ('page[size]', str(size))]


def args(tmp_path, **extra):
    base = {'organization_id': 11, 'start': '2026-11-26', 'end': '2026-11-27T00:00:00+00:00',
            'dest': str(tmp_path / 'ql.csv'), 'page_size': 2}
    base.update(extra)
    return base


def test_export_pages_to_csv_and_second_run_is_unchanged(tmp_path):
    result, seam = run_module(query_log_export, args(tmp_path), [
        Call('GET', QL, rows(0, 2), query=page(1)), Call('GET', QL, rows(2, 2), query=page(2)), Call('GET', QL, rows(4, 1), query=page(3)),
    ])
    seam.assert_done()
    assert result['changed'] is True and result['rows'] == 5 and result['pages'] == 3
    with open(tmp_path / 'ql.csv', 'rb') as handle:
        content = handle.read()
    assert result['sha256'] == hashlib.sha256(content).hexdigest()
    lines = content.decode().splitlines()
    assert lines[0].startswith('time,fqdn,') and len(lines) == 6 and '40;7' in lines[1]
    assert not os.path.exists(tmp_path / 'ql.csv.progress.json')
    result, seam = run_module(query_log_export, args(tmp_path), [])
    assert result['changed'] is False and result['rows'] == 5


def test_check_mode_writes_nothing(tmp_path):
    result, seam = run_module(query_log_export, args(tmp_path), [], check_mode=True)
    assert result['changed'] is True and os.listdir(tmp_path) == []
    seam.assert_done()


def test_interrupted_export_resumes_and_loses_nothing(tmp_path):
    result, seam = run_module(query_log_export, args(tmp_path), [
        Call('GET', QL, rows(0, 2), query=page(1)),
        Call('GET', QL, FakeResponse(401, {'error': 'Unauthorized'}), query=page(2)),
    ])
    assert result['failed'] and not os.path.exists(tmp_path / 'ql.csv')
    # The next page was half written when the run died: resuming must drop it.
    with open(tmp_path / 'ql.csv.part', 'ab') as handle:
        handle.write(b'half a row,')
    result, seam = run_module(query_log_export, args(tmp_path), [
        Call('GET', QL, rows(2, 2), query=page(2)), Call('GET', QL, rows(4, 0), query=page(3)),
    ])
    seam.assert_done()
    assert result['resumed_from_page'] == 2 and result['rows'] == 4
    lines = (tmp_path / 'ql.csv').read_text().splitlines()
    assert [line.split(',')[1] for line in lines[1:]] == ['host0.example.com', 'host1.example.com', 'host2.example.com', 'host3.example.com']


def test_jsonl_and_bad_page_size(tmp_path):
    result, seam = run_module(query_log_export, args(tmp_path, format='jsonl', page_size=100, dest=str(tmp_path / 'q.jsonl')), [
        Call('GET', QL, rows(0, 1), query=page(1, 100))])
    assert json.loads((tmp_path / 'q.jsonl').read_text())['fqdn'] == 'host0.example.com'
    seam.assert_done()
    result, seam = run_module(query_log_export, args(tmp_path, page_size=500), [])
    assert result['failed'] and 'page_size' in result['msg']


def test_csv_export_waits_downloads_without_the_key_and_is_idempotent(tmp_path):
    dest = str(tmp_path / 'agents.csv')
    url = 'https://exports.test/x.csv?sig=abc'
    result, seam = run_module(csv_export, {'organization_id': 11, 'kind': 'roaming_clients', 'dest': dest, 'poll_interval': 0}, [
        Call('POST', '/v1/user_agent_csv_exports', FakeResponse(200, {'data': {'id': 9}}),
             body={'user_agent_csv_export': {'organization_ids': [11]}}),
        Call('GET', '/v1/user_agent_csv_exports/9', FakeResponse(200, {'data': {'id': 9, 'url': None}})),
        Call('GET', '/v1/user_agent_csv_exports/9', FakeResponse(200, {'data': {'id': 9, 'url': url}})),
    ], downloads=[Call('GET', url, FakeResponse(200, 'Client Name,State\nDESK-01,Protected\n'))])
    seam.assert_done()
    seam.downloads.assert_done()
    assert 'Authorization' not in seam.downloads.made[0][4]
    assert KEY not in str(seam.downloads.made)
    assert result['changed'] is True and result['bytes'] == 36 and 'url' not in result['job']
    result, seam = run_module(csv_export, {'organization_id': 11, 'kind': 'roaming_clients', 'dest': dest}, [])
    assert result['changed'] is False


def test_failed_export_fails(tmp_path):
    result, seam = run_module(csv_export, {'organization_id': 11, 'kind': 'users', 'dest': str(tmp_path / 'u.csv'), 'poll_interval': 0}, [
        Call('POST', '/v2/agent_local_users_csv_export', FakeResponse(200, {'data': {'id': 'e1'}})),
        Call('GET', '/v2/agent_local_users_csv_export/e1', FakeResponse(200, {'data': {'id': 'e1', 'error': 'boom'}})),
    ])
    assert result['failed'] and 'failed' in result['msg']
    seam.assert_done()

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An export whose create answer was lost is never created twice; the Roaming Client list is read another way."""

from __future__ import annotations

import json
import os

import pytest
import requests

from ansible_collections.msp.dnsfilter.plugins.modules import csv_export
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import KEY, run_module

CSV = 'Client Name,State\nDESK-01,Protected\n'
LOST = [
    requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected'),
    requests.exceptions.ReadTimeout('read timed out'),
    FakeResponse(502, {'error': 'Bad Gateway'}),
]


@pytest.mark.parametrize('lost', LOST, ids=['reset', 'timeout', '5xx'])
def test_a_lost_roaming_client_export_answer_reads_the_synchronous_csv_once(tmp_path, lost):
    dest = str(tmp_path / 'roaming_clients.csv')
    result, seam = run_module(csv_export, {'organization_id': 11, 'kind': 'roaming_clients', 'dest': dest, 'poll_interval': 0}, [
        Call('POST', '/v1/user_agent_csv_exports', lost),
        Call('GET', '/v1/user_agents/csv', FakeResponse(200, CSV, {'Content-Type': 'text/csv'}), query=[('organization_id', '11')]),
    ])
    seam.assert_done()
    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is True and result['recovered']['via'] == 'GET /v1/user_agents/csv'
    assert open(dest).read() == CSV and result['bytes'] == len(CSV)
    assert json.loads(open(dest + '.meta.json').read())['options'] == {'organization_id': 11, 'kind': 'roaming_clients'}
    assert KEY not in json.dumps(result)
    # One POST only: the create was not sent again. A second run keeps the file.
    assert [m[0] for m in seam.made].count('POST') == 1
    again, seam = run_module(csv_export, {'organization_id': 11, 'kind': 'roaming_clients', 'dest': dest}, [])
    assert again['changed'] is False and again['sha256'] == result['sha256']


@pytest.mark.parametrize('kind, path', [('users', '/v2/agent_local_users_csv_export'), ('networks', '/v2/networks_csv_export')])
def test_a_lost_answer_without_another_way_fails_clearly_and_is_not_sent_again(tmp_path, kind, path):
    dest = str(tmp_path / ('%s.csv' % kind))
    result, seam = run_module(csv_export, {'organization_id': 11, 'kind': kind, 'dest': dest, 'poll_interval': 0}, [
        Call('POST', path, requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected'))])
    seam.assert_done()
    assert result['failed'] and 'offers no list' in result['msg'] and 'Run the task again' in result['msg']
    assert os.listdir(tmp_path) == []


def test_a_refusal_is_not_taken_for_a_lost_answer(tmp_path):
    result, seam = run_module(csv_export, {'organization_id': 11, 'kind': 'roaming_clients', 'dest': str(tmp_path / 'r.csv')}, [
        Call('POST', '/v1/user_agent_csv_exports', FakeResponse(403, {'error': 'Forbidden'}))])
    seam.assert_done()
    assert result['failed'] and 'HTTP 403' in result['msg'] and 'recovered' not in result

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal as j


def _journal(tmp_path, run='run-1'):
    return j.Journal(str(tmp_path / j.JOURNAL_NAME), run=run, module='msp.dnsfilter.test')


def test_intent_then_outcome_is_one_finished_action(tmp_path):
    journal = _journal(tmp_path)
    entry = journal.intent('delete roaming client', 'DELETE', '/v1/user_agents/7', [j.subject('roaming_client', 7, 'PC-7')],
                           why='its uninstall is confirmed', verify={'path': '/v1/user_agents/7', 'gone': True})
    journal.outcome(entry, 'done', status=204)
    entries, torn = j.read(journal.path)
    assert torn == 0
    assert j.pending(entries) == []
    (action,) = j.actions(entries)
    assert action['result'] == 'done' and action['status'] == 204 and action['subjects'] == [
        {'type': 'roaming_client', 'id': '7', 'name': 'PC-7'}]
    assert action['why'] == 'its uninstall is confirmed' and action['finished_by'] == 'run-1'


def test_every_append_is_on_disk_as_a_whole_line(tmp_path):
    journal = _journal(tmp_path)
    journal.intent('revoke site key', 'DELETE', '/v1/networks/5/secret_key')
    raw = (tmp_path / j.JOURNAL_NAME).read_bytes()
    assert raw.endswith(b'\n') and raw.count(b'\n') == 1
    assert json.loads(raw)['kind'] == 'intent'


def test_a_torn_tail_is_skipped_and_the_next_append_starts_a_new_line(tmp_path):
    journal = _journal(tmp_path)
    first = journal.intent('delete', 'DELETE', '/v1/user_agents/1')
    with open(journal.path, 'ab') as handle:
        handle.write(b'{"kind": "outcome", "id": "')  # killed in the middle of an append
    journal.outcome(first, 'done', status=204)
    entries, torn = j.read(journal.path)
    assert torn == 1
    assert [a['result'] for a in j.actions(entries)] == ['done']


def test_secrets_never_reach_the_journal(tmp_path):
    journal = _journal(tmp_path)
    journal.intent('revoke', 'DELETE', '/v1/networks/5/secret_key',
                   [{'type': 'site', 'id': '5', 'secret_key': 'abc-SECRET', 'token': 'tok-SECRET'}],
                   verify={'path': '/v1/networks/5', 'field': 'secret_key', 'empty': True})
    text = (tmp_path / j.JOURNAL_NAME).read_text()
    assert 'SECRET' not in text
    # the verify field names the attribute to look at; it is not a secret value
    assert json.loads(text)['verify']['field'] == 'secret_key'


@pytest.mark.parametrize('verify, resource, expected', [
    ({'path': '/x', 'gone': True}, None, 'done'),
    ({'path': '/x', 'gone': True}, {'id': '1'}, 'not_done'),
    ({'path': '/x', 'field': 'secret_key', 'empty': True}, {'id': '1', 'secret_key': None}, 'done'),
    ({'path': '/x', 'field': 'secret_key', 'empty': True}, {'id': '1', 'secret_key': 'k'}, 'not_done'),
    ({'path': '/x', 'field': 'secret_key', 'empty': True}, None, 'done'),
    ({'path': '/x', 'field': 'status', 'in': ['uninstall_pending']}, {'status': 'uninstall_pending'}, 'done'),
    ({'path': '/x', 'field': 'status', 'in': ['uninstall_pending']}, {'status': 'online'}, 'not_done'),
    ({'path': '/x', 'field': 'status', 'in': ['uninstall_pending']}, None, 'unknown'),
    (None, None, 'unknown'),
    ({'path': '/x'}, {'id': 1}, 'unknown'),
])
def test_judge(verify, resource, expected):
    assert j.judge(verify, resource) == expected


def test_reconcile_tells_what_a_killed_run_did(tmp_path):
    killed = _journal(tmp_path, run='run-1')
    deleted = killed.intent('delete', 'DELETE', '/v1/user_agents/1', verify={'path': '/v1/user_agents/1', 'gone': True})
    kept = killed.intent('delete', 'DELETE', '/v1/user_agents/2', verify={'path': '/v1/user_agents/2', 'gone': True})
    blind = killed.intent('queue uninstall', 'POST', '/v1/user_agents/uninstall')
    broken = killed.intent('delete', 'DELETE', '/v1/user_agents/3', verify={'path': '/v1/user_agents/3', 'gone': True})
    state = {'/v1/user_agents/2': {'id': '2'}}

    def read_now(path):
        if path.endswith('/3'):
            raise RuntimeError('HTTP 503')
        return state.get(path)

    resumed = _journal(tmp_path, run='run-2')
    entries, _torn = j.read(resumed.path)
    written = j.reconcile(resumed, entries, read_now)
    assert len(written) == 4
    entries, _torn = j.read(resumed.path)
    by_id = {a['id']: a for a in j.actions(entries)}
    assert by_id[deleted]['result'] == 'done' and by_id[deleted]['reconciled'] and by_id[deleted]['finished_by'] == 'run-2'
    assert by_id[kept]['result'] == 'not_done'
    assert by_id[blind]['result'] == 'unknown'
    assert by_id[broken]['result'] == 'unknown' and 'HTTP 503' in by_id[broken]['error']
    assert j.pending(entries) == []
    assert [a['id'] for a in j.happened(entries)] == [deleted]


def test_actions_keep_the_order_of_every_run(tmp_path):
    first = _journal(tmp_path, run='run-1')
    a = first.intent('delete', 'DELETE', '/v1/user_agents/1')
    first.outcome(a, 'done', status=204)
    second = _journal(tmp_path, run='run-2')
    b = second.intent('delete', 'DELETE', '/v1/user_agents/2')
    second.outcome(b, 'already', status=404)
    c = second.intent('delete', 'DELETE', '/v1/user_agents/3')
    second.outcome(c, 'failed', status=500, error='HTTP 500')
    entries, _torn = j.read(first.path)
    assert [(x['run'], x['result']) for x in j.actions(entries)] == [('run-1', 'done'), ('run-2', 'already'), ('run-2', 'failed')]
    assert [x['id'] for x in j.happened(entries)] == [a, b]


def test_an_unwritable_journal_stops_the_write(tmp_path):
    os.chmod(tmp_path, 0o500)
    try:
        journal = j.Journal(str(tmp_path / 'sub' / j.JOURNAL_NAME))
        with pytest.raises(j.JournalError):
            journal.intent('delete', 'DELETE', '/v1/user_agents/1')
    finally:
        os.chmod(tmp_path, 0o700)


def test_an_unknown_result_is_refused(tmp_path):
    with pytest.raises(ValueError):
        _journal(tmp_path).outcome('x', 'probably')


@pytest.mark.parametrize('verify, resource, expected', [
    ({'path': '/x', 'field': 'uninstall_queued_at', 'set': True}, {'uninstall_queued_at': '2026-11-27T10:05:00Z'}, 'done'),
    ({'path': '/x', 'field': 'uninstall_queued_at', 'set': True}, {'uninstall_queued_at': None}, 'not_done'),
    ({'path': '/x', 'field': 'uninstall_queued_at', 'set': True}, None, 'unknown'),
    ({'path': '/x', 'field': 'uninstall_queued_at', 'set': True, 'gone': True}, None, 'done'),
    ({'path': '/x', 'field': 'status', 'in': ['revoked'], 'gone': True}, None, 'done'),
    ({'path': '/x', 'field': 'domains', 'holds': ['a.example', 'b.example']}, {'domains': ['b.example', 'a.example']}, 'done'),
    ({'path': '/x', 'field': 'domains', 'holds': ['a.example', 'b.example']}, {'domains': ['a.example']}, 'not_done'),
    ({'path': '/x', 'field': 'domains', 'lacks': ['a.example']}, {'domains': ['b.example']}, 'done'),
    ({'path': '/x', 'field': 'domains', 'lacks': ['a.example']}, {'domains': ['a.example']}, 'not_done'),
    ({'path': '/x', 'field': 'domains', 'lacks': ['a.example']}, {'domains': 'a.example'}, 'unknown'),
])
def test_judge_the_forms_for_queued_and_list_writes(verify, resource, expected):
    assert j.judge(verify, resource) == expected


def test_a_bulk_write_is_done_only_when_every_object_is(tmp_path):
    state = {'/v1/user_agents/2': {'id': '2'}}
    bulk = j.gone('/v1/user_agents/1', ['/v1/user_agents/1', '/v1/user_agents/2'])
    assert j.judge_now(bulk, state.get) == 'unknown'
    assert j.judge_now(bulk, {}.get) == 'done'
    assert j.judge_now(bulk, {'/v1/user_agents/1': {'id': '1'}, '/v1/user_agents/2': {'id': '2'}}.get) == 'not_done'
    killed = _journal(tmp_path)
    entry = killed.intent('delete Roaming Client record', 'POST', '/v1/user_agent_bulk_deletes',
                          [j.subject('roaming_client', 1), j.subject('roaming_client', 2)], verify=bulk)
    entries, _torn = j.read(killed.path)
    j.reconcile(_journal(tmp_path, run='run-2'), entries, {}.get)
    entries, _torn = j.read(killed.path)
    assert [(a['id'], a['result'], a['reconciled']) for a in j.happened(entries)] == [(entry, 'done', True)]


def test_a_record_that_does_not_show_a_queued_uninstall_proves_nothing():
    verify = {'path': '/v1/user_agents/1', 'field': 'uninstall_queued_at', 'set': True, 'gone': True, 'otherwise': 'unknown'}
    assert j.judge(verify, {'uninstall_queued_at': None}) == 'unknown'
    assert j.judge(verify, {'uninstall_queued_at': '2026-12-03T10:00:00Z'}) == 'done'
    assert j.judge(verify, None) == 'done'

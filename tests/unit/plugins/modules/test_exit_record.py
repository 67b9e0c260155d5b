# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""exit_record: one bundle per ticket whatever a killed run left, reconciliation through DNSFilter, record and close."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal
from ansible_collections.msp.dnsfilter.plugins.modules import exit_record
from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Call, FakeResponse
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import run_module

TICKET = 'PSA-1001'
RUN_RECORD = {'ticket': TICKET, 'approver': 'Grace Holloway', 'effective_date': '2026-11-30', 'exit_shape': 'device_retire',
              'organization': {'id': '810101', 'name': 'Contoso Dental'}}


def open_(root, calls=(), check_mode=False, **extra):
    args = dict({'state': 'open', 'root': str(root), 'ticket': TICKET, 'run_record': RUN_RECORD}, **extra)
    result, seam = run_module(exit_record, args, list(calls), check_mode=check_mode)
    seam.assert_done()
    return result


def entries(root):
    return sorted(os.listdir(str(root)))


def test_open_makes_one_whole_bundle_and_the_next_run_resumes_it(tmp_path):
    first = open_(tmp_path)
    assert not first.get('failed') and first['created'] and not first['resumed'], first
    bundle = first['dir']
    assert os.path.basename(bundle).startswith(TICKET + '-')
    for sub in ('before', 'after', 'devices', 'operator', 'runs'):
        assert os.path.isdir(os.path.join(bundle, sub))
    assert json.load(open(os.path.join(bundle, 'run.json'), encoding='utf-8'))['ticket'] == TICKET
    assert os.path.isfile(bundle + '.open')
    assert first['journal'] == {'path': os.path.join(bundle, 'journal.jsonl'), 'run': first['run']}
    second = open_(tmp_path)
    assert second['dir'] == bundle and second['resumed'] and not second['created'] and second['run'] != first['run']
    assert sorted(os.listdir(os.path.join(bundle, 'runs'))) == sorted([first['run'], second['run']])


def test_a_finished_bundle_is_resumed_too_never_a_second_one(tmp_path):
    bundle = open_(tmp_path)['dir']
    os.unlink(bundle + '.open')  # the exit finished: nothing outstanding
    again = open_(tmp_path)
    assert again['dir'] == bundle and again['resumed']
    assert [e for e in entries(tmp_path) if not e.startswith('.')] == [os.path.basename(bundle), os.path.basename(bundle) + '.open']


def test_a_folder_left_without_its_open_marker_is_resumed(tmp_path):
    # An older run died after creating the folder and before marking it open (or before making all of it).
    left = tmp_path / (TICKET + '-20261126T101500Z')
    (left / 'before').mkdir(parents=True)
    (left / 'before' / 'organization.json').write_text('{}\n')
    result = open_(tmp_path)
    assert result['dir'] == str(left) and result['resumed'] and not result['created']
    assert (left / 'before' / 'organization.json').read_text() == '{}\n', 'what the killed run captured is kept'
    assert (left / 'runs').is_dir() and (left / 'run.json').is_file() and (tmp_path / (left.name + '.open')).is_file()


def test_a_marker_whose_folder_was_never_made_is_finished_under_its_name(tmp_path):
    name = TICKET + '-20261126T101500Z'
    (tmp_path / (name + '.open')).write_text('unfinished\n')
    (tmp_path / ('.%s.tmp-deadbeef' % name)).mkdir()  # the temporary folder a killed creation left
    result = open_(tmp_path)
    assert result['dir'] == str(tmp_path / name) and (tmp_path / name / 'runs').is_dir()
    assert not [e for e in entries(tmp_path) if '.tmp-' in e], 'the half-made folder was swept'


def test_another_tickets_bundle_and_a_look_alike_ticket_are_not_resumed(tmp_path):
    for other in ('PSA-10011-20261126T101500Z', 'psa-1001-20261126T101500Z', 'PSA-1001-plan-20261126T101500Z'):
        (tmp_path / other).mkdir()
    result = open_(tmp_path)
    assert result['created'] and not result['resumed']


def test_two_bundles_of_one_ticket_are_refused_with_both_named_and_nothing_written(tmp_path):
    for stamp in ('20261126T101500Z', '20261127T090000Z'):
        (tmp_path / ('%s-%s' % (TICKET, stamp))).mkdir()
    before = entries(tmp_path)
    result = open_(tmp_path)
    assert result['failed'] and '20261126T101500Z' in result['msg'] and '20261127T090000Z' in result['msg']
    assert [e for e in entries(tmp_path) if not e.endswith('.lock')] == before


@pytest.mark.parametrize('ticket', ['../etc', 'PSA 1001', '', '.hidden', 'a' * 80])
def test_a_ticket_that_cannot_name_a_folder_is_refused_before_anything_is_written(tmp_path, ticket):
    result = open_(tmp_path, ticket=ticket)
    assert result['failed'] and 'ticket' in result['msg']
    assert entries(tmp_path) == []


def test_an_incomplete_customer_acceptance_is_refused_before_anything_is_written(tmp_path):
    result = open_(tmp_path, acceptance={'accepted_by': 'Dana', 'accepted_at': ' ', 'reference': 'note 7'})
    assert result['failed'] and 'accepted_at' in result['msg']
    assert entries(tmp_path) == []


def test_check_mode_makes_a_plan_folder_of_its_own_and_touches_nothing_else(tmp_path):
    real = open_(tmp_path)['dir']
    before = {e: sorted(os.listdir(str(tmp_path / e))) if os.path.isdir(str(tmp_path / e)) else None for e in entries(tmp_path)}
    plan = open_(tmp_path, check_mode=True)
    assert '-plan-' in os.path.basename(plan['dir']) and plan['journal'] is None and not plan['resumed']
    assert not os.path.exists(plan['dir'] + '.open')
    after = {e: sorted(os.listdir(str(tmp_path / e))) if os.path.isdir(str(tmp_path / e)) else None for e in entries(tmp_path)}
    assert {k: v for k, v in after.items() if k != os.path.basename(plan['dir'])} == before
    assert os.path.basename(real) in after


def test_open_reconciles_the_intents_a_killed_run_left_through_dnsfilter(tmp_path):
    bundle = open_(tmp_path)['dir']
    journal = _journal.Journal(os.path.join(bundle, 'journal.jsonl'), run='killed', module='msp.dnsfilter.roaming_client')
    gone = journal.intent('delete agent PC-1', 'DELETE', '/v1/user_agents/11', [_journal.subject('roaming_client', '11', 'PC-1')],
                          'uninstall confirmed', {'path': '/v1/user_agents/11', 'gone': True})
    kept = journal.intent('delete agent PC-2', 'DELETE', '/v1/user_agents/12', [_journal.subject('roaming_client', '12', 'PC-2')],
                          'uninstall confirmed', {'path': '/v1/user_agents/12', 'gone': True})
    result = open_(tmp_path, calls=[Call('GET', '/v1/user_agents/11', FakeResponse(404, {'errors': [{'detail': 'not found'}]})),
                                    Call('GET', '/v1/user_agents/12', FakeResponse(200, {'data': {'id': '12', 'type': 'user_agents',
                                                                                                  'attributes': {'hostname': 'PC-2'}}}))])
    assert result['dir'] == bundle and result['changed']
    assert {r['id']: r['result'] for r in result['reconciled']} == {gone: 'done', kept: 'not_done'}
    found, dummy = _journal.read(os.path.join(bundle, 'journal.jsonl'))
    assert [a['action'] for a in _journal.happened(found)] == ['delete agent PC-1']
    # Nothing is pending any more: the next open makes no request.
    assert open_(tmp_path)['reconciled'] == []


def test_record_then_close_writes_the_phase_the_report_and_the_verifier(tmp_path):
    opened = open_(tmp_path)
    bundle, run = opened['dir'], opened['run']
    rows = [{'id': 'a1', 'hostname': 'PC-1', 'action': 'deleted', 'agent_type': 'windows', 'agent_version': '3.3.6'}]
    recorded, dummy = run_module(exit_record, {'state': 'record', 'path': bundle, 'phase': 'remove_roaming_clients',
                                               'journal': opened['journal'], 'results': {'records': {'roaming_clients': rows}},
                                               'outstanding': [{'subject': 'PC-2', 'subject_type': 'roaming_client', 'reason': 'offline',
                                                                'next_step': 'Uninstall it on the device.', 'who': 'the on-site technician'}]}, [])
    assert recorded['changed'] and recorded['path'] == os.path.join(bundle, 'runs', run, 'remove_roaming_clients.json')
    assert recorded['outstanding'][0]['who'] == 'the on-site technician'
    again, dummy = run_module(exit_record, {'state': 'record', 'path': bundle, 'phase': 'remove_roaming_clients', 'run': run,
                                            'results': {'records': {'roaming_clients': rows}},
                                            'outstanding': [{'subject': 'PC-2', 'subject_type': 'roaming_client', 'reason': 'offline',
                                                             'next_step': 'Uninstall it on the device.', 'who': 'the on-site technician'}]}, [])
    assert not again['changed']
    closed, dummy = run_module(exit_record, {'state': 'close', 'path': bundle, 'run': run, 'asset_ids': {'PC-1': 'A-7'}}, [])
    assert closed['files'] == ['VERIFY.py', 'report.html', 'report.md']
    assert [o['subject'] for o in closed['outstanding']] == ['PC-2']
    report = open(os.path.join(bundle, 'report.md'), encoding='utf-8').read()
    assert '| a1 | PC-1 | A-7 | windows 3.3.6 |' in report and 'PC-2' in report and 'the on-site technician' in report
    assert 'Outstanding items: 1.' in closed['psa_note']
    assert os.access(os.path.join(bundle, 'VERIFY.py'), os.X_OK)


def test_record_refuses_an_item_without_a_reason_and_writes_nothing(tmp_path):
    opened = open_(tmp_path)
    result, dummy = run_module(exit_record, {'state': 'record', 'path': opened['dir'], 'run': opened['run'], 'phase': 'close_access',
                                             'outstanding': [{'subject': 'SSO'}]}, [])
    assert result['failed'] and 'reason' in result['msg']
    assert os.listdir(os.path.join(opened['dir'], 'runs', opened['run'])) == ['run.json']


def test_record_needs_a_run(tmp_path):
    opened = open_(tmp_path)
    result, dummy = run_module(exit_record, {'state': 'record', 'path': opened['dir'], 'phase': 'close_access'}, [])
    assert result['failed'] and 'run' in result['msg']

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The exit record: the outstanding item's schema, phase records, the account across runs, and the report."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys

from html.parser import HTMLParser

import pytest

from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal, _record

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
RUN1, RUN2 = '20261126T101500Z-aaaa0001', '20261127T090000Z-bbbb0002'
HOSTILE = '<script>alert(1)</script> | J={{ 7*7 }}'
RUN_RECORD = {'ticket': 'PSA-1001', 'approver': 'Grace Holloway', 'effective_date': '2026-11-30', 'exit_shape': 'customer_exit',
              'organization': {'id': '810101', 'name': HOSTILE}, 'caller': {'email': 'automation@msp.example'}}


def bundle_of(tmp_path, record=None, run=RUN1):
    opened = _record.open_bundle(str(tmp_path / 'evidence'), 'PSA-1001', dict(RUN_RECORD, **(record or {})), run)
    return opened['dir']


def agent(ident, hostname, action, **extra):
    return dict({'id': ident, 'hostname': hostname, 'agent_type': 'windows', 'agent_version': '3.3.6', 'action': action,
                 'removal_state': 'installed', 'last_sync': '2026-11-26T10:00:00Z'}, **extra)


def removal(uninstall=(), records=(), kept=(), devices=()):
    return {'uninstall': {'roaming_clients': list(uninstall)}, 'records': {'roaming_clients': list(records), 'outstanding': list(kept)},
            'site_keys': {'changed_ids': ['77']}, 'devices': list(devices), 'out_of_scope': []}


# The outstanding item's schema.

def test_an_item_in_the_schema_is_kept_as_given():
    item = _record.outstanding_item({'subject': 'SSO groups', 'subject_type': 'sso_groups', 'reason': 'In DNSFilter-Technicians.',
                                     'next_step': 'Remove him.', 'who': 'the IdP administrator'}, 'close_access')
    assert item == {'phase': 'close_access', 'subject': 'SSO groups', 'subject_type': 'sso_groups', 'reason': 'In DNSFilter-Technicians.',
                    'next_step': 'Remove him.', 'who': 'the IdP administrator'}


def test_an_older_item_gets_a_subject_type_a_next_step_and_who_must_act():
    item = _record.outstanding_item({'phase': 'close_access', 'hostname': 'SSO', 'id': 960101, 'reason': 'Only a Super Admin may.'},
                                    'close_access')
    assert item['subject'] == 'SSO' and item['subject_type'] == 'sso' and item['id'] == '960101'
    assert 'Super Admin or Owner' in item['next_step'] and item['who']
    person = _record.outstanding_item({'hostname': 'bob@msp.example (user 1)', 'reason': 'keys'}, 'close_access')
    assert person['subject_type'] == 'dashboard_user' and 'attest' in person['next_step']


@pytest.mark.parametrize('item', [{'hostname': 'PC-1'}, {'reason': 'why'}, {'hostname': '  ', 'reason': 'why'}, 'PC-1',
                                  {'subject': None, 'reason': 'why'}])
def test_an_item_without_a_subject_or_a_reason_is_refused(item):
    with pytest.raises(_record.RecordError):
        _record.outstanding_item(item, 'close_access')


# Phase records.

def test_a_phase_is_one_file_per_run_written_whole_and_a_second_write_changes_nothing(tmp_path):
    bundle = bundle_of(tmp_path)
    results = {'removed': [{'id': 1, 'user_login': 'CONTOSO\\jdoe', 'password': 'hunter2-long-secret'}], 'token': 'sim-secret'}
    path, record, changed = _record.record_phase(bundle, RUN1, 'clean_users', results)
    assert changed and path == os.path.join(bundle, 'runs', RUN1, 'clean_users.json')
    on_disk = json.loads(open(path, encoding='utf-8').read())
    assert on_disk == record and on_disk['results'] == {'removed': [{'id': 1, 'user_login': 'CONTOSO\\jdoe'}]}
    assert 'hunter2' not in open(path, encoding='utf-8').read()
    assert not [n for n in os.listdir(os.path.dirname(path)) if n.endswith('.tmp')], 'a temporary file was left'
    assert _record.record_phase(bundle, RUN1, 'clean_users', results)[2] is False


@pytest.mark.parametrize('phase, run, outstanding', [
    ('Clean Users', RUN1, []), ('../x', RUN1, []), ('clean_users', '../../etc', []), ('clean_users', RUN1, [{'hostname': 'PC'}])])
def test_bad_input_to_record_writes_nothing(tmp_path, phase, run, outstanding):
    bundle = bundle_of(tmp_path)
    before = sorted(os.walk(bundle))
    with pytest.raises(_record.RecordError):
        _record.record_phase(bundle, run, phase, {}, outstanding)
    assert sorted(os.walk(bundle)) == before


def test_the_agents_a_removal_leaves_are_outstanding_once_each_with_both_reasons(tmp_path):
    bundle = bundle_of(tmp_path)
    results = removal(records=[agent('a1', 'XRAY-WS01', 'none')], kept=[{'id': 'a1', 'hostname': 'XRAY-WS01', 'reason': 'Still installed.'}],
                      devices=[{'agent_id': 'a1', 'hostname': 'XRAY-WS01', 'host': 'XRAY-WS01', 'verified': False,
                                'outstanding_reason': 'unreachable: WinRM timed out'}])
    dummy, record, dummy2 = _record.record_phase(bundle, RUN1, 'remove_roaming_clients', results)
    [item] = record['outstanding']
    assert item['id'] == 'a1' and item['subject_type'] == 'roaming_client'
    assert 'Still installed.' in item['reason'] and 'unreachable: WinRM timed out' in item['reason']


# The account across runs.

def journal_with(bundle, *writes):
    journal = _journal.Journal(os.path.join(bundle, _journal.JOURNAL_NAME), run=RUN1, module='msp.dnsfilter.roaming_client')
    for action, name, result in writes:
        entry = journal.intent(action, 'DELETE', '/v1/user_agents/1', [_journal.subject('roaming_client', '1', name)], 'uninstalled',
                               {'path': '/v1/user_agents/1', 'gone': True})
        if result:
            journal.outcome(entry, result, status=204)
    return journal


def test_the_account_is_the_union_of_every_run_each_subject_once(tmp_path):
    bundle = bundle_of(tmp_path)
    # Run 1 queued and deleted FRONTDESK-01 and kept XRAY-WS01; it was killed before recording anything else.
    _record.record_phase(bundle, RUN1, 'remove_roaming_clients',
                         removal(uninstall=[agent('a2', 'FRONTDESK-01', 'queued')],
                                 records=[agent('a2', 'FRONTDESK-01', 'deleted'), agent('a1', 'XRAY-WS01', 'none')],
                                 kept=[{'id': 'a1', 'hostname': 'XRAY-WS01', 'reason': 'Still installed.'}]))
    journal_with(bundle, ('delete agent FRONTDESK-01', 'FRONTDESK-01', 'done'), ('delete agent XRAY-WS01', 'XRAY-WS01', None))
    # Run 2 finds FRONTDESK-01 gone (no action) and deletes XRAY-WS01, confirmed gone.
    _record.record_phase(bundle, RUN2, 'remove_roaming_clients',
                         removal(records=[agent('a2', 'FRONTDESK-01', 'none'), agent('a1', 'XRAY-WS01', 'deleted')]))
    _record.record_phase(bundle, RUN2, 'clean_users', {'removed': [{'id': 5, 'user_login': 'CONTOSO\\jdoe'}]})
    acc = _record.account(bundle, acceptance_required=False)
    assert [r['run'] for r in acc['runs']] == [RUN1, RUN2]
    agents = {a['hostname']: a for a in acc['roaming_clients']}
    assert sorted(agents) == ['FRONTDESK-01', 'XRAY-WS01'] and agents['FRONTDESK-01']['deleted'] and agents['XRAY-WS01']['deleted']
    assert acc['outstanding'] == [], 'run 2 recorded the phase again: its outstanding items are the current ones'
    assert [a['action'] for a in acc['journal']['happened']] == ['delete agent FRONTDESK-01']
    assert [str(u['id']) for u in acc['users_removed']] == ['5']


def test_what_a_killed_run_recorded_stays_and_an_unknown_write_is_outstanding(tmp_path):
    bundle = bundle_of(tmp_path)
    _record.record_phase(bundle, RUN1, 'close_access', {'dashboard_users': {'changes': []}},
                         [{'hostname': 'SSO', 'reason': 'Only a Super Admin may.'}])
    journal_with(bundle, ('delete agent PC-9', 'PC-9', 'unknown'))
    acc = _record.account(bundle, acceptance_required=False)
    subjects = sorted(i['subject'] for i in acc['outstanding'])
    assert subjects == ['PC-9 (roaming_client)', 'SSO']
    [unknown] = [i for i in acc['outstanding'] if i['subject_type'] == 'journal']
    assert 'cannot be told' in unknown['reason'] and unknown['next_step'] and unknown['who']


def test_a_customer_exit_without_acceptance_has_it_outstanding_and_with_it_shows_who_when_and_the_reference(tmp_path):
    bundle = bundle_of(tmp_path)
    acc = _record.account(bundle)
    assert [i['subject_type'] for i in acc['outstanding']] == ['customer_acceptance']
    accepted = {'accepted_by': 'Dana Reyes', 'accepted_at': '2026-11-30', 'reference': 'PSA-1001 note 7'}
    acc = _record.account(bundle, acceptance=accepted)
    assert acc['outstanding'] == []
    md = _record.render_markdown(_record.blocks(acc))
    assert '| Accepted by | Dana Reyes |' in md and 'PSA-1001 note 7' in md
    with pytest.raises(_record.RecordError):
        _record.check_acceptance({'accepted_by': 'Dana', 'accepted_at': ''})


# The report.

class _Atoms(HTMLParser):
    TEXT = ('h1', 'h2', 'p', 'li', 'th', 'td')

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.atoms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        if tag in self.TEXT:
            self.current = ''

    def handle_endtag(self, tag):
        if tag in self.TEXT and self.current is not None:
            self.atoms.append(' '.join(self.current.split()))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current += data


def html_atoms(text):
    parser = _Atoms()
    parser.feed(text)
    return parser.atoms


def markdown_atoms(text):
    atoms = []
    for line in text.splitlines():
        if not line.strip() or re.match(r'^\|( --- \|)+$', line):
            continue
        if line.startswith('|'):
            cells = re.split(r'(?<!\\) \| ', line[2:-2])
            atoms += [c.replace('\\|', '|').replace('\\\\', '\\') for c in cells]
        else:
            atoms.append(re.sub(r'^(#+ |> |- )', '', line))
    return atoms


def full_account(tmp_path, check_mode=False, shape='customer_exit'):
    bundle = bundle_of(tmp_path, {'exit_shape': shape})
    _record.record_phase(bundle, RUN1, 'remove_roaming_clients',
                         removal(uninstall=[agent('a2', HOSTILE, 'queued', asset_id=None)],
                                 records=[agent('a2', HOSTILE, 'delete_when_uninstalled' if check_mode else 'deleted'),
                                          agent('a1', 'XRAY-WS01', 'none', agent_version=None, last_sync=None)],
                                 kept=[{'id': 'a1', 'hostname': 'XRAY-WS01', 'reason': 'Still installed.'}],
                                 devices=[{'agent_id': 'a1', 'hostname': 'XRAY-WS01', 'host': 'xray', 'served_by': 'xray', 'verified': False,
                                           'outstanding_reason': 'unreachable: WinRM timed out', 'notes': []},
                                          {'agent_id': 'a2', 'hostname': HOSTILE, 'host': 'front', 'served_by': 'front', 'verified': True,
                                           'outstanding_reason': None, 'notes': []}]), check_mode=check_mode)
    _record.record_phase(bundle, RUN1, 'close_access', {'dashboard_users': {'changes': [
        {'organization_id': '810101', 'user_id': '9', 'email': 'dana@contoso.example', 'role_before': None, 'organization_name': None}]},
        'api_keys_attestation': None}, check_mode=check_mode)
    _record.record_phase(bundle, RUN1, 'billing_handoff', {'final_state': 'kept'}, check_mode=check_mode)
    if not check_mode:
        journal_with(bundle, ('delete agent %s' % HOSTILE, HOSTILE, 'done'))
    return bundle, _record.account(bundle, check_mode=check_mode, asset_ids={'xray': 'ASSET-0042', 'front': ''})


@pytest.mark.parametrize('check_mode', [False, True])
def test_markdown_and_html_carry_the_same_facts(tmp_path, check_mode):
    dummy, acc = full_account(tmp_path, check_mode)
    report = _record.blocks(acc)
    md, page = _record.render_markdown(report), _record.render_html(report, 'title')
    assert markdown_atoms(md) == html_atoms(page)
    assert len(markdown_atoms(md)) > 60, 'the comparison is not vacuous'
    assert any(HOSTILE in a for a in markdown_atoms(md)) and any(HOSTILE in a for a in html_atoms(page))


@pytest.mark.parametrize('check_mode', [False, True])
def test_no_none_anywhere_and_tenant_markup_is_escaped(tmp_path, check_mode):
    dummy, acc = full_account(tmp_path, check_mode)
    report = _record.blocks(acc)
    md, page = _record.render_markdown(report), _record.render_html(report, HOSTILE)
    for text in (md, page, _record.psa_note(acc)):
        assert not re.search(r'\bNone\b', text), text
    assert '<script' not in page and '&lt;script&gt;' in page and 'J={{ 7*7 }}' in md
    assert '@media print' in page


def test_each_roaming_client_shows_its_ids_the_device_and_dnsfilter_and_the_verification(tmp_path):
    dummy, acc = full_account(tmp_path)
    md = _record.render_markdown(_record.blocks(acc))
    rows = {r[1]: r for r in (line[2:-2].split(' | ') for line in md.splitlines() if line.startswith('| a1 |') or line.startswith('| a2 |'))}
    xray = rows['XRAY-WS01']
    assert xray[0] == 'a1' and xray[2] == 'ASSET-0042' and xray[3] == 'windows' and xray[4] == '-'
    assert xray[6] == 'NOT done: unreachable: WinRM timed out' and xray[7].startswith('record kept') and xray[8] == 'NOT verified'
    [front] = [r for h, r in rows.items() if h != 'XRAY-WS01']
    assert 'record deleted' in front[5] and front[6].startswith('uninstalled on front, verified clean')
    assert front[8] == 'clean on the device; record deleted and did not come back'
    # The device's own reason is in the report, not only in devices/*.json.
    assert '- xray: NOT verified - unreachable: WinRM timed out' in md


def test_the_plan_says_would_names_the_requested_approver_and_lists_only_what_it_made(tmp_path):
    bundle, acc = full_account(tmp_path, check_mode=True)
    md = _record.render_markdown(_record.blocks(acc))
    assert md.startswith('# DNSFilter customer exit - PLAN (check mode')
    assert '| Requested approver | Grace Holloway |' in md and 'Approved by' not in md
    assert 'record would be deleted once the uninstall is confirmed' in md and 'Dashboard memberships would be removed: 1' in md
    assert 'customer_acceptance' not in [i['subject_type'] for i in acc['outstanding']], 'a plan lists no acceptance outstanding'
    assert 'before/query-log.csv' not in md, 'the plan did not make the query log'
    assert acc['handover'] == [], 'nothing to hand over is in the plan folder yet'
    dummy, dummy2, dummy3 = _record.close_bundle(bundle, check_mode=True)
    md = open(os.path.join(bundle, 'report.md'), encoding='utf-8').read()
    assert 'Evidence this plan would hand over: VERIFY.py, report.html, report.md.' in md
    assert 'Not in this bundle' not in md


def test_the_evidence_handed_over_is_only_what_the_bundle_has(tmp_path):
    bundle, dummy = full_account(tmp_path)
    with open(os.path.join(bundle, 'before', 'query-log.csv'), 'w', encoding='utf-8') as handle:
        handle.write('time,domain\n')
    acc, files, changed = _record.close_bundle(bundle, acceptance_required=False)
    md = open(os.path.join(bundle, 'report.md'), encoding='utf-8').read()
    assert changed and files == ['VERIFY.py', 'report.html', 'report.md']
    assert 'Evidence handed to the customer: VERIFY.py, before/query-log.csv, report.html, report.md.' in md
    missing = ['before/reports/domains.json', 'before/reports/threats.json', 'before/reports/totals.json', 'before/roaming_clients.csv']
    assert 'Not in this bundle, so not handed over: %s.' % ', '.join(missing) in md
    assert acc['handover_missing'] == missing


def test_one_device_has_no_billing_handoff_and_no_organisation_leaving_service(tmp_path):
    bundle = bundle_of(tmp_path, {'exit_shape': 'device_retire'})
    _record.record_phase(bundle, RUN1, 'remove_roaming_clients', {'records': {'roaming_clients': [agent('a1', 'PC-1', 'deleted')]}})
    md = _record.render_markdown(_record.blocks(_record.account(bundle)))
    assert '## Billing handoff' not in md and 'removed from service' not in md and 'Customer acceptance' not in md
    assert 'Site keys' not in md, 'a device retire revokes no site key'
    assert '## Remove Roaming Clients' in md and '| a1 | PC-1 |' in md


def test_the_api_keys_line_is_the_proof_as_it_reads(tmp_path):
    bundle = bundle_of(tmp_path, {'exit_shape': 'technician_leaver'})
    line = "2 of 2 keys of bob@msp.example (user 610004) proved dead: 5004 'PSA sync' (last four 0001), 5005 'CI' (last four 0002)"
    _record.record_phase(bundle, RUN1, 'close_access', {'technician': {'id': '610004', 'email': 'bob@msp.example'},
                                                        'dashboard_users': {'changes': []}, 'api_keys_attestation': line})
    md = _record.render_markdown(_record.blocks(_record.account(bundle)))
    assert '- API keys: %s' % line in md and 'still authenticate' not in md
    assert 'Technician: bob@msp.example (user 610004)' in md


# The verifier.

def test_scripts_verify_evidence_is_the_verifier_the_module_writes():
    with open(os.path.join(ROOT, 'scripts', 'verify-evidence'), encoding='utf-8') as handle:
        assert handle.read() == _record.verifier_text(), 'regenerate scripts/verify-evidence from _record.verifier_text()'


def _seal(folder):
    files = []
    for current, dummy, names in os.walk(folder):
        for name in names:
            rel = os.path.relpath(os.path.join(current, name), folder)
            with open(os.path.join(current, name), 'rb') as handle:
                files.append({'path': rel, 'sha256': hashlib.sha256(handle.read()).hexdigest()})
    files.sort(key=lambda f: f['path'])
    manifest = ''.join('%s  %s\n' % (f['sha256'], f['path']) for f in files).encode()
    with open(os.path.join(folder, 'MANIFEST.sha256'), 'wb') as handle:
        handle.write(manifest)
    with open(os.path.join(folder, 'manifest.json'), 'w', encoding='utf-8') as handle:
        json.dump({'files': files, 'manifest_sha256': hashlib.sha256(manifest).hexdigest()}, handle)


@pytest.mark.parametrize('how', [['sh'], [sys.executable]])
def test_the_written_verifier_runs_with_sh_or_python_and_finds_an_altered_file(tmp_path, how):
    bundle, dummy = full_account(tmp_path)
    _record.close_bundle(bundle, acceptance_required=False)
    _seal(bundle)
    verify = os.path.join(bundle, 'VERIFY.py')
    good = subprocess.run(how + [verify, bundle], capture_output=True, text=True, check=False)
    assert good.returncode == 0 and 'VERIFIED' in good.stdout, good.stdout + good.stderr
    with open(os.path.join(bundle, 'report.md'), 'a', encoding='utf-8') as handle:
        handle.write('tampered\n')
    bad = subprocess.run(how + [verify, bundle], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and 'ALTERED  report.md' in bad.stdout


def test_what_a_killed_run_did_is_counted_from_its_journal(tmp_path):
    # Run 1 deleted two records, queued one uninstall, revoked a site key, removed a membership and a User, and was
    # killed before it recorded any phase. Run 2 finds them gone: its records say nothing was left to do.
    bundle = bundle_of(tmp_path)
    killed = _journal.Journal(os.path.join(bundle, _journal.JOURNAL_NAME), run=RUN1)
    for action, subjects in [
            ('delete Roaming Client record', [_journal.subject('roaming_client', 'a1', 'PC-1'), _journal.subject('roaming_client', 'a2', 'PC-2')]),
            ('queue remote uninstall', [_journal.subject('roaming_client', 'a3', 'MAC-3')]),
            ('revoke site key', [_journal.subject('site', '77', 'Main')]),
            ('remove dashboard user from organisation', [_journal.subject('dashboard_user', '610', 'ann@contoso.example'),
                                                         _journal.subject('organization', '810101')]),
            ('delete User record', [_journal.subject('agent_local_user', '44', 'CONTOSO\\ann')])]:
        killed.outcome(killed.intent(action, 'DELETE', '/x', subjects), 'done', status=204)
    pending = killed.intent('stop scheduled report', 'DELETE', '/v1/scheduled_reports/9', [_journal.subject('scheduled_report', '9')])
    killed.outcome(pending, 'not_done', reconciled=True)
    _record.record_phase(bundle, RUN2, 'remove_roaming_clients', {
        'uninstall': {'roaming_clients': [agent('a3', 'MAC-3', 'already_queued')]},
        'records': {'roaming_clients': [agent('a3', 'MAC-3', 'deleted')], 'outstanding': []},
        'site_keys': {'changed_ids': []}, 'devices': [], 'out_of_scope': []})
    _record.record_phase(bundle, RUN2, 'clean_users', {'removed': []})
    _record.record_phase(bundle, RUN2, 'close_access', {'dashboard_users': {'changes': []}})
    acc = _record.account(bundle, acceptance_required=False)
    rows = {a['id']: a for a in acc['roaming_clients']}
    assert {i for i, a in rows.items() if a.get('deleted')} == {'a1', 'a2', 'a3'}
    assert rows['a1']['hostname'] == 'PC-1' and rows['a3']['actions']['uninstall'] == 'queued'
    assert acc['site_keys_revoked'] == ['77']
    assert [(m['organization_id'], m['user_id']) for m in acc['memberships_removed']] == [('810101', '610')]
    assert [u['id'] for u in acc['users_removed']] == ['44']
    assert acc['scheduled_reports_removed'] == [], 'a write found not to have happened is not counted'
    md = _record.render_markdown(_record.blocks(acc))
    assert 'Site keys revoked: 1' in md and 'Dashboard memberships removed: 1' in md

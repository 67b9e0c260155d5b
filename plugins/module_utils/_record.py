# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The exit record: the evidence bundle's life (open, record, close) and the report, in tested Python.

- ``open_bundle``: one bundle per ticket under an evidence root, created atomically (a marker beside it first, then
  the folder built under a temporary name and renamed), resumed by every later run of the same ticket.
- ``record_phase``: a phase's results and outstanding items, one file per phase per run
  (``runs/<run>/<phase>.json``), written atomically, so a killed run keeps what it recorded.
- ``account``: the union of everything every run did (the journal's actions that happened, every run's recorded
  phases, each subject once), and ``render_markdown`` / ``render_html``: the same blocks, so both carry the same facts.

Standard library only; no secret is ever written (results are redacted as in _module).
"""

from __future__ import annotations

import datetime
import fcntl
import html
import json
import os
import re
import shutil
import uuid

from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal
from ansible_collections.msp.dnsfilter.plugins.module_utils._evidence import write_atomic

STAMP = '%Y%m%dT%H%M%SZ'
SUBDIRS = ('before', 'after', 'devices', 'operator', 'runs')
TICKET = re.compile(r'^[A-Za-z0-9][A-Za-z0-9#._-]{1,63}$')
RUN = re.compile(r'^[0-9]{8}T[0-9]{6}Z(-[0-9a-f]{1,32})?$')
PHASE = re.compile(r'^[a-z][a-z0-9_]{0,63}$')
RUN_JSON = 'run.json'
SCHEMA = 1
# Keys that never reach a record or the report, at any depth (as in _module.REDACTED_KEYS and _journal).
SECRET_KEYS = frozenset(('token', 'secret_key', 'pin', 'password', 'client_secret', 'api_key', 'intercom_user_verification'))
# The outstanding item's schema; the playbooks' older items name their subject by one of SUBJECT_ALIASES.
ITEM_KEYS = ('phase', 'subject', 'subject_type', 'id', 'reason', 'next_step', 'who')
SUBJECT_ALIASES = ('subject', 'hostname', 'host', 'email', 'name')
ACCEPTANCE_KEYS = ('accepted_by', 'accepted_at', 'reference')
# The exit shapes whose customer accepts the handover (else its acceptance is outstanding).
ACCEPTANCE_SHAPES = ('customer_exit',)
DEFAULT_HANDOVER = ('report.html', 'report.md', 'VERIFY.py', 'before/query-log.csv', 'before/roaming_clients.csv',
                    'before/reports/totals.json', 'before/reports/domains.json', 'before/reports/threats.json')

NEXT_STEPS = {
    'roaming_client': ('Uninstall the agent on the device (or list the device in dnsfilter_devices_confirmed_gone once it is '
                       'destroyed or wiped), then run the playbook again with the same ticket.',
                       'the MSP technician who can reach the device'),
    'sso': ('Remove the SSO connection with a Super Admin or Owner key (or in the dashboard), then run again with the same ticket.',
            'a DNSFilter Super Admin or Owner of the organisation'),
    'sso_groups': ('Remove the person from the IdP groups named, put a screenshot in operator/, then run again with the same ticket.',
                   "the identity provider's administrator"),
    'dashboard_user': ("Prove the user's API keys dead (their tokens) or record who attested their revocation "
                       '(dnsfilter_api_keys_attestation), then run again with the same ticket.', 'the approver'),
    'site': ("Remove the site's remaining Roaming Clients, then run again with the same ticket.", 'the MSP technician'),
    'organization': ('Finish the organisation change in the dashboard or run again with the same ticket.', "the MSP's billing owner"),
    'customer_acceptance': ("Record the customer's acceptance (who, when, reference) in dnsfilter_customer_acceptance and run "
                            'again with the same ticket.', "the customer's signatory, through the account manager"),
    'journal': ('Check in the DNSFilter dashboard whether this change took effect; then run again with the same ticket.',
                'the engineer who runs the exit'),
}
DEFAULT_NEXT = ('Resolve it, then run the playbook again with the same ticket.', 'the engineer who runs the exit')

PHASE_TITLES = {
    'remove_roaming_clients': 'Remove Roaming Clients',
    'clean_users': 'Clean Users',
    'close_access': 'Close access',
    'review_lists': 'Review lists and integrations',
    'close_site': 'Close the site',
    'billing_handoff': 'Billing handoff',
}
PHASE_ORDER = tuple(PHASE_TITLES)


class RecordError(Exception):
    """Bad input or a bundle that cannot be opened as asked; nothing was written for the request."""


# Small helpers.

def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def stamp(when=None):
    return (when or utcnow()).strftime(STAMP)


def new_run_id(when=None):
    return '%s-%s' % (stamp(when), uuid.uuid4().hex[:8])


def redact(obj):
    if isinstance(obj, dict):
        return {str(k): redact(v) for k, v in obj.items() if k not in SECRET_KEYS}
    if isinstance(obj, (list, tuple)):
        return [redact(v) for v in obj]
    return obj


def text(value, empty='-'):
    """A value as report text: never "None", never an empty cell."""
    if value is None or value == '' or value == [] or value == {}:
        return empty
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, (list, tuple)):
        return ', '.join(text(v) for v in value)
    return ' '.join(str(value).split())


def _json_bytes(obj):
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + '\n').encode('utf-8')


def atomic_write(path, data, mode=0o640):
    """Write data (bytes or text) whole (_evidence.write_atomic: a temporary file, fsync, rename); True when it changed.

    A run killed mid-write leaves .<name>.tmp beside the file: the seal refuses it, and the next write replaces it.
    """
    if isinstance(data, str):
        data = data.encode('utf-8')
    try:
        with open(path, 'rb') as handle:
            if handle.read() == data:
                return False
    except OSError:
        pass
    write_atomic(path, data, mode)
    return True


def _load(path, default=None):
    try:
        with open(path, 'rb') as handle:
            return json.loads(handle.read().decode('utf-8'))
    except (OSError, ValueError):
        return default


def check_ticket(ticket):
    if not isinstance(ticket, str) or not TICKET.match(ticket):
        raise RecordError('The ticket %r cannot name an evidence bundle: letters, digits and #._- only, 2 to 64 characters, '
                          'starting with a letter or digit. Nothing was written.' % (ticket,))


def check_run(run):
    if not isinstance(run, str) or not RUN.match(run):
        raise RecordError('The run id %r is not one exit_record state=open returned. Nothing was written.' % (run,))


def check_acceptance(acceptance):
    """The customer's acceptance, all three of who, when and the reference, or None."""
    if acceptance in (None, {}, ''):
        return None
    if not isinstance(acceptance, dict):
        raise RecordError('The customer acceptance must be a dict with accepted_by, accepted_at and reference. Nothing was written.')
    missing = [k for k in ACCEPTANCE_KEYS if not str(acceptance.get(k) or '').strip()]
    unknown = sorted(set(acceptance) - set(ACCEPTANCE_KEYS))
    if missing or unknown:
        raise RecordError('The customer acceptance needs accepted_by, accepted_at and reference%s%s. Nothing was written.'
                          % ('; missing: ' + ', '.join(missing) if missing else '',
                             '; unknown: ' + ', '.join(unknown) if unknown else ''))
    return {k: ' '.join(str(acceptance[k]).split()) for k in ACCEPTANCE_KEYS}


# Open.

def _candidates(root, ticket):
    """The names of this ticket's bundles under root: folders, and markers whose folder a killed run never made."""
    pattern = re.compile(r'^%s-[0-9]{8}T[0-9]{6}Z$' % re.escape(ticket))
    names = set()
    for entry in os.listdir(root):
        base = entry[:-5] if entry.endswith('.open') else entry
        full = os.path.join(root, entry)
        if pattern.match(base) and (entry.endswith('.open') and os.path.isfile(full) or os.path.isdir(full) and not os.path.islink(full)):
            names.add(base)
    return sorted(names)


def _sweep(root, ticket):
    """Remove the temporary folders of bundles whose creation a killed run never finished."""
    prefix = '.%s-' % ticket
    for entry in os.listdir(root):
        if entry.startswith(prefix) and '.tmp-' in entry and os.path.isdir(os.path.join(root, entry)):
            shutil.rmtree(os.path.join(root, entry), ignore_errors=True)


def _build(root, name, run_record):
    """Make <root>/<name> complete under a temporary name, then rename it into place: it exists whole or not at all."""
    tmp = os.path.join(root, '.%s.tmp-%s' % (name, uuid.uuid4().hex[:8]))
    os.mkdir(tmp, 0o750)
    for sub in SUBDIRS:
        os.mkdir(os.path.join(tmp, sub), 0o750)
    atomic_write(os.path.join(tmp, RUN_JSON), _json_bytes(redact(run_record or {})))
    os.rename(tmp, os.path.join(root, name))


def _complete(path, run_record):
    """A folder a run resumes: every subfolder and run.json there (an older run may have died before making them)."""
    changed = False
    for sub in SUBDIRS:
        if not os.path.isdir(os.path.join(path, sub)):
            os.makedirs(os.path.join(path, sub), 0o750)
            changed = True
    if not os.path.exists(os.path.join(path, RUN_JSON)):
        changed = atomic_write(os.path.join(path, RUN_JSON), _json_bytes(redact(run_record or {}))) or changed
    return changed


class _Lock:
    """An exclusive lock on the ticket under root, held while its bundle is found or made."""

    def __init__(self, root, ticket):
        self.path = os.path.join(root, '.%s.lock' % ticket)
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o640)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        return False


def open_bundle(root, ticket, run_record, run, check_mode=False, when=None):
    """The bundle of the ticket under root: resumed when any run of the ticket made one, else created atomically.

    Returns {dir, resumed, created, marker}. Check mode makes a plan folder of its own (<ticket>-plan-<time>) and
    touches nothing else. A run killed between the marker and the rename leaves a marker without a folder, and one
    killed by an older version may leave a folder without a marker: both are this ticket's bundle, resumed.
    """
    check_ticket(ticket)
    check_run(run)
    root = os.path.realpath(root)
    if not os.path.isdir(root):
        os.makedirs(root, 0o750)
    if check_mode:
        base = '%s-plan-%s' % (ticket, stamp(when))
        name, number = base, 1
        while os.path.exists(os.path.join(root, name)):
            number += 1
            name = '%s-%d' % (base, number)
        _build(root, name, run_record)
        path = os.path.join(root, name)
        _write_run(path, run, run_record)
        return {'dir': path, 'resumed': False, 'created': True, 'marker': None}
    with _Lock(root, ticket):
        _sweep(root, ticket)
        names = _candidates(root, ticket)
        if len(names) > 1:
            raise RecordError('Ticket %s has %d evidence bundles under %s: %s. An exit keeps one bundle; move the ones that '
                              'do not belong to this exit away and run again. Nothing was written.'
                              % (ticket, len(names), root, ', '.join(names)))
        name = names[0] if names else '%s-%s' % (ticket, stamp(when))
        path = os.path.join(root, name)
        marker = path + '.open'
        resumed = bool(names)
        # The marker first: from here on, a killed run leaves a name the next run resumes.
        atomic_write(marker, _json_bytes({'ticket': ticket, 'bundle': name, 'note': 'This exit has not finished. Run the '
                                          'same playbook with the same ticket again to finish it.'}))
        created = not os.path.isdir(path)
        if created:
            _build(root, name, run_record)
        else:
            _complete(path, run_record)
        _write_run(path, run, run_record)
    return {'dir': path, 'resumed': resumed, 'created': created, 'marker': marker}


def _write_run(path, run, run_record):
    folder = os.path.join(path, 'runs', run)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o750)
    atomic_write(os.path.join(folder, RUN_JSON), _json_bytes(dict(redact(run_record or {}), run=run)))


# Record.

def _subject_type(phase, item, subject):
    if item.get('agent_id') or phase == 'remove_roaming_clients':
        return 'roaming_client'
    if subject == 'SSO':
        return 'sso'
    if subject == 'SSO groups':
        return 'sso_groups'
    if phase == 'close_site':
        return 'site'
    if phase == 'billing_handoff':
        return 'organization'
    if '@' in subject:
        return 'dashboard_user'
    return 'item'


def outstanding_item(item, phase):
    """One outstanding item in the record's schema: phase, subject, subject_type, [id], reason, next_step, [who].

    The playbooks' older items (hostname / host / email and reason) are read too; next_step and who default by the
    subject's type. An item without a subject or a reason is refused.
    """
    if not isinstance(item, dict):
        raise RecordError('An outstanding item must be a dict with subject, subject_type, reason and next_step, not %r.' % (item,))
    subject = next((text(item[k], '') for k in SUBJECT_ALIASES if text(item.get(k), '')), '')
    reason = text(item.get('reason') or item.get('outstanding_reason'), '')
    if not subject or not reason:
        raise RecordError('An outstanding item of phase %s needs a subject and a reason (it has: %s). Nothing was written.'
                          % (phase, ', '.join(sorted(str(k) for k in item)) or 'nothing'))
    subject_type = text(item.get('subject_type'), '') or _subject_type(phase, item, subject)
    step, who = NEXT_STEPS.get(subject_type, DEFAULT_NEXT)
    found = {'phase': phase, 'subject': subject, 'subject_type': subject_type, 'reason': reason,
             'next_step': text(item.get('next_step'), '') or step, 'who': text(item.get('who'), '') or who}
    ident = item.get('id') if item.get('id') not in (None, '') else item.get('agent_id')
    if ident not in (None, ''):
        found['id'] = str(ident)
    return found


def _key(item):
    return (item['phase'], item['subject_type'], item.get('id') or item['subject'])


def merge_items(items):
    """Each subject once (by phase, type and id or name), in first-seen order; differing reasons are joined."""
    merged = {}
    for item in items:
        key = _key(item)
        if key not in merged:
            merged[key] = dict(item)
        elif item['reason'] not in merged[key]['reason']:
            merged[key]['reason'] = '%s; %s' % (merged[key]['reason'], item['reason'])
    return list(merged.values())


def derived_outstanding(phase, results):
    """What a phase's own results leave outstanding (the Roaming Clients kept, the devices not done)."""
    if phase != 'remove_roaming_clients' or not isinstance(results, dict):
        return []
    items = []
    for row in _rows(results, 'records', 'outstanding'):
        items.append(outstanding_item(dict(row, reason='Record kept: %s' % text(row.get('reason'), 'not removed')), phase))
    for row in _rows(results, 'devices'):
        if row.get('outstanding_reason'):
            items.append(outstanding_item({'subject': row.get('hostname') or row.get('host'), 'id': row.get('agent_id'),
                                           'reason': 'On the device: %s' % row['outstanding_reason']}, phase))
    return items


def record_phase(bundle, run, phase, results=None, outstanding=None, check_mode=False):
    """Write runs/<run>/<phase>.json atomically; returns (path, record, changed)."""
    check_run(run)
    if not isinstance(phase, str) or not PHASE.match(phase):
        raise RecordError('The phase %r is not a phase name (lower case letters, digits and _). Nothing was written.' % (phase,))
    if not os.path.isfile(os.path.join(bundle, RUN_JSON)):
        raise RecordError('%s is not an evidence bundle opened by exit_record (it has no run.json). Nothing was written.' % bundle)
    if results is not None and not isinstance(results, dict):
        raise RecordError('The results of phase %s must be a dict. Nothing was written.' % phase)
    results = redact(results or {})
    items = merge_items([outstanding_item(i, phase) for i in outstanding or []] + derived_outstanding(phase, results))
    record = {'schema': SCHEMA, 'run': run, 'phase': phase, 'check_mode': bool(check_mode), 'results': results, 'outstanding': items}
    folder = os.path.join(bundle, 'runs', run)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o750)
    path = os.path.join(folder, '%s.json' % phase)
    before = _load(path)
    if isinstance(before, dict) and {k: v for k, v in before.items() if k != 'recorded_at'} == record:
        return path, before, False
    record['recorded_at'] = _journal.now()
    atomic_write(path, _json_bytes(record))
    return path, record, True


# The bundle as data.

def _rows(node, *path):
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def _legacy_records(path, run):
    """A run record of the older layout (runs/<time>.json: phases and outstanding of a whole run) as phase records."""
    old = _load(path, {})
    records = []
    outstanding = old.get('outstanding') or []
    phases = dict(old.get('phases') or {})
    if old.get('devices'):
        phases.setdefault('remove_roaming_clients', {})
        phases['remove_roaming_clients'] = dict(phases['remove_roaming_clients'], devices=old['devices'])
    for phase in sorted(set(phases) | set(str(o.get('phase', 'remove_roaming_clients')).split(' ', maxsplit=1)[0] for o in outstanding)):
        items = [o for o in outstanding if str(o.get('phase', '')).split(' ', maxsplit=1)[0] == phase and 'outstanding_reason' not in o]
        results = phases.get(phase) or {}
        try:
            items = merge_items([outstanding_item(i, phase) for i in items] + derived_outstanding(phase, results))
        except RecordError:
            items = []
        records.append({'run': run, 'phase': phase, 'results': results, 'outstanding': items,
                        'check_mode': bool((old.get('run') or {}).get('check_mode'))})
    return records


def load_records(bundle):
    """(runs, records): every run's inputs and every phase record, oldest run first."""
    runs, records = [], []
    folder = os.path.join(bundle, 'runs')
    for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        full = os.path.join(folder, entry)
        if os.path.isdir(full):
            inputs = _load(os.path.join(full, RUN_JSON), {})
            phases = []
            for name in sorted(os.listdir(full)):
                if name.endswith('.json') and name != RUN_JSON:
                    record = _load(os.path.join(full, name))
                    if isinstance(record, dict) and record.get('phase'):
                        phases.append(record)
            runs.append({'run': entry, 'inputs': inputs, 'phases': [p['phase'] for p in phases],
                         'recorded_at': max([p.get('recorded_at') or '' for p in phases] or [''])})
            records += sorted(phases, key=lambda p: PHASE_ORDER.index(p['phase']) if p['phase'] in PHASE_ORDER else len(PHASE_ORDER))
        elif entry.endswith('.json'):
            run = entry[:-5]
            phases = _legacy_records(full, run)
            runs.append({'run': run, 'inputs': {}, 'phases': [p['phase'] for p in phases], 'recorded_at': run})
            records += phases
    return runs, records


AGENT_FIELDS = ('hostname', 'agent_type', 'agent_version', 'os_version', 'last_sync', 'asset_id', 'removal_state', 'network_name',
                'remote_uninstall_supported')


def _merge_agents(records):
    agents = {}
    for record in records:
        if record['phase'] != 'remove_roaming_clients':
            continue
        results = record.get('results') or {}
        for step in ('uninstall', 'records'):
            for row in _rows(results, step, 'roaming_clients'):
                key = str(row.get('id'))
                agent = agents.setdefault(key, {'id': key, 'actions': {}})
                for field in AGENT_FIELDS:
                    if row.get(field) not in (None, ''):
                        agent[field] = row[field]
                if row.get('action') not in (None, '', 'none'):
                    agent['actions'][step] = row['action']
                    if row['action'] == 'deleted':
                        agent['deleted'] = True
        for row in _rows(results, 'devices'):
            key = str(row.get('agent_id'))
            agent = agents.setdefault(key, {'id': key, 'actions': {}})
            agent.setdefault('hostname', row.get('hostname'))
            agent['device'] = row
    return agents


# The journal's actions (as the modules name them) that the report counts, and the subjects they count.
JOURNAL_FACTS = {
    'delete Roaming Client record': ('deleted', 'roaming_client'),
    'queue remote uninstall': ('queued', 'roaming_client'),
    'revoke site key': ('site_keys', 'site'),
    'delete User record': ('users', 'agent_local_user'),
    'remove dashboard user from organisation': ('memberships', 'dashboard_user'),
    'remove SSO connection': ('sso', 'enterprise_connection'),
    'stop scheduled report': ('scheduled_reports', 'scheduled_report'),
}


def journal_facts(happened):
    """What the journal shows done, per kind of change: {fact: {key: subject}}.

    The phase records of a run are written when it closes; a run killed before that leaves only its journal, so
    these facts are folded into the report (a record deleted by a killed run is reported deleted, not absent).
    A membership's key is (organisation id, user id), as the phase records key it.
    """
    facts = {fact: {} for fact, _kind in JOURNAL_FACTS.values()}
    for action in happened:
        fact, kind = JOURNAL_FACTS.get(action.get('action'), (None, None))
        if fact is None:
            continue
        subjects = [s for s in action.get('subjects') or [] if isinstance(s, dict)]
        orgs = [str(s.get('id')) for s in subjects if s.get('type') == 'organization']
        for found in subjects:
            if found.get('type') != kind or found.get('id') in (None, ''):
                continue
            key = (orgs[0] if orgs else None, str(found['id'])) if fact == 'memberships' else str(found['id'])
            facts[fact].setdefault(key, found)
    return facts


def _fold(rows, found, key, make):
    """rows (from the phase records) with every journal fact not among them added, made by make(key, subject)."""
    have = {key(r) for r in rows}
    return list(rows) + [make(k, subject) for k, subject in found.items() if k not in have]


def _asset_id(agent, asset_ids):
    if agent.get('asset_id'):
        return agent['asset_id']
    device = agent.get('device') or {}
    lowered = {str(k).lower(): v for k, v in (asset_ids or {}).items() if v not in (None, '')}
    for host in (device.get('served_by'), device.get('host'), agent.get('hostname')):
        if host and str(host).lower() in lowered:
            return lowered[str(host).lower()]
    return None


def _on_device(agent, plan):
    device = agent.get('device')
    if not device:
        return 'not in the device scope of any run'
    if device.get('verified'):
        return 'uninstalled on %s, verified clean' % text(device.get('served_by') or device.get('host'))
    if device.get('outstanding_reason'):
        return 'NOT done: %s' % text(device['outstanding_reason'])
    notes = text(device.get('notes'), '')
    if plan:
        return notes or 'would be uninstalled on the device'
    return notes or 'not reached on the device'


def _in_dnsfilter(agent, plan):
    actions = agent.get('actions') or {}
    if agent.get('deleted'):
        return 'record deleted'
    if plan and actions.get('records') == 'delete_when_uninstalled':
        return 'record would be deleted once its uninstall is confirmed, else kept and outstanding'
    if plan and actions.get('uninstall') == 'queued':
        return 'remote uninstall would be queued'
    if actions.get('uninstall') == 'queued':
        return 'remote uninstall queued; now %s; record kept' % text(agent.get('removal_state'), 'unknown')
    return '%s (%s)' % ('record would be kept' if plan else 'record kept', text(agent.get('removal_state'), 'state unknown'))


def _verification(agent, plan):
    device = agent.get('device') or {}
    if plan:
        return 'a real run verifies it'
    if agent.get('deleted') and device.get('verified'):
        return 'clean on the device; record deleted and did not come back'
    if agent.get('deleted'):
        return 'record deleted and did not come back'
    if device.get('verified'):
        return 'clean on the device'
    if agent.get('removal_state') == 'uninstalled':
        return 'DNSFilter shows it uninstalled'
    return 'NOT verified'


def _action(agent, plan):
    actions = agent.get('actions') or {}
    words = []
    if actions.get('uninstall') == 'queued':
        words.append('remote uninstall would be queued' if plan else 'remote uninstall queued')
    if actions.get('records') == 'deleted':
        words.append('record would be deleted' if plan else 'record deleted')
    elif actions.get('records') == 'delete_when_uninstalled':
        words.append('record would be deleted once the uninstall is confirmed')
    device = agent.get('device') or {}
    if device.get('verified'):
        words.insert(0, 'uninstalled on the device')
    return '; '.join(words) or ('would be left as it is' if plan else 'none')


def _union(records, phase, *path, key='id'):
    found = {}
    for record in records:
        if record['phase'] == phase:
            for row in _rows(record.get('results') or {}, *path):
                ident = tuple(str(row.get(k)) for k in key) if isinstance(key, tuple) else str(row.get(key) if isinstance(row, dict) else row)
                found.setdefault(ident, row)
    return list(found.values())


def _latest(records, phase, *path):
    value = None
    for record in records:
        if record['phase'] == phase:
            node = record.get('results') or {}
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if node not in (None, '', [], {}):
                value = node
    return value


def _usage(bundle):
    before = (_load(os.path.join(bundle, 'before', 'organization.json'), {}) or {}).get('billing') or {}
    after = (_load(os.path.join(bundle, 'after', 'organization.json'), {}) or {}).get('billing') or {}
    return before.get('usage') or {}, after.get('usage') or {}


def _policy_drift(bundle):
    before = _load(os.path.join(bundle, 'before', 'policies.json'))
    after = _load(os.path.join(bundle, 'after', 'policies.json'))
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    return (before.get('policies') or []) != (after.get('policies') or [])


def _journal_subjects(action):
    return ', '.join(text(s.get('name') or s.get('id')) + (' (%s)' % s['type'] if s.get('type') else '')
                     for s in action.get('subjects') or [] if isinstance(s, dict)) or '-'


def account(bundle, check_mode=False, acceptance=None, acceptance_required=None, asset_ids=None, handover=None, writing=()):
    """Everything every run of the exit did, and what is outstanding, as data for the report.

    writing: files the caller writes with the report (they are listed as handed over although not on disk yet).
    """
    first = _load(os.path.join(bundle, RUN_JSON), {}) or {}
    runs, records = load_records(bundle)
    latest_inputs = next((r['inputs'] for r in reversed(runs) if r['inputs']), first)
    shape = latest_inputs.get('exit_shape') or first.get('exit_shape') or 'exit'
    entries, torn = _journal.read(os.path.join(bundle, _journal.JOURNAL_NAME))
    actions = _journal.actions(entries)
    happened = [a for a in actions if a['result'] in _journal.HAPPENED]
    agents = _merge_agents(records)
    facts = journal_facts(happened)
    for ident, found in facts['deleted'].items():
        agent = agents.setdefault(ident, {'id': ident, 'actions': {}})
        agent.setdefault('hostname', found.get('name'))
        agent['deleted'] = True
        agent['actions']['records'] = 'deleted'
    for ident, found in facts['queued'].items():
        agent = agents.setdefault(ident, {'id': ident, 'actions': {}})
        agent.setdefault('hostname', found.get('name'))
        # This exit queued it (whatever a later run then found: already queued, or already uninstalled).
        agent['actions']['uninstall'] = 'queued'
    out_of_scope = _latest(records, 'remove_roaming_clients', 'out_of_scope') or []
    # Outstanding: the items of the latest record of each phase (a later run supersedes an earlier one).
    latest = {}
    for record in records:
        latest[record['phase']] = record
    outstanding = merge_items([i for r in latest.values() for i in r.get('outstanding') or []])
    for action in actions:
        if action['result'] == 'unknown':
            outstanding.append(outstanding_item({'subject': _journal_subjects(action), 'subject_type': 'journal',
                                                 'reason': 'It cannot be told from DNSFilter whether %s took effect%s.'
                                                 % (text(action.get('action')), ' (%s)' % action['error'] if action.get('error') else '')},
                                                'journal'))
    accepted = check_acceptance(acceptance)
    if acceptance_required is None:
        acceptance_required = shape in ACCEPTANCE_SHAPES
    if acceptance_required and not accepted and not check_mode:
        outstanding.append(outstanding_item({'subject': 'customer acceptance', 'subject_type': 'customer_acceptance',
                                             'reason': 'The customer has not accepted the handover: no acceptance was recorded.'},
                                            'customer_acceptance'))
    usage_before, usage_after = _usage(bundle)
    names = set(handover or DEFAULT_HANDOVER)
    present = sorted(n for n in names if os.path.isfile(os.path.join(bundle, n)) or n in writing)
    return {
        'bundle': os.path.basename(os.path.normpath(bundle)), 'shape': shape, 'check_mode': bool(check_mode),
        'ticket': latest_inputs.get('ticket') or first.get('ticket'),
        'organization': latest_inputs.get('organization') or first.get('organization') or {},
        'approver': latest_inputs.get('approver') or first.get('approver'),
        'effective_date': latest_inputs.get('effective_date') or first.get('effective_date'),
        'caller': (latest_inputs.get('caller') or {}).get('email'),
        'runs': runs, 'records': records, 'phases': [p for p in PHASE_ORDER if p in latest] + sorted(set(latest) - set(PHASE_ORDER)),
        'journal': {'happened': happened, 'torn': torn, 'actions': len(actions)},
        'roaming_clients': sorted(agents.values(), key=lambda a: (text(a.get('hostname')), a['id'])),
        'asset_ids': {a['id']: _asset_id(a, asset_ids) for a in agents.values()},
        'out_of_scope': out_of_scope,
        'site_keys_revoked': _fold([str(i) for i in _union(records, 'remove_roaming_clients', 'site_keys', 'changed_ids')],
                                   facts['site_keys'], str, lambda k, _s: k),
        'users_removed': _fold(_union(records, 'clean_users', 'removed'), facts['users'], lambda r: str(r.get('id')),
                               lambda k, s: {'id': k, 'user_login': s.get('name')}),
        'memberships_removed': _fold(
            [m for m in _union(records, 'close_access', 'dashboard_users', 'changes', key=('organization_id', 'user_id'))
             if m.get('action') in (None, 'removed')],
            facts['memberships'], lambda m: (str(m.get('organization_id')), str(m.get('user_id'))),
            lambda k, s: {'organization_id': k[0], 'user_id': k[1], 'email': s.get('name')}),
        'sso_removed': _fold(_union(records, 'close_access', 'sso', 'enterprise_connections'), facts['sso'],
                             lambda r: str(r.get('id')), lambda k, s: {'id': k, 'name': s.get('name')}),
        'scheduled_reports_removed': _fold(_union(records, 'review_lists', 'scheduled_reports', 'deleted'), facts['scheduled_reports'],
                                           lambda r: str(r.get('id')), lambda k, s: {'id': k, 'name': s.get('name')}),
        'api_keys': _latest(records, 'close_access', 'api_keys_attestation'),
        'technician': _latest(records, 'close_access', 'technician'),
        'final_state': _latest(records, 'billing_handoff', 'final_state'),
        'usage_before': usage_before, 'usage_after': usage_after, 'policy_drift': _policy_drift(bundle),
        'acceptance': accepted, 'acceptance_required': bool(acceptance_required),
        'handover': present, 'handover_missing': sorted(names - set(present)),
        'outstanding': outstanding,
    }


# The report: blocks, rendered as Markdown and as HTML from the same list.

def _title(acc):
    return 'DNSFilter %s' % acc['shape'].replace('_', ' ')


def _would(acc, done, planned):
    return planned if acc['check_mode'] else done


def _summary(acc):
    org = acc['organization'] or {}
    runs = acc['runs']
    rows = [('Organisation', '%s (%s)' % (text(org.get('name')), text(org.get('id')))),
            ('Ticket', text(acc['ticket'])), ('Exit', acc['shape'].replace('_', ' ')),
            ('Requested approver' if acc['check_mode'] else 'Approved by', text(acc['approver'])),
            ('Effective date', text(acc['effective_date'])), ('Run by', text(acc['caller'])),
            ('Runs', '; '.join('%s (%s)' % (r['run'], ', '.join(r['phases']) or 'no phase recorded') for r in runs) or '-'),
            ('Outstanding items', str(len(acc['outstanding'])))]
    if not acc['check_mode']:
        rows.insert(4, ('Requested approver', text(acc['approver'])))
    return rows


def _done_counts(acc):
    """(phase, what, count) for each phase the exit recorded."""
    plan = acc['check_mode']
    rows = []
    agents = acc['roaming_clients']
    if 'remove_roaming_clients' in acc['phases']:
        rows.append(('Remove Roaming Clients', _would(acc, 'uninstalled on the device', 'to uninstall on the device'),
                     sum(1 for a in agents if (a.get('device') or {}).get('verified'))))
        rows.append(('Remove Roaming Clients', _would(acc, 'remote uninstalls queued', 'remote uninstalls that would be queued'),
                     sum(1 for a in agents if (a.get('actions') or {}).get('uninstall') == 'queued')))
        rows.append(('Remove Roaming Clients', _would(acc, 'records deleted', 'records that would be deleted'),
                     sum(1 for a in agents if a.get('deleted') or plan and (a.get('actions') or {}).get('records') == 'delete_when_uninstalled')))
        if _latest(acc['records'], 'remove_roaming_clients', 'site_keys') is not None:
            rows.append(('Remove Roaming Clients', _would(acc, 'site keys revoked', 'site keys that would be revoked'), len(acc['site_keys_revoked'])))
    if 'clean_users' in acc['phases']:
        rows.append(('Clean Users', _would(acc, 'records removed', 'records that would be removed'), len(acc['users_removed'])))
    if 'close_access' in acc['phases']:
        if _latest(acc['records'], 'close_access', 'sso') is not None:
            rows.append(('Close access', _would(acc, 'SSO connections removed', 'SSO connections that would be removed'), len(acc['sso_removed'])))
        rows.append(('Close access', _would(acc, 'dashboard memberships removed', 'dashboard memberships that would be removed'),
                     len(acc['memberships_removed'])))
    if 'review_lists' in acc['phases']:
        rows.append(('Review lists and integrations', _would(acc, 'scheduled reports stopped', 'scheduled reports that would be stopped'),
                     len(acc['scheduled_reports_removed'])))
    rows.append(('Every phase', _would(acc, 'changes in DNSFilter (journal)', 'changes in DNSFilter (a plan makes none)'),
                 len(acc['journal']['happened'])))
    return [(p, w, str(c)) for p, w, c in rows]


def _agent_row(acc, agent):
    plan = acc['check_mode']
    os_text = ' '.join(filter(None, [text(agent.get('agent_type'), ''), text(agent.get('agent_version'), ''),
                                     text(agent.get('os_version'), '')])) or '-'
    return (text(agent['id']), text(agent.get('hostname')), text(acc['asset_ids'].get(agent['id'])), os_text,
            text(agent.get('last_sync')), _action(agent, plan), _on_device(agent, plan), _in_dnsfilter(agent, plan),
            _verification(agent, plan))


def _device_line(acc, agent):
    device = agent['device']
    host = text(device.get('host') or agent.get('hostname'))
    if device.get('verified'):
        return '%s: verified clean' % host
    if device.get('outstanding_reason'):
        return '%s: NOT verified - %s' % (host, text(device['outstanding_reason']))
    notes = text(device.get('notes'), '')
    if acc['check_mode']:
        return '%s: %s' % (host, notes or 'would be uninstalled on the device and verified')
    return '%s: NOT verified%s' % (host, ' - ' + notes if notes else '')


def blocks(acc):
    """The report as a list of blocks: ('title'|'note'|'h2'|'p', text), ('ul', [text]), ('table', headers, rows)."""
    plan = acc['check_mode']
    out = [('title', _title(acc) + (' - PLAN (check mode, nothing was changed)' if plan else ''))]
    if plan:
        out.append(('note', 'PLAN (check mode): nothing was changed. Every line says what a real run would do.'))
    out.append(('table', ('Item', 'Value'), _summary(acc)))
    out += [('h2', 'What would be done' if plan else 'What was done'), ('table', ('Phase', 'What', 'Count'), _done_counts(acc))]
    if acc['acceptance_required']:
        out.append(('h2', 'Customer acceptance'))
        accepted = acc['acceptance']
        if accepted:
            out.append(('table', ('Item', 'Value'), [('Accepted by', accepted['accepted_by']), ('Accepted at', accepted['accepted_at']),
                                                     ('Reference', accepted['reference'])]))
        elif plan:
            out.append(('p', 'Not recorded yet: a real run lists it outstanding until dnsfilter_customer_acceptance names who '
                             'accepted, when, and the reference.'))
        else:
            out.append(('p', 'Not recorded: outstanding until the customer accepts (dnsfilter_customer_acceptance).'))
    out.append(('h2', 'Outstanding'))
    if acc['outstanding']:
        out.append(('table', ('Subject', 'Type', 'Phase', 'Reason', 'Next step', 'Who must act'),
                    [(text(i['subject']) + (' (%s)' % i['id'] if i.get('id') and i['id'] != i['subject'] else ''),
                      i['subject_type'].replace('_', ' '), i['phase'], i['reason'], i['next_step'], text(i.get('who')))
                     for i in acc['outstanding']]))
    else:
        out.append(('p', 'Nothing would be outstanding.' if plan else 'Nothing is outstanding.'))
    out += _phase_blocks(acc)
    out.append(('h2', 'Every change, in order'))
    if acc['journal']['happened']:
        out.append(('table', ('#', 'When', 'Run', 'Change', 'Subjects', 'Result'),
                    [(str(n), text(a.get('finished_at') or a.get('at')), text(a.get('run')), text(a.get('action')), _journal_subjects(a),
                      text(a['result']) + (' (found on resume)' if a.get('reconciled') else ''))
                     for n, a in enumerate(acc['journal']['happened'], 1)]))
    else:
        out.append(('p', 'A plan changes nothing.' if plan else 'No change was recorded in the journal.'))
    if acc['journal']['torn']:
        out.append(('p', 'The journal has %d unreadable line(s), the torn end of a killed write.' % acc['journal']['torn']))
    out.append(('h2', 'Evidence'))
    out.append(('p', 'Every file of this bundle is listed with its SHA-256 in MANIFEST.sha256. Verify with python3 VERIFY.py . '
                     'or sha256sum -c MANIFEST.sha256. Files the API cannot export (the Policy Audit Log, IdP screenshots) go '
                     'in operator/ before the run ends; they are hashed with the rest.'))
    out.append(('p', 'report.html prints as it is shown: open it in a browser and choose Print, then Save as PDF.'))
    return out


def _phase_blocks(acc):
    plan = acc['check_mode']
    out = []
    phases = acc['phases']
    if 'remove_roaming_clients' in phases:
        out.append(('h2', 'Remove Roaming Clients'))
        out.append(('table', ('Agent id', 'Hostname', 'Device asset id', 'OS and version', 'Last seen', 'Action', 'On the device',
                              'In DNSFilter', 'Verification'),
                    [_agent_row(acc, a) for a in acc['roaming_clients']] or [('-',) * 9]))
        devices = [a for a in acc['roaming_clients'] if a.get('device')]
        out.append(('p', 'Devices handled on the device:'))
        out.append(('ul', [_device_line(acc, a) for a in devices] or ['none']))
        out.append(('p', 'Devices out of scope, left alone (nothing changed on them):'))
        out.append(('ul', ['%s: %s' % (text(d.get('host')), text(d.get('reason'))) for d in acc['out_of_scope']] or ['none']))
        if _latest(acc['records'], 'remove_roaming_clients', 'site_keys') is not None:
            out.append(('p', 'Site keys revoked%s: %d (no new deployment, no re-registration).'
                        % (_would(acc, '', ' by a real run'), len(acc['site_keys_revoked']))))
    if 'clean_users' in phases:
        out.append(('h2', 'Clean Users'))
        removed = acc['users_removed']
        out.append(('p', 'Duplicate or stale records %s: %d.' % (_would(acc, 'removed', 'that would be removed'), len(removed))))
        if removed:
            out.append(('ul', ['%s (%s)' % (text(u.get('user_login')), text(u.get('id'))) for u in removed]))
    if 'close_access' in phases:
        out.append(('h2', 'Close access'))
        lines = []
        if _latest(acc['records'], 'close_access', 'sso') is not None:
            lines.append('SSO connections %s: %d' % (_would(acc, 'removed', 'that would be removed'), len(acc['sso_removed'])))
        lines.append('Dashboard memberships %s: %d' % (_would(acc, 'removed', 'would be removed'), len(acc['memberships_removed'])))
        lines += ['%s (%s in %s)' % (text(m.get('email')), text(m.get('role_before')), text(m.get('organization_name') or m.get('organization_id')))
                  for m in acc['memberships_removed']]
        if acc['technician']:
            lines.append('Technician: %s (user %s)' % (text(acc['technician'].get('email')), text(acc['technician'].get('id'))))
        if acc['api_keys']:
            lines.append('API keys: %s' % text(acc['api_keys']))
        out.append(('ul', lines))
    if 'review_lists' in phases:
        out.append(('h2', 'Review lists and integrations'))
        drift = acc['policy_drift']
        out.append(('ul', ['Scheduled reports %s: %d' % (_would(acc, 'stopped', 'that would be stopped'), len(acc['scheduled_reports_removed'])),
                           'Policies and allow/block lists changed during the exit window: %s'
                           % ('not compared (no after snapshot)' if drift is None else
                              'YES - compare before/policies.json and after/policies.json' if drift else 'no')]))
    if 'close_site' in phases:
        out.append(('h2', 'Close the site'))
        out.append(('p', 'See the outstanding items for the site.' if any(i['phase'] == 'close_site' for i in acc['outstanding'])
                    else _would(acc, 'The site was deleted.', 'The site would be deleted.')))
    if 'billing_handoff' in phases or acc['shape'] == 'customer_exit':
        out += _billing_blocks(acc)
    for phase in phases:
        if phase not in PHASE_TITLES:
            out.append(('h2', phase.replace('_', ' ').capitalize()))
            out.append(('p', 'Recorded; see runs/ in the bundle.'))
    return out


FINAL_STATES = {'kept': ('kept in service', 'would be kept in service'), 'canceled': ('cancelled', 'would be cancelled'),
                'absent': ('deleted', 'would be deleted')}


def _billing_blocks(acc):
    org = acc['organization'] or {}
    state = acc['final_state'] or 'kept'
    done, planned = FINAL_STATES.get(state, (state, 'would be ' + state))
    out = [('h2', 'Billing handoff'),
           ('table', ('Item', 'Value'), [('Effective date', text(acc['effective_date'])),
                                         ('Organisation', '%s: %s' % (text(org.get('name')), _would(acc, done, planned))),
                                         ('Requested approver' if acc['check_mode'] else 'Approved by', text(acc['approver']))])]
    before, after = acc['usage_before'], acc['usage_after']
    keys = sorted(set(before) | set(after))
    out.append(('p', 'Usage:'))
    out.append(('table', ('Measure', 'Before', 'After'),
                [(k.replace('_', ' '), text(before.get(k)), text(after.get(k), 'not taken' if not after else '-')) for k in keys]
                or [('no usage was recorded', '-', '-')]))
    out.append(('p', '%s: %s.' % (_would(acc, 'Evidence handed to the customer', 'Evidence this plan would hand over'),
                                  ', '.join(acc['handover']) or 'none')))
    if acc['handover_missing'] and not acc['check_mode']:
        out.append(('p', 'Not in this bundle, so not handed over: %s.' % ', '.join(acc['handover_missing'])))
    return out


def _md_cell(value):
    return text(value).replace('\\', '\\\\').replace('|', '\\|')


def render_markdown(blocks_):
    lines = []
    for block in blocks_:
        kind = block[0]
        if kind == 'title':
            lines += ['# ' + text(block[1]), '']
        elif kind == 'h2':
            lines += ['## ' + text(block[1]), '']
        elif kind == 'note':
            lines += ['> ' + text(block[1]), '']
        elif kind == 'p':
            lines += [text(block[1]), '']
        elif kind == 'ul':
            lines += ['- ' + text(item) for item in block[1]] + ['']
        elif kind == 'table':
            headers, rows = block[1], block[2]
            lines.append('| ' + ' | '.join(_md_cell(h) for h in headers) + ' |')
            lines.append('|' + '|'.join(' --- ' for dummy in headers) + '|')
            lines += ['| ' + ' | '.join(_md_cell(c) for c in row) + ' |' for row in rows]
            lines.append('')
    return '\n'.join(lines).rstrip('\n') + '\n'


CSS = '''body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
  color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin-bottom: 1rem; width: 100%; font-size: .92rem; }
td, th { border: 1px solid #bbb; padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f2f2f2; }
.plan { background: #fff4ce; border: 1px solid #e0c060; padding: .5rem; }
@page { size: auto; margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; } tr, li { break-inside: avoid; } thead { display: table-header-group; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}'''


def _e(value):
    return html.escape(text(value), quote=True)


def render_html(blocks_, title):
    parts = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', '<title>%s</title>' % _e(title),
             '<style>', CSS, '</style>', '</head>', '<body>']
    for block in blocks_:
        kind = block[0]
        if kind == 'title':
            parts.append('<h1>%s</h1>' % _e(block[1]))
        elif kind == 'h2':
            parts.append('<h2>%s</h2>' % _e(block[1]))
        elif kind == 'note':
            parts.append('<p class="plan">%s</p>' % _e(block[1]))
        elif kind == 'p':
            parts.append('<p>%s</p>' % _e(block[1]))
        elif kind == 'ul':
            parts.append('<ul>' + ''.join('<li>%s</li>' % _e(item) for item in block[1]) + '</ul>')
        elif kind == 'table':
            headers, rows = block[1], block[2]
            parts.append('<table><thead><tr>' + ''.join('<th>%s</th>' % _e(h) for h in headers) + '</tr></thead><tbody>')
            parts += ['<tr>' + ''.join('<td>%s</td>' % _e(c) for c in row) + '</tr>' for row in rows]
            parts.append('</tbody></table>')
    parts += ['</body>', '</html>']
    return '\n'.join(parts) + '\n'


def psa_note(acc):
    org = acc['organization'] or {}
    who = 'requested approver' if acc['check_mode'] else 'approved by'
    lines = ['%s%s for %s, %s %s, effective %s.' % ('PLAN of ' if acc['check_mode'] else '', _title(acc), text(org.get('name')), who,
                                                    text(acc['approver']), text(acc['effective_date'])),
             'Outstanding items: %d.' % len(acc['outstanding'])]
    lines += ['- %s: %s Next: %s' % (i['subject'], i['reason'], i['next_step']) for i in acc['outstanding']]
    lines.append('The report and the evidence bundle (with its SHA-256 manifest) are attached.')
    return '\n'.join(lines) + '\n'


# The customer's verifier.

Q3 = "'" * 3
LAUNCHER = ('#!/bin/sh\n'
            '# sh runs the line below, which starts Python 3 on this file (many systems have no `python`, the only interpreter\n'
            '# name ansible-test allows in a shebang); to Python the line opens a string that the next line closes.\n'
            + Q3 + "'exec \"$(command -v python3 || command -v python)\" \"$0\" \"$@\"\n" + Q3 + '\n')


def verifier_source():
    """The text of module_utils/_verify_bundle.py, also from inside a module's zip."""
    import pkgutil  # pylint: disable=import-outside-toplevel
    data = None
    try:
        data = pkgutil.get_data('ansible_collections.msp.dnsfilter.plugins.module_utils', '_verify_bundle.py')
    except (OSError, ImportError, ValueError):
        data = None
    if data is None:
        from ansible_collections.msp.dnsfilter.plugins.module_utils import _verify_bundle  # pylint: disable=import-outside-toplevel
        import inspect  # pylint: disable=import-outside-toplevel
        data = inspect.getsource(_verify_bundle).encode('utf-8')
    return data.decode('utf-8')


def verifier_text(source=None):
    """VERIFY.py: the launcher, then the verifier (its __future__ import dropped: the launcher's string comes first)."""
    source = verifier_source() if source is None else source
    return LAUNCHER + source.replace('from __future__ import annotations\n\n', '', 1)


def close_bundle(bundle, check_mode=False, acceptance=None, acceptance_required=None, asset_ids=None, handover=None):
    """Write report.md, report.html and VERIFY.py; returns (account, written files, changed)."""
    if not os.path.isfile(os.path.join(bundle, RUN_JSON)):
        raise RecordError('%s is not an evidence bundle opened by exit_record (it has no run.json). Nothing was written.' % bundle)
    acc = account(bundle, check_mode=check_mode, acceptance=acceptance, acceptance_required=acceptance_required,
                  asset_ids=asset_ids, handover=handover, writing=('report.md', 'report.html', 'VERIFY.py'))
    report = blocks(acc)
    changed = False
    files = {'report.md': (render_markdown(report), 0o640), 'report.html': (render_html(report, _title(acc)), 0o640),
             'VERIFY.py': (verifier_text(), 0o750)}
    for name, (content, mode) in files.items():
        changed = atomic_write(os.path.join(bundle, name), content, mode) or changed
    return acc, sorted(files), changed

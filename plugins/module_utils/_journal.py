# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The exit's write-ahead journal: what every run of an exit did, whatever stopped it.

One JSON object per line in ``<bundle>/journal.jsonl``, appended and flushed to disk (fsync) before and after each
destructive write, so a run killed at any point leaves a journal that tells what it was about to do and what it
saw done. Standard library only.

Entries:

- ``{"kind": "intent", "id", "run", "at", "module", "action", "method", "path", "subjects", "why", "verify"}``
  written before the write. ``subjects`` is a list of ``{"type", "id", "name"}`` (never a secret); ``why`` says
  why the write is allowed; ``verify`` says how to tell on resume whether it happened (see ``judge``).
- ``{"kind": "outcome", "id", "run", "at", "result", "status", "error", "reconciled"}`` written after it, with
  ``result`` one of ``done``, ``already`` (DNSFilter answered that there was nothing left to do), ``failed``,
  ``not_done`` (found on resume not to have happened) or ``unknown`` (could not be told on resume).

A line that does not parse is the torn tail of a killed append; readers skip it and count it.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid

JOURNAL_NAME = 'journal.jsonl'
RESULTS = ('done', 'already', 'failed', 'not_done', 'unknown')
HAPPENED = ('done', 'already')
# Attributes a journal entry never carries, at any depth (the write's body is never recorded at all).
_SECRET_KEYS = frozenset(('token', 'secret_key', 'pin', 'password', 'client_secret', 'api_key'))


class JournalError(Exception):
    """The journal cannot be written: no destructive write may go ahead without its intent on disk."""


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _clean(obj):
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items() if k not in _SECRET_KEYS}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def subject(kind, ident, name=None):
    """One subject of a write: what kind of object, its id, and its name when it has one."""
    found = {'type': kind, 'id': None if ident is None else str(ident)}
    if name not in (None, ''):
        found['name'] = str(name)
    return found


def append(path, entry):
    """Append one entry as one line and flush it to disk before returning."""
    line = (json.dumps(_clean(entry), sort_keys=True, separators=(',', ':'), ensure_ascii=False) + '\n').encode('utf-8')
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError as exc:
        raise JournalError('cannot open the exit journal %s: %s' % (path, exc))
    try:
        # A torn line left by a killed append must not swallow this one: start on a new line.
        if os.fstat(fd).st_size and not _ends_with_newline(path):
            line = b'\n' + line
        view = memoryview(line)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        raise JournalError('cannot write the exit journal %s: %s' % (path, exc))
    finally:
        os.close(fd)
    return entry


def _ends_with_newline(path):
    with open(path, 'rb') as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b'\n'


def read(path):
    """(entries, torn): every whole entry in order, and how many lines did not parse."""
    entries, torn = [], 0
    if not path or not os.path.exists(path):
        return entries, torn
    with open(path, 'rb') as handle:
        for raw in handle:
            raw = raw.strip()
            if not raw:
                continue
            try:
                entry = json.loads(raw.decode('utf-8'))
            except ValueError:
                torn += 1
                continue
            if isinstance(entry, dict) and entry.get('kind') in ('intent', 'outcome') and entry.get('id'):
                entries.append(entry)
            else:
                torn += 1
    return entries, torn


class Journal:
    """The journal of one run of an exit: ``intent`` before a write, ``outcome`` after it."""

    def __init__(self, path, run=None, module=None):
        self.path = path
        self.run = run
        self.module = module

    def intent(self, action, method, path, subjects=None, why=None, verify=None):
        entry = {'kind': 'intent', 'id': uuid.uuid4().hex, 'run': self.run, 'at': now(), 'module': self.module,
                 'action': action, 'method': method, 'path': path, 'subjects': list(subjects or []),
                 'why': why, 'verify': verify}
        append(self.path, entry)
        return entry['id']

    def outcome(self, entry_id, result, status=None, error=None, reconciled=False):
        if result not in RESULTS:
            raise ValueError('unknown journal result %r' % (result,))
        entry = {'kind': 'outcome', 'id': entry_id, 'run': self.run, 'at': now(), 'result': result,
                 'status': status, 'error': error, 'reconciled': bool(reconciled)}
        return append(self.path, entry)


def pending(entries):
    """The intents that have no outcome: writes a run began and did not see finish."""
    finished = {e['id'] for e in entries if e['kind'] == 'outcome'}
    return [e for e in entries if e['kind'] == 'intent' and e['id'] not in finished]


def judge(verify, resource):
    """Whether a write happened, from how to verify it and the resource read now (None: it does not exist).

    ``verify`` forms: ``{"path", "gone": true}`` (done when the resource is missing), ``{"path", "field", "empty":
    true}`` (done when the field is empty or the resource is missing), ``{"path", "field", "in": [...]}`` (done when
    the field holds one of the values), ``{"path", "field", "set": true}`` (done when the field is not empty),
    ``{"path", "field", "holds": [...]}`` / ``{"path", "field", "lacks": [...]}`` (done when the field, a list, holds
    every one / none of the values). With ``"gone": true`` beside a field form, a missing resource counts as done
    (the object went further than the write took it). ``"otherwise": "unknown"`` makes a resource that does not show
    the write prove nothing (where what it shows is not published). Returns 'done', 'not_done' or 'unknown'.
    """
    found = _judge(verify, resource)
    if found == 'not_done' and isinstance(verify, dict) and verify.get('otherwise') == 'unknown':
        return 'unknown'
    return found


def _judge(verify, resource):
    if not isinstance(verify, dict) or not verify.get('path'):
        return 'unknown'
    field = verify.get('field')
    if field is None:
        if verify.get('gone'):
            return 'done' if resource is None else 'not_done'
        return 'unknown'
    if resource is None:
        return 'done' if verify.get('empty') or verify.get('gone') else 'unknown'
    value = resource.get(field) if isinstance(resource, dict) else None
    if verify.get('empty'):
        return 'done' if value in (None, '', [], {}) else 'not_done'
    if 'in' in verify:
        return 'done' if value in verify['in'] else 'not_done'
    if verify.get('set'):
        return 'not_done' if value in (None, '', [], {}) else 'done'
    if 'holds' in verify or 'lacks' in verify:
        if not isinstance(value, (list, tuple)):
            return 'unknown'
        if 'holds' in verify:
            return 'done' if all(v in value for v in verify['holds']) else 'not_done'
        return 'done' if not any(v in value for v in verify['lacks']) else 'not_done'
    return 'unknown'


def verify_paths(verify):
    """The resources to read to judge a write: its path, or each path of a bulk write (``"each": [...]``)."""
    if not isinstance(verify, dict) or not verify.get('path'):
        return []
    return list(verify.get('each') or [verify['path']])


def judge_now(verify, read_now):
    """judge() against DNSFilter's state now, read with ``read_now(path)``.

    A bulk write names every object it touches in ``"each"`` (paths judged with the same form): done when every one is
    done, not_done when none is, unknown for a mix (a part of the job cannot be told from the rest).
    """
    paths = verify_paths(verify)
    if not paths:
        return 'unknown'
    results = set(judge(dict(verify, path=path), read_now(path)) for path in paths)
    return results.pop() if len(results) == 1 else 'unknown'


def gone(path, each=None):
    """Verify a delete: the resource at path (or at every one of ``each``) is missing."""
    found = {'path': path, 'gone': True}
    if each:
        found['each'] = list(each)
    return found


def reconcile(journal, entries, read_now):
    """Give every pending intent the outcome DNSFilter's state shows now; returns the outcomes appended.

    ``read_now(path)`` returns the flattened resource at path, or None when it does not exist; an exception from
    it leaves the intent's result 'unknown' (recorded, so the report says so rather than guessing).
    """
    written = []
    for intent in pending(entries):
        verify = intent.get('verify')
        try:
            result = judge_now(verify, read_now)
            error = None
        except Exception as exc:  # pylint: disable=broad-except
            result, error = 'unknown', str(exc)
        written.append(journal.outcome(intent['id'], result, error=error, reconciled=True))
    return written


def actions(entries):
    """Every write of every run, in the order they began, each intent joined with its last outcome.

    Each item: the intent's fields plus ``result`` (None while pending), ``status``, ``error``, ``reconciled``,
    ``finished_at`` and ``finished_by`` (the run that recorded the outcome).
    """
    last = {}
    for entry in entries:
        if entry['kind'] == 'outcome':
            last[entry['id']] = entry
    found = []
    for entry in entries:
        if entry['kind'] != 'intent':
            continue
        item = {k: v for k, v in entry.items() if k != 'kind'}
        outcome = last.get(entry['id']) or {}
        item.update({'result': outcome.get('result'), 'status': outcome.get('status'), 'error': outcome.get('error'),
                     'reconciled': bool(outcome.get('reconciled')), 'finished_at': outcome.get('at'),
                     'finished_by': outcome.get('run')})
        found.append(item)
    return found


def happened(entries):
    """The writes that took effect (done or already), in order: what the exit did, across all its runs."""
    return [a for a in actions(entries) if a['result'] in HAPPENED]

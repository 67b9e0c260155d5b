"""The exit record survives anything: customer_exit killed (SIGKILL of its whole process group) at seeded points.

Each case runs the customer exit for real against the demo MSP, watches the run's journal (or its evidence folder) and
kills ansible-playbook and everything it started at the chosen point, then runs the same ticket again until it
finishes. What is asserted, as data:

- one sealed bundle for the ticket, and it verifies (its own VERIFY.py);
- DNSFilter's end state (the simulator's control port) is the end state of an uninterrupted run of the same scenario;
- every (action, subject) the uninterrupted run's journal shows done is shown done by the killed exit's journal - the
  union over all its runs, a write left open by the kill judged from DNSFilter's state (_journal.reconcile) - and
  nothing more;
- the final report lists exactly what the uninterrupted run's report lists, compared as data (the account report.md
  and report.html are rendered from): records deleted, uninstalls queued, site keys, Users, memberships, SSO,
  scheduled reports, and the outstanding items.

The uninterrupted run is made once per test session (the first worker to need it makes it in its simulator, with the
scenario loaded fresh, while the others wait for it), so the cases spread over xdist workers (-n 2).
"""
from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_exit_playbooks import AUTOMATION_KEY, CUSTOMER, FAST, ROOT, verify

sys.path.insert(0, str(ROOT / 'build' / 'collections'))
from ansible_collections.msp.dnsfilter.plugins.module_utils import _journal, _record  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten  # noqa: E402 pylint: disable=wrong-import-position

TICKET = 'DEMO-20261127'
SEED = 20261127
# The kill points: (name, what to watch for). "intent" kills right after the Nth intent line is on disk (N drawn from
# the seed, among the writes every run makes), "bulk_outcome" right after the outcome of a bulk delete of records,
# "before_open" as soon as the ticket's .open marker exists, before its bundle folder is in place.
POINTS = [('before_open', None), ('intent', 'early'), ('intent', 'late'), ('bulk_outcome', None)]
# The uninterrupted run's end state and journal, read once per worker from what the session's first worker wrote.
_BASELINE = {}


def command(sandbox, evidence):
    env = dict(os.environ, DNSFILTER_API_URL=sandbox.api_url, DNSFILTER_CA_PATH=sandbox.ca_file, DNSFILTER_API_KEY=AUTOMATION_KEY,
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'), ANSIBLE_NOCOLOR='1')
    variables = dict(CUSTOMER, dnsfilter_evidence_root=str(evidence))
    args = [str(Path(sys.executable).parent / 'ansible-playbook'), str(ROOT / 'playbooks' / 'customer_exit.yml'),
            '-i', str(ROOT / 'inventories' / 'demo'), '-e', json.dumps(variables)]
    return args, env


def run(sandbox, evidence, options=()):
    args, env = command(sandbox, evidence)
    return subprocess.run(args + list(options), env=env, capture_output=True, text=True, timeout=600, check=False)


def folders(evidence):
    return sorted(p for p in evidence.glob(TICKET + '-*') if p.is_dir())


def journal_lines(evidence):
    """The whole lines of every journal under evidence (a torn tail is skipped, as the reader does)."""
    entries = []
    for path in evidence.glob(TICKET + '-*/' + _journal.JOURNAL_NAME):
        entries.extend(_journal.read(str(path))[0])
    return entries


def killed_when(sandbox, evidence, reached, timeout=900):
    """Start the exit in its own session and SIGKILL its whole process group once reached(evidence) holds.

    Returns True when it was killed there, False when it finished first.
    """
    args, env = command(sandbox, evidence)
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None:
            if reached(evidence):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return True
            if time.monotonic() > deadline:
                raise AssertionError('the kill point was not reached in %d s' % timeout)
            time.sleep(0.005)
        return False
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def after_intent(n):
    def reached(evidence):
        return sum(1 for e in journal_lines(evidence) if e['kind'] == 'intent') >= n
    return reached


def after_bulk_outcome(evidence):
    entries = journal_lines(evidence)
    bulk = {e['id'] for e in entries if e['kind'] == 'intent' and e['path'] == '/v1/user_agent_bulk_deletes'
            and e['action'] == 'delete Roaming Client record'}
    return any(e['kind'] == 'outcome' and e['id'] in bulk for e in entries)


def before_open(evidence):
    """The ticket's open marker is on disk: exit_record writes it first, then builds the folder and renames it into
    place, so a kill here falls between the two."""
    return any(evidence.glob(TICKET + '-*.open'))


def end_state(sandbox):
    """DNSFilter's state as data, without what differs between two runs of the same exit: when things happened
    (and the random part of a loaded object's uuid; its id names it).

    A time an object has (deleted, uninstalled, queued, revoked, canceled; a key's expiry, a year from the scenario's
    load) is kept as whether it has one.
    """
    drop = ('created_at', 'updated_at', 'last_sync', 'last_seen', 'first_seen', 'last_checkin_at', 'next_checkin_at',
            'last_sign_in_at', 'allowlist_updated_at', 'blocklist_updated_at', 'lock_version', 'last_update', 'uuid')

    def clean(value):
        if isinstance(value, dict):
            return {k: (v is not None if k.endswith('_at') or k == 'expiry' else clean(v)) for k, v in value.items() if k not in drop}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    state = sandbox.state()
    return {name: sorted((clean(o) for o in objects), key=lambda o: json.dumps(o, sort_keys=True))
            for name, objects in state.items()
            if isinstance(objects, list) and name not in ('jobs', 'invoices')}


def reconciled(bundle, tmp_path, sandbox):
    """The bundle's journal with every write the kills left open judged from DNSFilter's state now (on a copy:
    the sealed bundle is not touched)."""
    copy = tmp_path / 'reconciled.jsonl'
    shutil.copyfile(bundle / _journal.JOURNAL_NAME, copy)
    client = sandbox.client(token=AUTOMATION_KEY)

    def read_now(path):
        answer = client.get(path)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        body = answer.json()
        # JSON:API {"data": ...}, or one named object ({"user": ...} for a membership).
        return flatten(body['data'] if 'data' in body else next(iter(body.values())))
    entries, _torn = _journal.read(str(copy))
    _journal.reconcile(_journal.Journal(str(copy), run='test-reconcile'), entries, read_now)
    return _journal.read(str(copy))[0]


def done(entries):
    """What the journal shows done, as data: every (action, subject type, subject id) of a write that happened."""
    return sorted({(a['action'], s['type'], s['id']) for a in _journal.happened(entries) for s in a['subjects']})


def report_facts(bundle):
    """What the bundle's report says was done and is left, as data (the account it is rendered from)."""
    acc = _record.account(str(bundle))
    agents = acc['roaming_clients']
    return {
        'records_deleted': sorted(a['id'] for a in agents if a.get('deleted')),
        'uninstalls_queued': sorted(a['id'] for a in agents if (a.get('actions') or {}).get('uninstall') == 'queued'),
        'site_keys_revoked': sorted(acc['site_keys_revoked']),
        'users_removed': sorted(str(u.get('id')) for u in acc['users_removed']),
        'memberships_removed': sorted('%s/%s' % (m.get('organization_id'), m.get('user_id')) for m in acc['memberships_removed']),
        'sso_removed': sorted(str(c.get('id')) for c in acc['sso_removed']),
        'scheduled_reports_removed': sorted(str(r.get('id')) for r in acc['scheduled_reports_removed']),
        'outstanding': sorted({(o.get('subject_type'), o.get('subject')) for o in acc['outstanding']}),
    }


def differences(found, expected):
    """Per collection, the objects only one of two end states has (for a readable failure)."""
    out = {}
    for name in sorted(set(found) | set(expected)):
        ours = [json.dumps(o, sort_keys=True) for o in found.get(name, [])]
        theirs = [json.dumps(o, sort_keys=True) for o in expected.get(name, [])]
        extra, missing = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        if extra or missing:
            out[name] = {'only_after_the_kills': extra, 'only_uninterrupted': missing}
    return out


def baseline(sandbox, tmp_path_factory):
    if _BASELINE:
        return _BASELINE
    # The session's temporary root: shared by the xdist workers (each has its own folder below it).
    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get('PYTEST_XDIST_WORKER') else root
    with open(shared / 'kill-campaign-baseline.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / 'kill-campaign-baseline.json'
        if not saved.exists():
            evidence = tmp_path_factory.mktemp('uninterrupted')
            finished = run(sandbox, evidence)
            assert finished.returncode == 0, finished.stdout[-3000:]
            [bundle] = folders(evidence)
            entries, torn = _journal.read(str(bundle / _journal.JOURNAL_NAME))
            assert torn == 0 and _journal.pending(entries) == []
            saved.write_text(json.dumps({'state': end_state(sandbox), 'done': done(entries), 'report': report_facts(bundle),
                                         'intents': sum(1 for e in entries if e['kind'] == 'intent')}))
            sandbox.load('demo', **FAST)
        found = json.loads(saved.read_text())
    _BASELINE.update(found, done=[tuple(d) for d in found['done']])
    return _BASELINE


@pytest.mark.sandbox_scenario('demo', **FAST)
@pytest.mark.parametrize('point, which', POINTS, ids=['-'.join(filter(None, p)) for p in POINTS])
def test_a_killed_exit_resumes_to_the_same_end_and_the_same_record(sandbox, tmp_path, tmp_path_factory, point, which):
    expected = baseline(sandbox, tmp_path_factory)
    assert expected['done'], 'the uninterrupted run journaled its writes'
    evidence = tmp_path / 'evidence'
    evidence.mkdir()
    if point == 'intent':
        # Seeded: the same kill point every run; "early" among the first half of the writes, "late" among the rest.
        half = expected['intents'] // 2
        rng = random.Random('%s-%s' % (SEED, which))
        reached = after_intent(rng.randint(1, half) if which == 'early' else rng.randint(half + 1, expected['intents']))
    else:
        reached = {'bulk_outcome': after_bulk_outcome, 'before_open': before_open}[point]
    assert killed_when(sandbox, evidence, reached), 'the run finished before the kill point'

    for attempt in range(3):
        again = run(sandbox, evidence)
        if again.returncode == 0:
            break
    assert again.returncode == 0, 'not finished after %d runs: %s' % (attempt + 1, again.stdout[-3000:])

    sealed = [f for f in folders(evidence) if (f / 'MANIFEST.sha256').exists()]
    assert len(sealed) == 1, folders(evidence)
    [bundle] = sealed
    checked = verify(bundle)
    problems = [] if checked.returncode == 0 else ['the bundle does not verify: %s' % checked.stdout[-2000:]]
    for other in folders(evidence):
        # A folder killed before its .open marker: nothing was written under it, so it holds no journal.
        if other != bundle and (other / _journal.JOURNAL_NAME).exists():
            problems.append('%s holds a journal outside the bundle' % other.name)
    state = end_state(sandbox)
    if state != expected['state']:
        problems.append('end state differs: %s' % json.dumps(differences(state, expected['state']), indent=1)[:6000])
    entries = reconciled(bundle, tmp_path, sandbox)
    if _journal.pending(entries):
        problems.append('writes left open after reconciling: %s' % _journal.pending(entries))
    found = done(entries)
    if found != expected['done']:
        problems.append('journal differs: %s' % {'only_after_the_kills': sorted(set(found) - set(expected['done'])),
                                                 'only_uninterrupted': sorted(set(expected['done']) - set(found))})
    # The report lists exactly what the uninterrupted run's report lists.
    report = json.loads(json.dumps(report_facts(bundle)))
    if report != expected['report']:
        problems.append('report differs: %s' % {k: {'after_the_kills': report[k], 'uninterrupted': expected['report'][k]}
                                                for k in report if report[k] != expected['report'].get(k)})
    assert not problems, '\n'.join(problems)


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_check_mode_writes_nothing_to_the_journal(sandbox, tmp_path):
    evidence = tmp_path / 'evidence'
    evidence.mkdir()
    # Even told where the journal is, a check run appends nothing to it.
    journal = tmp_path / 'journal.jsonl'
    sandbox.reset_counters()
    plan = run(sandbox, evidence, options=['--check', '-e', json.dumps({'dnsfilter_journal': {'path': str(journal), 'run': 'check'}})])
    assert plan.returncode == 0, plan.stdout[-3000:]
    assert sandbox.requests()['writes'] == 0
    assert not journal.exists()
    assert not list(evidence.rglob(_journal.JOURNAL_NAME))
    [folder] = folders(evidence)
    assert '-plan-' in folder.name and (folder / 'report.md').exists()

"""Ids of the `lookalikes` scenario, and running playbooks against it (see conftest.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
INVENTORY = HERE / 'inventories' / 'lookalikes'
SCENARIO = ROOT / 'tests' / 'sandbox' / 'dnsfilter_sim' / 'scenarios' / 'lookalikes.yml'

# Fast clock, as in tests/playbooks: agents check in every 3 s and uninstall in 1 s.
FAST = {'clock_start': None, 'checkin_interval_seconds': 3, 'uninstall_seconds': 1, 'job_delay_seconds': 1}

AUTOMATION_KEY = 'sim-lookalike-automation-key-0000000000000001'  # fake, simulator only: MSP administrator
OWNER_KEY = 'sim-lookalike-owner-key-0000000000000001'  # fake, simulator only: MSP owner

MSP = 830001
ACME, ACME_UPPER = 830101, 830102  # 'Acme Corp' / 'ACME CORP'
GLOBEX, GLOBEX_SPACE = 830103, 830104  # 'Globex' / 'Globex '
INITECH, INITECH_CYRILLIC = 830105, 830106  # 'Initech' / 'Іnitech' (U+0406)
UMBRELLA = 830107  # hostile strings in every tenant-controlled field
NAMES = {ACME: 'Acme Corp', ACME_UPPER: 'ACME CORP', GLOBEX: 'Globex', GLOBEX_SPACE: 'Globex ', INITECH: 'Initech',
         INITECH_CYRILLIC: '\u0406nitech'}

# In each of the customers a twin test names: a device, a site and a User account no other object of it shares
# (the twin customer has objects of the same names).
ONLY_HOSTNAME = {ACME: 'ACME-WS-01', GLOBEX_SPACE: 'GLX-WS-01', INITECH: 'INI-WS-01'}
ONLY_SITE = {ACME: 'Warehouse', GLOBEX_SPACE: 'Depot', INITECH: 'Plant'}
ONLY_ACCOUNT = {ACME: 'former.temp', GLOBEX_SPACE: 'gx.temp', INITECH: 'ini.temp'}

ACME_HEAD, ACME_HEAD_SPACE, ACME_HEAD_UPPER = 941011, 941012, 941014  # Acme's sites 'Head Office', 'Head Office ', 'HEAD OFFICE'

RECEPTION_OLD = 'ac3e0000-0000-4000-8000-000000000001'  # RECEPTION-PC before the re-image: disk wiped, silent for months
RECEPTION_NEW = 'ac3e0000-0000-4000-8000-000000000002'  # RECEPTION-PC after the re-image: live
FRONT_ADMIN, LAB_ADMIN = 4500101, 4500102  # FRONT-PC\admin and LAB-PC\admin: one login, two SIDs

SAM, SAM_UPPER = 'sam.lee@parallax-msp.example', 'Sam.Lee@parallax-msp.example'
RILEY = 'riley.chen@parallax-msp.example'
MORGAN = 'morgan.diaz@parallax-msp.example'
MORGAN_REVOKED_TOKEN = 'sim-lookalike-tech-morgan-revoked-0000000000000001'  # fake; revoked before any run
NEVER_ISSUED_TOKEN = 'sim-lookalike-never-issued-key-000000000000000001'  # fake; no such key ever existed
INITECH_OWNERS = ('bill.lumbergh@initech.example', 'milton.waddams@initech.example')


@dataclass
class Run:
    """One ansible-playbook run: its result, the simulator's write counter and the state before and after."""
    returncode: int
    output: str = field(repr=False)
    writes: int
    before: dict = field(repr=False)
    after: dict = field(repr=False)
    evidence: Path
    command: list = field(default_factory=list, repr=False)

    def bundles(self, ticket: str, plan: bool = False) -> list[Path]:
        pattern = ticket + ('-plan-*' if plan else '-[0-9]*')
        return sorted(p for p in self.evidence.glob(pattern) if p.is_dir())

    def tail(self, size: int = 4000) -> str:
        return self.output[-size:]

    def assert_refused_before_any_write(self) -> None:
        if self.writes:
            raise AssertionError('%d write(s) where a refusal before any write was expected; the run ended:\n%s'
                                 % (self.writes, self.tail()))
        if self.returncode == 0:
            raise AssertionError('the run succeeded where a refusal was expected:\n' + self.tail())


class PlaybookRunner:
    def __init__(self, sandbox, tmp_path: Path):
        self.sandbox = sandbox
        self.tmp_path = tmp_path
        self.evidence = tmp_path / 'evidence'
        self.evidence.mkdir(exist_ok=True)

    def run(self, playbook: str, extra: dict | None = None, key: str = AUTOMATION_KEY, check: bool = False,
            unsafe: dict | None = None) -> Run:
        """Run playbooks/<playbook> (or tests/adversarial/playbooks/<playbook>) with the suite's inventory.

        ``extra`` goes in as JSON extra vars; ``unsafe`` as a vars file whose strings are tagged !unsafe, the way
        AWX passes survey answers, for values Ansible must not template (a name containing '{{').
        """
        path = HERE / 'playbooks' / playbook if (HERE / 'playbooks' / playbook).exists() else ROOT / 'playbooks' / playbook
        variables = dict({'dnsfilter_evidence_root': str(self.evidence)}, **(extra or {}))
        command = [str(Path(sys.executable).parent / 'ansible-playbook'), str(path), '-i', str(INVENTORY),
                   '-e', json.dumps(variables)]
        if unsafe:
            vars_file = self.tmp_path / ('unsafe-%d.yml' % len(list(self.tmp_path.glob('unsafe-*.yml'))))
            vars_file.write_text(''.join('%s: !unsafe %s\n' % (name, json.dumps(value)) for name, value in unsafe.items()),
                                 encoding='utf-8')
            command += ['-e', '@' + str(vars_file)]
        if check:
            command.append('--check')
        env = dict(os.environ, DNSFILTER_API_URL=self.sandbox.api_url, DNSFILTER_CA_PATH=self.sandbox.ca_file,
                   DNSFILTER_API_KEY=key, ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'),
                   ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
        before = self.sandbox.state()
        self.sandbox.reset_counters()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        return Run(done.returncode, done.stdout + done.stderr, self.sandbox.requests()['writes'], before,
                   self.sandbox.state(), self.evidence, command)


# --- what the output shows ------------------------------------------------------------------------------------------

def _forms(text: str) -> set[str]:
    """A string as Ansible may print it: raw, or JSON-escaped (with or without non-ASCII escaped)."""
    return {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}


def shows(output: str, text: str) -> bool:
    return any(form in output for form in _forms(text))


def shows_quoted(output: str, text: str) -> bool:
    """The string between quotes, so that 'Globex' and 'Globex ' can be told apart."""
    quoted = set()
    for form in _forms(text):
        quoted |= {"'%s'" % form, '"%s"' % form, '\\"%s\\"' % form, '\u201c%s\u201d' % form}
    return any(q in output for q in quoted)


def missing_candidates(output: str, candidates: dict) -> list:
    """The candidates ({id: name}) the output does not show. A name that another candidate's name contains (or that
    contains it) only counts quoted; an id always counts."""
    missing = []
    for ident, name in candidates.items():
        others = [n for i, n in candidates.items() if i != ident]
        ambiguous = any(name in other or other in name for other in others)
        if str(ident) in output or (shows_quoted(output, name) if ambiguous else shows(output, name)):
            continue
        missing.append((ident, name))
    return missing


# --- the end state ----------------------------------------------------------------------------------------------------

def account(state: dict) -> dict:
    """What an exit may change, from a control-port state dump (check-in timestamps left out)."""
    return {
        'organizations': {o['id']: (o['name'], o['deleted_at'], o['canceled_at']) for o in state['organizations']},
        'memberships': {u['id']: u['memberships'] for u in state['users']},
        'api_keys': {k['id']: k['status'] for k in state['api_keys']},
        'sites': {n['id']: (n['deleted_at'], n['secret_key']) for n in state['networks']},
        'agents': {a['id']: (a['deleted_at'], a['status'], a['uninstall_queued_at']) for a in state['user_agents']},
        'users': sorted((u['id'], u['user_login']) for u in state['agent_local_users']),
        'scheduled_reports': sorted(r['id'] for r in state['scheduled_reports']),
        'sso': sorted(c['id'] for c in state['enterprise_connections']),
        'policies': {p['id']: (p['whitelist_domains'], p['blacklist_domains']) for p in state['policies']},
    }


def changes(run: Run) -> dict:
    """{section: {key: (before, after)}} for everything in account() that the run changed."""
    old, new = account(run.before), account(run.after)
    out = {}
    for section, before in old.items():
        after = new[section]
        if isinstance(before, dict):
            diff = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
        else:
            diff = {} if before == after else {'-': sorted(set(before) - set(after)), '+': sorted(set(after) - set(before))}
        if diff:
            out[section] = diff
    return out


def memberships(state: dict, email: str) -> dict:
    """A user's memberships (exact e-mail) from a state dump."""
    [user] = [u for u in state['users'] if u['email'] == email]
    return user['memberships']


def agent(state: dict, agent_id: str) -> dict:
    [found] = [a for a in state['user_agents'] if a['id'] == agent_id]
    return found

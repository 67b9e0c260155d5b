"""Fixtures: a PSA simulator per test, an evidence bundle, and real ansible-playbook runs of msp.dnsfilter.psa_ticket."""
from __future__ import annotations

import fnmatch
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[1]
REPO = SANDBOX.parents[1]
COLLECTIONS = REPO / 'build' / 'collections'
BIN = Path(sys.executable).parent
if str(SANDBOX) not in sys.path:
    sys.path.insert(0, str(SANDBOX))

from psa_sim.testing import PsaSim  # noqa: E402 pylint: disable=wrong-import-position

PROVIDERS = ('connectwise', 'autotask', 'halopsa')
# The paths of the two writes per provider, as globs for the simulator's drop_after fault.
WRITE_PATHS = {
    'connectwise': {'note': '*/service/tickets/*/notes', 'file': '*/system/documents'},
    'autotask': {'note': '*/Tickets/*/Notes', 'file': '*/Tickets/*/Attachments'},
    'halopsa': {'note': '*/api/Actions', 'file': '*/api/Attachment'},
}


@pytest.fixture
def sim(tmp_path):
    started = PsaSim(tmp_path / 'psa-sim').start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def bundle(tmp_path) -> Path:
    """An evidence bundle whose bytes break any text decoding: NUL, CR LF, 0xFF, invalid UTF-8, and gzip."""
    payload = bytes(range(256)) * 64 + b'\r\n\x00\xff\xfe' * 1000 + os.urandom(150000)
    path = tmp_path / 'evidence.tar.gz'
    with tarfile.open(path, 'w:gz') as archive:
        info = tarfile.TarInfo('evidence/blob.bin')
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return path


@pytest.fixture
def report(tmp_path) -> Path:
    path = tmp_path / 'report.html'
    path.write_text('<html><body><h1>DNSFilter exit: Contoso</h1><p>Zażółć — done.</p></body></html>\n', encoding='utf-8')
    return path


def connection(sim: PsaSim, provider: str) -> dict:
    """Module options that reach the simulated provider with the credentials it accepts."""
    info = dict(sim.info[provider])
    for key in ('tickets', 'outcomes'):
        info.pop(key, None)
    return info


def ticket_of(sim: PsaSim, provider: str) -> str:
    return str(sim.info[provider]['tickets'][0])


def writes(sim: PsaSim, provider: str, path_glob: str | None = None) -> list:
    """POSTs that write to the ticket (a HaloPSA token request writes nothing)."""
    return [r for r in sim.requests(provider, 'POST') if not r['path'].endswith('/auth/token')
            and (path_glob is None or fnmatch.fnmatchcase(r['path'], path_glob))]


class Run:
    """One ansible-playbook run: the registered result of the psa_ticket task, the output and the recap."""

    def __init__(self, completed: subprocess.CompletedProcess, result: dict):
        self.completed = completed
        self.result = result
        self.output = completed.stdout + completed.stderr

    def changed_count(self) -> int:
        for line in self.completed.stdout.splitlines():
            if line.startswith('localhost') and 'changed=' in line:
                return int(line.split('changed=')[1].split()[0])
        raise AssertionError('no recap:\n' + self.output[-3000:])


def run_module(tmp_path: Path, args: dict, *flags: str, env: dict | None = None, module_defaults: dict | None = None) -> Run:
    """Run msp.dnsfilter.psa_ticket through ansible-playbook and return its registered result."""
    assert COLLECTIONS.joinpath('ansible_collections', 'msp', 'dnsfilter').exists(), 'run scripts/bootstrap.sh first'
    runs = sorted(tmp_path.glob('run-*.json'))
    result_file = tmp_path / ('run-%03d.json' % len(runs))
    play = {
        'name': 'psa_ticket',
        'hosts': 'localhost',
        'gather_facts': False,
        'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
        'tasks': [
            {'name': 'Post to the ticket', 'msp.dnsfilter.psa_ticket': args, 'register': 'posted', 'ignore_errors': True},
            {'name': 'Keep the result', 'ansible.builtin.copy': {'content': '{{ posted | to_json }}', 'dest': str(result_file)},
             'changed_when': False, 'check_mode': False},
        ],
    }
    if module_defaults:
        play['module_defaults'] = module_defaults
    playbook = tmp_path / ('playbook-%03d.yml' % len(runs))
    playbook.write_text(json.dumps([play], indent=2))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                       ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_DEPRECATION_WARNINGS='False')
    for name in list(environment):
        if name.startswith('PSA_'):
            del environment[name]
    environment.update(env or {})
    completed = subprocess.run([str(BIN / 'ansible-playbook'), '-i', 'localhost,', str(playbook), *flags],
                               capture_output=True, text=True, env=environment, timeout=300, check=False)
    assert result_file.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    return Run(completed, json.loads(result_file.read_text()))

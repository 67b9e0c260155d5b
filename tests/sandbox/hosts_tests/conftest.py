"""Fixtures: a simulated-hosts process (alone, or linked to the API simulator) and real ansible-playbook runs."""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[1]
REPO = SANDBOX.parents[1]
PLAYBOOKS = Path(__file__).resolve().parent / 'playbooks'
SCENARIO = Path(__file__).resolve().parent / 'scenarios' / 'hosts.yml'
BIN = Path(sys.executable).parent
if str(SANDBOX) not in sys.path:
    sys.path.insert(0, str(SANDBOX))
COLLECTIONS = REPO / 'build' / 'collections'
# The simulated hosts listen on fixed loopback addresses, so two hosts processes must never overlap (xdist).
LOCK_FILE = '/tmp/dnsfilter_hosts_tests.lock'


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SANDBOX), os.environ.get('PYTHONPATH')])),
               ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_NOCOLOR='1',
               ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_FORCE_COLOR='0')
    env.update(extra or {})
    return env


class Hosts:
    """One ``python -m dnsfilter_hosts serve`` process, its inventory, and helpers to run playbooks against it."""

    def __init__(self, workdir: Path, scenario: Path | None = None, control_url: str | None = None):
        self.workdir = workdir
        self.state_dir = workdir / 'hosts-state'
        self.results = workdir / 'results'
        self.results.mkdir(parents=True, exist_ok=True)
        self.inventory = workdir / 'inventory.yml'
        self.source = (['--scenario', str(scenario)] if scenario else []) + (['--control-url', control_url] if control_url else [])
        self.process: subprocess.Popen | None = None

    def start(self) -> 'Hosts':
        ready = self.workdir / 'hosts.ready'
        with open(self.workdir / 'hosts.log', 'ab') as log:
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'dnsfilter_hosts', 'serve', *self.source, '--state-dir', str(self.state_dir), '--ready-file', str(ready)],
                stdout=log, stderr=subprocess.STDOUT, env=_env())
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert self.process.poll() is None, (self.workdir / 'hosts.log').read_text()
            assert time.monotonic() < deadline, 'the hosts process did not start'
            time.sleep(0.1)
        subprocess.run([sys.executable, '-m', 'dnsfilter_hosts', 'inventory', *self.source, '--state-dir', str(self.state_dir),
                        '--output', str(self.inventory)], check=True, env=_env(), capture_output=True)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return (self.workdir / 'hosts.log').read_text()

    def playbook(self, name: str, *args: str, env: dict | None = None, extra_vars: dict | None = None) -> subprocess.CompletedProcess:
        extra = dict(result_dir=str(self.results), **(extra_vars or {}))
        command = [str(BIN / 'ansible-playbook'), '-i', str(self.inventory), str(PLAYBOOKS / name), '-e', json.dumps(extra), *args]
        return subprocess.run(command, capture_output=True, text=True, env=_env(env), check=False, timeout=600)

    def adhoc(self, pattern: str, module: str, module_args: str = '', *args: str) -> subprocess.CompletedProcess:
        command = [str(BIN / 'ansible'), '-i', str(self.inventory), pattern, '-m', module, *(['-a', module_args] if module_args else []), *args]
        return subprocess.run(command, capture_output=True, text=True, env=_env(), check=False, timeout=300)

    def result(self, name: str):
        return json.loads((self.results / name).read_text())

    def windows_state(self, hostname: str) -> dict:
        return json.loads((self.state_dir / 'windows' / f'{hostname}.json').read_text())

    def mac_state(self, hostname: str) -> dict:
        return json.loads((self.state_dir / 'macos' / hostname / 'root' / 'var' / 'db' / 'dnsfilter-sim' / 'state.json').read_text())

    def mac_path(self, hostname: str, path: str) -> Path:
        return self.state_dir / 'macos' / hostname / 'root' / path.lstrip('/')


@pytest.fixture
def host_lock():
    with open(LOCK_FILE, 'w', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
        fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def hosts(tmp_path, host_lock):
    """Simulated hosts whose devices come from scenarios/hosts.yml (no API simulator)."""
    started = Hosts(tmp_path, scenario=SCENARIO).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def linked(tmp_path, host_lock):
    """The API simulator (demo scenario) and simulated hosts reading their devices from its control interface."""
    from dnsfilter_sim.testing import Sandbox

    sandbox = Sandbox(tmp_path / 'sim', scenario='demo').start()
    started = Hosts(tmp_path, control_url=sandbox.control_url)
    try:
        started.start()
        yield sandbox, started
    finally:
        started.stop()
        sandbox.stop()


def changed_count(output: str, host: str) -> int:
    """The changed= figure of ``host`` in a PLAY RECAP."""
    for line in output.splitlines():
        if line.startswith(host + ' ') and 'changed=' in line:
            return int(line.split('changed=')[1].split()[0])
    raise AssertionError(f'no recap line for {host}:\n{output[-2000:]}')

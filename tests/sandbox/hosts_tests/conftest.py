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
import yaml

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
# Check-ins every few seconds, so an exit run against the linked hosts does not wait real 15-minute intervals.
FAST = {'clock_start': None, 'checkin_interval_seconds': 3, 'uninstall_seconds': 1, 'job_delay_seconds': 1}
# The demo MSP's automation user; the key is fake and works only against the simulator.
AUTOMATION_KEY = 'sim-automation-key-0000000000000001'


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
        ready.unlink(missing_ok=True)
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

    def restart(self) -> 'Hosts':
        """Stop and start again on the same state (a test may change a host's state file in between)."""
        self.stop()
        return self.start()

    def log(self) -> str:
        return (self.workdir / 'hosts.log').read_text()

    def contacted(self) -> set[str]:
        """The hosts that ran a command since the process started (each host logs ``<hostname> command``)."""
        found = set()
        for line in self.log().splitlines():
            words = line.split()
            if len(words) >= 6 and words[3] == 'INFO' and words[2].endswith(('winrm_hosts', 'macos_hosts')) and words[5] == 'command':
                found.add(words[4])
        return found

    def exit_playbook(self, sandbox, name: str, *args: str, extra_vars: dict | None = None) -> subprocess.CompletedProcess:
        """An exit playbook of the collection, for real, against the API simulator and these hosts (inventories/demo + them)."""
        env = {'DNSFILTER_API_URL': sandbox.api_url, 'DNSFILTER_CA_PATH': sandbox.ca_file, 'DNSFILTER_API_KEY': AUTOMATION_KEY}
        variables = dict({'dnsfilter_evidence_root': str(self.workdir / 'evidence'), 'dnsfilter_checkin_interval_seconds': 4,
                          'dnsfilter_uninstall_wait_seconds': 8}, **(extra_vars or {}))
        Path(variables['dnsfilter_evidence_root']).mkdir(parents=True, exist_ok=True)
        command = [str(BIN / 'ansible-playbook'), str(REPO / 'playbooks' / name), '-i', str(REPO / 'inventories' / 'demo'),
                   '-i', str(self.inventory), '-e', json.dumps(variables), *args]
        return subprocess.run(command, capture_output=True, text=True, env=_env(env), check=False, timeout=900)

    def inventory_hosts(self) -> dict[str, str]:
        """Every host of the generated inventory and its group (windows or macos)."""
        groups = yaml.safe_load(self.inventory.read_text())['all']['children']
        return {name: group for group in ('windows', 'macos') for name in (groups[group].get('hosts') or {})}

    def snapshot(self, hostname: str):
        """What a host holds, to compare before and after: its state file, and for a Mac every file of its root."""
        if self.inventory_hosts()[hostname] == 'windows':
            return self.windows_state(hostname)
        root = self.mac_path(hostname, '/')
        files = sorted((os.path.relpath(os.path.join(d, f), root), os.path.getsize(os.path.join(d, f)))
                       for d, _dirs, names in os.walk(root) for f in names)
        return {'state': self.mac_state(hostname), 'files': files}

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


def _linked(tmp_path, settings: dict | None = None):
    from dnsfilter_sim.testing import Sandbox

    sandbox = Sandbox(tmp_path / 'sim', scenario='demo').start()
    started = Hosts(tmp_path, control_url=sandbox.control_url)
    try:
        if settings:
            sandbox.load('demo', **settings)
        started.start()
        yield sandbox, started
    finally:
        started.stop()
        sandbox.stop()


@pytest.fixture
def linked(tmp_path, host_lock):
    """The API simulator (demo scenario) and simulated hosts reading their devices from its control interface."""
    yield from _linked(tmp_path)


@pytest.fixture
def linked_fast(tmp_path, host_lock):
    """As ``linked``, with check-ins every few seconds so that whole exit playbooks can run against it."""
    yield from _linked(tmp_path, FAST)


def changed_count(output: str, host: str) -> int:
    """The changed= figure of ``host`` in a PLAY RECAP."""
    for line in output.splitlines():
        if line.startswith(host + ' ') and 'changed=' in line:
            return int(line.split('changed=')[1].split()[0])
    raise AssertionError(f'no recap line for {host}:\n{output[-2000:]}')

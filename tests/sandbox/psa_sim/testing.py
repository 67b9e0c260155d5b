"""Start a simulator process for a test and talk to its control interface."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[1]


class PsaSim:
    """One ``python -m psa_sim serve`` process; ``info`` is its psa.json."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.process: subprocess.Popen | None = None
        self.info: dict = {}

    def start(self, timeout: float = 30) -> 'PsaSim':
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SANDBOX), os.environ.get('PYTHONPATH')])))
        with open(self.state_dir / 'psa_sim.log', 'ab') as log:
            self.process = subprocess.Popen([sys.executable, '-m', 'psa_sim', 'serve', '--port', '0', '--state-dir', str(self.state_dir)],
                                            stdout=log, stderr=subprocess.STDOUT, env=env)
        ready = self.state_dir / 'psa.json'
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError('psa_sim exited: %s' % self.log())
            if time.monotonic() > deadline:
                raise RuntimeError('psa_sim did not start')
            time.sleep(0.05)
        self.info = json.loads(ready.read_text())
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        path = self.state_dir / 'psa_sim.log'
        return path.read_text() if path.exists() else ''

    def _call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.info['control_url'] + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.read()

    def state(self, provider: str | None = None) -> dict:
        state = json.loads(self._call('GET', '/state'))
        return state[provider] if provider else state

    def file_bytes(self, provider: str, ident) -> bytes:
        return self._call('GET', '/files/%s/%s' % (provider, ident))

    def requests(self, provider: str | None = None, method: str | None = None) -> list:
        entries = json.loads(self._call('GET', '/requests'))
        return [e for e in entries if (provider is None or e['provider'] == provider) and (method is None or e['method'] == method)]

    def drop_after(self, **spec) -> list:
        return json.loads(self._call('POST', '/faults', {'drop_after': spec}))

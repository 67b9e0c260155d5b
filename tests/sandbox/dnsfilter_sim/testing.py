"""Drive a simulator process from tests: ``Sandbox`` starts one and wraps its control port.

    with Sandbox(tmp_path) as sandbox:
        api = sandbox.client('automation')
        assert api.get('/v1/current_user').status_code == 200
        sandbox.advance(900)

Fixtures built on it are in ``dnsfilter_sim.pytest_plugin``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # tests/sandbox, what PYTHONPATH needs


class SandboxError(RuntimeError):
    pass


class ApiClient:
    """``requests`` bound to the simulator's API, its CA and one API key."""

    def __init__(self, api_url: str, ca_file: str | None, token: str | None, bearer: bool = False):
        self.api_url = api_url
        self.verify = ca_file if ca_file else True
        self.session = requests.Session()
        if token is not None:
            self.session.headers['Authorization'] = f'Bearer {token}' if bearer else token

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault('timeout', 30)
        # Per request: requests lets REQUESTS_CA_BUNDLE override a session's ``verify``, not this.
        kwargs.setdefault('verify', self.verify)
        return self.session.request(method, self.api_url + path, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request('GET', path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request('POST', path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request('PATCH', path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request('PUT', path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request('DELETE', path, **kwargs)


class Sandbox:
    """One ``python -m dnsfilter_sim serve`` process and helpers for its control interface."""

    def __init__(self, state_dir: str | os.PathLike, scenario: str = 'demo', strict: bool = True, plain_http: bool = False):
        self.state_dir = Path(state_dir)
        self.scenario = scenario
        self.strict = strict
        self.plain_http = plain_http
        self.process: subprocess.Popen | None = None
        self.info: dict = {}

    # --- process ----------------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> Sandbox:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ready = self.state_dir / 'sandbox.json'
        ready.unlink(missing_ok=True)
        command = [sys.executable, '-m', 'dnsfilter_sim', 'serve', '--port', '0', '--state-dir', str(self.state_dir),
                   '--scenario', self.scenario]
        command += ['--strict'] if self.strict else []
        command += ['--plain-http'] if self.plain_http else []
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get('PYTHONPATH')])))
        with open(self.state_dir / 'server.log', 'ab') as log:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env)
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.process.poll() is not None:
                raise SandboxError(f'the simulator exited with {self.process.returncode}; see {self.state_dir / "server.log"}')
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(f'the simulator did not start within {timeout}s; see {self.state_dir / "server.log"}')
            time.sleep(0.05)
        self.info = json.loads(ready.read_text())
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return self.info['api_url']

    @property
    def control_url(self) -> str:
        return self.info['control_url']

    @property
    def ca_file(self) -> str | None:
        return self.info['ca_file']

    # --- control port -----------------------------------------------------------------------------

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(method, self.control_url + path, json=body, timeout=60)
        if response.status_code >= 400:
            raise SandboxError(f'{method} {path}: {response.status_code} {response.text}')
        return response.json()

    def load(self, scenario: str = 'demo', **settings) -> dict:
        """Load a scenario (a built-in name or a path); ``settings`` override its settings."""
        body = {'path': str(scenario)} if os.sep in str(scenario) else {'name': scenario}
        return self.control('POST', '/control/scenario', dict(body, settings=settings))

    def state(self) -> dict:
        return self.control('GET', '/control/state')

    def requests(self) -> dict:
        return self.control('GET', '/control/requests')

    def writes(self) -> int:
        """Non-GET API requests that reached a handler since the last reset or scenario load."""
        return self.requests()['writes']

    def reset_counters(self) -> None:
        self.control('POST', '/control/requests/reset')

    def advance(self, seconds: float) -> dict:
        """Move the simulator clock on, running the check-ins and jobs that fall due."""
        return self.control('POST', '/control/clock/advance', {'seconds': seconds})

    def checkin(self, device_ids: list[str] | None = None) -> dict:
        return self.control('POST', '/control/checkin', {'device_ids': device_ids})

    def faults(self, *rules: dict, seed: int | None = None) -> dict:
        return self.control('POST', '/control/faults', {'rules': list(rules), 'seed': seed})

    def clear_faults(self) -> None:
        self.control('DELETE', '/control/faults')

    def ratelimit(self, limit: int, window: int = 300) -> dict:
        return self.control('POST', '/control/ratelimit', {'limit': limit, 'window': window})

    def devices(self) -> list[dict]:
        return self.control('GET', '/control/devices')['devices']

    def device(self, device_id: str) -> dict:
        return self.control('GET', f'/control/devices/{device_id}')

    def set_device(self, device_id: str, **changes) -> dict:
        return self.control('PATCH', f'/control/devices/{device_id}', changes)

    def violations(self) -> list[dict]:
        return self.control('GET', '/control/violations')['violations']

    def warnings(self) -> list[dict]:
        return self.control('GET', '/control/violations')['warnings']

    def reset_violations(self) -> None:
        self.control('POST', '/control/violations/reset')

    def assert_no_violations(self) -> None:
        found = self.violations()
        if found:
            raise AssertionError('responses that break the description:\n' + '\n'.join(json.dumps(v) for v in found))

    # --- keys and clients ---------------------------------------------------------------------------

    def key(self, user: str, name: str | None = None) -> str:
        """The token of a scenario user's (``ref``) first usable API key, or of the key called ``name``."""
        state = self.state()
        now = datetime.fromisoformat(state['now'].replace('Z', '+00:00'))
        owner = next((u for u in state['users'] if u['ref'] == user), None)
        if owner is None:
            raise SandboxError(f'no user {user!r} in scenario {state["scenario"]}')
        for key in state['api_keys']:
            if key['user_id'] != owner['id'] or (name is not None and key['name'] != name):
                continue
            if name is not None or (key['status'] == 'active' and datetime.fromisoformat(key['expiry'].replace('Z', '+00:00')) > now):
                return key['secret_token']
        raise SandboxError(f'user {user!r} has no usable API key' + (f' named {name!r}' if name else ''))

    def client(self, user: str | None = None, token: str | None = None, bearer: bool = False) -> ApiClient:
        """An API client acting as a scenario user (by ``ref``) or with an explicit token (or none)."""
        if user is not None:
            token = self.key(user)
        return ApiClient(self.api_url, self.ca_file, token, bearer)

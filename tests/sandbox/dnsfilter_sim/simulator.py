"""The simulator as one object: the description, the current scenario's state, and the test controls."""
from __future__ import annotations

import time

from . import agents, scenario
from .faults import Faults
from .ratelimit import RateLimiter
from .recorder import LOG, Recorder
from .spec import Spec
from .state import State


class Simulator:
    def __init__(self, spec: Spec, strict: bool = False):
        self.spec = spec
        self.strict = strict
        self.recorder = Recorder()
        self.faults = Faults()
        self.limiter = RateLimiter()
        self.api_url = ''
        self.scenario_name: str | None = None
        self.state: State | None = None

    def load(self, name: str | None = None, path: str | None = None, settings: dict | None = None) -> dict:
        """Replace the whole account with a scenario; request counters, quotas and faults start afresh.

        Violations and warnings are kept: they belong to the test run, not to a scenario.
        """
        started = time.monotonic()
        source = scenario.resolve(name, path)
        state = scenario.load(source, settings)
        state.api_url = self.api_url
        self.state = state
        self.scenario_name = source.stem
        self.limiter.configure(**state.settings['rate_limit'])
        self.faults.clear()
        self.recorder.reset_requests()
        seconds = round(time.monotonic() - started, 3)
        LOG.info('loaded scenario %s in %.3fs', source, seconds)
        return {'scenario': self.scenario_name, 'load_seconds': seconds, 'settings': state.settings,
                'clock': state.now().isoformat()}

    def run_due(self) -> int:
        return self.state.scheduler.run_due(self.state.now())

    def advance(self, seconds: float) -> int:
        self.state.clock.advance(seconds)
        return self.run_due()

    def checkin(self, device_ids: list[str] | None = None) -> list[str]:
        """Check the given devices (default: all) in now, instead of at their next planned time."""
        self.run_due()
        chosen = device_ids if device_ids is not None else list(self.state.devices)
        missing = [device_id for device_id in chosen if device_id not in self.state.devices]
        if missing:
            raise KeyError(f'no such devices: {", ".join(missing)}')
        now = self.state.now()
        for device_id in chosen:
            device = self.state.devices[device_id]
            if device.installed or device.next_checkin_at is not None:
                agents.checkin(self.state, device, now)
        return chosen

"""Simulated time: a clock that can run with the wall clock or stand still, and the events due on it."""
from __future__ import annotations

import heapq
import itertools
import time
from datetime import datetime, timedelta, timezone


def utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """Rails' JSON rendering of a UTC time: milliseconds and a Z."""
    if value is None:
        return None
    return utc(value).strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (value.microsecond // 1000)


class SimClock:
    """The simulator's notion of now.

    In ``realtime`` mode it moves with the wall clock from its start; in ``manual`` mode it only moves
    when told to (``advance``), which makes tests deterministic.
    """

    def __init__(self, start: datetime, mode: str = 'realtime'):
        if mode not in ('realtime', 'manual'):
            raise ValueError(f'clock mode must be realtime or manual, not {mode!r}')
        self.start = utc(start)
        self.mode = mode
        self._offset = 0.0
        self._base = time.monotonic()

    def now(self) -> datetime:
        elapsed = self._offset
        if self.mode == 'realtime':
            elapsed += time.monotonic() - self._base
        return self.start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError('the clock only moves forward')
        self._offset += seconds


class Scheduler:
    """Events (check-ins, job completions) kept in time order, run when the clock passes them.

    Running them strictly in time order matters: a bulk delete finishing at t=5 and an agent checking in at
    t=7 must leave the agent re-registered, whatever order the code happened to schedule them in.
    """

    def __init__(self):
        self._heap: list[tuple[datetime, int, object]] = []
        self._seq = itertools.count()

    def at(self, when: datetime, action) -> None:
        """Run ``action(when)`` once the clock reaches ``when``."""
        heapq.heappush(self._heap, (utc(when), next(self._seq), action))

    def run_due(self, now: datetime) -> int:
        ran = 0
        while self._heap and self._heap[0][0] <= now:
            when, _order, action = heapq.heappop(self._heap)
            action(when)
            ran += 1
        return ran

    def next_due(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

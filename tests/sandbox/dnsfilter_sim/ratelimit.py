"""Per-organisation request quotas (KB "API Rate Limits": 2,000 requests per 300 seconds per Organization).

Fixed windows on the simulator clock, so advancing the clock also refills quotas. Headers follow the
description's list: ``RateLimit-Policy`` and ``RateLimit`` as in draft-ietf-httpapi-ratelimit-headers-08,
``RateLimit-Limit``/``-Remaining``/``-Reset`` as in draft-polli-ratelimit-headers-05, and ``Retry-After``
(seconds) on a 429.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

POLICY = 'organization'


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    window: int

    def headers(self) -> dict[str, str]:
        headers = {
            'RateLimit-Policy': f'"{POLICY}";q={self.limit};w={self.window}',
            'RateLimit': f'"{POLICY}";r={self.remaining};t={self.reset}',
            'RateLimit-Limit': str(self.limit),
            'RateLimit-Remaining': str(self.remaining),
            'RateLimit-Reset': str(self.reset),
        }
        if not self.allowed:
            headers['Retry-After'] = str(self.reset)
        return headers


class RateLimiter:
    def __init__(self, limit: int = 2000, window: int = 300):
        self.configure(limit, window)

    def configure(self, limit: int, window: int) -> None:
        if limit < 1 or window < 1:
            raise ValueError('limit and window must be positive')
        self.limit = int(limit)
        self.window = int(window)
        self._windows: dict[str, tuple[datetime, int]] = {}

    def _current(self, partition: str, now: datetime) -> tuple[datetime, int]:
        start, used = self._windows.get(partition, (now, 0))
        if (now - start).total_seconds() >= self.window:
            start, used = now, 0
        return start, used

    def _decision(self, allowed: bool, start: datetime, used: int, now: datetime) -> Decision:
        reset = max(1, math.ceil(self.window - (now - start).total_seconds()))
        return Decision(allowed, self.limit, max(0, self.limit - used), reset, self.window)

    def hit(self, partition: str, now: datetime) -> Decision:
        """Count one request against ``partition``; refused requests do not use quota."""
        start, used = self._current(partition, now)
        if used >= self.limit:
            self._windows[partition] = (start, used)
            return self._decision(False, start, used, now)
        self._windows[partition] = (start, used + 1)
        return self._decision(True, start, used + 1, now)

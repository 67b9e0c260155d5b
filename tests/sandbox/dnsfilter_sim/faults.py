"""Faults injected on demand through the control interface, seeded so a test sees the same faults each run.

A rule matches by method and by path: the operation's template (``/v1/user_agents/{id}``) or the
request path, exact or as a glob (``/v1/user_agents*``). Kinds:

- ``latency``: wait ``latency_ms`` before handling (combines with other faults);
- ``error``: answer ``status`` (5xx) with the API's error body; the handler does not run;
- ``drop``: close the connection without a response; the handler does not run;
- ``drop_after``: run the handler (the change is made), then close the connection without a response;
- ``slow_body``: send the response body in ``chunk_size`` byte chunks, ``chunk_delay_ms`` apart;
- ``storm``: answer 429 (with RateLimit headers) to the next ``count`` matching requests.

``rate`` (0..1) is the chance a matching request is hit; ``count`` caps how many are.
"""
from __future__ import annotations

import fnmatch
import random
from dataclasses import asdict, dataclass, fields

KINDS = ('latency', 'error', 'drop', 'drop_after', 'slow_body', 'storm')


@dataclass
class FaultRule:
    kind: str
    method: str = '*'
    path: str = '*'
    rate: float = 1.0
    count: int | None = None
    latency_ms: int = 0
    status: int = 503
    chunk_size: int = 64
    chunk_delay_ms: int = 100
    applied: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f'unknown fault kind {self.kind!r}; expected one of {", ".join(KINDS)}')
        if not 0 <= self.rate <= 1:
            raise ValueError('rate must be between 0 and 1')
        if self.kind == 'error' and not 500 <= self.status <= 599:
            raise ValueError('an error fault needs a 5xx status')
        if self.kind == 'storm' and not self.count:
            raise ValueError('a storm needs a count (how many requests get 429)')

    def matches(self, method: str, template: str | None, path: str) -> bool:
        if self.method != '*' and self.method.upper() != method.upper():
            return False
        candidates = [path] + ([template] if template else [])
        return any(fnmatch.fnmatchcase(candidate, self.path) for candidate in candidates)

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.applied >= self.count


@dataclass
class Chosen:
    """The faults that hit one request: total added latency, and at most one other fault."""
    latency_ms: int = 0
    rule: FaultRule | None = None

    @property
    def kind(self) -> str | None:
        return self.rule.kind if self.rule else None


class Faults:
    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.rules: list[FaultRule] = []
        self._random = random.Random(0)

    def add(self, rules: list[dict], seed: int | None = None) -> list[FaultRule]:
        allowed = {f.name for f in fields(FaultRule)} - {'applied'}
        added = []
        for rule in rules:
            unknown = set(rule) - allowed
            if unknown:
                raise ValueError(f'unknown fault rule keys: {", ".join(sorted(unknown))}')
            added.append(FaultRule(**rule))
        if seed is not None:
            self._random = random.Random(seed)
        self.rules.extend(added)
        return added

    def choose(self, method: str, template: str | None, path: str) -> Chosen:
        chosen = Chosen()
        for rule in self.rules:
            if rule.exhausted or not rule.matches(method, template, path):
                continue
            if chosen.rule is not None and rule.kind != 'latency':
                continue
            if self._random.random() >= rule.rate:
                continue
            rule.applied += 1
            if rule.kind == 'latency':
                chosen.latency_ms += rule.latency_ms
            else:
                chosen.rule = rule
        return chosen

    def report(self) -> list[dict]:
        return [asdict(rule) for rule in self.rules]

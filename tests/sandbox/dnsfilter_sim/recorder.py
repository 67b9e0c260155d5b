"""What the simulator saw: request counters, recent requests, spec violations and warnings."""
from __future__ import annotations

import logging
from collections import Counter, defaultdict, deque

LOG = logging.getLogger('dnsfilter_sim')
RECENT = 1000


class Recorder:
    def __init__(self):
        self.reset_requests()
        self.reset_violations()

    def reset_requests(self) -> None:
        self.by_endpoint: dict[str, Counter] = defaultdict(Counter)
        self.recent: deque = deque(maxlen=RECENT)
        self.total = 0
        self.writes = 0

    def reset_violations(self) -> None:
        self.violations: list[dict] = []
        self.warnings: list[dict] = []

    def request(self, entry: dict) -> None:
        """Count one request; ``entry`` has method, path, template, query, status, org."""
        self.total += 1
        endpoint = f"{entry['method']} {entry['template'] or entry['path']}"
        self.by_endpoint[endpoint][str(entry['status'])] += 1
        self.recent.append(entry)

    def handler_reached(self, method: str) -> None:
        if method != 'GET':
            self.writes += 1

    def violation(self, entry: dict) -> None:
        self.violations.append(entry)
        LOG.warning('response violates the description: %s', entry)

    def warning(self, entry: dict) -> None:
        self.warnings.append(entry)
        LOG.info('warning: %s', entry)

    def requests_report(self) -> dict:
        return {
            'total': self.total,
            'writes': self.writes,
            'by_endpoint': {endpoint: dict(statuses) for endpoint, statuses in sorted(self.by_endpoint.items())},
            'recent': list(self.recent),
        }

    def violations_report(self) -> dict:
        return {'violations': list(self.violations), 'warnings': list(self.warnings)}

"""What the simulated PSAs hold: credentials, tickets, notes, files (as bytes), the request log and faults."""
from __future__ import annotations

import fnmatch
import hashlib
import itertools
from dataclasses import asdict, dataclass, field

CREDENTIALS = {
    'connectwise': {'company': 'msptest', 'public_key': 'cwpub0sim0000001', 'private_key': 'cwpriv-sim-7f3a9c1e5b2d4a60',
                    'client_id': '6a1f0c2e-0b7d-4e3a-9c55-7d1e2f3a4b5c'},
    'autotask': {'username': 'dnsfilter-api@msptest.example', 'secret': 'at-secret-sim-4c8e2a91',
                 'integration_code': 'ATINTEGRATIONSIM0123456789'},
    'halopsa': {'client_id': 'b2d4f6a8-1c3e-4a5b-8d7f-0e9c1b2a3d4e', 'client_secret': 'halo-secret-sim-2e7b9d41c6a8f035'},
}
TICKETS = {
    'connectwise': {1001: 'DNSFilter exit - Contoso', 1002: 'DNSFilter exit - Fabrikam'},
    'autotask': {2001: 'DNSFilter exit - Contoso', 2002: 'DNSFilter exit - Fabrikam'},
    'halopsa': {3001: 'DNSFilter exit - Contoso', 3002: 'DNSFilter exit - Fabrikam'},
}
# Halo's outcomes (action types); 7 is the built-in Private Note.
HALO_OUTCOMES = {7: 'Private Note', 1: 'Email User', 24: 'Note'}
PROVIDERS = tuple(TICKETS)


@dataclass
class Fault:
    """drop_after: run the handler (the write is applied), then close the connection without an answer."""
    kind: str = 'drop_after'
    provider: str = '*'
    method: str = 'POST'
    path: str = '*'
    count: int = 1
    applied: int = 0

    def matches(self, provider: str, method: str, path: str) -> bool:
        return (self.applied < self.count and self.provider in ('*', provider) and self.method in ('*', method.upper())
                and fnmatch.fnmatchcase(path, self.path))


@dataclass
class Store:
    notes: dict = field(default_factory=lambda: {p: [] for p in PROVIDERS})
    files: dict = field(default_factory=lambda: {p: [] for p in PROVIDERS})
    requests: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    tokens: set = field(default_factory=set)
    ids: itertools.count = field(default_factory=lambda: itertools.count(5001))

    def next_id(self) -> int:
        return next(self.ids)

    def ticket(self, provider: str, ident) -> dict | None:
        try:
            number = int(ident)
        except (TypeError, ValueError):
            return None
        summary = TICKETS[provider].get(number)
        return None if summary is None else {'id': number, 'summary': summary}

    def add_note(self, provider: str, ticket: int, text: str, **extra) -> dict:
        note = dict(extra, id=self.next_id(), ticket_id=ticket, text=text)
        self.notes[provider].append(note)
        return note

    def add_file(self, provider: str, ticket: int, title: str, file_name: str, content: bytes, **extra) -> dict:
        item = dict(extra, id=self.next_id(), ticket_id=ticket, title=title, file_name=file_name, content=content)
        self.files[provider].append(item)
        return item

    def notes_of(self, provider: str, ticket: int) -> list:
        return [n for n in self.notes[provider] if n['ticket_id'] == ticket]

    def files_of(self, provider: str, ticket: int) -> list:
        return [f for f in self.files[provider] if f['ticket_id'] == ticket]

    def file(self, provider: str, ident) -> dict | None:
        return next((f for f in self.files[provider] if str(f['id']) == str(ident)), None)

    def fault_for(self, provider: str, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(provider, method, path):
                fault.applied += 1
                return fault
        return None

    def report(self) -> dict:
        """What was posted, per provider: notes in full, files as metadata with size and SHA-256."""
        def meta(item):
            return dict({k: v for k, v in item.items() if k != 'content'}, size=len(item['content']),
                        sha256=hashlib.sha256(item['content']).hexdigest())
        return {p: {'notes': list(self.notes[p]), 'files': [meta(f) for f in self.files[p]]} for p in PROVIDERS}

    def faults_report(self) -> list:
        return [asdict(f) for f in self.faults]

"""Deterministic DNS query logs: the same window always returns the same rows.

Each Roaming Client makes one query every few minutes (its own period, from its id) while it exists and
is not uninstalled. A row's content comes from a generator seeded with the agent id and the query time,
so nothing is stored and paging through a window never drops or repeats a row.
"""
from __future__ import annotations

import heapq
import itertools
import math
import random
import zlib
from datetime import datetime, timezone

from .state import Agent, State

# fqdn, registrable domain, category ids, category names, blocked, threat
DOMAINS = (
    ('www.google.com', 'google.com', [40], ['Search Engines'], False, False),
    ('outlook.office365.com', 'office365.com', [51], ['Business'], False, False),
    ('e2c47.gcp.gvt2.com', 'gvt2.com', [40], ['Content Servers'], False, False),
    ('updates.dentrix.com', 'dentrix.com', [51], ['Business'], False, False),
    ('www.facebook.com', 'facebook.com', [56], ['Social Networking'], True, False),
    ('cdn.tiktokcdn.com', 'tiktokcdn.com', [56], ['Social Networking'], True, False),
    ('login.microsoftonline.com', 'microsoftonline.com', [51], ['Business'], False, False),
    ('x7k2.badcdn-mal.example', 'badcdn-mal.example', [2], ['Malware'], True, True),
    ('time.apple.com', 'apple.com', [40], ['Content Servers'], False, False),
    ('phish-login-verify.example', 'phish-login-verify.example', [38], ['Phishing & Deception'], True, True),
)
QUESTION_TYPES = ('A', 'A', 'A', 'AAAA', 'HTTPS')


def _period(agent: Agent) -> int:
    return 300 + zlib.crc32(agent.id.encode()) % 120


def _offset(agent: Agent) -> int:
    return zlib.crc32((agent.id + ':offset').encode()) % _period(agent)


def _millis(agent: Agent) -> int:
    """Each agent's queries land at its own millisecond, which keeps rows in one total order."""
    return zlib.crc32((agent.id + ':millis').encode()) % 1000


def _active_span(agent: Agent, start: datetime, end: datetime, now: datetime) -> tuple[int, int] | None:
    """Epoch seconds [first, last] in which the agent made queries within [start, end]."""
    last = min(end, now, agent.uninstalled_at or end)
    first = max(start, agent.created_at)
    if last < first:
        return None
    return math.ceil(first.timestamp()), math.floor(last.timestamp())


def _times_desc(agent: Agent, span: tuple[int, int]):
    period, offset = _period(agent), _offset(agent)
    first_k = math.ceil((span[0] - offset) / period)
    last_k = math.floor((span[1] - offset) / period)
    millis = _millis(agent)
    for k in range(last_k, first_k - 1, -1):
        yield (k * period + offset) * 1000 + millis, agent


def count(state: State, scope: list[Agent], start: datetime, end: datetime) -> int:
    now = state.now()
    total = 0
    for agent in scope:
        span = _active_span(agent, start, end, now)
        if span:
            period, offset = _period(agent), _offset(agent)
            total += max(0, math.floor((span[1] - offset) / period) - math.ceil((span[0] - offset) / period) + 1)
    return total


def rows(state: State, scope: list[Agent], start: datetime, end: datetime, skip: int, limit: int) -> list[dict]:
    """Rows newest first, skipping ``skip`` and returning at most ``limit``."""
    now = state.now()
    streams = []
    for agent in sorted(scope, key=lambda a: a.id):
        span = _active_span(agent, start, end, now)
        if span:
            streams.append(_times_desc(agent, span))
    merged = heapq.merge(*streams, key=lambda item: (-item[0], item[1].id))
    return [_row(state, agent, epoch_ms) for epoch_ms, agent in itertools.islice(merged, skip, skip + limit)]


def _row(state: State, agent: Agent, epoch_ms: int) -> dict:
    pick = random.Random(f'{agent.id}:{epoch_ms}')
    fqdn, domain, categories, names, blocked, threat = pick.choice(DOMAINS)
    network = state.networks.get(agent.network_id)
    policy = state.policies.get(agent.policy_id if agent.policy_id else network.policy_id if network else None)
    when = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return {
        'time': when.strftime('%Y-%m-%d %H:%M:%S.') + '%03d' % (when.microsecond // 1000),
        'fqdn': fqdn,
        'domain': domain,
        'networkid': agent.network_id,
        'network_name': network.name if network else '',
        'request_address': f'203.0.113.{zlib.crc32(str(agent.network_id).encode()) % 250 + 1}',
        'result': 'blocked' if blocked else 'allowed',
        'threat': threat,
        'categories': categories,
        'categories_names': names,
        'server_id': 20214,
        'server_address': '103.247.36.36',
        'server_name': 'sim-resolver-1',
        'method': 2 if blocked else 20,
        'method_name': 'Blocked Per Category' if blocked else 'Allowed Per Category',
        'responsetime': pick.randrange(1, 40),
        'agentid': agent.id,
        'agentname': agent.friendly_name or agent.hostname,
        'agenttype': 'agent',
        'agent_type_raw': agent.agent_type,
        'local_ipv4_address': f'10.20.{pick.randrange(1, 4)}.{pick.randrange(10, 250)}',
        'local_ipv6_address': None,
        'local_user_id': None,
        'local_user_login': (agent.current_user or {}).get('login'),
        'policy_id': policy.id if policy else None,
        'policy_name': policy.name if policy else None,
        'protocol': 'udp',
        'question_type': pick.choice(QUESTION_TYPES),
        'region': 'WAS',
    }

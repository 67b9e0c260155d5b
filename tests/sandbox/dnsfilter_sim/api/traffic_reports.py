"""Traffic report aggregates: totals over time and top lists, counted from the simulated query log.

Every figure is a count of the rows ``/v1/traffic_reports/query_logs`` returns for the same organisations,
window and filters, so a report and the query log export of an exit always agree. Every simulated query
comes from a Roaming Client: ``total_agents`` carries the counts, ``total_networks`` and ``total_proxies``
are 0, and ``source=networks`` or ``source=proxies`` selects nothing.

Judgements where the description is silent (docs/sandbox.md): only non-empty buckets are listed; ``to``
before ``from``, or a window over MAX_REPORT_DAYS, is a 400; top lists are ordered by total, descending, then by name; a User's queries are
those of the agents whose logged-in login is the User's ``user_login`` in the same organisation.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from .. import querylogs
from ..errors import ApiError
from .base import Reply, page_params, route
from .reports import _window_bound

# No limit is documented for these reports (GAP); the simulator counts generated rows one by one, so it refuses a
# window longer than a quarter, as the usage metric refuses one over a year.
MAX_REPORT_DAYS = 93
TOP_PAGE_SIZE = 10
TOP_MAX_PAGE_SIZE = 100
# fqdn, domain, category ids, category names, blocked, threat: the generator's list, indexed.
DOMAINS = querylogs.DOMAINS
_TALLIES: dict[tuple, Counter] = {}


def _agent_tally(agent, span: tuple[int, int]) -> Counter:
    """How many of the agent's queries in span went to each entry of DOMAINS (the row generator's first draw)."""
    key = (agent.id, span)
    tally = _TALLIES.get(key)
    if tally is None:
        tally = Counter()
        for epoch_ms, _agent in querylogs._times_desc(agent, span):
            tally[DOMAINS.index(random.Random(f'{agent.id}:{epoch_ms}').choice(DOMAINS))] += 1
        if len(_TALLIES) > 20000:
            _TALLIES.clear()
        _TALLIES[key] = tally
    return tally


def _bucket_tally(agent, span: tuple[int, int], seconds: int) -> Counter:
    """(bucket start epoch, DOMAINS index) -> count."""
    tally = Counter()
    for epoch_ms, _agent in querylogs._times_desc(agent, span):
        index = DOMAINS.index(random.Random(f'{agent.id}:{epoch_ms}').choice(DOMAINS))
        tally[(epoch_ms // 1000 // seconds * seconds, index)] += 1
    return tally


def _ids(value, what: str, cast=int) -> list:
    if value is None or str(value).strip() == '':
        return []
    try:
        return [cast(item.strip()) for item in str(value).split(',') if item.strip()]
    except ValueError:
        raise ApiError(400, f'{what} must be a comma separated list of ids') from None


class Report:
    """The organisations, agents, window and row filters one traffic report call covers."""

    def __init__(self, ctx):
        query = ctx.query
        self.ctx = ctx
        self.org_ids = ctx.scope(_ids(query.get('organization_ids'), 'organization_ids'), query.get('msp_id'))
        self.orgs = [ctx.state.orgs[org_id] for org_id in self.org_ids]
        self.end = _window_bound(query.get('to'), ctx.now)
        self.start = _window_bound(query.get('from'), self.end - timedelta(days=1))
        if self.end < self.start:
            raise ApiError(400, 'from must not be after to')
        if self.end - self.start > timedelta(days=MAX_REPORT_DAYS):
            raise ApiError(400, f'Maximum date range is {MAX_REPORT_DAYS} days')
        agents = [a for a in ctx.state.agents.values() if a.org_id in self.org_ids]
        agent_ids = set(_ids(query.get('agent_ids'), 'agent_ids', str))
        if agent_ids:
            agents = [a for a in agents if a.id in agent_ids]
        network_ids = set(_ids(query.get('network_ids'), 'network_ids'))
        if network_ids:
            agents = [a for a in agents if a.network_id in network_ids]
        agent_types = set(_ids(query.get('agent_types'), 'agent_types', str))
        if agent_types:
            agents = [a for a in agents if a.agent_type in agent_types]
        sources = set(_ids(query.get('source'), 'source', str)) - {'all'}
        if sources and 'agents' not in sources:
            agents = []  # every simulated query comes from a Roaming Client
        self.users = self._users()
        user_ids = set(_ids(query.get('user_ids'), 'user_ids'))
        if user_ids:
            agents = [a for a in agents if self.user_of(a) is not None and self.user_of(a).id in user_ids]
        self.agents = sorted(agents, key=lambda a: a.id)
        result = query.get('type') or 'all'
        security = query.get('security_report')
        security = {'true': True, 'false': False}.get(security, security) if isinstance(security, str) else security
        self.domain_ok = [
            (result == 'all' or (result == 'blocked') == entry[4]) and (security is None or security == 'all' or security == entry[5])
            for entry in DOMAINS]

    def _users(self) -> dict:
        users = {}
        for alu in sorted(self.ctx.state.alus.values(), key=lambda u: u.id):
            if alu.org_id in self.org_ids:
                users.setdefault((alu.org_id, alu.user_login.lower()), alu)
        return users

    def user_of(self, agent):
        login = (agent.current_user or {}).get('login')
        return self.users.get((agent.org_id, login.lower())) if login else None

    def spans(self):
        now = self.ctx.now
        for agent in self.agents:
            span = querylogs._active_span(agent, self.start, self.end, now)
            if span:
                yield agent, span

    def rows(self):
        """(agent, DOMAINS index, count) for every counted combination."""
        for agent, span in self.spans():
            for index, count in sorted(_agent_tally(agent, span).items()):
                if self.domain_ok[index]:
                    yield agent, index, count

    def envelope(self, **extra) -> dict:
        data = {'organization_ids': [org.id for org in self.orgs], 'organization_names': [org.name for org in self.orgs]}
        data.update(extra)
        return data

    def policies(self, agents) -> tuple[list[int], list[str]]:
        state = self.ctx.state
        found = {}
        for agent in agents:
            network = state.networks.get(agent.network_id)
            policy = state.policies.get(agent.policy_id if agent.policy_id else network.policy_id if network else None)
            if policy:
                found[policy.id] = policy.name
        ids = sorted(found)
        return ids, [found[i] for i in ids]


def _counts(total: int) -> dict:
    return {'total': total, 'total_networks': 0, 'total_proxies': 0, 'total_agents': total}


def _policy_fields(report: Report, agents) -> dict:
    ids, names = report.policies(agents)
    return {'policies': ids, 'policies_names': names, 'scheduled_policies': [], 'scheduled_policies_names': []}


def _bucket_seconds(report: Report) -> int:
    size = report.ctx.query.get('bucket_size') or 'auto'
    if size == '15min':
        return 900
    if size == '1day':
        return 86400
    if size != 'auto':
        raise ApiError(400, 'bucket_size must be one of auto, 15min, 1day')
    return 900 if report.end - report.start < timedelta(hours=24) else 86400


def _series(ctx, threats_only: bool) -> Reply:
    report = Report(ctx)
    if threats_only:
        report.domain_ok = [ok and entry[5] for ok, entry in zip(report.domain_ok, DOMAINS)]
    seconds = _bucket_seconds(report)
    by_network = bool(ctx.query.get('show_individual_networks'))
    tally: Counter = Counter()
    agents_in: dict = {}
    for agent, span in report.spans():
        for (bucket, index), count in _bucket_tally(agent, span, seconds).items():
            if report.domain_ok[index]:
                key = (agent.network_id if by_network else None, bucket)
                tally[key] += count
                agents_in.setdefault(key, {})[agent.id] = agent
    values = []
    for (network_id, bucket) in sorted(tally, key=lambda k: (k[1], k[0] or 0)):
        value = {'bucket': datetime.fromtimestamp(bucket, tz=timezone.utc).strftime('%Y-%m-%d %H:%M:%S')}
        if by_network:
            network = ctx.state.networks.get(network_id)
            value.update(network_id=network_id, network_name=network.name if network else '')
        value.update(_policy_fields(report, agents_in[(network_id, bucket)].values()))
        value.update(_counts(tally[(network_id, bucket)]))
        values.append(value)
    network_ids = sorted({k[0] for k in tally}) if by_network else []
    names = [ctx.state.networks[n].name if n in ctx.state.networks else '' for n in network_ids]
    return Reply(body={'data': report.envelope(network_ids=network_ids, network_names=names, values=values)})


@route('GET', '/v1/traffic_reports/total_requests')
def total_requests(ctx) -> Reply:
    return _series(ctx, threats_only=False)


@route('GET', '/v1/traffic_reports/total_threats')
def total_threats(ctx) -> Reply:
    return _series(ctx, threats_only=True)


def _top(ctx, report: Report, groups: dict, describe, sort_name, extra_lists=None) -> Reply:
    """groups: key -> {'total': n, 'agents': {id: agent}, ...}; describe(key, group) -> the value's own fields."""
    ordered = sorted(groups, key=lambda key: (-groups[key]['total'], sort_name(key)))
    number, size = page_params(ctx.query, TOP_PAGE_SIZE, TOP_MAX_PAGE_SIZE)
    chunk = ordered[(number - 1) * size:number * size]
    values = []
    for key in chunk:
        group = groups[key]
        value = describe(key, group)
        value.update(_policy_fields(report, group['agents'].values()))
        value.update(_counts(group['total']))
        values.append(value)
    total = len(ordered)
    last = max(1, math.ceil(total / size))
    page = {'size': size, 'total': total, 'first': 1, 'last': last, 'self': number,
            'prev': number - 1 if number > 1 else None, 'next': number + 1 if number < last else None}
    counted = sum(group['total'] for group in groups.values())
    extra = extra_lists(values) if extra_lists else {}
    return Reply(body={
        'meta': {'total_count': counted, 'total_count_networks': 0, 'total_count_proxies': 0, 'total_count_agents': counted},
        'data': report.envelope(**extra, values=values, page=page)})


def _group(groups: dict, key, agent, count: int, **attrs) -> None:
    group = groups.setdefault(key, {'total': 0, 'agents': {}, 'users': set(), 'networks': set(), 'allowed': set(), 'blocked': set()})
    group['total'] += count
    group['agents'][agent.id] = agent
    group['networks'].add(agent.network_id)
    for name, values in attrs.items():
        group[name].update(values)


def _who(report: Report, group: dict) -> dict:
    """Who made a top list entry's requests: ids, and their names as the samples add them (``*_names``)."""
    state = report.ctx.state
    orgs = sorted({a.org_id for a in group['agents'].values()})
    networks = sorted(group['networks'])
    agents = sorted(group['agents'])
    users = [state.alus[i] for i in sorted(group['users']) if i in state.alus]
    return {
        'organizations': orgs, 'organizations_names': [state.orgs[i].name for i in orgs],
        'networks': networks, 'networks_names': [state.networks[i].name if i in state.networks else '' for i in networks],
        'agents': agents,
        'agents_names': [group['agents'][i].friendly_name or group['agents'][i].hostname for i in agents],
        'collections': [], 'collections_names': [],
        'users': [u.id for u in users], 'users_names': [u.friendly_name or u.user_name or u.user_login for u in users],
        'users_logins': [u.user_login for u in users],
    }


@route('GET', '/v1/traffic_reports/top_domains')
def top_domains(ctx) -> Reply:
    report = Report(ctx)
    prefix = (ctx.query.get('domain') or '').lower()
    contains = (ctx.query.get('fqdn') or '').lower()
    categories = set(_ids(ctx.query.get('category_ids'), 'category_ids'))
    groups: dict = {}
    for agent, index, count in report.rows():
        fqdn, domain, category_ids, _names, blocked, _threat = DOMAINS[index]
        if not domain.startswith(prefix) or contains not in fqdn or (categories and not categories & set(category_ids)):
            continue
        user = report.user_of(agent)
        _group(groups, domain, agent, count, users={user.id} if user else set(),
               **{'blocked' if blocked else 'allowed': set(zip(category_ids, _names))})

    def describe(domain, group):
        blocked = sorted(group['blocked'])
        allowed = sorted(group['allowed'])
        methods = sorted(({2} if blocked else set()) | ({20} if allowed else set()))
        return {
            'domain': domain,
            'allowed': [pair[0] for pair in allowed], 'allowed_names': [pair[1] for pair in allowed],
            'blocked': [pair[0] for pair in blocked], 'blocked_names': [pair[1] for pair in blocked],
            'methods': methods,
            'methods_names': ['Blocked Per Category' if m == 2 else 'Allowed Per Category' for m in methods],
            **_who(report, group),
        }
    return _top(ctx, report, groups, describe, lambda domain: domain)


@route('GET', '/v1/traffic_reports/top_categories')
def top_categories(ctx) -> Reply:
    report = Report(ctx)
    contains = (ctx.query.get('name') or '').lower()
    groups: dict = {}
    names: dict = {}
    for agent, index, count in report.rows():
        _fqdn, _domain, category_ids, category_names, blocked, _threat = DOMAINS[index]
        user = report.user_of(agent)
        for category_id, name in zip(category_ids, category_names):
            if contains in name.lower():
                names[category_id] = name
                _group(groups, category_id, agent, count, users={user.id} if user else set(),
                       **{'blocked' if blocked else 'allowed': {category_id}})

    def describe(category_id, group):
        methods = sorted(({2} if group['blocked'] else set()) | ({20} if group['allowed'] else set()))
        return {
            'categoryid': category_id, 'category_id': category_id, 'category_name': names[category_id],
            'methods': methods,
            'methods_names': ['Blocked Per Category' if m == 2 else 'Allowed Per Category' for m in methods],
            **_who(report, group),
        }
    reply = _top(ctx, report, groups, describe, lambda category_id: names[category_id])
    # As in the sample: the rows counted, and the sum over categories (a row in two categories counts twice).
    rows = sum(count for _agent, _index, count in report.rows())
    reply.body['meta'] = {'total_count': rows, 'total_categories_sum': sum(g['total'] for g in groups.values())}
    return reply


@route('GET', '/v1/traffic_reports/top_users')
def top_users(ctx) -> Reply:
    report = Report(ctx)
    contains = (ctx.query.get('name') or '').lower()
    groups: dict = {}
    users: dict = {}
    for agent, _index, count in report.rows():
        user = report.user_of(agent)
        if user is None or contains not in (user.friendly_name or user.user_name or user.user_login).lower():
            continue
        users[user.id] = user
        _group(groups, user.id, agent, count)

    def name_of(user):
        return user.friendly_name or user.user_name or user.user_login

    def describe(user_id, _group_):
        user = users[user_id]
        return {'user_id': user.id, 'user_name': name_of(user), 'user_login': user.user_login}

    def lists(values):
        return {'user_ids': [v['user_id'] for v in values], 'user_names': [v['user_name'] for v in values],
                'user_logins': [v['user_login'] for v in values]}
    return _top(ctx, report, groups, describe, lambda user_id: name_of(users[user_id]).lower(), lists)


@route('GET', '/v1/traffic_reports/top_agents')
def top_agents(ctx) -> Reply:
    report = Report(ctx)
    contains = (ctx.query.get('name') or '').lower()
    groups: dict = {}
    agents: dict = {}
    for agent, _index, count in report.rows():
        name = agent.friendly_name or agent.hostname
        if contains not in name.lower():
            continue
        agents[agent.id] = agent
        _group(groups, agent.id, agent, count)

    def describe(agent_id, _group_):
        agent = agents[agent_id]
        return {'agent_id': agent.id, 'agent_type': agent.agent_type, 'agent_name': agent.friendly_name or agent.hostname}

    def lists(values):
        return {'agent_ids': [v['agent_id'] for v in values], 'agent_names': [v['agent_name'] for v in values]}
    return _top(ctx, report, groups, describe, lambda agent_id: (agents[agent_id].friendly_name or agents[agent_id].hostname).lower() + agent_id, lists)

"""Evidence a customer keeps: scheduled reports, query logs and usage."""
from __future__ import annotations

import math
from datetime import datetime, time, timedelta, timezone

from .. import querylogs
from ..errors import ApiError
from ..state import ScheduledReport
from .base import Reply, page_params, resource, route

# Query logs: "page[size] (defaults to 10, maximum 100)" (SPEC). We judge a larger size is clamped to
# 100, the way the API defaults an unusable one, rather than refused.
QUERY_LOG_PAGE_SIZE = 10
QUERY_LOG_MAX_PAGE_SIZE = 100
MAX_USAGE_DAYS = 365


def report_resource(ctx, report: ScheduledReport) -> dict:
    org = ctx.state.orgs[report.org_id]
    return resource('scheduled_reports', report, {
        'organization_id': report.org_id,
        'frequency': report.frequency,
        'day_of_week': report.day_of_week,
        'include_threat_summary': report.include_threat_summary,
        'include_content_category_summary': report.include_content_category_summary,
        'content_categories_show_count': 'top10',
        'send_to_dashboard_users': report.send_to_dashboard_users,
        'scheduled_report_recipients': [{'email': email, 'organization': {'id': str(org.id), 'name': org.name}}
                                        for email in report.recipients],
        'selected_sub_orgs': list(report.selected_sub_orgs),
    })


@route('GET', '/v1/scheduled_reports')
def list_reports(ctx) -> Reply:
    org_id = ctx.query['organization_id']
    ctx.access.require_read(org_id)
    reports = sorted((r for r in ctx.state.scheduled_reports.values() if r.org_id == org_id), key=lambda r: r.id)
    return Reply(body={'data': [report_resource(ctx, r) for r in reports]})


def _report(ctx) -> ScheduledReport:
    return ctx.visible(ctx.state.scheduled_reports.get(ctx.path['id']), 'scheduled report')


@route('GET', '/v1/scheduled_reports/{id}')
def show_report(ctx) -> Reply:
    return Reply(body={'data': report_resource(ctx, _report(ctx))})


@route('DELETE', '/v1/scheduled_reports/{id}')
def delete_report(ctx) -> Reply:
    """Answers 200 with the deleted report, as the description documents."""
    report = _report(ctx)
    ctx.access.require_write(report.org_id)
    del ctx.state.scheduled_reports[report.id]
    return Reply(body={'data': report_resource(ctx, report)})


def _window_bound(value: str | None, default: datetime) -> datetime:
    """``YYYY-MM-DDThh:mm:ss[Z]`` in UTC; anything else means the default (SPEC: "or if format is not recognized")."""
    if value:
        for pattern in ('%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S'):
            try:
                return datetime.strptime(value, pattern).replace(tzinfo=timezone.utc)
            except ValueError:
                continue
    return default


def _csv_values(value) -> set[str]:
    return {item.strip() for item in str(value).split(',') if item.strip()} if value else set()


@route('GET', '/v1/traffic_reports/query_logs')
def query_logs(ctx) -> Reply:
    query = ctx.query
    org_ids = ctx.scope([query['organization_id']] if query.get('organization_id') is not None else None)
    now = ctx.now
    end = _window_bound(query.get('to'), now)
    start = _window_bound(query.get('from'), end - timedelta(days=1))
    scope = [a for a in ctx.state.agents.values() if a.org_id in org_ids]
    agent_ids = _csv_values(query.get('agent_ids')) | _csv_values(query.get('agent_id'))
    if agent_ids:
        scope = [a for a in scope if a.id in agent_ids]
    network_ids = _csv_values(query.get('network_ids')) | _csv_values(query.get('network_id'))
    if network_ids:
        scope = [a for a in scope if str(a.network_id) in network_ids]
    if query.get('source') in ('networks', 'proxies'):
        scope = []  # every simulated query comes from a Roaming Client
    number, size = page_params(query, QUERY_LOG_PAGE_SIZE, QUERY_LOG_MAX_PAGE_SIZE)
    result = query.get('result', 'all')
    if result == 'all':
        total = querylogs.count(ctx.state, scope, start, end)
        values = querylogs.rows(ctx.state, scope, start, end, (number - 1) * size, size)
    else:
        # Filtering by result needs the rows themselves; the windows the collection asks for are small.
        every = querylogs.rows(ctx.state, scope, start, end, 0, querylogs.count(ctx.state, scope, start, end))
        matching = [row for row in every if row['result'] == result]
        total, values = len(matching), matching[(number - 1) * size:number * size]
    last = max(1, math.ceil(total / size))
    orgs = [ctx.state.orgs[org_id] for org_id in org_ids]
    return Reply(body={'data': {
        'organization_ids': [org.id for org in orgs],
        'organization_names': [org.name for org in orgs],
        'network_ids': [],
        'user_ids': [],
        'collection_ids': [],
        'values': values,
        'page': {'size': size, 'total': total, 'first': 1, 'last': last, 'self': number,
                 'prev': number - 1 if number > 1 else None, 'next': number + 1 if number < last else None},
    }})


@route('GET', '/v1/metrics/organization_usage/{id}')
def organization_usage(ctx) -> Reply:
    """As in the ``metrics/org-usage`` sample; ``total_requests`` counts the simulated query log."""
    org = ctx.visible(ctx.state.live_org(ctx.path['id']), 'organization', org_attr='id')
    first, last = ctx.query['from'], ctx.query['to']
    days = (last - first).days + 1
    if days < 1:
        raise ApiError(400, 'to must not be before from')
    if days > MAX_USAGE_DAYS:
        raise ApiError(400, f'Maximum date range is {MAX_USAGE_DAYS} days')
    start = datetime.combine(first, time.min, tzinfo=timezone.utc)
    end = datetime.combine(last, time.max, tzinfo=timezone.utc)
    agents = [a for a in ctx.state.agents.values() if a.org_id == org.id]
    users = [u for u in ctx.state.alus.values() if u.org_id == org.id and u.last_seen >= start and u.first_seen <= end]
    return Reply(body={
        'data': {
            'organization_id': org.id,
            'plan': org.sku or 'undeclared',
            'term': 'monthly',
            'user_count': len(users),
            'wifi_count': sum(1 for n in ctx.state.networks.values() if n.org_id == org.id and n.deleted_at is None),
            'total_requests': querylogs.count(ctx.state, agents, start, end),
            'estimated_users': len(users),
            'from': first.isoformat(),
            'to': last.isoformat(),
            'days_in_period': days,
        },
        'meta': {'queries_per_user': 6000},
    })

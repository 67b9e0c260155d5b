# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Scheduled reports (listing per organisation, with recipients and who among them is outside) and traffic report snapshots."""

from __future__ import annotations

import datetime

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._policies import by_id, sorted_values
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import parse_time


def normalize_mail_domain(value):
    return str(value or '').strip().lstrip('@').rstrip('.').lower()


def is_internal(address, internal_domains):
    """True when the address's domain is one of internal_domains or a subdomain of one."""
    address = str(address or '').strip().lower()
    if '@' not in address:
        return False
    domain = normalize_mail_domain(address.rsplit('@', 1)[1])
    return any(domain == d or domain.endswith('.' + d) for d in internal_domains)


def report_view(resource, internal_domains=None):
    flat = flatten(resource)
    entries = [r for r in flat.get('scheduled_report_recipients') or [] if isinstance(r, dict)]
    entries.sort(key=lambda r: str(r.get('email') or '').strip().lower())
    flat['scheduled_report_recipients'] = entries
    flat['recipients'] = sorted({str(r['email']).strip() for r in entries if r.get('email')}, key=str.lower)
    flat['selected_sub_orgs'] = sorted_values(flat.get('selected_sub_orgs'))
    if internal_domains is not None:
        flat['external_recipients'] = [e for e in flat['recipients'] if not is_internal(e, internal_domains)]
    return flat


def list_reports(mod, org_id, internal_domains=None):
    """The organisation's scheduled reports, sorted by id.

    One GET: the endpoint documents no paging parameters and answers the whole list.
    """
    body = mod.client.get('/v1/scheduled_reports', params={'organization_id': org_id}) or {}
    items = body.get('data') if isinstance(body, dict) else body
    domains = None if internal_domains is None else [normalize_mail_domain(d) for d in internal_domains if normalize_mail_domain(d)]
    return by_id([report_view(r, domains) for r in items or [] if isinstance(r, dict)])


def summary(report):
    keys = ('id', 'organization_id', 'frequency', 'day_of_week', 'send_to_dashboard_users', 'recipients')
    return {k: report.get(k) for k in keys}


# --- Traffic report snapshots ----------------------------------------------------------------------

# What a snapshot can hold; each section is one file of an exit's before/reports/.
SECTIONS = ('totals', 'domains', 'threats', 'users', 'roaming_clients')
TOP_PAGE_MAX = 100  # the traffic report top lists: "size (defaults to 10, maximum 100)"
SNAPSHOT_FORMAT = 1
# The query-data window's options (doc fragment msp.dnsfilter.window), the same in every module that reads one.
WINDOW_SPEC = dict(start=dict(type='str'), end=dict(type='str'), days=dict(type='int', default=7))


def utc_text(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def report_window(start=None, end=None, days=7, now=None):
    """(from, to) as the API's UTC text.

    Without start/end: the ``days`` whole UTC days before today, the window the exit playbooks export the query log
    for. Raises ValueError for a window that ends before it starts or a day count below 1.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    midnight = now.astimezone(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if days is None or days < 1:
        raise ValueError('days must be at least 1')
    last = parse_time(end) if end else midnight
    first = parse_time(start) if start else last - datetime.timedelta(days=days)
    if first >= last:
        raise ValueError('The window must end after it starts (from %s, to %s).' % (utc_text(first), utc_text(last)))
    return utc_text(first), utc_text(last)


def report_query(org_id, window, network_ids=None, **extra):
    query = {'organization_ids': str(org_id), 'from': window[0], 'to': window[1]}
    if network_ids:
        query['network_ids'] = ','.join(str(i) for i in sorted(network_ids))
    query.update(extra)
    return query


def _data(body):
    data = body.get('data') if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def series_total(client, name, query):
    """Sum of a totals-over-time report, and its buckets as {bucket: total}."""
    values = _data(client.get('/v1/traffic_reports/%s' % name, params=dict(query, bucket_size='1day'))).get('values') or []
    buckets = {}
    for value in values:
        if isinstance(value, dict):
            buckets[str(value.get('bucket'))] = buckets.get(str(value.get('bucket')), 0) + int(value.get('total') or 0)
    return sum(buckets.values()), buckets


def top_list(client, name, query, limit=None):
    """A top list's values, in the API's order, following its pages up to limit entries (None: all of them)."""
    values, number = [], 1
    size = TOP_PAGE_MAX if limit is None else max(1, min(TOP_PAGE_MAX, limit))
    while True:
        data = _data(client.get('/v1/traffic_reports/%s' % name, params=dict(query, page={'number': number, 'size': size})))
        chunk = [v for v in data.get('values') or [] if isinstance(v, dict)]
        values += chunk
        page = data.get('page') or {}
        if limit is not None and len(values) >= limit:
            return values[:limit]
        if not chunk or not page.get('next') or page.get('next') <= number:
            return values
        number += 1


def traffic_section(client, section, org_id, window, network_ids=None, top=25):
    """One section of a traffic report snapshot, as a dict of lists and totals (DNSFilter's values, unchanged)."""
    query = report_query(org_id, window, network_ids)
    if section == 'totals':
        requests, by_day = series_total(client, 'total_requests', query)
        blocked, blocked_by_day = series_total(client, 'total_requests', dict(query, type='blocked'))
        threats, threats_by_day = series_total(client, 'total_threats', query)
        days = [{'bucket': day, 'requests': by_day.get(day, 0), 'blocked': blocked_by_day.get(day, 0),
                 'threats': threats_by_day.get(day, 0)} for day in sorted(set(by_day) | set(blocked_by_day) | set(threats_by_day))]
        return {'totals': {'requests': requests, 'blocked': blocked, 'threats': threats, 'days': days}}
    if section == 'domains':
        return {'top_domains': top_list(client, 'top_domains', query, top),
                'blocked_domains': top_list(client, 'top_domains', dict(query, type='blocked'), top)}
    if section == 'threats':
        return {'threat_domains': top_list(client, 'top_domains', dict(query, security_report='true'), top),
                'threat_categories': top_list(client, 'top_categories', dict(query, security_report='true'), top),
                'blocked_categories': top_list(client, 'top_categories', dict(query, type='blocked'), top)}
    if section == 'users':
        return {'users': top_list(client, 'top_users', query)}
    if section == 'roaming_clients':
        return {'roaming_clients': top_list(client, 'top_agents', query)}
    raise ValueError('unknown section %s' % section)


def snapshot_options(org_id, window, network_ids, sections, top):
    """What identifies a snapshot: a file with the same options is the same snapshot."""
    return {'format': SNAPSHOT_FORMAT, 'organization_id': org_id, 'from': window[0], 'to': window[1],
            'network_ids': sorted(network_ids or []), 'sections': [s for s in SECTIONS if s in sections], 'top': top}


def traffic_snapshot(client, options):
    """The snapshot for options (see snapshot_options): the options, then each section's keys."""
    snapshot = {'options': options}
    window = (options['from'], options['to'])
    for section in options['sections']:
        snapshot.update(traffic_section(client, section, options['organization_id'], window, options['network_ids'],
                                        options['top']))
    return snapshot

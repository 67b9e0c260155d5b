# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Scheduled reports: listing per organisation, with recipients and who among them is outside."""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._policies import by_id, sorted_values


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

# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Policies (allow and block lists) and block pages: listing per organisation, stable views, selection.

The views are meant to be compared: a playbook takes one snapshot at the start of an exit and one at
the end, and any difference is drift. So every list is sorted, domains are normalised, and attributes
that depend on who asks (C(can_edit)) rather than on the object are left out.
"""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import choose

# The API's names for the two domain lists.
LIST_ATTRIBUTES = {'allow': 'whitelist_domains', 'block': 'blacklist_domains'}
NOTE_ATTRIBUTES = {'allow': 'allow_notes', 'block': 'block_notes'}
# Per-caller, not per-object: would show as drift when two different keys take the snapshots.
CALLER_ATTRIBUTES = ('can_edit',)

ORG_SELECTION_SPEC = dict(
    organization_id=dict(type='int', required=True),
    ids=dict(type='list', elements='int'),
    names=dict(type='list', elements='str'),
)


def normalize_domain(value):
    """A domain as DNSFilter compares it: no surrounding whitespace, no trailing dot, lower case."""
    return str(value if value is not None else '').strip().rstrip('.').strip().lower()


def sorted_domains(values):
    """Normalised, unique and sorted; a null list (the API's answer for a never-used list) is empty."""
    return sorted({normalize_domain(v) for v in values or [] if normalize_domain(v)})


def _sort_key(value):
    text = str(value)
    return (0, int(text), text) if text.isdigit() else (1, 0, text)


def sorted_values(values):
    return sorted(values or [], key=_sort_key)


def related_ids(resource, name):
    """The ids of a to-many relationship, sorted (empty when the API leaves it out)."""
    rel = ((resource or {}).get('relationships') or {}).get(name) or {}
    data = rel.get('data') if isinstance(rel, dict) else None
    if not isinstance(data, list):
        return []
    return sorted_values(str(item.get('id')) for item in data if isinstance(item, dict) and item.get('id') is not None)


def policy_view(resource):
    """A policy as the modules return it: flat, lists sorted, domains normalised."""
    flat = flatten(resource)
    for attr in LIST_ATTRIBUTES.values():
        flat[attr] = sorted_domains(flat.get(attr))
    flat['blacklist_categories'] = sorted_values(flat.get('blacklist_categories'))
    for attr in ('allow_applications', 'block_applications'):
        if isinstance(flat.get(attr), list):
            flat[attr] = sorted_values(flat[attr])
    for attr in NOTE_ATTRIBUTES.values():
        if flat.get(attr) is None:
            flat[attr] = {}
    flat['is_global_policy'] = bool(flat.get('is_global_policy'))
    flat['network_ids'] = related_ids(resource, 'networks')
    for attr in CALLER_ATTRIBUTES:
        flat.pop(attr, None)
    return flat


def block_page_view(resource):
    flat = flatten(resource)
    flat['network_ids'] = related_ids(resource, 'networks')
    for attr in CALLER_ATTRIBUTES:
        flat.pop(attr, None)
    return flat


def by_id(items):
    return sorted(items, key=lambda item: _sort_key(item.get('id')))


def list_policies(mod, org_id, include_global=False):
    """The organisation's policies (and, with include_global, its MSP's global policies), sorted by id.

    Returns (views, raw resources by id): the raw lists are needed to remove an entry exactly as stored.
    """
    params = {'organization_id': org_id}
    if include_global:
        params['include_global_policies'] = True
    raw = {}
    views = []
    for resource in mod.client.paginate('/v1/policies', params=params):
        view = policy_view(resource)
        raw[str(view['id'])] = resource
        views.append(view)
    return by_id(views), raw


def list_block_pages(mod, org_id):
    return by_id([block_page_view(p) for p in mod.client.paginate('/v1/block_pages', params={'organization_id': org_id})])


def select(mod, items, org_id, ids=None, names=None, what='policy', id_option='ids', hint=''):
    """The items chosen by id and by exact name, sorted by id; with neither, all of them (_selection.choose).

    An unknown id or name fails; a name shared by several items, or with a look-alike, fails and lists their ids.
    """
    return by_id(choose(mod, items, ids, names, what=what, where='of organisation %s' % org_id, id_option=id_option, hint=hint))

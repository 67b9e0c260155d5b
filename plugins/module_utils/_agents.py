# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Roaming Clients (user agents): listing, selecting, and what the API says about each one's removal.

How DNSFilter shows an agent's removal (API description and recorded responses):
- ``DELETE /v1/user_agents/{id}?queue_uninstall=true`` ("Delete & Uninstall") queues the uninstall. The description
  documents how to find it - the list's ``status=uninstall_queued`` and ``status=uninstalling`` filters - and the
  ``status`` values ``uninstalled`` / ``uninstalled_from_client`` for an agent that is gone from its device. It does
  not say what else the record shows (``uninstall_queued_at`` is in the recorded samples, always null), whether an
  ``uninstalling`` phase is ever shown, when the agent acts, or what an agent that cannot uninstall reports. So the
  removal state is read from those documented filters and statuses only, never from other attributes or status codes.
- Without ``queue_uninstall`` the record is only (soft) deleted, and a live agent re-registers with its site key at
  its next check-in: the record comes back. So a record is deleted only once the agent is uninstalled, or its device
  is confirmed gone.
- Not every agent can uninstall remotely (``/v1/user_agent_bulk_deletes/counts`` separates ``uninstall_and_delete``
  from ``delete``); a bulk delete with ``queue_uninstall`` only deletes the record of one that cannot. The first
  versions that can are not published: the defaults below are the runbook's "Windows Roaming Client 2.0.1+" and, for
  macOS, the System Extension generation (2.0.0), and are options of the modules.
"""

from __future__ import annotations

import re

from ansible_collections.msp.dnsfilter.plugins.module_utils._identity import FOLD, Ambiguous, clean, folded, resolve
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import parse_time

UNINSTALLED = frozenset(('uninstalled', 'uninstalled_from_client'))
# The list filters of GET /v1/user_agents that find a queued uninstall, by the removal state each stands for.
PHASE_FILTERS = (('queued', 'uninstall_queued'), ('uninstalling', 'uninstalling'))
DEFAULT_MIN_VERSIONS = {'windows': '2.0.1', 'macos': '2.0.0'}

AGENT_SELECT_SPEC = dict(
    organization_id=dict(type='int'),
    organization_ids=dict(type='list', elements='int'),
    ids=dict(type='list', elements='str'),
    hostnames=dict(type='list', elements='str'),
    devices=dict(type='list', elements='raw'),
    network_ids=dict(type='list', elements='int'),
    tags=dict(type='list', elements='str'),
    agent_types=dict(type='list', elements='str'),
    last_sync_before=dict(type='str'),
    remote_uninstall_min_versions=dict(type='dict', default=DEFAULT_MIN_VERSIONS),
)

SUMMARY_KEYS = ('id', 'organization_id', 'hostname', 'friendly_name', 'agent_type', 'agent_version', 'status', 'agent_state', 'last_sync',
                'network_id', 'network_name', 'uninstall_queued_at', 'uninstalled_at', 'status_code', 'status_message', 'asset_id')


def version_tuple(version):
    return tuple(int(part) for part in re.findall(r'\d+', str(version or ''))[:4])


def remote_uninstall_supported(agent, min_versions):
    """Whether DNSFilter can uninstall the agent remotely: its type and version against the first versions that can.

    What an agent that cannot reports when queued anyway is not documented, so no status code or message is read.
    """
    since = (min_versions or {}).get(agent.get('agent_type'))
    if since is None:
        return False
    return version_tuple(agent.get('agent_version')) >= version_tuple(since)


def removal_state(agent):
    """'uninstalled', 'uninstalling', 'queued' or 'installed': the documented status, else the phase filter that
    found the agent (``_phase``, set by list_agents)."""
    if agent.get('status') in UNINSTALLED:
        return 'uninstalled'
    if agent.get('_phase') in ('queued', 'uninstalling'):
        return agent['_phase']
    return 'installed'


def summary(agent):
    out = {k: agent.get(k) for k in SUMMARY_KEYS}
    out['removal_state'] = removal_state(agent)
    out['remote_uninstall_supported'] = agent.get('remote_uninstall_supported')
    return out


AGENT_SELECT_RULES = dict(mutually_exclusive=[('organization_id', 'organization_ids')],
                          required_one_of=[('organization_id', 'organization_ids')])


def organization_scope(params):
    return [params['organization_id']] if params.get('organization_id') is not None else list(params.get('organization_ids') or [])


def list_agents(mod):
    """The organisations' Roaming Clients that the module's selectors choose, with removal facts added.

    Listed one organisation at a time (an agent's attributes do not name its organisation), each time with the two
    status filters that find queued and picked-up uninstalls: the record itself need not show either. An agent only a
    filter finds (a queued record the plain list no longer shows) is listed too.
    """
    params = mod.params
    agents = []
    for org_id in organization_scope(params):
        scope = {'organization_ids': [org_id]}
        if params.get('network_ids'):
            scope['network_ids'] = params['network_ids']
        listed = dict((str(a['id']), dict(flatten(a), organization_id=org_id, _phase=None))
                      for a in mod.client.paginate('/v1/user_agents', params=scope))
        for phase, status in PHASE_FILTERS:
            for raw in mod.client.paginate('/v1/user_agents', params=dict(scope, status=status)):
                agent = listed.setdefault(str(raw['id']), dict(flatten(raw), organization_id=org_id))
                agent['_phase'] = phase
        agents.extend(listed.values())
    for agent in agents:
        agent['remote_uninstall_supported'] = remote_uninstall_supported(agent, params['remote_uninstall_min_versions'])
    return choose_agents(mod, agents, params), agents


def choose_agents(mod, agents, params):
    """The agents the selectors choose: the filters (sites, tags, types, last check-in) make the pool; the names (ids,
    hostnames, devices) pick from it, each exactly; with no names, the whole pool."""
    pool = filtered(agents, params)
    if not (params.get('ids') or params.get('hostnames') or params.get('devices')):
        return pool
    chosen = {}
    for ident in params.get('ids') or []:
        match = [a for a in pool if str(a['id']).casefold() == clean(ident).casefold()]
        if not match:
            mod.warnings.append('No Roaming Client of the organisation(s) chosen has the id %r.' % clean(ident))
        for agent in match:
            chosen[str(agent['id'])] = agent
    for agent in select_by_name(mod, pool, params) + resolve_devices(mod, pool, params.get('devices'), what='devices'):
        chosen[str(agent['id'])] = agent
    return [a for a in pool if str(a['id']) in chosen]


def filtered(agents, params):
    """The agents the filters keep (tags, types, last check-in; the site filter is the API's)."""
    tags = set(params.get('tags') or [])
    types = set(params.get('agent_types') or [])
    before = parse_time(params.get('last_sync_before'))
    kept = []
    for agent in agents:
        if tags and not tags & set(agent.get('tags') or []):
            continue
        if types and agent.get('agent_type') not in types:
            continue
        synced = parse_time(agent.get('last_sync'))
        if before is not None and synced is not None and synced >= before:
            continue
        kept.append(agent)
    return kept


def describe(agent):
    """An agent as a refusal lists it: enough to tell a re-imaged device's two records apart."""
    return '%s (agent id %s, %s %s, %s, last seen %s%s)' % (
        agent.get('hostname'), agent.get('id'), agent.get('agent_type'), agent.get('agent_version'), removal_state(agent),
        agent.get('last_sync') or 'never', ', organisation %s' % agent['organization_id'] if agent.get('organization_id') else '')


def _refuse(mod, exc, option):
    mod.fail('%s Name the agent by id instead (%s), or narrow the choice with last_sync_before or agent_version. '
             'Nothing was changed.' % (exc, option),
             candidates=[summary(a) for a in exc.candidates])


def select_by_name(mod, agents, params):
    """The one agent each hostname selects among the filtered agents; a hostname of two records is refused."""
    chosen = []
    for hostname in params.get('hostnames') or []:
        try:
            agent = resolve(hostname, agents, key=lambda a: a.get('hostname'), what='hostname', mode=FOLD,
                            describe=describe, ident=lambda a: str(a['id']))
        except Ambiguous as exc:
            _refuse(mod, exc, 'ids')
        if agent is None:
            mod.warnings.append('No Roaming Client of the organisation(s) chosen has the hostname %r.' % clean(hostname))
            continue
        chosen.append(agent)
    return chosen


UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
DEVICE_KEYS = ('agent_id', 'hostname', 'last_seen_before', 'agent_version', 'asset_id')


def device_entry(entry):
    """A device as a person names it: an agent id, a hostname, or a dict of agent_id or hostname and narrowing facts."""
    if isinstance(entry, dict):
        unknown = sorted(set(entry) - set(DEVICE_KEYS))
        if unknown:
            raise ValueError('unknown key(s) %s (known: %s)' % (', '.join(unknown), ', '.join(DEVICE_KEYS)))
        if not (entry.get('agent_id') or entry.get('hostname')):
            raise ValueError('give agent_id or hostname')
        return dict((k, entry.get(k)) for k in DEVICE_KEYS)
    text = clean(entry)
    if not text:
        raise ValueError('empty')
    if UUID.match(text):
        return dict.fromkeys(DEVICE_KEYS, None) | {'agent_id': text}
    return dict.fromkeys(DEVICE_KEYS, None) | {'hostname': text}


def resolve_devices(mod, agents, entries, what):
    """The agent each device entry names, exactly one each; an ambiguous or malformed entry fails, none found warns.

    An agent id selects its record. A hostname selects the one record with it, among the records the entry's
    last_seen_before and agent_version leave; two records of one hostname (a re-imaged device) are refused.
    """
    chosen = []
    for index, raw in enumerate(entries or []):
        try:
            entry = device_entry(raw)
        except ValueError as exc:
            mod.fail('%s[%d] is not a device (an agent id, a hostname, or a dict with agent_id or hostname): %s. '
                     'Nothing was changed.' % (what, index, exc))
        if entry['agent_id']:
            match = [a for a in agents if str(a['id']).casefold() == entry['agent_id'].casefold()]
            if match and entry['hostname'] and folded(match[0].get('hostname')) != folded(entry['hostname']):
                mod.fail('%s[%d]: agent %s is %s, not %r. Nothing was changed.'
                         % (what, index, entry['agent_id'], describe(match[0]), entry['hostname']))
            agent = match[0] if match else None
        else:
            pool = narrowed(agents, entry)
            try:
                agent = resolve(entry['hostname'], pool, key=lambda a: a.get('hostname'), what='hostname', mode=FOLD,
                                describe=describe, ident=lambda a: str(a['id']))
            except Ambiguous as exc:
                _refuse(mod, exc, '%s[%d].agent_id' % (what, index))
        if agent is None:
            mod.warnings.append('%s[%d] (%s) matches no Roaming Client of the organisation(s) chosen.'
                                % (what, index, entry['agent_id'] or entry['hostname']))
            continue
        if entry['asset_id']:
            agent['asset_id'] = entry['asset_id']
        chosen.append(agent)
    return chosen


def narrowed(agents, entry):
    before = parse_time(entry.get('last_seen_before'))
    kept = []
    for agent in agents:
        synced = parse_time(agent.get('last_sync'))
        if before is not None and synced is not None and synced >= before:
            continue
        if entry.get('agent_version') and str(agent.get('agent_version')) != str(entry['agent_version']).strip():
            continue
        kept.append(agent)
    return kept

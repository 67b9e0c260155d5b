# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Roaming Clients (user agents): listing, selecting, and what the API says about each one's removal.

How DNSFilter shows an agent's removal (API description and recorded responses):
- ``DELETE /v1/user_agents/{id}?queue_uninstall=true`` ("Delete & Uninstall") queues the uninstall: the record
  stays, ``uninstall_queued_at`` is set, and the list's ``status=uninstall_queued`` / ``uninstalling`` filters find it;
  the live agent uninstalls at its next check-in and then shows ``status: uninstalled``.
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

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import folded, parse_time

UNINSTALLED = frozenset(('uninstalled', 'uninstalled_from_client'))
UNSUPPORTED_CODE = 'remote_uninstall_unsupported'
DEFAULT_MIN_VERSIONS = {'windows': '2.0.1', 'macos': '2.0.0'}

AGENT_SELECT_SPEC = dict(
    organization_id=dict(type='int'),
    organization_ids=dict(type='list', elements='int'),
    ids=dict(type='list', elements='str'),
    hostnames=dict(type='list', elements='str'),
    network_ids=dict(type='list', elements='int'),
    tags=dict(type='list', elements='str'),
    agent_types=dict(type='list', elements='str'),
    last_sync_before=dict(type='str'),
    remote_uninstall_min_versions=dict(type='dict', default=DEFAULT_MIN_VERSIONS),
)

SUMMARY_KEYS = ('id', 'organization_id', 'hostname', 'friendly_name', 'agent_type', 'agent_version', 'status', 'agent_state', 'last_sync',
                'network_id', 'network_name', 'uninstall_queued_at', 'uninstalled_at', 'status_code', 'status_message')


def version_tuple(version):
    return tuple(int(part) for part in re.findall(r'\d+', str(version or ''))[:4])


def remote_uninstall_supported(agent, min_versions):
    since = (min_versions or {}).get(agent.get('agent_type'))
    if since is None or agent.get('status_code') == UNSUPPORTED_CODE:
        return False
    return version_tuple(agent.get('agent_version')) >= version_tuple(since)


def removal_state(agent):
    """'uninstalled', 'uninstalling', 'queued' or 'installed', from what the API shows."""
    if agent.get('status') in UNINSTALLED:
        return 'uninstalled'
    if agent.get('_uninstalling'):
        return 'uninstalling'
    if agent.get('uninstall_queued_at'):
        return 'queued'
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

    Listed one organisation at a time: an agent's attributes do not name its organisation.
    """
    params = mod.params
    agents, uninstalling = [], set()
    for org_id in organization_scope(params):
        scope = {'organization_ids': [org_id]}
        if params.get('network_ids'):
            scope['network_ids'] = params['network_ids']
        listed = [dict(flatten(a), organization_id=org_id) for a in mod.client.paginate('/v1/user_agents', params=scope)]
        if any(a.get('uninstall_queued_at') and a.get('status') not in UNINSTALLED for a in listed):
            # Queued and picked up look alike in the attributes; the status filter tells them apart.
            uninstalling |= {str(a['id']) for a in mod.client.paginate('/v1/user_agents', params=dict(scope, status='uninstalling'))}
        agents.extend(listed)
    ids = {str(i) for i in params.get('ids') or []}
    hostnames = folded(params.get('hostnames'))
    tags = set(params.get('tags') or [])
    types = set(params.get('agent_types') or [])
    before = parse_time(params.get('last_sync_before'))
    chosen = []
    for agent in agents:
        agent['_uninstalling'] = str(agent['id']) in uninstalling
        agent['remote_uninstall_supported'] = remote_uninstall_supported(agent, params['remote_uninstall_min_versions'])
        if ids and str(agent['id']) not in ids:
            continue
        if hostnames and (agent.get('hostname') or '').casefold() not in hostnames:
            continue
        if tags and not tags & set(agent.get('tags') or []):
            continue
        if types and agent.get('agent_type') not in types:
            continue
        synced = parse_time(agent.get('last_sync'))
        if before is not None and synced is not None and synced >= before:
            continue
        chosen.append(agent)
    return chosen, agents

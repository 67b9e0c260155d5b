"""Roaming Clients (``user_agents``): list, filter, show, update, delete (and uninstall), PIN, counts, CSV.

A queued uninstall keeps the record visible: ``status`` stays ``active`` and ``agent_state``
``protected`` (neither enum has a pending value), the ``status=uninstall_queued|uninstalling`` and
``agent_state=pending_uninstall`` filters find it and counts report it as ``pending_uninstall``. Whether
``uninstall_queued_at`` is set, whether there is an ``uninstalling`` phase and what ``status_code``/``status_message``
say when the agent cannot uninstall depend on the scenario's lifecycle variant (``lifecycle.py``).

Each agent has one state per view, the same in bodies, filters and counts: the legacy view (the default) has
protected, unprotected, bypassed, pending_uninstall (filters and counts only) and uninstalled - a silent agent is
still what it last reported, as the ``user-agents/csv`` sample shows for an agent a year silent; the new view
(``new_agent_states=true``, and the ``agent_state=offline`` filter) has protected, unprotected, offline and
uninstalled.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from .. import agents
from ..clock import iso
from ..errors import ApiError
from ..jobs import user_agents_csv
from ..state import Agent
from .base import Reply, no_content, relation, resource, route

STATUS_FILTERS = ('active', 'disabled', 'uninstalled', 'uninstall_queued', 'uninstalling')
SORTS = ('hostname', 'friendly_name', 'agent_version', 'last_sync', 'agent_state')
LEGACY_STATES = ('protected', 'unprotected', 'bypassed', 'pending_uninstall', 'uninstalled')
NEW_STATES = ('protected', 'unprotected', 'bypassed', 'offline', 'uninstalled')
IS_OPERATORS = ('is', 'isnot')
STRING_OPERATORS = ('startswith', 'equals', 'doesnotequal', 'contains', 'doesnotcontain', 'endswith')
NEVER = datetime.min.replace(tzinfo=timezone.utc)


def agent_resource(ctx, agent: Agent) -> dict:
    """Attributes as in the ``user-agents/list`` sample."""
    state = ctx.state
    network = state.networks.get(agent.network_id)
    binary = uuid.UUID(agent.id).bytes
    current_user = None
    if agent.current_user:
        current_user = dict(agent.current_user, last_update=iso(agent.current_user['last_update']))
    return resource('user_agents', agent, {
        'agent_type': agent.agent_type,
        'agent_version': agent.agent_version,
        'agent_state': body_state(ctx, agent),
        'client_id': agent.client_id,
        'hostname': agent.hostname,
        'status': agent.status,
        'status_code': agent.status_code,
        'status_message': agent.status_message,
        'os_version': agent.os_version,
        'os_name': agent.os_name,
        'friendly_name': agent.friendly_name,
        'tags': list(agent.tags) if agent.tags is not None else None,
        'current_user': current_user,
        'created_at': iso(agent.created_at),
        'updated_at': iso(agent.updated_at or agent.created_at),
        'uninstalled_at': iso(agent.uninstalled_at),
        'uninstall_queued_at': iso(agent.uninstall_queued_at) if _shows_queued_at(state) else None,
        'id_hex': binary.hex(),
        'id_binary': list(binary),
        'last_sync': iso(agent.last_sync),
        'release_channel': agent.release_channel,
        'network_id': agent.network_id,
        'network_name': network.name if network else None,
        'cyber_sight_client': None,
        'cyber_sight_client_setting': None,
        'device_setting': None,
        'filtering_client_setting': None,
        'vpn_available': False,
        'vpn_status': None,
        'vpn_settings_user_agent': None,
    }, {
        'network': relation('networks', network),
        'policy': relation('policies', state.policies.get(agent.policy_id)),
        'scheduled_policy': relation('scheduled_policies', None),
    })


def _shows_queued_at(state) -> bool:
    return agents.knobs(state)['queued_record'] == 'queued_at'


def new_view(ctx) -> bool:
    return bool(ctx.query.get('new_agent_states')) or ctx.query.get('agent_state') == 'offline'


def new_state(ctx, agent: Agent) -> str:
    """protected, unprotected, bypassed, offline or uninstalled: the new agent states."""
    if agent.uninstalled:
        return 'uninstalled'
    if not online(ctx, agent):
        return 'offline'
    return agent.agent_state


def body_state(ctx, agent: Agent) -> str:
    """``agent_state`` in a body: the view's state, except pending_uninstall, which no body enum has."""
    if new_view(ctx):
        return new_state(ctx, agent)
    return 'uninstalled' if agent.uninstalled else agent.agent_state


def online(ctx, agent: Agent) -> bool:
    """What the API can tell: a recent sync (within ``offline_after_seconds``)."""
    window = timedelta(seconds=ctx.state.settings['offline_after_seconds'])
    return not agent.uninstalled and agent.last_sync is not None and agent.last_sync >= ctx.now - window


def legacy_state(agent: Agent) -> str:
    if agent.uninstalled:
        return 'uninstalled'
    if agent.uninstall_phase:
        return 'pending_uninstall'
    return agent.agent_state


def view_state(ctx, agent: Agent) -> str:
    return new_state(ctx, agent) if new_view(ctx) else legacy_state(agent)


def _operand(value, operators: tuple[str, ...], default: str, name: str) -> tuple[str, str] | None:
    """``{value, operator}`` filters (``agent_type[value]=macos&agent_type[operator]=isnot``); bulk calls send plain strings."""
    if value in (None, '', {}):
        return None
    if not isinstance(value, dict):
        return str(value), default
    operator = value.get('operator') or default
    if operator not in operators:
        raise ApiError(400, f'{name}[operator] must be one of {", ".join(operators)}, not {operator!r}')
    if value.get('value') in (None, ''):
        return None
    return str(value['value']), operator


def _compare(text: str, wanted: str, operator: str) -> bool:
    text, wanted = (text or '').lower(), wanted.lower()
    return {
        'is': text == wanted, 'isnot': text != wanted, 'equals': text == wanted, 'doesnotequal': text != wanted,
        'contains': wanted in text, 'doesnotcontain': wanted not in text, 'startswith': text.startswith(wanted),
        'endswith': text.endswith(wanted),
    }[operator]


def _status_matches(ctx, agent: Agent, status: str) -> bool:
    if status == 'uninstalled':
        return agent.uninstalled
    if status in ('uninstall_queued', 'uninstalling'):
        return not agent.uninstalled and agents.visible_phase(ctx.state, agent) == status.replace('uninstall_', '')
    return agent.status == status


def _state_matches(ctx, agent: Agent, wanted: str) -> bool:
    return view_state(ctx, agent) == wanted


def _keyword_matches(agent: Agent, keyword: str) -> bool:
    fields = (agent.status, agent.hostname, agent.friendly_name or '', (agent.current_user or {}).get('login', ''))
    return any(keyword in value.lower() for value in fields)


def matching_agents(ctx, params: dict, default_scope: str = 'home') -> list[Agent]:
    """The agents a list, count, bulk delete or export call selects, in a stable order."""
    ids = params.get('organization_ids') or []
    if params.get('organization_id') is not None:
        ids = [params['organization_id']] + list(ids)
    org_ids = set(ctx.scope(ids, params.get('msp_id'), default_scope))
    chosen = [a for a in ctx.state.agents.values() if a.org_id in org_ids and a.deleted_at is None]
    if params.get('type') == 'proxy':
        return []  # no LAN proxies or relays are simulated
    filters = []
    if params.get('network_ids'):
        networks = set(params['network_ids'])
        filters.append(lambda a: a.network_id in networks)
    if params.get('status'):
        if params['status'] not in STATUS_FILTERS:
            raise ApiError(400, f'status must be one of {", ".join(STATUS_FILTERS)}, not {params["status"]!r}')
        filters.append(lambda a: _status_matches(ctx, a, params['status']))
    if params.get('agent_state'):
        filters.append(lambda a: _state_matches(ctx, a, params['agent_state']))
    if params.get('state'):
        filters.append(lambda a: online(ctx, a) == (params['state'] == 'online'))
    for name, attribute, operators, default in (('agent_type', 'agent_type', IS_OPERATORS, 'is'),
                                                ('release_channels', 'release_channel', IS_OPERATORS, 'is'),
                                                ('agent_version', 'agent_version', STRING_OPERATORS, 'equals')):
        operand = _operand(params.get(name), operators, default, name)
        if operand:
            filters.append(lambda a, attribute=attribute, operand=operand: _compare(getattr(a, attribute), *operand))
    name_search = _operand(params.get('name_search'), ('contains', 'doesnotcontain'), 'contains', 'name_search')
    if name_search:
        wanted, operator = name_search

        def named(agent: Agent) -> bool:
            found = wanted.lower() in agent.hostname.lower() or wanted.lower() in (agent.friendly_name or '').lower()
            return found == (operator == 'contains')
        filters.append(named)
    if params.get('tags'):
        tags = set(params['tags'])
        filters.append(lambda a: bool(tags & set(a.tags or ())))
    if params.get('search'):
        keywords = params['search'].lower().split()
        filters.append(lambda a: all(_keyword_matches(a, k) for k in keywords))
    for name in ('policy_id', 'block_page_id', 'scheduled_policy_id'):
        if params.get(name) is not None:
            filters.append(lambda a, name=name: getattr(a, name) == params[name])
    chosen = [a for a in chosen if all(f(a) for f in filters)]
    return _sorted(chosen, params.get('sort'))


def _sorted(chosen: list[Agent], sort: str | None) -> list[Agent]:
    chosen.sort(key=lambda a: (a.created_at, a.id))
    if not sort:
        return chosen
    key = sort.lstrip('-')
    if key not in SORTS:
        raise ApiError(400, f'sort must be one of {", ".join(SORTS)} (prefix - for descending), not {sort!r}')
    value = {
        'last_sync': lambda a: a.last_sync or NEVER,
        'agent_state': legacy_state,
        'agent_version': lambda a: agents.version_tuple(a.agent_version),
    }.get(key, lambda a: (getattr(a, key) or '').lower())
    return sorted(chosen, key=value, reverse=sort.startswith('-'))


@route('GET', '/v1/user_agents')
def list_agents(ctx) -> Reply:
    return ctx.page(matching_agents(ctx, ctx.query), lambda a: agent_resource(ctx, a))


@route('GET', '/v1/user_agents/all')
def list_all_agents(ctx) -> Reply:
    return ctx.page(matching_agents(ctx, ctx.query, 'visible'), lambda a: agent_resource(ctx, a))


@route('GET', '/v1/user_agents/counts')
def count_agents(ctx) -> Reply:
    """Legacy agent states, as in the ``user-agents/counts`` sample."""
    params = dict(ctx.query)
    if isinstance(params.get('name_search'), str):
        params['name_search'] = {'value': params['name_search'], 'operator': 'contains'}
    chosen = matching_agents(ctx, params)
    states = NEW_STATES if ctx.query.get('new_agent_states') else LEGACY_STATES
    counts = {state: 0 for state in states}
    for agent in chosen:
        state = view_state(ctx, agent)
        counts[state] = counts.get(state, 0) + 1
    counts['all'] = len(chosen)
    return Reply(body=counts)


def _agent(ctx, agent_id: str) -> Agent:
    return ctx.visible(ctx.state.agents.get(agent_id), 'user agent')


@route('GET', '/v1/user_agents/{id}')
def show_agent(ctx) -> Reply:
    return Reply(body={'data': agent_resource(ctx, _agent(ctx, ctx.path['id']))})


@route('PATCH', '/v1/user_agents/{id}')
def update_agent(ctx) -> Reply:
    agent = _agent(ctx, ctx.path['id'])
    ctx.access.require_write(agent.org_id)
    changes = ctx.body_part('user_agent')
    if 'network_id' in changes:
        network = ctx.state.networks.get(changes['network_id'])
        if network is None or network.deleted_at is not None or network.org_id != agent.org_id:
            raise ApiError(422, f'Network {changes["network_id"]} is not a site of this organization')
        agent.network_id = network.id
    if 'policy_id' in changes:
        policy = ctx.state.policies.get(changes['policy_id'])
        if changes['policy_id'] is not None and (policy is None or not ctx.access.can_see(policy.org_id)):
            raise ApiError(422, f'Policy {changes["policy_id"]} is not available to this organization')
        agent.policy_id = changes['policy_id']
    for name in ('friendly_name', 'tags', 'block_page_id', 'scheduled_policy_id'):
        if name in changes:
            setattr(agent, name, changes[name])
    if 'status' in changes:
        agent.status = changes['status']
        if agent.uninstalled:
            agent.agent_state, agent.uninstalled_at, agent.uninstall_phase = 'uninstalled', ctx.now, None
    agent.updated_at = ctx.now
    return Reply(body={'data': agent_resource(ctx, agent)})


@route('DELETE', '/v1/user_agents/{id}')
def delete_agent(ctx) -> Reply:
    """``queue_uninstall=true`` is "Delete & Uninstall": the record stays until the agent has uninstalled.

    Without it the record is only (soft) deleted, and a live agent brings it back at its next check-in.
    """
    agent = _agent(ctx, ctx.path['id'])
    ctx.access.require_write(agent.org_id)
    if ctx.query.get('queue_uninstall') and not agent.uninstalled:
        agents.queue_uninstall(agent, ctx.now, bool(ctx.query.get('clear_registry')))
    else:
        agents.soft_delete(agent, ctx.now)
    return no_content()


@route('POST', '/v1/user_agents/dequeue_uninstall')
def dequeue_uninstall(ctx) -> Reply:
    """The spec documents ``{success}``, the ``user-agents/dequeue-uninstall`` sample ``{"status": "ok"}``: both are sent."""
    agent = _agent(ctx, ctx.query['id'])
    ctx.access.require_write(agent.org_id)
    if not agents.dequeue_uninstall(agent, ctx.now):
        raise ApiError(422, 'Can not remove user agent from queue: no uninstall is waiting for this agent')
    return Reply(body={'success': True, 'status': 'ok'})


@route('GET', '/v1/user_agents/uninstall_pin')
def uninstall_pin(ctx) -> Reply:
    org_id = ctx.query['organization_id']
    org = ctx.visible(ctx.state.live_org(org_id), 'organization', org_attr='id')
    return Reply(body={'pin': org.uninstall_pin})


@route('GET', '/v1/user_agents/tags')
def list_tags(ctx) -> Reply:
    chosen = matching_agents(ctx, {k: ctx.query.get(k) for k in ('organization_ids', 'msp_id', 'network_ids')})
    return Reply(body={'data': {'tags': sorted({tag for agent in chosen for tag in agent.tags or ()})}})


@route('GET', '/v1/user_agents/csv')
def agents_csv(ctx) -> Reply:
    org = ctx.visible(ctx.state.live_org(ctx.query['organization_id']), 'organization', org_attr='id')
    org_ids = [org.id]
    if ctx.query.get('include_suborgs') and org.type == 'msp':
        org_ids += [o.id for o in ctx.state.sub_orgs(org.id) if ctx.access.can_see(o.id)]
    chosen = matching_agents(ctx, {'organization_ids': org_ids})
    filename = f'user_agents_{ctx.now:%Y-%m-%d}.csv'
    return Reply(body=user_agents_csv(ctx.state, [a.id for a in chosen]), content_type='text/csv',
                 headers={'Content-Disposition': f'attachment; filename="{filename}"'})

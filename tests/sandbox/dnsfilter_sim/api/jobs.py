"""Job endpoints: Roaming Client and User bulk deletes, the stale-agent cleanup, and CSV exports.

The description's job objects carry no id (``UserAgentBulkDelete``, ``UserAgentCleanup``,
``AgentLocalUserBulkDeletes``) although their GET takes one; the simulator adds ``id`` so a client can
poll. Creating an export is allowed to read-only users: it changes nothing (docs/sandbox.md).
"""
from __future__ import annotations

from .. import jobs
from ..errors import ApiError, not_found
from ..state import Job
from .agent_local_users import matching_users
from .base import Reply, route
from .networks import matching_networks
from .user_agents import matching_agents


def _job(ctx, kind: str, job_id=None, job_uuid=None) -> Job:
    job = jobs.find(ctx.state, kind, job_id, job_uuid)
    if job is None or not all(ctx.access.can_see(org_id) for org_id in job.org_ids):
        raise not_found('job')
    return job


# --- Roaming Client bulk deletes -------------------------------------------------------------------

def _bulk_delete_view(job: Job) -> dict:
    return {'data': {
        'id': job.id,
        'organization_id': job.org_ids[0] if job.org_ids else None,
        'completed': job.completed,
        'count': len(job.target_ids),
        'queue_uninstall': bool(job.params.get('queue_uninstall')),
    }}


def _explicit_agents(ctx, ids: list[str]) -> list:
    return [ctx.visible(ctx.state.agents.get(agent_id), f'user agent {agent_id}') for agent_id in ids]


@route('POST', '/v1/user_agent_bulk_deletes')
def create_agent_bulk_delete(ctx) -> Reply:
    """``ids`` in the body override the query filters; ``exclude_ids`` are then left out."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    chosen = _explicit_agents(ctx, body['ids']) if body.get('ids') else matching_agents(ctx, ctx.query)
    excluded = set(body.get('exclude_ids') or [])
    chosen = [agent for agent in chosen if agent.id not in excluded]
    org_ids = sorted({agent.org_id for agent in chosen}) or ctx.query_scope()
    for org_id in org_ids:
        ctx.access.require_write(org_id)
    job = jobs.create(ctx.state, 'user_agent_bulk_delete', org_ids, [a.id for a in chosen],
                      queue_uninstall=bool(ctx.query.get('queue_uninstall')))
    return Reply(body=_bulk_delete_view(job))


@route('GET', '/v1/user_agent_bulk_deletes/{id}')
def show_agent_bulk_delete(ctx) -> Reply:
    return Reply(body=_bulk_delete_view(_job(ctx, 'user_agent_bulk_delete', ctx.path['id'])))


@route('GET', '/v1/user_agent_bulk_deletes/counts')
def count_agent_bulk_delete(ctx) -> Reply:
    """``uninstall_and_delete``: agents that can uninstall remotely; ``delete``: those that can only be deleted."""
    devices = {device.agent_id: device for device in ctx.state.devices.values()}
    chosen = matching_agents(ctx, ctx.query)
    supported = sum(1 for agent in chosen if jobs.remote_uninstall_possible(agent, devices.get(agent.id)))
    return Reply(body={'uninstall_and_delete': supported, 'delete': len(chosen) - supported})


# --- User (agent-local user) bulk deletes ---------------------------------------------------------

def _user_bulk_delete_view(job: Job) -> dict:
    return {'data': {
        'id': job.id,
        'ids': list(job.target_ids),
        'exclude_ids': list(job.params.get('exclude_ids') or []),
        'completed': job.completed,
        'count': len(job.target_ids),
    }}


@route('POST', '/v1/agent_local_user_bulk_deletes')
def create_user_bulk_delete(ctx) -> Reply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if body.get('ids'):
        chosen = [ctx.visible(ctx.state.alus.get(alu_id), f'agent local user {alu_id}') for alu_id in body['ids']]
    else:
        chosen = matching_users(ctx, ctx.query)
    excluded = set(body.get('exclude_ids') or [])
    chosen = [alu for alu in chosen if alu.id not in excluded]
    org_ids = sorted({alu.org_id for alu in chosen}) or ctx.scope()
    for org_id in org_ids:
        ctx.access.require_write(org_id)
    job = jobs.create(ctx.state, 'agent_local_user_bulk_delete', org_ids, [alu.id for alu in chosen],
                      exclude_ids=sorted(excluded))
    return Reply(body=_user_bulk_delete_view(job))


@route('GET', '/v1/agent_local_user_bulk_deletes/{id}')
def show_user_bulk_delete(ctx) -> Reply:
    return Reply(body=_user_bulk_delete_view(_job(ctx, 'agent_local_user_bulk_delete', ctx.path['id'])))


@route('GET', '/v1/agent_local_user_bulk_deletes/counts')
def count_user_bulk_delete(ctx) -> Reply:
    return Reply(body={'count': len(_job(ctx, 'agent_local_user_bulk_delete', ctx.query['id']).target_ids)})


# --- Stale Roaming Client cleanup ---------------------------------------------------------------

def _cleanup_view(ctx, job: Job) -> dict:
    stale = [ctx.state.agents[agent_id] for agent_id in job.target_ids if agent_id in ctx.state.agents]
    return {'data': {
        'id': job.id,
        'inactive_for': job.params['inactive_for'],
        'organization_id': job.org_ids[0],
        'organization_ids': list(job.org_ids),
        'query_completed': job.query_completed,
        'started': job.started,
        'completed': job.completed,
        'to_delete': [agent.friendly_name or agent.hostname for agent in stale],
        'agents_to_delete': [{'id': agent.id, 'name': agent.friendly_name or agent.hostname,
                              'organization_name': ctx.state.orgs[agent.org_id].name} for agent in stale],
    }}


@route('POST', '/v1/user_agent_cleanups')
def create_cleanup(ctx) -> Reply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    for name in ('organization_ids', 'inactive_for'):
        if body.get(name) in (None, [], ''):
            raise ApiError(400, f'param is missing or the value is empty: {name}')
    if body['inactive_for'] < 1:
        raise ApiError(400, 'inactive_for must be at least 1 day')
    org_ids = ctx.scope(body['organization_ids'])
    for org_id in org_ids:
        ctx.access.require_write(org_id)
    job = jobs.create(ctx.state, 'user_agent_cleanup', org_ids, inactive_for=body['inactive_for'])
    return Reply(body=_cleanup_view(ctx, job))


@route('GET', '/v1/user_agent_cleanups/{id}')
def show_cleanup(ctx) -> Reply:
    return Reply(body=_cleanup_view(ctx, _job(ctx, 'user_agent_cleanup', ctx.path['id'])))


@route('PUT', '/v1/user_agent_cleanups/{id}')
def update_cleanup(ctx) -> Reply:
    """``inactive_for`` re-runs the search; otherwise ``start: true`` deletes what it found."""
    job = _job(ctx, 'user_agent_cleanup', ctx.path['id'])
    for org_id in job.org_ids:
        ctx.access.require_write(org_id)
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if body.get('inactive_for') is not None:
        jobs.restart_cleanup_query(ctx.state, job, body['inactive_for'])
    elif body.get('start'):
        jobs.start_cleanup(ctx.state, job)
    return Reply(body=_cleanup_view(ctx, job))


# --- CSV exports -----------------------------------------------------------------------------------

def _export_view(job: Job, id_field: str = 'id') -> dict:
    return {'data': {
        id_field: job.uuid if id_field == 'uuid' else job.id,
        'organization_ids': list(job.org_ids),
        'url': job.url,
        'error': job.error,
    }}


@route('POST', '/v1/user_agent_csv_exports')
def create_agent_export(ctx) -> Reply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    params = {key: value for key, value in body.items() if key != 'user_agent_csv_export'}
    params.update(ctx.body_part('user_agent_csv_export'))
    if params.get('ids'):
        chosen = _explicit_agents(ctx, params['ids'])
    else:
        chosen = matching_agents(ctx, params)
    org_ids = ctx.scope(params.get('organization_ids'), params.get('msp_id'))
    job = jobs.create(ctx.state, 'user_agent_csv_export', org_ids, [a.id for a in chosen])
    return Reply(body=_export_view(job))


@route('GET', '/v1/user_agent_csv_exports/{id}')
def show_agent_export(ctx) -> Reply:
    return Reply(body=_export_view(_job(ctx, 'user_agent_csv_export', ctx.path['id'])))


@route('POST', '/v2/agent_local_users_csv_export')
def create_user_export(ctx) -> Reply:
    params = ctx.body_part('agent_local_users_csv_export')
    chosen = matching_users(ctx, params)
    job = jobs.create(ctx.state, 'agent_local_users_csv_export', ctx.scope(params.get('organization_ids')),
                      [alu.id for alu in chosen])
    return Reply(body=_export_view(job, 'uuid'))


@route('GET', '/v2/agent_local_users_csv_export/{id}')
def show_user_export(ctx) -> Reply:
    return Reply(body=_export_view(_job(ctx, 'agent_local_users_csv_export', job_uuid=ctx.path['id']), 'uuid'))


@route('POST', '/v2/networks_csv_export')
def create_network_export(ctx) -> Reply:
    params = ctx.body_part('networks_csv_export')
    org_ids = ctx.scope(params.get('organization_ids'), params.get('msp_id'), 'visible')
    networks = matching_networks(ctx, org_ids)
    if params.get('ids'):
        networks = [n for n in networks if n.id in set(params['ids'])]
    job = jobs.create(ctx.state, 'networks_csv_export', sorted(org_ids), [n.id for n in networks])
    return Reply(body=_export_view(job))


@route('GET', '/v2/networks_csv_export/{id}')
def show_network_export(ctx) -> Reply:
    return Reply(body=_export_view(_job(ctx, 'networks_csv_export', ctx.path['id'])))

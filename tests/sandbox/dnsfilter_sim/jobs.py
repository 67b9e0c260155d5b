"""Asynchronous jobs: bulk deletes, the stale-agent cleanup and CSV exports.

A job's targets are fixed when it is created; it finishes ``job_delay_seconds`` later on the simulator
clock. Exports then get a URL the simulator serves without auth, as a pre-signed URL would be.
"""
from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime, timedelta

from . import agents
from .clock import iso
from .state import Job, State

EXPORT_PATH = '/sim-exports/'

USER_AGENT_COLUMNS = ['Client Name', 'State', 'RC Version', 'RC Type', 'OS Name', 'Last Sync', 'Site Name',
                      'Policy/Schedule Name', 'Block Page Name']
# No sample shows these two exports; the columns are ours (documented in docs/sandbox.md).
AGENT_LOCAL_USER_COLUMNS = ['Name', 'User Login', 'User Name', 'User Remote ID', 'First Seen', 'Last Seen', 'Organization']
NETWORK_COLUMNS = ['Site Name', 'Site ID', 'Organization', 'Policy Name', 'Roaming Clients', 'Site Key']


def create(state: State, kind: str, org_ids: list[int], targets: list | None = None, **params) -> Job:
    now = state.now()
    job = Job(kind=kind, id=state.next_id(kind), uuid=state.new_uuid(), org_ids=list(org_ids), created_at=now,
              params=params, target_ids=list(targets or []))
    state.jobs[(kind, job.id)] = job
    state.scheduler.at(now + _delay(state), lambda when: _finish(state, job, when))
    return job


def find(state: State, kind: str, job_id: int | None = None, job_uuid: str | None = None) -> Job | None:
    if job_uuid is not None:
        return next((job for (job_kind, _id), job in state.jobs.items() if job_kind == kind and job.uuid == job_uuid), None)
    return state.jobs.get((kind, job_id))


def restart_cleanup_query(state: State, job: Job, inactive_for: int) -> None:
    """Changing ``inactive_for`` re-runs the search for stale agents (SPEC ``UserAgentCleanupUpdate``)."""
    job.params['inactive_for'] = inactive_for
    job.query_completed = job.started = job.completed = False
    job.target_ids = []
    state.scheduler.at(state.now() + _delay(state), lambda when: _finish(state, job, when))


def start_cleanup(state: State, job: Job) -> None:
    """Delete what the search found; asked before the search is done, it starts when the search ends."""
    if job.started:
        return
    job.started = True
    if job.query_completed:
        state.scheduler.at(state.now() + _delay(state), lambda when: _delete_stale(state, job, when))


def _delay(state: State) -> timedelta:
    return timedelta(seconds=state.settings['job_delay_seconds'])


def _finish(state: State, job: Job, when: datetime) -> None:
    if job.kind == 'user_agent_bulk_delete':
        _bulk_delete_agents(state, job, when)
    elif job.kind == 'agent_local_user_bulk_delete':
        for alu_id in job.target_ids:
            state.alus.pop(alu_id, None)
        job.completed = True
    elif job.kind == 'user_agent_cleanup':
        if not job.query_completed:
            job.target_ids = stale_agent_ids(state, job.org_ids, job.params['inactive_for'], when)
            job.query_completed = True
            if job.started:
                state.scheduler.at(when + _delay(state), lambda at: _delete_stale(state, job, at))
    else:
        _write_export(state, job)


def _bulk_delete_agents(state: State, job: Job, when: datetime) -> None:
    """Supported agents are queued for uninstall when asked; the rest are only deleted (SPEC bulk counts)."""
    devices = {device.agent_id: device for device in state.devices.values()}
    for agent_id in job.target_ids:
        agent = state.agents.get(agent_id)
        if agent is None or agent.deleted_at is not None:
            continue
        if job.params.get('queue_uninstall') and remote_uninstall_possible(agent, devices.get(agent_id)):
            agents.queue_uninstall(agent, when, job.params.get('clear_registry', False))
        else:
            agents.soft_delete(agent, when)
    job.completed = True


def remote_uninstall_possible(agent, device) -> bool:
    """What the API can know: the device's own answer when it has one, else the version rule."""
    if agent.uninstalled:
        return False
    if device is not None:
        return device.supports_remote_uninstall
    return agents.supports_remote_uninstall(agent.agent_type, agent.agent_version)


def stale_agent_ids(state: State, org_ids: list[int], inactive_days: int, now: datetime) -> list[str]:
    cutoff = now - timedelta(days=inactive_days)
    return [agent.id for agent in state.agents.values()
            if agent.org_id in org_ids and agent.deleted_at is None and (agent.last_sync or agent.created_at) < cutoff]


def _delete_stale(state: State, job: Job, when: datetime) -> None:
    for agent_id in job.target_ids:
        agent = state.agents.get(agent_id)
        if agent is not None and agent.deleted_at is None:
            agents.soft_delete(agent, when)
    job.completed = True


def _write_export(state: State, job: Job) -> None:
    writers = {
        'user_agent_csv_export': user_agents_csv,
        'agent_local_users_csv_export': agent_local_users_csv,
        'networks_csv_export': networks_csv,
    }
    token = secrets.token_hex(16)
    state.export_files[token] = writers[job.kind](state, job.target_ids)
    job.url = f'{state.api_url}{EXPORT_PATH}{token}.csv'
    job.completed = True


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _csv_time(value: datetime | None) -> str:
    return value.strftime('%Y-%m-%d %H:%M:%S +0000') if value else ''


def user_agents_csv(state: State, agent_ids: list[str]) -> str:
    """The columns of the recorded ``user-agents/csv`` sample."""
    rows = []
    for agent_id in agent_ids:
        agent = state.agents[agent_id]
        network = state.networks.get(agent.network_id)
        policy = state.policies.get(agent.policy_id)
        block_page = state.block_pages.get(agent.block_page_id)
        os_name = f'{agent.os_name} ({agent.os_version})' if agent.os_version else agent.os_name
        rows.append([agent.friendly_name or agent.hostname, agent.agent_state, agent.agent_version, agent.agent_type, os_name,
                     _csv_time(agent.last_sync), network.name if network else '',
                     policy.name if policy else 'Inherit from site', block_page.name if block_page else 'Inherit from site'])
    return _csv(USER_AGENT_COLUMNS, rows)


def agent_local_users_csv(state: State, alu_ids: list[int]) -> str:
    rows = []
    for alu_id in alu_ids:
        alu = state.alus.get(alu_id)
        if alu is None:
            continue
        org = state.orgs[alu.org_id]
        rows.append([alu.friendly_name or alu.user_name or '', alu.user_login, alu.user_name or '', alu.user_remote_id or '',
                     iso(alu.first_seen), iso(alu.last_seen), org.name])
    return _csv(AGENT_LOCAL_USER_COLUMNS, rows)


def networks_csv(state: State, network_ids: list[int]) -> str:
    rows = []
    for network_id in network_ids:
        network = state.networks[network_id]
        policy = state.policies.get(network.policy_id)
        count = sum(1 for a in state.agents.values() if a.network_id == network.id and a.deleted_at is None)
        rows.append([network.name, network.id, state.orgs[network.org_id].name, policy.name if policy else '', count,
                     'active' if network.secret_key else 'revoked'])
    return _csv(NETWORK_COLUMNS, rows)

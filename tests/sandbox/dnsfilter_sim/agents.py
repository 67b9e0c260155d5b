"""Live Roaming Clients: devices that check in on the simulator clock and act on what the API queued.

Each check-in of an installed, online device:

- re-registers a deleted (or uninstalled) record while the device's site key is still the network's key (a
  deleted record at the ``reregister_after_checkins``-th check-in after the delete),
  as the real agent does with its ``id`` and hardware identifiers (SPEC ``UserAgentCreateSpec``) -
  the reason the runbook says to uninstall before deleting;
- picks up a queued uninstall (at the ``uninstall_after_checkins``-th check-in): if the agent supports remote
  uninstall it goes ``uninstalling`` and, ``uninstall_seconds`` later, ``uninstalled`` (the device is then no
  longer installed); if not, the uninstall stays queued and the record says what the lifecycle variant has it say;
- refreshes ``last_sync`` and the logged-in user, which creates or refreshes that agent-local User.

A device whose agent was removed on the host (``installed: false``) shows ``uninstalled_from_client`` at
what would have been its next check-in, then stops. Offline devices do not check in.

The unknowns of this lifecycle are scenario settings (``lifecycle``, see ``lifecycle.py``).
"""
from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta

from . import lifecycle
from .state import Agent, AgentLocalUser, Device, State

# GAP: no public source gives the first versions that support "Delete & Uninstall". The runbook says
# Windows 2.0.1+; macOS 2.0.0 (the System Extension generation) is our assumption: the lifecycle setting
# ``remote_uninstall_since`` changes it, and scenarios can set ``supports_remote_uninstall`` per device.
REMOTE_UNINSTALL_SINCE = lifecycle.DOCUMENTED['remote_uninstall_since']

UNSUPPORTED_CODE = lifecycle.UNSUPPORTED_CODE


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r'\d+', version or '')[:4])


def supports_remote_uninstall(agent_type: str, version: str, since: dict | None = None) -> bool:
    first = (since or REMOTE_UNINSTALL_SINCE).get(agent_type)
    return first is not None and version_tuple(version) >= version_tuple(first)


def knobs(state: State) -> dict:
    return state.settings['lifecycle']


def visible_phase(state: State, agent: Agent) -> str | None:
    """The phase the API shows: without an ``uninstalling`` phase an agent at work still reads as queued."""
    if agent.uninstall_phase == 'uninstalling' and not knobs(state)['uninstalling_phase']:
        return 'queued'
    return agent.uninstall_phase


def _interval(state: State) -> timedelta:
    return timedelta(seconds=state.settings['checkin_interval_seconds'])


def schedule(state: State, device: Device, when: datetime) -> None:
    """(Re)plan the device's next check-in; an earlier plan for it becomes void."""
    device.generation += 1
    device.next_checkin_at = when
    generation = device.generation

    def run(at: datetime) -> None:
        if device.generation == generation and state.devices.get(device.id) is device:
            checkin(state, device, at)
    state.scheduler.at(when, run)


def start(state: State) -> None:
    """Plan every installed device's first check-in, spread over the first interval by device id."""
    interval = _interval(state)
    now = state.now()
    for device in state.devices.values():
        if device.installed:
            phase = (zlib.crc32(device.id.encode()) % 1000 + 1) / 1000
            schedule(state, device, now + interval * phase)


def checkin(state: State, device: Device, when: datetime) -> None:
    """One check-in of ``device`` at ``when`` (also used for forced check-ins from the control port)."""
    agent = state.agents.get(device.agent_id)
    if agent is None:
        return
    if not device.installed:
        _removed_on_host(agent, device, when)
        device.next_checkin_at = None
        return
    if device.online:
        device.last_checkin_at = when
        if agent.deleted_at is not None and not agent.uninstalled:
            agent.checkins_since_deleted += 1
            if agent.checkins_since_deleted < knobs(state)['reregister_after_checkins']:
                schedule(state, device, when + _interval(state))
                return
        if agent.deleted_at is not None or agent.uninstalled:
            if not _register(state, agent, device, when):
                schedule(state, device, when + _interval(state))
                return
        agent.last_sync = when
        _record_user(state, agent, device, when)
        if agent.uninstall_phase == 'queued':
            agent.checkins_since_queued += 1
            if agent.checkins_since_queued >= knobs(state)['uninstall_after_checkins']:
                if device.supports_remote_uninstall:
                    _begin_uninstall(state, agent, device, when)
                    return
                _report_unsupported(state, agent)
    schedule(state, device, when + _interval(state))


def _report_unsupported(state: State, agent: Agent) -> None:
    """What an agent that cannot uninstall remotely says while its uninstall stays queued (lifecycle variant)."""
    said = knobs(state)['unsupported_agent']
    if said == 'status_code':
        agent.status_code = UNSUPPORTED_CODE
        agent.status_message = (f'Remote uninstall is not supported by {agent.agent_type} agent {agent.agent_version}; '
                                'the uninstall stays queued until the agent is removed on the device')
    elif said == 'error_status':
        agent.status_code = lifecycle.ERROR_UNINSTALLING_CODE
        agent.status_message = "error_uninstalling"


def _removed_on_host(agent: Agent, device: Device, when: datetime) -> None:
    if not agent.uninstalled:
        agent.status = 'uninstalled_from_client'
        agent.agent_state = 'uninstalled'
        agent.uninstalled_at = when
        agent.uninstall_phase = None
        agent.updated_at = when
    device.generation += 1


def _register(state: State, agent: Agent, device: Device, when: datetime) -> bool:
    """Re-register with the site key the agent was installed with; a revoked or rotated key refuses it."""
    network = state.networks.get(agent.network_id)
    if network is None or network.deleted_at is not None or state.live_org(network.org_id) is None:
        device.registration_error = 'site no longer exists'
        return False
    if not device.site_key or device.site_key != network.secret_key:
        device.registration_error = 'site key revoked or rotated'
        return False
    device.registration_error = None
    agent.deleted_at = None
    agent.status = 'active'
    agent.agent_state = 'protected'
    agent.uninstalled_at = None
    agent.uninstall_queued_at = None
    agent.uninstall_phase = None
    agent.status_code = agent.status_message = None
    agent.updated_at = when
    return True


def _record_user(state: State, agent: Agent, device: Device, when: datetime) -> None:
    """The logged-in OS user: shown on the agent, and an agent-local User created or refreshed."""
    user = device.current_user
    if not user or not user.get('login'):
        return
    agent.current_user = {'login': user['login'], 'name': user.get('name') or user['login'].split('\\')[-1], 'last_update': when}
    login = user['login'].lower()
    for alu in state.alus.values():
        if alu.org_id == agent.org_id and alu.user_login.lower() == login:
            alu.last_seen = when
            alu.agent_ids.add(agent.id)
            return
    alu_id = state.next_id('agent_local_user')
    state.alus[alu_id] = AgentLocalUser(
        id=alu_id, uuid=state.new_uuid7(when), org_id=agent.org_id, user_login=user['login'], first_seen=when,
        last_seen=when, user_name=agent.current_user['name'], user_remote_id=user.get('remote_id'), agent_ids={agent.id})


def _begin_uninstall(state: State, agent: Agent, device: Device, when: datetime) -> None:
    agent.uninstall_phase = 'uninstalling'
    agent.updated_at = when
    device.generation += 1
    device.next_checkin_at = None
    generation = device.generation

    def finish(at: datetime) -> None:
        if device.generation == generation:
            _finish_uninstall(agent, device, at)
    state.scheduler.at(when + timedelta(seconds=state.settings['uninstall_seconds']), finish)


def _finish_uninstall(agent: Agent, device: Device, when: datetime) -> None:
    agent.status = 'uninstalled'
    agent.agent_state = 'uninstalled'
    agent.uninstalled_at = when
    agent.uninstall_phase = None
    agent.status_code = agent.status_message = None
    agent.updated_at = when
    device.installed = False
    device.generation += 1


def queue_uninstall(agent: Agent, when: datetime, clear_registry: bool) -> None:
    """Dashboard "Delete & Uninstall": the agent acts on it at its next check-in."""
    if agent.uninstalled or agent.uninstall_phase:
        return
    agent.uninstall_phase = 'queued'
    agent.uninstall_queued_at = when
    agent.checkins_since_queued = 0
    agent.clear_registry = clear_registry
    agent.updated_at = when


def dequeue_uninstall(agent: Agent, when: datetime) -> bool:
    """Only an uninstall the agent has not picked up yet can be taken back."""
    if agent.uninstall_phase != 'queued':
        return False
    agent.uninstall_phase = None
    agent.uninstall_queued_at = None
    agent.status_code = agent.status_message = None
    agent.updated_at = when
    return True


def soft_delete(agent: Agent, when: datetime) -> None:
    """Hide the record (SPEC "Soft deletes an user agent"); a live agent will bring it back."""
    agent.deleted_at = when
    agent.checkins_since_deleted = 0
    agent.updated_at = when


def device_changed(state: State, device: Device, changes: dict) -> None:
    """Apply what a host process reports (``PATCH /control/devices/{id}``)."""
    was_installed = device.installed
    for name, value in changes.items():
        setattr(device, name, value)
    if device.installed and not was_installed:
        # Reinstalled: it will try to register again at its next check-in.
        schedule(state, device, state.now() + _interval(state))
    elif not device.installed and was_installed and device.next_checkin_at is None:
        # Removed on the host while no check-in was planned (mid-uninstall): report it one interval on.
        schedule(state, device, state.now() + _interval(state))

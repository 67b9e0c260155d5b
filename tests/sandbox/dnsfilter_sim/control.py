"""The control port: plain HTTP JSON on loopback, no auth, for tests and the simulated hosts.

Secrets in the state dump are there on purpose (this is a test tool) and carry a ``secret_`` prefix:
``secret_token`` on API keys, ``secret_key`` on networks, ``secret_site_key`` on devices.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from aiohttp import web

from . import agents
from .clock import iso
from .scenario import ScenarioError

DEVICE_FIELDS = {'installed': bool, 'online': bool, 'supports_remote_uninstall': bool, 'current_user': (dict, type(None)),
                 'host': dict, 'site_key': (str, type(None))}


def _json(data, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda value: json.dumps(value, default=_plain))


def _plain(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f'cannot serialise {type(value).__name__}')


def _error(message: str, status: int = 400) -> web.Response:
    return _json({'error': message}, status)


async def _body(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError as error:
        raise web.HTTPBadRequest(text=json.dumps({'error': f'invalid JSON: {error}'}), content_type='application/json')
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps({'error': 'expected a JSON object'}), content_type='application/json')
    return body


def device_view(state, device) -> dict:
    """What the host processes read: the device, and what its agent's record says."""
    agent = state.agents.get(device.agent_id)
    network = state.networks.get(agent.network_id) if agent else None
    return {
        'id': device.id,
        'agent_id': device.agent_id,
        'hostname': agent.hostname if agent else None,
        'os': device.os,
        'product': device.product,
        'version': agent.agent_version if agent else None,
        'installed': device.installed,
        'online': device.online,
        'supports_remote_uninstall': device.supports_remote_uninstall,
        'organization_id': agent.org_id if agent else None,
        'network_id': agent.network_id if agent else None,
        'secret_site_key': device.site_key,
        'site_key_valid': bool(network and device.site_key and network.secret_key == device.site_key),
        'current_user': device.current_user,
        'host': device.host,
        'last_checkin_at': device.last_checkin_at,
        'next_checkin_at': device.next_checkin_at,
        'registration_error': device.registration_error,
        'record': None if agent is None else {
            'status': agent.status,
            'agent_state': agent.agent_state,
            'deleted': agent.deleted_at is not None,
            'uninstall_phase': agent.uninstall_phase,
            'clear_registry': agent.clear_registry,
            'last_sync': agent.last_sync,
        },
    }


def state_dump(sim) -> dict:
    state = sim.state

    def rows(table, rename=None):
        out = []
        for obj in table.values():
            row = dataclasses.asdict(obj)
            for old, new in (rename or {}).items():
                row[new] = row.pop(old)
            out.append(row)
        return out
    return {
        'scenario': sim.scenario_name,
        'now': state.now(),
        'clock_mode': state.clock.mode,
        'settings': state.settings,
        'organizations': rows(state.orgs),
        'users': rows(state.users),
        'api_keys': rows(state.api_keys, {'token': 'secret_token'}),
        'networks': rows(state.networks),
        'user_agents': rows(state.agents),
        'devices': [device_view(state, device) for device in state.devices.values()],
        'agent_local_users': rows(state.alus),
        'policies': rows(state.policies),
        'block_pages': rows(state.block_pages),
        'scheduled_reports': rows(state.scheduled_reports),
        'enterprise_connections': rows(state.enterprise_connections),
        'invoices': rows(state.invoices),
        'jobs': [dict(dataclasses.asdict(job), target_ids=list(job.target_ids)) for job in state.jobs.values()],
    }


def build_app(sim) -> web.Application:
    routes = web.RouteTableDef()

    @routes.get('/control/health')
    async def health(_request):
        return _json({'ok': True, 'scenario': sim.scenario_name})

    @routes.post('/control/scenario')
    async def load_scenario(request):
        body = await _body(request)
        try:
            return _json(sim.load(body.get('name'), body.get('path'), body.get('settings')))
        except (ScenarioError, ValueError, TypeError, KeyError) as error:
            return _error(f'cannot load scenario: {error}')

    @routes.get('/control/state')
    async def dump(_request):
        sim.run_due()
        return _json(state_dump(sim))

    @routes.get('/control/clock')
    async def clock(_request):
        state = sim.state
        return _json({'now': state.now(), 'mode': state.clock.mode, 'start': state.clock.start,
                      'next_event_at': state.scheduler.next_due()})

    @routes.post('/control/clock/advance')
    async def advance(request):
        seconds = (await _body(request)).get('seconds')
        if not isinstance(seconds, (int, float)) or seconds < 0:
            return _error('seconds must be a number >= 0')
        ran = sim.advance(seconds)
        return _json({'now': sim.state.now(), 'events_run': ran})

    @routes.post('/control/checkin')
    async def checkin(request):
        try:
            done = sim.checkin((await _body(request)).get('device_ids'))
        except KeyError as error:
            return _error(str(error.args[0]), 404)
        return _json({'checked_in': done, 'now': sim.state.now()})

    @routes.get('/control/requests')
    async def requests_report(_request):
        return _json(sim.recorder.requests_report())

    @routes.post('/control/requests/reset')
    async def requests_reset(_request):
        sim.recorder.reset_requests()
        return _json({'ok': True})

    @routes.get('/control/faults')
    async def faults(_request):
        return _json({'rules': sim.faults.report()})

    @routes.post('/control/faults')
    async def add_faults(request):
        body = await _body(request)
        rules = body.get('rules', [body] if 'kind' in body else [])
        try:
            sim.faults.add(rules, body.get('seed'))
        except (TypeError, ValueError) as error:
            return _error(str(error))
        return _json({'rules': sim.faults.report()})

    @routes.delete('/control/faults')
    async def clear_faults(_request):
        sim.faults.clear()
        return _json({'rules': []})

    @routes.post('/control/ratelimit')
    async def ratelimit(request):
        body = await _body(request)
        try:
            sim.limiter.configure(body.get('limit', sim.limiter.limit), body.get('window', sim.limiter.window))
        except (TypeError, ValueError) as error:
            return _error(str(error))
        return _json({'limit': sim.limiter.limit, 'window': sim.limiter.window})

    @routes.get('/control/devices')
    async def devices(_request):
        sim.run_due()
        return _json({'devices': [device_view(sim.state, d) for d in sim.state.devices.values()]})

    @routes.get('/control/devices/{device_id}')
    async def device(request):
        sim.run_due()
        found = sim.state.devices.get(request.match_info['device_id'])
        return _json(device_view(sim.state, found)) if found else _error('no such device', 404)

    @routes.patch('/control/devices/{device_id}')
    async def change_device(request):
        found = sim.state.devices.get(request.match_info['device_id'])
        if found is None:
            return _error('no such device', 404)
        changes = await _body(request)
        for name, value in changes.items():
            if name not in DEVICE_FIELDS:
                return _error(f'{name} cannot be changed; allowed: {", ".join(DEVICE_FIELDS)}')
            if not isinstance(value, DEVICE_FIELDS[name]):
                return _error(f'{name} has the wrong type')
        sim.run_due()
        agents.device_changed(sim.state, found, changes)
        return _json(device_view(sim.state, found))

    @routes.get('/control/violations')
    async def violations(_request):
        return _json(sim.recorder.violations_report())

    @routes.post('/control/violations/reset')
    async def violations_reset(_request):
        sim.recorder.reset_violations()
        return _json({'ok': True})

    app = web.Application()
    app.add_routes(routes)
    return app

"""msp.dnsfilter.mdm_profile_scope: against the Jamf Pro simulator, and against small fakes of Intune, Kandji and JumpCloud
that hold the state the documented endpoints change (no vendor simulator exists for those)."""
from __future__ import annotations

import asyncio
import json
import subprocess
import threading

import pytest
import requests
from aiohttp import web

from conftest import BIN, _env

JAMF = 'http://127.0.0.40:8080'
FAKE = ('127.0.0.41', 8081)
SERIAL = 'C02FAKE00001'


def run_module(args: dict, check: bool = False) -> dict:
    """The module's result; ``failed`` is set from the status word, which the one-line output keeps outside the JSON."""
    command = [str(BIN / 'ansible'), 'localhost', '-m', 'msp.dnsfilter.mdm_profile_scope', '-a', json.dumps(args), '-o']
    run = subprocess.run(command + (['--check'] if check else []), capture_output=True, text=True, env=_env(), check=False, timeout=120)
    status, _sep, body = run.stdout.strip().splitlines()[-1].partition('=>')
    return dict(json.loads(body), failed='FAILED' in status)


def _jamf_args(hosts, **extra) -> dict:
    serial = hosts.mac_state('MAC-MDM-01')['serial']
    return dict(provider='jamf', url=JAMF, username='jamf-api', password='jamf-sim-password', device_serial=serial,
                profiles=['com.dnsfilter.networkproxy', 'com.dnsfilter.systemextension'], **extra)


def _puts() -> list[str]:
    return [r['path'] for r in requests.get(f'{JAMF}/control/requests', timeout=10).json() if r['method'] == 'PUT']


def test_jamf_check_mode_then_group_method_then_unchanged(hosts):
    predicted = run_module(_jamf_args(hosts, method='group'), check=True)
    assert predicted['changed'] is True and len(predicted['changes']) == 2
    assert _puts() == []
    done = run_module(_jamf_args(hosts, method='group'))
    assert [c['change'] for c in done['changes']] == [c['change'] for c in predicted['changes']]
    profile = requests.get(f'{JAMF}/JSSResource/osxconfigurationprofiles/id/2', auth=('jamf-api', 'jamf-sim-password'), timeout=10).text
    assert '<computers></computers>' in profile, 'the computer left the scope list itself (method=group on a computer scope)'
    again = run_module(_jamf_args(hosts, method='group'))
    assert again['changed'] is False and again['not_delivered'] == ['com.dnsfilter.networkproxy', 'com.dnsfilter.systemextension']
    # The Mac loses the profiles at its next check-in (its next command).
    assert hosts.adhoc('MAC-MDM-01', 'ansible.builtin.command', 'true').returncode == 0
    assert [p['identifier'] for p in hosts.mac_state('MAC-MDM-01')['profiles']] == ['com.example.dnsfilter-handmade', 'com.example.wifi']


def test_jamf_wrong_password_fails_without_echoing_it(hosts):
    result = run_module(dict(_jamf_args(hosts), password='not-the-password'))
    assert result['failed'] is True and '401' in result['msg']
    assert 'not-the-password' not in json.dumps(result)


class FakeMdm:
    """Intune (Graph), Kandji and JumpCloud endpoints the providers call, with just enough state."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.group_members: list[str] = []
        self.blueprint = 'bp-dnsfilter'
        self.policies = [{'id': 'pol-1', 'name': 'DNSFilter - Network Proxy'}]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        add = app.router.add_route
        add('GET', '/v1.0/deviceManagement/managedDevices', self.intune_devices)
        add('GET', '/v1.0/devices', self.intune_objects)
        add('GET', '/v1.0/deviceManagement/deviceConfigurations', self.intune_configs)
        add('GET', '/v1.0/deviceManagement/deviceConfigurations/{id}/assignments', self.intune_assignments)
        add('GET', '/v1.0/groups/{id}/members', self.intune_members)
        add('POST', '/v1.0/groups/{id}/members/$ref', self.intune_add_member)
        add('GET', '/api/v1/devices', self.kandji_devices)
        add('PATCH', '/api/v1/devices/{id}', self.kandji_patch)
        add('GET', '/api/systems', self.jc_systems)
        add('GET', '/api/v2/systems/{id}/policies', self.jc_policies)
        add('POST', '/api/v2/policies/{id}/associations', self.jc_associations)
        return app

    @web.middleware
    async def _record(self, request, handler):
        self.requests.append((request.method, request.path_qs))
        # JumpCloud takes an x-api-key; Graph and Kandji a bearer token.
        if request.path.startswith(('/api/systems', '/api/v2/')):
            allowed = request.headers.get('x-api-key') == 'jc-key'
        else:
            allowed = request.headers.get('Authorization') == 'Bearer fake-token'
        return await handler(request) if allowed else web.Response(status=401)

    async def intune_devices(self, request):
        assert request.query['$filter'] == f"serialNumber eq '{SERIAL}'"
        return web.json_response({'value': [{'id': 'md-1', 'deviceName': 'MAC-1', 'azureADDeviceId': 'aad-1'}]})

    async def intune_objects(self, request):
        assert request.query['$filter'] == "deviceId eq 'aad-1'"
        return web.json_response({'value': [{'id': 'obj-1'}]})

    async def intune_configs(self, request):
        return web.json_response({'value': [{'id': 'cfg-1', 'displayName': 'DNSFilter - Network Proxy'}]})

    async def intune_assignments(self, request):
        target = {'@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', 'groupId': 'grp-offboarded'}
        return web.json_response({'value': [{'id': 'a-1', 'target': target}]})

    async def intune_members(self, request):
        return web.json_response({'value': [{'id': member} for member in self.group_members]})

    async def intune_add_member(self, request):
        body = await request.json()
        assert request.match_info['id'] == 'grp-offboarded'
        self.group_members.append(body['@odata.id'].rsplit('/', 1)[1])
        return web.Response(status=204)

    async def kandji_devices(self, request):
        assert request.query['serial_number'] == SERIAL
        return web.json_response([{'device_id': 'dev-1', 'device_name': 'MAC-1', 'blueprint_id': self.blueprint}])

    async def kandji_patch(self, request):
        self.blueprint = (await request.json())['blueprint_id']
        return web.json_response({'device_id': request.match_info['id'], 'blueprint_id': self.blueprint})

    async def jc_systems(self, request):
        assert request.query['filter'] == f'serialNumber:$eq:{SERIAL}'
        return web.json_response({'totalCount': 1, 'results': [{'_id': 'sys-1', 'displayName': 'MAC-1'}]})

    async def jc_policies(self, request):
        return web.json_response(self.policies)

    async def jc_associations(self, request):
        body = await request.json()
        assert body == {'op': 'remove', 'type': 'system', 'id': 'sys-1'}
        self.policies = [p for p in self.policies if p['id'] != request.match_info['id']]
        return web.Response(status=204)


@pytest.fixture
def fake_mdm(host_lock):
    fake = FakeMdm()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(fake.app())
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, *FAKE).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


URL = f'http://{FAKE[0]}:{FAKE[1]}'


@pytest.mark.parametrize('provider, extra, changed_by', [
    ('intune', {'token': 'fake-token', 'exclusion_group_id': 'grp-offboarded'}, ('POST', '/v1.0/groups/grp-offboarded/members/$ref')),
    ('kandji', {'token': 'fake-token', 'target_blueprint_id': 'bp-offboarded'}, ('PATCH', '/api/v1/devices/dev-1')),
    ('jumpcloud', {'token': 'jc-key'}, ('POST', '/api/v2/policies/pol-1/associations')),
])
def test_other_providers_follow_the_same_path(fake_mdm, provider, extra, changed_by):
    args = dict(provider=provider, url=URL, device_serial=SERIAL, profiles=['DNSFilter - Network Proxy'], **extra)
    predicted = run_module(args, check=True)
    assert predicted['changed'] is True and len(predicted['changes']) == 1
    assert changed_by not in fake_mdm.requests, 'check mode wrote to the MDM'
    done = run_module(args)
    assert done['changed'] is True and done['changes'] == predicted['changes']
    assert fake_mdm.requests.count(changed_by) == 1
    again = run_module(args)
    assert again['changed'] is False
    assert fake_mdm.requests.count(changed_by) == 1


def test_intune_refuses_a_profile_that_does_not_exclude_the_group(fake_mdm):
    result = run_module(dict(provider='intune', url=URL, token='fake-token', exclusion_group_id='grp-other', device_serial=SERIAL,
                             profiles=['DNSFilter - Network Proxy']))
    assert result['failed'] is True and 'does not exclude group grp-other' in result['msg']

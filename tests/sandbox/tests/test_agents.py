"""Live Roaming Clients: re-registration, remote uninstall, site keys, host-side removal, Users."""
import time

import pytest

from demo_ids import CONTOSO, CONTOSO_MAIN, DESK_07, DEVICE, DR_PARK, FRONTDESK, JDOE_DOMAIN_USER, JDOE_LOCAL_USER, MANUAL, XRAY

pytestmark = pytest.mark.sandbox_scenario('demo', **MANUAL)
INTERVAL = MANUAL['checkin_interval_seconds']


def listed_ids(api, **params) -> list[str]:
    response = api.get('/v1/user_agents', params=dict({'organization_ids': CONTOSO}, **params))
    assert response.status_code == 200, response.text
    return [agent['id'] for agent in response.json()['data']]


def test_deleting_the_record_of_a_live_agent_does_not_last(sandbox):
    api = sandbox.client('automation')
    assert api.delete(f'/v1/user_agents/{FRONTDESK}').status_code == 204
    assert api.get(f'/v1/user_agents/{FRONTDESK}').status_code == 404
    assert FRONTDESK not in listed_ids(api)
    sandbox.advance(INTERVAL)
    back = api.get(f'/v1/user_agents/{FRONTDESK}')
    assert back.status_code == 200
    assert back.json()['data']['id'] == FRONTDESK and back.json()['data']['attributes']['status'] == 'active'


def test_a_queued_uninstall_runs_at_the_next_checkin_and_sticks(sandbox):
    api = sandbox.client('automation')
    assert api.delete(f'/v1/user_agents/{FRONTDESK}', params={'queue_uninstall': 'true', 'clear_registry': 'true'}).status_code == 204
    queued = api.get(f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']
    assert queued['uninstall_queued_at'] and queued['status'] == 'active'
    assert FRONTDESK in listed_ids(api, status='uninstall_queued')
    assert FRONTDESK in listed_ids(api, agent_state='pending_uninstall')
    assert sandbox.device(DEVICE[FRONTDESK])['record']['clear_registry'] is True

    sandbox.checkin([DEVICE[FRONTDESK]])
    assert FRONTDESK in listed_ids(api, status='uninstalling')
    sandbox.advance(MANUAL['uninstall_seconds'])
    done = api.get(f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']
    assert done['status'] == 'uninstalled' and done['agent_state'] == 'uninstalled' and done['uninstalled_at']
    assert sandbox.device(DEVICE[FRONTDESK])['installed'] is False

    sandbox.advance(INTERVAL * 5)
    later = api.get(f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']
    assert later['status'] == 'uninstalled' and later['last_sync'] == done['last_sync']
    # Deleting the row now is final: nothing is left on the device to bring it back.
    assert api.delete(f'/v1/user_agents/{FRONTDESK}').status_code == 204
    sandbox.advance(INTERVAL * 2)
    assert api.get(f'/v1/user_agents/{FRONTDESK}').status_code == 404


def test_an_agent_too_old_for_remote_uninstall_stays_queued_and_says_so(sandbox):
    api = sandbox.client('automation')
    counts = api.get('/v1/user_agent_bulk_deletes/counts', params={'organization_id': CONTOSO, 'search': 'XRAY'}).json()
    assert counts == {'uninstall_and_delete': 0, 'delete': 1}
    assert api.delete(f'/v1/user_agents/{XRAY}', params={'queue_uninstall': 'true'}).status_code == 204
    sandbox.advance(INTERVAL * 3)
    agent = api.get(f'/v1/user_agents/{XRAY}').json()['data']['attributes']
    assert agent['uninstall_queued_at'] and agent['status'] == 'active'
    assert agent['status_code'] == 'remote_uninstall_unsupported' and 'not supported' in agent['status_message']
    assert XRAY in listed_ids(api, agent_state='pending_uninstall')
    assert api.get('/v1/user_agents/counts', params={'organization_ids': CONTOSO}).json()['pending_uninstall'] == 1
    assert sandbox.device(DEVICE[XRAY])['installed'] is True
    # Taking the uninstall back is possible while the agent has not acted on it.
    dequeued = api.post('/v1/user_agents/dequeue_uninstall', params={'id': XRAY})
    assert dequeued.status_code == 200 and dequeued.json()['success'] is True
    assert api.post('/v1/user_agents/dequeue_uninstall', params={'id': XRAY}).status_code == 422


@pytest.mark.parametrize('method', ['DELETE', 'PATCH'], ids=['revoked', 'rotated'])
def test_a_revoked_or_rotated_site_key_stops_re_registration(sandbox, method):
    api = sandbox.client('automation')
    changed = api.request(method, f'/v1/networks/{CONTOSO_MAIN}/secret_key')
    assert changed.status_code == 200
    assert (changed.json()['data']['attributes']['secret_key'] is None) == (method == 'DELETE')
    assert api.delete(f'/v1/user_agents/{FRONTDESK}').status_code == 204
    sandbox.advance(INTERVAL * 2)
    assert api.get(f'/v1/user_agents/{FRONTDESK}').status_code == 404
    device = sandbox.device(DEVICE[FRONTDESK])
    assert device['site_key_valid'] is False and device['registration_error'] == 'site key revoked or rotated'
    # Agents still registered on that site keep checking in: only (re-)registration needs the key.
    assert api.get(f'/v1/user_agents/{DESK_07}').json()['data']['attributes']['last_sync'] >= '2026-07-20T14:00'


def test_an_agent_removed_on_the_host_reports_uninstalled_from_client(sandbox):
    api = sandbox.client('automation')
    sandbox.set_device(DEVICE[DESK_07], installed=False)
    assert api.get(f'/v1/user_agents/{DESK_07}').json()['data']['attributes']['status'] == 'active'
    sandbox.advance(INTERVAL)
    agent = api.get(f'/v1/user_agents/{DESK_07}').json()['data']['attributes']
    assert agent['status'] == 'uninstalled_from_client' and agent['agent_state'] == 'uninstalled'


def test_an_offline_device_acts_only_when_back_online(sandbox):
    api = sandbox.client('automation')
    assert DR_PARK in listed_ids(api, state='offline')
    api.delete(f'/v1/user_agents/{DR_PARK}', params={'queue_uninstall': 'true'})
    sandbox.advance(INTERVAL * 3)
    assert api.get(f'/v1/user_agents/{DR_PARK}').json()['data']['attributes']['status'] == 'active'
    sandbox.set_device(DEVICE[DR_PARK], online=True)
    sandbox.advance(INTERVAL + MANUAL['uninstall_seconds'])
    assert api.get(f'/v1/user_agents/{DR_PARK}').json()['data']['attributes']['status'] == 'uninstalled'
    assert sandbox.device(DEVICE[DR_PARK])['installed'] is False


def test_a_site_with_agents_cannot_be_deleted(sandbox):
    response = sandbox.client('automation').delete(f'/v1/networks/{CONTOSO_MAIN}')
    assert response.status_code == 409
    assert response.json()['error'] == 'Network has active user agents or LAN proxies associated and cannot be deleted'


def test_checkins_refresh_users_and_leave_the_stale_duplicate(sandbox):
    api = sandbox.client('automation')
    logins = {u['attributes']['user_login']: u for u in api.get('/v1/agent_local_users', params={'organization_ids': CONTOSO}).json()['data']}
    assert {'CONTOSO\\jdoe', 'DESK-07\\jdoe'} <= set(logins)
    before = logins['CONTOSO\\jdoe']['attributes']['last_seen']
    sandbox.advance(INTERVAL)
    fresh = api.get(f'/v1/agent_local_users/{JDOE_DOMAIN_USER}').json()['data']['attributes']
    stale = api.get(f'/v1/agent_local_users/{JDOE_LOCAL_USER}').json()['data']['attributes']
    assert fresh['last_seen'] > before and stale['last_seen'] < fresh['last_seen']
    # Removing the stale duplicate lasts; removing a User still logged in does not.
    assert api.delete(f'/v1/agent_local_users/{JDOE_LOCAL_USER}').status_code == 204
    assert api.delete(f'/v1/agent_local_users/{JDOE_DOMAIN_USER}').status_code == 204
    sandbox.advance(INTERVAL)
    logins = [u['attributes']['user_login'] for u in api.get('/v1/agent_local_users', params={'organization_ids': CONTOSO}).json()['data']]
    assert 'DESK-07\\jdoe' not in logins and 'CONTOSO\\jdoe' in logins


def test_control_devices_carry_the_host_sections(sandbox):
    devices = {d['id']: d for d in sandbox.devices()}
    assert devices['contoso-frontdesk-01']['host']['address'] == '127.0.0.21'
    assert devices['contoso-desk-07']['product'] == 'DNS Agent' and devices['contoso-frontdesk-01']['product'] == 'DNSFilter Agent'
    assert devices['contoso-reception-mac']['os'] == 'macos' and devices['contoso-reception-mac']['host']['mdm']['vendor'] == 'jamf'
    assert devices['contoso-xray-01']['supports_remote_uninstall'] is False
    with pytest.raises(Exception, match='cannot be changed'):
        sandbox.set_device('contoso-xray-01', hostname='other')


@pytest.mark.sandbox_scenario('demo', checkin_interval_seconds=1, job_delay_seconds=1)
def test_realtime_clock_checks_in_by_itself(sandbox):
    api = sandbox.client('automation')
    assert api.delete(f'/v1/user_agents/{FRONTDESK}').status_code == 204
    deadline = time.monotonic() + 10
    while api.get(f'/v1/user_agents/{FRONTDESK}').status_code == 404:
        assert time.monotonic() < deadline, 'the agent never re-registered'
        time.sleep(0.2)

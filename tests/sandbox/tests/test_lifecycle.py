"""The unknowns of removing a Roaming Client are scenario settings: each knob of each variant does what it says.

And each agent has one state per view, the same in bodies, filters and counts (an agent silent for days included).
"""
import pytest

from dnsfilter_sim import lifecycle
from dnsfilter_sim.scenario import ScenarioError
from demo_ids import CONTOSO, DESK_07, DEVICE, DR_PARK, FRONTDESK, MANUAL, XRAY

INTERVAL = MANUAL['checkin_interval_seconds']


def listed(api, **params) -> list[str]:
    response = api.get('/v1/user_agents', params=dict({'organization_ids': CONTOSO}, **params))
    assert response.status_code == 200, response.text
    return [agent['id'] for agent in response.json()['data']]


def attributes(api, agent_id) -> dict:
    return api.get(f'/v1/user_agents/{agent_id}').json()['data']['attributes']


def queue(api, agent_id) -> None:
    assert api.delete(f'/v1/user_agents/{agent_id}', params={'queue_uninstall': 'true'}).status_code == 204


def test_variants_are_known_settings_and_typos_are_refused(sandbox):
    assert set(lifecycle.VARIANTS) == {'documented', 'quiet_record', 'slow_agent', 'later_cutoff'}
    for knob, values in lifecycle.CHOICES.items():
        assert {variant[knob] for variant in lifecycle.VARIANTS.values()} == set(values), knob
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.resolve('documentd')
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.resolve({'variant': 'slow_agent', 'uninstall_after_checkin': 2})
    assert lifecycle.resolve({'variant': 'slow_agent', 'uninstall_after_checkins': 3})['uninstall_after_checkins'] == 3
    with pytest.raises(Exception) as refused:
        sandbox.load('demo', lifecycle='nope')
    assert 'unknown variant' in str(refused.value) or isinstance(refused.value, ScenarioError)


@pytest.mark.sandbox_scenario('demo', **MANUAL)
def test_documented_the_record_shows_the_queue_and_the_uninstalling_phase(sandbox):
    api = sandbox.client('automation')
    queue(api, FRONTDESK)
    assert attributes(api, FRONTDESK)['uninstall_queued_at']
    sandbox.checkin([DEVICE[FRONTDESK]])
    assert FRONTDESK in listed(api, status='uninstalling') and FRONTDESK not in listed(api, status='uninstall_queued')


@pytest.mark.sandbox_scenario('demo', lifecycle='quiet_record', **MANUAL)
def test_quiet_record_only_the_filters_know(sandbox):
    api = sandbox.client('automation')
    queue(api, FRONTDESK)
    queued = attributes(api, FRONTDESK)
    assert queued['uninstall_queued_at'] is None and queued['status'] == 'active' and queued['status_code'] is None
    assert FRONTDESK in listed(api, status='uninstall_queued')
    sandbox.checkin([DEVICE[FRONTDESK]])
    # No uninstalling phase: picked up, it still reads as queued until it is done.
    assert FRONTDESK in listed(api, status='uninstall_queued') and FRONTDESK not in listed(api, status='uninstalling')
    dequeue = api.post('/v1/user_agents/dequeue_uninstall', params={'id': FRONTDESK})
    assert dequeue.status_code == 422  # picked up: too late, even though it reads as queued
    sandbox.advance(MANUAL['uninstall_seconds'])
    assert attributes(api, FRONTDESK)['status'] == 'uninstalled' and FRONTDESK not in listed(api, status='uninstall_queued')
    # An agent that cannot uninstall says nothing at all.
    queue(api, XRAY)
    sandbox.checkin([DEVICE[XRAY]])
    xray = attributes(api, XRAY)
    assert xray['status_code'] is None and xray['status_message'] is None and XRAY in listed(api, status='uninstall_queued')


@pytest.mark.sandbox_scenario('demo', lifecycle='slow_agent', **MANUAL)
def test_slow_agent_acts_at_the_second_checkin_and_a_deleted_record_returns_at_the_third(sandbox):
    api = sandbox.client('automation')
    queue(api, FRONTDESK)
    sandbox.checkin([DEVICE[FRONTDESK]])
    assert FRONTDESK in listed(api, status='uninstall_queued')
    sandbox.checkin([DEVICE[FRONTDESK]])
    assert FRONTDESK in listed(api, status='uninstalling')
    assert api.delete(f'/v1/user_agents/{DESK_07}').status_code == 204
    for checkin in (1, 2):
        sandbox.checkin([DEVICE[DESK_07]])
        assert api.get(f'/v1/user_agents/{DESK_07}').status_code == 404, checkin
    sandbox.checkin([DEVICE[DESK_07]])
    assert api.get(f'/v1/user_agents/{DESK_07}').status_code == 200


@pytest.mark.sandbox_scenario('demo', lifecycle='later_cutoff', **MANUAL)
def test_later_cutoff_an_agent_above_the_runbook_version_cannot_and_says_so_in_status_update_terms(sandbox):
    api = sandbox.client('automation')
    assert sandbox.device(DEVICE[DESK_07])['supports_remote_uninstall'] is False  # Windows 2.2.0 < 3.0.0
    counts = api.get('/v1/user_agent_bulk_deletes/counts', params={'organization_id': CONTOSO, 'search': 'DESK-07'}).json()
    assert counts == {'uninstall_and_delete': 0, 'delete': 1}
    queue(api, DESK_07)
    sandbox.advance(INTERVAL * 2)
    desk = attributes(api, DESK_07)
    assert desk['status'] == 'active' and desk['status_code'] == lifecycle.ERROR_UNINSTALLING_CODE
    assert desk['status_message'] == 'error_uninstalling' and desk['uninstall_queued_at'] is None
    assert DESK_07 in listed(api, status='uninstall_queued')


@pytest.mark.sandbox_scenario('demo', **MANUAL)
def test_a_silent_agent_has_one_state_per_view_in_bodies_filters_and_counts(sandbox):
    api = sandbox.client('automation')
    sandbox.advance(INTERVAL)  # the online devices check in; DR-PARK-MBP (offline) stays silent for days
    # The legacy view: still what it last reported, as the user-agents/csv sample shows a year-silent agent.
    assert attributes(api, DR_PARK)['agent_state'] == 'protected'
    assert DR_PARK in listed(api, agent_state='protected')
    legacy = api.get('/v1/user_agents/counts', params={'organization_ids': CONTOSO}).json()
    assert legacy['all'] == sum(v for k, v in legacy.items() if k != 'all')
    # The new view: offline, and only offline.
    assert DR_PARK in listed(api, agent_state='offline') and DR_PARK not in listed(api, agent_state='protected', new_agent_states='true')
    offline = api.get('/v1/user_agents', params={'organization_ids': CONTOSO, 'agent_state': 'offline'}).json()['data']
    assert {a['id']: a['attributes']['agent_state'] for a in offline} == {DR_PARK: 'offline'}
    new = api.get('/v1/user_agents/counts', params={'organization_ids': CONTOSO, 'new_agent_states': 'true'}).json()
    assert new['offline'] == 1 and new['all'] == sum(v for k, v in new.items() if k != 'all')
    # Every agent in exactly one state of each view.
    every = listed(api)
    for view in ({}, {'new_agent_states': 'true'}):
        states = ('protected', 'unprotected', 'bypassed', 'uninstalled') + (('offline',) if view else ('pending_uninstall',))
        found = [agent for state in states for agent in listed(api, agent_state=state, **view)]
        assert sorted(found) == sorted(every), view

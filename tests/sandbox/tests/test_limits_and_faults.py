"""Rate limits, injected faults and the request counters."""
import time

import pytest
import requests

from demo_ids import CONTOSO, FABRIKAM, FRONTDESK, MANUAL

pytestmark = pytest.mark.sandbox_scenario('demo', **MANUAL)


def test_rate_limit_per_organisation_with_headers(sandbox):
    sandbox.ratelimit(3, 300)
    api = sandbox.client('automation')
    answers = [api.get('/v1/user_agents', params={'organization_ids': CONTOSO}) for _attempt in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers['RateLimit-Remaining'] for r in answers] == ['2', '1', '0', '0']
    limited = answers[-1]
    assert limited.headers['RateLimit-Limit'] == '3' and limited.headers['RateLimit-Policy'] == '"organization";q=3;w=300'
    assert limited.headers['RateLimit'].startswith('"organization";r=0;t=')
    assert 0 < int(limited.headers['Retry-After']) <= 300 and limited.headers['RateLimit-Reset'] == limited.headers['Retry-After']
    assert limited.json()['type'] == 'rate_limited'
    # Another organisation has its own quota; the window refills on the simulator clock.
    assert api.get('/v1/user_agents', params={'organization_ids': FABRIKAM}).status_code == 200
    sandbox.advance(300)
    assert api.get('/v1/user_agents', params={'organization_ids': CONTOSO}).status_code == 200


def test_latency(sandbox):
    sandbox.faults({'kind': 'latency', 'method': 'GET', 'path': '/v1/current_user', 'latency_ms': 400})
    started = time.monotonic()
    assert sandbox.client('automation').get('/v1/current_user').status_code == 200
    assert time.monotonic() - started >= 0.4


def test_server_errors_seeded_and_counted(sandbox):
    def statuses() -> list[int]:
        sandbox.clear_faults()
        sandbox.faults({'kind': 'error', 'status': 502, 'path': '/v1/user_agents*', 'rate': 0.5}, seed=42)
        return [api.get('/v1/user_agents', params={'organization_ids': CONTOSO}).status_code for _attempt in range(12)]
    api = sandbox.client('automation')
    first = statuses()
    assert set(first) == {200, 502} and first == statuses()
    error = api.get(f'/v1/user_agents/{FRONTDESK}')
    if error.status_code == 502:
        assert error.json()['type'] == 'server_error'


def test_dropped_connection_before_the_handler(sandbox):
    sandbox.faults({'kind': 'drop', 'method': 'PATCH', 'path': '/v1/user_agents/{id}', 'count': 1})
    api = sandbox.client('automation')
    with pytest.raises(requests.exceptions.ConnectionError):
        api.patch(f'/v1/user_agents/{FRONTDESK}', json={'user_agent': {'friendly_name': 'lost'}})
    assert api.get(f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']['friendly_name'] is None
    assert sandbox.requests()['by_endpoint']['PATCH /v1/user_agents/{id}'] == {'dropped': 1}


def test_dropped_connection_after_a_write_was_applied(sandbox):
    sandbox.faults({'kind': 'drop_after', 'method': 'PATCH', 'path': '/v1/user_agents/*', 'count': 1})
    api = sandbox.client('automation')
    with pytest.raises(requests.exceptions.ConnectionError):
        api.patch(f'/v1/user_agents/{FRONTDESK}', json={'user_agent': {'friendly_name': 'applied'}})
    assert api.get(f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']['friendly_name'] == 'applied'
    assert sandbox.writes() == 1


def test_slow_body(sandbox):
    sandbox.faults({'kind': 'slow_body', 'path': '/v1/user_agents', 'chunk_size': 2000, 'chunk_delay_ms': 100})
    started = time.monotonic()
    response = sandbox.client('automation').get('/v1/user_agents', params={'organization_ids': CONTOSO})
    assert response.status_code == 200 and len(response.json()['data']) == 7
    assert time.monotonic() - started >= 0.1 * (len(response.content) // 2000)


def test_429_storm(sandbox):
    sandbox.faults({'kind': 'storm', 'path': '/v1/current_user', 'count': 3})
    api = sandbox.client('automation')
    answers = [api.get('/v1/current_user') for _attempt in range(4)]
    assert [r.status_code for r in answers] == [429, 429, 429, 200]
    assert all('Retry-After' in r.headers and 'RateLimit' in r.headers for r in answers[:3])


def test_bad_fault_rules_are_refused(sandbox):
    with pytest.raises(Exception, match='unknown fault kind'):
        sandbox.faults({'kind': 'explode'})
    with pytest.raises(Exception, match='needs a count'):
        sandbox.faults({'kind': 'storm'})


def test_request_counters(sandbox):
    api = sandbox.client('automation')
    sandbox.reset_counters()
    api.get('/v1/current_user')
    api.get('/v1/current_user')
    api.get('/v1/user_agents', params={'organization_ids': 'not-a-number'})
    api.patch(f'/v1/user_agents/{FRONTDESK}', json={'user_agent': {'friendly_name': 'Front desk'}})
    sandbox.client('dana').patch(f'/v1/user_agents/{FRONTDESK}', json={'user_agent': {'friendly_name': 'x'}})
    report = sandbox.requests()
    assert report['by_endpoint'] == {'GET /v1/current_user': {'200': 2}, 'GET /v1/user_agents': {'400': 1},
                                     'PATCH /v1/user_agents/{id}': {'200': 1, '403': 1}}
    assert report['total'] == 5 and report['writes'] == 2  # both PATCHes reached the handler; the 400 did not
    assert report['recent'][-1]['org'] == CONTOSO and report['recent'][2]['query'] == 'organization_ids=not-a-number'
    sandbox.reset_counters()
    assert sandbox.requests()['total'] == 0

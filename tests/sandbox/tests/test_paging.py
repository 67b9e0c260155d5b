"""Pagination (links), query logs, and the large scenario."""
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from demo_ids import CONTOSO, MANUAL

LARGE_MSP = 820000


@pytest.mark.sandbox_scenario('large', clock_mode='manual')
def test_large_scenario_lists_1000_agents(sandbox):
    started = time.monotonic()
    sandbox.load('large', clock_mode='manual')
    assert time.monotonic() - started < 5
    response = sandbox.client('automation').get('/v1/user_agents', params={'msp_id': LARGE_MSP})
    assert response.status_code == 200 and len(response.json()['data']) == 1000
    assert response.json()['links']['next'] is None
    technician = sandbox.client('technician')
    organizations = technician.get('/v1/organizations', params={'type': 'sub_organization'}).json()['data']
    assert len(organizations) == 30


@pytest.mark.sandbox_scenario('large', clock_mode='manual')
def test_following_next_links_never_drops_or_repeats(sandbox):
    api = sandbox.client('automation')
    url = '/v1/user_agents'
    params = {'msp_id': LARGE_MSP, 'page[size]': 37, 'sort': '-hostname', 'unknown_extra': 'kept'}
    first = api.get(url, params=params).json()
    last = parse_qs(urlsplit(first['links']['last']).query)
    assert last['page[number]'] == ['28'] and last['page[size]'] == ['37'] and last['unknown_extra'] == ['kept']
    seen, link, pages = [], first['links']['self'], 0
    while link:
        page = api.session.get(link, verify=sandbox.ca_file, timeout=30).json()
        seen += [agent['id'] for agent in page['data']]
        link, pages = page['links']['next'], pages + 1
    assert pages == 28 and len(seen) == 1000 and len(set(seen)) == 1000
    hostnames = [a['attributes']['hostname'] for a in api.get(url, params=dict(params, **{'page[size]': 1000})).json()['data']]
    assert hostnames == sorted(hostnames, reverse=True)
    assert [w['parameter'] for w in sandbox.warnings()][-1] == 'unknown_extra'


@pytest.mark.sandbox_scenario('large', clock_mode='manual')
def test_page_size_is_clamped_to_1500(sandbox):
    response = sandbox.client('automation').get('/v1/agent_local_users', params={'msp_id': LARGE_MSP, 'page[size]': 5000})
    assert len(response.json()['data']) == 1500
    assert 'page%5Bsize%5D=1500' in response.json()['links']['self']


@pytest.mark.sandbox_scenario('demo', **MANUAL)
def test_query_logs_are_deterministic_and_paged(sandbox):
    api = sandbox.client('automation')
    window = {'organization_id': CONTOSO, 'from': '2026-07-20T08:00:00Z', 'to': '2026-07-20T12:00:00Z'}
    first = api.get('/v1/traffic_reports/query_logs', params=window).json()['data']
    assert first['page']['size'] == 10 and first['page']['total'] > 50
    assert first == api.get('/v1/traffic_reports/query_logs', params=window).json()['data']
    rows = []
    for number in range(1, first['page']['last'] + 1):
        page = api.get('/v1/traffic_reports/query_logs', params=dict(window, **{'page[number]': number, 'page[size]': 25})).json()
        rows += [(row['time'], row['agentid']) for row in page['data']['values']]
    assert len(rows) == first['page']['total'] == len(set(rows))
    assert rows == sorted(rows, key=lambda row: row[0], reverse=True)
    clamped = api.get('/v1/traffic_reports/query_logs', params=dict(window, **{'page[size]': 500})).json()['data']
    assert clamped['page']['size'] == 100 and len(clamped['values']) == 100
    blocked = api.get('/v1/traffic_reports/query_logs', params=dict(window, result='blocked')).json()['data']
    assert blocked['values'] and {row['result'] for row in blocked['values']} == {'blocked'}
    usage = api.get(f'/v1/metrics/organization_usage/{CONTOSO}', params={'from': '2026-07-01', 'to': '2026-07-20'})
    assert usage.status_code == 200 and usage.json()['data']['total_requests'] > first['page']['total']

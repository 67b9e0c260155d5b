"""Traffic report aggregates are counted from the query log: every figure agrees with the rows of the same window."""
from collections import Counter

import pytest

from demo_ids import CONTOSO, CONTOSO_MAIN, MANUAL

pytestmark = pytest.mark.sandbox_scenario('demo', **MANUAL)

WINDOW = {'from': '2026-07-20T08:00:00Z', 'to': '2026-07-20T12:00:00Z'}


def query_log(api, **filters):
    rows, number = [], 1
    while True:
        params = dict(WINDOW, organization_id=CONTOSO, **filters, **{'page[number]': number, 'page[size]': 100})
        data = api.get('/v1/traffic_reports/query_logs', params=params).json()['data']
        rows += data['values']
        if data['page']['next'] is None:
            return rows
        number += 1


def top(api, name, **params):
    """Every value of a top list, following its pages, and the last page's body."""
    values, number = [], 1
    while True:
        response = api.get(f'/v1/traffic_reports/{name}',
                           params=dict(WINDOW, organization_ids=str(CONTOSO), **params, **{'page[number]': number, 'page[size]': 3}))
        assert response.status_code == 200, response.text
        data = response.json()['data']
        values += data['values']
        if data['page']['next'] is None:
            return values, response.json()
        number += 1


def test_totals_and_top_lists_agree_with_the_query_log(sandbox):
    api = sandbox.client('automation')
    rows = query_log(api)
    assert len(rows) > 50
    totals = api.get('/v1/traffic_reports/total_requests', params=dict(WINDOW, organization_ids=str(CONTOSO))).json()['data']
    assert totals['organization_ids'] == [CONTOSO]
    assert sum(v['total'] for v in totals['values']) == len(rows)
    assert all(v['total_agents'] == v['total'] and v['total_networks'] == 0 for v in totals['values'])
    # Less than a day: fifteen-minute buckets (the description's "auto").
    assert {v['bucket'][-5:] for v in totals['values']} <= {'00:00', '15:00', '30:00', '45:00'}
    assert len(totals['values']) == 16

    threats = api.get('/v1/traffic_reports/total_threats', params=dict(WINDOW, organization_ids=str(CONTOSO))).json()['data']
    assert sum(v['total'] for v in threats['values']) == sum(1 for r in rows if r['threat']) > 0

    domains, body = top(api, 'top_domains')
    assert {v['domain']: v['total'] for v in domains} == dict(Counter(r['domain'] for r in rows))
    assert body['meta']['total_count'] == len(rows)
    assert [v['total'] for v in domains] == sorted((v['total'] for v in domains), reverse=True)
    blocked = top(api, 'top_domains', type='blocked')[0]
    assert {v['domain'] for v in blocked} == {r['domain'] for r in rows if r['result'] == 'blocked'}
    assert all(v['blocked'] and not v['allowed'] for v in blocked)

    threat_categories = top(api, 'top_categories', security_report='true')[0]
    expected = Counter(name for r in rows if r['threat'] for name in r['categories_names'])
    assert {v['category_name']: v['total'] for v in threat_categories} == dict(expected)

    agents = top(api, 'top_agents')[0]
    assert {v['agent_id']: v['total'] for v in agents} == dict(Counter(r['agentid'] for r in rows))
    users = top(api, 'top_users')[0]
    by_login = Counter(r['local_user_login'] for r in rows if r['local_user_login'])
    listed = {v['user_login'] for v in users}
    assert {v['user_login']: v['total'] for v in users} == {login: n for login, n in by_login.items() if login in listed}
    assert users and sum(v['total'] for v in users) <= len(rows)
    sandbox.assert_no_violations()


def test_a_site_filter_and_per_network_series(sandbox):
    api = sandbox.client('automation')
    site_rows = query_log(api, network_ids=str(CONTOSO_MAIN))
    params = dict(WINDOW, organization_ids=str(CONTOSO), network_ids=str(CONTOSO_MAIN), show_individual_networks='true',
                  bucket_size='1day')
    data = api.get('/v1/traffic_reports/total_requests', params=params).json()['data']
    assert data['network_ids'] == [CONTOSO_MAIN] and len(data['values']) == 1
    assert data['values'][0]['network_id'] == CONTOSO_MAIN and data['values'][0]['total'] == len(site_rows)
    agents = top(api, 'top_agents', network_ids=str(CONTOSO_MAIN))[0]
    assert sum(v['total'] for v in agents) == len(site_rows)
    sandbox.assert_no_violations()


@pytest.mark.parametrize('name, params, named', [
    ('total_requests', {'type': 'sometimes'}, 'type'),
    ('top_domains', {'security_report': 'maybe'}, 'security_report'),
    ('top_agents', {'page[size]': 'ten'}, 'page'),
    ('top_users', {'security_report': 'perhaps'}, 'security_report'),
    ('total_requests', {'bucket_size': '1week'}, 'bucket_size'),
    ('top_domains', {'organization_ids': 'contoso'}, 'organization_ids'),
    ('top_agents', {'network_ids': '94x'}, 'network_ids'),
    ('total_threats', {'from': '2026-07-20T12:00:00Z', 'to': '2026-07-20T08:00:00Z'}, 'from'),
    ('top_domains', {'from': '2026-01-01T00:00:00Z', 'to': '2026-07-20T08:00:00Z'}, 'date range'),
])
def test_bad_input_is_a_400_naming_it(sandbox, name, params, named):
    response = sandbox.client('automation').get(f'/v1/traffic_reports/{name}', params=dict({'organization_ids': str(CONTOSO)}, **params))
    assert response.status_code == 400, response.text
    assert named in response.json()['error']


def test_another_organisation_is_refused_and_no_key_is_401(sandbox):
    from demo_ids import FABRIKAM
    dana = sandbox.client('dana')  # read-only in Contoso only: reading Contoso's reports is allowed
    assert dana.get('/v1/traffic_reports/top_agents', params={'organization_ids': str(CONTOSO)}).status_code == 200
    refused = dana.get('/v1/traffic_reports/top_agents', params={'organization_ids': str(FABRIKAM)})
    assert refused.status_code == 403
    response = sandbox.client(token='not-a-key').get('/v1/traffic_reports/top_domains', params={'organization_ids': str(CONTOSO)})
    assert response.status_code == 401

"""Bulk deletes, the stale-agent cleanup and CSV exports finish after the job delay."""
import csv
import io

import pytest
import requests

from demo_ids import CONTOSO, DR_PARK, FRONTDESK, JDOE_LOCAL_USER, MANUAL, XRAY

pytestmark = pytest.mark.sandbox_scenario('demo', **MANUAL)
DELAY = MANUAL['job_delay_seconds']
LOANER = 'c0a70c50-0000-4000-8000-000000000007'


def test_bulk_delete_and_uninstall_counts_and_completion(sandbox):
    api = sandbox.client('automation')
    counts = api.get('/v1/user_agent_bulk_deletes/counts', params={'organization_id': CONTOSO}).json()
    # Five agents can uninstall remotely; the old X-ray agent and the already-uninstalled loaner can only go.
    assert counts == {'uninstall_and_delete': 5, 'delete': 2}
    job = api.post('/v1/user_agent_bulk_deletes', params={'organization_id': CONTOSO, 'queue_uninstall': 'true'}).json()['data']
    assert job['count'] == 7 and job['completed'] is False and job['queue_uninstall'] is True
    assert api.get(f'/v1/user_agent_bulk_deletes/{job["id"]}').json()['data']['completed'] is False
    sandbox.advance(DELAY)
    assert api.get(f'/v1/user_agent_bulk_deletes/{job["id"]}').json()['data'] == dict(job, completed=True)
    assert api.get(f'/v1/user_agents/{XRAY}').status_code == 404
    assert api.get(f'/v1/user_agents/{LOANER}').status_code == 404
    assert api.get(f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']['uninstall_queued_at']


def test_bulk_delete_by_ids_with_exclusions(sandbox):
    api = sandbox.client('automation')
    body = {'ids': [FRONTDESK, XRAY, DR_PARK], 'exclude_ids': [DR_PARK]}
    job = api.post('/v1/user_agent_bulk_deletes', json=body).json()['data']
    assert job['count'] == 2 and job['queue_uninstall'] is False
    sandbox.advance(DELAY)
    assert [api.get(f'/v1/user_agents/{a}').status_code for a in (FRONTDESK, XRAY, DR_PARK)] == [404, 404, 200]


def test_user_bulk_delete(sandbox):
    api = sandbox.client('automation')
    job = api.post('/v1/agent_local_user_bulk_deletes', json={'ids': [JDOE_LOCAL_USER]}).json()['data']
    assert job['ids'] == [JDOE_LOCAL_USER] and job['completed'] is False
    assert api.get('/v1/agent_local_user_bulk_deletes/counts', params={'id': job['id']}).json() == {'count': 1}
    sandbox.advance(DELAY)
    assert api.get(f'/v1/agent_local_user_bulk_deletes/{job["id"]}').json()['data']['completed'] is True
    assert api.get(f'/v1/agent_local_users/{JDOE_LOCAL_USER}').status_code == 404


def test_cleanup_finds_then_deletes_inactive_agents(sandbox):
    api = sandbox.client('automation')
    job = api.post('/v1/user_agent_cleanups', json={'organization_ids': [CONTOSO], 'inactive_for': 5}).json()['data']
    assert job['query_completed'] is False
    sandbox.advance(DELAY)
    found = api.get(f'/v1/user_agent_cleanups/{job["id"]}').json()['data']
    assert found['query_completed'] and sorted(found['to_delete']) == ['DR-PARK-MBP', 'LOANER-03']
    assert found['started'] is False and api.get(f'/v1/user_agents/{DR_PARK}').status_code == 200
    assert api.put(f'/v1/user_agent_cleanups/{job["id"]}', json={'start': True}).json()['data']['started'] is True
    sandbox.advance(DELAY)
    assert api.get(f'/v1/user_agent_cleanups/{job["id"]}').json()['data']['completed'] is True
    assert api.get(f'/v1/user_agents/{DR_PARK}').status_code == 404


def test_cleanup_started_early_runs_once_the_search_is_done(sandbox):
    api = sandbox.client('automation')
    job = api.post('/v1/user_agent_cleanups', json={'organization_ids': [CONTOSO], 'inactive_for': 5}).json()['data']
    assert api.put(f'/v1/user_agent_cleanups/{job["id"]}', json={'start': True}).json()['data']['started'] is True
    sandbox.advance(DELAY * 2)
    assert api.get(f'/v1/user_agent_cleanups/{job["id"]}').json()['data']['completed'] is True


def _download(sandbox, url: str) -> list[dict]:
    assert url.startswith(sandbox.api_url + '/sim-exports/')
    response = requests.get(url, verify=sandbox.ca_file, timeout=10)  # no Authorization: a pre-signed URL
    assert response.status_code == 200 and response.headers['Content-Type'].startswith('text/csv')
    return list(csv.DictReader(io.StringIO(response.text)))


def test_roaming_client_export(sandbox):
    api = sandbox.client('automation')
    export = api.post('/v1/user_agent_csv_exports', json={'user_agent_csv_export': {'organization_ids': [CONTOSO]}}).json()['data']
    assert export['url'] is None
    sandbox.advance(DELAY)
    done = api.get(f'/v1/user_agent_csv_exports/{export["id"]}').json()['data']
    rows = _download(sandbox, done['url'])
    assert len(rows) == 7 and {'Client Name', 'State', 'RC Version', 'Site Name'} <= set(rows[0])
    assert {row['Client Name'] for row in rows} >= {'FRONTDESK-01', 'X-ray workstation'}


def test_user_and_network_exports_and_the_direct_csv(sandbox):
    api = sandbox.client('dana')  # exporting changes nothing, so read-only users may
    users = api.post('/v2/agent_local_users_csv_export', json={'agent_local_users_csv_export': {'organization_ids': [CONTOSO]}})
    networks = api.post('/v2/networks_csv_export', json={'networks_csv_export': {'organization_ids': [CONTOSO]}})
    assert users.status_code == 200 and networks.status_code == 200
    sandbox.advance(DELAY)
    user_export = api.get(f'/v2/agent_local_users_csv_export/{users.json()["data"]["uuid"]}').json()['data']
    network_export = api.get(f'/v2/networks_csv_export/{networks.json()["data"]["id"]}').json()['data']
    assert 'DESK-07\\jdoe' in {row['User Login'] for row in _download(sandbox, user_export['url'])}
    assert {row['Site Name'] for row in _download(sandbox, network_export['url'])} == {
        'Contoso Dental - Main Clinic', 'Contoso Dental - Westside Clinic'}
    direct = api.get('/v1/user_agents/csv', params={'organization_id': CONTOSO})
    assert direct.status_code == 200 and direct.text.startswith('Client Name,State,RC Version')

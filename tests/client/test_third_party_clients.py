"""Third-party DNSFilter clients against the simulator: their exact request shapes get the live API's answers.

The requests are rebuilt with plain ``requests`` from reading the clients' sources (no code copied):

- DNSFilter's own CLI ``dnsfcli`` (repository DNSFilter/support, commit 4e195b2):
  ``dnsfcli/src/dnsfcli/client.py`` (httpx; headers ``Authorization: Bearer <key>``, ``Accept`` and
  ``Content-Type: application/json`` on every request; 429 waits ``Retry-After`` read as whole seconds; a
  client-side budget of 80 % of 2,000/300 s plus a burst of 60), ``dnsfcli/src/dnsfcli/endpoints.py`` (paths),
  ``dnsfcli/src/dnsfcli/cli.py`` (``--page``/``--page-size`` become ``page[number]``/``page[size]``; the stored
  org id fills an operation's ``organization_id``; other parameters of a GET or DELETE go to the query),
  ``dnsfcli/src/dnsfcli/cliparams.py`` (``true`` becomes a boolean, ``[..]`` a list, path ids URL-quoted) and
  ``dnsfcli/src/dnsfcli/commands/auth.py`` (``auth verify`` is ``GET /v1/organizations``).
- The PowerShell module christaylorcodes/DNSFilterAPI: ``source/Public/Connection/Connect-DNSFilter.ps1``,
  ``source/Private/Invoke-DNSFilterRequest.ps1``, ``source/Private/Join-Url.ps1``,
  ``source/Public/Organization/Get-DNSFilterOrganization.ps1``, ``source/Public/UserAgent/Get-DNSFilterUserAgent.ps1``
  and ``Remove-DNSFilterUserAgent.ps1`` (release 1.0.0, commit 68bd20f: ``[int]$ID``; fixed in 2efc547,
  ``CHANGELOG.md``: ``[string]$ID``).

What the live API answers is taken from DNSFilter's recorded samples (``tests/sandbox/contract/dnsfilter-sample-responses.json``,
recorded for dnsfcli's documentation) and its OpenAPI description.
"""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests

SAMPLES = Path(__file__).resolve().parents[2] / 'tests' / 'sandbox' / 'contract' / 'dnsfilter-sample-responses.json'
CONTOSO, FABRIKAM = 810101, 810102
CONTOSO_PIN = '482916'
FRONTDESK = 'c0a70c50-0000-4000-8000-000000000001'
DESK_07 = 'c0a70c50-0000-4000-8000-000000000002'
REVOKED_KEY = 'sim-revoked-ellen-key-0000000000000001'  # fake, simulator only
LINK_KEYS = {'self', 'first', 'prev', 'next', 'last'}  # every recorded list sample's links

# dnsfcli sends these on every request (client.py); httpx adds its User-Agent.
DNSFCLI_HEADERS = {'Accept': 'application/json', 'Content-Type': 'application/json', 'User-Agent': 'python-httpx/0.28.1'}
# Connect-DNSFilter puts these on the web session; Invoke-RestMethod adds its User-Agent and, only with a body,
# the Content-Type.
PSM_HEADERS = {'Accept': 'application/json', 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/7.4.6'}


def sample_status(name: str) -> int:
    """The HTTP status DNSFilter answered in a recorded sample (each starts 'HTTP 200 OK')."""
    text = json.loads(SAMPLES.read_text())[name]
    return int(re.match(r'HTTP (\d{3})', text).group(1))


def sample_body(name: str):
    return json.loads(json.loads(SAMPLES.read_text())[name].split('\n\n', 1)[1])


def send(sandbox, method: str, path: str, query: list[tuple[str, object]] | None, headers: dict, key: str) -> requests.Response:
    """One request with the exact path, query string and headers given (the query is encoded here, as httpx does)."""
    url = sandbox.api_url + path
    if query:
        url += '?' + urlencode([(k, str(v).lower() if isinstance(v, bool) else v) for k, v in query])
    prepared = requests.Request(method, url, headers=dict(headers, Authorization=f'Bearer {key}')).prepare()
    assert prepared.url == url  # requests must not re-encode what the client sent
    with requests.Session() as session:
        return session.send(prepared, verify=sandbox.ca_file, timeout=30)


def dnsfcli(sandbox, method: str, path: str, query=None, key: str | None = None) -> requests.Response:
    return send(sandbox, method, path, query, DNSFCLI_HEADERS, key or sandbox.key('automation'))


def psm(sandbox, method: str, path: str, query=None, key: str | None = None) -> requests.Response:
    # Invoke-DNSFilterRequest escapes each key and value with [uri]::EscapeDataString; none here needs escaping.
    return send(sandbox, method, path, query, PSM_HEADERS, key or sandbox.key('automation'))


def assert_v1_error(response: requests.Response, status: int | tuple[int, ...]) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {'error', 'type'} and isinstance(body['error'], str), body
    return body


def assert_json_api_list(response: requests.Response, kind: str) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers['Content-Type'].startswith('application/json')
    body = response.json()
    assert set(body['links']) == LINK_KEYS
    for item in body['data']:
        assert item['type'] == kind and isinstance(item['id'], str) and isinstance(item['attributes'], dict)
    return body['data']


@pytest.fixture
def no_new_warnings(sandbox):
    """The clients' parameters are all understood: no unknown_parameter (or other) warning is recorded."""
    before = len(sandbox.warnings())
    yield
    assert sandbox.warnings()[before:] == []


# --- dnsfcli ------------------------------------------------------------------------------------------


def test_dnsfcli_auth_verify(sandbox, no_new_warnings):
    response = dnsfcli(sandbox, 'GET', '/v1/organizations')
    assert response.status_code == sample_status('organizations/list')
    orgs = assert_json_api_list(response, 'organizations')
    assert {o['attributes']['name'] for o in orgs} >= {'Northwind MSP', 'Contoso Dental'}
    # A revoked key fails verification: 401 with the v1 error body; dnsfcli shows body["error"].
    body = assert_v1_error(dnsfcli(sandbox, 'GET', '/v1/organizations', key=REVOKED_KEY), 401)
    assert body == {'error': 'Not authorized', 'type': 'unauthorized'}


def test_dnsfcli_organizations_list_pages(sandbox, no_new_warnings):
    # dnsfcli organizations list --page N --page-size 2
    seen, number = [], 1
    while True:
        response = dnsfcli(sandbox, 'GET', '/v1/organizations', [('page[number]', number), ('page[size]', 2)])
        page = assert_json_api_list(response, 'organizations')
        assert response.request.url.endswith(f'?page%5Bnumber%5D={number}&page%5Bsize%5D=2')
        seen += [o['id'] for o in page]
        if response.json()['links']['next'] is None:
            break
        assert f'page%5Bnumber%5D={number + 1}' in response.json()['links']['next']
        number += 1
    assert number > 1 and len(seen) == len(set(seen))
    everything = assert_json_api_list(dnsfcli(sandbox, 'GET', '/v1/organizations'), 'organizations')
    assert sorted(seen) == sorted(o['id'] for o in everything)


def test_dnsfcli_user_agents_list(sandbox, no_new_warnings):
    # dnsfcli user-agents list --organization_ids 810101 --page 1 --page-size 3
    query = [('organization_ids', CONTOSO), ('page[number]', 1), ('page[size]', 3)]
    response = dnsfcli(sandbox, 'GET', '/v1/user_agents', query)
    assert response.status_code == sample_status('user-agents/list')
    agents = assert_json_api_list(response, 'user_agents')
    assert len(agents) == 3 and all(uuid.UUID(a['id']) for a in agents)
    assert response.json()['links']['next'] is not None
    recent = sandbox.requests()['recent'][-1]
    assert recent['query'] == 'organization_ids=810101&page[number]=1&page[size]=3' and recent['org'] == CONTOSO
    # --organization_ids '[810101,810102]' is coerced to a list: httpx repeats the key.
    both = dnsfcli(sandbox, 'GET', '/v1/user_agents', [('organization_ids', CONTOSO), ('organization_ids', FABRIKAM)])
    # An agent's attributes do not name its organisation (sample user-agents/list); the control port knows it.
    owner = {d['agent_id']: d['organization_id'] for d in sandbox.devices()}
    orgs = {owner[a['id']] for a in assert_json_api_list(both, 'user_agents')}
    assert orgs == {CONTOSO, FABRIKAM}


def test_dnsfcli_uninstall_pin(sandbox, no_new_warnings):
    # dnsfcli user-agents uninstall-pin (organization_id injected from the stored org id)
    response = dnsfcli(sandbox, 'GET', '/v1/user_agents/uninstall_pin', [('organization_id', CONTOSO)])
    assert response.status_code == sample_status('user-agents/uninstall-pin')
    body = response.json()
    assert set(body) == set(sample_body('user-agents/uninstall-pin')) == {'pin'}
    assert body['pin'] == CONTOSO_PIN


def test_dnsfcli_agent_delete(sandbox, no_new_warnings):
    # dnsfcli user-agents delete --id <uuid>: DELETE with the JSON Content-Type header and no body.
    response = dnsfcli(sandbox, 'DELETE', '/v1/user_agents/' + quote(DESK_07, safe=''))
    assert response.status_code == sample_status('user-agents/delete') == 204
    assert response.content == b''
    assert_v1_error(dnsfcli(sandbox, 'GET', f'/v1/user_agents/{DESK_07}'), 404)
    # dnsfcli user-agents delete --id <uuid> --queue_uninstall true: the flag goes to the query as "true".
    queued = dnsfcli(sandbox, 'DELETE', f'/v1/user_agents/{FRONTDESK}', [('queue_uninstall', True)])
    assert queued.status_code == 204 and queued.request.url.endswith('?queue_uninstall=true')
    shown = dnsfcli(sandbox, 'GET', f'/v1/user_agents/{FRONTDESK}').json()['data']['attributes']
    assert shown['uninstall_queued_at'] is not None
    # An unknown agent is the v1 404.
    assert_v1_error(dnsfcli(sandbox, 'DELETE', f'/v1/user_agents/{uuid.UUID(int=7)}'), 404)


def test_dnsfcli_rate_limit_budget_and_429(sandbox):
    response = dnsfcli(sandbox, 'GET', '/v1/organizations')
    policy = re.fullmatch(r'"organization";q=(\d+);w=(\d+)', response.headers['RateLimit-Policy'])
    quota, window = int(policy.group(1)), int(policy.group(2))
    assert (quota, window) == (2000, 300)  # what dnsfcli hard-codes
    # dnsfcli's worst case in one window: its burst plus 80 % of the quota refilled over the window.
    assert 60 + quota * 0.8 / window * window < quota
    # Over the limit: 429 with the v1 error body and a Retry-After dnsfcli can read as whole seconds.
    sandbox.ratelimit(3, window=300)
    statuses = [dnsfcli(sandbox, 'GET', '/v1/user_agents', [('organization_ids', CONTOSO)]) for dummy in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    throttled = statuses[-1]
    assert_v1_error(throttled, 429)
    assert 0 < int(throttled.headers['Retry-After']) <= 300
    assert throttled.headers['RateLimit-Remaining'] == '0'


# --- christaylorcodes/DNSFilterAPI (PowerShell) -------------------------------------------------------


def test_psm_connect_posts_an_undocumented_path(sandbox):
    """Connect-DNSFilter POSTs /v1/authenticate (no body), a path the API description does not have.

    The simulator answers it as a routing miss (v1 404), so Connect-DNSFilter throws against it. Whether the
    live API has the route is a GAP: if it answers 2xx there, the simulator needs the route.
    """
    body = assert_v1_error(psm(sandbox, 'POST', '/v1/authenticate'), 404)
    assert body['type'] == 'not_found'


def test_psm_get_organizations_and_agents(sandbox, no_new_warnings):
    # Get-DNSFilterOrganization; Get-DNSFilterOrganization -ID 810101
    assert_json_api_list(psm(sandbox, 'GET', '/v1/organizations'), 'organizations')
    org = psm(sandbox, 'GET', f'/v1/organizations/{CONTOSO}')
    assert org.status_code == sample_status('organizations/show')
    assert org.json()['data']['attributes']['name'] == 'Contoso Dental'
    # Get-DNSFilterUserAgent -OrganizationId 810101: no page parameters, so one page of the default size.
    response = psm(sandbox, 'GET', '/v1/user_agents', [('organization_ids', CONTOSO)])
    agents = assert_json_api_list(response, 'user_agents')
    assert len(agents) == 7 and response.json()['links']['next'] is None
    assert 'page%5Bsize%5D=1500' in response.json()['links']['self']  # as in every recorded list sample
    # Get-DNSFilterUserAgent -ID <guid> (string since 2efc547)
    shown = psm(sandbox, 'GET', f'/v1/user_agents/{DESK_07}')
    assert shown.status_code == sample_status('user-agents/show')
    assert shown.json()['data']['id'] == DESK_07 and shown.json()['data']['type'] == 'user_agents'


@pytest.mark.sandbox_scenario('demo', clock_mode='manual')
def test_psm_remove_user_agent_soft_deletes_and_the_agent_comes_back(sandbox, no_new_warnings):
    """Remove-DNSFilterUserAgent -ID <guid> sends a plain DELETE: no queue_uninstall, so the agent stays installed."""
    response = psm(sandbox, 'DELETE', f'/v1/user_agents/{DESK_07}')
    assert response.status_code == 204 and response.content == b''
    assert psm(sandbox, 'GET', f'/v1/user_agents/{DESK_07}').status_code == 404
    device = next(d for d in sandbox.devices() if d['agent_id'] == DESK_07)
    sandbox.checkin([device['id']])
    back = psm(sandbox, 'GET', f'/v1/user_agents/{DESK_07}')
    assert back.status_code == 200 and back.json()['data']['attributes']['status'] == 'active'


def test_psm_1_0_0_integer_id_is_rejected(sandbox, no_new_warnings):
    """PowerShell Gallery 1.0.0 typed -ID as [int].

    ``Remove-DNSFilterUserAgent -ID $agent.id`` (a GUID) fails parameter binding before any request; the
    documented ``Remove-DNSFilterUserAgent -ID 123`` sends DELETE /v1/user_agents/123. The id is a UUID in the
    description, so the API refuses it (400 or 404, v1 error body) and nothing is deleted.
    """
    before = assert_json_api_list(psm(sandbox, 'GET', '/v1/user_agents', [('organization_ids', CONTOSO)]), 'user_agents')
    writes = sandbox.writes()
    assert_v1_error(psm(sandbox, 'DELETE', '/v1/user_agents/123'), (400, 404))
    assert_v1_error(psm(sandbox, 'GET', '/v1/user_agents/123'), (400, 404))
    assert sandbox.writes() == writes
    after = assert_json_api_list(psm(sandbox, 'GET', '/v1/user_agents', [('organization_ids', CONTOSO)]), 'user_agents')
    assert [a['id'] for a in after] == [a['id'] for a in before]

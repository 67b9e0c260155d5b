"""DNSFilterClient (plugins/module_utils/_api.py) against the simulator: paging, 429, 5xx, drops, deadline."""
from __future__ import annotations

import pytest

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterClient, DNSFilterError

CONTOSO = 810101
AUTOMATION_KEY = 'sim-automation-key-0000000000000001'  # fake, simulator only


def client(sandbox, user='automation', **kwargs):
    kwargs.setdefault('api_deadline', 120)
    return DNSFilterClient(sandbox.key(user), api_url=sandbox.api_url, ca_path=sandbox.ca_file, backoff_base=0.05, backoff_cap=0.5, **kwargs)


def test_current_user_over_https_with_the_generated_ca(sandbox):
    body = client(sandbox).get('/v1/current_user')
    assert body['data']['attributes']['email']


def test_without_the_ca_tls_verification_fails_clearly(sandbox):
    api = DNSFilterClient(sandbox.key('automation'), api_url=sandbox.api_url, ca_path=None, api_deadline=5)
    with pytest.raises(DNSFilterError) as err:
        api.get('/v1/current_user')
    assert 'TLS verification' in err.value.message


@pytest.mark.sandbox_scenario('large', clock_mode='manual')
@pytest.mark.parametrize('page_size', [100, 37])
def test_lists_1000_agents_exactly_once(sandbox, page_size):
    sandbox.reset_counters()
    agents = client(sandbox).list('/v1/user_agents/all', page_size=page_size)
    ids = [a['id'] for a in agents]
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert sandbox.requests()['writes'] == 0


@pytest.mark.sandbox_scenario('large', clock_mode='manual')
def test_5xx_and_a_429_storm_still_give_exactly_1000_and_no_repeated_write(sandbox):
    # A storm answers Retry-After with the limit's window: a one-second window keeps the test short.
    sandbox.ratelimit(2000, window=1)
    sandbox.faults({'kind': 'error', 'path': '/v1/user_agents*', 'rate': 0.2, 'status': 503},
                   {'kind': 'storm', 'path': '/v1/user_agents*', 'count': 5},
                   {'kind': 'error', 'method': 'POST', 'path': '/v1/api_keys*', 'rate': 1.0, 'count': 1, 'status': 502},
                   seed=7)
    sandbox.reset_counters()
    api = client(sandbox)
    agents = api.list('/v1/user_agents/all', page_size=50)
    assert len({a['id'] for a in agents}) == len(agents) == 1000
    counters = sandbox.requests()
    assert counters['writes'] == 0
    hits = counters['by_endpoint']['GET /v1/user_agents/all']
    assert hits.get('429') == 5 and hits.get('503', 0) >= 1, hits
    # A POST answered 502 is not sent again: one attempt, one clear error, nothing written twice.
    with pytest.raises(DNSFilterError) as err:
        api.post('/v1/api_keys', {'name': 'never-twice', 'expiry': '2027-06-01'})
    assert err.value.status == 502 and 'not retried' in err.value.message
    assert sandbox.requests()['by_endpoint']['POST /v1/api_keys'] == {'502': 1}
    keys = api.list('/v1/api_keys')
    assert not [k for k in keys if k['attributes']['name'] == 'never-twice']


def test_dropped_connection_after_a_write_is_not_resent(sandbox):
    sandbox.faults({'kind': 'drop_after', 'method': 'POST', 'path': '/v1/api_keys/*/revoke', 'count': 1})
    sandbox.reset_counters()
    api = client(sandbox, user='bob')
    with pytest.raises(DNSFilterError) as err:
        api.post('/v1/api_keys/5005/revoke')
    assert 'not sent again' in err.value.message
    assert sandbox.requests()['writes'] == 1
    assert api.get('/v1/api_keys/5005')['data']['attributes']['status'] == 'revoked'


def test_dropped_reads_are_retried(sandbox):
    sandbox.faults({'kind': 'drop', 'method': 'GET', 'path': '/v1/organizations', 'count': 2})
    orgs = client(sandbox).list('/v1/organizations')
    assert {o['attributes']['name'] for o in orgs} >= {'Contoso Dental'}


def test_rate_limit_beyond_the_deadline_fails_with_the_reason(sandbox):
    sandbox.ratelimit(3, window=300)
    api = client(sandbox, api_deadline=3)
    with pytest.raises(DNSFilterError) as err:
        for dummy in range(5):
            api.get('/v1/current_user')
    assert err.value.status == 429 and 'deadline' in err.value.message


def test_errors_name_the_problem_and_never_the_key(sandbox):
    with pytest.raises(DNSFilterError) as err:
        DNSFilterClient(sandbox.key('ellen', name='Ellen revoked key'), api_url=sandbox.api_url, ca_path=sandbox.ca_file).get('/v1/current_user')
    assert err.value.status == 401 and 'revoked' in err.value.message
    readonly = client(sandbox, user='dana')
    with pytest.raises(DNSFilterError) as err:
        readonly.delete('/v1/user_agents/c0a70c50-0000-4000-8000-000000000001')
    assert err.value.status == 403 and 'lacks permission' in err.value.message
    assert sandbox.key('dana') not in err.value.message


def test_bearer_and_bare_headers_both_work(sandbox):
    api = client(sandbox)
    assert api.get('/v1/current_user')
    api.session.headers['Authorization'] = 'Bearer ' + sandbox.key('automation')
    assert api.get('/v1/current_user')

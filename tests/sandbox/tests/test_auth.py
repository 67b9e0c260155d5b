"""Authentication, API keys and permissions, over HTTPS with the simulator's generated CA."""
import pytest
import requests

from demo_ids import BOB_KEY_ID, CONTOSO, CONTOSO_POLICY, FRONTDESK, MANUAL, TAILSPIN

pytestmark = pytest.mark.sandbox_scenario('demo', **MANUAL)


@pytest.mark.parametrize('bearer', [False, True], ids=['plain-key', 'bearer'])
def test_current_user_over_https_with_either_header_style(sandbox, bearer):
    assert sandbox.api_url.startswith('https://')
    response = sandbox.client('automation', bearer=bearer).get('/v1/current_user')
    assert response.status_code == 200
    assert response.json()['data']['attributes']['email'] == 'automation@northwind-msp.example'


def test_the_generated_ca_is_needed(sandbox):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(sandbox.api_url + '/v1/current_user', verify=True, timeout=10)


@pytest.mark.parametrize('token', [None, 'sim-no-such-key', 'sim-revoked-ellen-key-0000000000000001',
                                   'sim-expired-ellen-key-0000000000000001'],
                         ids=['missing', 'unknown', 'revoked', 'expired'])
def test_unusable_keys_get_401(sandbox, token):
    response = sandbox.client(token=token).get('/v1/organizations')
    assert response.status_code == 401
    assert response.json() == {'error': 'Not authorized', 'type': 'unauthorized'}


def test_a_key_expires_on_the_simulator_clock(sandbox):
    api = sandbox.client('automation')
    created = api.post('/v1/api_keys', json={'name': 'short-lived', 'expiry': '2026-07-20T15:00:00Z'}).json()['data']
    short = sandbox.client(token=created['attributes']['token'])
    assert short.get('/v1/current_user').status_code == 200
    sandbox.advance(3600)
    assert short.get('/v1/current_user').status_code == 401


def test_the_full_token_is_shown_once_and_never_logged(sandbox):
    api = sandbox.client('automation')
    created = api.post('/v1/api_keys', json={'name': 'psa-integration', 'expiry': '2027-01-31'})
    assert created.status_code == 201
    token = created.json()['data']['attributes']['token']
    key_id = created.json()['data']['id']
    shown = api.get(f'/v1/api_keys/{key_id}').json()['data']['attributes']
    assert shown['token'] == '*' * 15 + token[-4:] and shown['last_four'] == token[-4:]
    assert all(token not in str(item) for item in api.get('/v1/api_keys').json()['data'])
    sandbox.client(token=token).get('/v1/current_user')
    log = (sandbox.state_dir / 'server.log').read_text()
    assert token not in log and sandbox.key('automation') not in log


def test_a_deleted_key_stops_working(sandbox):
    api = sandbox.client('automation')
    created = api.post('/v1/api_keys', json={'name': 'temporary', 'expiry': '2027-01-31'}).json()['data']
    temporary = sandbox.client(token=created['attributes']['token'])
    assert temporary.delete(f'/v1/api_keys/{created["id"]}').status_code == 204
    assert temporary.get('/v1/current_user').status_code == 401


def test_a_read_only_users_write_is_refused_and_changes_nothing(sandbox):
    dana = sandbox.client('dana')
    before = dana.get(f'/v1/user_agents/{FRONTDESK}').json()
    response = dana.patch(f'/v1/user_agents/{FRONTDESK}', json={'user_agent': {'friendly_name': 'renamed'}})
    assert response.status_code == 403
    assert set(response.json()) == {'error', 'type'} and response.json()['type'] == 'forbidden'
    refused = dana.post(f'/v1/policies/{CONTOSO_POLICY}/add_blacklist_domain', json={'domain': 'example.org', 'note': 'x'})
    assert refused.status_code == 403
    assert dana.get(f'/v1/user_agents/{FRONTDESK}').json() == before
    assert 'example.org' not in dana.get(f'/v1/policies/{CONTOSO_POLICY}').json()['data']['attributes']['blacklist_domains']
    # ... but their own keys are theirs to manage.
    assert dana.post('/v1/api_keys', json={'name': 'mine', 'expiry': '2027-01-31'}).status_code == 201


def test_another_users_api_key_cannot_be_revoked_or_deleted(sandbox):
    automation = sandbox.client('automation')
    assert automation.post(f'/v1/api_keys/{BOB_KEY_ID}/revoke').status_code == 404
    assert automation.delete(f'/v1/api_keys/{BOB_KEY_ID}').status_code == 404
    assert automation.get(f'/v1/api_keys/{BOB_KEY_ID}').status_code == 404
    assert sandbox.client('bob').get('/v1/current_user').status_code == 200
    bob = sandbox.client('bob')
    revoked = bob.post(f'/v1/api_keys/{BOB_KEY_ID}/revoke')
    assert revoked.status_code == 200 and revoked.json()['data']['attributes']['status'] == 'revoked'
    assert sandbox.client(token=sandbox.key('bob', name='Bob PSA sync')).get('/v1/current_user').status_code == 401


def test_five_active_keys_at_most(sandbox):
    bob = sandbox.client('bob')
    assert len(bob.get('/v1/api_keys').json()['data']) == 2
    made = [bob.post('/v1/api_keys', json={'name': f'key {n}', 'expiry': '2027-01-31'}) for n in range(3)]
    assert [r.status_code for r in made] == [201, 201, 201]
    sixth = bob.post('/v1/api_keys', json={'name': 'one too many', 'expiry': '2027-01-31'})
    assert sixth.status_code == 422 and 'active API keys' in sixth.json()['error']
    assert bob.post(f'/v1/api_keys/{made[0].json()["data"]["id"]}/revoke').status_code == 200
    assert bob.post('/v1/api_keys', json={'name': 'after revoking one', 'expiry': '2027-01-31'}).status_code == 201


def test_removing_a_membership_keeps_the_account_and_its_keys(sandbox):
    bob = sandbox.client('bob')
    assert bob.get('/v1/user_agents', params={'organization_ids': TAILSPIN}).status_code == 200
    automation = sandbox.client('automation')
    assert automation.delete(f'/v1/organizations/{TAILSPIN}/users/610004').status_code == 204
    assert bob.get('/v1/user_agents', params={'organization_ids': TAILSPIN}).status_code == 403
    assert bob.get('/v1/user_agents', params={'organization_ids': CONTOSO}).status_code == 200
    assert automation.get('/v1/users/610004').status_code == 200
    members = automation.get(f'/v1/organizations/{TAILSPIN}/users').json()['users']
    assert 610004 not in [m['id'] for m in members]


def test_msp_membership_narrowed_by_an_include_only_list(sandbox):
    bob = sandbox.client('bob')
    seen = {org['attributes']['name'] for org in bob.get('/v1/organizations').json()['data']}
    assert seen == {'Northwind MSP', 'Contoso Dental', 'Fabrikam Legal', 'Tailspin Veterinary'}
    automation = sandbox.client('automation')
    narrowed = automation.patch('/v1/organizations/810001/users/610004',
                                json={'user': {'organization_permission_ids': [CONTOSO], 'is_include_only_list': True}})
    assert narrowed.status_code == 200 and narrowed.json()['user']['organization_permission_ids'] == [CONTOSO]
    assert bob.get('/v1/user_agents', params={'organization_ids': 810102}).status_code == 403
    assert sandbox.client('dana').get('/v1/organizations').json()['data'][0]['attributes']['name'] == 'Contoso Dental'


def test_nobody_grants_a_role_above_their_own(sandbox):
    automation = sandbox.client('automation')
    response = automation.post(f'/v1/organizations/{CONTOSO}/users',
                               json={'user': {'email': 'new.admin@contosodental.example', 'role': 'super_administrator'}})
    assert response.status_code == 403
    added = automation.post(f'/v1/organizations/{CONTOSO}/users', json={'user': {'email': 'temp@contosodental.example', 'role': 'read_only'}})
    assert added.status_code == 200 and added.json()['user']['role'] == 'read_only'


def test_organisations_are_created_and_deleted_by_msp_owners_only(sandbox):
    body = {'organization': {'name': 'Woodgrove Bank', 'managed_by_msp_id': 810001}}
    assert sandbox.client('automation').post('/v1/organizations', json=body).status_code == 403
    grace = sandbox.client('grace')
    created = grace.post('/v1/organizations', json=body)
    assert created.status_code == 201
    assert created.json()['data']['attributes']['managed_by_msp_id'] == 810001
    assert sandbox.client('automation').delete(f'/v1/organizations/{CONTOSO}').status_code == 403
    assert grace.delete('/v1/organizations/810001').status_code == 422  # the MSP itself is not an MSP customer
    assert grace.delete('/v1/organizations/999999').status_code == 422
    assert grace.post('/v1/organizations/810102/cancel').status_code == 204
    assert grace.get('/v1/organizations/810102').json()['data']['attributes']['canceled'] is True
    assert grace.delete(f'/v1/organizations/{CONTOSO}', params={'clear_subscription_info': 'true'}).status_code == 204
    assert grace.get(f'/v1/organizations/{CONTOSO}').status_code == 404
    assert sandbox.client('dana').get('/v1/current_user').status_code == 200
    assert sandbox.client('dana').get('/v1/organizations').json()['data'] == []

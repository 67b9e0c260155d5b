"""Requests are held to the description before any handler runs; the description itself still validates."""
import pytest
from openapi_spec_validator import validate

from dnsfilter_sim.spec import Spec, load_description
from dnsfilter_sim.spec_patches import PATCHES
from demo_ids import CONTOSO, CONTOSO_MAIN, CONTOSO_POLICY, MANUAL

pytestmark = pytest.mark.sandbox_scenario('demo', **MANUAL)


@pytest.mark.parametrize('params, named', [
    ({'organization_ids': 'abc'}, 'organization_ids'),
    ({'page[size]': 'ten'}, 'page'),
    ({'state': 'sleeping'}, 'state'),
    ({'organization_ids': CONTOSO, 'status': 'gone'}, 'status'),
    ({'organization_ids': CONTOSO, 'agent_type[value]': 'macos', 'agent_type[operator]': 'like'}, 'agent_type[operator]'),
])
def test_a_wrong_parameter_gets_400_naming_it(sandbox, params, named):
    response = sandbox.client('automation').get('/v1/user_agents', params=params)
    assert response.status_code == 400
    assert named in response.json()['error']


def test_required_parameters_and_bodies(sandbox):
    api = sandbox.client('automation')
    missing = api.get('/v1/user_agents/uninstall_pin')
    assert missing.status_code == 400 and 'organization_id' in missing.json()['error']
    assert api.get('/v1/user_agents/uninstall_pin', params={'organization_id': CONTOSO}).json() == {'pin': '482916'}
    body = api.post(f'/v1/policies/{CONTOSO_POLICY}/add_blacklist_domain', json={'domain': 5, 'note': 'x'})
    assert body.status_code == 400 and 'domain' in body.json()['error']
    invalid = api.post(f'/v1/policies/{CONTOSO_POLICY}/add_blacklist_domain', json={'domain': 'not a domain', 'note': 'x'})
    assert invalid.status_code == 422 and invalid.json() == [invalid.json()[0]]  # this 422 is a list of messages


def test_v2_errors_have_the_v2_shape(sandbox):
    response = sandbox.client('automation').get('/v2/agent_local_users/counts', params={'organization_ids': 'abc'})
    assert response.status_code == 400
    assert set(response.json()) == {'error'} and 'organization_ids' in response.json()['error']['message']
    assert response.json()['error']['type'] == 'bad_request'


def test_unknown_paths_and_operations_not_simulated(sandbox):
    api = sandbox.client('automation')
    assert api.get('/v1/no_such_thing').status_code == 404
    assert api.put('/v1/api_keys').status_code == 404
    not_simulated = api.get('/v1/categories')
    assert not_simulated.status_code == 501 and 'not simulated' in not_simulated.json()['error']


def test_unknown_parameters_are_ignored_but_recorded(sandbox):
    api = sandbox.client('automation')
    sandbox.reset_violations()
    response = api.get('/v1/user_agents', params={'organisation_ids': CONTOSO, 'page[sise]': 5, 'organization_ids[]': CONTOSO})
    assert response.status_code == 200
    assert [w['parameter'] for w in sandbox.warnings()] == ['organisation_ids', 'page[sise]', 'organization_ids[]']
    assert sandbox.warnings()[0] == {'kind': 'unknown_parameter', 'method': 'GET', 'template': '/v1/user_agents',
                                     'parameter': 'organisation_ids'}


def test_array_and_nested_parameters(sandbox):
    api = sandbox.client('automation')
    both = api.get('/v1/user_agents', params=[('organization_ids', CONTOSO), ('organization_ids', 810102)]).json()['data']
    owner = {d['agent_id']: d['organization_id'] for d in sandbox.devices()}  # the attributes do not name it
    assert {owner[a['id']] for a in both} == {CONTOSO, 810102}
    macs = api.get('/v1/user_agents', params={'organization_ids': CONTOSO, 'agent_type[value]': 'macos'}).json()['data']
    assert {a['attributes']['hostname'] for a in macs} == {'RECEPTION-MAC', 'DR-PARK-MBP'}
    not_macs = api.get('/v1/user_agents', params={'organization_ids': CONTOSO, 'agent_type[value]': 'macos',
                                                  'agent_type[operator]': 'isnot'}).json()['data']
    assert len(not_macs) == 5


def test_the_patched_description_is_still_valid_openapi():
    validate(Spec(load_description()).description)
    assert len(PATCHES) == len({patch.__name__ for patch in PATCHES})


# --- No 5xx from bad input: every operation with a body, every malformed shape --------------------------------------

def _body_operations():
    """(method, path) of every implemented operation that takes a JSON body, with demo ids in the path."""
    from dnsfilter_sim.api.base import ROUTES
    ids = {'{id}': None, '{organization_id}': str(CONTOSO)}
    examples = {'/v1/policies/{id}': str(CONTOSO_POLICY), '/v1/agent_local_users/{id}': '4400101',
                '/v1/user_agents/{id}': 'c0a70c50-0000-4000-8000-000000000001', '/v1/enterprise_connections/{id}': '960101',
                '/v1/organizations/{organization_id}/users/{id}': '610101', '/v1/user_agent_cleanups/{id}': '1000',
                '/v1/api_keys/{id}': '5001', '/v1/networks/{id}': str(CONTOSO_MAIN), '/v1/organizations/{id}': str(CONTOSO)}
    found = []
    for method, template in sorted(ROUTES):
        if method in ('GET', 'DELETE'):
            continue
        path = template.replace('{organization_id}', ids['{organization_id}'])
        for prefix, value in sorted(examples.items(), key=lambda item: -len(item[0])):
            if template.startswith(prefix):
                path = path.replace('{id}', value)
                break
        found.append((method, path.replace('{id}', '1')))
    return found


BODY_OPERATIONS = _body_operations()


@pytest.mark.parametrize('method, path', BODY_OPERATIONS, ids=[f'{m} {p}' for m, p in BODY_OPERATIONS])
def test_a_malformed_body_is_a_400_with_the_error_body_never_a_5xx(sandbox, method, path):
    api = sandbox.client('automation')
    headers = {'Content-Type': 'application/json'}
    for body in (b'\xff\xfe{"a": 1}', b'{"domain": ', b'\x00'):
        response = api.request(method, path, data=body, headers=headers)
        assert response.status_code == 400, (body, response.status_code, response.text)
        error = response.json()['error']
        assert (error['message'] if path.startswith('/v2/') else error), response.text
    missing = api.request(method, path, headers=headers)
    assert missing.status_code < 500, (missing.status_code, missing.text)
    assert missing.headers['Content-Type'].startswith('application/json')


def test_a_control_character_in_a_path_is_a_json_404(sandbox):
    api = sandbox.client('automation')
    for path in ('/v1/user_agents/%0a', '/v1/no_such/%0d%0a/thing', '/v1/networks/%00'):
        response = api.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.headers['Content-Type'].startswith('application/json') and response.json()['type'] == 'not_found'


def test_a_malformed_path_id_is_not_found_as_rails_find_has_it(sandbox):
    api = sandbox.client('automation')
    for path in ('/v1/user_agents/not-a-uuid', '/v1/networks/abc', '/v1/policies/1.5'):
        response = api.get(path)
        assert response.status_code == 404 and response.json()['type'] == 'not_found', (path, response.text)


def test_empty_query_values_are_as_if_not_given(sandbox):
    api = sandbox.client('automation')
    plain = api.get('/v1/user_agents', params={'organization_ids': CONTOSO}).json()['data']
    blank = api.get('/v1/user_agents', params={'organization_ids': CONTOSO, 'search': '', 'sort': '', 'status': ''})
    assert blank.status_code == 200 and [a['id'] for a in blank.json()['data']] == [a['id'] for a in plain]
    assert api.get('/v1/organizations', params={'name': ''}).status_code == 200


def test_lenient_where_dnsfilters_own_cli_is(sandbox):
    api = sandbox.client('automation')
    # dnsfcli's add-*-domain commands make the note optional and its remove commands send none.
    added = api.post(f'/v1/policies/{CONTOSO_POLICY}/add_blacklist_domain', json={'domain': 'noted-not.example'})
    assert added.status_code == 200 and 'noted-not.example' in added.json()['data']['attributes']['blacklist_domains']
    removed = api.post(f'/v1/policies/{CONTOSO_POLICY}/remove_blacklist_domain', json={'domain': 'noted-not.example'})
    assert removed.status_code == 200 and 'noted-not.example' not in removed.json()['data']['attributes']['blacklist_domains']
    # dnsfcli's api-keys create sends expiry only when given; the description requires nothing.
    key = api.post('/v1/api_keys', json={'name': 'no expiry given'})
    assert key.status_code == 201 and key.json()['data']['attributes']['expiry'] > key.json()['data']['attributes']['created_at']
    # Strict where the API is: no domain at all is refused.
    assert api.post(f'/v1/policies/{CONTOSO_POLICY}/add_blacklist_domain', json={'note': 'x'}).status_code == 400


def test_the_description_departures_are_exactly_the_patches_and_each_has_evidence():
    from dnsfilter_sim import departures
    assert [patch.__name__ for patch in PATCHES] == departures.ids('description')
    for section in ('description', 'behaviour'):
        for entry in departures.entries(section):
            assert entry.get('what') and entry.get('evidence'), entry['id']
    for entry in departures.entries('illustrative_samples'):
        assert entry.get('why') and entry.get('samples'), entry['id']

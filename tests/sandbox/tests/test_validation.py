"""Requests are held to the description before any handler runs; the description itself still validates."""
import pytest
from openapi_spec_validator import validate

from dnsfilter_sim.spec import Spec, load_description
from dnsfilter_sim.spec_patches import PATCHES
from demo_ids import CONTOSO, CONTOSO_POLICY, MANUAL

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
    assert {a['attributes']['organization_id'] for a in both} == {CONTOSO, 810102}
    macs = api.get('/v1/user_agents', params={'organization_ids': CONTOSO, 'agent_type[value]': 'macos'}).json()['data']
    assert {a['attributes']['hostname'] for a in macs} == {'RECEPTION-MAC', 'DR-PARK-MBP'}
    not_macs = api.get('/v1/user_agents', params={'organization_ids': CONTOSO, 'agent_type[value]': 'macos',
                                                  'agent_type[operator]': 'isnot'}).json()['data']
    assert len(not_macs) == 5


def test_the_patched_description_is_still_valid_openapi():
    validate(Spec(load_description()).description)
    assert len(PATCHES) == len({patch.__name__ for patch in PATCHES})

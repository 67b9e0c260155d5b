"""The `lookalikes` scenario loads, and its look-alikes and hostile strings are served verbatim by the API."""
import unicodedata
from pathlib import Path

import pytest
import yaml

SCENARIO = Path(__file__).resolve().parents[1] / 'dnsfilter_sim' / 'scenarios' / 'lookalikes.yml'
MSP, ACME, ACME_UPPER, GLOBEX, GLOBEX_SPACE, INITECH, INITECH_CYRILLIC, UMBRELLA = (
    830001, 830101, 830102, 830103, 830104, 830105, 830106, 830107)
RECEPTION_OLD = 'ac3e0000-0000-4000-8000-000000000001'
RECEPTION_NEW = 'ac3e0000-0000-4000-8000-000000000002'

pytestmark = pytest.mark.sandbox_scenario('lookalikes', clock_mode='manual')


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def attributes(document):
    return [dict(item['attributes'], id=item['id']) for item in document['data']]


def strings(value):
    """Every string anywhere in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_the_customer_twins_are_distinct_organisations(sandbox):
    api = sandbox.client('automation')
    names = {int(org['id']): org['name'] for org in attributes(ok(api.get('/v1/organizations')))}
    assert {ACME: 'Acme Corp', ACME_UPPER: 'ACME CORP', GLOBEX: 'Globex', GLOBEX_SPACE: 'Globex ', INITECH: 'Initech'}.items() <= names.items()
    # The homoglyph twin: a Cyrillic capital I (U+0406), already NFC, so normalising does not make it Initech.
    assert names[INITECH_CYRILLIC] == '\u0406nitech' != names[INITECH]
    assert unicodedata.normalize('NFC', names[INITECH_CYRILLIC]) == names[INITECH_CYRILLIC]
    assert unicodedata.normalize('NFKC', names[INITECH_CYRILLIC]).casefold() != names[INITECH].casefold()


def test_look_alike_sites_are_distinct(sandbox):
    api = sandbox.client('automation')
    sites = {}
    for site in ok(api.get('/v1/networks'))['data']:  # every site the key can see; each names its organisation
        sites.setdefault(int(site['relationships']['organization']['data']['id']), []).append(site['attributes']['name'])
    assert sorted(sites[ACME]) == ['HEAD OFFICE', 'Head Office', 'Head Office ', 'Warehouse']
    assert sorted(sites[INITECH]) == ['Lab', 'L\u0430b', 'Plant']


def test_case_twin_technicians_are_two_accounts(sandbox):
    api = sandbox.client('automation')
    members = ok(api.get(f'/v1/organizations/{MSP}/users'))['users']
    twins = {user['email']: user['id'] for user in members if user['email'].casefold() == 'sam.lee@parallax-msp.example'}
    assert sorted(twins) == ['Sam.Lee@parallax-msp.example', 'sam.lee@parallax-msp.example']
    assert len(set(twins.values())) == 2
    # The technician with no twin reaches customers both ways: narrowed through the MSP, and directly.
    riley = next(user for user in members if user['email'] == 'riley.chen@parallax-msp.example')
    assert riley['is_include_only_list'] is True and sorted(riley['organization_permission_ids']) == [ACME, GLOBEX]
    direct = ok(api.get(f'/v1/organizations/{INITECH}/users'))['users']
    assert [u['role'] for u in direct if u['email'] == 'riley.chen@parallax-msp.example'] == ['administrator']
    assert sorted(u['email'] for u in direct if u['role'] == 'owner') == ['bill.lumbergh@initech.example', 'milton.waddams@initech.example']


def test_the_reimaged_pc_has_two_records_and_only_the_new_one_checks_in(sandbox):
    api = sandbox.client('automation')
    agents = attributes(ok(api.get('/v1/user_agents', params={'organization_ids': ACME})))
    reception = {a['id']: a for a in agents if a['hostname'] == 'RECEPTION-PC'}
    assert sorted(reception) == [RECEPTION_OLD, RECEPTION_NEW]
    assert reception[RECEPTION_OLD]['status'] == 'active' and reception[RECEPTION_OLD]['last_sync'] < reception[RECEPTION_NEW]['last_sync']
    # A hostname twin in the case-twin customer is not Acme Corp's.
    assert [a['hostname'] for a in agents].count('ACME-WS-01') == 1
    sandbox.checkin()
    after = {a['id']: a for a in attributes(ok(api.get('/v1/user_agents', params={'organization_ids': ACME})))}
    assert after[RECEPTION_OLD]['last_sync'] == reception[RECEPTION_OLD]['last_sync'], 'the wiped disk never checks in'
    assert after[RECEPTION_NEW]['last_sync'] > reception[RECEPTION_NEW]['last_sync']
    assert sandbox.device('acme-reception-old')['installed'] is False


def test_the_same_login_on_two_pcs_is_two_users_with_two_sids(sandbox):
    api = sandbox.client('automation')
    users = attributes(ok(api.get('/v1/agent_local_users', params={'organization_ids': ACME})))
    admins = {u['user_login']: u['user_remote_id'] for u in users if u['user_name'] == 'admin'}
    assert sorted(admins) == ['FRONT-PC\\admin', 'LAB-PC\\admin'] and len(set(admins.values())) == 2


def test_every_hostile_string_is_served_verbatim(sandbox):
    document = yaml.safe_load(SCENARIO.read_text(encoding='utf-8'))
    hostile = {s for s in strings(document) if 'S-EVAL' in s or '{{' in s}
    assert len(hostile) >= 18, 'the scenario covers every tenant-controlled field'
    api = sandbox.client('automation')
    scope = {'organization_id': UMBRELLA}
    served = [
        ok(api.get(f'/v1/organizations/{UMBRELLA}')),
        ok(api.get('/v1/networks', params=scope)),
        ok(api.get('/v1/policies', params=scope)),
        ok(api.get('/v1/block_pages', params=scope)),
        ok(api.get('/v1/user_agents', params={'organization_ids': UMBRELLA})),
        ok(api.get('/v1/agent_local_users', params={'organization_ids': UMBRELLA})),
        ok(api.get('/v1/scheduled_reports', params=scope)),
        ok(api.get('/v1/enterprise_connections', params=scope)),
        ok(api.get(f'/v1/organizations/{UMBRELLA}/users')),
    ]
    seen = set(strings(served))
    assert sorted(hostile - seen) == []

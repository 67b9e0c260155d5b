"""The id of one customer with the name of its twin: every exit shape that names an organisation refuses it.

The typed name is exact (Unicode NFC, case significant) except for surrounding whitespace, which is ignored; a name
that fits more than one customer selects none. The refusal shows both candidates and comes before any write.
"""
import pytest

from adversarial_helpers import (
    ACME, FAST, GLOBEX, GLOBEX_SPACE, INITECH, INITECH_CYRILLIC, ACME_UPPER, NAMES, ONLY_ACCOUNT, ONLY_HOSTNAME, ONLY_SITE,
    changes, missing_candidates)

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)

# (the id given, the name typed, the candidates the refusal must show)
TWINS = {
    'case twin': (ACME, 'ACME CORP', {ACME: NAMES[ACME], ACME_UPPER: NAMES[ACME_UPPER]}),
    # 'Globex' is Globex's name exactly and 'Globex ' without its trailing space: two customers, so neither is meant.
    'trailing-space twin': (GLOBEX_SPACE, 'Globex', {GLOBEX: NAMES[GLOBEX], GLOBEX_SPACE: NAMES[GLOBEX_SPACE]}),
    'homoglyph twin': (INITECH, NAMES[INITECH_CYRILLIC], {INITECH: NAMES[INITECH], INITECH_CYRILLIC: NAMES[INITECH_CYRILLIC]}),
}

# What else each exit shape needs, all of it belonging to the customer of the id (its twin has objects of the same names).
SHAPES = {
    'customer_exit.yml': lambda org: {},
    'device_retire.yml': lambda org: {'dnsfilter_devices': [ONLY_HOSTNAME[org]]},
    'site_closure.yml': lambda org: {'dnsfilter_site_name': ONLY_SITE[org]},
    'customer_user_leaver.yml': lambda org: {'dnsfilter_user_accounts': [ONLY_ACCOUNT[org]]},
}


@pytest.mark.parametrize('twin', TWINS)
@pytest.mark.parametrize('playbook', SHAPES)
def test_the_id_of_one_customer_with_the_name_of_its_twin_is_refused(ansible, playbook, twin):
    org_id, typed, candidates = TWINS[twin]
    run = ansible.run(playbook, dict(SHAPES[playbook](org_id), dnsfilter_ticket='ADV-TWIN-1', dnsfilter_organization_id=org_id,
                                     dnsfilter_organization_name=typed))
    run.assert_refused_before_any_write()
    assert missing_candidates(run.output, candidates) == [], run.tail()
    assert changes(run) == {}


def test_surrounding_whitespace_in_the_typed_name_is_ignored(ansible):
    run = ansible.run('customer_user_leaver.yml', {
        'dnsfilter_ticket': 'ADV-TWIN-2', 'dnsfilter_organization_id': ACME, 'dnsfilter_organization_name': ' Acme Corp ',
        'dnsfilter_user_accounts': [ONLY_ACCOUNT[ACME]]})
    assert run.returncode == 0, run.tail()
    assert changes(run) == {'users': {'-': [(4500105, 'ACME\\former.temp')], '+': []}}

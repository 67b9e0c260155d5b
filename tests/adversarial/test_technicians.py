"""Technician leaves: an e-mail selects exactly one person, and only dead keys the MSP held prove anything."""
import pytest

from adversarial_helpers import (
    FAST, MORGAN, MORGAN_REVOKED_TOKEN, NEVER_ISSUED_TOKEN, RILEY, SAM, SAM_UPPER, changes, memberships, shows)

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)
ATTESTED = 'ADV-TECH: the technician revoked their keys (ticket note)'


def test_one_of_two_case_twin_emails_is_refused_listing_both(ansible):
    run = ansible.run('technician_leaver.yml', {'dnsfilter_ticket': 'ADV-TECH-1', 'dnsfilter_technician_email': SAM,
                                                'dnsfilter_api_keys_attestation': ATTESTED})
    run.assert_refused_before_any_write()
    assert shows(run.output, SAM) and shows(run.output, SAM_UPPER), run.tail()
    assert changes(run) == {}


def test_the_exact_email_of_a_technician_without_twin_removes_only_their_memberships(ansible):
    run = ansible.run('technician_leaver.yml', {'dnsfilter_ticket': 'ADV-TECH-2', 'dnsfilter_technician_email': RILEY,
                                                'dnsfilter_api_keys_attestation': ATTESTED})
    assert run.returncode == 0, run.tail()
    # Both ways in: the include-only MSP membership and the direct one in Initech.
    assert len(memberships(run.before, RILEY)) == 2 and memberships(run.after, RILEY) == {}
    changed = changes(run)
    assert list(changed) == ['memberships'], changed
    [riley_id] = [u['id'] for u in run.after['users'] if u['email'] == RILEY]
    assert list(changed['memberships']) == [riley_id], 'no other technician lost anything'


@pytest.mark.parametrize('token', [MORGAN_REVOKED_TOKEN, NEVER_ISSUED_TOKEN], ids=['revoked before the run', 'never existed'])
def test_a_token_that_was_never_alive_in_this_run_proves_nothing(ansible, token):
    run = ansible.run('technician_leaver.yml', {'dnsfilter_ticket': 'ADV-TECH-3', 'dnsfilter_technician_email': MORGAN,
                                                'dnsfilter_technician_key_tokens': [token], 'dnsfilter_api_keys_attestation': '',
                                                'dnsfilter_fail_on_outstanding': True})
    assert memberships(run.after, MORGAN) == memberships(run.before, MORGAN) != {}, 'the seat stays'
    assert run.writes == 0
    # Nothing else is outstanding for Morgan (no SSO role map in the scenario): the run fails because of the seat.
    assert run.returncode != 0 and shows(run.output, MORGAN), 'the run says the seat is outstanding: ' + run.tail()
    assert token not in run.output
    for path in run.evidence.rglob('*'):
        assert not path.is_file() or token.encode() not in path.read_bytes(), path

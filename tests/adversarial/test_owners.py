"""The last owner is checked on the state after the change: removing both owners in one task is refused."""
import pytest

from adversarial_helpers import FAST, INITECH, INITECH_OWNERS, NAMES, OWNER_KEY, changes

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)


def test_removing_both_owners_of_an_organisation_in_one_task_is_refused(ansible):
    # With the MSP owner's key: the API itself would let it remove an owner.
    run = ansible.run('remove_both_owners.yml', {
        'adversarial_organization_id': INITECH, 'adversarial_organization_name': NAMES[INITECH],
        'adversarial_emails': list(INITECH_OWNERS), 'adversarial_attestation': 'ADV-OWN-1: neither owner holds an API key'},
        key=OWNER_KEY)
    run.assert_refused_before_any_write()
    owners = sorted(u['email'] for u in run.after['users'] if u['memberships'].get(str(INITECH), {}).get('role') == 'owner')
    assert owners == sorted(INITECH_OWNERS)
    assert changes(run) == {}

"""Users under Deployments: the login `admin` on two PCs is two accounts (two SIDs), never one person's duplicates."""
import pytest

from adversarial_helpers import ACME, FAST, FRONT_ADMIN, LAB_ADMIN, NAMES, changes, shows

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)
ACME_CORP = {'dnsfilter_organization_id': ACME, 'dnsfilter_organization_name': NAMES[ACME]}


def user_ids(state):
    return {u['id'] for u in state['agent_local_users']}


def test_an_account_name_that_is_two_accounts_is_refused_listing_both(ansible):
    run = ansible.run('customer_user_leaver.yml', dict(ACME_CORP, dnsfilter_ticket='ADV-USR-1', dnsfilter_user_accounts=['admin']))
    run.assert_refused_before_any_write()
    assert shows(run.output, 'FRONT-PC\\admin') and shows(run.output, 'LAB-PC\\admin'), run.tail()
    assert changes(run) == {}


def test_an_exact_login_removes_exactly_that_user(ansible):
    run = ansible.run('customer_user_leaver.yml', dict(ACME_CORP, dnsfilter_ticket='ADV-USR-2', dnsfilter_user_logins=['LAB-PC\\admin']))
    assert run.returncode == 0, run.tail()
    assert changes(run) == {'users': {'-': [(LAB_ADMIN, 'LAB-PC\\admin')], '+': []}}


def test_customer_exit_does_not_take_one_login_on_two_pcs_for_duplicates(ansible):
    run = ansible.run('customer_exit.yml', dict(ACME_CORP, dnsfilter_ticket='ADV-USR-3'))
    assert run.returncode == 0, run.tail()
    assert {FRONT_ADMIN, LAB_ADMIN} <= user_ids(run.after), 'both admins are still Users'
    [bundle] = run.bundles('ADV-USR-3')
    clean_users = (bundle / 'report.md').read_text(encoding='utf-8').split('## Clean Users')[1].split('##')[0]
    assert 'admin' not in clean_users, clean_users

"""The customer user leaver against Users that look alike: one login on two devices, a case and space twin.

Real ansible-playbook runs against the simulator (scenario tests/playbooks/scenarios/users_lookalikes.yml, the demo's
customer ids so inventories/demo applies). A typed account name that means more than one account is refused with
every candidate and zero writes; a full login removes that account only; a second run changes nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_exit_playbooks import FAST, bundles, playbook, successful_writes, verify

SCENARIO = str(Path(__file__).resolve().parent / 'scenarios' / 'users_lookalikes.yml')
CONTOSO = 810101
DESK_ADMIN, FRONT_ADMIN, FRONT_ADMIN_OLD = 4410001, 4410002, 4410003
SIDS = ('S-1-5-21-1111111111-2222222222-3333333333-500', 'S-1-5-21-4444444444-5555555555-6666666666-500',
        'S-1-5-21-7777777777-8888888888-9999999999-500')


def users(sandbox):
    return {u['id']: u['user_login'] for u in sandbox.state()['agent_local_users'] if u['org_id'] == CONTOSO}


def run_record(bundle):
    """The phase results of the bundle's runs, oldest first: {phase: results} per run (runs/<run>/<phase>.json)."""
    records = [[json.loads(p.read_text()) for p in sorted(run.glob('*.json')) if p.name != 'run.json']
               for run in sorted(q for q in (bundle / 'runs').iterdir() if q.is_dir())]
    return [{r['phase']: r['results'] for r in run} for run in records]


@pytest.mark.sandbox_scenario(SCENARIO, **FAST)
def test_an_account_name_of_two_accounts_is_refused_listing_both(sandbox, tmp_path):
    before = users(sandbox)
    run = playbook(sandbox, tmp_path, 'customer_user_leaver.yml', {'dnsfilter_ticket': 'T-4001', 'dnsfilter_user_accounts': ['admin']})
    out = run.stdout + run.stderr
    assert run.returncode != 0
    for text in ('DESK-07\\\\admin', 'FRONTDESK-01\\\\admin', str(DESK_ADMIN), str(FRONT_ADMIN), str(FRONT_ADMIN_OLD)) + SIDS:
        assert text in out, text
    assert successful_writes(sandbox) == 0 and users(sandbox) == before
    assert bundles(tmp_path, 'T-4001') == [], 'refused before the evidence was opened'


@pytest.mark.sandbox_scenario(SCENARIO, **FAST)
def test_a_full_login_of_a_re_imaged_device_is_refused_listing_both(sandbox, tmp_path):
    # FRONTDESK-01\admin now and ' frontdesk-01\ADMIN ' from before the re-image: one login, two SIDs.
    before = users(sandbox)
    run = playbook(sandbox, tmp_path, 'customer_user_leaver.yml',
                   {'dnsfilter_ticket': 'T-4002', 'dnsfilter_user_logins': ['FRONTDESK-01\\admin']})
    out = run.stdout + run.stderr
    assert run.returncode != 0
    for text in (str(FRONT_ADMIN), str(FRONT_ADMIN_OLD), SIDS[1], SIDS[2]):
        assert text in out, text
    assert str(DESK_ADMIN) not in out
    assert successful_writes(sandbox) == 0 and users(sandbox) == before


@pytest.mark.sandbox_scenario(SCENARIO, **FAST)
def test_a_full_login_removes_exactly_that_account_in_check_mode_and_for_real_then_nothing(sandbox, tmp_path):
    before = users(sandbox)
    extra = {'dnsfilter_ticket': 'T-4003', 'dnsfilter_user_logins': [' desk-07\\ADMIN ']}
    check = playbook(sandbox, tmp_path, 'customer_user_leaver.yml', extra, options=['--check'])
    assert check.returncode == 0, check.stdout[-3000:]
    assert successful_writes(sandbox) == 0 and users(sandbox) == before
    [plan] = bundles(tmp_path, 'T-4003-plan')
    [planned] = [phases['clean_users']['removed_ids'] for phases in run_record(plan)]
    assert planned == [str(DESK_ADMIN)]

    real = playbook(sandbox, tmp_path, 'customer_user_leaver.yml', extra)
    assert real.returncode == 0, real.stdout[-3000:]
    after = users(sandbox)
    assert set(before) - set(after) == {DESK_ADMIN} and set(after) < set(before)
    [bundle] = [b for b in bundles(tmp_path, 'T-4003') if b != plan]
    runs = run_record(bundle)
    assert runs[-1]['clean_users']['removed_ids'] == planned
    removed = runs[-1]['clean_users']['removed'][0]
    assert removed['user_remote_id'] == SIDS[0] and removed['reason'] == 'login DESK-07\\admin'
    captured = json.loads((bundle / 'before' / 'users.json').read_text())
    assert [u['id'] for u in captured['to_remove']] == planned
    assert verify(bundle).returncode == 0

    sandbox.reset_counters()
    again = playbook(sandbox, tmp_path, 'customer_user_leaver.yml', dict(extra, dnsfilter_ticket='T-4004'))
    assert again.returncode == 0, again.stdout[-3000:]
    assert successful_writes(sandbox) == 0 and users(sandbox) == after


@pytest.mark.sandbox_scenario(SCENARIO, **FAST)
def test_every_account_of_a_name_only_when_asked(sandbox, tmp_path):
    run = playbook(sandbox, tmp_path, 'customer_user_leaver.yml', {
        'dnsfilter_ticket': 'T-4005', 'dnsfilter_user_accounts': ['Admin'], 'dnsfilter_user_match': 'all_accounts'})
    assert run.returncode == 0, run.stdout[-3000:]
    left = users(sandbox)
    assert not {DESK_ADMIN, FRONT_ADMIN, FRONT_ADMIN_OLD} & set(left)
    assert 'CONTOSO\\jdoe' in left.values() and 'contoso\\JDoe' in left.values() and 'CONTOSO\\radtech' in left.values()

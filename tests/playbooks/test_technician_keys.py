"""The technician leaver's API-key proof, end to end: real ansible-playbook against the simulator.

A token proves a key dead only if the run saw it authenticate as the technician (and which key it is) and then saw it
fail; a token that was already dead, or never existed, proves nothing, and a live token of someone else is refused.
Demo user bob (610004) has an include-only MSP membership (Northwind, limited to Contoso and Fabrikam) and a direct
membership in customer Tailspin, and two keys: 5004 and 5005.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_exit_playbooks import FAST, bundles, playbook, successful_writes, verify

SCENARIOS = Path(__file__).resolve().parent / 'scenarios'
TECH = 'bob.tanaka@northwind-msp.example'
BOB_ID = 610004
BOB_TOKENS = ['sim-tech-bob-key-0000000000000001', 'sim-tech-bob-key-0000000000000002']  # fake, simulator only
PRIYA_TOKEN = 'sim-tech-priya-key-0000000000000001'  # fake, simulator only
NEVER_EXISTED = 'sim-tech-bob-key-0000000000009999'  # fake, and no key has it
TICKET = 'T-2001'
# The demo inventory's attestation is about the customer's administrators, not the technician: no attestation here.
BASE = {'dnsfilter_ticket': TICKET, 'dnsfilter_technician_email': TECH, 'dnsfilter_api_keys_attestation': '',
        'dnsfilter_fail_on_outstanding': True}
SEAT_DELETES = {'/v1/organizations/810001/users/610004', '/v1/organizations/810103/users/610004'}


def users(sandbox):
    return {u['ref']: u for u in sandbox.state()['users']}


def key_status(sandbox):
    return {k['id']: k['status'] for k in sandbox.state()['api_keys']}


def revoke_with_own_token(sandbox, token, key_id):
    answer = sandbox.client(token=token).post('/v1/api_keys/%d/revoke' % key_id)
    assert answer.status_code == 200, answer.text


def seat_deletes(sandbox):
    return [r['path'] for r in sandbox.requests()['recent'] if r['method'] == 'DELETE' and str(r['status']).startswith('2')]


def bundle_text(bundle):
    """Every file of the bundle (and its archive's name) as one text, to search for secrets."""
    parts = []
    for path in sorted(bundle.rglob('*')):
        if path.is_file():
            parts.append(path.name + '\n' + path.read_bytes().decode('utf-8', 'replace'))
    return '\n'.join(parts)


def assert_no_token(run, bundle, tokens):
    text = run.stdout + run.stderr + (bundle_text(bundle) if bundle else '')
    for token in tokens:
        assert token not in text, 'a token leaked'


def report(bundle):
    return (bundle / 'report.md').read_text()


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_tokens_revoked_before_the_run_prove_nothing_and_the_seat_stays(sandbox, tmp_path):
    revoke_with_own_token(sandbox, BOB_TOKENS[0], 5004)
    revoke_with_own_token(sandbox, BOB_TOKENS[1], 5005)
    sandbox.reset_counters()
    run = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS),
                   verbosity=3)
    assert run.returncode != 0
    assert users(sandbox)['bob']['memberships'], 'dead tokens are no proof: the seat stays'
    assert successful_writes(sandbox) == 0
    assert 'proves nothing' in run.stdout
    [bundle] = bundles(tmp_path, TICKET)
    text = report(bundle)
    assert 'proves nothing' in text and 'dead when first seen' in text
    assert 'proved dead: 2 of 2' not in text and '2 of 2 keys' not in text
    assert_no_token(run, bundle, BOB_TOKENS)


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_dead_tokens_and_an_attestation_remove_the_seat_and_say_the_keys_are_unknown(sandbox, tmp_path):
    revoke_with_own_token(sandbox, BOB_TOKENS[0], 5004)
    attestation = 'T-2001: Bob revoked both keys in the dashboard on 2026-07-19, confirmed by Grace'
    run = playbook(sandbox, tmp_path, 'technician_leaver.yml',
                   dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS[:1], dnsfilter_api_keys_attestation=attestation))
    assert users(sandbox)['bob']['memberships'] == {}, run.stdout[-3000:]
    [bundle] = bundles(tmp_path, TICKET)
    text = report(bundle)
    assert 'proves nothing' in text and attestation in text
    assert_no_token(run, bundle, BOB_TOKENS)


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_a_token_that_never_existed_proves_nothing(sandbox, tmp_path):
    run = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=[NEVER_EXISTED]))
    assert run.returncode != 0
    assert users(sandbox)['bob']['memberships']
    assert key_status(sandbox)[5004] == 'active' and key_status(sandbox)[5005] == 'active'
    assert 'proves nothing' in run.stdout
    [bundle] = bundles(tmp_path, TICKET)
    assert 'proves nothing' in report(bundle)
    assert_no_token(run, bundle, [NEVER_EXISTED])


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_a_live_token_of_another_user_is_refused_before_any_write(sandbox, tmp_path):
    sandbox.reset_counters()
    run = playbook(sandbox, tmp_path, 'technician_leaver.yml',
                   dict(BASE, dnsfilter_technician_key_tokens=[BOB_TOKENS[0], PRIYA_TOKEN]), verbosity=3)
    assert run.returncode != 0
    assert successful_writes(sandbox) == 0
    assert 'priya.shah@northwind-msp.example' in run.stdout and 'not as user 610004' in run.stdout
    assert users(sandbox)['bob']['memberships'] and users(sandbox)['priya']['memberships']
    assert set(key_status(sandbox)[k] for k in (5004, 5005, 5006)) == {'active'}
    assert_no_token(run, None, BOB_TOKENS + [PRIYA_TOKEN])


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_live_tokens_are_observed_revoked_proved_and_the_seats_removed_by_id_then_nothing_changes(sandbox, tmp_path):
    sandbox.reset_counters()
    run = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS),
                   verbosity=3)
    # The SSO group review is left to a person, so the run ends with that one item outstanding.
    assert 'SSO groups' in run.stdout, run.stdout[-3000:]
    assert key_status(sandbox)[5004] == 'revoked' and key_status(sandbox)[5005] == 'revoked'
    assert users(sandbox)['bob']['memberships'] == {}
    for kept in ('automation', 'grace', 'breakglass', 'priya'):
        assert users(sandbox)[kept]['memberships'], kept
    # Both the include-only MSP membership and the direct customer membership went, by user id.
    assert sorted(p for p in seat_deletes(sandbox) if '/users/' in p) == sorted(SEAT_DELETES)
    [bundle] = bundles(tmp_path, TICKET)
    technician = json.loads((bundle / 'before' / 'technician.json').read_text())
    assert technician['id'] == str(BOB_ID) and technician['email'] == TECH
    observations = json.loads((bundle / 'before' / 'api_key_observations.json').read_text())
    seen = [o for o in observations if o.get('kind') == 'token_check']
    assert sorted(o['key_id'] for o in seen) == ['5004', '5005'] and all(o['alive'] for o in seen)
    assert all(o['user']['id'] == str(BOB_ID) for o in seen)
    text = report(bundle)
    assert '2 of 2 keys of %s (user %d) proved dead' % (TECH, BOB_ID) in text
    assert 'still authenticate' not in text
    outstanding = text.split('## Outstanding')[1].split('## ')[0]
    assert 'SSO groups' in outstanding and TECH not in outstanding.replace('Remove %s from' % TECH, '')
    assert verify(bundle).returncode == 0
    assert_no_token(run, bundle, BOB_TOKENS)

    sandbox.reset_counters()
    again = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS))
    assert successful_writes(sandbox) == 0, again.stdout[-3000:]
    assert bundles(tmp_path, TICKET) == [bundle]
    assert '2 of 2 keys of %s (user %d) proved dead' % (TECH, BOB_ID) in report(bundle)
    assert verify(bundle).returncode == 0
    assert_no_token(again, bundle, BOB_TOKENS)


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_a_run_that_failed_after_revoking_finishes_with_the_proof_from_the_bundle(sandbox, tmp_path):
    # Only the PSA sync key's token is held: key 5005 is proved by this run's own revocation record.
    sandbox.faults({'kind': 'error', 'method': 'DELETE', 'path': '/v1/organizations/*/users/*', 'status': 503, 'count': 100})
    broken = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS[:1]))
    assert broken.returncode != 0
    assert key_status(sandbox)[5004] == 'revoked' and key_status(sandbox)[5005] == 'revoked'
    assert users(sandbox)['bob']['memberships'], 'the removal failed'
    [bundle] = bundles(tmp_path, TICKET)
    assert Path(str(bundle) + '.open').exists()
    assert (bundle / 'before' / 'api_key_observations.json').exists()
    sandbox.clear_faults()

    finished = playbook(sandbox, tmp_path, 'technician_leaver.yml',
                        dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS[:1]))
    assert users(sandbox)['bob']['memberships'] == {}, finished.stdout[-3000:]
    assert bundles(tmp_path, TICKET) == [bundle]
    assert '2 of 2 keys of %s (user %d) proved dead' % (TECH, BOB_ID) in report(bundle)
    assert verify(bundle).returncode == 0
    assert_no_token(finished, bundle, BOB_TOKENS)


@pytest.mark.sandbox_scenario(str(SCENARIOS / 'technician_twins.yml'), **FAST)
def test_an_email_that_names_two_users_is_refused_with_both_shown(sandbox, tmp_path):
    sandbox.reset_counters()
    run = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS[:1]))
    assert run.returncode != 0
    assert successful_writes(sandbox) == 0
    assert '610004' in run.stdout and '610099' in run.stdout
    assert users(sandbox)['bob']['memberships'] and users(sandbox)['twin']['memberships']
    assert key_status(sandbox)[5004] == 'active'


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_check_mode_plans_the_revocation_and_the_removal_and_changes_nothing(sandbox, tmp_path):
    sandbox.reset_counters()
    plan = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(BASE, dnsfilter_technician_key_tokens=BOB_TOKENS),
                    options=('--check',))
    assert plan.returncode == 0, plan.stdout[-3000:]
    assert successful_writes(sandbox) == 0
    assert key_status(sandbox)[5004] == 'active' and key_status(sandbox)[5005] == 'active'
    assert users(sandbox)['bob']['memberships']
    [bundle] = bundles(tmp_path, TICKET)
    assert '-plan-' in bundle.name
    text = report(bundle)
    assert 'PLAN' in text and 'Dashboard memberships would be removed: 2' in text
    assert 'check mode: 2 of 2 keys of %s (user %d) proved dead' % (TECH, BOB_ID) in text
    assert_no_token(plan, bundle, BOB_TOKENS)

"""The exit playbooks end to end against the simulator's demo MSP: order, truth, safety, secrets, resumption.

Device plays have no hosts here (the device roles have their own suites over WinRM and SSH); the demo command
(scripts/demo.sh) runs the customer exit with the simulated Windows and macOS hosts as well.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAST = {'clock_start': None, 'checkin_interval_seconds': 3, 'uninstall_seconds': 1, 'job_delay_seconds': 1}
AUTOMATION_KEY = 'sim-automation-key-0000000000000001'  # fake, simulator only
CUSTOMER = {'dnsfilter_checkin_interval_seconds': 4, 'dnsfilter_uninstall_wait_seconds': 8}


def playbook(sandbox, tmp_path, name, extra=None, verbosity=0, key=AUTOMATION_KEY, options=()):
    env = dict(os.environ, DNSFILTER_API_URL=sandbox.api_url, DNSFILTER_CA_PATH=sandbox.ca_file, DNSFILTER_API_KEY=key,
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'), ANSIBLE_NOCOLOR='1')
    variables = dict({'dnsfilter_evidence_root': str(tmp_path / 'evidence')}, **(extra or {}))
    command = [str(Path(sys.executable).parent / 'ansible-playbook'), str(ROOT / 'playbooks' / name),
               '-i', str(ROOT / 'inventories' / 'demo'), '-e', json.dumps(variables)] + (['-' + 'v' * verbosity] if verbosity else [])
    command += list(options)
    (tmp_path / 'evidence').mkdir(exist_ok=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def bundles(tmp_path, ticket='DEMO-20261127'):
    return sorted(p for p in (tmp_path / 'evidence').glob(ticket + '-*') if p.is_dir())


def successful_writes(sandbox):
    return sum(count for endpoint, statuses in sandbox.requests()['by_endpoint'].items() if not endpoint.startswith('GET ')
               for status, count in statuses.items() if status.startswith('2'))


def agent_row(report, hostname):
    """The cells of the Roaming Client table's row of hostname (agent id, hostname, asset id, OS, last seen, action, ...)."""
    table = report.split('## Remove Roaming Clients')[1].split('\n\n')[1]
    rows = [[c.strip() for c in line.strip('|').split(' | ')] for line in table.splitlines()[2:]]
    [row] = [r for r in rows if r[1] == hostname]
    return row


def verify(bundle):
    return subprocess.run([sys.executable, str(bundle / 'VERIFY.py'), str(bundle)], capture_output=True, text=True, check=False)


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_customer_exit_end_to_end_then_again(sandbox, tmp_path):
    first = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER, verbosity=3)
    assert first.returncode == 0, first.stdout[-3000:]
    [bundle] = bundles(tmp_path)
    report = (bundle / 'report.md').read_text()
    for removed in ('FRONTDESK-01', 'DESK-07', 'BACKOFFICE-02', 'RECEPTION-MAC', 'LOANER-03'):
        row = agent_row(report, removed)
        assert 'record deleted' in row[5] and row[7] == 'record deleted', row
    # The offline Mac and the agent too old for remote uninstall keep their records and are listed as outstanding.
    outstanding = report.split('## Outstanding')[1].split('## Remove Roaming Clients')[0]
    assert 'DR-PARK-MBP' in outstanding and 'XRAY-WS01' in outstanding
    agents = {a['hostname']: a for a in json.loads((bundle / 'after' / 'roaming_clients.json').read_text())['roaming_clients']}
    assert sorted(agents) == ['DR-PARK-MBP', 'XRAY-WS01']
    assert 'Dashboard memberships removed: 3' in report and 'Scheduled reports stopped: 1' in report
    assert verify(bundle).returncode == 0
    # No secret anywhere: not in the -vvv output, not in any evidence file.
    assert AUTOMATION_KEY not in first.stdout + first.stderr
    for path in bundle.rglob('*'):
        if path.is_file():
            text = path.read_bytes()
            assert AUTOMATION_KEY.encode() not in text and b'sim-site-contoso' not in text and b'482916' not in text, path

    sandbox.reset_counters()
    second = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER)
    assert second.returncode == 0, second.stdout[-3000:]
    assert successful_writes(sandbox) == 0
    assert bundles(tmp_path) == [bundle], 'a re-run with outstanding items resumes the same bundle'
    assert verify(bundle).returncode == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
@pytest.mark.parametrize('bad, words', [
    ({'dnsfilter_organization_name': 'Fabrikam Legal'}, "named 'Contoso Dental', not 'Fabrikam Legal'"),
    ({'dnsfilter_organization_id': 810001, 'dnsfilter_organization_name': 'Northwind MSP'}, 'the MSP itself'),
    ({'dnsfilter_ticket': ''}, 'dnsfilter_ticket'),
    ({'dnsfilter_effective_date': '2026-13-01'}, 'dnsfilter_effective_date'),
])
def test_bad_input_fails_before_any_write(sandbox, tmp_path, bad, words):
    sandbox.reset_counters()
    run = playbook(sandbox, tmp_path, 'customer_exit.yml', dict(CUSTOMER, **bad))
    assert run.returncode != 0
    assert words in run.stdout
    assert sandbox.requests()['writes'] == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_a_read_only_or_revoked_key_fails_before_any_write(sandbox, tmp_path):
    sandbox.reset_counters()
    revoked = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER, key='sim-revoked-ellen-key-0000000000000001')
    assert revoked.returncode != 0 and 'invalid, expired or revoked' in revoked.stdout
    readonly = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER, key='sim-readonly-dana-key-0000000000000001')
    assert readonly.returncode != 0 and 'read-only role' in readonly.stdout
    assert sandbox.requests()['writes'] == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_check_mode_writes_the_plan_and_changes_nothing(sandbox, tmp_path):
    sandbox.reset_counters()
    run = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER, options=['--check'])
    assert run.returncode == 0, run.stdout[-3000:]
    assert sandbox.requests()['writes'] == 0
    [plan] = [p for p in (tmp_path / 'evidence').glob('DEMO-20261127-plan-*') if p.is_dir()]
    report = (plan / 'report.md').read_text()
    assert 'PLAN (check mode' in report
    # The plan names what a real run would do: every capable agent queued, the customer's users removed.
    for agent in ('FRONTDESK-01', 'DESK-07', 'BACKOFFICE-02', 'RECEPTION-MAC'):
        assert agent_row(report, agent)[5].startswith('remote uninstall would be queued'), agent_row(report, agent)
    assert 'Dashboard memberships would be removed: 3' in report
    assert verify(plan).returncode == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_an_interrupted_exit_finishes_on_the_next_run(sandbox, tmp_path):
    # Deleting records fails (the API is down for it) after the evidence and the uninstalls are done.
    sandbox.faults({'kind': 'error', 'method': 'POST', 'path': '/v1/user_agent_bulk_deletes', 'status': 503, 'count': 100})
    sandbox.faults({'kind': 'error', 'method': 'DELETE', 'path': '/v1/user_agents/*', 'status': 503, 'count': 100})
    broken = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER)
    assert broken.returncode != 0
    [bundle] = bundles(tmp_path)
    assert Path(str(bundle) + '.open').exists() and (bundle / 'before' / 'COMPLETE').exists()
    before = (bundle / 'before' / 'roaming_clients.json').read_text()
    sandbox.clear_faults()
    finished = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER)
    assert finished.returncode == 0, finished.stdout[-3000:]
    assert bundles(tmp_path) == [bundle]
    assert (bundle / 'before' / 'roaming_clients.json').read_text() == before, 'the before snapshot is kept'
    report = (bundle / 'report.md').read_text()
    row = agent_row(report, 'FRONTDESK-01')
    assert row[3] == 'windows 3.3.6' and row[7] == 'record deleted', row
    assert verify(bundle).returncode == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_technician_leaver_removes_every_membership_and_keeps_the_protected(sandbox, tmp_path):
    token = 'sim-tech-bob-key-0000000000000001'  # fake, simulator only
    extra = {'dnsfilter_ticket': 'T-1001', 'dnsfilter_technician_email': 'bob.tanaka@northwind-msp.example', 'dnsfilter_fail_on_outstanding': True,
             'dnsfilter_technician_key_tokens': [token], 'dnsfilter_technician_revoke_keys': False,
             'dnsfilter_api_keys_attestation': 'T-1001: Bob revoked his keys'}
    alive = playbook(sandbox, tmp_path, 'technician_leaver.yml', extra, verbosity=3)
    assert alive.returncode != 0 and token not in alive.stdout + alive.stderr
    state = sandbox.state()
    bob = next(u for u in state['users'] if u['ref'] == 'bob')
    assert bob['memberships'], 'a key seen alive keeps the seat, whatever is attested'
    assert "ALIVE: 5004 'Bob PSA sync'" in alive.stdout
    # Bob revokes his keys himself; the resumed run attests what it can no longer see.
    for key_id, key_token in ((5005, 'sim-tech-bob-key-0000000000000002'), (5004, token)):
        assert sandbox.client(token=key_token).post('/v1/api_keys/%d/revoke' % key_id).status_code == 200
    done = playbook(sandbox, tmp_path, 'technician_leaver.yml', dict(extra, dnsfilter_technician_key_tokens=[]))
    state = sandbox.state()
    users = {u['ref']: u for u in state['users']}
    assert users['bob']['memberships'] == [] or users['bob']['memberships'] == {}, done.stdout[-3000:]
    for kept in ('automation', 'grace', 'breakglass'):
        assert users[kept]['memberships'], kept
    # The SSO group review stays outstanding: the run says so and the report names the groups.
    assert done.returncode != 0 and 'SSO groups' in done.stdout
    [bundle] = bundles(tmp_path, 'T-1001')
    report = (bundle / 'report.md').read_text()
    assert 'DNSFilter-Technicians' in report
    assert '2 of 2 keys of bob.tanaka@northwind-msp.example (user 610004) proved dead or attested' in report


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_customer_user_leaver_removes_every_record_of_the_person(sandbox, tmp_path):
    # jdoe has left: someone else signs in on the devices jdoe used (else the next check-in brings jdoe back).
    for device in ('contoso-frontdesk-01', 'contoso-desk-07'):
        sandbox.set_device(device, current_user={'login': 'CONTOSO\\locum', 'name': 'locum'})
    # jdoe is two accounts: the domain account CONTOSO\jdoe (SID ...-1104, also listed as CONTOSO\john.doe from before a
    # rename) and the local DESK-07\jdoe (SID ...-1001). The account name alone does not say which is meant: refused,
    # both shown, nothing written. Their full logins take both accounts, with every record of each.
    sandbox.reset_counters()
    vague = playbook(sandbox, tmp_path, 'customer_user_leaver.yml', {'dnsfilter_ticket': 'T-2001', 'dnsfilter_user_accounts': ['jdoe']})
    assert vague.returncode != 0
    for text in ('CONTOSO\\\\jdoe', 'DESK-07\\\\jdoe', '4400101', '4400102', '30300820-1104', '725345543-1001'):
        assert text in vague.stdout, text
    assert successful_writes(sandbox) == 0
    run = playbook(sandbox, tmp_path, 'customer_user_leaver.yml',
                   {'dnsfilter_ticket': 'T-2001', 'dnsfilter_user_logins': ['CONTOSO\\jdoe', 'DESK-07\\jdoe']})
    assert run.returncode == 0, run.stdout[-3000:]
    logins = [u['user_login'] for u in sandbox.state()['agent_local_users'] if u['org_id'] == 810101]
    assert not [login for login in logins if login.lower().endswith('\\jdoe')]
    assert 'CONTOSO\\radtech' in logins
    [bundle] = bundles(tmp_path, 'T-2001')
    [record] = [json.loads(p.read_text()) for p in (bundle / 'runs').glob('*/clean_users.json')]
    assert sorted(record['results']['removed_ids']) == ['4400101', '4400102', '4400108']
    assert verify(bundle).returncode == 0
    sandbox.reset_counters()
    again = playbook(sandbox, tmp_path, 'customer_user_leaver.yml',
                     {'dnsfilter_ticket': 'T-2002', 'dnsfilter_user_logins': ['CONTOSO\\jdoe', 'DESK-07\\jdoe']})
    assert again.returncode == 0, again.stdout[-3000:]
    assert successful_writes(sandbox) == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_device_retire_refuses_a_live_agent_then_deletes_a_confirmed_gone_one(sandbox, tmp_path):
    extra = dict(CUSTOMER, dnsfilter_ticket='T-3001', dnsfilter_devices=['XRAY-WS01'], dnsfilter_fail_on_outstanding=True)
    # No device play reached XRAY-WS01 and it cannot uninstall remotely: its record stays and the run says so.
    live = playbook(sandbox, tmp_path, 'device_retire.yml', extra)
    assert live.returncode != 0 and 'XRAY-WS01' in live.stdout
    assert any(a['hostname'] == 'XRAY-WS01' and not a.get('deleted_at') for a in sandbox.state()['user_agents'])
    # The workstation was destroyed: take the device offline and confirm it gone.
    sandbox.set_device('contoso-xray-01', online=False, installed=False)
    gone = playbook(sandbox, tmp_path, 'device_retire.yml', dict(extra, dnsfilter_devices_confirmed_gone=['XRAY-WS01']))
    assert gone.returncode == 0, gone.stdout[-3000:]
    assert not [a for a in sandbox.state()['user_agents'] if a['hostname'] == 'XRAY-WS01' and not a.get('deleted_at')]


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_site_closure_keeps_a_site_with_outstanding_agents(sandbox, tmp_path):
    run = playbook(sandbox, tmp_path, 'site_closure.yml',
                   dict(CUSTOMER, dnsfilter_ticket='T-4001', dnsfilter_site_name='Contoso Dental - Westside Clinic', dnsfilter_fail_on_outstanding=True))
    # BACKOFFICE-02 and RECEPTION-MAC uninstall remotely; XRAY-WS01 cannot, so its record and the site stay,
    # while the site's key is revoked so nothing new deploys there.
    assert run.returncode != 0 and 'Westside' in run.stdout
    sites = {n['name']: n for n in sandbox.state()['networks']}
    west = sites['Contoso Dental - Westside Clinic']
    assert not west.get('deleted_at') and not west.get('secret_key')
    assert not sites['Contoso Dental - Main Clinic'].get('deleted_at') and sites['Contoso Dental - Main Clinic'].get('secret_key')

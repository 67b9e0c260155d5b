"""The exit playbooks touch only the devices DNSFilter puts in the exit's scope, over real WinRM and SSH.

The inventory holds every simulated device of the demo MSP: Contoso Dental (exiting, 7 devices), Fabrikam Legal (2)
and Tailspin Veterinary (1), as an MSP's shared inventory would.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

CONTOSO = {'FRONTDESK-01', 'DESK-07', 'XRAY-WS01', 'RECEPTION-MAC', 'DR-PARK-MBP', 'BACKOFFICE-02', 'LOANER-03'}
OTHERS = {'FAB-WS-01': 'fabrikam-ws-01', 'FAB-MAC-01': 'fabrikam-mac-01', 'TAILSPIN-FRONT': 'tailspin-ws-01'}
LIMIT_WORDS = ("this run's limit leaves out localhost, where the inputs are checked and the evidence is captured; "
               "run without -l: the devices in scope come from DNSFilter")
REIMAGED_ID = '0e1a6e00-0000-4000-8000-0000000000ee'


def bundle(root: Path) -> Path:
    [found] = [p for p in root.iterdir() if p.is_dir()]
    return found


def device_rows(evidence: Path) -> dict[str, dict]:
    """devices/*.json: one row per agent in scope, by DNSFilter hostname."""
    rows = [json.loads(p.read_text()) for p in sorted((evidence / 'devices').glob('*.json')) if p.name != 'out_of_scope.json']
    return {row['hostname']: row for row in rows}


def out_of_scope(evidence: Path) -> dict[str, dict]:
    return {entry['host']: entry for entry in json.loads((evidence / 'devices' / 'out_of_scope.json').read_text())}


def said_out_of_scope(output: str, host: str) -> bool:
    return f'"msg": "{host} is out of scope: ' in output


def snapshots(hosts, names) -> dict:
    return {name: hosts.snapshot(name) for name in names}


def test_customer_exit_leaves_every_other_customers_device_alone(linked_fast, tmp_path):
    sandbox, hosts = linked_fast
    assert set(hosts.inventory_hosts()) == CONTOSO | set(OTHERS)
    before = snapshots(hosts, CONTOSO | set(OTHERS))

    plan = hosts.exit_playbook(sandbox, 'customer_exit.yml', '--check', extra_vars={'dnsfilter_evidence_root': str(tmp_path / 'plan')})
    assert plan.returncode == 0, plan.stdout[-4000:]
    assert snapshots(hosts, CONTOSO | set(OTHERS)) == before, 'check mode changed a device'
    assert not hosts.contacted() & set(OTHERS), 'check mode contacted another customer\'s device'
    # The plan names the devices in scope (from DNSFilter) and those left alone.
    evidence = bundle(tmp_path / 'plan')
    assert set(device_rows(evidence)) == CONTOSO
    assert {h: e['stage'] for h, e in out_of_scope(evidence).items()} == dict.fromkeys(OTHERS, 'inventory')
    report = (evidence / 'report.md').read_text()
    handled, left_alone = report.split('Devices handled on the device:')[1].split('Site keys revoked')[0].split('Devices out of scope')
    for host in CONTOSO:
        assert f'- {host}: ' in handled and host not in left_alone
    for host in OTHERS:
        assert f'- {host}: ' in left_alone and host not in handled
        assert said_out_of_scope(plan.stdout, host)

    real = hosts.exit_playbook(sandbox, 'customer_exit.yml')
    assert real.returncode == 0, real.stdout[-4000:]
    after = snapshots(hosts, OTHERS)
    for host, device_id in OTHERS.items():
        assert after[host] == before[host], f'{host} was changed'
        assert sandbox.device(device_id)['installed'] is True
    assert not hosts.contacted() & set(OTHERS), 'another customer\'s device was contacted'
    # The exiting customer's reachable devices were done on the device.
    evidence = bundle(hosts.workdir / 'evidence')
    rows = device_rows(evidence)
    assert set(rows) == CONTOSO and set(out_of_scope(evidence)) == set(OTHERS)
    for host in ('FRONTDESK-01', 'DESK-07', 'BACKOFFICE-02', 'RECEPTION-MAC', 'XRAY-WS01'):
        assert rows[host]['served_by'] == host and rows[host]['verified'] is True, rows[host]
    assert sandbox.device('contoso-desk-07')['installed'] is False
    assert rows['DR-PARK-MBP']['outstanding_reason'].startswith('unreachable')


def test_device_retire_of_one_pc_touches_only_that_pc(linked_fast):
    sandbox, hosts = linked_fast
    others = (CONTOSO | set(OTHERS)) - {'BACKOFFICE-02'}
    before = snapshots(hosts, others)
    run = hosts.exit_playbook(sandbox, 'device_retire.yml', extra_vars={'dnsfilter_ticket': 'T-3101', 'dnsfilter_devices': ['BACKOFFICE-02']})
    assert run.returncode == 0, run.stdout[-4000:]
    assert hosts.contacted() == {'BACKOFFICE-02'}
    assert snapshots(hosts, others) == before
    assert sandbox.device('contoso-backoffice-02')['installed'] is False
    for device_id in ('contoso-frontdesk-01', 'contoso-desk-07', *OTHERS.values()):
        assert sandbox.device(device_id)['installed'] is True
    evidence = bundle(hosts.workdir / 'evidence')
    rows = device_rows(evidence)
    assert list(rows) == ['BACKOFFICE-02'] and rows['BACKOFFICE-02']['served_by'] == 'BACKOFFICE-02'
    assert rows['BACKOFFICE-02']['verified'] is True
    assert set(out_of_scope(evidence)) == others
    for host in others:
        assert said_out_of_scope(run.stdout, host)


def test_a_reimaged_pc_answering_with_another_agent_id_is_refused_untouched(linked_fast):
    sandbox, hosts = linked_fast
    # DESK-07 was re-imaged: its agent now has a new id; DNSFilter (and the inventory) still name the stale record.
    state_file = hosts.state_dir / 'windows' / 'DESK-07.json'
    state = json.loads(state_file.read_text())
    state['registry']['hklm:\\software\\dnsagent\\agent']['values']['AgentId']['data'] = REIMAGED_ID
    hosts.stop()
    state_file.write_text(json.dumps(state, indent=1, sort_keys=True))
    hosts.start()
    before = hosts.snapshot('DESK-07')
    assert before['registry']['hklm:\\software\\dnsagent\\agent']['values']['AgentId']['data'] == REIMAGED_ID

    run = hosts.exit_playbook(sandbox, 'device_retire.yml', extra_vars={'dnsfilter_ticket': 'T-3102', 'dnsfilter_devices': ['DESK-07']})
    assert run.returncode == 0, run.stdout[-4000:]
    assert hosts.snapshot('DESK-07') == before, 'the re-imaged PC was changed'
    assert hosts.windows_state('DESK-07').get('msiexec_log', []) == [], 'msiexec ran on it'
    assert hosts.contacted() == {'DESK-07'}, 'only the named PC is contacted, and only to read its agent id'
    evidence = bundle(hosts.workdir / 'evidence')
    refused = out_of_scope(evidence)['DESK-07']
    assert refused['stage'] == 'device' and refused['agent_id'] == REIMAGED_ID and REIMAGED_ID in refused['reason']
    stale = device_rows(evidence)['DESK-07']
    assert stale['agent_id'] == 'c0a70c50-0000-4000-8000-000000000002' and stale['served_by'] is None
    assert stale['verified'] is False and any('Host DESK-07 answered with another agent id' in note for note in stale['notes'])
    assert said_out_of_scope(run.stdout, 'DESK-07')


@pytest.mark.parametrize('name, limit, extra', [
    ('device_retire.yml', 'DESK-07', {'dnsfilter_devices': ['DESK-07']}),
    ('site_closure.yml', 'windows', {'dnsfilter_site_name': 'Contoso Dental - Westside Clinic'}),
])
def test_a_limit_that_leaves_out_localhost_is_refused_with_zero_writes(linked_fast, name, limit, extra):
    sandbox, hosts = linked_fast
    everything = CONTOSO | set(OTHERS)
    before = snapshots(hosts, everything)
    sandbox.reset_counters()
    run = hosts.exit_playbook(sandbox, name, '-l', limit, extra_vars=dict(extra, dnsfilter_ticket='T-3103'))
    assert run.returncode != 0
    assert LIMIT_WORDS in ' '.join(run.stdout.split()), run.stdout[-3000:]
    assert sandbox.writes() == 0
    assert hosts.contacted() == set()
    assert snapshots(hosts, everything) == before

"""The reporting snapshot is in the bundle before anything is removed, sealed by the gate, and agrees with the query log."""
from __future__ import annotations

import csv
import json

import pytest

from test_exit_playbooks import AUTOMATION_KEY, CUSTOMER, FAST, bundles, playbook, verify

SECTIONS = ('totals', 'domains', 'threats', 'users', 'roaming_clients')


def reports(bundle):
    return {name: json.loads((bundle / 'before' / 'reports' / (name + '.json')).read_text()) for name in SECTIONS}


def query_log_rows(bundle):
    with open(bundle / 'before' / 'query-log.csv', newline='') as handle:
        return list(csv.DictReader(handle))


def sealed_at_the_gate(bundle):
    """The files the gate's manifest lists (the gate seals before any removal; later phases reseal)."""
    manifest = json.loads((bundle / 'manifest.json').read_text())
    return {entry['path'] for entry in manifest['files']}


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_customer_exit_keeps_the_reporting_snapshot_of_the_contract_window(sandbox, tmp_path):
    run = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER)
    assert run.returncode == 0, run.stdout[-3000:]
    [bundle] = bundles(tmp_path)
    snapshot = reports(bundle)
    rows = query_log_rows(bundle)
    for name, report in snapshot.items():
        assert report['options']['organization_id'] == 810101 and report['options']['sections'] == [name]
        assert report['options']['network_ids'] == []
        assert 'before/reports/%s.json' % name in sealed_at_the_gate(bundle)
    # The same window as the query log export, and the same figures: taken before the agents were removed.
    meta = json.loads((bundle / 'before' / 'query-log.csv.meta.json').read_text())
    assert (snapshot['totals']['options']['from'], snapshot['totals']['options']['to']) == (meta['options']['from'], meta['options']['to'])
    assert snapshot['totals']['totals']['requests'] == len(rows) > 0
    assert snapshot['totals']['totals']['threats'] == sum(1 for r in rows if r['threat'] == 'true')
    assert {c['agent_name']: c['total'] for c in snapshot['roaming_clients']['roaming_clients']} == {
        name: sum(1 for r in rows if r['agentname'] == name) for name in {r['agentname'] for r in rows}}
    assert {d['domain'] for d in snapshot['domains']['blocked_domains']} == {r['domain'] for r in rows if r['result'] == 'blocked'}
    assert snapshot['users']['users'] and snapshot['threats']['threat_categories']
    for path in (bundle / 'before' / 'reports').iterdir():
        assert AUTOMATION_KEY.encode() not in path.read_bytes()
    assert verify(bundle).returncode == 0

    # A second run keeps the snapshot as it was (the sealed bundle stays valid) and reads no report again.
    before = {name: (bundle / 'before' / 'reports' / (name + '.json')).read_bytes() for name in SECTIONS}
    sandbox.reset_counters()
    again = playbook(sandbox, tmp_path, 'customer_exit.yml', CUSTOMER)
    assert again.returncode == 0, again.stdout[-3000:]
    assert {name: (bundle / 'before' / 'reports' / (name + '.json')).read_bytes() for name in SECTIONS} == before
    assert not [e for e in sandbox.requests()['by_endpoint'] if e.startswith('GET /v1/traffic_reports/top')]
    assert verify(bundle).returncode == 0


@pytest.mark.sandbox_scenario('demo', **FAST)
def test_site_closure_keeps_the_site_s_reporting_snapshot(sandbox, tmp_path):
    run = playbook(sandbox, tmp_path, 'site_closure.yml',
                   dict(CUSTOMER, dnsfilter_ticket='T-4002', dnsfilter_site_name='Contoso Dental - Westside Clinic'))
    [bundle] = bundles(tmp_path, 'T-4002')
    assert (bundle / 'before' / 'reports' / 'totals.json').exists(), run.stdout[-3000:]
    snapshot = reports(bundle)
    rows = query_log_rows(bundle)
    assert all(report['options']['network_ids'] == [940102] for report in snapshot.values())
    assert {r['networkid'] for r in rows} == {'940102'}
    assert snapshot['totals']['totals']['requests'] == len(rows) > 0
    assert {c['agent_name'] for c in snapshot['roaming_clients']['roaming_clients']} == {r['agentname'] for r in rows}
    assert 'before/reports/roaming_clients.json' in sealed_at_the_gate(bundle)
    # The organisation's CSV exports are not a site's evidence.
    assert not (bundle / 'before' / 'roaming_clients.csv').exists()

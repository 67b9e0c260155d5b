"""The exit shapes that remove Roaming Clients, on every lifecycle variant of the simulator (docs/gaps.md).

What DNSFilter does not publish about removal - what a queued record shows, an uninstalling phase or none, when the
agent acts, what an agent that cannot uninstall says, the first versions that can, when a deleted live record comes
back - is a scenario setting of the simulator. The default variant (documented) is what test_exit_playbooks and
test_plan_matches_outcome run on; here the customer exit, a device retirement and a site closure run on each other
variant, with every expectation taken from what the simulator's devices can do there, never from the variant's name:
the agents that can uninstall are removed and their records deleted, every other record is kept and outstanding,
evidence verifies; for the device retirement and the site closure (the same removal tasks in less time) check mode
also plans exactly what the real run does. That a second run changes nothing is checked on every variant by the
roaming_client integration target. Sized to catch, not to exhaust: about eight minutes on two workers.
"""
from __future__ import annotations

import json

import pytest

from dnsfilter_sim import lifecycle
from test_exit_playbooks import AUTOMATION_KEY, CUSTOMER, FAST, agent_row, bundles, playbook, verify
from test_plan_matches_outcome import compare, plan_then_run

CONTOSO = 810101
VARIANTS = sorted(set(lifecycle.VARIANTS) - {lifecycle.DEFAULT})


def able_and_not(sandbox, hostnames=None):
    """Contoso's agents that can be uninstalled now (device online, installed, able remotely) or already are, and the
    rest - from the simulator's devices, which is what the variant decides."""
    able, rest = set(), set()
    for device in sandbox.devices():
        if device['organization_id'] != CONTOSO or (hostnames and device['hostname'] not in hostnames):
            continue
        gone = not device['installed'] and device['record']['status'] in ('uninstalled', 'uninstalled_from_client')
        can = device['online'] and device['installed'] and device['supports_remote_uninstall']
        (able if gone or can else rest).add(device['hostname'])
    return able, rest


@pytest.mark.parametrize('variant', VARIANTS)
def test_customer_exit_on_every_lifecycle_variant(sandbox, tmp_path, variant):
    sandbox.load('demo', lifecycle=variant, **FAST)
    able, rest = able_and_not(sandbox)
    assert able and rest, 'the demo has agents on both sides in every variant'
    extra = dict(CUSTOMER, dnsfilter_ticket='V-1001', dnsfilter_fail_on_outstanding=False)
    real = playbook(sandbox, tmp_path, 'customer_exit.yml', extra)
    assert real.returncode == 0, real.stdout[-3000:]

    [bundle] = bundles(tmp_path, 'V-1001')
    report = (bundle / 'report.md').read_text()
    for hostname in able:
        row = agent_row(report, hostname)
        assert row[7] == 'record deleted', row
    outstanding = report.split('## Outstanding')[1].split('## Remove Roaming Clients')[0]
    for hostname in rest:
        assert hostname in outstanding, (hostname, outstanding)
    after = json.loads((bundle / 'after' / 'roaming_clients.json').read_text())['roaming_clients']
    assert sorted(a['hostname'] for a in after) == sorted(rest)
    assert verify(bundle).returncode == 0
    assert AUTOMATION_KEY not in real.stdout + real.stderr


@pytest.mark.parametrize('variant', VARIANTS)
def test_device_retire_on_every_lifecycle_variant(sandbox, tmp_path, variant):
    sandbox.load('demo', lifecycle=variant, **FAST)
    named = ['BACKOFFICE-02', 'DESK-07', 'XRAY-WS01']
    able, rest = able_and_not(sandbox, named)
    extra = dict(CUSTOMER, dnsfilter_ticket='V-2001', dnsfilter_devices=named, dnsfilter_fail_on_outstanding=False)
    _real, planned, done = plan_then_run(sandbox, tmp_path, 'device_retire.yml', extra)
    assert compare(planned, done) == [], json.dumps({'plan': planned, 'outcome': done}, indent=1)
    live = {a['hostname'] for a in sandbox.state()['user_agents'] if a['org_id'] == CONTOSO and not a.get('deleted_at')}
    assert not able & live, 'the records of the uninstalled agents are deleted'
    assert rest <= live, 'every other record is kept'
    assert {o[1] for o in done['outstanding'] if o[0] == 'remove_roaming_clients'} == \
        {a['id'] for a in sandbox.state()['user_agents'] if a['hostname'] in rest and a['org_id'] == CONTOSO}


@pytest.mark.parametrize('variant', VARIANTS)
def test_site_closure_on_every_lifecycle_variant(sandbox, tmp_path, variant):
    sandbox.load('demo', lifecycle=variant, **FAST)
    site = ['BACKOFFICE-02', 'RECEPTION-MAC', 'XRAY-WS01']  # the agents of Contoso Dental - Westside Clinic
    able, rest = able_and_not(sandbox, site)
    extra = dict(CUSTOMER, dnsfilter_ticket='V-3001', dnsfilter_site_name='Contoso Dental - Westside Clinic',
                 dnsfilter_fail_on_outstanding=False)
    _real, planned, done = plan_then_run(sandbox, tmp_path, 'site_closure.yml', extra)
    assert compare(planned, done) == [], json.dumps({'plan': planned, 'outcome': done}, indent=1)
    live = {a['hostname'] for a in sandbox.state()['user_agents'] if a['org_id'] == CONTOSO and not a.get('deleted_at')}
    assert not able & live, 'the records of the uninstalled agents are deleted'
    assert rest <= live, 'every other record is kept'
    # The site goes only with its last record; while one is kept, the site is outstanding with it.
    site_outstanding = {o for o in done['outstanding'] if o[0] == 'close_site'}
    assert bool(site_outstanding) == bool(rest) and bool(done['sites']) == (not rest), done

"""The plan is the truth: every exit playbook in check mode, then for real on the same scenario, item by item.

Check mode records the plan's phases (runs/<run>/<phase>.json in the plan bundle); the real run records its own. Both are read
as data and compared object by object: what would be queued is queued, what would be deleted is deleted (a record
planned "deleted once its uninstall is confirmed" is deleted, or kept and outstanding), what would be removed is
removed, what the plan lists as outstanding is outstanding - nothing more, nothing less.
"""
from __future__ import annotations

import json

import pytest

from test_exit_playbooks import CUSTOMER, FAST, playbook

# Every shape with the inputs its demo run needs; none fails on outstanding items, so the plan and the run both end.
SHAPES = {
    'customer_exit.yml': dict(CUSTOMER, dnsfilter_ticket='P-1001'),
    'device_retire.yml': dict(CUSTOMER, dnsfilter_ticket='P-1002', dnsfilter_devices=['BACKOFFICE-02', 'XRAY-WS01']),
    'site_closure.yml': dict(CUSTOMER, dnsfilter_ticket='P-1003', dnsfilter_site_name='Contoso Dental - Westside Clinic'),
    'customer_user_leaver.yml': dict(dnsfilter_ticket='P-1004', dnsfilter_user_logins=['CONTOSO\\former.hygienist'],
                                     dnsfilter_user_emails=['marco.silva@contosodental.example']),
    'technician_leaver.yml': dict(dnsfilter_ticket='P-1005', dnsfilter_technician_email='bob.tanaka@northwind-msp.example',
                                  dnsfilter_api_keys_attestation='P-1005: Bob revoked his keys before he left'),
}


def record(tmp_path, ticket, plan):
    """The newest run's phase records of the ticket's plan bundle (plan) or of its real bundle, as {phases, outstanding}."""
    folders = [p for p in (tmp_path / 'evidence').glob(ticket + '-*') if p.is_dir() and ('-plan-' in p.name) == plan]
    assert len(folders) == 1, folders
    runs = sorted(p for p in (folders[0] / 'runs').iterdir() if p.is_dir())
    assert runs, 'no run record in %s' % folders[0]
    phases = [json.loads(p.read_text()) for p in sorted(runs[-1].glob('*.json')) if p.name != 'run.json']
    assert phases, 'no phase recorded in %s' % runs[-1]
    return {'phases': {p['phase']: p['results'] for p in phases}, 'outstanding': [o for p in phases for o in p['outstanding']]}


def _rows(node, *path):
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def items(run):
    """The objects a run acted on (or, in check mode, would act on), by phase."""
    phases = run.get('phases') or {}
    access = phases.get('close_access') or {}
    return {
        'queued': {r['id']: r['action'] for r in _rows(phases, 'remove_roaming_clients', 'uninstall', 'roaming_clients')},
        'records': {r['id']: r['action'] for r in _rows(phases, 'remove_roaming_clients', 'records', 'roaming_clients')},
        'site_keys': sorted(((phases.get('remove_roaming_clients') or {}).get('site_keys') or {}).get('changed_ids') or []),
        'users': sorted(str(u['id']) for u in _rows(phases, 'clean_users', 'removed')),
        'memberships': sorted((c['organization_id'], c['user_id']) for c in _rows(access, 'dashboard_users', 'changes')),
        'sso': sorted(str(c['id']) for c in _rows(access, 'sso', 'enterprise_connections')),
        'scheduled_reports': sorted(str(r['id']) for r in _rows(phases, 'review_lists', 'scheduled_reports', 'deleted')),
        'sites': sorted(str(s['id']) for s in _rows(phases, 'close_site', 'deleted')),
        'sites_conditional': {str(s['id']): s.get('name') for s in _rows(phases, 'close_site', 'conditional')},
        'outstanding': sorted({(str(o.get('phase')).split(' ', maxsplit=1)[0], _subject(o)) for o in run.get('outstanding') or []}),
    }


def _subject(item):
    """An outstanding item's subject: an agent by its id (a record and its device are one subject)."""
    return str(item.get('agent_id') or item.get('id') or item.get('hostname') or item.get('host') or item.get('subject'))


def compare(plan, outcome):
    """The differences between a plan and the outcome of the real run, as readable lines (none: they agree)."""
    wrong = []
    for phase in ('queued', 'site_keys', 'users', 'memberships', 'sso', 'scheduled_reports'):
        if plan[phase] != outcome[phase]:
            wrong.append('%s: planned %r, done %r' % (phase, plan[phase], outcome[phase]))
    # A site planned to go once its records are deleted goes, or stays (outstanding, with its records).
    conditional = plan.get('sites_conditional') or {}
    done_sites = set(outcome.get('sites') or ())
    if not set(plan.get('sites') or ()) <= done_sites or not done_sites <= set(plan.get('sites') or ()) | set(conditional):
        wrong.append('sites: planned %r (conditional %r), done %r' % (plan.get('sites'), sorted(conditional), sorted(done_sites)))
    kept_as_planned = {name for ident, name in conditional.items() if ident not in done_sites}
    for ident in sorted(set(plan['records']) | set(outcome['records'])):
        planned, done = plan['records'].get(ident), outcome['records'].get(ident)
        if planned == 'delete_when_uninstalled' and done in ('deleted', 'none'):
            if done == 'none':
                kept_as_planned.add(ident)
            continue
        if planned != done:
            wrong.append('record %s: planned %r, done %r' % (ident, planned, done))
    planned_out = set(map(tuple, plan['outstanding']))
    done_out = set(map(tuple, outcome['outstanding']))
    extra = {o for o in done_out - planned_out if o[1] not in kept_as_planned}
    if extra:
        wrong.append('outstanding, not planned: %r' % sorted(extra))
    if planned_out - done_out:
        wrong.append('planned outstanding, but done: %r' % sorted(planned_out - done_out))
    return wrong


def test_the_comparison_catches_a_plan_that_differs_from_the_run():
    base = {'queued': {'a': 'queued'}, 'records': {'a': 'delete_when_uninstalled', 'b': 'deleted'}, 'site_keys': ['1'],
            'users': [], 'memberships': [], 'sso': ['9'], 'scheduled_reports': [], 'outstanding': []}
    assert compare(base, dict(base, records={'a': 'deleted', 'b': 'deleted'})) == []
    kept = dict(base, records={'a': 'none', 'b': 'deleted'}, outstanding=[('remove_roaming_clients', 'a')])
    assert compare(base, kept) == []
    assert compare(base, dict(base, records={'a': 'deleted', 'b': 'none'}))  # planned deleted, kept
    assert compare(base, dict(base, sso=[], outstanding=[('close_access', 'SSO')]))  # "SSO removed" but it stayed
    assert compare(dict(base, records={'a': 'none', 'b': 'deleted'}), dict(base, records={'a': 'deleted', 'b': 'deleted'}))
    # A site planned to go once its records are gone: deleted, or kept and outstanding with them; never kept silently.
    site_plan = dict(base, sites=[], sites_conditional={'5': 'Warehouse'})
    assert compare(site_plan, dict(base, sites=['5'])) == []
    assert compare(site_plan, dict(base, sites=[], outstanding=[('close_site', 'Warehouse')])) == []
    assert compare(site_plan, dict(base, sites=['6']))
    assert compare(dict(base, sites=['5']), dict(base, sites=[]))


def plan_then_run(sandbox, tmp_path, shape, extra):
    """Check mode (which must write nothing), then the real run, of one shape: (real run, plan items, outcome items)."""
    sandbox.reset_counters()
    plan = playbook(sandbox, tmp_path, shape, extra, options=['--check'])
    assert plan.returncode == 0, plan.stdout[-3000:]
    assert sandbox.requests()['writes'] == 0, 'check mode wrote to DNSFilter'
    planned = items(record(tmp_path, extra['dnsfilter_ticket'], plan=True))

    real = playbook(sandbox, tmp_path, shape, extra)
    assert real.returncode == 0, real.stdout[-3000:]
    return real, planned, items(record(tmp_path, extra['dnsfilter_ticket'], plan=False))


@pytest.mark.sandbox_scenario('demo', **FAST)
@pytest.mark.parametrize('shape', sorted(SHAPES))
def test_check_mode_plans_exactly_what_the_real_run_does(sandbox, tmp_path, shape):
    extra = dict(SHAPES[shape], dnsfilter_fail_on_outstanding=False)
    _real, planned, done = plan_then_run(sandbox, tmp_path, shape, extra)
    assert compare(planned, done) == [], json.dumps({'plan': planned, 'outcome': done}, indent=1)
    # The comparison is not vacuous: each shape plans and does something.
    assert any(planned[k] for k in planned if k != 'outstanding'), planned

"""The plan is the truth on the look-alikes too: check mode, then the real run, compared item by item.

The comparison (what is queued, deleted, revoked, removed, outstanding) is the one tests/playbooks uses on the demo
customer; here each exit shape runs against the twin customers, the re-imaged PC and the case-twin technicians.
"""
import sys
from pathlib import Path

import pytest

from adversarial_helpers import ACME, FAST, NAMES, ONLY_ACCOUNT, ONLY_SITE, RECEPTION_OLD, RILEY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'playbooks'))
from test_plan_matches_outcome import compare, items, record  # noqa: E402  pylint: disable=wrong-import-position

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)
ACME_CORP = {'dnsfilter_organization_id': ACME, 'dnsfilter_organization_name': NAMES[ACME]}
ATTESTED = 'ADV-PLAN: the technician revoked their keys (ticket note)'

SHAPES = {
    # Acme Corp has a case twin (ACME CORP) whose devices, sites and Users carry the same names.
    'customer_exit.yml': dict(ACME_CORP, dnsfilter_ticket='ADV-PLAN-1'),
    # The stale record of the re-imaged PC, by agent id; its live twin stays.
    'device_retire.yml': dict(ACME_CORP, dnsfilter_ticket='ADV-PLAN-2', dnsfilter_devices=[RECEPTION_OLD],
                              dnsfilter_devices_confirmed_gone=[RECEPTION_OLD]),
    'site_closure.yml': dict(ACME_CORP, dnsfilter_ticket='ADV-PLAN-3', dnsfilter_site_name=ONLY_SITE[ACME]),
    'customer_user_leaver.yml': dict(ACME_CORP, dnsfilter_ticket='ADV-PLAN-4', dnsfilter_user_accounts=[ONLY_ACCOUNT[ACME]]),
    # Riley holds access both through a direct membership and an include-only MSP membership.
    'technician_leaver.yml': dict(dnsfilter_ticket='ADV-PLAN-5', dnsfilter_technician_email=RILEY,
                                  dnsfilter_api_keys_attestation=ATTESTED),
}


@pytest.mark.parametrize('shape', sorted(SHAPES))
def test_check_mode_plans_exactly_what_the_real_run_does_on_the_lookalikes(ansible, tmp_path, shape):
    extra = dict(SHAPES[shape], dnsfilter_fail_on_outstanding=False)
    plan = ansible.run(shape, extra, check=True)
    assert plan.returncode == 0, plan.tail()
    assert plan.writes == 0, 'check mode wrote to DNSFilter'
    planned = items(record(tmp_path, extra['dnsfilter_ticket'], plan=True))

    real = ansible.run(shape, extra)
    assert real.returncode == 0, real.tail()
    done = items(record(tmp_path, extra['dnsfilter_ticket'], plan=False))
    assert compare(planned, done) == [], {'plan': planned, 'outcome': done}
    assert any(planned[k] for k in planned if k != 'outstanding'), planned

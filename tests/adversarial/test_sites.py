"""Site closes: a site name that two sites of the customer answer to (one with a trailing space) selects neither."""
import pytest

from adversarial_helpers import ACME, ACME_HEAD, ACME_HEAD_SPACE, FAST, NAMES, changes, missing_candidates

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)


def test_a_site_name_with_a_trailing_space_twin_is_refused_listing_both(ansible):
    # 'HEAD OFFICE' is a third site of Acme Corp, but not a candidate: case is significant.
    run = ansible.run('site_closure.yml', {'dnsfilter_ticket': 'ADV-SITE-1', 'dnsfilter_organization_id': ACME,
                                           'dnsfilter_organization_name': NAMES[ACME], 'dnsfilter_site_name': 'Head Office'})
    run.assert_refused_before_any_write()
    assert missing_candidates(run.output, {ACME_HEAD: 'Head Office', ACME_HEAD_SPACE: 'Head Office '}) == [], run.tail()
    assert changes(run) == {}

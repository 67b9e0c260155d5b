"""Device retires: a re-imaged PC has two Roaming Client records of one hostname; only its agent id picks one."""
import pytest

from adversarial_helpers import ACME, FAST, NAMES, RECEPTION_NEW, RECEPTION_OLD, agent, changes

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)
ACME_CORP = {'dnsfilter_organization_id': ACME, 'dnsfilter_organization_name': NAMES[ACME]}


def test_the_hostname_of_a_reimaged_pc_is_refused_listing_both_agents(ansible):
    run = ansible.run('device_retire.yml', dict(ACME_CORP, dnsfilter_ticket='ADV-DEV-1', dnsfilter_devices=['RECEPTION-PC']))
    run.assert_refused_before_any_write()
    assert RECEPTION_OLD in run.output and RECEPTION_NEW in run.output, run.tail()
    assert changes(run) == {}


@pytest.mark.parametrize('named', [{'agent_id': RECEPTION_OLD}, RECEPTION_OLD], ids=['agent_id entry', 'bare agent id'])
def test_the_stale_record_by_agent_id_goes_and_the_live_agent_stays(ansible, named):
    run = ansible.run('device_retire.yml', dict(ACME_CORP, dnsfilter_ticket='ADV-DEV-2', dnsfilter_devices=[named],
                                                dnsfilter_devices_confirmed_gone=[RECEPTION_OLD]))
    assert run.returncode == 0, run.tail()
    assert agent(run.after, RECEPTION_OLD)['deleted_at'], 'the stale record is deleted'
    live = agent(run.after, RECEPTION_NEW)
    assert not live['deleted_at'] and not live['uninstall_queued_at'] and live['status'] == 'active', live
    assert {'acme-reception-new': True} == {d['id']: d['installed'] for d in run.after['devices'] if d['id'] == 'acme-reception-new'}
    assert list(changes(run)['agents']) == [RECEPTION_OLD], 'no other agent was touched'

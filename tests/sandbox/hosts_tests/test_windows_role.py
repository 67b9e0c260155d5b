"""roles/roaming_client_windows against simulated Windows hosts, linked to the API simulator where the API matters."""
from __future__ import annotations

import json

import requests

from conftest import changed_count

DESK = 'DESK-07'            # demo scenario: white-label "DNS Agent" 2.2.0, WOW6432Node, Ethernet on 127.0.0.2, PIN-protected
FRONTDESK = 'FRONTDESK-01'  # demo scenario: retail "DNSFilter Agent" 3.3.6


def _role_vars(sandbox) -> tuple[dict, dict]:
    """Extra vars and environment that fetch the PIN from the API simulator just in time."""
    org_id = next(o['id'] for o in sandbox.state()['organizations'] if o['ref'] == 'contoso')
    extra = {'roaming_client_windows_pin_property': 'UNINSTALL_PIN', 'roaming_client_windows_api_url': sandbox.api_url,
             'roaming_client_windows_organization_id': org_id, 'roaming_client_windows_api_validate_certs': False}
    return extra, {'DNSFILTER_API_KEY': sandbox.key('automation')}


def test_white_label_agent_removed_and_stops_checking_in(linked):
    sandbox, hosts = linked
    extra, env = _role_vars(sandbox)
    before = hosts.windows_state(DESK)
    pin = before['agent']['pin']

    check = hosts.playbook('windows_offboard.yml', '--limit', DESK, '--check', env=env, extra_vars=extra)
    assert check.returncode == 0, check.stdout
    predicted = hosts.result(f'{DESK}.json')
    assert hosts.windows_state(DESK) == before, 'check mode changed the host'
    assert sandbox.device('contoso-desk-07')['installed'] is True
    assert predicted['check_mode'] is True and predicted['uninstalled'] is True
    assert predicted['product'] == 'DNS Agent' and predicted['dns_reset'] == ['Ethernet']
    assert changed_count(check.stdout, DESK) > 0

    real = hosts.playbook('windows_offboard.yml', '--limit', DESK, '-v', env=env, extra_vars=extra)
    assert real.returncode == 0, real.stdout
    result = hosts.result(f'{DESK}.json')
    after = hosts.windows_state(DESK)
    assert result['verified'] is True and result['outstanding_reason'] is None
    assert (result['product'], result['version'], result['uninstalled'], result['exit_code']) == ('DNS Agent', '2.2.0', True, 0)
    assert result['agent_id'] == 'c0a70c50-0000-4000-8000-000000000002'
    assert result['dns_reset'] == predicted['dns_reset']
    assert set(result['leftovers_removed']['folders']) <= set(predicted['leftovers_removed']['folders'])
    assert not [k for k in after['registry'] if '\\uninstall\\' + before['agent']['product_code'].lower() in k]
    assert 'dns agent' not in after['services']
    ethernet = next(a for a in after['adapters'] if a['name'] == 'Ethernet')
    wifi = next(a for a in after['adapters'] if a['name'] == 'Wi-Fi')
    assert ethernet['static_dns'] == [] and wifi['static_dns'] == ['192.168.1.1']
    assert after['msiexec_log'] == [{'product_code': before['agent']['product_code'], 'has_arguments': True}]
    assert pin not in real.stdout + real.stderr + hosts.log(), 'the uninstall PIN was logged'

    # The host told the API: the agent stops checking in and the record says it was removed on the device.
    assert sandbox.device('contoso-desk-07')['installed'] is False
    sandbox.advance(3600)
    record = sandbox.device('contoso-desk-07')['record']
    assert record['status'] == 'uninstalled_from_client'
    last_sync = record['last_sync']
    sandbox.advance(3 * 3600)
    assert sandbox.device('contoso-desk-07')['record']['last_sync'] == last_sync

    again = hosts.playbook('windows_offboard.yml', '--limit', DESK, env=env, extra_vars=extra)
    assert again.returncode == 0, again.stdout
    assert changed_count(again.stdout, DESK) == 0
    assert hosts.result(f'{DESK}.json')['verified'] is True


def test_remote_uninstall_from_the_api_reaches_the_host(linked):
    sandbox, hosts = linked
    agent_id = sandbox.device('contoso-frontdesk-01')['agent_id']
    api = requests.Session()
    api.headers['Authorization'] = sandbox.key('automation')
    response = api.delete(f'{sandbox.api_url}/v1/user_agents/{agent_id}', params={'queue_uninstall': 'true', 'clear_registry': 'false'},
                          verify=sandbox.ca_file, timeout=30)
    assert response.status_code == 204, response.text
    assert hosts.windows_state(FRONTDESK)['agent_was_installed'] is True
    sandbox.checkin(['contoso-frontdesk-01'])
    sandbox.advance(3600)
    assert sandbox.device('contoso-frontdesk-01')['installed'] is False

    # The host applies it before it answers its next command.
    assert hosts.adhoc(FRONTDESK, 'ansible.windows.win_ping').returncode == 0
    state = hosts.windows_state(FRONTDESK)
    code = state['agent']['product_code'].lower()
    assert not [k for k in state['registry'] if k.endswith('\\' + code)]
    assert 'dnsfilter agent' not in state['services']
    assert 'hklm:\\software\\dnsfilter\\agent' in state['registry'], 'clear_registry=false keeps the agent settings'


def test_offline_host_is_outstanding_and_others_complete(hosts):
    run = hosts.playbook('windows_offboard.yml')
    assert run.returncode == 0, run.stdout
    outstanding = hosts.result('outstanding.json')
    assert [o['host'] for o in outstanding] == ['WIN-OFF-03']
    assert outstanding[0]['reason'].startswith('unreachable')
    for host in ('WIN-WL-01', 'WIN-RT-02'):
        assert hosts.result(f'{host}.json')['verified'] is True
    retail = hosts.result('WIN-RT-02.json')
    assert retail['exit_code'] == 3010 and retail['reboot_required'] is True and retail['rebooted'] is False
    white = hosts.result('WIN-WL-01.json')
    assert white['leftovers_removed']['scheduled_tasks'] == ['dnsreset', 'uaretailstartup', 'uastartup']
    assert 'HKLM:\\SOFTWARE\\DNSAgent' in white['leftovers_removed']['registry_keys']


def test_reboot_only_when_allowed(hosts):
    run = hosts.playbook('windows_offboard.yml', '--limit', 'WIN-RT-02', extra_vars={'roaming_client_windows_allow_reboot': True})
    assert run.returncode == 0, run.stdout
    result = hosts.result('WIN-RT-02.json')
    assert result['exit_code'] == 3010 and result['rebooted'] is True and result['reboot_required'] is False
    state = hosts.windows_state('WIN-RT-02')
    assert state['boot_count'] == 1 and state['pending_reboot'] is False


def test_the_role_changes_nothing_without_the_scope(hosts):
    before = hosts.windows_state('WIN-WL-01')
    run = hosts.playbook('windows_offboard.yml', '--limit', 'WIN-WL-01', extra_vars={'scope_agent_ids': None})
    assert run.returncode != 0
    assert 'roaming_client_windows_scope_agent_ids' in run.stdout and 'roaming_client_windows_scope_any' in run.stdout
    assert hosts.windows_state('WIN-WL-01') == before
    assert 'WIN-WL-01' not in hosts.contacted(), 'the host was contacted before the scope was checked'


def test_a_device_whose_agent_id_is_not_in_scope_is_left_untouched(hosts):
    before = hosts.windows_state('WIN-WL-01')
    on_device = before['agent']['agent_id']
    run = hosts.playbook('windows_offboard.yml', '--limit', 'WIN-WL-01', extra_vars={'scope_agent_ids': ['6f1d1a8e-0f51-4c39-9a3b-3b1f0c2e9a99']})
    assert run.returncode == 0, run.stdout
    result = hosts.result('WIN-WL-01.json')
    assert result['out_of_scope'] is True and result['outstanding_reason'] is None and result['uninstalled'] is False
    assert on_device in result['scope_reason'] and result['agent_id'] == on_device
    assert hosts.windows_state('WIN-WL-01') == before
    assert changed_count(run.stdout, 'WIN-WL-01') == 0

    # Set explicitly, scope_any lets the role work on any device (standalone use, Molecule).
    anyway = hosts.playbook('windows_offboard.yml', '--limit', 'WIN-WL-01',
                            extra_vars={'scope_agent_ids': None, 'roaming_client_windows_scope_any': True})
    assert anyway.returncode == 0, anyway.stdout
    assert hosts.result('WIN-WL-01.json')['verified'] is True


def test_an_installed_agent_whose_id_cannot_be_read_is_outstanding_and_untouched(hosts):
    state_file = hosts.state_dir / 'windows' / 'WIN-RT-02.json'
    state = json.loads(state_file.read_text())
    hosts.stop()
    del state['registry']['hklm:\\software\\dnsfilter\\agent']['values']['AgentId']
    state_file.write_text(json.dumps(state, indent=1, sort_keys=True))
    hosts.start()
    before = hosts.windows_state('WIN-RT-02')
    run = hosts.playbook('windows_offboard.yml', '--limit', 'WIN-RT-02')
    assert run.returncode == 0, run.stdout
    result = hosts.result('WIN-RT-02.json')
    assert result['outstanding_reason'] == 'agent id not readable, not proven in scope' and result['out_of_scope'] is False
    assert hosts.windows_state('WIN-RT-02') == before

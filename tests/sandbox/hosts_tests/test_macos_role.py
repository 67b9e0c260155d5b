"""roles/roaming_client_macos against simulated Macs over SSH, with the Jamf Pro simulator for MDM profiles."""
from __future__ import annotations

import json
import os

import requests

from conftest import changed_count

JAMF = 'http://127.0.0.40:8080'
MDM_MAC = 'MAC-MDM-01'   # hosts.yml: retail 2.1.0, two MDM profiles in Jamf, one DNSFilter profile installed by hand, one other MDM profile
PLAIN_MAC = 'MAC-WL-02'  # hosts.yml: white-label 1.9.2 on loopback DNS, profiles installed by hand


def _jamf_puts() -> list[str]:
    return [r['path'] for r in requests.get(f'{JAMF}/control/requests', timeout=10).json() if r['method'] == 'PUT']


def _tree(hosts, host: str) -> list[str]:
    root = hosts.mac_path(host, '/')
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _dirs, files in os.walk(root) for f in files)


def test_mdm_profiles_leave_only_through_jamf_and_hand_profiles_locally(hosts):
    local = hosts.adhoc(MDM_MAC, 'ansible.builtin.command', 'profiles remove -identifier com.dnsfilter.networkproxy')
    assert local.returncode == 2 and 'installed by MDM and cannot be removed locally' in local.stdout
    state, files = hosts.mac_state(MDM_MAC), _tree(hosts, MDM_MAC)

    check = hosts.playbook('macos_offboard.yml', '--limit', MDM_MAC, '--check')
    assert check.returncode == 0, check.stdout
    assert hosts.mac_state(MDM_MAC) == state and _tree(hosts, MDM_MAC) == files, 'check mode changed the Mac'
    assert _jamf_puts() == [], 'check mode changed Jamf'
    predicted = hosts.result(f'{MDM_MAC}.json')
    assert predicted['profiles_removed_by_mdm'] == ['com.dnsfilter.systemextension', 'com.dnsfilter.networkproxy']
    assert predicted['profiles_removed_locally'] == ['com.example.dnsfilter-handmade']
    assert predicted['uninstalled'] is True and changed_count(check.stdout, MDM_MAC) > 0

    real = hosts.playbook('macos_offboard.yml', '--limit', MDM_MAC)
    assert real.returncode == 0, real.stdout
    result = hosts.result(f'{MDM_MAC}.json')
    assert result['verified'] is True and result['outstanding_reason'] is None
    assert result['profiles_removed_by_mdm'] == predicted['profiles_removed_by_mdm']
    assert result['profiles_removed_locally'] == predicted['profiles_removed_locally']
    assert (result['product'], result['version'], result['script_rc']) == ('DNSFilter Agent', '2.1.0', 0)
    assert sorted(_jamf_puts()) == ['/JSSResource/osxconfigurationprofiles/id/1', '/JSSResource/osxconfigurationprofiles/id/2']
    after = hosts.mac_state(MDM_MAC)
    assert [p['identifier'] for p in after['profiles']] == ['com.example.wifi'], 'only the unrelated MDM profile stays'
    assert after['launchd'] == {} and after['system_extensions'] == []
    assert not hosts.mac_path(MDM_MAC, '/Applications/DNSFilter Agent.app').exists()
    assert not hosts.mac_path(MDM_MAC, '/Library/Application Support/DNSFilter Agent').exists()

    again = hosts.playbook('macos_offboard.yml', '--limit', MDM_MAC)
    assert again.returncode == 0, again.stdout
    assert changed_count(again.stdout, MDM_MAC) == 0
    assert len(_jamf_puts()) == 2


def test_verify_fails_while_an_mdm_profile_remains(hosts):
    run = hosts.playbook('macos_offboard.yml', '--limit', MDM_MAC, extra_vars={'roaming_client_macos_mdm_provider': ''})
    assert run.returncode == 2, run.stdout
    assert 'Roaming Client still present after removal' in run.stdout
    assert '"no_dnsfilter_profile": false' in run.stdout and '"no_app": true' in run.stdout
    assert {'com.dnsfilter.systemextension', 'com.dnsfilter.networkproxy'} <= {p['identifier'] for p in hosts.mac_state(MDM_MAC)['profiles']}
    assert _jamf_puts() == []


def test_verify_notices_a_hand_installed_profile(hosts):
    assert hosts.playbook('macos_offboard.yml', '--limit', PLAIN_MAC).returncode == 0
    state_file = hosts.mac_path(PLAIN_MAC, '/var/db/dnsfilter-sim/state.json')
    state = json.loads(state_file.read_text())
    state['profiles'].append({'identifier': 'com.dnsfilter.networkproxy', 'name': 'DNSFilter - Network Proxy', 'uuid': 'A1',
                              'source': 'manual', 'organization': 'DNSFilter', 'payload_types': ['com.apple.dnsProxy.managed'],
                              'app_bundle_identifier': None, 'removal_disallowed': False})
    state_file.write_text(json.dumps(state))
    run = hosts.playbook('macos_verify_only.yml', '--limit', PLAIN_MAC)
    assert run.returncode == 0, run.stdout
    verdict = hosts.result(f'{PLAIN_MAC}.verify.json')
    assert verdict == {'no_app': True, 'no_daemon': True, 'no_extension': True, 'no_dnsfilter_profile': False, 'dns_not_loopback': True}


def test_offline_mac_is_outstanding_and_loopback_dns_is_reset(hosts):
    run = hosts.playbook('macos_offboard.yml')
    assert run.returncode == 0, run.stdout
    assert [o['host'] for o in hosts.result('outstanding.json')] == ['MAC-OFF-03']
    plain = hosts.result(f'{PLAIN_MAC}.json')
    assert plain['verified'] is True and plain['product'] == 'DNS Agent' and plain['version'] == '1.9.2'
    assert plain['profiles_removed_locally'] == ['com.dnsfilter.systemextension', 'com.dnsfilter.networkproxy']
    # The 1.x agent's uninstaller restored DNS itself here; the role resets only what still points to loopback.
    assert hosts.mac_state(PLAIN_MAC)['dns']['servers'] == ['10.0.2.3']


def test_mac_uninstall_reaches_the_api_and_remote_uninstall_reaches_the_mac(linked):
    sandbox, hosts = linked
    run = hosts.playbook('macos_offboard.yml', '--limit', 'RECEPTION-MAC')
    assert run.returncode == 0, run.stdout
    assert hosts.result('RECEPTION-MAC.json')['verified'] is True
    assert sandbox.device('contoso-reception-mac')['installed'] is False

    agent_id = sandbox.device('fabrikam-mac-01')['agent_id']
    api = requests.Session()
    api.headers['Authorization'] = sandbox.key('automation')
    response = api.delete(f'{sandbox.api_url}/v1/user_agents/{agent_id}', params={'queue_uninstall': 'true'}, verify=sandbox.ca_file, timeout=30)
    assert response.status_code == 204, response.text
    sandbox.checkin(['fabrikam-mac-01'])
    sandbox.advance(3600)
    assert sandbox.device('fabrikam-mac-01')['installed'] is False
    assert hosts.adhoc('FAB-MAC-01', 'ansible.builtin.command', 'true').returncode == 0
    assert not hosts.mac_path('FAB-MAC-01', '/Applications/DNS Agent.app').exists()
    assert hosts.mac_state('FAB-MAC-01')['launchd'] == {}


def test_a_mac_whose_agent_id_is_not_in_scope_is_left_untouched(hosts):
    state, files = hosts.mac_state(PLAIN_MAC), _tree(hosts, PLAIN_MAC)
    run = hosts.playbook('macos_offboard.yml', '--limit', PLAIN_MAC, extra_vars={'scope_agent_ids': ['6f1d1a8e-0f51-4c39-9a3b-3b1f0c2e9a11']})
    assert run.returncode == 0, run.stdout
    result = hosts.result(f'{PLAIN_MAC}.json')
    assert result['out_of_scope'] is True and result['outstanding_reason'] is None and result['uninstalled'] is False
    assert result['agent_id'] == '6f1d1a8e-0f51-4c39-9a3b-3b1f0c2e9a12' and result['agent_id'] in result['scope_reason']
    assert hosts.mac_state(PLAIN_MAC) == state and _tree(hosts, PLAIN_MAC) == files
    assert changed_count(run.stdout, PLAIN_MAC) == 0


def test_a_mac_whose_agent_id_cannot_be_read_is_outstanding_and_untouched(hosts):
    hosts.mac_path(PLAIN_MAC, '/Library/Application Support/DNS Agent/daemon.info').unlink()
    state, files = hosts.mac_state(PLAIN_MAC), _tree(hosts, PLAIN_MAC)
    run = hosts.playbook('macos_offboard.yml', '--limit', PLAIN_MAC)
    assert run.returncode == 0, run.stdout
    result = hosts.result(f'{PLAIN_MAC}.json')
    assert result['outstanding_reason'] == 'agent id not readable, not proven in scope' and result['out_of_scope'] is False
    assert hosts.mac_state(PLAIN_MAC) == state and _tree(hosts, PLAIN_MAC) == files


def test_the_mac_role_changes_nothing_without_the_scope(hosts):
    state = hosts.mac_state(PLAIN_MAC)
    run = hosts.playbook('macos_offboard.yml', '--limit', PLAIN_MAC, extra_vars={'scope_agent_ids': None})
    assert run.returncode != 0 and 'roaming_client_macos_scope_agent_ids' in run.stdout
    assert hosts.mac_state(PLAIN_MAC) == state
    assert PLAIN_MAC not in hosts.contacted()

"""Ansible's real winrm and ssh connections reach the simulated hosts, and the emulated modules keep their contracts."""
from __future__ import annotations


def test_win_ping_reaches_a_windows_host_over_winrm(hosts):
    run = hosts.adhoc('WIN-WL-01', 'ansible.windows.win_ping')
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"ping": "pong"' in run.stdout


def test_fact_gathering_over_winrm(hosts):
    run = hosts.playbook('facts.yml', '--limit', 'WIN-WL-01')
    assert run.returncode == 0, run.stdout
    facts = hosts.result('WIN-WL-01.facts.json')
    assert facts['os_family'] == 'Windows'
    assert facts['system'] == 'Win32NT'
    assert facts['hostname'] == 'WIN-WL-01'
    assert facts['interfaces'] == ['Ethernet', 'Wi-Fi']


def test_sw_vers_reaches_a_mac_over_ssh(hosts):
    run = hosts.adhoc('MAC-WL-02', 'ansible.builtin.command', 'sw_vers')
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'ProductName:\t\tmacOS' in run.stdout
    assert 'ProductVersion:\t\t14.6.1' in run.stdout


def test_each_mac_sees_only_its_own_root(hosts):
    for host, app, other in (('MAC-MDM-01', 'DNSFilter Agent.app', 'DNS Agent.app'), ('MAC-WL-02', 'DNS Agent.app', 'DNSFilter Agent.app')):
        run = hosts.adhoc(host, 'ansible.builtin.command', 'ls -1 /Applications')
        assert run.returncode == 0, run.stdout + run.stderr
        listed = run.stdout.splitlines()[1:]
        assert app in listed and other not in listed


def test_misspelled_options_fail_as_on_windows(hosts):
    run = hosts.playbook('module_contract.yml', '--limit', 'WIN-WL-01')
    assert run.returncode == 0, run.stdout
    results = hosts.result('WIN-WL-01.contract.json')
    assert results['bad_choice']['failed'] is True
    assert 'value of state must be one of: absent, paused, started, stopped, restarted, got: stoped' in results['bad_choice']['msg']
    assert results['bad_option']['failed'] is True
    assert results['bad_option']['msg'].startswith('Unsupported parameters for (win_package) module: argumentz')
    # Documented return fields are there, and nothing was removed by the failed calls.
    assert results['absent_service']['exists'] is False and results['absent_service']['changed'] is False
    assert results['absent_product']['reboot_required'] is False and results['absent_product']['changed'] is False
    assert 'dns agent' in hosts.windows_state('WIN-WL-01')['services']


def test_offline_hosts_are_unreachable(hosts):
    windows = hosts.adhoc('WIN-OFF-03', 'ansible.windows.win_ping')
    mac = hosts.adhoc('MAC-OFF-03', 'ansible.builtin.ping')
    assert windows.returncode == 4 and 'UNREACHABLE' in windows.stdout
    assert mac.returncode == 4 and 'UNREACHABLE' in mac.stdout

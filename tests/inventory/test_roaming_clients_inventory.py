"""The msp.dnsfilter.roaming_clients inventory plugin through real ``ansible-inventory`` against the simulator.

The demo scenario's Contoso Dental (810101) is listed with an inventory file that uses keyed_groups, compose,
groups and the jsonfile cache, and the output is compared with ``golden/demo_contoso.json`` (volatile fields
normalised). Regenerate the golden file after an intended change with ``UPDATE_GOLDEN=1``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'sandbox'))

pytest_plugins = ['dnsfilter_sim.pytest_plugin']

GOLDEN = Path(__file__).resolve().parent / 'golden' / 'demo_contoso.json'
ANSIBLE_INVENTORY = Path(sys.executable).parent / 'ansible-inventory'
CONTOSO = 810101
# Host variables whose values move with the clock or the run, not with the scenario.
VOLATILE_HOSTVARS = ('dnsfilter_last_sync',)
REVOKED_KEY = 'sim-revoked-ellen-key-0000000000000001'  # fake, simulator only


@pytest.fixture
def demo(sandbox):
    """The demo scenario on a manual clock: no device checks in while the test runs, so agents keep their state.

    (A fixture rather than the plugin's sandbox_scenario mark, which a test module cannot register in time.)
    """
    sandbox.load('demo', clock_mode='manual')
    return sandbox


def inventory_file(directory: Path, **overrides) -> Path:
    config = {
        'plugin': 'msp.dnsfilter.roaming_clients',
        'organization_ids': [CONTOSO],
        'domain_suffix': 'corp.contoso.example',
        'keyed_groups': [
            {'key': 'dnsfilter_network_name', 'prefix': 'site'},
            {'key': 'dnsfilter_agent_type ~ "_" ~ dnsfilter_agent_version.split(".")[0]', 'prefix': 'agent'},
        ],
        'compose': {
            'ansible_connection': "'winrm' if dnsfilter_agent_type == 'windows' else 'ssh'",
            'dnsfilter_customer': 'dnsfilter_organization_name | lower | replace(" ", "_")',
        },
        'groups': {
            'needs_device_removal': "dnsfilter_agent_type == 'windows' and dnsfilter_agent_version is version('2.0.1', '<')",
        },
        'cache': True,
        'cache_plugin': 'ansible.builtin.jsonfile',
        'cache_connection': str(directory / 'cache'),
        'cache_timeout': 300,
    }
    config.update(overrides)
    path = directory / 'contoso.dnsfilter.yml'
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_inventory(sandbox, directory: Path, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    """ansible-inventory --list on the inventory file in directory, with the key, URL and CA in the environment."""
    env = dict(os.environ,
               DNSFILTER_API_KEY=key or sandbox.key('automation'),
               DNSFILTER_API_URL=sandbox.api_url,
               DNSFILTER_CA_PATH=sandbox.ca_file or '',
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'),
               ANSIBLE_LOCAL_TEMP=str(directory / 'tmp'),
               ANSIBLE_NOCOLOR='1')
    env.pop('ANSIBLE_CONFIG', None)
    return subprocess.run([str(ANSIBLE_INVENTORY), '-i', str(directory / 'contoso.dnsfilter.yml'), '--list', *args],
                          capture_output=True, text=True, env=env, cwd=directory, timeout=120, check=False)


def listed(run: subprocess.CompletedProcess, output: Path | None = None) -> dict:
    """The inventory as JSON, from stdout or (with -v, which prints a banner on stdout) from --output."""
    assert run.returncode == 0, run.stderr
    return json.loads(output.read_text() if output else run.stdout)


def plain(value):
    """The output without ansible-core's data tags (``{"__ansible_unsafe": "x"}`` is "x")."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return plain(value['__ansible_unsafe'])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def normalised(output: dict) -> dict:
    """Comparable across runs and ansible-core versions: untagged, volatile values masked, lists sorted."""
    output = plain(output)
    meta = output.pop('_meta')
    hostvars = {}
    for host, variables in meta['hostvars'].items():
        hostvars[host] = {k: ('<%s>' % k if k in VOLATILE_HOSTVARS and v is not None else v) for k, v in variables.items()}
    groups = {}
    for name, group in output.items():
        groups[name] = {k: sorted(v) if k in ('hosts', 'children') else v for k, v in group.items()}
    return {'_meta': {'hostvars': hostvars}, **groups}


def hosts_of(output: dict, group: str) -> set[str]:
    return set(plain(output).get(group, {}).get('hosts', []))


def test_demo_contoso_matches_golden(demo, tmp_path):
    inventory_file(tmp_path)
    got = normalised(listed(run_inventory(demo, tmp_path)))
    if os.environ.get('UPDATE_GOLDEN') == '1':
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + '\n')
    assert got == json.loads(GOLDEN.read_text())


def test_keyed_groups_compose_and_groups_from_the_inventory_file(demo, tmp_path):
    inventory_file(tmp_path)
    output = listed(run_inventory(demo, tmp_path))
    hostvars = plain(output['_meta']['hostvars'])
    # LOANER-03 is uninstalled on its device: not a host unless include_uninstalled.
    assert set(hostvars) == {'FRONTDESK-01', 'DESK-07', 'XRAY-WS01', 'RECEPTION-MAC', 'DR-PARK-MBP', 'BACKOFFICE-02'}
    # keyed_groups
    assert hosts_of(output, 'site_Contoso_Dental___Main_Clinic') == {'FRONTDESK-01', 'DESK-07', 'DR-PARK-MBP'}
    assert hosts_of(output, 'site_Contoso_Dental___Westside_Clinic') == {'XRAY-WS01', 'RECEPTION-MAC', 'BACKOFFICE-02'}
    assert hosts_of(output, 'agent_windows_1') == {'XRAY-WS01'}
    assert hosts_of(output, 'agent_macos_2') == {'RECEPTION-MAC', 'DR-PARK-MBP'}
    # compose
    assert {h: v['ansible_connection'] for h, v in hostvars.items()} == {
        'FRONTDESK-01': 'winrm', 'DESK-07': 'winrm', 'XRAY-WS01': 'winrm', 'BACKOFFICE-02': 'winrm',
        'RECEPTION-MAC': 'ssh', 'DR-PARK-MBP': 'ssh'}
    assert {v['dnsfilter_customer'] for v in hostvars.values()} == {'contoso_dental'}
    assert hostvars['DESK-07']['ansible_host'] == 'DESK-07.corp.contoso.example'
    # groups (conditional)
    assert hosts_of(output, 'needs_device_removal') == {'XRAY-WS01'}
    # the plugin's own groups
    assert hosts_of(output, 'windows') == {'FRONTDESK-01', 'DESK-07', 'XRAY-WS01', 'BACKOFFICE-02'}
    assert hosts_of(output, 'org_810101') == set(hostvars)
    assert hosts_of(output, 'site_940101') == hosts_of(output, 'site_Contoso_Dental___Main_Clinic')
    assert hosts_of(output, 'tag_billing') == {'BACKOFFICE-02'}


def test_include_uninstalled_lists_the_uninstalled_agent(demo, tmp_path):
    inventory_file(tmp_path, include_uninstalled=True, cache=False)
    hostvars = plain(listed(run_inventory(demo, tmp_path))['_meta']['hostvars'])
    assert hostvars['LOANER-03']['dnsfilter_status'] in ('uninstalled', 'uninstalled_from_client')


def test_a_second_run_with_the_cache_makes_no_api_call(demo, tmp_path):
    inventory_file(tmp_path)
    demo.reset_counters()
    first = normalised(listed(run_inventory(demo, tmp_path)))
    assert demo.requests()['total'] > 0
    demo.reset_counters()
    second = normalised(listed(run_inventory(demo, tmp_path)))
    assert demo.requests()['total'] == 0
    assert second == first
    # --flush-cache reads the API again.
    listed(run_inventory(demo, tmp_path, '--flush-cache'))
    assert demo.requests()['total'] > 0


def test_the_api_key_never_appears_in_output_or_cache(demo, tmp_path):
    inventory_file(tmp_path)
    key = demo.key('automation')
    output = tmp_path / 'inventory.json'
    run = run_inventory(demo, tmp_path, '-vvvv', '--output', str(output))
    assert plain(listed(run, output)['_meta']['hostvars'])
    assert key not in run.stdout and key not in run.stderr and key not in output.read_text()
    cached = [p.read_text(errors='replace') for p in (tmp_path / 'cache').rglob('*') if p.is_file()]
    assert cached and not any(key in text for text in cached)


def test_a_rejected_key_fails_without_showing_the_key(demo, tmp_path):
    inventory_file(tmp_path, cache=False)
    output = tmp_path / 'inventory.json'
    run = run_inventory(demo, tmp_path, '-vvvv', '--output', str(output), key=REVOKED_KEY)
    assert 'HTTP 401' in run.stdout + run.stderr
    assert REVOKED_KEY not in run.stdout + run.stderr + (output.read_text() if output.exists() else '')
    if output.exists():
        assert not plain(json.loads(output.read_text())).get('_meta', {}).get('hostvars')

"""Wall time of the Roaming Client roles against simulated hosts: N Windows and N macOS hosts at each fork count.

    PYTHONPATH=tests/sandbox .venv/bin/python tests/sandbox/bench_hosts.py [--hosts 50] [--forks 10 50]

Each measurement gets a fresh hosts process (every agent installed again) and runs one role over all hosts of
one OS. Prints figures only.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SANDBOX = Path(__file__).resolve().parent
REPO = SANDBOX.parents[1]
BIN = Path(sys.executable).parent
ROLES = {'windows': 'msp.dnsfilter.roaming_client_windows', 'macos': 'msp.dnsfilter.roaming_client_macos'}
# Own loopback ranges, so a benchmark never collides with the test suites' hosts.
SUBNETS = {'windows': '127.0.4', 'macos': '127.0.5'}


def scenario(count: int) -> dict:
    devices = []
    for os_name, subnet in SUBNETS.items():
        for number in range(1, count + 1):
            white = number % 2 == 0
            host = {'address': f'{subnet}.{number + 10}'}
            if os_name == 'windows':
                host['adapters'] = [{'name': 'Ethernet', 'dns_servers': ['127.0.0.2'], 'dhcp_dns_servers': ['10.0.2.3']}]
            devices.append({'id': f'bench-{os_name}-{number}', 'agent_id': f'bench-{os_name}-{number}', 'hostname': f'BENCH-{os_name.upper()}-{number:03d}',
                            'os': os_name, 'product': 'DNS Agent' if white else 'DNSFilter Agent', 'version': '2.2.0', 'host': host})
    return {'devices': devices}


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(SANDBOX), ANSIBLE_COLLECTIONS_PATH=str(REPO / 'build' / 'collections'),
                ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_NOCOLOR='1')


def measure(workdir: Path, scenario_file: Path, os_name: str, forks: int) -> float:
    state = workdir / f'state-{os_name}-{forks}'
    ready = workdir / f'ready-{os_name}-{forks}'
    inventory = workdir / f'inventory-{os_name}-{forks}.yml'
    with open(workdir / 'hosts.log', 'ab') as log:
        hosts = subprocess.Popen([sys.executable, '-m', 'dnsfilter_hosts', 'serve', '--scenario', str(scenario_file), '--state-dir', str(state),
                                  '--ready-file', str(ready)], stdout=log, stderr=subprocess.STDOUT, env=env())
    try:
        while not ready.exists():
            if hosts.poll() is not None:
                raise SystemExit(f'the hosts process exited; see {workdir / "hosts.log"}')
            time.sleep(0.1)
        subprocess.run([sys.executable, '-m', 'dnsfilter_hosts', 'inventory', '--scenario', str(scenario_file), '--state-dir', str(state),
                        '--output', str(inventory)], check=True, env=env())
        playbook = workdir / f'{os_name}.yml'
        playbook.write_text(yaml.safe_dump([{'name': f'Benchmark {os_name}', 'hosts': os_name, 'gather_facts': False, 'roles': [ROLES[os_name]]}]))
        start = time.monotonic()
        run = subprocess.run([str(BIN / 'ansible-playbook'), '-i', str(inventory), '-f', str(forks), str(playbook)],
                             capture_output=True, text=True, env=env(), check=False)
        elapsed = time.monotonic() - start
        if run.returncode != 0:
            raise SystemExit(f'{os_name} forks={forks} failed:\n{run.stdout[-3000:]}')
        return elapsed
    finally:
        hosts.send_signal(signal.SIGTERM)
        hosts.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--hosts', type=int, default=50, help='hosts per OS (default 50)')
    parser.add_argument('--forks', type=int, nargs='+', default=[10, 50], help='fork counts (default 10 50)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-hosts-') as temp:
        workdir = Path(temp)
        scenario_file = workdir / 'scenario.yml'
        scenario_file.write_text(yaml.safe_dump(scenario(args.hosts)))
        figures = []
        for os_name in ('windows', 'macos'):
            for forks in args.forks:
                elapsed = measure(workdir, scenario_file, os_name, forks)
                figures.append({'os': os_name, 'hosts': args.hosts, 'forks': forks, 'seconds': round(elapsed, 1),
                                'seconds_per_host': round(elapsed / args.hosts, 2)})
                print(f'{os_name:8} hosts={args.hosts:3} forks={forks:3} wall={elapsed:7.1f}s  per host={elapsed / args.hosts:5.2f}s', flush=True)
        print(json.dumps(figures))
    return 0


if __name__ == '__main__':
    sys.exit(main())

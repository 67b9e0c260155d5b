"""Run the collection's ansible-test integration targets against a freshly started API simulator.

    python tests/sandbox/run_integration.py COLLECTION_COPY [ansible-test integration arguments...]

COLLECTION_COPY is the collection at ansible_collections/msp/dnsfilter inside a git work tree (scripts/test.sh
makes one). The targets get these variables through tests/integration/integration_config.yml:
dnsfilter_api_url, dnsfilter_ca_path, dnsfilter_control_url, and dnsfilter_keys (scenario user ref -> its
first usable API token; every token is fake and works only against the simulator). A response that breaks
DNSFilter's API description fails the run.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dnsfilter_sim.testing import Sandbox, SandboxError  # noqa: E402  pylint: disable=wrong-import-position


def main(argv: list[str]) -> int:
    copy = Path(argv[0]).resolve()
    extra = argv[1:]
    with tempfile.TemporaryDirectory(prefix='dnsfilter-sim-') as state_dir, Sandbox(state_dir, scenario='demo') as sandbox:
        keys = {}
        for user in sandbox.state()['users']:
            try:
                keys[user['ref']] = sandbox.key(user['ref'])
            except SandboxError:
                continue  # a user without a usable key
        config = {
            'dnsfilter_api_url': sandbox.api_url,
            'dnsfilter_ca_path': sandbox.ca_file,
            'dnsfilter_control_url': sandbox.control_url,
            'dnsfilter_keys': keys,
        }
        target = copy / 'tests' / 'integration' / 'integration_config.yml'
        target.write_text(yaml.safe_dump(config, sort_keys=True))
        command = ['ansible-test', 'integration', '--local', '--python', '3.11', '--color', 'no'] + extra
        code = subprocess.call(command, cwd=copy)
        violations = sandbox.violations()
        if violations:
            print('The simulator answered outside the API description:', file=sys.stderr)
            for violation in violations:
                print('  %s' % violation, file=sys.stderr)
            code = code or 1
        return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

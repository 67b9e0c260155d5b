"""The fuzz stage: schemathesis against a simulator this suite starts itself (one per xdist worker)."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'sandbox'))

from dnsfilter_sim.testing import Sandbox  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def fuzz_sandbox(tmp_path_factory):
    """A strict simulator over plain HTTP (TLS is not what is fuzzed); demo is reloaded per operation."""
    sandbox = Sandbox(tmp_path_factory.mktemp('fuzz-sim'), scenario='demo', plain_http=True)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def pytest_sessionfinish(session):
    module = sys.modules.get('test_schemathesis')
    if module is not None and module.SEEN:
        print('\nfuzz report: %s' % module.write_report())

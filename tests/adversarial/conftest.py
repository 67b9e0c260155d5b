"""The adversarial suite: the exit playbooks run for real (ansible-playbook) against the `lookalikes` scenario.

Each test loads the scenario afresh (one simulator per xdist worker), runs one playbook and checks three things: the
refusal or outcome in the run's output, the write counter of the simulator, and the end state through the control port.
"""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'sandbox'))
sys.path.insert(0, str(Path(__file__).resolve().parent))

pytest_plugins = ['dnsfilter_sim.pytest_plugin']


@pytest.fixture
def ansible(sandbox, tmp_path):
    """Runs playbooks against this test's sandbox, each run with its write counter and before/after state."""
    from adversarial_helpers import PlaybookRunner  # pylint: disable=import-outside-toplevel
    return PlaybookRunner(sandbox, tmp_path)

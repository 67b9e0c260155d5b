"""Each role's Molecule scenario (no containers): syntax, create, converge, idempotence, verify, destroy."""
from __future__ import annotations

import os
import subprocess

import pytest

from conftest import BIN, REPO, _env


@pytest.mark.parametrize('role', ['roaming_client_windows', 'roaming_client_macos'])
def test_molecule_scenario(role, host_lock):
    env = _env({'PATH': os.pathsep.join([str(BIN), os.environ.get('PATH', '')]), 'NO_COLOR': '1'})
    run = subprocess.run([str(BIN / 'molecule'), 'test'], cwd=REPO / 'roles' / role, capture_output=True, text=True, env=env, check=False, timeout=900)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    for step in ('syntax', 'create', 'converge', 'idempotence', 'verify', 'destroy'):
        assert f'{step}: Executed: Successful' in output, f'{step} did not run:\n{output[-3000:]}'

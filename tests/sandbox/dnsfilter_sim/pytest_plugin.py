"""pytest fixtures for suites that test against the simulator (``-p dnsfilter_sim.pytest_plugin``).

- ``sandbox_server`` (session): one strict simulator process for the whole run (per xdist worker).
- ``sandbox`` (function): the same process with a scenario freshly loaded for the test - ``demo``, or the
  one named by ``@pytest.mark.sandbox_scenario('large', clock_mode='manual')`` (keyword arguments
  override scenario settings) - and a test that produced responses breaking the description fails.
"""
from __future__ import annotations

import json

import pytest

from .testing import Sandbox


def pytest_addoption(parser) -> None:
    group = parser.getgroup('dnsfilter_sim')
    group.addoption('--sandbox-scenario', default='demo', help='scenario the sandbox fixture loads by default (default demo)')


def pytest_configure(config) -> None:
    config.addinivalue_line('markers', 'sandbox_scenario(name, **settings): scenario (and settings) the sandbox fixture loads')


@pytest.fixture(scope='session')
def sandbox_server(tmp_path_factory, request):
    sandbox = Sandbox(tmp_path_factory.mktemp('dnsfilter-sim'), scenario=request.config.getoption('--sandbox-scenario'))
    sandbox.start()
    try:
        yield sandbox
        sandbox.assert_no_violations()
    finally:
        sandbox.stop()


@pytest.fixture
def sandbox(sandbox_server, request):
    marker = request.node.get_closest_marker('sandbox_scenario')
    if marker is not None:
        sandbox_server.load(marker.args[0] if marker.args else 'demo', **marker.kwargs)
    else:
        sandbox_server.load(request.config.getoption('--sandbox-scenario'))
    yield sandbox_server
    found = sandbox_server.violations()
    if found:
        sandbox_server.reset_violations()
        pytest.fail('the simulator answered outside the description:\n' + '\n'.join(json.dumps(v) for v in found), pytrace=False)

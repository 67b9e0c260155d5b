"""schemathesis, generating from DNSFilter's own (unpatched) description, against every operation the simulator implements.

Each operation gets FUZZ_EXAMPLES positive and FUZZ_NEGATIVE_EXAMPLES negative cases (seeded by FUZZ_SEED, so a run
is repeatable), sent with the demo's automation key, and schemathesis's server-error, status-code, content-type and
response-schema checks. A 5xx is never allowed. Another failure is allowed only when the description patched with the
departures list (tests/sandbox/contract/departures.yml, applied by dnsfilter_sim/spec_patches.py) accepts the
response; the departures that do are named (each left out in turn: the ones whose absence brings the failure back)
and written to the report, FUZZ_REPORT (default: build/fuzz-report.json).
"""
from __future__ import annotations

import collections
import json
import os
import re
from pathlib import Path

import pytest
import schemathesis
from multidict import MultiDict
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from dnsfilter_sim import departures, spec_patches
from dnsfilter_sim.api.base import ROUTES
from dnsfilter_sim.spec import OpenAPIRequest, OpenAPIResponse, Spec, load_description

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', '30'))
NEGATIVE_EXAMPLES = int(os.environ.get('FUZZ_NEGATIVE_EXAMPLES', '20'))
SEED = int(os.environ.get('FUZZ_SEED', '20260713'))
REPORT = Path(os.environ.get('FUZZ_REPORT', ROOT / 'build' / 'fuzz-report.json'))
KEY = 'sim-automation-key-0000000000000001'  # fake, simulator only

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
SCHEMA = schemathesis.openapi.from_dict(load_description()).include(
    lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in ROUTES)
OPERATIONS = sorted((result.ok() for result in SCHEMA.get_all_operations()), key=lambda op: op.label)
PATCHED = Spec(load_description())
_LEAVE_ONE_OUT: dict[str, Spec] = {}

# What the run saw: per operation and check, the cases, the excused failures and the departures that excused them.
SEEN = collections.Counter()
EXCUSED = collections.defaultdict(collections.Counter)
UNEXCUSED: list[dict] = []
_NAMED: dict[tuple, tuple[str, ...]] = {}


def without(name: str) -> Spec:
    """The description patched with every departure but ``name``."""
    if name not in _LEAVE_ONE_OUT:
        _LEAVE_ONE_OUT[name] = Spec(load_description(), tuple(p for p in spec_patches.PATCHES if p.__name__ != name))
    return _LEAVE_ONE_OUT[name]


def accepts(spec: Spec, check: str, case, response) -> bool:
    """Whether ``spec`` (a patched description) has nothing against ``response`` for ``check``."""
    operation = spec.match(case.method, case.formatted_path)[0]
    if operation is None:
        return False
    entry = operation.entry.get('responses', {}).get(str(response.status_code)) or operation.entry.get('responses', {}).get('default')
    if check == 'status_code_conformance':
        return entry is not None
    content_type = _content_type(response)
    if check == 'content_type_conformance':
        return entry is not None and (not entry.get('content') or content_type in entry['content'])
    request = OpenAPIRequest(spec.host_url, case.method, case.formatted_path, _query(case), case.headers or {},
                             response.request.body or None, 'application/json')
    return not spec.check_response(request, OpenAPIResponse(response.status_code, response.content, content_type, {}))


def _content_type(response) -> str:
    """The media type of a schemathesis response (its headers map lower-cased names to lists of values)."""
    for name, value in response.headers.items():
        if name.lower() == 'content-type':
            value = value[0] if isinstance(value, list) else value
            return value.split(';')[0].strip()
    return ''


def _query(case) -> MultiDict:
    items = []
    for key, value in (case.query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            items.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return MultiDict(items)


def departures_for(check: str, case, response) -> tuple[str, ...]:
    """The departures without which the failure comes back (computed once per operation, check and status)."""
    key = (case.operation.label, check, response.status_code)
    if key not in _NAMED:
        needed = tuple(p.__name__ for p in spec_patches.PATCHES if not accepts(without(p.__name__), check, case, response))
        _NAMED[key] = needed or ('several departures together',)
    return _NAMED[key]


def judge(case, response) -> None:
    label = case.operation.label
    for check in CHECKS:
        name = check.__name__
        SEEN[(label, name)] += 1
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as failure:
            if name != 'not_a_server_error' and response.status_code < 500 and accepts(PATCHED, name, case, response):
                for departure in departures_for(name, case, response):
                    EXCUSED[departure][f'{label} {name} {response.status_code}'] += 1
                continue
            UNEXCUSED.append({'operation': label, 'check': name, 'status': response.status_code,
                              'failure': re.sub(r'\s+', ' ', str(failure))[:1500]})


@pytest.mark.parametrize('operation', OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_fuzz_operation(fuzz_sandbox, operation):
    fuzz_sandbox.load('demo', clock_mode='manual')
    before = len(UNEXCUSED)
    for mode, examples in ((GenerationMode.POSITIVE, EXAMPLES), (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)):
        if not examples:
            continue

        @seed(SEED)
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            judge(case, case.call(base_url=fuzz_sandbox.api_url, headers={'Authorization': KEY}))
        run()
    simulator_errors = [v for v in fuzz_sandbox.violations() if v.get('kind') == 'simulator_error']
    fuzz_sandbox.reset_violations()
    found = UNEXCUSED[before:]
    assert not simulator_errors, json.dumps(simulator_errors, indent=1)[:4000]
    assert not found, 'failures no departure explains:\n' + json.dumps(found, indent=1)[:6000]


def test_the_only_allowed_failures_are_the_departures_list():
    """The patches that may excuse a failure are exactly the description departures the list names, with evidence."""
    assert {p.__name__ for p in spec_patches.PATCHES} == set(departures.ids('description'))
    assert all(entry.get('evidence') for entry in departures.entries('description'))


def write_report() -> Path:
    """What this process saw (one file per xdist worker): cases, the failures each departure excused, any other."""
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'main')
    path = REPORT.with_name(f'{REPORT.stem}-{worker}{REPORT.suffix}')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        'seed': SEED, 'examples': EXAMPLES, 'negative_examples': NEGATIVE_EXAMPLES,
        'cases_checked': sum(SEEN.values()) // len(CHECKS), 'operations': len({label for label, _check in SEEN}),
        'excused_by_departure': {name: dict(counts) for name, counts in sorted(EXCUSED.items())},
        'unexcused': UNEXCUSED,
    }, indent=1, sort_keys=True) + '\n')
    return path

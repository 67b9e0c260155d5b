"""The departures list (``tests/sandbox/contract/departures.yml``) and the recorded samples, as data.

Every place the simulator follows DNSFilter's recorded samples, its prose or its own CLI instead of the description's
schemas is one entry of the list, with its evidence. ``spec_patches`` applies the ``description`` entries (one
function per id), the tests load the rest, and the fuzz stage allows a failure only where these entries explain it.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import yaml

CONTRACT = Path(__file__).resolve().parents[1] / 'contract'
DEPARTURES = CONTRACT / 'departures.yml'
SAMPLES = CONTRACT / 'dnsfilter-sample-responses.json'


@lru_cache(maxsize=1)
def load() -> dict:
    with open(DEPARTURES, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def entries(section: str) -> list[dict]:
    return list(load().get(section) or [])


def ids(section: str) -> list[str]:
    return [entry['id'] for entry in entries(section)]


def illustrative_samples() -> dict[str, str]:
    """Sample name -> why the simulator does not follow it (the description's shape is kept instead)."""
    judged = {}
    for entry in entries('illustrative_samples'):
        for name in entry['samples']:
            judged[name] = entry['id']
    return judged


def sample_operations() -> list[str]:
    """The names of the samples recorded for operations the simulator implements (the list's ``sampled_operations``)."""
    return list(load().get('sampled_operations') or [])


@lru_cache(maxsize=1)
def _raw_samples() -> dict[str, str]:
    with open(SAMPLES, encoding='utf-8') as handle:
        return json.load(handle)


def sample(name: str):
    """(status, body) of a recorded sample: parsed JSON, the CSV text, or None for an empty body.

    The recordings are documentation: 36 of them stop after 60 lines with a line ``...`` (the rest of the body is not
    recorded), ``{"...": "44 more"}`` stands for the rest of a list, and Windows logins keep a bare backslash
    (``DESKTOP-01\\jsmith``). A cut body is closed where it stops, bare backslashes are escaped before parsing.
    """
    text = _raw_samples()[name]
    status = int(re.match(r'HTTP (\d{3})', text).group(1))
    body = text.split('\n\n', 1)[1] if '\n\n' in text else ''
    lines = [line for line in body.splitlines() if not line.lstrip().startswith('#')]
    cut = next((i for i, line in enumerate(lines) if line.strip() == '...'), None)
    body = '\n'.join(lines[:cut]).strip()
    if not body:
        return status, None
    if not body.startswith(('{', '[')):
        return status, body
    body = re.sub(r'\\(?![\\"/bfnrtu])', r'\\\\', body)
    if cut is not None:
        body = _closed(body)
    body = re.sub(r',(\s*[}\]])', r'\1', body)
    return status, json.loads(body)


def _closed(text: str) -> str:
    """``text`` cut after a complete value, with the brackets still open closed."""
    stack, in_string, escaped = [], False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in '{[':
            stack.append('}' if char == '{' else ']')
        elif char in '}]':
            stack.pop()
    return text.rstrip().rstrip(',') + ''.join(reversed(stack))

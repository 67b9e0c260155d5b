"""Customer Umbrella's tenant-controlled fields hold shell, Jinja and HTML: its exit treats all of it as data.

Nothing is executed (the marker files the `$(touch ...)`, backtick and quote-breaking strings would create do not
exist), nothing is templated (`{{ 7*7 }}` and `{% if 1 %}S-EVAL{% endif %}` stay literal: no `J=49`, no bare
`S-EVAL`), the HTML report escapes it, and the evidence still verifies.
"""
import json
import re
import subprocess
import sys

import pytest

from adversarial_helpers import FAST, SCENARIO, UMBRELLA

pytestmark = pytest.mark.sandbox_scenario('lookalikes', **FAST)
MARKER_PREFIX = '/tmp/dnsf-adv-pwned-'  # as written in the scenario; each test points it at a folder of its own
ATTESTED = "ADV-HOST: Umbrella's administrator holds no DNSFilter API key"
# Signs that a string was evaluated: '{{ 7*7 }}' / '{{7*7}}' rendered after 'J='/'j=', or the {% if %} block
# rendered (its text without the tag in front of it).
EVALUATED = re.compile(r'[Jj]=49|(?<!%\})S-EVAL')
EVENT_HANDLER = re.compile(r'<[a-zA-Z][^>]*\son[a-z]+\s*=', re.IGNORECASE)


@pytest.fixture
def markers(sandbox, tmp_path):
    """The scenario with its marker files in this test's own folder, loaded afresh."""
    folder = tmp_path / 'markers'
    folder.mkdir()
    copy = tmp_path / 'lookalikes-here.yml'
    copy.write_text(SCENARIO.read_text(encoding='utf-8').replace(MARKER_PREFIX, str(folder) + '/pwned-'), encoding='utf-8')
    sandbox.load(str(copy), **FAST)
    return folder


def umbrella(state):
    [org] = [o for o in state['organizations'] if o['id'] == UMBRELLA]
    hostnames = sorted(a['hostname'] for a in state['user_agents'] if a['org_id'] == UMBRELLA)
    return org['name'], hostnames


def assert_inert(run, bundle, markers, name, hostnames):
    assert sorted(p.name for p in markers.iterdir()) == [], 'a hostile string was executed'
    assert not EVALUATED.findall(run.output), 'the run output shows an evaluated template'
    texts = {path: path.read_text(encoding='utf-8', errors='replace') for path in bundle.rglob('*')
             if path.is_file() and path.suffix in ('.md', '.html', '.json', '.csv', '.txt')}
    for path, text in texts.items():
        assert not EVALUATED.findall(text), '%s: an evaluated template %s' % (path, EVALUATED.findall(text)[:3])
    report = texts[bundle / 'report.md']
    assert 'J={{ 7*7 }}' in report, 'the organisation name is in the report, literally'
    evidence = ''.join(text for path, text in texts.items() if path.suffix == '.json')
    for literal in [name] + hostnames:
        assert json.dumps(literal)[1:-1] in evidence, 'the JSON evidence holds %r verbatim' % literal[:40]
    html = texts[bundle / 'report.html']
    assert '<script' not in html.lower() and '<img' not in html.lower(), 'tenant markup in report.html'
    assert not EVENT_HANDLER.findall(html), EVENT_HANDLER.findall(html)[:3]
    assert '&lt;script&gt;' in html, 'the hostile organisation name is shown, escaped'
    verified = subprocess.run([sys.executable, str(bundle / 'VERIFY.py'), str(bundle)], capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def exit_inputs(ticket):
    return {'dnsfilter_ticket': ticket, 'dnsfilter_organization_id': UMBRELLA, 'dnsfilter_api_keys_attestation': ATTESTED}


def test_the_plan_of_the_hostile_customers_exit_treats_its_strings_as_data(ansible, sandbox, markers):
    name, hostnames = umbrella(sandbox.state())
    run = ansible.run('customer_exit.yml', exit_inputs('ADV-HOST-1'), check=True, unsafe={'dnsfilter_organization_name': name})
    assert run.returncode == 0, run.tail()
    assert run.writes == 0
    [plan] = run.bundles('ADV-HOST-1', plan=True)
    assert_inert(run, plan, markers, name, hostnames)


def test_the_hostile_customers_exit_completes_and_treats_its_strings_as_data(ansible, sandbox, markers):
    name, hostnames = umbrella(sandbox.state())
    run = ansible.run('customer_exit.yml', exit_inputs('ADV-HOST-2'), unsafe={'dnsfilter_organization_name': name})
    assert run.returncode == 0, run.tail()
    [bundle] = run.bundles('ADV-HOST-2')
    assert_inert(run, bundle, markers, name, hostnames)
    # It did the exit: the agents uninstalled and their records went, the customer's seat and report too.
    assert [a['hostname'] for a in run.after['user_agents'] if a['org_id'] == UMBRELLA and not a['deleted_at']] == []
    assert not [u for u in run.after['users'] if str(UMBRELLA) in u['memberships']]
    assert not [r for r in run.after['scheduled_reports'] if r['org_id'] == UMBRELLA]

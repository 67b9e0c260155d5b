"""API calls and wall time of the collection's offboarding paths beside the naive one-call-per-object way.

    PYTHONPATH=tests/sandbox .venv/bin/python tests/bench/bench_modules.py [--latency-ms 50] [--forks 5] [--only a b c d]

Runs against the simulator's ``large`` scenario (30 customers, 1,000 Roaming Clients, 2,000 Users, technician
Sam in every customer) with its default rate limit (2,000 requests per 300 s per organisation) and a latency fault
on every API request. Each measurement loads the scenario afresh, so both ways start from the same data:

- (a) export the Roaming Client inventory: the ``msp.dnsfilter.roaming_clients`` inventory plugin
  (``ansible-inventory --list``) and ``roaming_client_info`` (one task per customer);
- (b) queue the uninstall of every agent of every customer: ``roaming_client state=uninstalled all_agents=true``,
  once as one task over every customer (``organization_ids``, one bulk job) and once as one task per customer;
- (c) remove the technician from every sub-organisation: ``org_user state=absent all_organizations=true``;
- (d) deduplicate Users: ``agent_local_user state=deduplicated``. ``large`` has no duplicate Users (every login is
  unique), so before (d) some devices are made to report a local account of a person who already has a User
  (``HOST\\personNNNN`` beside ``Cnn\\personNNNN``), through the control port, and checked in.

The module paths run through real ``ansible-playbook`` (connection local, a generated playbook; per-customer
tasks run as one inventory host per customer), so the per-task cost is included. The naive way is plain
``requests``: pages of 10 for listing, one DELETE per object. Calls come from the simulator's request counter.
The simulator runs without --strict (response validation would add its own time to every call) and with
check-ins slowed to one a day, so the data holds still while it is measured. Prints figures only: the
machine is shared, the timings are indicative.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tests' / 'sandbox'))

from dnsfilter_sim.testing import Sandbox  # noqa: E402  (needs the path above)

BIN = Path(sys.executable).parent
TECHNICIAN = 'sam.rivera@large-msp.example'
PAGE = 10
SETTINGS = {'checkin_interval_seconds': 86400}


@dataclass
class Figure:
    operation: str
    calls: int
    seconds: float
    throttled: int = 0
    notes: list[str] = field(default_factory=list)


class Bench:
    def __init__(self, sandbox: Sandbox, workdir: Path, latency_ms: int, forks: int):
        self.sandbox = sandbox
        self.workdir = workdir
        self.latency_ms = latency_ms
        self.forks = forks
        self.token = ''
        self.customers: list[int] = []

    # --- one measurement ------------------------------------------------------------------------

    def fresh(self) -> None:
        """The large scenario as loaded, with the latency fault; counters at zero."""
        self.sandbox.load('large', **SETTINGS)
        if self.latency_ms:
            self.sandbox.faults({'kind': 'latency', 'latency_ms': self.latency_ms})
        state = self.sandbox.state()
        self.customers = sorted(o['id'] for o in state['organizations'] if o.get('type') == 'sub_organization')
        self.token = self.sandbox.key('automation')

    def measure(self, operation: str, run) -> Figure:
        self.sandbox.reset_counters()
        start = time.perf_counter()
        notes = run() or []
        seconds = time.perf_counter() - start
        counters = self.sandbox.requests()
        throttled = sum(statuses.get('429', 0) for statuses in counters['by_endpoint'].values())
        return Figure(operation, counters['total'], seconds, throttled, notes)

    # --- Ansible ----------------------------------------------------------------------------------

    def env(self) -> dict:
        return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / 'build' / 'collections'), ANSIBLE_NOCOLOR='1',
                    ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='False',
                    ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_RETRY_FILES_ENABLED='False',
                    DNSFILTER_API_KEY=self.token, DNSFILTER_API_URL=self.sandbox.api_url,
                    DNSFILTER_CA_PATH=self.sandbox.ca_file or '')

    def playbook(self, name: str, hosts: str, task: dict) -> list[str]:
        """Run one generated play; hosts is 'customers' (one host per customer) or 'localhost'."""
        inventory = self.workdir / 'customers.yml'
        inventory.write_text(yaml.safe_dump({'all': {
            'children': {'customers': {'hosts': {f'customer_{org}': {'org_id': org} for org in self.customers}}},
            'vars': {'ansible_connection': 'local'}}}))
        book = self.workdir / f'{name}.yml'
        book.write_text(yaml.safe_dump([{'name': name, 'hosts': hosts, 'gather_facts': False, 'tasks': [task]}], sort_keys=False))
        run = subprocess.run([str(BIN / 'ansible-playbook'), '-i', str(inventory), '-f', str(self.forks), str(book)],
                             capture_output=True, text=True, env=self.env(), check=False, cwd=self.workdir)
        if run.returncode != 0:
            raise SystemExit(f'{name} failed (rc {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}')
        return []

    def inventory_plugin(self) -> list[str]:
        source = self.workdir / 'large.dnsfilter.yml'
        source.write_text(yaml.safe_dump({'plugin': 'msp.dnsfilter.roaming_clients', 'cache': False}))
        run = subprocess.run([str(BIN / 'ansible-inventory'), '-i', str(source), '--list'],
                             capture_output=True, text=True, env=self.env(), check=False, cwd=self.workdir)
        if run.returncode != 0:
            raise SystemExit(f'ansible-inventory failed (rc {run.returncode}):\n{run.stderr[-3000:]}')
        hosts = json.loads(run.stdout)['_meta']['hostvars']
        return [f'{len(hosts)} hosts']

    # --- the naive way ------------------------------------------------------------------------------

    def api(self):
        return self.sandbox.client(token=self.token)

    @staticmethod
    def call(api, method: str, path: str, params=None):
        """One request; a 429 is waited out as Retry-After says (even a naive script must)."""
        while True:
            response = api.request(method, path, params=params)
            if response.status_code != 429:
                if response.status_code >= 400:
                    raise SystemExit(f'{method} {path}: {response.status_code} {response.text[:300]}')
                return response
            time.sleep(float(response.headers.get('Retry-After', '1')))

    def pages(self, api, path: str, params=None) -> list[dict]:
        items, number = [], 1
        while True:
            query = dict(params or {}, **{'page[number]': number, 'page[size]': PAGE})
            body = self.call(api, 'GET', path, query).json()
            items.extend(body['data'])
            if len(body['data']) < PAGE or not (body.get('links') or {}).get('next'):
                return items
            number += 1

    def naive_agents(self, api) -> dict[str, list[dict]]:
        orgs = self.pages(api, '/v1/organizations')
        return {org['id']: self.pages(api, '/v1/user_agents', {'organization_ids': org['id']}) for org in orgs}

    def naive_export(self) -> list[str]:
        agents = self.naive_agents(self.api())
        return [f'{sum(len(v) for v in agents.values())} agents']

    def naive_uninstall(self) -> list[str]:
        api = self.api()
        queued = 0
        for agents in self.naive_agents(api).values():
            for agent in agents:
                if agent['attributes'].get('status') in ('uninstalled', 'uninstalled_from_client'):
                    continue
                self.call(api, 'DELETE', f'/v1/user_agents/{agent["id"]}', {'queue_uninstall': 'true'})
                queued += 1
        return [f'{queued} DELETEs']

    def naive_remove_technician(self) -> list[str]:
        api = self.api()
        removed = 0
        for org in self.pages(api, '/v1/organizations'):
            body = self.call(api, 'GET', f'/v1/organizations/{org["id"]}/users').json()
            for user in body.get('users', body.get('data', [])):
                email = user.get('email') or (user.get('attributes') or {}).get('email')
                if (email or '').casefold() == TECHNICIAN:
                    self.call(api, 'DELETE', f'/v1/organizations/{org["id"]}/users/{user["id"]}')
                    removed += 1
        return [f'{removed} memberships']

    def naive_dedupe(self) -> list[str]:
        api = self.api()
        removed = 0
        for org in self.pages(api, '/v1/organizations'):
            people: dict[str, list[dict]] = {}
            for user in self.pages(api, '/v1/agent_local_users', {'organization_ids': org['id']}):
                login = user['attributes'].get('user_login') or ''
                people.setdefault(login.replace('/', '\\').split('\\')[-1].split('@')[0].casefold(), []).append(user)
            for records in people.values():
                records.sort(key=lambda u: (u['attributes'].get('last_seen') or '', u['attributes'].get('first_seen') or '', int(u['id'])),
                             reverse=True)
                for user in records[1:]:
                    self.call(api, 'DELETE', f'/v1/agent_local_users/{user["id"]}')
                    removed += 1
        return [f'{removed} DELETEs']

    # --- scenario preparation and outcomes (control port only: not counted) -----------------------

    def make_duplicates(self, count: int) -> int:
        """Devices report a local account of a person who already has a User in their customer."""
        chosen = []
        for device in self.sandbox.devices():
            number = int(device['id'].rsplit('-', 1)[1])
            if device['online'] and device['installed'] and len(chosen) < count:
                self.sandbox.set_device(device['id'], current_user={'login': f'{device["hostname"]}\\person{number:04d}',
                                                                    'name': f'person{number:04d}'})
                chosen.append(device['id'])
        self.sandbox.checkin(chosen)
        return len(chosen)

    def state_counts(self) -> dict:
        state = self.sandbox.state()
        sam = next(u for u in state['users'] if u['email'] == TECHNICIAN)
        return {'queued': sum(1 for a in state['user_agents'] if a.get('uninstall_queued_at')),
                'users': len(state['agent_local_users']),
                'sam_memberships': len(sam['memberships'])}


def run(bench: Bench, only: set[str], duplicates: int) -> list[tuple[Figure, Figure]]:
    rows = []
    customer_task = {'organization_id': '{{ org_id }}'}

    measured: dict = {}

    def pair(key, label, collection, naive, prepare=None, outcome=None):
        if key not in only:
            return
        figures = []
        for way in (collection, naive):
            if way in measured:  # the same naive way beside a second collection path: measured once
                figures.append(measured[way])
                continue
            bench.fresh()
            before = prepare() if prepare else None
            figure = bench.measure(label, way)
            if outcome:
                figure.notes.append(outcome(before))
            figures.append(figure)
            measured[way] = figure
            print(f'  {label}: {"collection" if way is collection else "naive"} {figure.calls} calls, {figure.seconds:.1f} s', flush=True)
        rows.append(tuple(figures))

    pair('a', '(a) inventory: roaming_clients plugin', bench.inventory_plugin, bench.naive_export)
    pair('a', '(a) inventory: roaming_client_info per customer',
         lambda: bench.playbook('roaming_client_info', 'customers',
                                {'name': 'List the Roaming Clients', 'msp.dnsfilter.roaming_client_info': customer_task}),
         bench.naive_export)
    pair('b', '(b) queue uninstall of every agent (one task, every customer)',
         lambda: bench.playbook('roaming_client', 'localhost', {
             'name': 'Queue the uninstall of every agent', 'msp.dnsfilter.roaming_client': {
                 'organization_ids': bench.customers, 'all_agents': True, 'state': 'uninstalled', 'poll_interval': 2}}),
         bench.naive_uninstall, outcome=lambda _: f'{bench.state_counts()["queued"]} queued')
    pair('b', '(b) queue uninstall of every agent (one task per customer)',
         lambda: bench.playbook('roaming_client', 'customers', {
             'name': 'Queue the uninstall of every agent', 'msp.dnsfilter.roaming_client': dict(customer_task, all_agents=True, state='uninstalled')}),
         bench.naive_uninstall, outcome=lambda _: f'{bench.state_counts()["queued"]} queued')
    pair('c', '(c) remove technician everywhere',
         lambda: bench.playbook('org_user', 'localhost', {'name': 'Remove the technician', 'msp.dnsfilter.org_user': {
             'email': TECHNICIAN, 'all_organizations': True, 'state': 'absent',
             'api_keys_attestation': 'benchmark: the technician revoked their keys (simulated)'}}),
         bench.naive_remove_technician, outcome=lambda _: f'{bench.state_counts()["sam_memberships"]} memberships left')

    def with_duplicates():
        made = bench.make_duplicates(duplicates)
        return {'made': made, 'users': bench.state_counts()['users']}

    pair('d', '(d) deduplicate Users',
         lambda: bench.playbook('agent_local_user', 'localhost', {'name': 'Deduplicate Users', 'msp.dnsfilter.agent_local_user': {
             'organization_ids': bench.customers, 'state': 'deduplicated'}}),
         bench.naive_dedupe, prepare=with_duplicates,
         outcome=lambda before: f'{before["made"]} duplicates made, {before["users"] - bench.state_counts()["users"]} Users removed')
    return rows


def table(rows: list[tuple[Figure, Figure]]) -> str:
    header = ('operation', 'collection calls', 'naive calls', 'ratio', 'collection s', 'naive s')
    lines = [header]
    for collection, naive in rows:
        ratio = f'{naive.calls / collection.calls:.1f}x' if collection.calls else '-'
        lines.append((collection.operation, str(collection.calls), str(naive.calls), ratio,
                      f'{collection.seconds:.1f}', f'{naive.seconds:.1f}'))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for number, line in enumerate(lines):
        out.append(' | '.join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)))
        if number == 0:
            out.append('-+-'.join('-' * w for w in widths))
    notes = []
    for collection, naive in rows:
        detail = [f'collection: {", ".join(collection.notes) or "ok"}', f'naive: {", ".join(naive.notes) or "ok"}']
        throttled = [f'{who} got {f.throttled} x 429' for who, f in (('collection', collection), ('naive', naive)) if f.throttled]
        notes.append(f'  {collection.operation}: ' + '; '.join(detail + throttled))
    return '\n'.join(out + ['', 'ratio = naive calls / collection calls; s = wall seconds', 'notes:'] + notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--latency-ms', type=int, default=50, help='latency added to every API request (default 50)')
    parser.add_argument('--forks', type=int, default=5, help='Ansible forks for the per-customer tasks (default 5)')
    parser.add_argument('--duplicates', type=int, default=300, help='duplicate Users made before (d) (default 300)')
    parser.add_argument('--only', nargs='+', choices=['a', 'b', 'c', 'd'], default=['a', 'b', 'c', 'd'])
    parser.add_argument('--json', action='store_true', help='also print the figures as JSON')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-modules-') as temp:
        workdir = Path(temp)
        with Sandbox(workdir / 'sim', scenario='large', strict=False) as sandbox:
            bench = Bench(sandbox, workdir, args.latency_ms, args.forks)
            print(f'{datetime.now().isoformat(timespec="seconds")} large scenario, {args.latency_ms} ms latency per API request, '
                  f'rate limit 2000/300 s per organisation, forks {args.forks}', flush=True)
            rows = run(bench, set(args.only), args.duplicates)
    print()
    print(table(rows))
    if args.json:
        print(json.dumps([{'operation': c.operation, 'collection_calls': c.calls, 'naive_calls': n.calls,
                           'collection_seconds': round(c.seconds, 2), 'naive_seconds': round(n.seconds, 2),
                           'collection_429': c.throttled, 'naive_429': n.throttled} for c, n in rows]))
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Scenarios: YAML descriptions of an account, turned into a fresh ``State``.

The format is documented in docs/sandbox.md. Entries refer to each other by ``ref`` (or by id); times
are ISO 8601 or relative to the clock start (``-3d``, ``+365d``, ``-90m``, ``now``). Unknown keys are
errors, so a typo in a scenario fails loudly instead of being ignored.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml

from . import agents, lifecycle
from .clock import SimClock, utc
from .state import (
    ROLE_RANK, Agent, AgentLocalUser, ApiKey, BlockPage, DashboardUser, Device, EnterpriseConnection, Invoice,
    Membership, Network, Organization, Policy, ScheduledReport, State,
)

SCENARIO_DIR = Path(__file__).resolve().parent / 'scenarios'

DEFAULT_SETTINGS = {
    'clock_start': None,  # None: the wall clock at load time
    'clock_mode': 'realtime',
    'checkin_interval_seconds': 900,
    'offline_after_seconds': None,  # None: three check-in intervals
    'uninstall_seconds': 30,
    'job_delay_seconds': 5,
    'rate_limit': {'limit': 2000, 'window': 300},
    'seed': 1,
    'lifecycle': lifecycle.DEFAULT,  # the unknowns of removing a Roaming Client: a variant of lifecycle.VARIANTS
}

_RELATIVE = re.compile(r'^([+-])(\d+(?:\.\d+)?)([smhd])$')
_UNITS = {'s': 'seconds', 'm': 'minutes', 'h': 'hours', 'd': 'days'}


class ScenarioError(ValueError):
    pass


def resolve(name: str | None = None, path: str | None = None) -> Path:
    """A built-in scenario by name, or a scenario file by path (a name that is a path also works)."""
    if path:
        candidate = Path(path)
    elif name and (name.endswith(('.yml', '.yaml')) or '/' in name):
        candidate = Path(name)
    else:
        candidate = SCENARIO_DIR / f'{name}.yml'
    if not candidate.is_file():
        known = ', '.join(sorted(p.stem for p in SCENARIO_DIR.glob('*.yml')))
        raise ScenarioError(f'no scenario {name or path!r} (built-in: {known})')
    return candidate


def load(source: Path, overrides: dict | None = None) -> State:
    with open(source, encoding='utf-8') as handle:
        try:
            document = yaml.safe_load(handle) or {}
        except yaml.YAMLError as error:
            raise ScenarioError(f'{source}: {error}') from None
    return build(document, overrides)


def build(document: dict, overrides: dict | None = None) -> State:
    _fields(document, 'scenario', {'name', 'description', 'settings', 'generate', 'organizations', 'users', 'networks',
                                   'policies', 'block_pages', 'devices', 'agent_local_users', 'scheduled_reports',
                                   'enterprise_connections', 'invoices'})
    settings = dict(DEFAULT_SETTINGS)
    settings.update(document.get('settings') or {})
    settings.update(overrides or {})
    unknown = set(settings) - set(DEFAULT_SETTINGS)
    if unknown:
        raise ScenarioError(f'settings: unknown keys {sorted(unknown)}')
    try:
        settings['lifecycle'] = lifecycle.resolve(settings['lifecycle'])
    except lifecycle.LifecycleError as error:
        raise ScenarioError(str(error)) from None
    if settings['offline_after_seconds'] is None:
        settings['offline_after_seconds'] = 3 * settings['checkin_interval_seconds']
    start = _absolute(settings['clock_start']) if settings['clock_start'] else datetime.now(timezone.utc)
    state = State(SimClock(start, settings['clock_mode']), settings, seed=settings['seed'])
    if document.get('generate'):
        document = _merge(document, generate(document['generate'], state))
    _Builder(state, start).run(document)
    agents.start(state)
    return state


def _merge(document: dict, generated: dict) -> dict:
    merged = dict(document)
    for section, entries in generated.items():
        merged[section] = list(document.get(section) or []) + entries
    return merged


def _absolute(value) -> datetime:
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return utc(datetime.fromisoformat(str(value).replace('Z', '+00:00')))


def _fields(entry, where: str, allowed: set[str], required: tuple = ()) -> dict:
    if not isinstance(entry, dict):
        raise ScenarioError(f'{where}: expected a mapping, got {entry!r}')
    unknown = set(entry) - allowed
    if unknown:
        raise ScenarioError(f'{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})')
    missing = [key for key in required if key not in entry]
    if missing:
        raise ScenarioError(f'{where}: missing {missing}')
    return entry


class _Builder:
    """Builds the objects of one scenario document into ``state``, section by section."""

    def __init__(self, state: State, start: datetime):
        self.state = state
        self.start = start
        self.refs: dict[str, dict[str, object]] = {}

    def time(self, value, default=None) -> datetime | None:
        if value is None:
            return default
        if isinstance(value, str):
            if value == 'now':
                return self.start
            relative = _RELATIVE.match(value)
            if relative:
                sign, amount, unit = relative.groups()
                delta = timedelta(**{_UNITS[unit]: float(amount)})
                return self.start + delta if sign == '+' else self.start - delta
        return _absolute(value)

    def ref(self, kind: str, value, where: str):
        """An object of ``kind`` named by ref or id; None stays None."""
        if value is None:
            return None
        table = self.refs.get(kind, {})
        if str(value) in table:
            return table[str(value)]
        raise ScenarioError(f'{where}: no {kind} {value!r}')

    def register(self, kind: str, obj, ref: str | None) -> None:
        table = self.refs.setdefault(kind, {})
        for name in filter(None, (ref, str(obj.id))):
            if name in table:
                raise ScenarioError(f'duplicate {kind} {name!r}')
            table[name] = obj

    def new_id(self, kind: str, given) -> int:
        if given is None:
            return self.state.next_id(kind)
        self.state.reserve_id(kind, int(given))
        return int(given)

    def run(self, document: dict) -> None:
        for section in ('organizations', 'policies', 'block_pages', 'networks', 'users', 'devices', 'agent_local_users',
                        'scheduled_reports', 'enterprise_connections', 'invoices'):
            for index, entry in enumerate(document.get(section) or []):
                getattr(self, section)(entry, f'{section}[{index}]')

    def organizations(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'ref', 'id', 'name', 'type', 'msp', 'created_at', 'canceled_at', 'will_cancel_at',
                               'uninstall_pin', 'unique_id', 'sku', 'quantity', 'payment_method'}, ('name', 'type'))
        if entry['type'] not in ('msp', 'sub_organization', 'normal'):
            raise ScenarioError(f'{where}: type must be msp, sub_organization or normal')
        msp = self.ref('organization', entry.get('msp'), where)
        if (entry['type'] == 'sub_organization') != (msp is not None):
            raise ScenarioError(f'{where}: a sub_organization (and only one) names its msp')
        org_id = self.new_id('organization', entry.get('id'))
        created = self.time(entry.get('created_at'), self.start - timedelta(days=365))
        org = Organization(
            id=org_id, uuid=self.state.new_uuid7(created), name=entry['name'], type=entry['type'], created_at=created,
            managed_by_msp_id=msp.id if msp else None, canceled_at=self.time(entry.get('canceled_at')),
            will_cancel_at=self.time(entry.get('will_cancel_at')), uninstall_pin=str(entry.get('uninstall_pin', '%06d' % (org_id % 1000000))),
            unique_id=entry.get('unique_id') or self.state.new_uuid(), sku=entry.get('sku'), quantity=entry.get('quantity'),
            payment_method=dict(entry.get('payment_method') or {}), ref=entry.get('ref'))
        self.state.orgs[org.id] = org
        self.register('organization', org, entry.get('ref'))

    def policies(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'ref', 'id', 'org', 'name', 'allow', 'block', 'block_categories', 'global',
                               'allow_unknown_domains', 'safe_search', 'youtube_restricted'}, ('org', 'name'))
        org = self.ref('organization', entry['org'], where)
        created = self.start - timedelta(days=200)
        policy = Policy(
            id=self.new_id('policy', entry.get('id')), uuid=self.state.new_uuid7(created), org_id=org.id, name=entry['name'],
            created_at=created, whitelist_domains=list(entry.get('allow') or []), blacklist_domains=list(entry.get('block') or []),
            blacklist_categories=list(entry.get('block_categories') or []), is_global_policy=bool(entry.get('global', False)),
            allow_unknown_domains=entry.get('allow_unknown_domains', True), safe_search=entry.get('safe_search', False),
            youtube_restricted=entry.get('youtube_restricted', False), updated_at=created,
            allowlist_updated_at=created if entry.get('allow') else None, blocklist_updated_at=created if entry.get('block') else None)
        self.state.policies[policy.id] = policy
        self.register('policy', policy, entry.get('ref'))

    def block_pages(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'ref', 'id', 'org', 'name', 'block_org_name', 'block_email_addr', 'block_logo_uuid',
                               'block_redirect_url'}, ('org', 'name'))
        org = self.ref('organization', entry['org'], where)
        created = self.start - timedelta(days=150)
        page = BlockPage(
            id=self.new_id('block_page', entry.get('id')), uuid=self.state.new_uuid7(created), org_id=org.id, name=entry['name'],
            created_at=created, updated_at=created, block_org_name=entry.get('block_org_name'),
            block_email_addr=entry.get('block_email_addr'), block_logo_uuid=entry.get('block_logo_uuid'),
            block_redirect_url=entry.get('block_redirect_url'))
        self.state.block_pages[page.id] = page
        self.register('block_page', page, entry.get('ref'))

    def networks(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'ref', 'id', 'org', 'name', 'secret_key', 'policy', 'block_page', 'physical_address',
                               'local_domains', 'local_resolvers', 'created_at'}, ('org', 'name'))
        org = self.ref('organization', entry['org'], where)
        created = self.time(entry.get('created_at'), self.start - timedelta(days=300))
        policy = self.ref('policy', entry.get('policy'), where)
        block_page = self.ref('block_page', entry.get('block_page'), where)
        network = Network(
            id=self.new_id('network', entry.get('id')), uuid=self.state.new_uuid7(created), org_id=org.id, name=entry['name'],
            created_at=created, updated_at=created, secret_key=entry.get('secret_key') or uuid.UUID(int=self.state.rng.getrandbits(128)).hex[:24],
            policy_id=policy.id if policy else None, block_page_id=block_page.id if block_page else None,
            physical_address=entry.get('physical_address', ''), local_domains=list(entry.get('local_domains') or []),
            local_resolvers=list(entry.get('local_resolvers') or []), ref=entry.get('ref'))
        self.state.networks[network.id] = network
        self.register('network', network, entry.get('ref'))

    def users(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'ref', 'id', 'email', 'first_name', 'last_name', 'phone', 'mfa_enabled', 'created_at',
                               'last_sign_in_at', 'home_org', 'memberships', 'api_keys'}, ('email', 'first_name'))
        created = self.time(entry.get('created_at'), self.start - timedelta(days=400))
        user = DashboardUser(
            id=self.new_id('user', entry.get('id')), uuid=self.state.new_uuid7(created), email=entry['email'],
            first_name=entry['first_name'], last_name=entry.get('last_name', ''), phone=str(entry.get('phone', '')),
            mfa_enabled=bool(entry.get('mfa_enabled', False)), created_at=created, updated_at=created,
            last_sign_in_at=self.time(entry.get('last_sign_in_at'), self.start - timedelta(days=2)), ref=entry.get('ref'))
        for index, membership in enumerate(entry.get('memberships') or []):
            spot = f'{where}.memberships[{index}]'
            _fields(membership, spot, {'org', 'role', 'organization_permission_ids', 'is_include_only_list'}, ('org', 'role'))
            if membership['role'] not in ROLE_RANK:
                raise ScenarioError(f'{spot}: unknown role {membership["role"]!r}')
            org = self.ref('organization', membership['org'], spot)
            permitted = [self.ref('organization', o, spot).id for o in membership.get('organization_permission_ids') or []]
            user.memberships[org.id] = Membership(org.id, membership['role'], permitted, bool(membership.get('is_include_only_list', False)))
        home = self.ref('organization', entry.get('home_org'), where)
        user.home_org_id = home.id if home else None
        self.state.users[user.id] = user
        self.register('user', user, entry.get('ref'))
        for index, key in enumerate(entry.get('api_keys') or []):
            self.api_key(user, key, f'{where}.api_keys[{index}]')

    def api_key(self, user: DashboardUser, entry: dict, where: str) -> None:
        _fields(entry, where, {'id', 'name', 'token', 'expiry', 'status', 'created_at'}, ('name', 'token'))
        created = self.time(entry.get('created_at'), self.start - timedelta(days=60))
        status = entry.get('status', 'active')
        if status not in ('active', 'revoked'):
            raise ScenarioError(f'{where}: status must be active or revoked')
        if self.state.key_by_token(entry['token']):
            raise ScenarioError(f'{where}: duplicate token')
        key = ApiKey(
            id=self.new_id('api_key', entry.get('id')), uuid=self.state.new_uuid7(created), user_id=user.id, name=entry['name'],
            token=str(entry['token']), expiry=self.time(entry.get('expiry'), self.start + timedelta(days=365)), created_at=created,
            status=status, revoked_at=created if status == 'revoked' else None, updated_at=created)
        self.state.api_keys[key.id] = key

    def devices(self, entry: dict, where: str) -> None:
        """A device and the Roaming Client record its agent registered."""
        _fields(entry, where, {'id', 'agent_id', 'hostname', 'os', 'product', 'version', 'network', 'site_key', 'installed',
                               'online', 'supports_remote_uninstall', 'friendly_name', 'tags', 'os_name', 'os_version',
                               'release_channel', 'status', 'record', 'created_at', 'last_sync', 'uninstalled_at',
                               'current_user', 'policy', 'windows', 'macos'}, ('id', 'hostname', 'os', 'version', 'network'))
        if entry['os'] not in ('windows', 'macos'):
            raise ScenarioError(f'{where}: os must be windows or macos')
        network = self.ref('network', entry['network'], where)
        policy = self.ref('policy', entry.get('policy'), where)
        created = self.time(entry.get('created_at'), self.start - timedelta(days=120))
        status = entry.get('status', 'active')
        if status not in ('active', 'disabled', 'uninstalled', 'uninstalled_from_client'):
            raise ScenarioError(f'{where}: unknown status {status!r}')
        agent_id = str(entry.get('agent_id') or self.state.new_uuid())
        uninstalled = status in ('uninstalled', 'uninstalled_from_client')
        agent = Agent(
            id=agent_id, uuid=self.state.new_uuid7(created), org_id=network.org_id, network_id=network.id,
            hostname=entry['hostname'], agent_type=entry['os'], agent_version=str(entry['version']), created_at=created,
            os_name=entry.get('os_name') or _default_os_name(entry['os']), os_version=entry.get('os_version', ''),
            friendly_name=entry.get('friendly_name'), tags=entry.get('tags'), status=status,
            agent_state='uninstalled' if uninstalled else 'protected', release_channel=entry.get('release_channel', 'stable'),
            client_id=str(uuid.UUID(int=self.state.rng.getrandbits(128)).int)[:52], policy_id=policy.id if policy else None,
            updated_at=created, last_sync=self.time(entry.get('last_sync'), self.start - timedelta(minutes=5)),
            uninstalled_at=self.time(entry.get('uninstalled_at'), created if uninstalled else None))
        if entry.get('record', 'present') == 'deleted':
            agent.deleted_at = self.start - timedelta(days=1)
        elif entry.get('record', 'present') != 'present':
            raise ScenarioError(f'{where}: record must be present or deleted')
        host_sections = [section for section in ('windows', 'macos') if section in entry]
        device = Device(
            id=str(entry['id']), agent_id=agent_id, os=entry['os'],
            product=entry.get('product', 'DNSFilter Agent'), site_key=entry.get('site_key', network.secret_key),
            supports_remote_uninstall=entry.get('supports_remote_uninstall',
                                                agents.supports_remote_uninstall(
                                                    entry['os'], str(entry['version']), self.state.settings['lifecycle']['remote_uninstall_since'])),
            installed=entry.get('installed', not uninstalled), online=entry.get('online', True),
            current_user=dict(entry['current_user']) if entry.get('current_user') else None,
            host=dict(entry[host_sections[0]]) if host_sections else {})
        if device.current_user:
            agent.current_user = {'login': device.current_user['login'], 'name': device.current_user.get('name', ''),
                                  'last_update': agent.last_sync}
        if agent_id in self.state.agents or device.id in self.state.devices:
            raise ScenarioError(f'{where}: duplicate device or agent id')
        self.state.agents[agent_id] = agent
        self.state.devices[device.id] = device
        self.register('device', device, None)

    def agent_local_users(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'id', 'org', 'user_login', 'user_name', 'user_remote_id', 'friendly_name', 'first_seen',
                               'last_seen', 'devices', 'policy'}, ('org', 'user_login'))
        org = self.ref('organization', entry['org'], where)
        first_seen = self.time(entry.get('first_seen'), self.start - timedelta(days=90))
        policy = self.ref('policy', entry.get('policy'), where)
        alu = AgentLocalUser(
            id=self.new_id('agent_local_user', entry.get('id')), uuid=self.state.new_uuid7(first_seen), org_id=org.id,
            user_login=entry['user_login'], first_seen=first_seen, last_seen=self.time(entry.get('last_seen'), first_seen),
            user_name=entry.get('user_name') or entry['user_login'].split('\\')[-1], user_remote_id=entry.get('user_remote_id'),
            friendly_name=entry.get('friendly_name'), policy_id=policy.id if policy else None,
            agent_ids={self.ref('device', d, where).agent_id for d in entry.get('devices') or []})
        self.state.alus[alu.id] = alu

    def scheduled_reports(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'id', 'org', 'frequency', 'day_of_week', 'recipients', 'send_to_dashboard_users',
                               'include_threat_summary', 'selected_sub_orgs'}, ('org',))
        org = self.ref('organization', entry['org'], where)
        report = ScheduledReport(
            id=self.new_id('scheduled_report', entry.get('id')), uuid=self.state.new_uuid(), org_id=org.id,
            frequency=entry.get('frequency', 'weekly'), day_of_week=entry.get('day_of_week', 'monday'),
            recipients=list(entry.get('recipients') or []), send_to_dashboard_users=bool(entry.get('send_to_dashboard_users', False)),
            include_threat_summary=bool(entry.get('include_threat_summary', True)),
            selected_sub_orgs=[self.ref('organization', o, where).id for o in entry.get('selected_sub_orgs') or []])
        self.state.scheduled_reports[report.id] = report

    def enterprise_connections(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'id', 'org', 'name', 'display_name', 'idp', 'conn_id', 'role_default', 'role_map',
                               'authorized_domains', 'default_org', 'options'}, ('org', 'name', 'idp'))
        org = self.ref('organization', entry['org'], where)
        default_org = self.ref('organization', entry.get('default_org'), where)
        connection = EnterpriseConnection(
            id=self.new_id('enterprise_connection', entry.get('id')), org_id=org.id, name=entry['name'],
            display_name=entry.get('display_name', entry['name']), idp=entry['idp'],
            conn_id=entry.get('conn_id') or f'con_{self.state.new_uuid()[:16]}', role_default=entry.get('role_default', 'read_only'),
            role_map=[dict(item) for item in entry.get('role_map') or []], authorized_domains=list(entry.get('authorized_domains') or []),
            default_organization_id=default_org.id if default_org else org.id, options=dict(entry.get('options') or {}))
        self.state.enterprise_connections[connection.id] = connection
        org.sso_enabled = True

    def invoices(self, entry: dict, where: str) -> None:
        _fields(entry, where, {'id', 'org', 'start_date', 'end_date', 'total_cents', 'paid', 'requests'},
                ('org', 'start_date', 'end_date', 'total_cents'))
        org = self.ref('organization', entry['org'], where)
        invoice = Invoice(
            id=self.new_id('invoice', entry.get('id')), org_id=org.id, start_date=str(entry['start_date']),
            end_date=str(entry['end_date']), total_cents=int(entry['total_cents']), created_at=_absolute(entry['end_date']),
            paid=bool(entry.get('paid', True)), requests=int(entry.get('requests', 0)))
        self.state.invoices[invoice.id] = invoice


def _default_os_name(os_type: str) -> str:
    return 'Microsoft Windows 11 Pro' if os_type == 'windows' else 'macOS 14.5'


def generate(spec: dict, state: State) -> dict:
    """Expand a ``generate:`` block into ordinary scenario entries, deterministically (seeded)."""
    _fields(spec, 'generate', {'msp', 'sub_organizations', 'agents', 'agent_local_users', 'users'},
            ('msp', 'sub_organizations', 'agents'))
    rng = state.rng
    msp = dict(spec['msp'], type='msp')
    msp_ref = msp.setdefault('ref', 'generated-msp')
    base_id = int(msp.get('id', 900000))
    orgs, networks, devices, alus = [msp], [], [], []
    for number in range(1, spec['sub_organizations'] + 1):
        ref = f'customer-{number:02d}'
        orgs.append({'ref': ref, 'id': base_id + number, 'name': f'Customer {number:02d} Ltd', 'type': 'sub_organization', 'msp': msp_ref})
        networks.append({'ref': f'{ref}-office', 'id': base_id * 10 + number, 'org': ref, 'name': f'Customer {number:02d} Office'})
    for number in range(spec['agents']):
        customer = number % spec['sub_organizations'] + 1
        os_type = 'windows' if rng.random() < 0.7 else 'macos'
        version = rng.choice(('3.3.6', '3.1.0', '2.2.0', '1.15.3')) if os_type == 'windows' else rng.choice(('2.3.0', '2.1.4', '1.9.2'))
        devices.append({
            'id': f'gen-device-{number:04d}', 'agent_id': str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            'hostname': f'C{customer:02d}-{"WS" if os_type == "windows" else "MAC"}-{number:04d}', 'os': os_type,
            'product': rng.choice(('DNSFilter Agent', 'DNS Agent')), 'version': version, 'network': f'customer-{customer:02d}-office',
            'online': rng.random() < 0.9, 'last_sync': f'-{rng.randrange(1, 3000)}m',
            'current_user': {'login': f'C{customer:02d}\\user{number:04d}', 'name': f'user{number:04d}'},
        })
    for number in range(spec.get('agent_local_users', 0)):
        customer = number % spec['sub_organizations'] + 1
        alus.append({'org': f'customer-{customer:02d}', 'user_login': f'C{customer:02d}\\person{number:04d}',
                     'first_seen': f'-{rng.randrange(30, 400)}d', 'last_seen': f'-{rng.randrange(0, 29)}d'})
    users = []
    for user in spec.get('users') or []:
        # ``memberships: {msp: role, all_sub_organizations: role}`` expands to one membership per organisation.
        wanted = user.get('memberships') or {}
        memberships = [{'org': msp_ref, 'role': wanted['msp']}] if wanted.get('msp') else []
        if wanted.get('all_sub_organizations'):
            memberships += [{'org': org['ref'], 'role': wanted['all_sub_organizations']} for org in orgs[1:]]
        users.append(dict(user, memberships=memberships))
    return {'organizations': orgs, 'networks': networks, 'devices': devices, 'agent_local_users': alus, 'users': users}

"""The simulated DNSFilter account: every object the API serves, held in memory.

Objects are plain dataclasses; serialising them is the API handlers' job. Integer ids are ints here and
become strings only in JSON:API ``id`` fields, as the real API does. Roaming Clients are keyed by UUID.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from .clock import Scheduler, SimClock

# Dashboard roles, weakest first. The rank decides who may grant what and who may write.
ROLE_RANK = {
    'read_only': 0, 'support': 0, 'network_support': 0, 'technical': 0, 'accountant': 0,
    'network_administrator': 0, 'policies_only': 1, 'administrator': 2, 'super_administrator': 3, 'owner': 4,
}


@dataclass
class Organization:
    id: int
    uuid: str
    name: str
    type: str  # msp | sub_organization | normal
    created_at: datetime
    managed_by_msp_id: int | None = None
    canceled_at: datetime | None = None
    will_cancel_at: datetime | None = None
    deleted_at: datetime | None = None
    uninstall_pin: str = '000000'
    unique_id: str = ''
    sso_enabled: bool = False
    sku: str | None = None
    quantity: int | None = None
    payment_method: dict = field(default_factory=dict)
    ref: str | None = None

    @property
    def canceled(self) -> bool:
        return self.canceled_at is not None


@dataclass
class Membership:
    org_id: int
    role: str
    organization_permission_ids: list[int] = field(default_factory=list)
    is_include_only_list: bool = False


@dataclass
class DashboardUser:
    id: int
    uuid: str
    email: str
    first_name: str
    last_name: str
    created_at: datetime
    phone: str = ''
    mfa_enabled: bool = False
    last_sign_in_at: datetime | None = None
    updated_at: datetime | None = None
    memberships: dict[int, Membership] = field(default_factory=dict)
    home_org_id: int | None = None
    ref: str | None = None

    @property
    def name(self) -> str:
        return f'{self.first_name} {self.last_name}'.strip()

    @property
    def home_org(self) -> int | None:
        """The organisation the API means by "defaults to user organization ID"."""
        if self.home_org_id in self.memberships:
            return self.home_org_id
        return next(iter(self.memberships), None)


@dataclass
class ApiKey:
    id: int
    uuid: str
    user_id: int
    name: str
    token: str
    expiry: datetime
    created_at: datetime
    status: str = 'active'  # active | revoked
    revoked_at: datetime | None = None
    updated_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.status == 'active' and self.expiry > now


@dataclass
class Network:
    id: int
    uuid: str
    org_id: int
    name: str
    created_at: datetime
    secret_key: str | None = None
    policy_id: int | None = None
    block_page_id: int | None = None
    physical_address: str = ''
    local_domains: list[str] = field(default_factory=list)
    local_resolvers: list[str] = field(default_factory=list)
    deleted_at: datetime | None = None
    updated_at: datetime | None = None
    ref: str | None = None


@dataclass
class Agent:
    """A Roaming Client record, as the dashboard and the API see it."""
    id: str
    uuid: str
    org_id: int
    network_id: int
    hostname: str
    agent_type: str
    agent_version: str
    created_at: datetime
    os_name: str = ''
    os_version: str = ''
    friendly_name: str | None = None
    tags: list[str] | None = None
    status: str = 'active'
    agent_state: str = 'protected'
    release_channel: str = 'stable'
    client_id: str = ''
    policy_id: int | None = None
    scheduled_policy_id: int | None = None
    block_page_id: int | None = None
    updated_at: datetime | None = None
    last_sync: datetime | None = None
    uninstall_queued_at: datetime | None = None
    # None, 'queued' (waiting for the agent to pick it up) or 'uninstalling' (picked up, not yet done).
    uninstall_phase: str | None = None
    # Check-ins since the uninstall was queued, and since the record was deleted (lifecycle timing).
    checkins_since_queued: int = 0
    checkins_since_deleted: int = 0
    clear_registry: bool = False
    uninstalled_at: datetime | None = None
    deleted_at: datetime | None = None
    current_user: dict | None = None
    status_code: str | int | None = None
    status_message: str | None = None

    @property
    def uninstalled(self) -> bool:
        return self.status in ('uninstalled', 'uninstalled_from_client')


@dataclass
class Device:
    """The machine a Roaming Client runs on: what only the host knows, not the API."""
    id: str
    agent_id: str
    os: str  # windows | macos
    product: str  # "DNSFilter Agent" (retail) or "DNS Agent" (white label)
    site_key: str | None
    supports_remote_uninstall: bool
    installed: bool = True
    online: bool = True
    current_user: dict | None = None
    host: dict = field(default_factory=dict)
    last_checkin_at: datetime | None = None
    next_checkin_at: datetime | None = None
    registration_error: str | None = None
    # Bumped whenever the device's check-in schedule changes, so stale scheduled check-ins do nothing.
    generation: int = 0


@dataclass
class AgentLocalUser:
    id: int
    uuid: str
    org_id: int
    user_login: str
    first_seen: datetime
    last_seen: datetime
    user_name: str | None = None
    user_remote_id: str | None = None
    friendly_name: str | None = None
    policy_id: int | None = None
    scheduled_policy_id: int | None = None
    block_page_id: int | None = None
    agent_ids: set[str] = field(default_factory=set)


@dataclass
class Policy:
    id: int
    uuid: str
    org_id: int
    name: str
    created_at: datetime
    whitelist_domains: list[str] = field(default_factory=list)
    blacklist_domains: list[str] = field(default_factory=list)
    blacklist_categories: list[int] = field(default_factory=list)
    allow_notes: dict[str, str] = field(default_factory=dict)
    block_notes: dict[str, str] = field(default_factory=dict)
    allow_unknown_domains: bool = True
    safe_search: bool = False  # one switch for every search engine's safe search
    youtube_restricted: bool = False
    is_global_policy: bool = False
    lock_version: int = 0
    updated_at: datetime | None = None
    allowlist_updated_at: datetime | None = None
    blocklist_updated_at: datetime | None = None


@dataclass
class BlockPage:
    id: int
    uuid: str
    org_id: int
    name: str
    created_at: datetime
    block_org_name: str | None = None
    block_email_addr: str | None = None
    block_logo_uuid: str | None = None
    block_redirect_url: str | None = None
    updated_at: datetime | None = None


@dataclass
class ScheduledReport:
    id: int
    uuid: str
    org_id: int
    frequency: str
    day_of_week: str
    recipients: list[str] = field(default_factory=list)
    send_to_dashboard_users: bool = False
    include_threat_summary: bool = True
    include_content_category_summary: bool = False
    selected_sub_orgs: list[int] = field(default_factory=list)


@dataclass
class EnterpriseConnection:
    id: int
    org_id: int
    name: str
    display_name: str
    idp: str
    conn_id: str
    role_default: str = 'read_only'
    role_map: list[dict] = field(default_factory=list)
    authorized_domains: list[str] = field(default_factory=list)
    default_organization_id: int | None = None
    options: dict = field(default_factory=dict)


@dataclass
class Invoice:
    id: int
    org_id: int
    start_date: str
    end_date: str
    total_cents: int
    created_at: datetime
    paid: bool = True
    requests: int = 0


@dataclass
class Job:
    """An asynchronous job: bulk deletes, cleanups and CSV exports all finish after ``job_delay_seconds``."""
    kind: str  # user_agent_bulk_delete | agent_local_user_bulk_delete | user_agent_cleanup | *_csv_export
    id: int
    uuid: str
    org_ids: list[int]
    created_at: datetime
    params: dict = field(default_factory=dict)
    target_ids: list = field(default_factory=list)
    completed: bool = False
    query_completed: bool = False
    started: bool = False
    url: str | None = None
    error: str | None = None


class State:
    """Everything the simulator knows, plus the clock and scheduler the simulation runs on."""

    def __init__(self, clock: SimClock, settings: dict, seed: int = 0):
        self.clock = clock
        self.settings = settings
        self.scheduler = Scheduler()
        self.rng = random.Random(seed)
        self.orgs: dict[int, Organization] = {}
        self.users: dict[int, DashboardUser] = {}
        self.api_keys: dict[int, ApiKey] = {}
        self.networks: dict[int, Network] = {}
        self.agents: dict[str, Agent] = {}
        self.devices: dict[str, Device] = {}
        self.alus: dict[int, AgentLocalUser] = {}
        self.policies: dict[int, Policy] = {}
        self.block_pages: dict[int, BlockPage] = {}
        self.scheduled_reports: dict[int, ScheduledReport] = {}
        self.enterprise_connections: dict[int, EnterpriseConnection] = {}
        self.invoices: dict[int, Invoice] = {}
        self.jobs: dict[tuple[str, int], Job] = {}
        # Files behind the pre-signed-style export URLs: token -> CSV text.
        self.export_files: dict[str, str] = {}
        # The API's own base URL, for links and export URLs; set by the server once it listens.
        self.api_url = ''
        self._next_ids: dict[str, int] = {}

    def now(self) -> datetime:
        return self.clock.now()

    def next_id(self, kind: str) -> int:
        """A fresh integer id for ``kind``, above any id a scenario fixed."""
        value = self._next_ids.get(kind, 1000)
        self._next_ids[kind] = value + 1
        return value

    def reserve_id(self, kind: str, used: int) -> None:
        self._next_ids[kind] = max(self._next_ids.get(kind, 1000), used + 1)

    def new_uuid(self) -> str:
        """A UUID drawn from the seeded generator, so a scenario always produces the same ones."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_uuid7(self, when: datetime) -> str:
        """A time-ordered UUID like the ``uuid`` fields the real API returns (UUIDv7)."""
        millis = int(when.timestamp() * 1000) & ((1 << 48) - 1)
        value = (millis << 80) | (0x7 << 76) | (self.rng.getrandbits(12) << 64) | (0b10 << 62) | self.rng.getrandbits(62)
        return str(uuid.UUID(int=value))

    def live_org(self, org_id: int | None) -> Organization | None:
        org = self.orgs.get(org_id) if org_id is not None else None
        return org if org is not None and org.deleted_at is None else None

    def sub_orgs(self, msp_id: int) -> list[Organization]:
        return [o for o in self.orgs.values() if o.managed_by_msp_id == msp_id and o.deleted_at is None]

    def key_by_token(self, token: str) -> ApiKey | None:
        return next((k for k in self.api_keys.values() if k.token == token), None)

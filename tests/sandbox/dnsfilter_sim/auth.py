"""Who is calling, and what their dashboard roles let them see and change.

An API key carries its owner's permissions (KB "API Tokens"). A membership in the MSP organisation
reaches every sub-organisation unless ``organization_permission_ids`` + ``is_include_only_list`` narrow
it (SPEC ``OrganizationUser``); owners and super administrators cannot be narrowed (KB "user permissions").
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError
from .state import ROLE_RANK, ApiKey, DashboardUser, State

NOT_AUTHORIZED = 'Not authorized'

# What each write area needs: a minimum rank, plus roles allowed regardless of rank.
WRITE_RULES = {
    'general': (ROLE_RANK['administrator'], ()),
    'policies': (ROLE_RANK['policies_only'], ()),
    'networks': (ROLE_RANK['administrator'], ('network_administrator',)),
    'sso': (ROLE_RANK['super_administrator'], ()),
}
UNRESTRICTABLE = ('owner', 'super_administrator')


@dataclass
class Caller:
    user: DashboardUser
    key: ApiKey


def token_from_header(value: str | None) -> str | None:
    """``Authorization: <key>`` (the description) and ``Authorization: Bearer <key>`` (DNSFilter's tools)."""
    if not value:
        return None
    value = value.strip()
    if value[:7].lower() == 'bearer ':
        value = value[7:].strip()
    return value or None


def authenticate(state: State, header: str | None) -> Caller:
    """The caller behind the header, or a 401 for a missing, unknown, revoked, deleted or expired key."""
    token = token_from_header(header)
    key = state.key_by_token(token) if token else None
    user = state.users.get(key.user_id) if key else None
    if key is None or user is None or not key.usable(state.now()):
        raise ApiError(401, NOT_AUTHORIZED)
    return Caller(user, key)


class Access:
    """The caller's view of the account: effective roles per organisation and the checks built on them."""

    def __init__(self, state: State, user: DashboardUser):
        self.state = state
        self.user = user

    def role_in(self, org_id: int | None) -> str | None:
        org = self.state.live_org(org_id)
        if org is None:
            return None
        candidates = []
        direct = self.user.memberships.get(org.id)
        if direct is not None:
            candidates.append(direct.role)
        msp_level = self.user.memberships.get(org.managed_by_msp_id) if org.managed_by_msp_id else None
        if msp_level is not None and self.state.live_org(org.managed_by_msp_id) is not None:
            listed = org.id in msp_level.organization_permission_ids
            if msp_level.role in UNRESTRICTABLE or listed == msp_level.is_include_only_list:
                candidates.append(msp_level.role)
        return max(candidates, key=lambda role: ROLE_RANK.get(role, 0), default=None)

    def visible_org_ids(self) -> list[int]:
        return [org_id for org_id in self.state.orgs if self.role_in(org_id) is not None]

    def can_see(self, org_id: int | None) -> bool:
        return self.role_in(org_id) is not None

    def require_read(self, org_id: int | None) -> None:
        if not self.can_see(org_id):
            raise ApiError(403, f'You do not have access to organization {org_id}')

    def can_write(self, org_id: int | None, area: str = 'general') -> bool:
        role = self.role_in(org_id)
        minimum, extra = WRITE_RULES[area]
        return role is not None and (ROLE_RANK.get(role, 0) >= minimum or role in extra)

    def require_write(self, org_id: int | None, area: str = 'general') -> None:
        self.require_read(org_id)
        if not self.can_write(org_id, area):
            role = self.role_in(org_id)
            raise ApiError(403, f'Your role ({role}) in organization {org_id} does not allow this change')

    def require_msp_admin(self, msp_id: int | None) -> None:
        """Creating, cancelling and deleting customer organisations: an owner or super admin of the MSP."""
        membership = self.user.memberships.get(msp_id)
        if membership is None or membership.role not in UNRESTRICTABLE:
            raise ApiError(403, 'Only an owner or super administrator of the MSP can manage its organizations')

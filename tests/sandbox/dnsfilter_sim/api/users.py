"""Dashboard users: the current user, users, and organisation memberships (which roles live on)."""
from __future__ import annotations

import hashlib

from ..clock import iso
from ..errors import ApiError, not_found
from ..state import ROLE_RANK, DashboardUser, Membership
from .base import Reply, no_content, resource, route


def user_resource(user: DashboardUser) -> dict:
    """Attributes as in the ``current-user/show`` and ``users/list`` samples."""
    return resource('users', user, {
        'name': user.name,
        'email': user.email,
        'email_verified': True,
        'first_name': user.first_name,
        'last_name': user.last_name,
        'phone': user.phone,
        'mfa_enabled': user.mfa_enabled,
        'created_at': iso(user.created_at),
        'created_at_epoch_utc': int(user.created_at.timestamp()),
        'updated_at': iso(user.updated_at or user.created_at),
        'intercom_user_verification': hashlib.sha256(f'sim-intercom-{user.uuid}'.encode()).hexdigest(),
        'last_sign_in_at': iso(user.last_sign_in_at),
        'metadata': {},
        'must_reset_password': False,
    })


def organization_user(user: DashboardUser, membership: Membership) -> dict:
    """The ``organizations/users-list`` sample's shape: the account plus its role in the organisation."""
    return {
        'id': user.id,
        'uuid': user.uuid,
        'name': user.name,
        'email': user.email,
        'auth0_sub': 'auth0|' + user.uuid.replace('-', '')[:24],
        'first_name': user.first_name,
        'last_name': user.last_name,
        'phone': user.phone,
        'email_verified': True,
        'mfa_enabled': user.mfa_enabled,
        'created_at': iso(user.created_at),
        'updated_at': iso(user.updated_at or user.created_at),
        'last_sign_in_at': iso(user.last_sign_in_at),
        'was_member_of_organization': True,
        'distributor_guid': None,
        'feature_flags': [],
        'distributor_id': None,
        'transferred_at': None,
        'metadata': {},
        'must_reset_password': False,
        'role': membership.role,
        'is_include_only_list': membership.is_include_only_list,
        'organization_permission_ids': list(membership.organization_permission_ids),
    }


@route('GET', '/v1/current_user')
def show_current_user(ctx) -> Reply:
    return Reply(body={'data': user_resource(ctx.user)})


@route('PATCH', '/v1/current_user')
def update_current_user(ctx) -> Reply:
    changes = ctx.body_part('user')
    for name in ('first_name', 'last_name', 'phone'):
        if name in changes:
            setattr(ctx.user, name, changes[name])
    ctx.user.updated_at = ctx.now
    return Reply(body={'data': user_resource(ctx.user)})


def _visible_users(ctx) -> list[DashboardUser]:
    """Users who are members of an organisation the caller can see."""
    visible = set(ctx.access.visible_org_ids())
    return [user for user in ctx.state.users.values() if user is ctx.user or visible & set(user.memberships)]


@route('GET', '/v1/users')
def list_users(ctx) -> Reply:
    return ctx.page(_visible_users(ctx), user_resource)


@route('GET', '/v1/users/all')
def list_all_users(ctx) -> Reply:
    return ctx.page(_visible_users(ctx), user_resource)


@route('GET', '/v1/users/{id}')
def show_user(ctx) -> Reply:
    wanted = ctx.path['id']
    user = ctx.user if wanted == 'self' else ctx.state.users.get(wanted)
    if user is None or user not in _visible_users(ctx):
        raise not_found('user')
    return Reply(body={'data': user_resource(user)})


def _member(ctx, org_id: int, user_id: int) -> tuple[DashboardUser, Membership]:
    user = ctx.state.users.get(user_id)
    if user is None or org_id not in user.memberships:
        raise not_found('organization user')
    return user, user.memberships[org_id]


def _check_grant(ctx, org_id: int, role: str) -> None:
    """Nobody can grant a role above their own (KB: admins can't self-elevate)."""
    if role not in ROLE_RANK:
        raise ApiError(422, f'Role {role!r} is not a known role')
    own = ctx.access.role_in(org_id)
    if ROLE_RANK[role] > ROLE_RANK.get(own, 0):
        raise ApiError(403, f'Your role ({own}) cannot grant {role}')


def _apply_membership(ctx, membership: Membership, changes: dict) -> None:
    for org_id in changes.get('organization_permission_ids') or []:
        if ctx.state.orgs.get(org_id) is None or ctx.state.orgs[org_id].managed_by_msp_id != membership.org_id:
            raise ApiError(422, f'Organization {org_id} is not managed by organization {membership.org_id}')
    if 'role' in changes:
        membership.role = changes['role']
    if 'organization_permission_ids' in changes:
        membership.organization_permission_ids = list(changes['organization_permission_ids'] or [])
    if 'is_include_only_list' in changes:
        membership.is_include_only_list = bool(changes['is_include_only_list'])


@route('GET', '/v1/organizations/{organization_id}/users')
def list_organization_users(ctx) -> Reply:
    org_id = ctx.path['organization_id']
    ctx.access.require_read(org_id)
    members = [organization_user(user, user.memberships[org_id]) for user in ctx.state.users.values() if org_id in user.memberships]
    return Reply(body={'users': members})


@route('GET', '/v1/organizations/{organization_id}/users/{id}')
def show_organization_user(ctx) -> Reply:
    org_id = ctx.path['organization_id']
    ctx.access.require_read(org_id)
    user, membership = _member(ctx, org_id, ctx.path['id'])
    return Reply(body={'user': organization_user(user, membership)})


@route('POST', '/v1/organizations/{organization_id}/users')
def add_organization_user(ctx) -> Reply:
    """Adds a new or existing user (by email) to the organisation."""
    org_id = ctx.path['organization_id']
    ctx.access.require_write(org_id)
    wanted = ctx.body_part('user')
    email = (wanted.get('email') or '').strip()
    if '@' not in email:
        raise ApiError(422, 'Email is invalid')
    role = wanted.get('role', 'read_only')
    _check_grant(ctx, org_id, role)
    user = next((u for u in ctx.state.users.values() if u.email.lower() == email.lower()), None)
    if user is not None and org_id in user.memberships:
        raise ApiError(422, 'User is already a member of this organization')
    if user is None:
        user = DashboardUser(
            id=ctx.state.next_id('user'), uuid=ctx.state.new_uuid7(ctx.now), email=email,
            first_name=wanted.get('first_name', ''), last_name=wanted.get('last_name', ''), phone=wanted.get('phone', ''),
            created_at=ctx.now, updated_at=ctx.now)
        ctx.state.users[user.id] = user
    membership = Membership(org_id, role)
    _apply_membership(ctx, membership, wanted)
    user.memberships[org_id] = membership
    return Reply(body={'user': organization_user(user, membership)})


@route('PATCH', '/v1/organizations/{organization_id}/users/{id}')
def update_organization_user(ctx) -> Reply:
    org_id = ctx.path['organization_id']
    ctx.access.require_write(org_id)
    user, membership = _member(ctx, org_id, ctx.path['id'])
    changes = ctx.body_part('user')
    _check_grant(ctx, org_id, membership.role)
    if 'role' in changes:
        _check_grant(ctx, org_id, changes['role'])
    _apply_membership(ctx, membership, changes)
    for name in ('first_name', 'last_name', 'phone'):
        if name in changes:
            setattr(user, name, changes[name])
    user.updated_at = ctx.now
    return Reply(body={'user': organization_user(user, membership)})


@route('DELETE', '/v1/organizations/{organization_id}/users/{id}')
def remove_organization_user(ctx) -> Reply:
    """Removes the membership only; the account, and its API keys, stay (SPEC)."""
    org_id = ctx.path['organization_id']
    ctx.access.require_write(org_id)
    user, membership = _member(ctx, org_id, ctx.path['id'])
    _check_grant(ctx, org_id, membership.role)
    del user.memberships[org_id]
    user.updated_at = ctx.now
    return no_content()

"""API keys belong to the user who made them: only that user sees, revokes or deletes them (KB "API Tokens").

Another user's key id is a 404, as if it did not exist. At most 5 active (unrevoked, unexpired) keys.
The full token is returned once, in the 201 of the create; everywhere else it is redacted.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from ..clock import iso, utc
from ..errors import ApiError, not_found
from ..state import ApiKey
from .base import Reply, created, no_content, resource, route

MAX_ACTIVE_KEYS = 5
DEFAULT_KEY_LIFETIME = timedelta(days=365)


def key_resource(key: ApiKey, reveal: bool = False) -> dict:
    """As in the ``api-keys/list`` sample: the token redacted to ``***************`` + last four; a revoked key
    also carries ``revoked_at`` (``api-keys/revoke`` sample)."""
    attributes = {
        'name': key.name,
        'expiry': iso(key.expiry),
        'last_four': key.token[-4:],
        'token': key.token if reveal else '*' * 15 + key.token[-4:],
        'status': key.status,
        'created_at': iso(key.created_at),
        'updated_at': iso(key.updated_at or key.created_at),
        'user_id': key.user_id,
    }
    if key.revoked_at is not None:
        attributes['revoked_at'] = iso(key.revoked_at)
    return resource('api_keys', key, attributes)


def _own_key(ctx) -> ApiKey:
    key = ctx.state.api_keys.get(ctx.path['id'])
    if key is None or key.user_id != ctx.user.id:
        raise not_found('api key')
    return key


@route('GET', '/v1/api_keys')
def list_api_keys(ctx) -> Reply:
    now = ctx.now
    keys = [k for k in ctx.state.api_keys.values() if k.user_id == ctx.user.id]
    query = ctx.query
    if query.get('expired') is not None:
        keys = [k for k in keys if (k.expiry <= now) == query['expired']]
    if query.get('name'):
        keys = [k for k in keys if query['name'].lower() in k.name.lower()]
    if query.get('last_four'):
        keys = [k for k in keys if k.token.endswith(query['last_four'])]
    if query.get('id') is not None:
        keys = [k for k in keys if k.id == query['id']]
    return Reply(body={'data': [key_resource(k) for k in keys]})


@route('POST', '/v1/api_keys')
def create_api_key(ctx) -> Reply:
    wanted = ctx.body if isinstance(ctx.body, dict) else {}
    name = (wanted.get('name') or '').strip()
    if not name:
        raise ApiError(422, "Name can't be blank")
    expiry = _parse_expiry(wanted.get('expiry'), ctx.now)
    if expiry <= ctx.now:
        raise ApiError(422, 'Expiry must be in the future')
    active = [k for k in ctx.state.api_keys.values() if k.user_id == ctx.user.id and k.usable(ctx.now)]
    if len(active) >= MAX_ACTIVE_KEYS:
        raise ApiError(422, f'You already have {MAX_ACTIVE_KEYS} active API keys; revoke or delete one first')
    key = ApiKey(
        id=ctx.state.next_id('api_key'), uuid=ctx.state.new_uuid7(ctx.now), user_id=ctx.user.id, name=name,
        token='sim-' + secrets.token_urlsafe(30), expiry=expiry, created_at=ctx.now, updated_at=ctx.now)
    ctx.state.api_keys[key.id] = key
    return created({'data': key_resource(key, reveal=True)})


def _parse_expiry(value, now: datetime) -> datetime:
    """The expiry is chosen at creation (KB); the description requires none and DNSFilter's CLI sends it only when
    given. What the API then sets is a GAP: a year from now (departure ``api_key_expiry_defaults``)."""
    if not value:
        return now + DEFAULT_KEY_LIFETIME
    try:
        return utc(datetime.fromisoformat(str(value).replace('Z', '+00:00')))
    except ValueError:
        raise ApiError(422, f'Expiry {value!r} is not an ISO 8601 date or time') from None


@route('GET', '/v1/api_keys/{id}')
def show_api_key(ctx) -> Reply:
    return Reply(body={'data': key_resource(_own_key(ctx))})


@route('POST', '/v1/api_keys/{id}/revoke')
def revoke_api_key(ctx) -> Reply:
    key = _own_key(ctx)
    if key.status == 'revoked':
        raise ApiError(422, 'Api key is already revoked')
    key.status = 'revoked'
    key.revoked_at = key.updated_at = ctx.now
    return Reply(body={'data': key_resource(key)})


@route('DELETE', '/v1/api_keys/{id}')
def delete_api_key(ctx) -> Reply:
    del ctx.state.api_keys[_own_key(ctx).id]
    return no_content()

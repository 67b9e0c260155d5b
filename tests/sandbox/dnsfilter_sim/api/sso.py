"""Enterprise (SSO) connections; configuring them needs a super administrator or owner (KB SSO)."""
from __future__ import annotations

from ..errors import ApiError
from ..state import EnterpriseConnection
from .base import Reply, no_content, route

MAX_AUTHORIZED_DOMAINS = 25  # learn.msp.au (3rd party): "up to 25 Authorized Login Domains"


def connection_item(connection: EnterpriseConnection) -> dict:
    return {'id': str(connection.id), 'type': 'enterprise_connections', 'attributes': {
        'id': connection.id,
        'organization_id': connection.org_id,
        'default_organization_id': connection.default_organization_id,
        'name': connection.name,
        'display_name': connection.display_name,
        'role_default': connection.role_default,
        'role_map': [dict(item) for item in connection.role_map],
        'sub_prefix': f'{connection.idp}|{connection.conn_id}',
        'conn_id': connection.conn_id,
        'idp': connection.idp,
        'authorized_domains': list(connection.authorized_domains),
    }}


@route('GET', '/v1/enterprise_connections')
def list_connections(ctx) -> Reply:
    org_id = ctx.query['organization_id']
    ctx.access.require_read(org_id)
    chosen = sorted((c for c in ctx.state.enterprise_connections.values() if c.org_id == org_id), key=lambda c: c.id)
    return Reply(body={'data': [connection_item(c) for c in chosen]})


def _connection(ctx) -> EnterpriseConnection:
    return ctx.visible(ctx.state.enterprise_connections.get(ctx.path['id']), 'enterprise connection')


@route('GET', '/v1/enterprise_connections/{id}')
def show_connection(ctx) -> Reply:
    return Reply(body={'data': connection_item(_connection(ctx))})


@route('PATCH', '/v1/enterprise_connections/{id}')
def update_connection(ctx) -> Reply:
    connection = _connection(ctx)
    ctx.access.require_write(connection.org_id, 'sso')
    changes = ctx.body if isinstance(ctx.body, dict) else {}
    if len(changes.get('authorized_domains') or []) > MAX_AUTHORIZED_DOMAINS:
        raise ApiError(422, f'Unable to update connection: at most {MAX_AUTHORIZED_DOMAINS} authorized domains')
    for name in ('display_name', 'role_default', 'idp', 'authorized_domains', 'default_organization_id'):
        if name in changes:
            setattr(connection, name, changes[name])
    if 'role_map' in changes:
        connection.role_map = [dict(item) for item in changes['role_map'] or []]
    connection.options.update(changes.get('options') or {})
    return Reply(body={'data': connection_item(connection)})


@route('DELETE', '/v1/enterprise_connections/{id}')
def delete_connection(ctx) -> Reply:
    """Deleting SSO does not re-activate the password users it deactivated (KB); that is not modelled."""
    connection = _connection(ctx)
    ctx.access.require_write(connection.org_id, 'sso')
    del ctx.state.enterprise_connections[connection.id]
    org = ctx.state.orgs[connection.org_id]
    org.sso_enabled = any(c.org_id == org.id for c in ctx.state.enterprise_connections.values())
    return no_content()

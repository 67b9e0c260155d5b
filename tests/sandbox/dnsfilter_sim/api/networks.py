"""Networks (sites) and their secret keys, which Roaming Clients need to (re-)register."""
from __future__ import annotations

import secrets
import zlib

from ..clock import iso
from ..errors import ApiError
from ..state import Network
from .base import Reply, no_content, relation, relations, resource, route


def network_resource(ctx, network: Network) -> dict:
    """Attributes as in the ``networks/show`` sample (which has no organisation id or timestamps)."""
    state = ctx.state
    return resource('networks', network, {
        'name': network.name,
        'physical_address': network.physical_address,
        'latitude': None,
        'longitude': None,
        'is_legacy_vpn_active': False,
        'block_default_appearance': network.block_page_id is None,
        'block_org_name': None,
        'block_email_addr': None,
        'block_logo_uuid': None,
        'block_page_id': network.block_page_id,
        'allow_all_policies': False,
        'scheduled_policy_id': None,
        'policy_id': network.policy_id,
        'secret_key': network.secret_key,
        'deleted_at': iso(network.deleted_at),
        'billing_per_user': None,
        'billing_user_count': None,
        'network_type_units': None,
        'network_type': 'default',
        'pin': '%06d' % (zlib.crc32(network.uuid.encode()) % 1000000),
        'sitekey_auto_register_expires_at': None,
        'local_domains': list(network.local_domains),
        'local_resolvers': list(network.local_resolvers),
        'external_id': '',
        'description': None,
        'truncated_ip_count': 0,
        'ip_count': 0,
    }, {
        'organization': relation('organizations', state.orgs.get(network.org_id)),
        'policy': relation('policies', state.policies.get(network.policy_id)),
        'scheduled_policy': relation('scheduled_policies', None),
        'block_page': relation('block_pages', state.block_pages.get(network.block_page_id)),
        'ip_addresses': {'data': []},
        'policies': relations('policies', [p for p in [state.policies.get(network.policy_id)] if p is not None]),
    })


def matching_networks(ctx, org_ids) -> list[Network]:
    """The organisations' sites, filtered by the ``search``/``protected``/``unprotected`` query parameters."""
    org_ids = set(org_ids)
    networks = [n for n in ctx.state.networks.values() if n.org_id in org_ids and n.deleted_at is None]
    query = ctx.query
    if query.get('search'):
        networks = [n for n in networks if query['search'].lower() in n.name.lower()]
    if query.get('protected'):
        networks = [n for n in networks if n.policy_id is not None]
    if query.get('unprotected'):
        networks = [n for n in networks if n.policy_id is None]
    return sorted(networks, key=lambda n: n.id)


@route('GET', '/v1/networks')
def list_networks(ctx) -> Reply:
    return ctx.page(matching_networks(ctx, ctx.access.visible_org_ids()), lambda n: network_resource(ctx, n))


@route('GET', '/v1/networks/all')
def list_all_networks(ctx) -> Reply:
    return ctx.page(matching_networks(ctx, ctx.access.visible_org_ids()), lambda n: network_resource(ctx, n))


@route('GET', '/v1/networks/msp')
def list_msp_networks(ctx) -> Reply:
    """An MSP user's view of one customer's sites (``organization_id`` is required)."""
    org = ctx.visible(ctx.state.live_org(ctx.query['organization_id']), 'organization', org_attr='id')
    return ctx.page(matching_networks(ctx, [org.id]), lambda n: network_resource(ctx, n))


def _network(ctx) -> Network:
    return ctx.visible(ctx.state.networks.get(ctx.path['id']), 'network')


@route('GET', '/v1/networks/{id}')
def show_network(ctx) -> Reply:
    return Reply(body={'data': network_resource(ctx, _network(ctx))})


@route('DELETE', '/v1/networks/{id}')
def delete_network(ctx) -> Reply:
    network = _network(ctx)
    ctx.access.require_write(network.org_id, 'networks')
    if any(a.network_id == network.id and a.deleted_at is None for a in ctx.state.agents.values()):
        raise ApiError(409, 'Network has active user agents or LAN proxies associated and cannot be deleted')
    network.deleted_at = ctx.now
    return no_content()


def _key_change(ctx, change) -> Reply:
    network = _network(ctx)
    ctx.access.require_write(network.org_id, 'networks')
    change(network)
    network.updated_at = ctx.now
    return Reply(body={'data': network_resource(ctx, network)})


def _new_key() -> str:
    return secrets.token_hex(12)


@route('POST', '/v1/networks/{id}/secret_key')
def create_secret_key(ctx) -> Reply:
    def create(network: Network) -> None:
        if network.secret_key:
            raise ApiError(422, 'Can not create secret key: the network already has one (rotate it instead)')
        network.secret_key = _new_key()
    return _key_change(ctx, create)


@route('PATCH', '/v1/networks/{id}/secret_key')
def rotate_secret_key(ctx) -> Reply:
    def rotate(network: Network) -> None:
        if not network.secret_key:
            raise ApiError(422, 'Can not create secret key: the network has no key to rotate')
        network.secret_key = _new_key()
    return _key_change(ctx, rotate)


@route('DELETE', '/v1/networks/{id}/secret_key')
def revoke_secret_key(ctx) -> Reply:
    def revoke(network: Network) -> None:
        if not network.secret_key:
            raise ApiError(422, 'Can not revoke secret key: the network has none')
        network.secret_key = None
    return _key_change(ctx, revoke)

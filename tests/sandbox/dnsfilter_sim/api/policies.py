"""Policies with their allow (whitelist) and block (blacklist) domain lists, and block pages."""
from __future__ import annotations

import re

from ..clock import iso
from ..errors import ApiError
from ..state import BlockPage, Policy
from .base import Reply, relation, relations, resource, route

DOMAIN = re.compile(r'^(?=.{1,253}$)(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$')


def policy_resource(ctx, policy: Policy) -> dict:
    """Attributes as in the ``policies/show`` sample."""
    state = ctx.state
    networks = [n for n in state.networks.values() if n.policy_id == policy.id and n.deleted_at is None]
    return resource('policies', policy, {
        'name': policy.name,
        'organization_id': policy.org_id,
        'whitelist_domains': list(policy.whitelist_domains),
        'blacklist_domains': list(policy.blacklist_domains),
        'blacklist_categories': list(policy.blacklist_categories),
        'allow_unknown_domains': policy.allow_unknown_domains,
        'google_safesearch': policy.safe_search,
        'bing_safe_search': policy.safe_search,
        'duck_duck_go_safe_search': policy.safe_search,
        'ecosia_safesearch': policy.safe_search,
        'yandex_safe_search': policy.safe_search,
        'youtube_restricted': policy.youtube_restricted,
        'youtube_restricted_level': 'strict' if policy.youtube_restricted else 'none',
        'policy_ip_id': None,
        'interstitial': False,
        'disable_iwf_blocking': False,
        'friendly_wifi_certified': False,
        'friendly_wifi_certified_at': None,
        'deleted_at': None,
        'is_global_policy': policy.is_global_policy,
        'can_edit': ctx.access.can_write(policy.org_id, 'policies'),
        'lock_version': policy.lock_version,
        'allow_list_only': False,
        'allow_applications': None,
        'block_applications': None,
        'allow_notes': dict(policy.allow_notes),
        'block_notes': dict(policy.block_notes),
        'allowlist_updated_at': iso(policy.allowlist_updated_at),
        'blocklist_updated_at': iso(policy.blocklist_updated_at),
    }, {
        'organization': relation('organizations', state.orgs.get(policy.org_id)),
        'networks': relations('networks', networks),
        'network_policies': {'data': []},
        'mac_addresses': {'data': []},
        'network_subnets': {'data': []},
        'scheduled_policies': {'data': []},
    })


def _listed(ctx) -> list[Policy]:
    """The organisations' own policies, plus their MSP's global policies when asked for."""
    wanted = [ctx.query['organization_id']] if ctx.query.get('organization_id') else None
    org_ids = set(ctx.scope(wanted, default='visible'))
    policies = ctx.state.policies.values()
    chosen = [p for p in policies if p.org_id in org_ids]
    if ctx.query.get('include_global_policies'):
        msps = {ctx.state.orgs[org_id].managed_by_msp_id for org_id in org_ids} - {None}
        chosen += [p for p in policies if p.is_global_policy and p.org_id in msps and p.org_id not in org_ids]
    return sorted(chosen, key=lambda p: p.id)


@route('GET', '/v1/policies')
def list_policies(ctx) -> Reply:
    return ctx.page(_listed(ctx), lambda p: policy_resource(ctx, p))


@route('GET', '/v1/policies/all')
def list_all_policies(ctx) -> Reply:
    return ctx.page(_listed(ctx), lambda p: policy_resource(ctx, p))


def _policy(ctx) -> Policy:
    return ctx.visible(ctx.state.policies.get(ctx.path['id']), 'policy')


@route('GET', '/v1/policies/{id}')
def show_policy(ctx) -> Reply:
    return Reply(body={'data': policy_resource(ctx, _policy(ctx))})


def _change_list(ctx, list_name: str, adding: bool) -> Reply:
    """Adding a listed domain, or removing an unlisted one, changes nothing and still answers 200 (GAP)."""
    policy = _policy(ctx)
    ctx.access.require_write(policy.org_id, 'policies')
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if not isinstance(body.get('domain'), str) or not body['domain'].strip():
        raise ApiError(400, 'param is missing or the value is empty: domain')
    domain = body['domain'].strip().lower().rstrip('.')
    if not DOMAIN.match(domain):
        raise ApiError(422, f'Domain {body["domain"]!r} is not a valid domain')
    entries = policy.whitelist_domains if list_name == 'allow' else policy.blacklist_domains
    notes = policy.allow_notes if list_name == 'allow' else policy.block_notes
    if adding == (domain in entries):
        return Reply(body={'data': policy_resource(ctx, policy)})
    if adding:
        entries.append(domain)
        if body.get('note'):
            notes[domain] = body['note']
    else:
        entries.remove(domain)
        notes.pop(domain, None)
    policy.lock_version += 1
    policy.updated_at = ctx.now
    setattr(policy, 'allowlist_updated_at' if list_name == 'allow' else 'blocklist_updated_at', ctx.now)
    return Reply(body={'data': policy_resource(ctx, policy)})


@route('POST', '/v1/policies/{id}/add_whitelist_domain')
def add_allow_domain(ctx) -> Reply:
    return _change_list(ctx, 'allow', adding=True)


@route('POST', '/v1/policies/{id}/remove_whitelist_domain')
def remove_allow_domain(ctx) -> Reply:
    return _change_list(ctx, 'allow', adding=False)


@route('POST', '/v1/policies/{id}/add_blacklist_domain')
def add_block_domain(ctx) -> Reply:
    return _change_list(ctx, 'block', adding=True)


@route('POST', '/v1/policies/{id}/remove_blacklist_domain')
def remove_block_domain(ctx) -> Reply:
    return _change_list(ctx, 'block', adding=False)


def block_page_resource(ctx, page: BlockPage) -> dict:
    """As in the ``block-pages/show`` sample (a JSON:API resource; a departure from the bare schema)."""
    state = ctx.state
    networks = [n for n in state.networks.values() if n.block_page_id == page.id and n.deleted_at is None]
    return resource('block_pages', page, {
        'name': page.name,
        'organization_id': page.org_id,
        'block_org_name': page.block_org_name,
        'block_email_addr': page.block_email_addr,
        'block_logo_uuid': page.block_logo_uuid,
        'block_redirect_url': page.block_redirect_url,
        'created_at': iso(page.created_at),
        'updated_at': iso(page.updated_at or page.created_at),
        'is_global': False,
        'can_edit': ctx.access.can_write(page.org_id, 'policies'),
    }, {
        'organization': relation('organizations', state.orgs.get(page.org_id)),
        'networks': relations('networks', networks),
        'mac_addresses': {'data': []},
        'network_subnets': {'data': []},
        'user_agents': relations('user_agents', [a for a in state.agents.values() if a.block_page_id == page.id]),
        'collections': {'data': []},
        'agent_local_users': relations('agent_local_users', [u for u in state.alus.values() if u.block_page_id == page.id]),
    })


def _block_pages(ctx) -> list[BlockPage]:
    org_ids = set(ctx.scope([ctx.query['organization_id']] if ctx.query.get('organization_id') else None, default='visible'))
    return sorted((p for p in ctx.state.block_pages.values() if p.org_id in org_ids), key=lambda p: p.id)


@route('GET', '/v1/block_pages')
def list_block_pages(ctx) -> Reply:
    return ctx.page(_block_pages(ctx), lambda p: block_page_resource(ctx, p))


@route('GET', '/v1/block_pages/all')
def list_all_block_pages(ctx) -> Reply:
    return ctx.page(_block_pages(ctx), lambda p: block_page_resource(ctx, p))


@route('GET', '/v1/block_pages/{id}')
def show_block_page(ctx) -> Reply:
    page = ctx.visible(ctx.state.block_pages.get(ctx.path['id']), 'block page')
    return Reply(body={'data': block_page_resource(ctx, page)})

"""Users under Deployments (agent-local users): the OS accounts Roaming Clients report.

A deleted User comes back (as a new record) when an agent next reports that login, as the KB describes
Users appearing: after a device with a Roaming Client communicates once the user has logged in.
"""
from __future__ import annotations

from ..clock import iso
from ..errors import ApiError
from ..state import AgentLocalUser
from .base import Reply, no_content, relation, resource, route

SORTS = ('name', 'first_seen', 'last_seen')


def alu_resource(ctx, alu: AgentLocalUser) -> dict:
    """Attributes as in the ``agent-local-users/show`` sample."""
    state = ctx.state
    return resource('agent_local_users', alu, {
        'friendly_name': alu.friendly_name,
        'user_login': alu.user_login,
        'user_name': alu.user_name,
        'user_remote_id': alu.user_remote_id,
        'first_seen': iso(alu.first_seen),
        'last_seen': iso(alu.last_seen),
        'in_a_collection': False,
        'collections': [],
    }, {
        'organization': relation('organizations', state.orgs.get(alu.org_id)),
        'policy': relation('policies', state.policies.get(alu.policy_id)),
        'scheduled_policy': relation('scheduled_policies', None),
        'block_page': relation('block_pages', state.block_pages.get(alu.block_page_id)),
    })


def _display_name(alu: AgentLocalUser) -> str:
    return alu.friendly_name or alu.user_name or ''


def _text_filter(value, name: str):
    """``StringContainsOp`` filters: ``user_login[operator]=contains&user_login[value]=jdoe``."""
    if not isinstance(value, dict) or not value.get('value'):
        return None
    operator = value.get('operator') or 'contains'
    if operator not in ('contains', 'doesnotcontain'):
        raise ApiError(400, f'{name}[operator] must be contains or doesnotcontain')
    wanted = str(value['value']).lower()
    return lambda text: (wanted in (text or '').lower()) == (operator == 'contains')


def matching_users(ctx, params: dict) -> list[AgentLocalUser]:
    org_ids = set(ctx.scope(params.get('organization_ids'), params.get('msp_id')))
    chosen = [alu for alu in ctx.state.alus.values() if alu.org_id in org_ids]
    if params.get('ids'):
        ids = set(params['ids'])
        chosen = [alu for alu in chosen if alu.id in ids]
    if params.get('search'):
        term = params['search'].lower()
        chosen = [alu for alu in chosen if term in _display_name(alu).lower() or term in alu.user_login.lower()]
    if params.get('name'):
        chosen = [alu for alu in chosen if params['name'].lower() in _display_name(alu).lower()]
    for name, attribute in (('user_login', 'user_login'), ('user_name', 'user_name'), ('friendly_name', 'friendly_name')):
        matches = _text_filter(params.get(name), name)
        if matches:
            chosen = [alu for alu in chosen if matches(getattr(alu, attribute))]
    if params.get('user_agent_uuids'):
        wanted = set(params['user_agent_uuids'])
        chosen = [alu for alu in chosen if alu.agent_ids & wanted]
    if params.get('in_a_collection'):
        chosen = []  # collections are not simulated
    if params.get('user_policy_override') is not None:
        chosen = [alu for alu in chosen if (alu.policy_id or alu.scheduled_policy_id) is not None] if params['user_policy_override'] \
            else [alu for alu in chosen if alu.policy_id is None and alu.scheduled_policy_id is None]
    return _sorted(chosen, params.get('sort'))


def _sorted(chosen: list[AgentLocalUser], sort: str | None) -> list[AgentLocalUser]:
    chosen.sort(key=lambda alu: alu.id)
    if not sort:
        return chosen
    key = sort.lstrip('-')
    if key not in SORTS:
        raise ApiError(400, f'sort must be one of {", ".join(SORTS)} (prefix - for descending), not {sort!r}')
    value = (lambda alu: _display_name(alu).lower()) if key == 'name' else (lambda alu: getattr(alu, key))
    return sorted(chosen, key=value, reverse=sort.startswith('-'))


@route('GET', '/v1/agent_local_users')
def list_users(ctx) -> Reply:
    return ctx.page(matching_users(ctx, ctx.query), lambda alu: alu_resource(ctx, alu))


@route('GET', '/v1/agent_local_users/all')
def list_all_users(ctx) -> Reply:
    return ctx.page(matching_users(ctx, ctx.query), lambda alu: alu_resource(ctx, alu))


@route('GET', '/v2/agent_local_users/counts')
def count_users(ctx) -> Reply:
    chosen = matching_users(ctx, ctx.query)
    overridden = sum(1 for alu in chosen if (alu.policy_id or alu.scheduled_policy_id) is not None)
    return Reply(body={'all': len(chosen), 'user_policy_override': overridden, 'inherited_policy': len(chosen) - overridden})


def _user(ctx) -> AgentLocalUser:
    return ctx.visible(ctx.state.alus.get(ctx.path['id']), 'agent local user')


@route('GET', '/v1/agent_local_users/{id}')
def show_user(ctx) -> Reply:
    return Reply(body={'data': alu_resource(ctx, _user(ctx))})


@route('PATCH', '/v1/agent_local_users/{id}')
def update_user(ctx) -> Reply:
    alu = _user(ctx)
    ctx.access.require_write(alu.org_id, 'policies')
    changes = ctx.body_part('agent_local_user')
    for name in ('friendly_name', 'policy_id', 'scheduled_policy_id', 'block_page_id'):
        if name in changes:
            setattr(alu, name, changes[name])
    if changes.get('scheduled_policy_id') is not None:
        alu.policy_id = None  # SPEC: policy_id "will be ignored and unset if scheduled_policy_id is set"
    return Reply(body={'data': alu_resource(ctx, alu)})


@route('DELETE', '/v1/agent_local_users/{id}')
def delete_user(ctx) -> Reply:
    alu = _user(ctx)
    ctx.access.require_write(alu.org_id)
    del ctx.state.alus[alu.id]
    return no_content()

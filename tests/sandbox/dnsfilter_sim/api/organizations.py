"""Organisations: the MSP, its customer sub-organisations, cancel and delete.

MSP ids are the MSP organisation's own id (``managed_by_msp_id`` of a customer is its MSP's
organisation id); the real API has separate MSP records we do not model.
"""
from __future__ import annotations

from ..clock import iso
from ..errors import ApiError
from ..state import Organization
from .base import Reply, created, no_content, relations, resource, route


def org_resource(ctx, org: Organization) -> dict:
    """Attributes as in the ``organizations/list`` sample (and in its order), ``role`` the caller's role there.

    The organisation's kind (MSP, customer, standalone) and creation time are not attributes the API sends: they
    are in the control port's state dump.
    """
    state = ctx.state
    networks = [n for n in state.networks.values() if n.org_id == org.id and n.deleted_at is None]
    policies = [p for p in state.policies.values() if p.org_id == org.id]
    allowlisted = [p.allowlist_updated_at for p in policies if p.allowlist_updated_at]
    blocklisted = [p.blocklist_updated_at for p in policies if p.blocklist_updated_at]
    msp = org.type == 'msp'
    return resource('organizations', org, {
        'id': org.id,
        'name': org.name,
        'stripe_customer_id': None if org.managed_by_msp_id else 'cus_sim%08d' % org.id,
        'feature_flags': ['user_pricing'] if msp else [],
        'msp_feature_flags': ['msp_portal'] if msp else [],
        'managed_by_msp_id': org.managed_by_msp_id,
        'owned_msp_id': org.id if msp else None,
        'canceled': org.canceled,
        'canceled_at': iso(org.canceled_at),
        'will_cancel_at': iso(org.will_cancel_at),
        'address': '',
        'trial_days': None,
        'billing_address': None,
        'billing_manual': False,
        'billing_contact_name': '',
        'billing_contact_phone': '',
        'billing_contact_email': '',
        'first_traffic_sent': iso(org.created_at),
        'gdpr': False,
        'summary_email_enabled': False,
        'summary_email_address': None,
        'release_channel': 'stable',
        'sync_tools_auto_update': True,
        'user_agents_auto_update': True,
        'usage_alert_cents': None,
        'unbounce_data': None,
        'plan_details': None,
        'update_payment': bool(org.payment_method),
        'industry': '5',
        'external_id': None,
        'metadata': None,
        'unique_id': org.unique_id,
        'sso_enabled': org.sso_enabled,
        'allowlist_updated_at': iso(max(allowlisted)) if allowlisted else None,
        'blocklist_updated_at': iso(max(blocklisted)) if blocklisted else None,
        'send_uninstall_notifications_to_admin_users': False,
        'user_agent_uninstall_notification': True,
        'user_agent_uninstall_notification_recipient_emails': [],
        'pin_protected_uninstall': True,
        'fetched_onboard_details': True,
        'active_psa_integration': False,
        'show_pii_rc_hostnames': False,
        'segment': 'msp' if msp or org.managed_by_msp_id else 'regular',
        'privacy_mode': 'standard',
        'vpn_settings_organization': None,
        'entitlements_enabled': True,
        'role': ctx.access.role_in(org.id),
        'current_mrr': 0,
        'current_license': org.sku or '',
        'show_billing': not org.managed_by_msp_id,
    }, {'networks': relations('networks', networks)})


def _listed(ctx) -> list[Organization]:
    query = ctx.query
    orgs = [ctx.state.orgs[org_id] for org_id in ctx.access.visible_org_ids()]
    if query.get('type'):
        orgs = [o for o in orgs if o.type == query['type']]
    if query.get('managed_by_msp_id') is not None:
        orgs = [o for o in orgs if o.managed_by_msp_id == query['managed_by_msp_id']]
    if query.get('owned_msp_id') is not None:
        orgs = [o for o in orgs if o.type == 'msp' and o.id == query['owned_msp_id']]
    if query.get('name'):
        orgs = [o for o in orgs if query['name'].lower() in o.name.lower()]
    return sorted(orgs, key=lambda o: o.id)


@route('GET', '/v1/organizations')
def list_organizations(ctx) -> Reply:
    return ctx.page(_listed(ctx), lambda org: org_resource(ctx, org))


@route('GET', '/v1/organizations/all')
def list_all_organizations(ctx) -> Reply:
    return ctx.page(_listed(ctx), lambda org: org_resource(ctx, org))


@route('GET', '/v1/organizations/{id}')
def show_organization(ctx) -> Reply:
    org = ctx.visible(ctx.state.live_org(ctx.path['id']), 'organization', org_attr='id')
    return Reply(body={'data': org_resource(ctx, org)})


@route('POST', '/v1/organizations')
def create_organization(ctx) -> Reply:
    """A new customer of an MSP; needs an owner or super administrator of that MSP (KB roles)."""
    wanted = ctx.body_part('organization')
    msp = ctx.state.live_org(wanted.get('managed_by_msp_id'))
    if msp is None or msp.type != 'msp':
        raise ApiError(422, 'Managed by msp is invalid')
    ctx.access.require_msp_admin(msp.id)
    if not (wanted.get('name') or '').strip():
        raise ApiError(422, "Name can't be blank")
    org = Organization(
        id=ctx.state.next_id('organization'), uuid=ctx.state.new_uuid7(ctx.now), name=wanted['name'].strip(),
        type='sub_organization', created_at=ctx.now, managed_by_msp_id=msp.id, unique_id=wanted.get('unique_id') or ctx.state.new_uuid(),
        sku=wanted.get('sku'), quantity=wanted.get('quantity'), uninstall_pin='%06d' % ctx.state.rng.randrange(1000000))
    ctx.state.orgs[org.id] = org
    return created({'data': org_resource(ctx, org)})


@route('DELETE', '/v1/organizations/{id}')
def delete_organization(ctx) -> Reply:
    """"Deletes an MSP customer": 422 for an unknown id or an organisation that is not an MSP customer."""
    org = ctx.state.live_org(ctx.path['id'])
    if org is None or org.type != 'sub_organization':
        raise ApiError(422, 'Can not delete the MSP customer or invalid customer ID')
    ctx.access.require_msp_admin(org.managed_by_msp_id)
    org.deleted_at = ctx.now
    if ctx.query.get('clear_subscription_info'):
        org.sku, org.quantity, org.payment_method = None, None, {}
    return no_content()


@route('POST', '/v1/organizations/{id}/cancel')
def cancel_organization(ctx) -> Reply:
    org = ctx.visible(ctx.state.live_org(ctx.path['id']), 'organization', org_attr='id')
    if org.managed_by_msp_id:
        ctx.access.require_msp_admin(org.managed_by_msp_id)
    elif ctx.access.role_in(org.id) != 'owner':
        raise ApiError(403, 'Only the owner can cancel the account')
    if org.canceled:
        raise ApiError(422, 'Can not cancel the organization: it is already canceled')
    org.canceled_at = ctx.now
    return no_content()

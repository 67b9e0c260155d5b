"""Invoices and billing, read-only: what a customer exit records for the billing handoff."""
from __future__ import annotations

from datetime import timedelta

from ..clock import iso
from ..errors import ApiError, NOT_FOUND
from ..state import Invoice
from .base import Reply, route


# The ``invoices/current`` sample's fields beyond the basic ones, with the values an ordinary paid invoice has.
EXTRA_FIELDS = {
    'chargebee_draft_id': None, 'chargebee_invoice_id': None, 'price_above_base_plan_cents': None,
    'base_plan_price_cents': None, 'chargebee_plan_id': None, 'has_usage': None, 'write_off': False,
    'write_off_amount_cents': None, 'write_off_at': None, 'write_off_adjustment_credit_notes': None,
    'write_off_paid_by_invoice_id': None, 'write_off_paid_amount_cents': None, 'is_reactivation': False,
    'reactivation_pending_invoices': None, 'paid_by_invoice_id': None, 'payment_first_attempt': None,
    'payment_last_attempt': None, 'payment_date': None, 'payment_receipt_number': None, 'uuid': None,
}


def invoice_body(ctx, invoice: Invoice) -> dict:
    org = ctx.state.orgs[invoice.org_id]
    return {
        'id': invoice.id,
        'start_date': invoice.start_date,
        'end_date': invoice.end_date,
        'organization_id': invoice.org_id,
        'organization_name': org.name,
        'created_at': iso(invoice.created_at),
        'updated_at': iso(invoice.created_at),
        'total_cents': invoice.total_cents,
        'stripe_id': f'in_sim{invoice.id:010d}',
        'requests': invoice.requests,
        'paid': invoice.paid,
        'closed': invoice.paid,
        'forgiven': False,
        'payment_attempts': 1 if invoice.paid else 0,
        **EXTRA_FIELDS,
        'payment_first_attempt': iso(invoice.created_at),
        'payment_last_attempt': iso(invoice.created_at),
        'payment_date': iso(invoice.created_at) if invoice.paid else None,
        'status': 'paid' if invoice.paid else 'payment_due',
        'invoice_item_groups': [],
        'invoice_items': [],
    }


def _estimate(ctx, org_id: int, start, end) -> dict:
    """An estimate the way ``invoices/current`` shows one: no id, no amounts, only the period and usage."""
    org = ctx.state.orgs[org_id]
    return {
        'id': None, 'start_date': start.isoformat(), 'end_date': end.isoformat(), 'organization_id': org_id,
        'organization_name': org.name, 'created_at': None, 'updated_at': None, 'total_cents': None, 'stripe_id': None,
        'requests': 0, 'paid': None, 'closed': None, 'forgiven': None, 'payment_attempts': None, **EXTRA_FIELDS,
        'status': 'unknown', 'invoice_item_groups': [], 'invoice_items': [],
    }


@route('GET', '/v1/invoices')
def list_invoices(ctx) -> Reply:
    """Most recent first, in a ``data`` envelope (the ``invoices/list`` sample; the description has a bare array)."""
    org_id = ctx.query['organization_id']
    ctx.access.require_read(org_id)
    invoices = sorted((i for i in ctx.state.invoices.values() if i.org_id == org_id), key=lambda i: i.start_date, reverse=True)
    return Reply(body={'data': [invoice_body(ctx, i) for i in invoices]})


@route('GET', '/v1/invoices/current')
def current_invoice(ctx) -> Reply:
    org_id = ctx.user.home_org
    if org_id is None:
        raise ApiError(404, NOT_FOUND)
    today = ctx.now.date()
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    following = end + timedelta(days=1)
    following_end = (following + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Reply(body={'month_to_date': _estimate(ctx, org_id, start, end),
                       'estimated': _estimate(ctx, org_id, following, following_end)})


@route('GET', '/v1/invoices/{id}')
def show_invoice(ctx) -> Reply:
    org_id = ctx.query['organization_id']
    ctx.access.require_read(org_id)
    invoice = ctx.state.invoices.get(ctx.path['id'])
    if invoice is None or invoice.org_id != org_id:
        raise ApiError(404, NOT_FOUND)
    return Reply(body=invoice_body(ctx, invoice))


@route('GET', '/v1/billing')
def show_billing(ctx) -> Reply:
    """The payment method on file; ``{}`` when there is none (the ``billing/show`` sample)."""
    org_id = ctx.query['organization_id']
    ctx.access.require_read(org_id)
    return Reply(body=dict(ctx.state.orgs[org_id].payment_method))

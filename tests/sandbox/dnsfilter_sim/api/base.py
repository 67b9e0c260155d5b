"""What every handler shares: the request context, the route table, JSON:API envelopes and pagination."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from multidict import MultiDict

from ..auth import Access, Caller
from ..errors import ApiError, not_found
from ..spec import Operation
from ..state import State

# Every JSON:API list the samples show reports ``page[size]=1500`` in ``links.self`` when the client sent
# no page size: that is the default. No maximum is documented; we judge the API clamps to the same 1500
# (a client that asks for more still has to follow ``links.next``).
DEFAULT_PAGE_SIZE = 1500
MAX_PAGE_SIZE = 1500

ROUTES: dict[tuple[str, str], object] = {}


def route(method: str, template: str):
    """Register a handler for one operation of the description."""
    def register(handler):
        ROUTES[(method, template)] = handler
        return handler
    return register


@dataclass
class Reply:
    status: int = 200
    body: object = None
    content_type: str = 'application/json'
    headers: dict = field(default_factory=dict)


@dataclass
class Context:
    state: State
    operation: Operation
    caller: Caller
    access: Access
    query: dict
    path: dict
    body: object
    raw_query: MultiDict
    request_path: str

    @property
    def user(self):
        return self.caller.user

    @property
    def now(self) -> datetime:
        return self.state.now()

    def body_part(self, key: str) -> dict:
        """The wrapped part of a Rails-style body (``{"user_agent": {...}}``), or {}."""
        if not isinstance(self.body, dict):
            return {}
        return self.body.get(key) or {}

    # --- organisation scope -------------------------------------------------------------------

    def scope(self, org_ids=None, msp_id=None, default: str = 'home') -> list[int]:
        """The organisations a list call covers.

        Explicit ``organization_ids`` / ``organization_id`` must all be visible to the caller (403
        otherwise); ``msp_id`` covers the MSP and the sub-organisations the caller can see. With
        neither, ``default='home'`` follows the description's "defaults to user organization ID" and
        ``default='visible'`` its "user's associated ..." (everything the caller can see).
        """
        if org_ids:
            for org_id in org_ids:
                self.access.require_read(org_id)
            return list(dict.fromkeys(org_ids))
        if msp_id is not None:
            self.access.require_read(msp_id)
            members = [msp_id] + [org.id for org in self.state.sub_orgs(msp_id)]
            return [org_id for org_id in members if self.access.can_see(org_id)]
        if default == 'visible':
            return self.access.visible_org_ids()
        home = self.user.home_org
        return [home] if home is not None and self.access.can_see(home) else []

    def query_scope(self, default: str = 'home') -> list[int]:
        ids = self.query.get('organization_ids') or []
        if self.query.get('organization_id') is not None:
            ids = [self.query['organization_id']] + list(ids)
        return self.scope(ids, self.query.get('msp_id'), default)

    def visible(self, obj, what: str, org_attr: str = 'org_id'):
        """``obj`` if it exists and the caller may see it; otherwise the response the operation documents.

        The API does not reveal objects in organisations you cannot see: 404 where the operation
        documents one, else 403.
        """
        org_id = getattr(obj, org_attr, None) if obj is not None else None
        if obj is None or getattr(obj, 'deleted_at', None) is not None or self.state.live_org(org_id) is None:
            raise not_found(what)
        if not self.access.can_see(org_id):
            if self.operation.documents(404):
                raise not_found(what)
            raise ApiError(403, f'You do not have access to this {what}')
        return obj

    # --- envelopes ------------------------------------------------------------------------------

    def page(self, items: list, serialize, meta: dict | None = None, default_size: int = DEFAULT_PAGE_SIZE,
             max_size: int = MAX_PAGE_SIZE) -> Reply:
        """A JSON:API page with ``links`` self/first/prev/next/last carrying the caller's other parameters."""
        number, size = page_params(self.query, default_size, max_size)
        last = max(1, math.ceil(len(items) / size))
        chunk = items[(number - 1) * size:number * size]
        links = {
            'self': self.page_url(number, size),
            'first': self.page_url(1, size),
            'prev': self.page_url(number - 1, size) if number > 1 else None,
            'next': self.page_url(number + 1, size) if number < last else None,
            'last': self.page_url(last, size),
        }
        body = {'data': [serialize(item) for item in chunk], 'links': links}
        if meta is not None:
            body['meta'] = meta
        return Reply(body=body)

    def page_url(self, number: int, size: int) -> str:
        """Like the samples: page parameters escaped, keys sorted (Rails ``to_query``), other keys kept."""
        pairs = [(k, v) for k, v in self.raw_query.items() if not k.startswith('page[')]
        pairs += [('page[number]', str(number)), ('page[size]', str(size))]
        pairs.sort(key=lambda pair: pair[0])
        return f'{self.state.api_url}{self.request_path}?{urlencode(pairs)}'


def page_params(query: dict, default_size: int, max_size: int) -> tuple[int, int]:
    page = query.get('page') or {}
    size = page.get('size') or default_size
    if size < 1:
        size = default_size
    return max(page.get('number') or 1, 1), min(size, max_size)


def resource(kind: str, obj, attributes: dict, relationships: dict | None = None) -> dict:
    """A JSON:API resource object: string ``id``, ``type``, ``uuid`` (as the real API adds)."""
    item = {'id': str(obj.id), 'type': kind}
    if getattr(obj, 'uuid', None):
        item['uuid'] = obj.uuid
    item['attributes'] = attributes
    if relationships is not None:
        item['relationships'] = relationships
    return item


def relation(kind: str, obj) -> dict:
    if obj is None:
        return {'data': None}
    return {'data': {'id': str(obj.id), 'type': kind, 'uuid': obj.uuid}}


def relations(kind: str, objects) -> dict:
    return {'data': [relation(kind, obj)['data'] for obj in objects]}


def created(body) -> Reply:
    return Reply(status=201, body=body)


def no_content() -> Reply:
    return Reply(status=204, body=None)

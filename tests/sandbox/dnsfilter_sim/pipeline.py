"""The API port: every request goes route -> faults -> auth -> rate limit -> validation -> handler.

In ``--strict`` mode each response of a known operation is then checked against the (patched)
description and any mismatch recorded as a violation.
"""
from __future__ import annotations

import asyncio
import json
import logging
import traceback
import uuid
from http import HTTPStatus

from aiohttp import web
from multidict import MultiDict

from .api.base import ROUTES, Context, Reply  # importing the api package registers every handler
from .auth import Access, authenticate
from .errors import ApiError, error_body, not_found
from .jobs import EXPORT_PATH
from .ratelimit import Decision
from .spec import OpenAPIRequest, OpenAPIResponse

LOG = logging.getLogger('dnsfilter_sim.api')

# Where an object's organisation is found, for rate limiting requests that name an object by id.
OBJECT_TEMPLATES = {
    '/v1/user_agents/{id}': 'agents',
    '/v1/agent_local_users/{id}': 'alus',
    '/v1/networks/{id}': 'networks',
    '/v1/policies/{id}': 'policies',
    '/v1/block_pages/{id}': 'block_pages',
    '/v1/scheduled_reports/{id}': 'scheduled_reports',
    '/v1/enterprise_connections/{id}': 'enterprise_connections',
}


class ApiPort:
    def __init__(self, sim):
        self.sim = sim

    async def handle(self, request: web.Request) -> web.StreamResponse:
        sim = self.sim
        if request.path.startswith(EXPORT_PATH):
            return self._export(request)
        body = await request.read()
        operation, raw_path = sim.spec.match(request.method, request.path)
        template = operation.template if operation else None
        fault = sim.faults.choose(request.method, template, request.path)
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        entry = {'method': request.method, 'path': request.path, 'template': template, 'query': request.query_string,
                 'status': None, 'org': None, 'at': sim.state.now().isoformat()}
        if fault.kind == 'drop':
            return self._drop(request, entry)
        if fault.kind in ('error', 'storm'):
            reply = self._fault_reply(operation, fault.rule)
        else:
            reply = self._process(request, operation, raw_path, body, entry)
        if fault.kind == 'drop_after':
            return self._drop(request, entry)
        payload, content_type = _encode(reply)
        if sim.strict and operation is not None:
            self._check(request, operation, body, reply.status, payload, content_type, reply.headers)
        entry['status'] = reply.status
        sim.recorder.request(entry)
        LOG.info('%s %s -> %s', request.method, request.path_qs, reply.status)
        if fault.kind == 'slow_body':
            return await _slow(request, reply, payload, content_type, fault.rule)
        return web.Response(status=reply.status, body=payload, content_type=content_type, headers=reply.headers)

    def _process(self, request: web.Request, operation, raw_path: dict, body: bytes, entry: dict) -> Reply:
        sim = self.sim
        state = sim.state
        decision = None
        try:
            if operation is None:
                raise ApiError(404, f'No route matches [{request.method}] "{request.path}"')
            caller, auth_error = None, None
            if operation.secured:
                try:
                    caller = authenticate(state, request.headers.get('Authorization'))
                except ApiError as error:
                    auth_error = error
            org = target_org(state, operation.template, raw_path, request.query, caller)
            entry['org'] = org
            partition = f'organization:{org}' if org is not None else 'unauthenticated' if auth_error else 'anonymous'
            decision = sim.limiter.hit(partition, state.now())
            if auth_error:
                raise auth_error
            if not decision.allowed:
                raise ApiError(429, f'Rate limit exceeded: {decision.limit} requests per {decision.window} seconds')
            for key in sim.spec.unknown_query_parameters(operation, request.query.keys()):
                sim.recorder.warning({'kind': 'unknown_parameter', 'method': request.method, 'template': operation.template,
                                      'parameter': key})
            body_problem = malformed_body(body, request.content_type)
            if body_problem:
                raise ApiError(400, body_problem)
            query = given_query(request.query)
            check = sim.spec.check_request(_openapi_request(sim, request, body, query))
            if check.path_problems:
                # A Rails find of an id that is no id of the type is a miss like any other (malformed_path_ids_are_not_found).
                raise not_found('; '.join(check.path_problems))
            if check.problems:
                raise ApiError(400, 'Invalid request: ' + '; '.join(check.problems))
            handler = ROUTES.get((operation.method, operation.template))
            if handler is None:
                raise ApiError(501, f'{operation.key} is in the description but not simulated')
            sim.recorder.handler_reached(request.method)
            ctx = Context(state, operation, caller, Access(state, caller.user), _plain(check.query), _plain(check.path),
                          check.body, query, request.path)
            reply = handler(ctx)
        except ApiError as error:
            version = 'v2' if request.path.startswith('/v2/') else 'v1'
            reply = Reply(status=error.status, body=error_body(operation, error.status, error.message, error.error_type, version),
                          headers=dict(error.headers))
        except Exception:  # a simulator bug: answer 500 and make the run fail in strict mode
            LOG.error('handler failed:\n%s', traceback.format_exc())
            sim.recorder.violation({'kind': 'simulator_error', 'method': request.method, 'path': request.path,
                                    'error': traceback.format_exc(limit=3)})
            reply = Reply(status=500, body=error_body(operation, 500, 'Internal Server Error', 'internal'))
        if decision is not None:
            reply.headers.update(decision.headers())
        return reply

    def _fault_reply(self, operation, rule) -> Reply:
        if rule.kind == 'storm':
            limiter = self.sim.limiter
            decision = Decision(False, limiter.limit, 0, limiter.window, limiter.window)
            body = error_body(operation, 429, 'Rate limit exceeded (injected storm)', 'rate_limited')
            return Reply(status=429, body=body, headers=decision.headers())
        message = f'{HTTPStatus(rule.status).phrase} (injected fault)'
        return Reply(status=rule.status, body=error_body(operation, rule.status, message, 'server_error'))

    def _drop(self, request: web.Request, entry: dict) -> web.Response:
        """Close the connection without an answer (the client sees a disconnect)."""
        entry['status'] = 'dropped'
        self.sim.recorder.request(entry)
        LOG.info('%s %s -> connection dropped', request.method, request.path_qs)
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)

    def _export(self, request: web.Request) -> web.Response:
        """An export's CSV, without auth, as a pre-signed storage URL would serve it."""
        token = request.path[len(EXPORT_PATH):].removesuffix('.csv')
        content = self.sim.state.export_files.get(token)
        self.sim.recorder.request({'method': request.method, 'path': request.path, 'template': EXPORT_PATH + '{file}',
                                   'query': '', 'status': 200 if content is not None else 404, 'org': None,
                                   'at': self.sim.state.now().isoformat()})
        if content is None:
            return web.Response(status=404, text='NoSuchKey')
        return web.Response(text=content, content_type='text/csv')

    def _check(self, request, operation, body: bytes, status: int, payload: bytes, content_type: str, headers) -> None:
        problems = self.sim.spec.check_response(_openapi_request(self.sim, request, body),
                                                OpenAPIResponse(status, payload, content_type, headers))
        for problem in problems:
            # A problem can quote the body, and the body of a key's creation holds its token.
            for key in self.sim.state.api_keys.values():
                problem = problem.replace(key.token, '[REDACTED]')
            self.sim.recorder.violation({'kind': 'response', 'operation': operation.key, 'path': request.path_qs,
                                         'status': status, 'problem': problem[:2000]})


def target_org(state, template: str, raw_path: dict, query, caller) -> int | None:
    """The organisation a request is about (for its rate limit), else the caller's own."""
    for name in ('organization_id', 'organization_ids', 'msp_id'):
        value = query.get(name)
        if value is not None and value.isdigit():
            return int(value)
    if 'organization_id' in raw_path and raw_path['organization_id'].isdigit():
        return int(raw_path['organization_id'])
    if template.startswith(('/v1/organizations/{id}', '/v1/metrics/organization_usage/{id}')) and raw_path['id'].isdigit():
        return int(raw_path['id'])
    for prefix, table in OBJECT_TEMPLATES.items():
        if template.startswith(prefix):
            key = raw_path['id']
            obj = getattr(state, table).get(int(key) if key.isdigit() else key)
            if obj is not None:
                return obj.org_id
    return caller.user.home_org if caller else None


def _openapi_request(sim, request: web.Request, body: bytes, query: MultiDict | None = None) -> OpenAPIRequest:
    return OpenAPIRequest(sim.spec.host_url, request.method, request.path, request.query if query is None else query,
                          request.headers, body or None, request.content_type)


def given_query(query) -> MultiDict:
    """The query without empty values: Rails' params see ``search=`` as blank and the filters skip it
    (departure empty_query_values_are_absent)."""
    return MultiDict((key, value) for key, value in query.items() if value != '')


def malformed_body(body: bytes, content_type: str) -> str | None:
    """Why a JSON body cannot be parsed (Rails answers 400 to a ParseError), or None.

    A missing body is no problem here: it is an empty one, and an operation that needs fields answers 400 for them.
    """
    if not body or 'json' not in (content_type or 'application/json'):
        return None
    try:
        text = body.decode('utf-8')
    except UnicodeDecodeError as error:
        return f'The request body is not valid UTF-8 (byte {error.start})'
    try:
        json.loads(text)
    except ValueError as error:
        return f'The request body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}'
    return None


def _plain(values: dict) -> dict:
    """Typed parameters, with UUIDs as the strings the state is keyed by."""
    return {name: str(value) if isinstance(value, uuid.UUID) else value for name, value in values.items()}


def _encode(reply: Reply) -> tuple[bytes, str]:
    if reply.body is None:
        return b'', 'application/json'
    if isinstance(reply.body, str):
        return reply.body.encode(), reply.content_type
    return json.dumps(reply.body).encode(), reply.content_type


async def _slow(request: web.Request, reply: Reply, payload: bytes, content_type: str, rule) -> web.StreamResponse:
    response = web.StreamResponse(status=reply.status, headers=reply.headers)
    response.content_type = content_type
    response.content_length = len(payload)
    await response.prepare(request)
    for offset in range(0, len(payload), rule.chunk_size):
        await response.write(payload[offset:offset + rule.chunk_size])
        await asyncio.sleep(rule.chunk_delay_ms / 1000)
    await response.write_eof()
    return response

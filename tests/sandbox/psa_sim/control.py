"""The control interface (``/control``): what was posted, every request, and faults for the next write.

- ``GET /control/state``: per provider, every note in full and every file's metadata with size and SHA-256;
- ``GET /control/files/{provider}/{id}``: a stored file's bytes, exactly as uploaded;
- ``GET /control/requests``: every request to the PSA endpoints (provider, method, path, status);
- ``POST /control/faults``: ``{"drop_after": {"provider": "halopsa", "method": "POST", "path": "*/api/Actions", "count": 1}}``
  applies the next matching request(s) and then closes the connection without an answer (every key optional;
  a string is taken as the path glob);
- ``DELETE /control/faults``: clear faults; ``POST /control/reset``: forget notes, files, requests and faults.
"""
from __future__ import annotations

import json

from aiohttp import web

from .state import PROVIDERS, Fault, Store


def build(store: Store, app: web.Application) -> None:
    async def state(request: web.Request) -> web.Response:
        return web.json_response(store.report())

    async def file(request: web.Request) -> web.Response:
        provider = request.match_info['provider']
        item = store.file(provider, request.match_info['id']) if provider in PROVIDERS else None
        if item is None:
            return web.json_response({'error': 'no such file'}, status=404)
        return web.Response(body=item['content'], content_type='application/octet-stream')

    async def requests(request: web.Request) -> web.Response:
        return web.json_response(store.requests)

    async def add_faults(request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.text())
            spec = body['drop_after']
            spec = {'path': spec} if isinstance(spec, str) else dict(spec)
            unknown = set(spec) - {'provider', 'method', 'path', 'count'}
            if unknown:
                raise ValueError('unknown keys %s' % sorted(unknown))
            fault = Fault(**spec)
            fault.method = fault.method.upper()
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({'error': 'expected {"drop_after": {...}}: %s' % exc}, status=400)
        store.faults.append(fault)
        return web.json_response(store.faults_report())

    async def faults(request: web.Request) -> web.Response:
        return web.json_response(store.faults_report())

    async def clear_faults(request: web.Request) -> web.Response:
        store.faults.clear()
        return web.json_response([])

    async def reset(request: web.Request) -> web.Response:
        for provider in PROVIDERS:
            store.notes[provider].clear()
            store.files[provider].clear()
        store.requests.clear()
        store.faults.clear()
        return web.json_response({'reset': True})

    add = app.router.add_route
    add('GET', '/control/state', state)
    add('GET', '/control/files/{provider}/{id}', file)
    add('GET', '/control/requests', requests)
    add('GET', '/control/faults', faults)
    add('POST', '/control/faults', add_faults)
    add('DELETE', '/control/faults', clear_faults)
    add('POST', '/control/reset', reset)

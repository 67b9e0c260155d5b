"""The server: one loopback port for the three PSAs and the control interface, and ``psa.json``."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
from pathlib import Path

from aiohttp import web

from . import control
from .autotask import PREFIX as AUTOTASK, Autotask
from .connectwise import PREFIX as CONNECTWISE, ConnectWise
from .halopsa import PREFIX as HALOPSA, Halo
from .state import CREDENTIALS, HALO_OUTCOMES, TICKETS, Store

LOG = logging.getLogger('psa_sim')
PREFIXES = (('connectwise', '/connectwise/'), ('autotask', '/autotask/'), ('halopsa', '/halopsa/'))


def provider_of(path: str) -> str | None:
    return next((name for name, prefix in PREFIXES if path.startswith(prefix)), None)


def build_app(store: Store) -> web.Application:
    @web.middleware
    async def record(request: web.Request, handler):
        provider = provider_of(request.path)
        if provider is None:
            return await handler(request)
        entry = {'seq': len(store.requests) + 1, 'provider': provider, 'method': request.method, 'path': request.path,
                 'query': request.query_string}
        fault = store.fault_for(provider, request.method, request.path)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        if fault is not None:
            # The write was applied; the client never hears about it.
            entry['status'] = 'dropped'
            store.requests.append(entry)
            LOG.info('%s %s -> applied, connection dropped', request.method, request.path_qs)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=204)
        entry['status'] = response.status
        store.requests.append(entry)
        LOG.info('%s %s -> %s', request.method, request.path_qs, response.status)
        return response

    app = web.Application(middlewares=[record], client_max_size=64 * 1024 * 1024)
    ConnectWise(store).routes(app)
    Autotask(store).routes(app)
    Halo(store).routes(app)
    control.build(store, app)
    return app


def describe(base: str) -> dict:
    """What a test needs to reach each PSA: its URL, the credentials it accepts and its tickets."""
    return {
        'url': base,
        'control_url': base + '/control',
        'pid': os.getpid(),
        'connectwise': dict(CREDENTIALS['connectwise'], url=base + CONNECTWISE, tickets=sorted(TICKETS['connectwise'])),
        'autotask': dict(CREDENTIALS['autotask'], url=base + AUTOTASK, tickets=sorted(TICKETS['autotask'])),
        'halopsa': dict(CREDENTIALS['halopsa'], url=base + HALOPSA, tickets=sorted(TICKETS['halopsa']),
                        outcomes={str(k): v for k, v in HALO_OUTCOMES.items()}),
    }


async def serve(host: str, port: int, state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    runner = web.AppRunner(build_app(Store()), access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    info = describe('http://%s:%d' % (host, sock.getsockname()[1]))
    # Written last and atomically: its presence tells a waiting test that the port answers.
    partial = state_dir / 'psa.json.tmp'
    partial.write_text(json.dumps(info, indent=2))
    partial.replace(state_dir / 'psa.json')
    print(json.dumps({'url': info['url'], 'pid': info['pid']}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

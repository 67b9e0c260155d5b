"""Starting the simulator: both ports, TLS with a CA made at start, ``sandbox.json``, and the clock ticker."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import ssl
from pathlib import Path

import trustme
from aiohttp import web

from . import control
from .pipeline import ApiPort
from .simulator import Simulator
from .spec import Spec, load_description

LOG = logging.getLogger('dnsfilter_sim')
TICK_SECONDS = 0.2


def _tls(state_dir: Path, host: str) -> tuple[ssl.SSLContext, str]:
    """A throw-away CA and a server certificate for the loopback address; the CA goes to ``ca.pem``."""
    authority = trustme.CA(organization_name='dnsfilter_sim test CA')
    names = list(dict.fromkeys([host, '127.0.0.1', 'localhost']))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*names).configure_cert(context)
    ca_file = state_dir / 'ca.pem'
    authority.cert_pem.write_to_path(str(ca_file))
    return context, str(ca_file)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


async def _tick(sim: Simulator) -> None:
    """In realtime mode, run check-ins and job completions as the clock reaches them."""
    while True:
        await asyncio.sleep(TICK_SECONDS)
        if sim.state is not None and sim.state.clock.mode == 'realtime':
            sim.run_due()


async def serve(host: str, port: int, control_port: int, state_dir: Path, scenario: str, strict: bool, plain_http: bool) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    sim = Simulator(Spec(load_description()), strict=strict)
    ssl_context, ca_file = (None, None) if plain_http else _tls(state_dir, host)
    api_sock, control_sock = _bind(host, port), _bind(host, control_port)
    sim.api_url = f'{"http" if plain_http else "https"}://{host}:{api_sock.getsockname()[1]}'
    if os.path.exists(scenario):
        sim.load(path=scenario)
    else:
        sim.load(name=scenario)

    api_app = web.Application()
    # Any path, control characters included (``.`` would not match a newline and aiohttp would answer a bare 404).
    api_app.router.add_route('*', r'/{tail:[\s\S]*}', ApiPort(sim).handle)
    runners = [web.AppRunner(api_app, access_log=None), web.AppRunner(control.build_app(sim), access_log=None)]
    for runner in runners:
        await runner.setup()
    await web.SockSite(runners[0], api_sock, ssl_context=ssl_context).start()
    await web.SockSite(runners[1], control_sock).start()

    info = {'api_url': sim.api_url, 'control_url': f'http://{host}:{control_sock.getsockname()[1]}', 'ca_file': ca_file,
            'pid': os.getpid(), 'scenario': sim.scenario_name, 'strict': strict}
    # Written last, and atomically: its presence tells a waiting test harness that both ports answer.
    partial = state_dir / 'sandbox.json.tmp'
    partial.write_text(json.dumps(info, indent=2))
    partial.replace(state_dir / 'sandbox.json')
    print(json.dumps(info), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    ticker = asyncio.create_task(_tick(sim))
    try:
        await stop.wait()
    finally:
        ticker.cancel()
        for runner in runners:
            await runner.cleanup()
        LOG.info('stopped')

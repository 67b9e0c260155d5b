"""Command line: ``python -m dnsfilter_hosts serve|inventory``."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

import yaml

from .inventory import build_inventory
from .devices import DeviceSource
from .server import mdm_config, serve


def _serve(args: argparse.Namespace) -> int:
    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(args.scenario, args.control_url, args.state_dir, args.ready_file, stop)

    asyncio.run(run())
    return 0


def _inventory(args: argparse.Namespace) -> int:
    async def run() -> list[dict]:
        source = DeviceSource(args.scenario, args.control_url)
        try:
            return await source.devices(wait=30)
        finally:
            await source.close()

    inventory = build_inventory(asyncio.run(run()), args.state_dir, mdm_config(args.scenario))
    text = yaml.safe_dump(inventory, sort_keys=False)
    if args.output:
        with open(args.output, 'w', encoding='utf-8') as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='dnsfilter_hosts', description=__doc__)
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('serve', 'inventory'):
        command = sub.add_parser(name)
        command.add_argument('--scenario', help='scenario YAML (devices come from it when there is no --control-url)')
        command.add_argument('--control-url', help="the API simulator's control interface, e.g. http://127.0.0.1:8081")
        command.add_argument('--state-dir', required=True, help='per-host state (Windows JSON, macOS roots)')
    sub.choices['serve'].add_argument('--ready-file', help='written with the pid once every host listens')
    sub.choices['inventory'].add_argument('--output', help='write the inventory here instead of stdout')
    args = parser.parse_args(argv)
    if not args.scenario and not args.control_url:
        parser.error('one of --scenario or --control-url is required')
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(name)s %(levelname)s %(message)s')
    return _serve(args) if args.command == 'serve' else _inventory(args)


if __name__ == '__main__':
    sys.exit(main())

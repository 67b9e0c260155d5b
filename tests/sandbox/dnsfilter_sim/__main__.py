"""``python -m dnsfilter_sim serve [options]``: run the DNSFilter API simulator (docs/sandbox.md)."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

from .server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m dnsfilter_sim', description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    run = commands.add_parser('serve', help='run the simulator')
    run.add_argument('--host', default='127.0.0.1', help='loopback address to listen on (default 127.0.0.1)')
    run.add_argument('--port', type=int, default=0, help='API port; 0 picks a free one (default)')
    run.add_argument('--control-port', type=int, default=0, help='control port; 0 picks a free one (default)')
    run.add_argument('--state-dir', type=Path, help='where sandbox.json and ca.pem go (default: a new temp dir)')
    run.add_argument('--scenario', default='demo', help='built-in scenario name or a path to a scenario file (default demo)')
    run.add_argument('--strict', action='store_true', default=os.environ.get('DNSFILTER_SIM_STRICT') == '1',
                     help='check every response against the description and record violations (env DNSFILTER_SIM_STRICT=1)')
    run.add_argument('--plain-http', action='store_true', help='serve the API over HTTP instead of HTTPS')
    run.add_argument('--log-level', default='INFO', choices=('DEBUG', 'INFO', 'WARNING', 'ERROR'))
    args = parser.parse_args(argv)

    logging.basicConfig(level=args.log_level, stream=sys.stderr, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    state_dir = args.state_dir or Path(tempfile.mkdtemp(prefix='dnsfilter-sim-'))
    asyncio.run(serve(args.host, args.port, args.control_port, state_dir, args.scenario, args.strict, args.plain_http))
    return 0


if __name__ == '__main__':
    sys.exit(main())

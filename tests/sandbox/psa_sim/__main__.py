"""``python -m psa_sim serve --port 0 --state-dir DIR``: run the PSA simulators; DIR/psa.json says where and with what."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from .server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m psa_sim', description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    run = commands.add_parser('serve', help='serve ConnectWise PSA, Autotask and HaloPSA on one loopback port')
    run.add_argument('--host', default='127.0.0.1', help='loopback address to listen on (default 127.0.0.1)')
    run.add_argument('--port', type=int, default=0, help='port; 0 picks a free one (default)')
    run.add_argument('--state-dir', type=Path, help='where psa.json goes (default: a new temp dir)')
    run.add_argument('--log-level', default='INFO', choices=('DEBUG', 'INFO', 'WARNING', 'ERROR'))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    asyncio.run(serve(args.host, args.port, args.state_dir or Path(tempfile.mkdtemp(prefix='psa-sim-'))))
    return 0


if __name__ == '__main__':
    sys.exit(main())

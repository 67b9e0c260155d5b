#!/usr/bin/env bash
# Benchmarks against the sandbox: API calls and wall time of the collection's offboarding paths beside the
# naive one-call-per-object way (tests/bench/bench_modules.py). Prints figures only; asserts nothing.
#   scripts/bench.sh                  every operation, 50 ms latency per API request
#   scripts/bench.sh --only b --forks 1 --latency-ms 100
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/bootstrap.sh"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/build/collections"
export PYTHONPATH="$root/tests/sandbox${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0

python tests/bench/bench_modules.py "$@"

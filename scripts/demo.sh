#!/usr/bin/env bash
# The README's main command (make demo): a customer exit of the demo customer, Contoso Dental, against the sandbox -
# the DNSFilter API simulator, simulated Windows (WinRM) and macOS (SSH) hosts with live Roaming Clients, and a
# Jamf simulator - then prints where the evidence and the report are.
#   scripts/demo.sh [extra ansible-playbook arguments, e.g. --check or -v]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/bootstrap.sh"
export PATH="$root/.venv/bin:$PATH"
export PYTHONPATH="$root/tests/sandbox${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_COLLECTIONS_PATH="$root/build/collections"

state="$root/.sandbox/demo"
# Each demo is a fresh sandbox, so it starts a fresh evidence bundle too.
rm -rf "$state" "$root"/evidence/DEMO-*
mkdir -p "$state"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

wait_for() {  # wait_for FILE WHAT
  for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.2; done
  echo "demo: $2 did not start; see $state/*.log" >&2
  exit 1
}

echo "demo: starting the DNSFilter API simulator"
python -m dnsfilter_sim serve --port 0 --state-dir "$state/sim" --scenario demo --strict 2>"$state/sim.log" >/dev/null &
pids+=($!)
wait_for "$state/sim/sandbox.json" "the API simulator"
control=$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["control_url"])' "$state/sim/sandbox.json")
# Today, with check-ins every few seconds, so the demo does not wait a real 15-minute interval.
python - "$control" <<'PY'
import sys, requests
settings = {'clock_start': None, 'checkin_interval_seconds': 5, 'uninstall_seconds': 2, 'job_delay_seconds': 1}
requests.post(sys.argv[1] + '/control/scenario', json={'name': 'demo', 'settings': settings}, timeout=60).raise_for_status()
PY

echo "demo: starting the simulated Windows and macOS hosts"
python -m dnsfilter_hosts serve --control-url "$control" --state-dir "$state/hosts" --ready-file "$state/hosts/ready" \
  2>"$state/hosts.log" >/dev/null &
pids+=($!)
wait_for "$state/hosts/ready" "the simulated hosts"
python -m dnsfilter_hosts inventory --control-url "$control" --state-dir "$state/hosts" --output "$state/all-hosts.yml"
# Only the exiting customer's devices take part in its exit.
python - "$control" "$state/all-hosts.yml" "$state/hosts.yml" <<'PY'
import sys, requests, yaml
devices = requests.get(sys.argv[1] + '/control/devices', timeout=60).json()['devices']
contoso = {d['hostname'] for d in devices if d.get('organization_id') == 810101}
inventory = yaml.safe_load(open(sys.argv[2]))
for group in inventory['all']['children'].values():
    group['hosts'] = {name: hostvars for name, hostvars in (group.get('hosts') or {}).items() if name in contoso}
yaml.safe_dump(inventory, open(sys.argv[3], 'w'))
PY

eval "$(python - "$state/sim/sandbox.json" <<'PY'
import json, shlex, sys
info = json.load(open(sys.argv[1]))
print('export DNSFILTER_API_URL=%s DNSFILTER_CA_PATH=%s' % (shlex.quote(info['api_url']), shlex.quote(info['ca_file'])))
PY
)"
# The demo MSP's automation user; the key is fake and works only against the simulator.
export DNSFILTER_API_KEY=sim-automation-key-0000000000000001

echo "demo: ansible-playbook playbooks/customer_exit.yml -i inventories/demo -i $state/hosts.yml $*"
status=0
ansible-playbook playbooks/customer_exit.yml -i inventories/demo -i "$state/hosts.yml" "$@" || status=$?
latest=$(find "$root/evidence" -maxdepth 1 -type d -name 'DEMO-*' 2>/dev/null | sort | tail -1)
if [ -n "$latest" ]; then
  echo
  echo "demo: evidence  $latest"
  echo "demo: report    $latest/report.html"
  echo "demo: verify    python3 $latest/VERIFY.py $latest"
fi
exit "$status"

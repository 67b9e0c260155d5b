"""Exit playbooks run for real (ansible-playbook) against the API simulator."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'sandbox'))

pytest_plugins = ['dnsfilter_sim.pytest_plugin']

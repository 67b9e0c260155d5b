"""The collection's API client against the running simulator: real HTTPS, real faults."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'sandbox'))
sys.path.insert(0, str(ROOT / 'build' / 'collections'))

pytest_plugins = ['dnsfilter_sim.pytest_plugin']

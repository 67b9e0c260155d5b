"""Make the simulator package importable and use its fixtures."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

pytest_plugins = ['dnsfilter_sim.pytest_plugin']

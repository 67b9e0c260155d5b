"""Stand-in for get-pip.py: bootstrap pip with ensurepip, then install what was asked from PyPI."""
import subprocess
import sys

# get-pip.py's own options, which pip install does not know.
OWN_OPTIONS = ('--no-setuptools', '--no-wheel')

# In a child process: ensurepip sets PIP_CONFIG_FILE=/dev/null in its own environment, and the
# install below must see the machine's pip configuration (index, CA bundle).
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade'])
args = [a for a in sys.argv[1:] if a not in OWN_OPTIONS]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + args))

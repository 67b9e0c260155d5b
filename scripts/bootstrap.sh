#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv) from the pinned requirements,
# install the Debian packages the sandbox needs, and make the collection importable
# as msp.dnsfilter. Safe to run again: it only does what is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

python=${PYTHON:-python3}
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum requirements/dev.txt | cut -d' ' -f1)

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing pinned Python requirements into .venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade 'pip==25.3'
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
  echo "$want" > "$stamp"
fi

# Debian packages: bubblewrap runs each simulated macOS command in its own root; the ssh
# client is what Ansible's ssh connection uses; shellcheck lets ansible-test lint shell scripts.
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: apt-get install ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: please install: ${missing[*]}" >&2
    exit 1
  fi
fi

# ansible-test bootstraps pip in its own virtualenvs with a get-pip script it downloads from a
# host outside the package registries; give it one that uses ensurepip and PyPI instead.
pip_version=$("$venv/bin/python" - <<'PY'
import re, ansible_test._internal.python_requirements as r, inspect
print(re.search(r"pip='([^']+)'", inspect.getsource(r.get_venv_packages)).group(1))
PY
)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cp scripts/get_pip_offline.py "$cache"

# Ansible finds the collection as msp.dnsfilter through this path.
mkdir -p build/collections/ansible_collections/msp
ln -sfn "$root" build/collections/ansible_collections/msp/dnsfilter

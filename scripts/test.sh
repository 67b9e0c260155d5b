#!/usr/bin/env bash
# Run every test of the collection: the same command locally and in CI (.ci/run).
#   scripts/test.sh            all stages
#   scripts/test.sh sanity     one stage (sanity, units, lint, docs, changelog, build, sandbox, hosts, client)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/bootstrap.sh"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/build/collections"
export PYTHONPATH="$root/tests/sandbox${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(changelog build sanity units lint docs)
failed=()

# ansible-test needs the collection at ansible_collections/<ns>/<name> inside a git work tree;
# copy the tracked and untracked-but-not-ignored files there, so uncommitted work is tested too
# (TEST_STAGED_ONLY=1: exactly what is staged, for checking a commit before it is made).
collection_copy() {
  local dest="$root/build/ansible-test/ansible_collections/msp/dnsfilter"
  rm -rf "$root/build/ansible-test"
  mkdir -p "$dest"
  if [ "${TEST_STAGED_ONLY:-0}" = 1 ]; then
    git checkout-index -a --prefix="$dest/"
  else
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
      [ -e "$f" ] && printf '%s\0' "$f"
    done | tar --null -T - -cf - | tar -xf - -C "$dest"
  fi
  (cd "$dest" && git init -q && git add -A)
  echo "$dest"
}

run_stage() {
  local name=$1
  echo "=== $name ==="
  case "$name" in
    changelog) antsibull-changelog lint ;;
    build)
      rm -rf build/dist && ansible-galaxy collection build --output-path build/dist --force >/dev/null
      ls build/dist/msp-dnsfilter-*.tar.gz ;;
    sanity)
      (cd "$(collection_copy)" && ansible-test sanity --local --python 3.11 --color no) ;;
    units)
      (cd "$(collection_copy)" && ansible-test units --local --python 3.11 --color no) ;;
    lint) (cd "$(collection_copy)" && ansible-lint --profile production --strict) ;;
    docs) (cd "$(collection_copy)" && antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .) ;;
    sandbox) python -m pytest -q -p no:cacheprovider tests/sandbox/tests ;;
    client) python -m pytest -q -p no:cacheprovider tests/client ;;
    hosts) python -m pytest -q -p no:cacheprovider tests/sandbox/hosts_tests ;;
    *) echo "unknown stage $name" >&2; return 2 ;;
  esac
}

for s in "${stages[@]}"; do
  if ! run_stage "$s"; then failed+=("$s"); fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED stages: ${failed[*]}"
  exit 1
fi
echo "all stages passed: ${stages[*]}"

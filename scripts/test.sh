#!/usr/bin/env bash
# Run every test of the collection: the same command locally and in CI (.ci/run).
#   scripts/test.sh            all stages
#   scripts/test.sh sanity     one stage (sanity, units, lint, docs, changelog, build, sandbox, fuzz, hosts, client)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/bootstrap.sh"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/build/collections"
export PYTHONPATH="$root/tests/sandbox${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(changelog build sanity units lint docs sandbox fuzz client inventory integration playbooks adversarial hosts psa)
failed=()

# ansible-test needs the collection at ansible_collections/<ns>/<name> inside a git work tree;
# copy the tracked and untracked-but-not-ignored files there, so uncommitted work is tested too
# (TEST_STAGED_ONLY=1: exactly what is staged, for checking a commit before it is made).
# Each run gets its own copy, so that runs side by side do not pull the tree from under each other.
copies=()
trap 'rm -rf "${copies[@]}"' EXIT
collection_copy() {
  mkdir -p "$root/build"
  local top
  top=$(mktemp -d "$root/build/ansible-test.XXXXXX")
  copies+=("$top")
  local dest="$top/ansible_collections/msp/dnsfilter"
  mkdir -p "$dest"
  if [ "${TEST_STAGED_ONLY:-0}" = 1 ]; then
    git checkout-index -a --prefix="$dest/"
  else
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
      [ -e "$f" ] && printf '%s\0' "$f"
    done | tar --null -T - -cf - | tar -xf - -C "$dest"
  fi
  (cd "$dest" && git init -q && git add -A)
  copy=$dest
}

run_stage() {
  local name=$1 copy
  echo "=== $name ==="
  case "$name" in
    changelog) antsibull-changelog lint ;;
    build)
      mkdir -p build && copy=$(mktemp -d "$root/build/dist.XXXXXX") && copies+=("$copy")
      ansible-galaxy collection build --output-path "$copy" --force >/dev/null && ls "$copy"/msp-dnsfilter-*.tar.gz ;;
    sanity)
      collection_copy; (cd "$copy" && ansible-test sanity --local --python 3.11 --color no) ;;
    units)
      collection_copy; (cd "$copy" && ansible-test units --local --python 3.11 --color no) ;;
    lint) collection_copy; (cd "$copy" && ansible-lint --profile production --strict) ;;
    docs) collection_copy; (cd "$copy" && antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .) ;;
    sandbox) python -m pytest -q -p no:cacheprovider tests/sandbox/tests ;;
    # schemathesis from DNSFilter's description against a simulator of its own, seeded (FUZZ_SEED) and bounded
    # (FUZZ_EXAMPLES, FUZZ_NEGATIVE_EXAMPLES per operation): about three minutes on two cores.
    fuzz) python -m pytest -q -p no:cacheprovider -n 2 tests/fuzz ;;
    integration) collection_copy; python tests/sandbox/run_integration.py "$copy" ;;
    client) python -m pytest -q -p no:cacheprovider tests/client ;;
    inventory) python -m pytest -q -p no:cacheprovider tests/inventory ;;
    playbooks) python -m pytest -q -p no:cacheprovider -n 2 tests/playbooks ;;
    adversarial) python -m pytest -q -p no:cacheprovider -n 2 tests/adversarial ;;
    hosts) python -m pytest -q -p no:cacheprovider tests/sandbox/hosts_tests ;;
    psa) python -m pytest -q -p no:cacheprovider tests/sandbox/psa_tests ;;
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

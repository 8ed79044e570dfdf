#!/usr/bin/env bash
# k8s-validate.sh: checks contrib/k8s offline, and that each manifest in tests/deploy/k8s-broken/
# fails for the reason it names.
#
# A manifest set passes three checks, in order:
#   1. kubectl-validate (pinned in tests/tools/daemon-versions.env, built by build-daemons.sh)
#      against the Kubernetes API types built into it, for Kubernetes $K8S_VERSION: unknown
#      fields and wrong types;
#   2. k8s_check.py: the values kubectl-validate accepts but a working, hardened peerscout sidecar
#      needs (restartPolicy Always, `peerscout health` probes, the securityContext, the key as a
#      file, the shared emptyDir);
#   3. `peerscout check-config` on the sidecar.toml the sidecar reads from its ConfigMap.
# contrib/k8s is the files its kustomization.yaml lists (every other .yaml there is an error).
# A broken case is a file of objects that replace those of the same kind and name; its line
# `# expect: TEXT` is what the failing check must print.
#
# Environment: PEERSCOUT_BINARY (default build/peerscout); PEERSCOUT_REQUIRE_INTEGRATION=1 turns
# a missing kubectl-validate (no Go) or python3-yaml into a failure instead of a skip.
# Exit status: 0 passed, 1 failed, 77 skipped (ctest's SKIP_RETURN_CODE).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/tools/daemon-versions.env
K8S_VERSION=1.30
contrib=contrib/k8s
broken=tests/deploy/k8s-broken
peerscout=${PEERSCOUT_BINARY:-build/peerscout}

skip() {
  if [[ ${PEERSCOUT_REQUIRE_INTEGRATION:-} == 1 ]]; then
    echo "k8s-validate: $* (required: PEERSCOUT_REQUIRE_INTEGRATION=1)" >&2
    exit 1
  fi
  echo "k8s-validate: skipped: $*" >&2
  exit 77
}

python3 -c 'import yaml, tomllib' 2>/dev/null || skip "python3 with yaml and tomllib is missing (scripts/setup.sh --test)"
kubectl_validate=$(bash tests/tools/build-daemons.sh kubectl-validate "$KUBECTL_VALIDATE") ||
  skip "kubectl-validate $KUBECTL_VALIDATE could not be built (needs Go and the module proxy)"
[[ -x $peerscout ]] || { echo "k8s-validate: no peerscout binary at $peerscout" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# kubectl-validate reads its schemas from itself with --version; no kubeconfig, so no cluster.
export HOME=$work KUBECONFIG=/dev/null

mapfile -t resources < <(python3 -c '
import sys, yaml
print("\n".join(yaml.safe_load(open(sys.argv[1]))["resources"]))' "$contrib/kustomization.yaml")
for file in "$contrib"/*.yaml; do
  name=${file##*/}
  [[ $name == kustomization.yaml || " ${resources[*]} " == *" $name "* ]] ||
    { echo "k8s-validate: $file is not in $contrib/kustomization.yaml" >&2; exit 1; }
done

# validate NAME [CASE]: the three checks on contrib/k8s's own files, or on them with CASE's objects
# swapped in; their messages in $work/NAME.log; fails at the first check that fails.
validate() {
  local name=$1 config=$work/$1.toml log=$work/$1.log
  local set=("${resources[@]/#/$contrib/}")
  if [[ -n ${2:-} ]]; then
    python3 tests/deploy/k8s_check.py merge "$work/$name.yaml" "${set[@]}" --replace "$2"
    set=("$work/$name.yaml")
  fi
  if ! "$kubectl_validate" --version "$K8S_VERSION" "${set[@]}" >"$log" 2>&1; then
    sed -i '1i kubectl-validate:' "$log"
    return 1
  fi
  python3 tests/deploy/k8s_check.py check "${set[@]}" --config-out "$config" 2>"$log" || return 1
  # A clean environment: the harness's PEERSCOUT_* variables must not mend a bad file.
  env -i PATH=/usr/bin:/bin "$peerscout" check-config -c "$config" >>"$log" 2>&1 ||
    { sed -i '1i check-config:' "$log"; return 1; }
}

failures=0
if validate good; then
  echo "k8s-validate: ok: $contrib passes kubectl-validate (Kubernetes $K8S_VERSION), k8s_check.py and check-config"
else
  echo "k8s-validate: FAIL: $contrib does not pass:" >&2
  cat "$work/good.log" >&2
  failures=$((failures + 1))
fi

cases=0
for case in "$broken"/*.yaml; do
  name=${case##*/}
  name=${name%.yaml}
  expect=$(sed -n 's/^# expect: //p' "$case" | head -n1)
  [[ -n $expect ]] || { echo "k8s-validate: $case has no '# expect:' line" >&2; exit 1; }
  cases=$((cases + 1))
  if validate "$name" "$case"; then
    echo "k8s-validate: FAIL: $case passed; it should fail with: $expect" >&2
    failures=$((failures + 1))
  elif ! grep -qF -- "$expect" "$work/$name.log"; then
    echo "k8s-validate: FAIL: $case failed, but not with: $expect" >&2
    cat "$work/$name.log" >&2
    failures=$((failures + 1))
  else
    echo "k8s-validate: ok: $name fails: $expect"
  fi
done
((cases > 0)) || { echo "k8s-validate: no broken cases in $broken" >&2; exit 1; }
((failures == 0)) || { echo "k8s-validate: $failures of $((cases + 1)) checks failed" >&2; exit 1; }
echo "k8s-validate: $contrib valid, $cases broken cases refused"

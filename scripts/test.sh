#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, checks formatting and clang-tidy,
# builds the tailnet's daemons (cached) and the deployment's Docker images (cached), runs the
# unit and integration tests under the sanitizers and each fuzz target briefly, then every
# test (ctest).
#   scripts/test.sh           everything: what CI runs
#   scripts/test.sh --quick   the inner loop: build, lint of the changed files, the unit and
#                             integration tests (no labs, Docker, sanitizers or fuzzing)
# PEERSCOUT_REQUIRE_INTEGRATION=1 turns a missing prerequisite (unshare, curl, Go for the
# tailnet's daemons) into a failure. Each step's wall time is printed at the end (the table in
# CONTRIBUTING.md comes from it).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
timings=()
step() { # step NAME COMMAND...: runs it and keeps its wall time
  local name=$1 at=$SECONDS
  shift
  "$@"
  timings+=("$(printf '%-22s %5d s' "$name" $((SECONDS - at)))")
}
report() {
  printf 'test: %s\n' "${timings[@]}" "$(printf '%-22s %5d s' total $((SECONDS - started)))" >&2
}
trap report EXIT

step setup bash scripts/setup.sh --test
step build bash scripts/build.sh -DPEERSCOUT_WERROR=ON
if [[ ${1:-} == --quick ]]; then
  step lint-changed bash scripts/lint.sh --changed
  step unit+integration ctest --test-dir build -L '^(unit|integration)$' --output-on-failure \
    --no-tests=error -j "$(nproc)"
  exit 0
fi

# The labs' prerequisites build beside the C++ steps: they are mostly downloads (Go modules,
# debootstrap), and nothing before the final ctest needs them. Their output is kept in a log,
# shown if they fail.
prerequisites() {
  bash scripts/build-test-daemons.sh
  # The deployment tests' images (cached by Docker); without Docker those tests skip or fail.
  if docker info >/dev/null 2>&1; then
    bash scripts/docker-images.sh
  fi
}
mkdir -p build
prerequisites_log=build/prerequisites.log
prerequisites_at=$SECONDS
prerequisites >"$prerequisites_log" 2>&1 &
prerequisites_pid=$!

step lint bash scripts/lint.sh
# The unit and integration tests again under ASan+UBSan and under TSan (build-asan/,
# build-tsan/), and a bounded fuzz run of every target in the ASan tree.
step sanitizers bash scripts/sanitize.sh
step fuzz bash tests/fuzz/run.sh --check all 10

waited_at=$SECONDS
if ! wait "$prerequisites_pid"; then
  cat "$prerequisites_log" >&2
  echo "test: building the daemons or the Docker images failed" >&2
  exit 1
fi
timings+=("$(printf '%-22s %5d s (%d s waited for)' "daemons+images" \
  $((SECONDS - prerequisites_at)) $((SECONDS - waited_at)))")
step ctest ctest --test-dir build --output-on-failure --no-tests=error -j "$(nproc)"

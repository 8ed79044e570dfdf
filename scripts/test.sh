#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, checks the include rules,
# formatting and clang-tidy, builds the tailnet's daemons (cached) and the deployment's Docker
# images (cached), runs the unit and integration tests under the sanitizers and each fuzz
# target briefly, then every test (ctest). The daemons and images build in the background from
# the start, and lint beside the sanitizers and fuzzing.
#   scripts/test.sh           everything: what CI runs
#   scripts/test.sh --quick   the inner loop: build, lint of the changed files, the unit and
#                             integration tests (no labs, Docker, sanitizers or fuzzing)
# PEERSCOUT_REQUIRE_INTEGRATION=1 turns a missing prerequisite (unshare, curl, Go for the
# tailnet's daemons) into a failure. Each step's wall time is printed at the end (the table in
# CONTRIBUTING.md comes from it).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
[[ ${1:-} == --quick ]] && quick=true
started=$SECONDS
timings=()
step() { # step NAME COMMAND...: runs it and keeps its wall time
  local name=$1 at=$SECONDS
  shift
  "$@"
  timings+=("$(printf '%-16s %5d s' "$name" $((SECONDS - at)))")
}
report() {
  printf 'test: %s\n' "${timings[@]}" "$(printf '%-16s %5d s' total $((SECONDS - started)))" >&2
}
trap report EXIT

# The labs' prerequisites: the daemons, then the Docker images (cached by Docker; without
# Docker those tests skip or fail).
prerequisites() {
  bash scripts/build-test-daemons.sh
  if docker info >/dev/null 2>&1; then
    bash scripts/docker-images.sh
  fi
}

step setup bash scripts/setup.sh --test
if ! $quick; then
  # They build beside the C++ steps from the start: much of their time is downloads (Go
  # modules, debootstrap, apt inside the images), and only the final ctest needs them. Their
  # output goes to a log, shown if they fail.
  mkdir -p build
  prerequisites_log=build/prerequisites.log
  prerequisites_at=$SECONDS
  prerequisites >"$prerequisites_log" 2>&1 &
  prerequisites_pid=$!
fi
step build bash scripts/build.sh -DPEERSCOUT_WERROR=ON
if $quick; then
  step lint-changed bash scripts/lint.sh --changed
  step tests ctest --test-dir build -L '^(unit|integration)$' --output-on-failure \
    --no-tests=error -j "$(nproc)"
  exit 0
fi

# clang-tidy is CPU and nothing else, the sanitizer trees' and fuzzing's tests mostly wait (on
# sockets, processes, one fuzzer at a time): lint runs beside them at a lower priority and
# fills the cores they leave idle, instead of before them. Its output goes to a log, shown if
# it fails.
lint_log=build/lint.log
lint_at=$SECONDS
nice -n 10 bash scripts/lint.sh >"$lint_log" 2>&1 &
lint_pid=$!
# The unit and integration tests again under ASan+UBSan and under TSan (build-asan/,
# build-tsan/), and a bounded fuzz run of every target in the ASan tree.
step sanitizers bash scripts/sanitize.sh
step fuzz bash tests/fuzz/run.sh --check all 10
lint_waited_at=$SECONDS
if ! wait "$lint_pid"; then
  cat "$lint_log" >&2
  echo "test: lint failed" >&2
  exit 1
fi
tail -n 1 "$lint_log" >&2
timings+=("$(printf '%-16s %5d s, of which %d s waited for at the end' "lint (beside)" \
  $((SECONDS - lint_at)) $((SECONDS - lint_waited_at)))")

waited_at=$SECONDS
if ! wait "$prerequisites_pid"; then
  cat "$prerequisites_log" >&2
  echo "test: building the daemons or the Docker images failed" >&2
  exit 1
fi
timings+=("$(printf '%-16s %5d s, of which %d s waited for at the end' "daemons+images" \
  $((SECONDS - prerequisites_at)) $((SECONDS - waited_at)))")
step ctest ctest --test-dir build --output-on-failure --no-tests=error -j "$(nproc)"

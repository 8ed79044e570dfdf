#!/usr/bin/env bash
# Builds peerscout and its tests with sanitizers, each in a tree of its own, and runs the unit
# and integration tests (ctest labels) in each:
#   build-asan/   AddressSanitizer and UndefinedBehaviorSanitizer (LeakSanitizer with them)
#   build-tsan/   ThreadSanitizer
#   scripts/sanitize.sh [asan|tsan|all] [CTEST_ARGS...]    default: all
# Every sanitized process (the test binaries, each peerscout they start, its children) stops at
# its first finding and writes its report to build-*/sanitizer-reports/; the run fails when a
# test fails or any report was written, so a finding in a sidecar that a test only stops counts
# too. Third-party findings are suppressed in tests/sanitizers/*.supp, a reason for each line.
# The lab labels (tailnet, lan) are not run: they need root and the daemons, and take minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
which=${1:-all}
shift || true
# Only what the unit and integration labels run: no benchmarks, no lab binaries.
mapfile -t replays < <(sed -n 's/^peerscout_fuzz_replay(\([a-z_]*\).*/peerscout_fuzz_\1/p' \
  tests/CMakeLists.txt)
targets=(peerscout peerscout_unit_tests peerscout_integration_tests)

# One tree: configure, build, run the labels, then look for reports.
run_tree() {
  local name=$1
  shift
  local reports=$root/build-$name/sanitizer-reports
  bash tests/sanitizers/configure.sh "$name"
  # The fuzz targets' replays only under ASan: each parses one input on one thread, where TSan
  # has nothing to find.
  local extra=("${replays[@]}") excluded=()
  [[ $name == tsan ]] && extra=() excluded=(-E '^fuzz\.')
  cmake --build "build-$name" --target "${targets[@]}" "${extra[@]}"
  rm -rf "$reports"
  # World-writable: some tests run peerscout as another user.
  mkdir -p -m 1777 "$reports"
  local supp=$root/tests/sanitizers
  local common="halt_on_error=1:log_path=$reports/report"
  local status=0
  (
    cd "build-$name"
    export ASAN_OPTIONS="$common:detect_leaks=1:strict_init_order=1"
    export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="$common:print_stacktrace=1:suppressions=$supp/ubsan.supp"
    export TSAN_OPTIONS="$common:second_deadlock_stack=1:suppressions=$supp/tsan.supp"
    # A test failed by the sanitizers' slowness (a wait that ran out) gets one more try; a
    # sanitizer finding still fails the run, through its report below.
    ctest -L '^(unit|integration)$' "${excluded[@]}" --output-on-failure --no-tests=error \
      -j "$(nproc)" --repeat until-pass:2 "$@"
  ) || status=$?
  if compgen -G "$reports/report.*" >/dev/null; then
    echo "sanitize: $name: findings, in $reports:" >&2
    head -n 60 "$reports"/report.* >&2
    status=1
  fi
  return "$status"
}

case $which in
  asan | tsan) run_tree "$which" "$@" ;;
  all)
    failed=0
    run_tree asan "$@" || failed=1
    run_tree tsan "$@" || failed=1
    exit "$failed" ;;
  *) echo "sanitize: asan, tsan or all, not $which" >&2; exit 2 ;;
esac

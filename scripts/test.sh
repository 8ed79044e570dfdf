#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, checks formatting and clang-tidy,
# builds the tailnet's daemons (cached) and the deployment's Docker images (cached), runs the
# unit and integration tests under the sanitizers and each fuzz target briefly, then every
# test (ctest).
#   scripts/test.sh           everything: what CI runs
#   scripts/test.sh --quick   the inner loop: build, lint of the changed files, the unit and
#                             integration tests (no labs, Docker, sanitizers or fuzzing)
# PEERSCOUT_REQUIRE_INTEGRATION=1 turns a missing prerequisite (unshare, curl, Go for the
# tailnet's daemons) into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh -DPEERSCOUT_WERROR=ON
if [[ ${1:-} == --quick ]]; then
  bash scripts/lint.sh --changed
  cd build
  exec ctest -L '^(unit|integration)$' --output-on-failure --no-tests=error -j "$(nproc)"
fi
bash scripts/lint.sh
bash scripts/build-test-daemons.sh
# The deployment tests' images (cached by Docker); without Docker those tests skip or fail.
if docker info >/dev/null 2>&1; then
  bash scripts/docker-images.sh
fi
# The unit and integration tests again under ASan+UBSan and under TSan (build-asan/,
# build-tsan/), and a bounded fuzz run of every target in the ASan tree.
bash scripts/sanitize.sh
bash tests/fuzz/run.sh --check all 10
cd build
ctest --output-on-failure --no-tests=error -j "$(nproc)"

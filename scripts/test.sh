#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, checks formatting and clang-tidy,
# builds the tailnet's daemons (cached), and runs every test (ctest).
# PEERSCOUT_REQUIRE_INTEGRATION=1 turns a missing prerequisite (unshare, curl, Go for the
# tailnet's daemons) into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh -DPEERSCOUT_WERROR=ON
bash scripts/lint.sh
bash scripts/build-test-daemons.sh
cd build
ctest --output-on-failure --no-tests=error -j "$(nproc)"

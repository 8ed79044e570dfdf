#!/usr/bin/env bash
# Churn: what one change in a big tailnet costs peerscout (tests/bench/churn.py): a LocalAPI
# stand-in on a Unix socket renames one peer of 1k and of 10k R = 1 and 10 times a second and
# says so on its IPN bus; peerscout's CPU per change, % of a core, change -> socket p50/p95 and
# RSS/PSS, beside python3's json.loads and RapidJSON's no-op SAX pass over the same status.
# Figures, not pass/fail. No root, no daemons, nothing on the network: Unix sockets only.
# CHURN_SECONDS (20 per row), CHURN_PEERS and CHURN_RATES shorten a run. Runs under nice -n 10
# (a shared machine's other builds come first). Builds a Release tree in build-bench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-bench"

bash scripts/setup.sh --test
nice -n 10 cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
nice -n 10 cmake --build "$out" --target peerscout peerscout_source_bench
bash tests/bench/payloads.sh "$out/payloads"
PEERSCOUT="$out/peerscout" PEERSCOUT_BENCH_PAYLOADS="$out/payloads" \
  CHURN_SOURCE_BENCH="$out/peerscout_source_bench" nice -n 10 python3 tests/bench/churn.py

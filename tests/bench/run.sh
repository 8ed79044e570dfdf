#!/usr/bin/env bash
# Every benchmark figure in one table, each beside its anchor and the ratio (tests/bench/summary.py):
#   - growth, 100 to 50k peers: merge, each format's render, each source's parse (tailscale
#     status, Headscale nodes, an mdns round), and the running sidecar's memory, per peer, beside
#     the per-peer figure at 100 peers (aim: within 2x);
#   - the idle footprint with 1k static peers on the defaults (PSS, RSS, CPU per 10 s window),
#     beside the aims (PSS <= 8 MB, CPU <= 0.5 % of a core), and, with root and the built
#     daemons, beside tailscaled on the same host (a tailnet lab, tests/bench/tailscale_idle.py);
#   - with BENCH_SERVE=1, serving beside nginx (tests/bench/serve.sh's runs).
# Figures, not pass/fail. CPU figures are medians of repeats in CPU time, so that a shared
# machine disturbs them less; rerun on a quiet machine for figures to quote. About 4 minutes
# (BENCH_SERVE=1 adds serve.sh's). BENCH_IDLE_SECONDS (60) and BENCH_REPETITIONS (3) shorten it.
# Builds a Release tree in build-bench/ and keeps the raw results there.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-bench"
idle_seconds=${BENCH_IDLE_SECONDS:-60}
repetitions=${BENCH_REPETITIONS:-3}

bash scripts/setup.sh --test
cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out" --target peerscout peerscout_bench peerscout_source_bench
bash tests/bench/payloads.sh "$out/payloads"

bench() {  # $1: binary, $2: JSON out
  PEERSCOUT_BENCH_PAYLOADS="$out/payloads" "$1" --benchmark_min_time=0.2 \
    --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
    --benchmark_out="$2" --benchmark_out_format=json >/dev/null
}
echo "== merge and render, 100 to 50k peers"
bench "$out/peerscout_bench" "$out/bench.json"
echo "== the sources' parsers, 100 to 50k peers"
bench "$out/peerscout_source_bench" "$out/source-bench.json"

echo "== the sidecar's memory, 0 to 50k static peers; idle ${idle_seconds} s with 1k"
python3 tests/bench/footprint.py "$out/peerscout" growth 0 100 1000 10000 50000 \
  >"$out/footprint.jsonl"
python3 tests/bench/footprint.py "$out/peerscout" idle 1000 "$idle_seconds" >>"$out/footprint.jsonl"

rm -f "$out/idle-tailscaled.jsonl"
# Only with the daemons already built: building them takes about 20 minutes.
source tests/tools/daemon-versions.env
daemons="${PEERSCOUT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/peerscout}/bin"
if [[ $(id -u) -eq 0 && -x "$daemons/tailscaled-$TAILSCALE_NEWEST" &&
  -x "$daemons/headscale-$HEADSCALE_NEWEST" ]]; then
  echo "== idle beside tailscaled, 1k static peers and a 4-node tailnet"
  PEERSCOUT="$out/peerscout" python3 tests/bench/tailscale_idle.py "$idle_seconds" 1000 --json \
    >"$out/idle-tailscaled.jsonl"
else
  echo "== idle beside tailscaled: skipped (needs root and scripts/build-test-daemons.sh)"
fi

if [[ -n "${BENCH_SERVE:-}" ]]; then
  echo "== serving beside nginx (tests/bench/serve.sh)"
  bash tests/bench/serve.sh >"$out/serve-bench.txt"
elif [[ -f "$out/serve-bench.jsonl" ]]; then
  echo "== serving: the last serve.sh run's figures ($out/serve-bench.jsonl)"
fi

echo
python3 tests/bench/summary.py "$out"

#!/usr/bin/env bash
# Benchmarks: merge + render at 100, 1k and 10k peers (Google Benchmark), then the running
# sidecar's footprint: resident memory and API latency with 0 and 10k peers, idle CPU.
# Builds a Release tree in build-bench/ and writes results there. Figures, not pass/fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-bench"

bash scripts/setup.sh --test
cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out" --target peerscout peerscout_bench

echo "== merge and render (Google Benchmark)"
"$out/peerscout_bench" --benchmark_min_time=0.5 --benchmark_out="$out/bench.json" \
  --benchmark_out_format=json

# Starts the sidecar with $1 static peers and prints its footprint.
footprint() {
  local peers=$1 dir
  dir=$(mktemp -d)
  # A config file: one variable holds at most 128 KiB, too little for 10k addresses.
  for ((i = 0; i < peers; i++)); do
    printf '[[static]]\naddress = "/ip4/10.%d.%d.%d/tcp/52416"\n' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255))
  done >"$dir/sidecar.toml"
  # In this machine's own network namespace: no mDNS (tests/bench/mdns.sh measures it in a lab).
  PEERSCOUT_RUNTIME_DIR="$dir" PEERSCOUT_LOG_LEVEL=warn PEERSCOUT_REGISTRY_STARTUP_DEADLINE=0s \
    PEERSCOUT_SOURCES_MDNS_ENABLED=false "$out/peerscout" run --config "$dir/sidecar.toml" &
  local pid=$!
  for _ in $(seq 200); do
    curl -sf --unix-socket "$dir/peerscout.sock" http://localhost/v1/health >/dev/null && break
    sleep 0.05
  done
  local first cached exo
  first=$(curl -s -o /dev/null -w '%{time_total}' --unix-socket "$dir/peerscout.sock" http://localhost/v1/peers)
  cached=$(curl -s -o /dev/null -w '%{time_total}' --unix-socket "$dir/peerscout.sock" http://localhost/v1/peers)
  exo=$(curl -s -o /dev/null -w '%{time_total}' --unix-socket "$dir/peerscout.sock" 'http://localhost/v1/peers?format=exo')
  local cpu_before cpu_after
  cpu_before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  sleep 10
  cpu_after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  # RSS counts shared-library pages too; Private_Dirty is the memory this process alone costs.
  printf '%6s peers: RSS %s kB (private dirty %s kB, peak RSS %s kB), threads %s, GET /v1/peers json %ss (again, cached %ss), exo %ss, idle CPU %s ticks/10s\n' \
    "$peers" "$(awk '/VmRSS/{print $2}' "/proc/$pid/status")" \
    "$(awk '/^Private_Dirty/{print $2}' "/proc/$pid/smaps_rollup")" "$(awk '/VmHWM/{print $2}' "/proc/$pid/status")" \
    "$(awk '/Threads/{print $2}' "/proc/$pid/status")" "$first" "$cached" "$exo" "$((cpu_after - cpu_before))"
  kill "$pid"; wait "$pid" || true
  rm -rf "$dir"
}

echo "== sidecar footprint (Release, $(ls -l "$out/peerscout" | awk '{print $5}') bytes unstripped)"
footprint 0
footprint 1000
footprint 10000

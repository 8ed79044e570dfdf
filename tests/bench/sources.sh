#!/usr/bin/env bash
# The sources' figures, as tables with their anchors and ratios:
#   - tailscale: parse + select + merge of a 10k-peer status, beside RapidJSON's no-op SAX pass
#     over the same bytes and python3's json doing the same extraction (Skulk's way);
#   - Headscale: parse (+ select) of 1k and 10k nodes beside the no-op SAX pass, and the load N
#     sidecars put on one Headscale at the defaults, from the measured response size;
#   - with root and the built daemons: join -> on the socket over 20 joins of a real tailnet (both
#     tailscale versions), a Headscale tag change -> on the socket (poll_interval 5 s), and the
#     idle footprint beside tailscaled.
# Figures, not pass/fail. Builds a Release tree in build-bench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-bench"

bash scripts/setup.sh --test
cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out" --target peerscout peerscout_source_bench

# Payloads of 100 to 50k peers for the parser benchmarks (tests/bench/run.sh's growth table
# reads the same directory); this table shows 10k of tailscale, 1k and 10k of Headscale.
payloads="$out/payloads"
bash tests/bench/payloads.sh "$payloads"
status="$payloads/status-10000.json"
PEERSCOUT_BENCH_PAYLOADS="$payloads" "$out/peerscout_source_bench" \
  --benchmark_filter='^BM_(RapidJson|Parse|Headscale).*/(1000|10000)$' \
  --benchmark_min_time=1 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/source-bench.json" --benchmark_out_format=json >/dev/null
python_ms=$(python3 tests/bench/python_status_extract.py "$status" 5 | cut -d' ' -f1)
python3 - "$out/source-bench.json" "$python_ms" "$(stat -c %s "$status")" \
  "$(stat -c %s "$payloads/nodes-1000.json")" "$(stat -c %s "$payloads/nodes-10000.json")" <<'PY'
import json, sys
runs = {b["run_name"]: b["real_time"] for b in json.load(open(sys.argv[1]))["benchmarks"]
        if b.get("aggregate_name") == "median"}
python_ms, status_bytes = float(sys.argv[2]), int(sys.argv[3])
nodes_1k, nodes_10k = int(sys.argv[4]), int(sys.argv[5])

print(f"== tailscale: 10k-peer status, {status_bytes / 1e6:.1f} MB (scaled from a captured one)")
floor = runs["BM_RapidJsonNoopSax/10000"]
rows = [("RapidJSON no-op SAX (the floor)", floor),
        ("RapidJSON no-op SAX, iterative + UTF-8 validation",
         runs["BM_RapidJsonNoopSaxSameFlags/10000"]),
        ("peerscout ParseStatus", runs["BM_ParseStatus/10000"]),
        ("peerscout parse + select", runs["BM_ParseAndSelect/10000"]),
        ("peerscout parse + select + merge", runs["BM_ParseSelectMerge/10000"]),
        ("python3 json.loads + extraction", python_ms)]
print(f"{'':52} {'ms':>8} {'floor/this':>11} {'python/this':>12}")
for name, ms in rows:
    print(f"{name:52} {ms:8.1f} {floor / ms:10.2f}x {python_ms / ms:11.1f}x")

print("\n== Headscale: GET /api/v1/node bodies scaled from a captured v0.29.2 one")
print(f"{'':34} {'1k nodes ms':>12} {'ratio':>7} {'10k nodes ms':>13} {'ratio':>7}")
for label, name in [("RapidJSON no-op SAX (the floor)", "BM_HeadscaleNoopSax"),
                    ("peerscout ParseNodeList", "BM_ParseNodeList"),
                    ("peerscout parse + select", "BM_ParseAndSelectNodes")]:
    a, b = runs[f"{name}/1000"], runs[f"{name}/10000"]
    fa, fb = runs["BM_HeadscaleNoopSax/1000"], runs["BM_HeadscaleNoopSax/10000"]
    print(f"{label:34} {a:12.2f} {fa / a:6.2f}x {b:13.2f} {fb / b:6.2f}x")

per_node = nodes_10k / 10000
print(f"\n== load on one Headscale, every node running a sidecar at the defaults "
      f"(poll_interval 5 s, {per_node:.0f} bytes of JSON per node, measured)")
print(f"{'nodes':>6} {'requests/s':>11} {'response':>10} {'bytes/s out of Headscale':>26}")
for n in (100, 1000):
    body = n * per_node
    print(f"{n:6} {n / 5:11.0f} {body / 1e6:8.2f} MB {n * body / 5 / 1e6:21.1f} MB/s")
print("The tailscale source reads the same tags from the local tailscaled, which already holds "
      "the netmap that control pushes to every node: it adds no request to Headscale at all.")
PY

if [[ $(id -u) -eq 0 ]] && bash scripts/build-test-daemons.sh; then
  source tests/tools/daemon-versions.env
  export PEERSCOUT="$out/peerscout"
  for version in "$TAILSCALE_NEWEST" "$TAILSCALE_OLDEST"; do
    echo "== join -> on the socket, tailscale $version (floor: tailscaled itself, 0.36 s)"
    python3 tests/bench/tailscale_join.py "$version" 20
  done
  echo "== Headscale tag change -> on the socket, Headscale $HEADSCALE_NEWEST"
  python3 tests/bench/headscale_change.py "$HEADSCALE_NEWEST" 10
  echo "== idle beside tailscaled (tailscale source on the LocalAPI and the IPN bus)"
  python3 tests/bench/tailscale_idle.py 60
else
  echo "== latency figures skipped: need root and the tailnet daemons (scripts/build-test-daemons.sh)"
fi

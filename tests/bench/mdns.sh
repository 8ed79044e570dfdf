#!/usr/bin/env bash
# The mdns source's figures, as tables with their anchors and ratios, on a 3-host LAN lab
# (tests/integration/lan/lab.sh; peerscout in host 2, peers in host 1, anchors in host 3):
#   1. DNS-SD: avahi-publish -> listed and SIGTERM (goodbye) -> gone, beside avahi-browse -rp;
#   2. go-libp2p (tests/peers/libp2p-mdns): start -> listed beside another go-libp2p peer's
#      `found`, SIGTERM (goodbye) -> gone;
#   3. rust-libp2p's wire format (exo; tests/peers/rust_mdns_responder.py --query): start ->
#      listed, a TTL-0 response -> gone, and how often a go-libp2p peer finds it (never);
#   4. idle traffic from host 2 on 5353: the start-up burst, then packets/minute with peerscout
#      and with avahi-daemon alone, beside peerscout's own queries_sent counter.
# Figures, not pass/fail; about 10 minutes. Needs root (network namespaces), dbus-daemon,
# avahi-daemon and avahi-utils (scripts/setup.sh --test), and Go for the go-libp2p peer.
# Everything that multicasts runs inside the lab's hosts, never in this namespace.
# Builds a Release tree in build-bench/; logs go to build-bench/mdns-bench/.
# MDNS_BENCH_TRIALS (20), MDNS_BENCH_IDLE (120 s) and MDNS_BENCH_BURST (75 s) shorten a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-bench"

[[ $(id -u) -eq 0 ]] || { echo "mdns.sh: needs root (the lab's network namespaces)" >&2; exit 1; }
for c in avahi-publish avahi-browse stdbuf nsenter; do
  command -v "$c" >/dev/null || { echo "mdns.sh: $c missing (scripts/setup.sh --test)" >&2; exit 1; }
done

cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out" --target peerscout
go_peer=$(bash tests/tools/build-daemons.sh libp2p-mdns)

lab_dir=$(mktemp -d /tmp/ps-mdns-bench.XXXXXX)
cleanup() {
  bash tests/integration/lan/lab.sh down "$lab_dir" || true
  rm -rf "$lab_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
bash tests/integration/lan/lab.sh up "$lab_dir" 3

PEERSCOUT="$out/peerscout" python3 -B tests/bench/mdns_latency.py "$lab_dir" "$go_peer"

#!/usr/bin/env bash
# Writes the large source payloads the benchmarks read into DIR: tailscaled statuses
# (status-N.json) and Headscale node lists (nodes-N.json) of 100, 1k, 10k and 50k peers, scaled
# from captured ones. A file already there is kept: they take a while at 50k.
#   tests/bench/payloads.sh DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
mkdir -p "$dir"
for n in 100 1000 10000 50000; do
  [[ -s "$dir/status-$n.json" ]] || python3 tests/bench/scale_tailscale_status.py \
    tests/fixtures/tailscale/v1.102.5/status-running-localapi.json "$dir/status-$n.json" "$n"
  [[ -s "$dir/nodes-$n.json" ]] || python3 tests/bench/scale_headscale_nodes.py \
    tests/fixtures/headscale/v0.29.2/nodes.json "$dir/nodes-$n.json" "$n"
done

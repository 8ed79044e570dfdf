#!/usr/bin/env bash
# Fuzzes the mDNS packet and TXT readers with libFuzzer (clang, with AddressSanitizer and
# UndefinedBehaviorSanitizer) for a while, starting from the packets captured from real peers.
#   tests/fuzz/run.sh [SECONDS]      default 300
# New inputs worth keeping land in tests/fuzz/corpus/mdns_packet/, which ctest replays
# (peerscout_fuzz_replay). Needs clang and its fuzzer runtime (Debian: libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
clang=$(command -v clang++ || command -v clang++-14 || true)
[[ -n $clang ]] || { echo "fuzz: no clang++ (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
out=build/fuzz
mkdir -p "$out" tests/fuzz/corpus/mdns_packet
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I. -isystem /usr/include/avahi-compat-libdns_sd)
mapfile -t sources < <(printf '%s\n' adapters/mdns/libp2p_message.cc adapters/mdns/service_txt.cc \
  sidecar/net/*.cc)
"$clang" "${flags[@]}" tests/fuzz/mdns_packet_fuzz.cc "${sources[@]}" -o "$out/mdns_packet_fuzz" \
  $(pkg-config --libs ldns) -lspdlog -lfmt
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
cp tests/fixtures/mdns/*.bin "$seeds/"
"$out/mdns_packet_fuzz" -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 \
  tests/fuzz/corpus/mdns_packet "$seeds"

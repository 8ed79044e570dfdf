#!/usr/bin/env bash
# Fuzzes one target with libFuzzer (clang, with AddressSanitizer and UndefinedBehaviorSanitizer)
# for a while, starting from its corpus and the payloads captured from real daemons.
#   tests/fuzz/run.sh [TARGET] [SECONDS]      TARGET: mdns_packet (default), address_text,
#                                             tailnet_json, or all; SECONDS default 300
# New inputs worth keeping land in tests/fuzz/corpus/<target>/, which ctest replays
# (fuzz.<target>.replay). Needs clang and its fuzzer runtime (Debian: libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:-mdns_packet}
seconds=${2:-300}
if [[ $target == all ]]; then
  for each in mdns_packet address_text tailnet_json; do bash "$0" "$each" "$seconds"; done
  exit 0
fi
clang=$(command -v clang++ || command -v clang++-14 || true)
[[ -n $clang ]] || { echo "fuzz: no clang++ (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
out=build/fuzz
mkdir -p "$out" "tests/fuzz/corpus/$target"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I. -isystem /usr/include/avahi-compat-libdns_sd)
libs=(-lspdlog -lfmt)
seeds=()
case $target in
  mdns_packet)
    sources=(adapters/mdns/libp2p_message.cc adapters/mdns/service_txt.cc)
    libs+=($(pkg-config --libs ldns))
    seeds=(tests/fixtures/mdns)
    max_len=2048 ;;
  address_text)
    sources=(adapters/env/bootstrap_list.cc sidecar/core/*.cc sidecar/config/option.cc sidecar/config/duration.cc)
    max_len=512 ;;
  tailnet_json)
    sources=(adapters/tailscale/status.cc adapters/headscale/node_list.cc sidecar/core/*.cc
      sidecar/config/option.cc sidecar/config/duration.cc)
    seeds=(tests/fixtures/tailscale/* tests/fixtures/headscale/*)
    max_len=65536 ;;
  *) echo "fuzz: no target $target" >&2; exit 2 ;;
esac
"$clang" "${flags[@]}" "tests/fuzz/${target}_fuzz.cc" "${sources[@]}" sidecar/net/*.cc \
  -o "$out/${target}_fuzz" "${libs[@]}"
# The seeds are copied so that the fuzzer adds its finds to the corpus only.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for dir in "${seeds[@]}"; do
  find "$dir" -maxdepth 1 -type f -exec cp {} "$scratch/" \;
done
"$out/${target}_fuzz" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
  "tests/fuzz/corpus/$target" "$scratch"

#!/usr/bin/env bash
# Fuzzes targets with libFuzzer (clang, with AddressSanitizer and UndefinedBehaviorSanitizer)
# for a while, starting from their corpora and the payloads captured from real daemons.
#   tests/fuzz/run.sh [--check] [TARGET|all] [SECONDS]
#     TARGET: mdns_packet (default), address_text, tailnet_json, config, api_query, exo_datagram,
#     or all
#     SECONDS per target, default 300
#     --check: a bounded run for the test command; the corpus is read, never added to
# New inputs worth keeping land in tests/fuzz/corpus/<target>/, which ctest replays
# (fuzz.<target>.replay); a crash leaves its input in build-asan/fuzz-crashes/ and fails.
# The targets are built in build-asan/, the tree scripts/sanitize.sh tests in.
# Needs clang and its fuzzer runtime (Debian: clang-14, libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."
check=false
if [[ ${1:-} == --check ]]; then
  check=true
  shift
fi
target=${1:-mdns_packet}
seconds=${2:-300}
all=(mdns_packet address_text tailnet_json config api_query exo_datagram)
if [[ $target == all ]]; then
  targets=("${all[@]}")
else
  targets=("$target")
fi

# The payloads each target starts from besides its corpus, and the longest input worth trying.
seeds_of() {
  case $1 in
    mdns_packet) echo 2048 tests/fixtures/mdns ;;
    address_text) echo 512 ;;
    tailnet_json) echo 65536 tests/fixtures/tailscale/* tests/fixtures/headscale/* ;;
    config) echo 16384 sidecar.toml.example ;;
    api_query) echo 512 ;;
    exo_datagram) echo 64 ;;
    *) echo "fuzz: no target $1" >&2; return 2 ;;
  esac
}

for each in "${targets[@]}"; do seeds_of "$each" >/dev/null; done
bash tests/sanitizers/configure.sh asan
cmake --build build-asan --target "${targets[@]/%/_fuzz}"
crashes=$PWD/build-asan/fuzz-crashes
mkdir -p "$crashes"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A finding ends the run (UBSan's are recoverable in the build, see CMakeLists.txt).
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/sanitizers/ubsan.supp
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp
for each in "${targets[@]}"; do
  read -r max_len seed_dirs <<<"$(seeds_of "$each")"
  corpus=tests/fuzz/corpus/$each
  mkdir -p "$corpus"
  # The seeds are copied so that the fuzzer adds its finds to the corpus only; under --check,
  # the corpus too, so that nothing is added to the repository.
  rm -rf "${scratch:?}"/*
  mkdir -p "$scratch/seeds" "$scratch/corpus"
  for dir in $seed_dirs; do
    find "$dir" -maxdepth 1 -type f ! -name README.md -exec cp {} "$scratch/seeds/" \;
  done
  if $check; then
    cp -r "$corpus/." "$scratch/corpus/"
    corpus=$scratch/corpus
  fi
  echo "fuzz: $each for ${seconds}s"
  # </dev/null: a config naming /dev/stdin must not wait for a terminal.
  "build-asan/${each}_fuzz" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$crashes/$each-" "$corpus" "$scratch/seeds" </dev/null
done

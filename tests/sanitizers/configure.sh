#!/usr/bin/env bash
# Configures one sanitizer tree, the same way for scripts/sanitize.sh and tests/fuzz/run.sh so
# that they share its objects:
#   tests/sanitizers/configure.sh asan    build-asan/: ASan + UBSan, and the libFuzzer targets
#   tests/sanitizers/configure.sh tsan    build-tsan/: TSan
# clang (Debian's clang-14), -O1 with line tables (reports still name lines, in less build time
# than -O2 -g), and ccache when there is one. No unity build: files share the names of their
# file-local helpers (a Result alias, Run, kUsageError, test fixtures), which is fine apart.
# -Werror=reserved-identifier: a name reserved for the implementation (_X, __x, a__b) fails the
# build; the compiler does it for nothing, where clang-tidy's check cost a fifth of its time.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=${1:?asan or tsan}
case $name in
  asan) options=(-DPEERSCOUT_SANITIZE=address,undefined -DPEERSCOUT_FUZZ=ON) ;;
  tsan) options=(-DPEERSCOUT_SANITIZE=thread) ;;
  *) echo "configure: asan or tsan, not $name" >&2; exit 2 ;;
esac
clang=$(command -v clang++-14 || command -v clang++ || true)
[[ -n $clang ]] || { echo "configure: no clang++ (scripts/setup.sh --test)" >&2; exit 1; }
command -v ccache >/dev/null && options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "build-$name" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_COMPILER="$clang" \
  -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only -Werror=reserved-identifier" "${options[@]}" >/dev/null

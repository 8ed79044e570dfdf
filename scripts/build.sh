#!/usr/bin/env bash
# Configures and builds into build/ (pass extra CMake options as arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache, when there is one (scripts/setup.sh --test installs it), makes a rebuild of what did
# not change, in this tree or a new clone at the same path, a cache hit.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Line tables (-g1) instead of full debug info: nothing the tests run reads more (the .deb is
# stripped, the benchmarks build a Release tree of their own), and -g was a third of the
# compile time (6 typical files, gcc 12: 44.8 CPU-s with -g, 30.2 with -g1, 29.1 without);
# backtraces still name functions and lines. Any argument overrides it, e.g. for gdb:
#   scripts/build.sh -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -g -DNDEBUG'
cmake -S . -B build -G Ninja "${launcher[@]}" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -g1 -DNDEBUG' \
  "$@" >/dev/null
cmake --build build

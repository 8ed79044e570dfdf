#!/usr/bin/env bash
# Configures and builds into build/ (pass extra CMake options as arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache, when there is one (scripts/setup.sh --test installs it), makes a rebuild of what did
# not change, in this tree or a new clone at the same path, a cache hit.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja "${launcher[@]}" "$@" >/dev/null
cmake --build build

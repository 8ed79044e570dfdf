#!/usr/bin/env bash
# The code base's checks, run by scripts/test.sh: clang-format on every C++ file (no change
# allowed), then clang-tidy with the checks in .clang-tidy (every finding an error), over the
# compile_commands.json of build/. With --fix, clang-format rewrites the files instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
[[ -f build/compile_commands.json ]] || bash scripts/build.sh >/dev/null
mapfile -t sources < <(git ls-files '*.cc')
# Two at a time per core: most of the time is parsing headers.
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet 2>/dev/null
echo "lint: clang-format and clang-tidy found nothing in ${#files[@]} files"

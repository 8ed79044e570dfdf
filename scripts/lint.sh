#!/usr/bin/env bash
# The code base's checks, run by scripts/test.sh: the include rules of LAYERS
# (scripts/check-layers.sh), clang-format on every C++ file (no change allowed), then
# clang-tidy with the checks in .clang-tidy (every finding an error), over the
# compile_commands.json of build/.
#   scripts/lint.sh            every file
#   scripts/lint.sh --changed  only the files that differ from where this branch left origin/main
#                              (or from HEAD without one), untracked ones included: the fast loop
#   scripts/lint.sh --fix      clang-format rewrites every file instead
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
if [[ $mode == --changed ]]; then
  base=$(git merge-base HEAD origin/main 2>/dev/null || git rev-parse HEAD)
  mapfile -t files < <({
    git diff --name-only --diff-filter=d "$base" -- '*.cc' '*.h'
    git ls-files --others --exclude-standard -- '*.cc' '*.h'
  } | sort -u)
  if ((${#files[@]} == 0)); then
    echo "lint: no C++ file changed"
    exit 0
  fi
else
  mapfile -t files < <(git ls-files '*.cc' '*.h')
fi
if [[ $mode == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
mapfile -t layered < <(printf '%s\n' "${files[@]}" | grep -E '^(sidecar|adapters)/' || true)
if ((${#layered[@]} > 0)); then
  bash scripts/check-layers.sh "${layered[@]}"
fi
clang-format --dry-run --Werror "${files[@]}"
# clang-tidy needs only the compile commands, which configuring writes: nothing is generated,
# so nothing has to be built first (a build of everything was half an hour of CPU).
[[ -f build/compile_commands.json ]] || cmake -S . -B build -G Ninja >/dev/null
mapfile -t sources < <(printf '%s\n' "${files[@]}" | grep '\.cc$' || true)
# One clang-tidy per core, four files each.
if ((${#sources[@]} > 0)); then
  printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet 2>/dev/null
fi
echo "lint: clang-format and clang-tidy found nothing in ${#files[@]} files"

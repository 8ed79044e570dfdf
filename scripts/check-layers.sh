#!/usr/bin/env bash
# Fails when a file under sidecar/ or adapters/ includes a header of a folder that LAYERS does
# not allow it, or when such a folder has no line in LAYERS; each finding names the rule.
#   scripts/check-layers.sh [FILE...]    default: every tracked C++ file
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# == 0)); then
  mapfile -t files < <(git ls-files 'sidecar/*.cc' 'sidecar/*.h' 'adapters/*.cc' 'adapters/*.h')
else
  files=("$@")
fi
awk '
  FNR == NR {  # LAYERS: folder: allowed...
    if ($0 ~ /^[[:space:]]*(#|$)/) next
    folder = $1; sub(/:$/, "", folder)
    rules[folder] = " "
    for (i = 2; i <= NF; i++) rules[folder] = rules[folder] $i " "
    next
  }
  FNR == 1 {
    split(FILENAME, part, "/")
    folder = part[1] "/" part[2]
    rule = folder
    if (part[1] == "adapters") rule = "adapters/*"
    if (!(rule in rules)) {
      printf "%s: folder %s has no line in LAYERS\n", FILENAME, folder
      bad = 1
    }
  }
  /^#include "(sidecar|adapters)\// {
    header = $2; gsub(/"/, "", header)
    split(header, part, "/")
    target = part[1] "/" part[2]
    if (!(rule in rules)) next
    allowed = target == folder || index(rules[rule], " " target " ") > 0
    # adapters/* names the source folders for the floors above them; a source includes its own.
    if (!allowed && part[1] == "adapters") allowed = index(rules[rule], " adapters/* ") > 0 && rule != "adapters/*"
    if (!allowed) {
      printf "%s:%d: includes %s, but LAYERS lets %s include only its own folder and:%s\n", FILENAME, FNR, header, rule, rules[rule]
      bad = 1
    }
  }
  END { exit bad }
' LAYERS "${files[@]}"

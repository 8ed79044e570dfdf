#!/usr/bin/env bash
# contrib/systemd/peerscout.service checked by systemd-analyze verify: any line it prints about
# our unit fails, as does a unit whose command line or runtime directory the binary disagrees
# with.
#   tests/deploy/verify-unit.sh PEERSCOUT_BINARY
# Exit 77 (skipped) without systemd-analyze, unless PEERSCOUT_REQUIRE_INTEGRATION=1.
set -euo pipefail
binary=$(realpath "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
unit=$repo/contrib/systemd/peerscout.service

if ! command -v systemd-analyze >/dev/null; then
  echo "verify-unit: no systemd-analyze (scripts/setup.sh --test installs systemd)" >&2
  [[ "${PEERSCOUT_REQUIRE_INTEGRATION:-}" == 1 ]] && exit 1
  exit 77
fi

fail() {
  echo "verify-unit: $*" >&2
  exit 1
}

# What the unit runs is what the .deb installs, with flags the binary takes.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ "$exec_start" == "/usr/bin/peerscout run --config /etc/peerscout/sidecar.toml" ]] ||
  fail "ExecStart is '$exec_start'"
"$binary" check-config --config "$repo/sidecar.toml.example" >/dev/null ||
  fail "the config the .deb installs is refused"
# The runtime directory systemd makes is the one peerscout uses by default.
runtime_dir=$("$binary" check-config --keys | sed -n 's/^  runtime_dir (string, default "\(.*\)",.*/\1/p')
[[ "$runtime_dir" == "/run/$(sed -n 's/^RuntimeDirectory=//p' "$unit")" ]] ||
  fail "RuntimeDirectory= is not peerscout's runtime_dir ($runtime_dir)"

# verify wants ExecStart's program to exist: this build's binary stands in for /usr/bin's.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s#^ExecStart=/usr/bin/peerscout #ExecStart=$binary #" "$unit" >"$work/peerscout.service"
status=0
output=$(cd "$work" && systemd-analyze verify "$work/peerscout.service" 2>&1) || status=$?
if ((status != 0)) || grep -q "peerscout" <<<"$output"; then
  printf '%s\n' "$output" >&2
  fail "systemd-analyze verify: exit $status"
fi
# The exposure systemd-analyze gives the hardening, for the log (lower is better; 10 is none).
systemd-analyze security --offline=yes "$work/peerscout.service" 2>/dev/null | tail -n1 || true
echo "verify-unit: ok"

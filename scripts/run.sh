#!/usr/bin/env bash
# Installs what is missing, builds, and runs peerscout on sidecar.toml.example.
# As root it serves /run/peerscout/peerscout.sock; otherwise $XDG_RUNTIME_DIR/peerscout
# (or /tmp/peerscout-$USER). Extra arguments go to `peerscout run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
if [[ $(id -u) -ne 0 && -z "${PEERSCOUT_RUNTIME_DIR:-}" ]]; then
  export PEERSCOUT_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/peerscout-$(id -un)}/peerscout"
fi
exec ./build/peerscout run --config sidecar.toml.example "$@"

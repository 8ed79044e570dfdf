#!/usr/bin/env bash
# ctest's deploy.two_sites: the Compose deployment run for real (contrib/docker-compose/two-sites.sh).
# Without Docker, docker-compose or /dev/net/tun it skips (77); under
# PEERSCOUT_REQUIRE_INTEGRATION=1 that is a failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
missing=""
docker info >/dev/null 2>&1 || missing+=" a running Docker Engine"
command -v docker-compose >/dev/null || missing+=" docker-compose"
[[ -c /dev/net/tun ]] || missing+=" /dev/net/tun"
if [[ -n $missing ]]; then
  echo "deploy.two_sites: needs$missing" >&2
  [[ ${PEERSCOUT_REQUIRE_INTEGRATION:-} == 1 ]] && exit 1
  exit 77
fi
exec bash "$repo/contrib/docker-compose/two-sites.sh"

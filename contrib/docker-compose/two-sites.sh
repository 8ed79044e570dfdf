#!/usr/bin/env bash
# two-sites.sh: builds the images and runs two sites joined only through Headscale, each with
# tailscaled, peerscout and a stand-in app; exits 0 once each app has reached the other site's
# app at an address peerscout discovered, 1 if that does not happen in time. Tears everything
# down on every exit (KEEP=1 leaves it up to look at).
#
# Site A's app starts through `peerscout exec` and reads EXO_BOOTSTRAP_PEERS; site B's reads
# the peers file. No address is typed anywhere: the sites' networks are internal (no route out,
# no route to each other), and only the Headscale container is on both.
#
# Needs Docker (with /dev/net/tun) and docker-compose, and the tailscale and Headscale builds
# (tests/tools/build-daemons.sh, which uses Go). scripts/docker-images.sh builds the images
# (peerscout:latest and peerscout-demo-{app,tailscaled,headscale}:latest), which stay for the
# next run, as does the Debian base image.
# Environment: BASE_IMAGE (default: make one with debootstrap), TIMEOUT seconds (default 300).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout=${TIMEOUT:-300}
run_id=ps2s$$
work=$(mktemp -d)
log() { printf 'two-sites: %s\n' "$*" >&2; }

compose() { # compose PROJECT FILE... -- ARGS...
  local project=$1 files=()
  shift
  while [[ $1 != -- ]]; do
    files+=(-f "$here/$1")
    shift
  done
  shift
  docker-compose --project-directory "$here" -p "$project" "${files[@]}" "$@"
}

site_env() { # site_env NAME SUBNET: the variables site.yml takes
  export SITE=$1 SUBNET=$2 AUTHKEY_FILE=$work/authkey
}

teardown() {
  local status=$?
  if [[ ${KEEP:-} == 1 ]]; then
    log "KEEP=1: left running (projects ${run_id}a, ${run_id}b, ${run_id}hs)"
    exit "$status"
  fi
  export SITE_A_NETWORK=${run_id}a_lan SITE_B_NETWORK=${run_id}b_lan
  compose "${run_id}hs" headscale.yml -- down -v --remove-orphans >/dev/null 2>&1 || true
  site_env site-a 172.31.251.0/24
  compose "${run_id}a" site.yml -- down -v --remove-orphans >/dev/null 2>&1 || true
  site_env site-b 172.31.252.0/24
  compose "${run_id}b" site.yml peers-file.yml -- down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap teardown EXIT

build_images() {
  bash "$repo/scripts/docker-images.sh"
}

wait_healthy() { # wait_healthy CONTAINER SECONDS
  local i state
  for ((i = 0; i < $2 * 2; i++)); do
    state=$(docker inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null || true)
    [[ $state == healthy ]] && return 0
    sleep 0.5
  done
  log "$1 is not healthy after $2 s: $state"
  docker logs --tail 20 "$1" >&2 || true
  return 1
}

# A reusable pre-auth key, written where only the tailscaled containers read it.
make_authkey() {
  local hs=$1 user_arg=demo
  docker exec "$hs" headscale users create demo >/dev/null
  if docker exec "$hs" headscale preauthkeys create --help 2>&1 | grep -q 'User identifier (ID)'; then
    user_arg=$(docker exec "$hs" headscale users list -o json | python3 -c \
      'import json,sys; print(next(u["id"] for u in json.load(sys.stdin) if u["name"] == "demo"))')
  fi
  (umask 077 && docker exec "$hs" headscale preauthkeys create --user "$user_arg" --reusable \
    --expiration 1h >"$work/authkey.raw")
  tail -n1 "$work/authkey.raw" | tr -d '\r\n' >"$work/authkey"
  rm -f "$work/authkey.raw"
}

container() { docker-compose --project-directory "$here" -p "$1" -f "$here/site.yml" ps -q "$2"; }

# reached PROJECT OTHER_SITE: the app's log says it reached the other site's app
reached() {
  docker logs "$(container "$1" app)" 2>&1 | grep -q "reached $2-app at 100\."
}

main() {
  build_images
  : >"$work/authkey"
  # The sites' internal networks exist first, so the Headscale container can join both. Only
  # tailscaled is created now: a container that shares the network of one not yet running
  # would get a namespace of its own.
  site_env site-a 172.31.251.0/24
  compose "${run_id}a" site.yml -- up --no-start tailscaled >/dev/null
  site_env site-b 172.31.252.0/24
  compose "${run_id}b" site.yml peers-file.yml -- up --no-start tailscaled >/dev/null
  export SITE_A_NETWORK=${run_id}a_lan SITE_B_NETWORK=${run_id}b_lan
  compose "${run_id}hs" headscale.yml -- up -d >/dev/null
  local hs
  hs=$(docker-compose --project-directory "$here" -p "${run_id}hs" -f "$here/headscale.yml" ps -q headscale)
  wait_healthy "$hs" 60
  make_authkey "$hs"
  site_env site-a 172.31.251.0/24
  compose "${run_id}a" site.yml -- up -d >/dev/null
  site_env site-b 172.31.252.0/24
  compose "${run_id}b" site.yml peers-file.yml -- up -d >/dev/null
  log "sites up; waiting up to $timeout s for each app to reach the other"
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if reached "${run_id}a" site-b && reached "${run_id}b" site-a; then
      report
      log "both apps reached each other through peers peerscout found"
      return 0
    fi
    sleep 2
  done
  log "timed out"
  report
  return 1
}

report() {
  local project site
  for project in "${run_id}a" "${run_id}b"; do
    site=site-${project: -1}
    echo "== $site: peerscout peers"
    docker exec "$(container "$project" peerscout)" peerscout peers --format multiaddr 2>&1 || true
    echo "== $site: app"
    docker logs "$(container "$project" app)" 2>&1 | tail -n 5 || true
  done
}

main

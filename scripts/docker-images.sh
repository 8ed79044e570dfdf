#!/usr/bin/env bash
# Builds the images the Compose deployment runs, on a Debian base image made by
# scripts/docker-base-image.sh unless BASE_IMAGE names one:
#   peerscout:latest                   the repo's Dockerfile
#   peerscout-demo-app:latest          the stand-in app (contrib/docker-compose/app)
#   peerscout-demo-tailscaled:latest   tailscaled and tailscale, from tests/tools/build-daemons.sh
#   peerscout-demo-headscale:latest    Headscale, the same way
# Docker's layer cache makes a second run with the same sources take seconds.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
compose_dir=$repo/contrib/docker-compose
source "$repo/tests/tools/daemon-versions.env"
base=${BASE_IMAGE:-$(bash "$repo/scripts/docker-base-image.sh")}
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
log() { printf 'docker-images: %s\n' "$*" >&2; }

build() { # build TAG CONTEXT [ARGS...]
  local tag=$1 dir=$2 started=$SECONDS
  shift 2
  docker build -q "$@" -t "$tag" "$dir" >/dev/null
  log "$tag ($((SECONDS - started)) s, $(docker image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec))"
}

mapfile -t tailscale < <(bash "$repo/tests/tools/build-daemons.sh" tailscale "$TAILSCALE_NEWEST")
headscale=$(bash "$repo/tests/tools/build-daemons.sh" headscale "$HEADSCALE_NEWEST")

build peerscout:latest "$repo" --build-arg BASE_IMAGE="$base"
build peerscout-demo-app:latest "$compose_dir/app" --build-arg PEERSCOUT_IMAGE=peerscout:latest

mkdir "$context/tailscaled" "$context/headscale"
cp "$compose_dir/tailscaled/Dockerfile" "$compose_dir/tailscaled/entrypoint.sh" "$context/tailscaled/"
cp "${tailscale[0]}" "$context/tailscaled/tailscaled"
cp "${tailscale[1]}" "$context/tailscaled/tailscale"
build peerscout-demo-tailscaled:latest "$context/tailscaled" --build-arg BASE_IMAGE="$base"
cp "$compose_dir/headscale/Dockerfile" "$compose_dir/headscale/config.yaml" "$context/headscale/"
cp "$headscale" "$context/headscale/headscale"
build peerscout-demo-headscale:latest "$context/headscale" --build-arg BASE_IMAGE="$base"

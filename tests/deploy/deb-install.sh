#!/usr/bin/env bash
# The .deb, installed for real: CPack builds it from BUILD_DIR, `apt-get install ./peerscout_*.deb`
# in an image FROM scripts/docker-base-image.sh's base pulls its Depends from the Debian mirror,
# and a container of that image with no network starts `peerscout run` on the installed config,
# unprivileged, and answers `peerscout health` and `peerscout peers`.
#   tests/deploy/deb-install.sh BUILD_DIR
# Prints the package's size and Depends. Removes its container and image (the base is kept).
# Exit 77 (skipped) without Docker, unless PEERSCOUT_REQUIRE_INTEGRATION=1.
set -euo pipefail
build=$(realpath "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)

skip() {
  echo "deb-install: $*" >&2
  [[ "${PEERSCOUT_REQUIRE_INTEGRATION:-}" == 1 ]] && exit 1
  exit 77
}
fail() {
  echo "deb-install: $*" >&2
  exit 1
}
command -v docker >/dev/null || skip "no docker"
timeout 20 docker info >/dev/null 2>&1 || skip "docker does not answer"
command -v dpkg-shlibdeps >/dev/null || skip "no dpkg-shlibdeps (scripts/setup.sh --test installs dpkg-dev)"

work=$(mktemp -d)
tag="peerscout-deb-test:$$"
container="peerscout-deb-test-$$"
cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  docker rmi "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cmake --build "$build" --target peerscout >/dev/null
(cd "$build" && timeout 300 cpack -G DEB -B "$work/package" >"$work/cpack.log" 2>&1) ||
  fail "cpack: $(cat "$work/cpack.log")"
deb=$(find "$work/package" -maxdepth 1 -name 'peerscout_*.deb' | head -n1)
[[ -n "$deb" ]] || fail "no .deb in $(ls "$work/package")"
echo "deb-install: $(basename "$deb"), $(stat -c %s "$deb") bytes"
echo "deb-install: Depends: $(dpkg-deb -f "$deb" Depends)"

base=$(timeout 300 bash "$repo/scripts/docker-base-image.sh")
mkdir "$work/context"
cp "$deb" "$work/context/"
cat >"$work/context/Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
WORKDIR /tmp/deb
COPY peerscout_*.deb ./
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./peerscout_*.deb \
    && rm -rf /var/lib/apt/lists/* /tmp/deb
DOCKERFILE
DOCKER_BUILDKIT=0 timeout 600 docker build -q --build-arg BASE_IMAGE="$base" -t "$tag" \
  "$work/context" >"$work/build.log" 2>&1 || fail "docker build: $(cat "$work/build.log")"

# As the unit runs it: a user with no privileges, in the runtime directory systemd would make.
# One peer comes from the environment, so `peerscout peers` has something to list.
peer=/ip4/10.88.0.2/tcp/52416
docker run -d --name "$container" --network none -e PEERSCOUT_PEERS="$peer" "$tag" sh -c '
  mkdir -p /run/peerscout && chown nobody:nogroup /run/peerscout &&
  exec setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
    peerscout run --config /etc/peerscout/sidecar.toml' >/dev/null
in_container() { docker exec "$container" "$@"; }

healthy=false
for _ in $(seq 1 60); do
  if in_container peerscout health >"$work/health" 2>&1; then
    healthy=true
    break
  fi
  sleep 0.5
done
$healthy || fail "peerscout health never passed: $(cat "$work/health")
$(docker logs "$container" 2>&1 | tail -n 20)"
echo "deb-install: health: $(cat "$work/health")"
peers=$(in_container peerscout peers --format multiaddr) || fail "peerscout peers failed"
[[ "$peers" == "$peer" ]] || fail "peerscout peers: '$peers', not $peer"
echo "deb-install: peers: $peers"

in_container test -f /lib/systemd/system/peerscout.service || fail "no unit at /lib/systemd/system"
in_container test -x /usr/bin/peerscout || fail "no /usr/bin/peerscout"
# The installed config is a conffile, with the example's bytes.
conffiles=$(in_container dpkg -s peerscout | sed -n '/^Conffiles:/,/^[^ ]/p')
expected=" /etc/peerscout/sidecar.toml $(md5sum <"$repo/sidecar.toml.example" | cut -d' ' -f1)"
grep -qxF -- "$expected" <<<"$conffiles" || fail "dpkg -s Conffiles: $conffiles"
echo "deb-install: ok"

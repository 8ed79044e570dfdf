#!/usr/bin/env bash
# Builds the third-party daemons the tailnet tests run against (tests/tools/daemon-versions.env),
# the go-libp2p mDNS test peer (tests/peers/libp2p-mdns, keyed by a hash of its source) and
# kubectl-validate (tests/deploy/k8s-validate.sh), cached outside the repo: the first run on a
# machine takes about 25 minutes alone on two cores, later ones nothing. Without Go the tailnet
# and Kubernetes manifest tests skip; with PEERSCOUT_REQUIRE_INTEGRATION=1 that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/tools/daemon-versions.env
if ! command -v go >/dev/null && [[ ! -x /usr/local/go/bin/go ]]; then
  if [[ "${PEERSCOUT_REQUIRE_INTEGRATION:-}" == 1 ]]; then
    echo "build-test-daemons: Go is needed to build tailscaled, Headscale, the libp2p-mdns peer and kubectl-validate" >&2
    exit 1
  fi
  echo "build-test-daemons: no Go; the tailnet and Kubernetes manifest tests will skip" >&2
  exit 0
fi
build() {
  if ! bash tests/tools/build-daemons.sh "$@" >/dev/null; then
    [[ "${PEERSCOUT_REQUIRE_INTEGRATION:-}" == 1 ]] && exit 1
    echo "build-test-daemons: $* did not build; the tests that need it will skip" >&2
  fi
}
build tailscale "$TAILSCALE_NEWEST"
build tailscale "$TAILSCALE_OLDEST"
for version in $HEADSCALE_VERSIONS; do
  build headscale "$version"
done
build libp2p-mdns
build kubectl-validate "$KUBECTL_VALIDATE"

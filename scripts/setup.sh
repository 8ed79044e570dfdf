#!/usr/bin/env bash
# Installs what peerscout needs on Debian 12 or Ubuntu 24.04, and only what is missing.
#   scripts/setup.sh          build dependencies
#   scripts/setup.sh --test   and what the tests and benchmarks use
set -euo pipefail

packages=(
  cmake ninja-build pkg-config g++ ca-certificates
  libcurl4-openssl-dev rapidjson-dev libtomlplusplus-dev libspdlog-dev libcli11-dev
  libmicrohttpd-dev libavahi-client-dev libavahi-compat-libdnssd-dev libldns-dev
  libkainjow-mustache-dev libsystemd-dev
)
if [[ "${1:-}" == "--test" ]]; then
  # curl and util-linux (unshare, nsenter, setpriv) are used by integration tests; iproute2
  # and jq by the tailnet lab (tests/integration/tailnet/lab.sh); openssl by the TLS test;
  # python3 by the benchmarks and the mDNS test peers; avahi-daemon, avahi-utils and
  # dbus-daemon by the LAN lab (tests/integration/lan/lab.sh); python3-yaml by the check of
  # the Kubernetes manifests' values (tests/deploy/k8s_check.py).
  # clang-format and clang-tidy are the lint step (scripts/lint.sh); clang-14 and its runtimes
  # (libclang-rt-14-dev: libFuzzer and the sanitizers) build the fuzz targets and the sanitizer
  # trees (tests/fuzz/run.sh, scripts/sanitize.sh).
  # systemd has systemd-analyze, which checks the unit; dpkg-dev has dpkg-shlibdeps, which
  # CPack runs for the .deb's Depends (tests/deploy/deb-install.sh). ccache makes the test
  # command's rebuilds of unchanged files (build/, the sanitizer trees) cache hits.
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev curl util-linux mount python3 iproute2 jq
    openssl clang-format clang-tidy clang-14 libclang-rt-14-dev avahi-daemon avahi-utils
    dbus-daemon python3-yaml systemd dpkg-dev ccache)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

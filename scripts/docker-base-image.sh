#!/usr/bin/env bash
# Makes a Debian bookworm base image with debootstrap and `docker import`, for machines that
# reach a Debian mirror but no image registry. Prints the image name. The image is kept by
# Docker, so later runs only check that it exists.
#   scripts/docker-base-image.sh [NAME]     default peerscout-base:bookworm
# The mirror is the one this machine's apt uses (PEERSCOUT_DEBIAN_MIRROR overrides it).
set -euo pipefail
name=${1:-peerscout-base:bookworm}
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "$name"
  exit 0
fi

mirror() {
  if [[ -n "${PEERSCOUT_DEBIAN_MIRROR:-}" ]]; then
    echo "$PEERSCOUT_DEBIAN_MIRROR"
    return
  fi
  # deb822 sources first (Debian 12's default), then one-line sources.
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | awk '{print $2}' | head -n1)
  if [[ -z "$uri" ]]; then
    uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | grep -v security |
      awk '{for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' | head -n1)
  fi
  [[ -n "$uri" ]] || {
    echo "docker-base-image: no Debian mirror in apt's sources; set PEERSCOUT_DEBIAN_MIRROR" >&2
    exit 1
  }
  echo "$uri"
}

if ! command -v debootstrap >/dev/null; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "docker-base-image: debootstrap bookworm into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$(mirror)" >&2
# Images stay small: no apt lists, no docs, and apt never keeps downloaded packages.
# debootstrap leaves the packages it installed in apt's archive cache.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
APT::Install-Recommends "false";
EOF
cat >"$root/etc/dpkg/dpkg.cfg.d/docker-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/locale/*
EOF
tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$name" >&2
echo "$name"

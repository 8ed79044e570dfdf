#!/usr/bin/env bash
# build-daemons.sh: build and cache the third-party daemons, Go test peers and Go test tools the tests run.
#
# Usage:
#   build-daemons.sh tailscale VERSION     # e.g. v1.102.5 -> prints .../tailscaled-VERSION and .../tailscale-VERSION
#   build-daemons.sh headscale VERSION     # e.g. v0.29.2  -> prints .../headscale-VERSION
#   build-daemons.sh kubectl-validate VERSION  # e.g. v0.0.4 -> prints .../kubectl-validate-VERSION
#   build-daemons.sh libp2p-mdns [HASH]    # our go-libp2p mDNS peer (tests/peers/libp2p-mdns) -> prints
#                                          # .../libp2p-mdns-HASH
#
# libp2p-mdns is built from this repository's source, so its version is a content hash: HASH = the first
# 12 hex digits of the SHA-256 of go.mod, go.sum and main.go concatenated in that order
# (`cat go.mod go.sum main.go | sha256sum | cut -c1-12` in tests/peers/libp2p-mdns). Without HASH the
# script computes it; a HASH that differs from the current source's is an error (only the current source
# can be built). Editing any of the three files therefore yields a new binary name; old ones stay cached.
#
# Binaries are cached OUTSIDE the repo in
#   ${PEERSCOUT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/peerscout}/bin/
# and a cached binary is never rebuilt (delete it to force a rebuild). Stdout carries only the absolute
# path(s) of the binaries, one per line; everything else (go's output included) goes to stderr.
#
# Concurrency: each PRODUCT-VERSION has its own lock file in the cache dir (lock/PRODUCT-VERSION.lock,
# taken with flock), so concurrent callers for the same version wait for the first one and then reuse
# its binary, while different versions may build side by side. Builds go to a temporary directory inside
# the cache dir and are moved into place with mv (atomic on one filesystem): a reader never sees half a
# binary, and an interrupted build leaves nothing behind in bin/.
#
# How it builds (needs Go and the Go module proxy; nothing else is contacted):
#   tailscale: GOBIN=<tmp> CGO_ENABLED=0 go install -tags <ts_omit_... of the features the tests
#                never use, below> -ldflags='-s -w' \
#                tailscale.com/cmd/tailscaled@VERSION tailscale.com/cmd/tailscale@VERSION
#   kubectl-validate: GOBIN=<tmp> CGO_ENABLED=0 go install sigs.k8s.io/kubectl-validate@VERSION (the
#              Kubernetes API schemas it validates against are built in, so it needs no cluster).
#   headscale: the proxy refuses headscale's version list, so `go install ...@VERSION` fails; instead
#              `go mod download -json github.com/juanfont/headscale@VERSION`, copy its Dir to <tmp>,
#              chmod -R u+w, and `go build -o BIN ./cmd/headscale` there (its own go.mod applies).
#   libp2p-mdns: copy go.mod, go.sum and main.go to <tmp>, check the copy still has HASH, and
#              `go build -trimpath -mod=readonly -o BIN .` there (dependencies from the module proxy,
#              verified against go.sum; measured 44 s with a cold build cache, about 100 s with a cold module
#              cache as well).
# Toolchain: the module's go.mod `go` line (from `go mod download -json`'s GoMod file; for libp2p-mdns
# its own go.mod) decides. If it is newer than the local Go, GOTOOLCHAIN=go<that version> (the go command
# fetches that toolchain from the module proxy, e.g. go1.27.3 for tailscale v1.104.6); otherwise
# GOTOOLCHAIN=local.
#
# Environment: PEERSCOUT_CACHE_DIR (see above); GO (go binary, default: `go` on PATH, else /usr/local/go/bin/go).
# Exit status: 0 on success; nonzero with a one-line reason on stderr.
set -euo pipefail

die() { printf 'build-daemons.sh: %s\n' "$*" >&2; exit 1; }
log() { printf 'build-daemons.sh: %s\n' "$*" >&2; }

usage() {
  die "usage: build-daemons.sh {tailscale|headscale|kubectl-validate} VERSION | libp2p-mdns [HASH] (e.g. tailscale v1.102.5, headscale v0.29.2, kubectl-validate v0.0.4, libp2p-mdns)"
}

[[ $# -ge 1 ]] || usage
product=$1
case "$product" in
  tailscale | headscale | kubectl-validate)
    [[ $# -eq 2 ]] || usage
    version=$2
    # A version ends up in file names and in module queries: accept only semver tags.
    [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
      die "bad version '$version' (want a tag like v1.104.6)"
    ;;
  libp2p-mdns)
    [[ $# -le 2 ]] || usage
    src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../peers/libp2p-mdns" 2>/dev/null && pwd -P) ||
      die "source dir tests/peers/libp2p-mdns not found next to this script"
    src_files=(go.mod go.sum main.go)
    source_hash() { # source_hash DIR: the content hash of DIR's source files
      (cd "$1" && cat "${src_files[@]}") | sha256sum | cut -c1-12
    }
    for f in "${src_files[@]}"; do [[ -f $src_dir/$f ]] || die "missing $src_dir/$f"; done
    version=$(source_hash "$src_dir")
    if [[ $# -eq 2 && $2 != "$version" ]]; then
      die "libp2p-mdns hash '$2' is not the current source's ($version); only the current source can be built"
    fi
    ;;
  *) usage ;;
esac

GO=${GO:-}
if [[ -z $GO ]]; then
  if command -v go >/dev/null 2>&1; then GO=$(command -v go)
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
  else die "go not found (install Go >= 1.21 or set GO=/path/to/go)"; fi
fi
command -v flock >/dev/null 2>&1 || die "flock not found (util-linux)"

cache_dir=${PEERSCOUT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/peerscout}
bin_dir=$cache_dir/bin
mkdir -p "$bin_dir" "$cache_dir/lock" "$cache_dir/tmp" || die "cannot create cache dir $cache_dir"
cache_dir=$(cd "$cache_dir" && pwd -P)
bin_dir=$cache_dir/bin

case "$product" in
  tailscale) module=tailscale.com
             outputs=("$bin_dir/tailscaled-$version" "$bin_dir/tailscale-$version") ;;
  headscale) module=github.com/juanfont/headscale
             outputs=("$bin_dir/headscale-$version") ;;
  kubectl-validate) module=sigs.k8s.io/kubectl-validate
                    outputs=("$bin_dir/kubectl-validate-$version") ;;
  libp2p-mdns) module=peerscout.test/libp2p-mdns
               outputs=("$bin_dir/libp2p-mdns-$version") ;;
esac

all_built() {
  local f
  for f in "${outputs[@]}"; do [[ -x $f ]] || return 1; done
}

print_outputs() { printf '%s\n' "${outputs[@]}"; }

# Fast path without the lock: binaries are only ever moved into place complete.
if all_built; then print_outputs; exit 0; fi

exec 9>"$cache_dir/lock/$product-$version.lock"
if ! flock -n 9; then
  log "another build of $product $version is running; waiting for it"
  flock 9
fi
if all_built; then print_outputs; exit 0; fi

tmp=$(mktemp -d "$cache_dir/tmp/$product-$version.XXXXXX")
cleanup() { chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# go mod download works outside any module when given an explicit version. With GOTOOLCHAIN=local it
# still fetches and reports the module's go.mod (GoMod) when the module needs a newer Go, but then exits
# nonzero with Error "requires go >= X"; that case is what the toolchain choice below resolves.
mod_download() { # mod_download GOTOOLCHAIN: sets mod_json
  mod_json=$(cd "$tmp" && GOTOOLCHAIN=$1 GOFLAGS=-mod=mod "$GO" mod download -json "$module@$version" 2>&1) || true
}
json_field() { # json_field KEY: one string field of go mod download -json's output
  printf '%s\n' "$mod_json" | sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",\\{0,1\\}$/\\1/p" | head -n1 | sed 's/\\n\\t/ /g; s/\\u003c/</g; s/\\u003e/>/g'
}
start=$(date +%s)
mod_err= mod_json=
if [[ $product == libp2p-mdns ]]; then
  # Our own source: build a private copy, so an edit during the build cannot mix versions.
  mkdir "$tmp/src"
  for f in "${src_files[@]}"; do cp "$src_dir/$f" "$tmp/src/$f"; done
  [[ $(source_hash "$tmp/src") == "$version" ]] ||
    die "tests/peers/libp2p-mdns changed while building; run again"
  gomod=$tmp/src/go.mod
else
  mod_download local
  mod_err=$(json_field Error)
  gomod=$(json_field GoMod)
  if [[ -z $gomod || ! -f $gomod ]]; then
    [[ -n $mod_err ]] || mod_err=$(printf '%s' "$mod_json" | tr '\n' ' ' | cut -c1-300)
    die "go mod download $module@$version failed: $mod_err"
  fi
  case "$mod_err" in "" | *"requires go "*) ;; *) die "go mod download $module@$version: $mod_err" ;; esac
fi

# GOTOOLCHAIN from the module's `go` line compared with the local Go version.
want_go=$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.a-z]*\)[[:space:]]*$/\1/p' "$gomod" | head -n1)
local_go=$(GOTOOLCHAIN=local "$GO" env GOVERSION)
local_go=${local_go#go}
local_go=${local_go%% *}
toolchain=local
if [[ -n $want_go ]]; then
  newest=$(printf '%s\n%s\n' "$want_go" "$local_go" | sort -V | tail -n1)
  if [[ $want_go != "$local_go" && $newest == "$want_go" ]]; then
    # go.mod may say "1.27"; toolchain names from 1.21 on are always go1.N.P.
    [[ $want_go =~ ^[0-9]+\.[0-9]+$ ]] && want_go=$want_go.0
    toolchain=go$want_go
  fi
fi
if [[ $product == headscale && ( -n $mod_err || -z $(json_field Dir) ) ]]; then
  mod_download "$toolchain" # now with a toolchain that accepts the module, to get its source Dir
  mod_err=$(json_field Error)
  [[ -z $mod_err ]] || die "go mod download $module@$version (GOTOOLCHAIN=$toolchain): $mod_err"
fi
moddir=$(json_field Dir)
log "building $product $version (module go $want_go, local go $local_go, GOTOOLCHAIN=$toolchain) into $bin_dir"

# go_failure: one line saying why go failed, from its log. The module proxy refuses some module versions
# (403 "not available"); e.g. every tailscale v1.104.x needs a gvisor version it refuses.
go_failure() {
  local refused
  refused=$(grep -o '[^ :]*@v[^ :]*: reading [^ ]*: 403 Forbidden' "$tmp/go.log" | head -n1 | cut -d: -f1)
  if [[ -n $refused ]]; then
    printf 'the module proxy refuses dependency %s (403 not available)' "$refused"
  else
    grep -v '^go: downloading' "$tmp/go.log" | head -n1 | cut -c1-300
  fi
}

export CGO_ENABLED=0 GOTOOLCHAIN=$toolchain
# tailscaled's features the tests never use, left out with its own build tags (a tag a version
# does not know is ignored): the tests run the same LocalAPI, status, IPN bus, netstack, TUN
# and control client, the builds compile about half the Go source (v1.102.5: 24 MB -> 13 MB
# outside the standard library, 825 -> 583 packages; v1.80.3: 20 -> 14 MB), and features that
# would reach out on their own are not there at all: port mapping (UPnP, NAT-PMP, PCP), cloud
# metadata probes, AWS and Kubernetes state stores, update checks, captive portal detection.
tailscale_omitted=ts_omit_captiveportal,ts_omit_clientupdate,ts_omit_aws,ts_omit_bird
tailscale_omitted+=,ts_omit_capture,ts_omit_completion,ts_omit_completion_scripts,ts_omit_kube
tailscale_omitted+=,ts_omit_ssh,ts_omit_tap,ts_omit_wakeonlan,ts_omit_drive,ts_omit_taildrop
tailscale_omitted+=,ts_omit_tpm,ts_omit_relayserver,ts_omit_webclient,ts_omit_serve
tailscale_omitted+=,ts_omit_appconnectors,ts_omit_systray,ts_omit_synology,ts_omit_acme
tailscale_omitted+=,ts_omit_portmapper,ts_omit_debugportmapper,ts_omit_posture,ts_omit_doctor
tailscale_omitted+=,ts_omit_tailnetlock,ts_omit_qrcodes,ts_omit_webbrowser,ts_omit_cloud
tailscale_omitted+=,ts_omit_identityfederation,ts_omit_oauthkey,ts_omit_flashappliance
tailscale_omitted+=,ts_omit_desktop_sessions
# -s -w (every Go build here): no symbol table or DWARF, which nothing reads (a panic's trace
# still names functions and lines), so the linker writes less.
case "$product" in
  tailscale)
    # (pipefail: the pipeline fails when go does)
    if ! GOBIN=$tmp/bin "$GO" install -tags "$tailscale_omitted" -ldflags='-s -w' \
      "tailscale.com/cmd/tailscaled@$version" "tailscale.com/cmd/tailscale@$version" 2>&1 |
      tee "$tmp/go.log" >&2; then
      die "go install tailscale $version failed: $(go_failure)"
    fi
    built=("$tmp/bin/tailscaled" "$tmp/bin/tailscale")
    ;;
  headscale)
    [[ -n $moddir && -d $moddir ]] || die "go mod download gave no source Dir for $module@$version"
    cp -R "$moddir" "$tmp/src"
    chmod -R u+w "$tmp/src"
    # Stamp the version where a variable for it exists (v0.23-v0.26 report e.g. "v0.26.1"); -X on a
    # symbol that does not exist is ignored by the linker. v0.29 reads only the build info, which says
    # "(devel)" for a build in a copy, so it reports "dev".
    ldflags="-X github.com/juanfont/headscale/hscontrol/types.Version=$version"
    ldflags+=" -X github.com/juanfont/headscale/cmd/headscale/cli.Version=$version -s -w"
    if ! (cd "$tmp/src" && "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/bin/headscale" ./cmd/headscale) 2>&1 |
      tee "$tmp/go.log" >&2; then
      die "go build headscale $version failed: $(go_failure)"
    fi
    built=("$tmp/bin/headscale")
    ;;
  kubectl-validate)
    if ! GOBIN=$tmp/bin "$GO" install -ldflags='-s -w' "$module@$version" 2>&1 | tee "$tmp/go.log" >&2; then
      die "go install kubectl-validate $version failed: $(go_failure)"
    fi
    built=("$tmp/bin/kubectl-validate")
    ;;
  libp2p-mdns)
    if ! (cd "$tmp/src" && "$GO" build -trimpath -mod=readonly -o "$tmp/bin/libp2p-mdns" .) 2>&1 |
      tee "$tmp/go.log" >&2; then
      die "go build libp2p-mdns $version failed: $(go_failure)"
    fi
    built=("$tmp/bin/libp2p-mdns")
    ;;
esac

# Atomic install: $tmp is inside the cache dir, so mv is a rename on one filesystem.
for i in "${!built[@]}"; do
  [[ -x ${built[$i]} ]] || die "build of $product $version produced no ${built[$i]##*/}"
  mv -f "${built[$i]}" "${outputs[$i]}"
done
log "built $product $version in $(($(date +%s) - start)) s"
print_outputs

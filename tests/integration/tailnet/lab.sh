#!/usr/bin/env bash
# lab.sh: a real tailnet (Headscale + tailscaled nodes) in network namespaces, for integration tests and
# fixture capture. Needs root, iproute2, util-linux (unshare, nsenter, flock, setsid), curl, jq, and Go
# plus the Go module proxy the first time (tests/tools/build-daemons.sh builds and caches the daemons).
#
# Usage (DIR is a directory the caller owns, e.g. mktemp -d; all lab state lives in it):
#   lab.sh up DIR NODES [--tailscale VERSION] [--headscale VERSION] [--policy-mode file|database]
#                       [--tun userspace|kernel]
#                               defaults v1.102.5, v0.29.2, file (see "Policy" below), userspace (see
#                               "Kernel TUN" below); the TUN mode holds for every node of the lab
#   lab.sh join DIR K [--tags tag:a,tag:b]    add node K and log it in; stdout: epoch time `tailscale up` returned
#                               (--tags: the node advertises them itself, dash-form only, registered through
#                               the headscale CLI since v0.28+ refuses advertised tags with a pre-auth key)
#   lab.sh start DIR K          (re)start node K's tailscaled on its kept statedir (a never-joined K: NeedsLogin)
#   lab.sh kill DIR K           SIGKILL node K's tailscaled (Headscale marks it offline after its grace period)
#   lab.sh down-node DIR K      `tailscale down` on node K        lab.sh up-node DIR K   `tailscale up` again
#   lab.sh tag DIR K TAG...     set node K's tags with `headscale nodes tag` (replaces the set; adds tagOwners)
#   lab.sh policy DIR TAG...    add TAGs as tagOwners keys (owner: user lab) and make Headscale apply them
#   lab.sh expire DIR K         expire node K now (`headscale nodes expire -i ID`; tailscaled keeps running)
#   lab.sh apikey DIR [--expiration DURATION]   create a Headscale API key (`headscale apikeys create`,
#                               default 90d, Prometheus-style duration: 30m, 24h, 90d); stdout: the key only
#   lab.sh exec DIR K CMD...    run CMD in node K's net+mount+uts namespaces (nsenter -t PID -n -m -u)
#                               (NODEk_HOLDER in lab.env: a PID that holds them across tailscaled restarts)
#   lab.sh hs DIR ARGS...       run the headscale CLI with the lab's config (inside the Headscale namespace)
#   lab.sh stop-headscale DIR   lab.sh start-headscale DIR
#   lab.sh down DIR             kill everything, delete the namespaces; idempotent, safe after a partial `up`
# Exit status 0 on success, else nonzero with a one-line reason on stderr. Stdout carries only what is
# documented above (and the output of CMD / the headscale CLI for exec / hs).
#
# Topology (names derived from DIR, so labs in different DIRs coexist): a switch namespace ps<id>-sw holds
# bridge br0; Headscale runs in ps<id>-hs at 10.213.<o>.1, node K in ps<id>-nK at 10.213.<o>.(10+K), each
# joined to the bridge by a veth pair created from inside the switch namespace. <id> = 6 hex of
# sha256(DIR), <o> = its first byte. No namespace has a default route; nothing touches the root
# namespace's network. Headscale: HTTP + embedded DERP on :8080, STUN on :3478, sqlite, no DERP map
# download, no update check, no logtail, MagicDNS base_domain lab.test, a policy (below). Each node has a
# holder process (sleep) started under
#   ip netns exec ps<id>-nK unshare -m -u --propagation private   (tmpfs on /run, hostname nodeK)
# and every tailscaled of the node enters the holder's namespaces (DIR/nK/holder), so it listens on its default socket /var/run/tailscale/tailscaled.sock in its own mount namespace, with
# --tun=userspace-networking (--tun=tailscale0 with --tun kernel) --statedir=DIR/nK --port=41641,
# TS_NO_LOGS_NO_SUPPORT=1, TS_DISABLE_PORTMAPPER=1, log in DIR/nK/tailscaled.log. DIR/nK/pid is the
# tailscaled PID itself.
# TS_DEBUG_USE_DERP_HTTP=1 lets tailscaled speak plain HTTP to the embedded DERP on server_url's port
# (otherwise it tries TLS there, fails, and reports the relay unreachable). Every daemon also gets a
# bind-mounted resolv.conf naming only 127.0.0.1. TS_LOGS_DIR=DIR/nK keeps logpolicy's config file out of
# the host's /var/lib/tailscale.
#
# Kernel TUN (--tun kernel): each tailscaled runs as root with --tun=tailscale0, so any process in the
# node's network namespace reaches tailnet addresses (100.64.0.0/10, fd7a:115c:a1e0::/48) directly, as on
# a real host. The device, its routes (table 52), policy rules and tailscaled's netfilter rules (netfilter
# mode on, its default: iptables or nftables, whichever it detects) all live in the node's namespace.
# /dev/net/tun must be usable in the node: when the holder's mount namespace lacks it, lab.sh mounts a
# tmpfs on /dev/net there, private to the node, and makes the device node in it (only a missing /dev/net
# directory itself would be made in the host's /dev). IPv6 is disabled on the LAN side of every node
# (sysctl net.ipv6.conf.eth0.disable_ipv6=1 in its namespace, set before tailscaled starts): nodes share
# no link-local address and no IPv6 multicast, like two sites; only tailscale0 (and lo) have IPv6. The
# WireGuard and control traffic stays IPv4 on the bridge. DIR/lab.env then has TAILSCALE_TUN=kernel.
#
# Policy: an accept-all ACL plus one tagOwners key per tag the lab used (owner user lab: "lab@" for the
# policy v2 of Headscale v0.26+, "lab" before), so v0.28+ accepts those tags. DIR/hs/tags lists the keys.
#   --policy-mode file (default): policy.mode file, policy.path DIR/policy.hujson; lab.sh rewrites the
#     file and sends SIGHUP (Headscale re-reads it). PUT /api/v1/policy is refused in this mode.
#   --policy-mode database: policy.mode database; `up` loads the same policy with `headscale policy set -f`
#     once user lab exists. tag/policy then read the live policy (`headscale policy get`; it must be
#     plain JSON, which is what lab.sh and most API callers write), add the missing tagOwners keys and
#     store it again with `headscale policy set` (synchronous: no reload to wait for). DIR/policy.hujson
#     is the last file lab.sh handed to `policy set`. Tests may replace the policy themselves with
#     PUT /api/v1/policy {"policy":"<HuJSON text>"}. Works the same on v0.23.0, v0.26.1 and v0.29.2.
#
# DIR/lab.env (sourceable KEY=VALUE) after up/join/start/kill: LAB_DIR, HEADSCALE_URL, HEADSCALE_BIN,
# HEADSCALE_CONFIG, HEADSCALE_NS, HEADSCALE_PID, HEADSCALE_VERSION, HEADSCALE_POLICY_MODE (file|database),
# TAILSCALE_BIN, TAILSCALED_BIN, TAILSCALE_VERSION, TAILSCALE_TUN (userspace|kernel), NODES (highest node
# number), NODE_LIST (comma-separated), and per node NODEk_PID (empty while killed), NODEk_NS, NODEk_IP
# (bridge address), NODEk_IP4 (tailnet IPv4), NODEk_IP6 (tailnet IPv6), NODEk_ID (Headscale node id).
# Environment: PEERSCOUT_CACHE_DIR (binary cache, see build-daemons.sh).
set -euo pipefail

# shellcheck source=../../tools/daemon-versions.env
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/daemon-versions.env"
readonly DEFAULT_TAILSCALE=$TAILSCALE_NEWEST
readonly DEFAULT_HEADSCALE=$HEADSCALE_NEWEST
readonly HS_PORT=8080
readonly TS_SOCK=/var/run/tailscale/tailscaled.sock
readonly CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
build_daemons=$(cd "$here/../.." && pwd -P)/tools/build-daemons.sh

# die, note, with_lock, write_env, pid_is, live_pid, make_switch, make_host, write_resolv_conf,
# start_holder_in, spawn_in, up_checks, up_begin/up_end, cmd_down_quiet, cmd_down.
# shellcheck source=../netns_lab.sh
source "$here/../netns_lab.sh"

usage() {
  die "usage: lab.sh {up DIR NODES [--tailscale V] [--headscale V] [--policy-mode file|database] [--tun userspace|kernel] | join DIR K [--tags T,..] | start|kill|down-node|up-node|expire DIR K | tag DIR K TAG... | policy DIR TAG... | apikey DIR [--expiration D] | exec DIR K CMD... | hs DIR ARGS... | stop-headscale|start-headscale|down DIR}"
}

# ---------------------------------------------------------------- lab identity and state
lab_init() { # lab_init DIR: derives every name from DIR (which need not exist, for `down`)
  lab_names ps "$1"
  hs_ns=$pfx-hs
  hs_ip=10.213.$octet.1
  hs_url=http://$hs_ip:$HS_PORT
  hs_dir=$dir/hs
  hs_cfg=$hs_dir/config.yaml
  policy_file=$dir/policy.hujson
}

load_conf() { # the settings `up` recorded
  POLICY_MODE="file" # labs made before --policy-mode existed
  TUN_MODE="userspace" # and before --tun
  read_conf
}

node_ns() { printf '%s-n%s' "$pfx" "$1"; }
node_ip() { printf '10.213.%s.%s' "$octet" $((10 + $1)); }
node_dir() { printf '%s/n%s' "$dir" "$1"; }

check_k() {
  if [[ ! $1 =~ ^[1-9][0-9]*$ ]] || (($1 > 240)); then die "bad node number '$1' (want 1..240)"; fi
}

# node_pid K: the live tailscaled PID of node K, or fail
node_pid() { live_pid "$(node_dir "$1")/pid" "$TAILSCALED_BIN" "$(node_ns "$1")"; }

hs_pid() { live_pid "$hs_dir/pid" "$HEADSCALE_BIN" "$hs_ns"; }

env_lines() { # lab.env after LAB_DIR (write_env)
  local k max=0 list="" ndir pid
  printf 'HEADSCALE_URL=%q\n' "$hs_url"
  printf 'HEADSCALE_BIN=%q\n' "$HEADSCALE_BIN"
  printf 'HEADSCALE_CONFIG=%q\n' "$hs_cfg"
  printf 'HEADSCALE_NS=%q\n' "$hs_ns"
  printf 'HEADSCALE_PID=%q\n' "$(hs_pid || true)"
  printf 'HEADSCALE_VERSION=%q\n' "$HEADSCALE_VERSION"
  printf 'HEADSCALE_POLICY_MODE=%q\n' "$POLICY_MODE"
  printf 'TAILSCALE_BIN=%q\n' "$TAILSCALE_BIN"
  printf 'TAILSCALED_BIN=%q\n' "$TAILSCALED_BIN"
  printf 'TAILSCALE_VERSION=%q\n' "$TAILSCALE_VERSION"
  printf 'TAILSCALE_TUN=%q\n' "$TUN_MODE"
  if [[ -f $dir/nodes ]]; then
    while read -r k; do
      ndir=$(node_dir "$k")
      ((k > max)) && max=$k
      list+="${list:+,}$k"
      pid=$(node_pid "$k" || true)
      printf 'NODE%s_PID=%q\n' "$k" "$pid"
      printf 'NODE%s_HOLDER=%q\n' "$k" "$(holder_pid "$k" || true)"
      printf 'NODE%s_NS=%q\n' "$k" "$(node_ns "$k")"
      printf 'NODE%s_IP=%q\n' "$k" "$(node_ip "$k")"
      printf 'NODE%s_IP4=%q\n' "$k" "$(cat "$ndir/ip4" 2>/dev/null || true)"
      printf 'NODE%s_IP6=%q\n' "$k" "$(cat "$ndir/ip6" 2>/dev/null || true)"
      printf 'NODE%s_ID=%q\n' "$k" "$(cat "$ndir/id" 2>/dev/null || true)"
    done < <(sort -n -u "$dir/nodes")
  fi
  printf 'NODES=%q\n' "$max"
  printf 'NODE_LIST=%s\n' "$list"
}

add_node_locked() { # record K in DIR/nodes once
  grep -qx "$1" "$dir/nodes" 2>/dev/null || printf '%s\n' "$1" >>"$dir/nodes"
}

# ---------------------------------------------------------------- network
ensure_node_ns() { # ensure_node_ns K
  local ns
  ns=$(node_ns "$1")
  ns_exists "$ns" || make_host "$ns" "n$1" "$(node_ip "$1")" ||
    die "cannot create namespace $ns"
  # Kernel TUN: no IPv6 on the LAN side (no link-local address, no multicast between nodes).
  if [[ $TUN_MODE == kernel ]]; then
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1 >/dev/null ||
      die "node $1: cannot disable IPv6 on eth0"
  fi
}

# ---------------------------------------------------------------- headscale
hs_cli() { # hs_cli ARGS...: headscale CLI inside the Headscale namespace (no route anywhere but the lab)
  ip netns exec "$hs_ns" env -i PATH="$CLEAN_PATH" HOME="$hs_dir" "$HEADSCALE_BIN" -c "$hs_cfg" "$@"
}

# hs_cli_stdout WHAT ARGS...: print the CLI's stdout alone (its stderr carries log lines); on failure die
# with WHAT and the CLI's stderr.
hs_cli_stdout() {
  local what=$1 err rc=0
  shift
  err=$(mktemp "$hs_dir/.cli-err.XXXXXX")
  hs_cli "$@" 2>"$err" || rc=$?
  if ((rc != 0)); then
    local msg
    msg=$(tr '\n' ' ' <"$err")
    rm -f "$err"
    die "$what failed: $msg"
  fi
  rm -f "$err"
}

write_hs_config() {
  mkdir -p "$hs_dir"
  local policy_cfg="  mode: file
  path: $policy_file"
  [[ $POLICY_MODE == file ]] || policy_cfg="  mode: database"
  cat >"$hs_cfg" <<EOF
# Generated by lab.sh. Lab-only, offline: no DERP map download, no update check, no TLS.
server_url: $hs_url
listen_addr: $hs_ip:$HS_PORT
metrics_listen_addr: 127.0.0.1:9090
grpc_listen_addr: 127.0.0.1:50443
grpc_allow_insecure: false
noise:
  private_key_path: $hs_dir/noise_private.key
prefixes:
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48
  allocation: sequential
derp:
  server:
    enabled: true
    region_id: 999
    region_code: "headscale"
    region_name: "Headscale Embedded DERP"
    stun_listen_addr: "$hs_ip:3478"
    private_key_path: $hs_dir/derp_server_private.key
    automatically_add_embedded_derp_region: true
    ipv4: $hs_ip
  urls: []
  paths: []
  auto_update_enabled: false
  update_frequency: 24h
disable_check_updates: true
ephemeral_node_inactivity_timeout: 30m
database:
  type: sqlite
  sqlite:
    path: $hs_dir/db.sqlite
    write_ahead_log: true
log:
  level: info
  format: text
policy:
$policy_cfg
dns:
  magic_dns: true
  base_domain: lab.test
  override_local_dns: false
  nameservers:
    global: []
unix_socket: $hs_dir/headscale.sock
unix_socket_permission: "0770"
logtail:
  enabled: false
EOF
}

# Policy owners: policy v2 (Headscale v0.26+) names users as "lab@", v1 as "lab".
tag_owner() {
  if [[ $(printf '%s\n%s\n' "$HEADSCALE_VERSION" v0.26.0 | sort -V | head -n1) == v0.26.0 ]]; then
    printf 'lab@'
  else
    printf 'lab'
  fi
}

write_policy_locked() { # regenerate DIR/policy.hujson from DIR/hs/tags
  local owner tmp=$policy_file.tmp
  owner=$(tag_owner)
  sort -u "$hs_dir/tags" | jq -R -n --arg owner "$owner" '
    {tagOwners: ([inputs | select(length > 0) | {key: ., value: [$owner]}] | from_entries),
     acls: [{action: "accept", src: ["*"], dst: ["*:*"]}]}' >"$tmp"
  mv -f "$tmp" "$policy_file"
}

valid_tag() {
  # Headscale: "tag:" prefix, lowercase, no whitespace; policy keys: a letter first. No quotes/commas.
  [[ $1 =~ ^tag:[a-z][a-z0-9_=.:+-]*$ ]]
}

# policy_add TAG...: add missing tags as tagOwners keys; reload Headscale if anything changed.
policy_add_locked() {
  local t changed=0
  for t in "$@"; do
    grep -qxF -- "$t" "$hs_dir/tags" || { printf '%s\n' "$t" >>"$hs_dir/tags"; changed=1; }
  done
  if [[ $POLICY_MODE == database ]]; then
    policy_db_add "$@"
    return
  fi
  ((changed)) || return 0
  write_policy_locked
  hs_reload_policy
}

# policy_db_set FILE: store FILE as the database policy (`headscale policy set`, synchronous).
policy_db_set() {
  local out
  out=$(hs_cli policy set -f "$1" 2>&1) || die "headscale policy set failed: $(tr '\n' ' ' <<<"$out")"
}

# policy_db_add TAG...: database mode. The live policy (someone may have PUT another one) gets every
# TAG it lacks as a tagOwners key; nothing is written when all are there.
policy_db_add() {
  local cur owner tmp=$policy_file.tmp
  cur=$(hs_cli_stdout "headscale policy get" policy get) || exit 1
  jq -e 'type == "object"' >/dev/null 2>&1 <<<"$cur" ||
    die "the database policy is not plain JSON (lab.sh cannot edit HuJSON): $(head -c 200 <<<"$cur")"
  owner=$(tag_owner)
  jq -e --args '(.tagOwners // {}) as $o | any($ARGS.positional[]; . as $t | $o | has($t) | not)' \
    >/dev/null <<<"$cur" "$@" || return 0
  jq --arg owner "$owner" --args \
    '.tagOwners = ((.tagOwners // {}) + ([$ARGS.positional[] | {key: ., value: [$owner]}] | from_entries)
                   + (.tagOwners // {}))' <<<"$cur" "$@" >"$tmp"
  mv -f "$tmp" "$policy_file"
  policy_db_set "$policy_file"
}
policy_add() {
  local t
  for t in "$@"; do valid_tag "$t" || die "bad tag '$t' (want tag:<lowercase letter>[a-z0-9_=.:+-]*)"; done
  with_lock policy_add_locked "$@"
}

# Headscale re-reads a policy.mode=file policy on SIGHUP (hscontrol/app.go; the reload is synchronous in
# its signal handler). v0.29 logs "Policy reload completed"; older releases log only the signal. So: wait
# for the signal's log line, then for a completion or error line after it (at most 1 s, then assume done).
hs_reload_policy() {
  local pid before now i tail_log
  pid=$(hs_pid) || return 0 # not running: the next start reads the file
  before=$(grep -c 'SIGHUP' "$hs_dir/headscale.log" || true)
  kill -HUP "$pid"
  for ((i = 0; i < 100; i++)); do
    now=$(grep -c 'SIGHUP' "$hs_dir/headscale.log" || true)
    ((now > before)) && break
    sleep 0.05
  done
  ((now > before)) || die "headscale did not acknowledge SIGHUP (policy reload)"
  for ((i = 0; i < 20; i++)); do
    # shellcheck disable=SC2016 # a sed script, not a shell expansion
    tail_log=$(sed -n '/SIGHUP/h;/SIGHUP/!H;${x;p}' "$hs_dir/headscale.log")
    if grep -q 'ERR.*[Pp]olicy\|reloading policy\|ERR.*ACL' <<<"$tail_log"; then
      die "headscale failed to reload $policy_file: $(grep 'ERR\|reloading policy' <<<"$tail_log" | tail -n1)"
    fi
    grep -qi 'reload completed\|reloaded' <<<"$tail_log" && return 0
    sleep 0.05
  done
}

start_headscale() {
  [[ -z $(hs_pid || true) ]] || return 0
  rm -f "$hs_dir/pid"
  # The inner sh writes its own PID, then execs headscale: DIR/hs/pid is headscale's PID.
  rm -f "$hs_dir/headscale.sock"
  write_resolv_conf "$hs_dir"
  # shellcheck disable=SC2016 # $1.. expand in the inner sh
  setsid ip netns exec "$hs_ns" unshare -m --propagation private \
    sh -c 'mount --bind "$4/resolv.conf" /etc/resolv.conf && echo $$ >"$1" &&
           exec env -i PATH="$5" HOME="$4" "$2" -c "$3" serve' \
    sh "$hs_dir/pid" "$HEADSCALE_BIN" "$hs_cfg" "$hs_dir" "$CLEAN_PATH" \
    </dev/null >>"$hs_dir/headscale.log" 2>&1 &
  local i
  for ((i = 0; i < 300; i++)); do
    if [[ -s $hs_dir/pid ]] && ! kill -0 "$(<"$hs_dir/pid")" 2>/dev/null; then
      die "headscale exited at start: $(grep -v '^\s*$' "$hs_dir/headscale.log" | tail -n1)"
    fi
    if [[ -S $hs_dir/headscale.sock ]] &&
      ip netns exec "$hs_ns" curl -fsS --max-time 1 -o /dev/null "$hs_url/health" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "headscale not healthy on $hs_url after 30 s (see $hs_dir/headscale.log)"
}

stop_headscale() {
  local pid i
  pid=$(hs_pid) || return 0
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$hs_dir/pid"
}

# user lab + a reusable pre-auth key in DIR/hs/authkey (mode 0600)
make_user_and_key() {
  hs_cli users create lab >/dev/null || die "headscale users create lab failed"
  local uid user_arg key
  uid=$(hs_cli users list -o json | jq -r '.[] | select(.name == "lab") | .id | tostring') ||
    die "headscale users list failed"
  [[ -n $uid ]] || die "user lab not found after creating it"
  # --user is the user's ID from v0.27 (hscontrol CLI "User identifier (ID)"), its name before.
  if hs_cli preauthkeys create --help 2>&1 | grep -q 'User identifier (ID)'; then user_arg=$uid; else user_arg=lab; fi
  key=$(hs_cli preauthkeys create --user "$user_arg" --reusable --expiration 24h -o json | jq -r '.key') ||
    die "headscale preauthkeys create failed"
  [[ -n $key && $key != null ]] || die "headscale returned no pre-auth key"
  (umask 077 && printf '%s\n' "$key" >"$hs_dir/authkey")
}

# ---------------------------------------------------------------- tailscaled nodes
ts_cli() { # ts_cli K ARGS...: the tailscale CLI in node K's namespaces
  local pid
  pid=$(node_pid "$1") || { printf 'lab.sh: node %s: tailscaled is not running\n' "$1" >&2; return 1; }
  shift
  nsenter -t "$pid" -n -m -u -- env -i PATH="$CLEAN_PATH" HOME=/root "$TAILSCALE_BIN" "$@"
}

backend_state() { # backend_state K: prints BackendState, or nothing if the daemon does not answer
  ts_cli "$1" status --json 2>/dev/null | jq -r '.BackendState // empty' 2>/dev/null || true
}

# wait_state K WANT [SECONDS]
wait_state() {
  local k=$1 want=$2 secs=${3:-30} i st=""
  for ((i = 0; i < secs * 10; i++)); do
    st=$(backend_state "$k")
    [[ $st == "$want" ]] && return 0
    node_pid "$k" >/dev/null || die "node $k: tailscaled died (see $(node_dir "$k")/tailscaled.log)"
    sleep 0.1
  done
  die "node $k: BackendState is '${st:-none}', not $want after ${secs} s"
}

# holder_pid K: the PID holding node K's mount and uts namespaces, or fail
holder_pid() { live_pid "$(node_dir "$1")/holder" "$SLEEP_BIN" "$(node_ns "$1")"; }

# start_holder K: node K's private mount namespace (tmpfs /run, the lab's resolv.conf) and uts
# namespace (hostname nodeK), held by a sleeping process. Every tailscaled of the node enters it,
# so a restarted daemon puts its socket where processes already inside the node (peerscout under
# test) look for it.
start_holder() {
  local k=$1 ndir
  ndir=$(node_dir "$k")
  holder_pid "$k" >/dev/null && return 0
  start_holder_in "$(node_ns "$k")" "node$k" "$ndir" "$ndir/tailscaled.log" ||
    die "node $k: its namespace holder did not start (see $ndir/tailscaled.log)"
}

# ensure_tun_device K HOLDER: /dev/net/tun usable in node K's mount namespace (kernel TUN). When it is
# missing there, a tmpfs on /dev/net, private to the node, gets the device node (misc 10:200).
ensure_tun_device() {
  # shellcheck disable=SC2016 # expands in the inner sh
  nsenter -t "$2" -m -- sh -c '[ -c /dev/net/tun ] || { mkdir -p /dev/net &&
      mount -t tmpfs -o mode=0755 tmpfs /dev/net && mknod -m 0600 /dev/net/tun c 10 200; }' ||
    die "node $1: no /dev/net/tun for --tun kernel, and it cannot be made"
}

start_tailscaled() { # start_tailscaled K: start the daemon, wait for its LocalAPI socket
  local k=$1 ndir i pid holder
  ndir=$(node_dir "$k")
  [[ -z $(node_pid "$k" || true) ]] || die "node $k: tailscaled already running"
  mkdir -p "$ndir"
  rm -f "$ndir/pid"
  write_resolv_conf "$ndir"
  start_holder "$k"
  holder=$(holder_pid "$k")
  local tun=userspace-networking
  if [[ $TUN_MODE == kernel ]]; then
    tun=tailscale0
    ensure_tun_device "$k" "$holder"
  fi
  # DIR/nK/pid is tailscaled's PID (spawn_in's sh writes its own, then execs env, which execs it).
  spawn_in "$holder" "$ndir/pid" "$ndir/tailscaled.log" env -i PATH="$CLEAN_PATH" HOME=/root \
    TS_NO_LOGS_NO_SUPPORT=1 TS_DISABLE_PORTMAPPER=1 TS_DEBUG_USE_DERP_HTTP=1 TS_LOGS_DIR="$ndir" \
    "$TAILSCALED_BIN" --tun="$tun" --statedir="$ndir" --port=41641
  for ((i = 0; i < 200; i++)); do
    if [[ -s $ndir/pid ]]; then
      pid=$(<"$ndir/pid")
      kill -0 "$pid" 2>/dev/null || die "node $k: tailscaled exited at start: $(tail -n1 "$ndir/tailscaled.log")"
      # A killed daemon leaves its socket file behind: wait for the new one to answer.
      nsenter -t "$pid" -m -- test -S "$TS_SOCK" 2>/dev/null &&
        ts_cli "$k" status --json >/dev/null 2>&1 && return 0
    fi
    sleep 0.05
  done
  die "node $k: no LocalAPI socket after 10 s (see $ndir/tailscaled.log)"
}

up_args() { # up_args K: the `tailscale up` flags node K was joined with (DIR/nK/up-args, one per line)
  local f
  f=$(node_dir "$1")/up-args
  [[ -f $f ]] || die "node $1 never joined (use lab.sh join)"
  mapfile -t args <"$f"
}

record_node_info() { # Self.ID is Headscale's node id; the first TailscaleIPs of each family
  local k=$1 ndir st
  ndir=$(node_dir "$k")
  st=$(ts_cli "$k" status --json --peers=false) || die "node $k: tailscale status failed"
  jq -r '.Self.ID // empty' <<<"$st" >"$ndir/id"
  jq -r '[.Self.TailscaleIPs[]? | select(test("^[0-9.]+$"))][0] // empty' <<<"$st" >"$ndir/ip4"
  jq -r '[.Self.TailscaleIPs[]? | select(test(":"))][0] // empty' <<<"$st" >"$ndir/ip6"
}

# join_node K TAGS: namespace, daemon, `tailscale up`; prints nothing. Sets join_time (when up returned).
join_node() {
  ensure_node_ns "$1"
  start_tailscaled "$1"
  if [[ -n $2 ]]; then
    login_interactive "$1" "$2"
  else
    login_begin "$1"
    login_end "$1"
  fi
}

# login_begin K: `tailscale up` with the lab's pre-auth key, in the background; its exit
# status and the time it returned land in DIR/nK/up.rc and up.time.
login_begin() {
  local k=$1 ndir
  ndir=$(node_dir "$k")
  local -a a=("--login-server=$hs_url" "--hostname=node$k" "--accept-dns=false" "--auth-key=file:$hs_dir/authkey")
  printf '%s\n' "${a[@]}" >"$ndir/up-args"
  up_in_background "$k" "${a[@]}"
}

up_in_background() { # up_in_background K UP_ARGS...
  local k=$1 ndir
  shift
  ndir=$(node_dir "$k")
  rm -f "$ndir/up.rc" "$ndir/up.time"
  (
    rc=0
    ts_cli "$k" up "$@" --timeout=45s >>"$ndir/up.log" 2>&1 || rc=$?
    date +%s.%N >"$ndir/up.time"
    echo "$rc" >"$ndir/up.rc"
  ) &
}

# hs_has_node K: Headscale has registered node K (its id is allocated), or K's `tailscale up` has ended.
hs_has_node() {
  [[ -s $(node_dir "$1")/up.rc ]] && return 0
  hs_cli nodes list -o json 2>/dev/null | jq -e --arg n "node$1" 'any(.[]?; .name == $n)' >/dev/null 2>&1
}

login_end() { # login_end K: wait for K's background `tailscale up`, then for Running; record id and IPv4
  local k=$1 ndir rc i
  ndir=$(node_dir "$k")
  for ((i = 0; i < 600; i++)); do
    [[ -s $ndir/up.rc ]] && break
    sleep 0.1
  done
  rc=$(cat "$ndir/up.rc" 2>/dev/null || echo timeout)
  [[ $rc == 0 ]] || die "node $k: tailscale up failed ($rc): $(tail -n1 "$ndir/up.log" 2>/dev/null)"
  join_time=$(<"$ndir/up.time")
  touch "$ndir/joined"
  rm -f "$ndir/down"
  wait_state "$k" Running 30
  record_node_info "$k"
}

# A node that advertises its own tags logs in interactively: Headscale v0.28+ refuses advertised tags on a
# pre-auth-key registration ("PreAuthKey nodes get their tags from the key itself"), so `tailscale up`
# runs without a key, and the registration id from its AuthURL is registered for user lab with the CLI
# (v0.29: auth register --auth-id; before: nodes register --key). Headscale then checks the advertised
# tags against tagOwners (owner lab).
login_interactive() { # login_interactive K TAGS
  local k=$1 ndir url="" i rc=0
  ndir=$(node_dir "$k")
  local -a a=("--login-server=$hs_url" "--hostname=node$k" "--accept-dns=false" "--advertise-tags=$2")
  printf '%s\n' "${a[@]}" >"$ndir/up-args"
  up_in_background "$k" "${a[@]}"
  for ((i = 0; i < 150; i++)); do
    url=$(ts_cli "$k" status --json 2>/dev/null | jq -r '.AuthURL // empty' 2>/dev/null || true)
    [[ -n $url || -s $ndir/up.rc ]] && break
    sleep 0.1
  done
  [[ -n $url ]] || die "node $k: no AuthURL from tailscale up: $(tail -n1 "$ndir/up.log" 2>/dev/null)"
  local reg=${url##*/} out
  if hs_cli auth register --help >/dev/null 2>&1; then
    out=$(hs_cli auth register --user lab --auth-id "$reg" 2>&1) || rc=$?
  else
    out=$(hs_cli nodes register --user lab --key "$reg" 2>&1) || rc=$?
  fi
  ((rc == 0)) || die "node $k: headscale register failed: $(tr '\n' ' ' <<<"$out")"
  login_end "$k"
}

# ---------------------------------------------------------------- subcommands
cmd_up() {
  (($# >= 2)) || usage
  lab_init "$1"
  local nodes=$2 tsv=$DEFAULT_TAILSCALE hsv=$DEFAULT_HEADSCALE
  POLICY_MODE="file"
  TUN_MODE="userspace"
  shift 2
  while (($#)); do
    case "$1" in
      --tailscale) (($# >= 2)) || usage; tsv=$2; shift 2 ;;
      --headscale) (($# >= 2)) || usage; hsv=$2; shift 2 ;;
      --policy-mode) (($# >= 2)) || usage; POLICY_MODE=$2; shift 2 ;;
      --tun) (($# >= 2)) || usage; TUN_MODE=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $POLICY_MODE == file || $POLICY_MODE == database ]] ||
    die "bad --policy-mode '$POLICY_MODE' (want file or database)"
  [[ $TUN_MODE == userspace || $TUN_MODE == kernel ]] ||
    die "bad --tun '$TUN_MODE' (want userspace or kernel)"
  if [[ ! $nodes =~ ^[0-9]+$ ]] || ((nodes > 240)); then die "bad NODES '$nodes' (want 0..240)"; fi
  local -a needs=(ip unshare nsenter setsid flock curl jq sha256sum)
  [[ $TUN_MODE == userspace ]] || needs+=(sysctl mknod)
  up_checks "${needs[@]}"

  local bins
  bins=$("$build_daemons" tailscale "$tsv") || die "cannot build tailscale $tsv (see above)"
  TAILSCALED_BIN=$(sed -n 1p <<<"$bins")
  TAILSCALE_BIN=$(sed -n 2p <<<"$bins")
  HEADSCALE_BIN=$("$build_daemons" headscale "$hsv") || die "cannot build headscale $hsv (see above)"
  TAILSCALE_VERSION=$tsv
  HEADSCALE_VERSION=$hsv

  mkdir -p "$dir"
  # A previous lab's state in DIR would leak old nodes into this one: drop what lab.sh owns.
  rm -rf "$hs_dir" "$dir"/n[0-9]* "$dir/lab.env" "$dir/lab.conf" "$dir/nodes" "$policy_file"
  mkdir -p "$hs_dir"
  {
    printf 'TAILSCALE_VERSION=%q\nHEADSCALE_VERSION=%q\n' "$tsv" "$hsv"
    printf 'TAILSCALED_BIN=%q\nTAILSCALE_BIN=%q\nHEADSCALE_BIN=%q\n' "$TAILSCALED_BIN" "$TAILSCALE_BIN" "$HEADSCALE_BIN"
    printf 'POLICY_MODE=%q\nTUN_MODE=%q\n' "$POLICY_MODE" "$TUN_MODE"
  } >"$dir/lab.conf"

  # shellcheck disable=SC2119 # a plain bridge: no options
  up_begin
  make_host "$hs_ns" hs "$hs_ip" || die "cannot create namespace $hs_ns"
  write_hs_config
  printf 'tag:exo\n' >"$hs_dir/tags"
  write_policy_locked
  start_headscale
  make_user_and_key
  # Database mode starts without a policy (Headscale then allows everything); load the lab's now that
  # its owner exists.
  [[ $POLICY_MODE == file ]] || policy_db_set "$policy_file"

  # Daemons start in parallel (each job reports its own failure on stderr); logins go in node order so
  # that node K gets Headscale id K and tailnet address 100.64.0.K.
  local k pids=() failed=0 p
  for ((k = 1; k <= nodes; k++)); do
    printf '%s\n' "$k" >>"$dir/nodes"
    ensure_node_ns "$k"
  done
  for ((k = 1; k <= nodes; k++)); do
    start_tailscaled "$k" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  ((failed == 0)) || die "not every tailscaled started"
  # Each login starts once Headscale has registered the previous node: ids stay in node order while the
  # slow part (first map response) overlaps.
  for ((k = 1; k <= nodes; k++)); do
    login_begin "$k"
    for ((p = 0; p < 300; p++)); do
      hs_has_node "$k" && break
      sleep 0.05
    done
  done
  for ((k = 1; k <= nodes; k++)); do login_end "$k"; done
  up_end
}

cmd_join() {
  (($# >= 2)) || usage
  lab_init "$1"
  load_conf
  local k=$2 tags=""
  check_k "$k"
  shift 2
  while (($#)); do
    case "$1" in
      --tags) (($# >= 2)) || usage; tags=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ -z $(node_pid "$k" || true) ]] || die "node $k is already running"
  if [[ -n $tags ]]; then
    local -a tl
    IFS=, read -r -a tl <<<"$tags"
    local t
    for t in "${tl[@]}"; do
      # tailcfg.CheckTag: the client only sends tag:<letter>[letters, digits, dashes].
      [[ $t =~ ^tag:[A-Za-z][A-Za-z0-9-]*$ ]] || die "tag '$t' cannot be advertised (only letters, digits, dashes)"
    done
    policy_add "${tl[@]}"
  fi
  local ndir
  ndir=$(node_dir "$k")
  # A node that never completed a join starts from a clean statedir (no prefs of a failed attempt).
  [[ -e $ndir/joined ]] || rm -rf "$ndir"
  with_lock add_node_locked "$k"
  # On failure stop the daemon this join started, so a retry starts clean.
  trap 'rc=$?; if ((rc != 0)); then kill_node_quiet "$k"; write_env_locked 2>/dev/null || true; fi' EXIT
  trap 'exit 130' INT TERM HUP
  join_node "$k" "$tags"
  write_env
  trap - EXIT
  printf '%s\n' "$join_time"
}

cmd_start() {
  (($# == 2)) || usage
  lab_init "$1"
  load_conf
  local k=$2 ndir
  check_k "$k"
  ndir=$(node_dir "$k")
  ensure_node_ns "$k"
  with_lock add_node_locked "$k"
  start_tailscaled "$k"
  # The state kept in DIR/nK decides what the daemon settles in.
  if [[ ! -e $ndir/joined ]]; then
    wait_state "$k" NeedsLogin 30
  elif [[ -e $ndir/down ]]; then
    wait_state "$k" Stopped 30
  else
    wait_state "$k" Running 30
  fi
  write_env
}

kill_node_quiet() { # SIGKILL node K's tailscaled if it runs, wait until it is gone
  local pid i
  pid=$(node_pid "$1") || return 0
  kill -KILL "$pid"
  for ((i = 0; i < 100; i++)); do
    [[ -d /proc/$pid ]] || break
    sleep 0.05
  done
  rm -f "$(node_dir "$1")/pid"
}

cmd_kill() {
  (($# == 2)) || usage
  lab_init "$1"
  load_conf
  check_k "$2"
  node_pid "$2" >/dev/null || die "node $2: tailscaled is not running"
  kill_node_quiet "$2"
  write_env
}

cmd_down_node() {
  (($# == 2)) || usage
  lab_init "$1"
  load_conf
  check_k "$2"
  ts_cli "$2" down >/dev/null || die "node $2: tailscale down failed"
  touch "$(node_dir "$2")/down"
  wait_state "$2" Stopped 15
}

cmd_up_node() {
  (($# == 2)) || usage
  lab_init "$1"
  load_conf
  local k=$2 ndir
  check_k "$k"
  ndir=$(node_dir "$k")
  local -a args
  up_args "$k"
  ts_cli "$k" up "${args[@]}" --timeout=45s >>"$ndir/up.log" 2>&1 ||
    die "node $k: tailscale up failed: $(tail -n1 "$ndir/up.log")"
  rm -f "$ndir/down"
  wait_state "$k" Running 30
}

cmd_tag() {
  (($# >= 3)) || usage
  lab_init "$1"
  load_conf
  local k=$2 id i out
  check_k "$k"
  shift 2
  id=$(cat "$(node_dir "$k")/id" 2>/dev/null || true)
  [[ -n $id ]] || die "node $k has no Headscale id (never joined?)"
  # v0.28+ accepts only tags that are tagOwners keys; older releases store them unchecked.
  policy_add "$@"
  local joined
  joined=$(IFS=,; printf '%s' "$*")
  for ((i = 0; i < 20; i++)); do
    if out=$(hs_cli nodes tag -i "$id" -t "$joined" 2>&1); then return 0; fi
    # A just-reloaded policy may not be visible to the first call yet.
    grep -qi 'not permitted\|invalid' <<<"$out" || break
    sleep 0.25
  done
  die "headscale nodes tag -i $id failed: $(tr '\n' ' ' <<<"$out")"
}

cmd_expire() {
  (($# == 2)) || usage
  lab_init "$1"
  load_conf
  local k=$2 id out
  check_k "$k"
  id=$(cat "$(node_dir "$k")/id" 2>/dev/null || true)
  [[ -n $id ]] || die "node $k has no Headscale id (never joined?)"
  out=$(hs_cli nodes expire -i "$id" 2>&1) || die "headscale nodes expire -i $id failed: $(tr '\n' ' ' <<<"$out")"
}

cmd_apikey() {
  (($# == 1 || $# == 3)) || usage
  lab_init "$1"
  load_conf
  local exp=90d out key
  if (($# == 3)); then
    [[ $2 == --expiration ]] || usage
    exp=$3
  fi
  ns_exists "$hs_ns" || die "no headscale namespace for $dir (lab down?)"
  # -o json: the key as a JSON string, nothing else on stdout.
  out=$(hs_cli_stdout "headscale apikeys create" apikeys create --expiration "$exp" -o json) || exit 1
  key=$(jq -r 'strings' <<<"$out" 2>/dev/null || true)
  [[ $key =~ ^[A-Za-z0-9._-]+$ ]] || die "headscale apikeys create printed no key: $(tr '\n' ' ' <<<"$out")"
  printf '%s\n' "$key"
}

cmd_policy() {
  (($# >= 2)) || usage
  lab_init "$1"
  load_conf
  shift
  policy_add "$@"
}

cmd_exec() {
  (($# >= 3)) || usage
  lab_init "$1"
  load_conf
  local k=$2 pid
  check_k "$k"
  shift 2
  pid=$(node_pid "$k") || die "node $k: tailscaled is not running"
  exec nsenter -t "$pid" -n -m -u -- "$@"
}

cmd_hs() {
  (($# >= 2)) || usage
  lab_init "$1"
  load_conf
  shift
  ns_exists "$hs_ns" || die "no headscale namespace for $dir (lab down?)"
  exec ip netns exec "$hs_ns" env -i PATH="$CLEAN_PATH" HOME="$hs_dir" "$HEADSCALE_BIN" -c "$hs_cfg" "$@"
}

cmd_stop_headscale() {
  (($# == 1)) || usage
  lab_init "$1"
  load_conf
  stop_headscale
  write_env
}

cmd_start_headscale() {
  (($# == 1)) || usage
  lab_init "$1"
  load_conf
  ns_exists "$hs_ns" || die "no headscale namespace for $dir (lab down?)"
  start_headscale
  write_env
}

# After cmd_down_quiet (netns_lab.sh) has killed the lab's processes.
forget_pids() { rm -f "$hs_dir/pid" "$dir"/n[0-9]*/pid 2>/dev/null || true; }

lab_main up join start kill down-node up-node tag policy expire apikey exec hs \
  stop-headscale start-headscale down -- "$@"

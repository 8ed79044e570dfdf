# shellcheck shell=bash
# netns_lab.sh: what the network-namespace labs share (tests/integration/tailnet/lab.sh and
# tests/integration/lan/lab.sh source it; it is not a command). Each lab is a switch namespace
# <pfx>-sw holding bridge br0 and hosts in namespaces <pfx>-*, each joined to the bridge by a veth
# pair created from inside the switch namespace, and a holder process (sleep) per host that keeps its
# private mount and uts namespaces. Nothing here touches the root namespace's network.
#
# The sourcing script calls lab_names from its lab_init (which sets `dir`, `pfx`, `sw_ns`, `octet`)
# and defines what the shared subcommand parts call back:
#   usage            print the usage line and exit nonzero
#   lab_init DIR     derive every name from DIR (calls lab_names)
#   load_conf        the settings `up` recorded (calls read_conf)
#   env_lines        print DIR/lab.env's lines after LAB_DIR
#   forget_pids      remove the PID files of processes the teardown killed
# It provides `down` (cmd_down; cmd_down_quiet for the EXIT trap of a failing `up`) and the entry point
# lab_main. Messages go to stderr as "lab.sh: ...".

SLEEP_BIN=$(realpath "$(command -v sleep)")
readonly SLEEP_BIN

die() { printf 'lab.sh: %s\n' "$*" >&2; exit 1; }
note() { [[ -z ${LAB_VERBOSE:-} ]] || printf 'lab.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- lab identity and state
# lab_names PREFIX DIR: dir (DIR made absolute; it need not exist, for `down`), pfx (PREFIX and 6 hex of
# sha256(dir), unique to DIR), sw_ns (the switch namespace, pfx-sw) and octet (the first byte of the hash).
lab_names() {
  [[ -n $2 ]] || usage
  dir=$(realpath -m -- "$2")
  local h
  h=$(printf '%s' "$dir" | sha256sum | cut -c1-6)
  pfx=$1$h
  sw_ns=$pfx-sw
  # shellcheck disable=SC2034 # for the sourcing script's addresses
  octet=$((16#${h:0:2}))
}

read_conf() { # read_conf: source DIR/lab.conf, which `up` wrote
  [[ -f $dir/lab.conf ]] || die "no lab in $dir (run lab.sh up first)"
  # shellcheck source=/dev/null
  source "$dir/lab.conf"
}

with_lock() { # with_lock CMD...: serialise state edits of concurrent lab.sh calls on one DIR
  (
    flock 8
    "$@"
  ) 8>"$dir/.lab.lock"
}

# DIR/lab.env (sourceable KEY=VALUE, values quoted with printf %q): LAB_DIR, then env_lines. Written to a
# temporary file first, so a reader never sees half of it.
write_env_locked() {
  local tmp=$dir/.lab.env.tmp
  {
    printf 'LAB_DIR=%q\n' "$dir"
    env_lines
  } >"$tmp"
  mv -f "$tmp" "$dir/lab.env"
}
write_env() { with_lock write_env_locked; }

ns_exists() { [[ -e /run/netns/$1 ]]; }

# True when PID is alive, runs binary BIN, and sits in network namespace NS (guards against PID reuse).
pid_is() { # pid_is PID BIN NS
  local pid=$1
  [[ -n $2 && $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$2" ]] || return 1
  [[ $(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) == "$(stat -L -c %i "/run/netns/$3" 2>/dev/null)" ]]
}

live_pid() { # live_pid FILE BIN NS: the PID recorded in FILE if pid_is PID BIN NS, or fail
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  pid_is "$pid" "$2" "$3" || return 1
  printf '%s' "$pid"
}

# ---------------------------------------------------------------- network
make_switch() { # make_switch [BRIDGE_OPTION...]: the switch namespace with bridge br0
  ip netns add "$sw_ns" &&
    ip -n "$sw_ns" link set lo up &&
    ip -n "$sw_ns" link add br0 type bridge "$@" &&
    ip -n "$sw_ns" link set br0 up
}

# make_host NS PORT IP [--multicast]: namespace NS with lo and eth0 = IP/24, veth peer PORT on the
# switch's bridge. --multicast: lo and eth0 with the multicast flag, and no IPv6 duplicate address
# detection on eth0 (its link-local address is usable at once).
make_host() {
  local ns=$1 port=$2 ip_addr=$3
  local -a mc=()
  [[ ${4:-} != --multicast ]] || mc=(multicast on)
  ip netns add "$ns" &&
    ip -n "$ns" link set lo "${mc[@]}" up &&
    ip -n "$sw_ns" link add "$port" type veth peer name eth0 netns "$ns" &&
    ip -n "$sw_ns" link set "$port" master br0 up &&
    { ((${#mc[@]} == 0)) || ip netns exec "$ns" sysctl -q -w net.ipv6.conf.eth0.accept_dad=0; } &&
    ip -n "$ns" addr add "$ip_addr/24" dev eth0 &&
    ip -n "$ns" link set eth0 "${mc[@]}" up
}

# Daemons see a resolv.conf naming only their namespace's loopback (bind-mounted in their private mount
# namespace): even a stray DNS lookup cannot target the host's resolver.
write_resolv_conf() { printf '# lab.sh: no DNS in the lab\nnameserver 127.0.0.1\n' >"$1/resolv.conf"; }

# ---------------------------------------------------------------- holder and daemons
# start_holder_in NS HOSTNAME HDIR LOG [SETUP]: a sleeping process, started under
#   ip netns exec NS unshare -m -u --propagation private
# with HDIR/resolv.conf bind-mounted on /etc/resolv.conf, a tmpfs on /run, then the sh commands SETUP
# (in which $3 is HDIR), hostname HOSTNAME; it holds those namespaces. Its PID lands in HDIR/holder and
# its output in LOG. Waits up to 10 s for it; fails if it did not start.
start_holder_in() {
  local ns=$1 name=$2 hdir=$3 log=$4 i
  # shellcheck disable=SC2016 # $1.. expand in the inner sh
  local script='mount --bind "$3/resolv.conf" /etc/resolv.conf && mount -t tmpfs -o mode=0755 tmpfs /run &&'
  [[ -z ${5:-} ]] || script+=" $5 &&"
  # shellcheck disable=SC2016
  script+=' hostname "$1" && echo $$ >"$2" && exec "$4" infinity'
  rm -f "$hdir/holder"
  setsid ip netns exec "$ns" unshare -m -u --propagation private \
    sh -c "$script" sh "$name" "$hdir/holder" "$hdir" "$SLEEP_BIN" </dev/null >>"$log" 2>&1 &
  for ((i = 0; i < 200; i++)); do
    live_pid "$hdir/holder" "$SLEEP_BIN" "$ns" >/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# spawn_in HOLDER PIDFILE LOG CMD...: CMD in the background, in HOLDER's network, mount and uts
# namespaces, in a session of its own, without the caller's DBUS_SYSTEM_BUS_ADDRESS (a lab host has its
# own system bus, if any), stdin /dev/null, output appended to LOG. The inner sh writes its own PID to
# PIDFILE, then execs CMD itself: PIDFILE holds CMD's PID, and the process runs CMD's binary as soon as
# it leaves sh.
spawn_in() {
  local holder=$1 pidfile=$2 log=$3
  shift 3
  # shellcheck disable=SC2016 # $1 expands in the inner sh
  setsid nsenter -t "$holder" -n -m -u -- env -u DBUS_SYSTEM_BUS_ADDRESS \
    sh -c 'echo $$ >"$1" && shift && exec "$@"' sh "$pidfile" "$@" </dev/null >>"$log" 2>&1 &
}

# ---------------------------------------------------------------- subcommands
# lab_main SUB... -- ARG...: the entry point. When the first ARG is one of the SUBs, cmd_<SUB> (dashes as
# underscores) with the other ARGs; else usage.
lab_main() {
  local -a subs=()
  while [[ $1 != -- ]]; do
    subs+=("$1")
    shift
  done
  shift
  (($# >= 1)) || usage
  local sub=$1 s
  shift
  for s in "${subs[@]}"; do
    if [[ $sub == "$s" ]]; then
      "cmd_${sub//-/_}" "$@"
      return
    fi
  done
  usage
}

need_root() { [[ $EUID -eq 0 ]] || die "must run as root (network namespaces)"; }

# up_checks CMD...: root, every CMD in PATH, and no lab up for DIR yet.
up_checks() {
  need_root
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
  done
  ! ns_exists "$sw_ns" || die "a lab is already up for $dir (lab.sh down $dir first)"
}

# up_begin [BRIDGE_OPTION...]: from here until up_end, a failing `up` tears down what it made (EXIT
# trap); then the switch. up_end: the lab is up; write DIR/lab.env.
up_begin() {
  # shellcheck disable=SC2034 # read by the EXIT trap
  up_done=0
  trap 'rc=$?; if ((rc != 0 && up_done == 0)); then cmd_down_quiet; fi' EXIT
  trap 'exit 130' INT TERM HUP
  make_switch "$@" || die "cannot create the switch namespace $sw_ns"
}
up_end() {
  write_env
  # shellcheck disable=SC2034 # read by the EXIT trap
  up_done=1
}

# Kill every process inside the lab's namespaces (all started by the lab), then delete the namespaces
# and forget_pids. Does nothing when the lab has no namespace.
cmd_down_quiet() {
  local -a nss=()
  local ns pids i left
  # The lab's namespaces: <pfx>-* (a prefix unique to DIR).
  while read -r ns _; do
    [[ $ns == "$pfx"-* ]] && nss+=("$ns")
  done < <(ip netns list 2>/dev/null || true)
  ((${#nss[@]})) || return 0
  for ns in "${nss[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086 # word splitting of the PID list is wanted
    [[ -z $pids ]] || kill -TERM $pids 2>/dev/null || true
  done
  for ((i = 0; i < 50; i++)); do
    left=""
    for ns in "${nss[@]}"; do left+=$(ip netns pids "$ns" 2>/dev/null || true); done
    [[ -z $left ]] && break
    sleep 0.1
  done
  for ns in "${nss[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
  done
  # Delete the hosts before the switch (their veth peers go with them).
  for ns in "${nss[@]}"; do [[ $ns == "$sw_ns" ]] || ip netns del "$ns" 2>/dev/null || true; done
  ip netns del "$sw_ns" 2>/dev/null || true
  forget_pids
}

cmd_down() { # lab.sh down DIR
  (($# == 1)) || usage
  lab_init "$1"
  need_root
  cmd_down_quiet
  local ns
  while read -r ns _; do
    [[ $ns != "$pfx"-* ]] || die "namespace $ns still exists after down"
  done < <(ip netns list 2>/dev/null || true)
  if [[ -f $dir/lab.conf ]]; then
    load_conf
    write_env
  fi
}

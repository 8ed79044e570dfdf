#!/usr/bin/env bash
# lab.sh: hosts in network namespaces joined by unicast only, as on a tailnet, for the exo source's
# integration tests: exo's discovery multicast stays on each host, so exo instances on different hosts
# never find each other unless something introduces them. Needs root, iproute2, util-linux (unshare,
# nsenter, setsid, flock) and ip6tables.
#
# Usage (DIR is a directory the caller owns, e.g. mktemp -d; all lab state lives in it):
#   lab.sh up DIR N             hosts 1..N (N <= 8); returns once every host's addresses are usable
#   lab.sh exec DIR K CMD...    run CMD in host K's net+mount+uts namespaces (nsenter -t HOLDER -n -m -u)
#   lab.sh down DIR             kill everything, delete the namespaces; idempotent, safe after a partial `up`
# Exit status 0 on success, else nonzero with a one-line reason on stderr. Stdout carries only the output
# of CMD for exec.
#
# Topology (names derived from DIR, so labs in different DIRs coexist): a switch namespace pe<id>-sw holds
# bridge br0 (multicast snooping off); host K lives in pe<id>-hK, joined to the bridge by a veth pair
# created from inside the switch namespace (port hK on br0, eth0 in the host) with 10.215.<o>.(10+K)/24,
# the ULA fd00:e0::K/64 and its EUI-64 link-local address (no DAD: usable at once). <id> = 6 hex of
# sha256(DIR), <o> = its first byte. Each host also has a dummy interface exo0 (an ifb device where the
# kernel has no dummy driver: it too drops all that is sent through it) with multicast on and only its
# link-local address (no DAD): exo sends its Hellos on every interface with IPv6, and on exo0 they loop
# back to the host's own listeners (the local exo, peerscout) and go nowhere else. On eth0, the
# host's ip6tables drop what is sent to or arrives for exo's group ff12::e0a1:de89 (OUTPUT -o eth0 and
# INPUT -i eth0), so its multicast never crosses between hosts, as on a tailnet; unicast (fd00:e0::/64,
# link-local) passes. No namespace has a default route; nothing touches the root namespace's network.
# Each host has a holder process (sleep) started under
#   ip netns exec pe<id>-hK unshare -m -u --propagation private
# with a tmpfs on /run, a resolv.conf naming only 127.0.0.1 bind-mounted on /etc/resolv.conf and
# hostname exohostK; exec enters its namespaces.
#
# DIR/lab.env (sourceable KEY=VALUE) after up/down: LAB_DIR, HOSTS, SWITCH_NS, and per host HOSTk_NS,
# HOSTk_HOLDER (PID, empty after down), HOSTk_IP4, HOSTk_IP6 (fd00:e0::k), HOSTk_LINK_LOCAL (eth0's
# link-local address, no %scope), HOSTk_IFACE (eth0), HOSTk_EXO_IFACE (exo0), HOSTk_EXO_IP6 (exo0's
# link-local address, no %scope), HOSTk_HOSTNAME (exohostk).
# Environment: LAB_VERBOSE=1 narrates on stderr.
set -euo pipefail

readonly MAX_HOSTS=8
readonly IFACE=eth0
readonly EXO_IFACE=exo0
readonly EXO_GROUP=ff12::e0a1:de89
# ip6tables and sysctl live in /usr/sbin, which a caller's PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

# die, note, with_lock, write_env, live_pid, make_switch, make_host, start_holder_in, up_checks,
# up_begin/up_end, cmd_down_quiet, cmd_down, lab_main.
# shellcheck source=../netns_lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../netns_lab.sh"

usage() {
  die "usage: lab.sh {up DIR N | exec DIR K CMD... | down DIR}"
}

# ---------------------------------------------------------------- lab identity and state
# lab_init DIR: derives every name from DIR (which need not exist, for `down`)
lab_init() { lab_names pe "$1"; }

load_conf() { read_conf; } # the settings `up` recorded: HOSTS

host_ns() { printf '%s-h%s' "$pfx" "$1"; }
host_ip4() { printf '10.215.%s.%s' "$octet" $((10 + $1)); }
host_ip6() { printf 'fd00:e0::%x' "$1"; }
host_dir() { printf '%s/h%s' "$dir" "$1"; }
host_name() { printf 'exohost%s' "$1"; }

check_k() { # check_k K: a host of this lab
  if [[ ! $1 =~ ^[1-9][0-9]*$ ]] || (($1 > HOSTS)); then die "bad host number '$1' (want 1..$HOSTS)"; fi
}

holder_pid() { live_pid "$(host_dir "$1")/holder" "$SLEEP_BIN" "$(host_ns "$1")"; }

env_lines() { # lab.env after LAB_DIR (write_env)
  local k hdir
  printf 'HOSTS=%q\n' "$HOSTS"
  printf 'SWITCH_NS=%q\n' "$sw_ns"
  for ((k = 1; k <= HOSTS; k++)); do
    hdir=$(host_dir "$k")
    printf 'HOST%s_NS=%q\n' "$k" "$(host_ns "$k")"
    printf 'HOST%s_HOLDER=%q\n' "$k" "$(holder_pid "$k" || true)"
    printf 'HOST%s_IP4=%q\n' "$k" "$(host_ip4 "$k")"
    printf 'HOST%s_IP6=%q\n' "$k" "$(host_ip6 "$k")"
    printf 'HOST%s_LINK_LOCAL=%q\n' "$k" "$(cat "$hdir/link-local" 2>/dev/null || true)"
    printf 'HOST%s_IFACE=%q\n' "$k" "$IFACE"
    printf 'HOST%s_EXO_IFACE=%q\n' "$k" "$EXO_IFACE"
    printf 'HOST%s_EXO_IP6=%q\n' "$k" "$(cat "$hdir/exo-link-local" 2>/dev/null || true)"
    printf 'HOST%s_HOSTNAME=%q\n' "$k" "$(host_name "$k")"
  done
}

# ---------------------------------------------------------------- network
# link_local NS DEV: DEV's IPv6 link-local address (no %scope), once it has one; fails after 5 s.
link_local() {
  local ns=$1 dev=$2 i ip6
  for ((i = 0; i < 100; i++)); do
    ip6=$(ip -n "$ns" -6 -o addr show dev "$dev" scope link | awk '$3 == "inet6" { sub("/.*", "", $4); print $4; exit }')
    if [[ -n $ip6 ]]; then
      printf '%s\n' "$ip6"
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# make_exo_host K: namespace pe<id>-hK with lo, eth0 (IPv4, fd00:e0::K/64 and link-local, no DAD) on the
# switch's bridge, exo0 (dummy, multicast, link-local only, no DAD), and the ip6tables rules that keep
# exo's group off eth0. Records the link-local addresses in DIR/hK/link-local and DIR/hK/exo-link-local.
make_exo_host() {
  local k=$1 ns hdir
  ns=$(host_ns "$k")
  hdir=$(host_dir "$k")
  make_host "$ns" "h$k" "$(host_ip4 "$k")" --multicast || die "cannot create namespace $ns"
  ip -n "$ns" -6 addr add "$(host_ip6 "$k")/64" dev "$IFACE" nodad ||
    die "host $k: cannot add $(host_ip6 "$k") to $IFACE"
  # DAD off before the link comes up, so its link-local address is usable at once. A kernel without
  # the dummy driver gets an ifb device instead: it too drops whatever is sent through it (ifb passes on
  # only what tc redirects to it).
  { ip -n "$ns" link add "$EXO_IFACE" type dummy 2>/dev/null ||
    ip -n "$ns" link add "$EXO_IFACE" type ifb; } &&
    ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$EXO_IFACE.accept_dad=0" &&
    ip -n "$ns" link set "$EXO_IFACE" multicast on up ||
    die "host $k: cannot create $EXO_IFACE"
  ip netns exec "$ns" ip6tables -w -A OUTPUT -o "$IFACE" -d "$EXO_GROUP" -j DROP &&
    ip netns exec "$ns" ip6tables -w -A INPUT -i "$IFACE" -d "$EXO_GROUP" -j DROP ||
    die "host $k: ip6tables refused the rules that keep $EXO_GROUP off $IFACE"
  link_local "$ns" "$IFACE" >"$hdir/link-local" || die "host $k: no IPv6 link-local address on $IFACE"
  link_local "$ns" "$EXO_IFACE" >"$hdir/exo-link-local" ||
    die "host $k: no IPv6 link-local address on $EXO_IFACE"
  note "host $k: $ns, $(host_ip6 "$k"), $EXO_IFACE $(<"$hdir/exo-link-local")"
}

# start_holder K: host K's private mount namespace (tmpfs /run, the lab's resolv.conf) and uts namespace
# (hostname exohostK), held by a sleeping process.
start_holder() {
  local k=$1 hdir
  hdir=$(host_dir "$k")
  write_resolv_conf "$hdir"
  start_holder_in "$(host_ns "$k")" "$(host_name "$k")" "$hdir" "$hdir/holder.log" ||
    die "host $k: its namespace holder did not start: $(tail -n1 "$hdir/holder.log" 2>/dev/null)"
}

# ---------------------------------------------------------------- subcommands
cmd_up() {
  (($# == 2)) || usage
  lab_init "$1"
  local k
  HOSTS=$2
  if [[ ! $HOSTS =~ ^[1-9][0-9]*$ ]] || ((HOSTS > MAX_HOSTS)); then
    die "bad N '$HOSTS' (want 1..$MAX_HOSTS)"
  fi
  up_checks ip unshare nsenter setsid flock sha256sum sysctl ip6tables

  mkdir -p "$dir"
  # A previous lab's state in DIR (pid files, logs) would mislead this one: drop what lab.sh owns.
  rm -rf "$dir"/h[0-9]* "$dir/lab.env" "$dir/lab.conf"
  printf 'HOSTS=%q\n' "$HOSTS" >"$dir/lab.conf"
  for ((k = 1; k <= HOSTS; k++)); do mkdir -p "$(host_dir "$k")"; done

  # The switch: a plain hub (no multicast snooping), so that only the hosts' own rules keep exo's
  # multicast apart; were they missing, every host would hear every other.
  up_begin mcast_snooping 0
  for ((k = 1; k <= HOSTS; k++)); do
    make_exo_host "$k"
    start_holder "$k"
  done
  up_end
}

cmd_exec() {
  (($# >= 3)) || usage
  lab_init "$1"
  load_conf
  local k=$2 holder
  check_k "$k"
  shift 2
  holder=$(holder_pid "$k") || die "host $k: its namespace holder is not running (lab down?)"
  exec nsenter -t "$holder" -n -m -u -- "$@"
}

# After cmd_down_quiet (netns_lab.sh) has killed the lab's processes.
forget_pids() { rm -f "$dir"/h[0-9]*/holder 2>/dev/null || true; }

lab_main up exec down -- "$@"

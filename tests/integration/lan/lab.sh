#!/usr/bin/env bash
# lab.sh: a LAN of hosts in network namespaces, each with its own dbus-daemon (system bus) and
# avahi-daemon, for mDNS integration tests. Needs root, iproute2, util-linux (unshare, nsenter, setsid,
# flock), dbus-daemon, avahi-daemon and avahi-utils (scripts/setup.sh --test installs them).
#
# Usage (DIR is a directory the caller owns, e.g. mktemp -d; all lab state lives in it):
#   lab.sh up DIR N [--no-avahi]  hosts 1..N (N <= 8), each with dbus-daemon and (unless --no-avahi)
#                               avahi-daemon; returns once every avahi-daemon has its host name
#   lab.sh exec DIR K CMD...    run CMD in host K's net+mount+uts namespaces (nsenter -t HOLDER -n -m -u),
#                               where /run/dbus/system_bus_socket is host K's own system bus (the
#                               caller's DBUS_SYSTEM_BUS_ADDRESS is dropped)
#   lab.sh avahi-stop DIR K [--kill]  SIGTERM (avahi sends goodbye packets) or SIGKILL (it vanishes
#                               silently) host K's avahi-daemon, wait until it is gone
#   lab.sh avahi-start DIR K    start host K's avahi-daemon, wait until it is running
#   lab.sh down DIR             kill everything, delete the namespaces; idempotent, safe after a partial `up`
# Exit status 0 on success, else nonzero with a one-line reason on stderr. Stdout carries only the output
# of CMD for exec.
#
# Topology (names derived from DIR, so labs in different DIRs coexist): a switch namespace pl<id>-sw holds
# bridge br0 (multicast snooping off: a plain hub for multicast, whoever joined what); host K lives in
# pl<id>-hK, joined to the bridge by a veth pair created from inside the switch namespace (port hK on
# br0, eth0 in the host) with 10.214.<o>.(10+K)/24 and its EUI-64 IPv6 link-local address (no DAD, so it
# is usable at once). <id> = 6 hex of sha256(DIR), <o> = its first byte. No namespace has a default route
# (nor a route to 224.0.0.0/4: IPv4 multicast senders must pick eth0 themselves, as avahi does); nothing
# touches the root namespace's network. Each host has a holder process (sleep) started under
#   ip netns exec pl<id>-hK unshare -m -u --propagation private
# with a tmpfs on /run (so /run/dbus and /run/avahi-daemon are the host's own), hostname lanhostK, a
# resolv.conf naming only 127.0.0.1 bind-mounted on /etc/resolv.conf, and empty stand-ins bind-mounted on
# /etc/avahi/services and /etc/avahi/hosts (no static services or host names from the machine). Its
# daemons enter the holder's namespaces:
#   dbus-daemon --system --nofork --nopidfile --nosyslog      log DIR/hK/dbus.log
#   avahi-daemon -f DIR/hK/avahi-daemon.conf --no-drop-root --no-chroot --no-rlimits   log DIR/hK/avahi.log
# both in the foreground (setsid, stdio to the log); DIR/hK/dbus.pid and avahi.pid are the daemons'
# PIDs. avahi-daemon.conf: host-name lanhostK, allow-interfaces eth0, IPv4 and IPv6, D-Bus on,
# disallow-other-stacks no (others may bind UDP 5353 too), no wide-area, no reflector, no HINFO, no
# workstation service. "Running" means avahi logged "Server startup complete" (its host name is
# established) and `avahi-resolve -n lanhostK.local` answers through D-Bus inside the host.
#
# DIR/lab.env (sourceable KEY=VALUE) after up/avahi-stop/avahi-start/down: LAB_DIR, HOSTS, SWITCH_NS, and
# per host HOSTk_NS, HOSTk_HOLDER (PID, empty after down), HOSTk_IP4, HOSTk_IP6 (link-local, no %scope),
# HOSTk_IFACE (eth0), HOSTk_HOSTNAME (lanhostk), HOSTk_DBUS_PID, HOSTk_AVAHI_PID (empty while stopped).
# Environment: LAB_VERBOSE=1 narrates on stderr.
set -euo pipefail

readonly MAX_HOSTS=8
readonly IFACE=eth0
readonly DBUS_SOCKET=/run/dbus/system_bus_socket
# avahi-daemon lives in /usr/sbin, which a caller's PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

# die, note, with_lock, write_env, pid_is, live_pid, make_switch, make_host, start_holder_in, spawn_in,
# up_checks, up_begin/up_end, cmd_down_quiet, cmd_down.
# shellcheck source=../netns_lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../netns_lab.sh"

usage() {
  die "usage: lab.sh {up DIR N [--no-avahi] | exec DIR K CMD... | avahi-stop DIR K [--kill] | avahi-start DIR K | down DIR}"
}

# ---------------------------------------------------------------- lab identity and state
# lab_init DIR: derives every name from DIR (which need not exist, for `down`)
lab_init() { lab_names pl "$1"; }

load_conf() { read_conf; } # the settings `up` recorded: HOSTS

host_ns() { printf '%s-h%s' "$pfx" "$1"; }
host_ip() { printf '10.214.%s.%s' "$octet" $((10 + $1)); }
host_dir() { printf '%s/h%s' "$dir" "$1"; }
host_name() { printf 'lanhost%s' "$1"; }

check_k() { # check_k K: a host of this lab
  if [[ ! $1 =~ ^[1-9][0-9]*$ ]] || (($1 > HOSTS)); then die "bad host number '$1' (want 1..$HOSTS)"; fi
}

bin_path() { # bin_path NAME: the resolved path of a command, or nothing
  local p
  p=$(command -v "$1" 2>/dev/null) || return 0
  realpath "$p"
}

# True while PID runs; an exited daemon is a zombie until its adoptive parent (init) gets round to it.
running() { # running PID
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) } # the state follows "(comm) "
  [[ ${st%% *} != Z ]]
}

# pid_of K FILE BIN: the live PID recorded in DIR/hK/FILE, or fail
pid_of() { live_pid "$(host_dir "$1")/$2" "$3" "$(host_ns "$1")"; }
holder_pid() { pid_of "$1" holder "$SLEEP_BIN"; }
dbus_pid() { pid_of "$1" dbus.pid "$(bin_path dbus-daemon)"; }
avahi_pid() { pid_of "$1" avahi.pid "$(bin_path avahi-daemon)"; }

env_lines() { # lab.env after LAB_DIR (write_env)
  local k
  printf 'HOSTS=%q\n' "$HOSTS"
  printf 'SWITCH_NS=%q\n' "$sw_ns"
  for ((k = 1; k <= HOSTS; k++)); do
    printf 'HOST%s_NS=%q\n' "$k" "$(host_ns "$k")"
    printf 'HOST%s_HOLDER=%q\n' "$k" "$(holder_pid "$k" || true)"
    printf 'HOST%s_IP4=%q\n' "$k" "$(host_ip "$k")"
    printf 'HOST%s_IP6=%q\n' "$k" "$(cat "$(host_dir "$k")/ip6" 2>/dev/null || true)"
    printf 'HOST%s_IFACE=%q\n' "$k" "$IFACE"
    printf 'HOST%s_HOSTNAME=%q\n' "$k" "$(host_name "$k")"
    printf 'HOST%s_DBUS_PID=%q\n' "$k" "$(dbus_pid "$k" || true)"
    printf 'HOST%s_AVAHI_PID=%q\n' "$k" "$(avahi_pid "$k" || true)"
  done
}

# ---------------------------------------------------------------- network
# make_lan_host K: namespace pl<id>-hK with lo and eth0 (multicast, no DAD), veth peer hK on the switch's
# bridge; records the IPv6 link-local address in DIR/hK/ip6.
make_lan_host() {
  local k=$1 ns hdir i ip6=""
  ns=$(host_ns "$k")
  hdir=$(host_dir "$k")
  make_host "$ns" "h$k" "$(host_ip "$k")" --multicast || die "cannot create namespace $ns"
  for ((i = 0; i < 100; i++)); do
    ip6=$(ip -n "$ns" -6 -o addr show dev "$IFACE" scope link | awk '$3 == "inet6" { sub("/.*", "", $4); print $4; exit }')
    [[ -n $ip6 ]] && break
    sleep 0.05
  done
  [[ -n $ip6 ]] || die "host $k: no IPv6 link-local address on $IFACE"
  printf '%s\n' "$ip6" >"$hdir/ip6"
}

# ---------------------------------------------------------------- holder and daemons
host_run() { # host_run K CMD...: CMD in host K's namespaces, on its own system bus
  local holder
  holder=$(holder_pid "$1") || die "host $1: its namespace holder is not running (lab down?)"
  shift
  nsenter -t "$holder" -n -m -u -- env -u DBUS_SYSTEM_BUS_ADDRESS "$@"
}

# start_holder K: host K's private mount namespace (tmpfs /run, the lab's resolv.conf, no static avahi
# services or hosts) and uts namespace (hostname lanhostK), held by a sleeping process.
start_holder() {
  local k=$1 hdir
  hdir=$(host_dir "$k")
  write_resolv_conf "$hdir"
  mkdir -p "$hdir/services"
  : >"$hdir/avahi-hosts"
  # shellcheck disable=SC2016 # $3 expands in the holder's sh
  start_holder_in "$(host_ns "$k")" "$(host_name "$k")" "$hdir" "$hdir/holder.log" \
    'mkdir -p /run/dbus /run/avahi-daemon &&
     { [ ! -d /etc/avahi/services ] || mount --bind "$3/services" /etc/avahi/services; } &&
     { [ ! -f /etc/avahi/hosts ] || mount --bind "$3/avahi-hosts" /etc/avahi/hosts; }' ||
    die "host $k: its namespace holder did not start: $(tail -n1 "$hdir/holder.log" 2>/dev/null)"
}

# launch K NAME CMD...: run CMD in host K's namespaces in the background, its PID in DIR/hK/NAME.pid
# (the inner sh writes its own PID, then execs CMD) and its output in DIR/hK/NAME.log.
launch() {
  local k=$1 name=$2 hdir holder
  shift 2
  hdir=$(host_dir "$k")
  holder=$(holder_pid "$k") || die "host $k: its namespace holder is not running (lab down?)"
  rm -f "$hdir/$name.pid"
  spawn_in "$holder" "$hdir/$name.pid" "$hdir/$name.log" "$@"
}

# wait_started K NAME: wait for DIR/hK/NAME.pid; die if the process is already gone.
wait_started() {
  local k=$1 name=$2 hdir i
  hdir=$(host_dir "$k")
  for ((i = 0; i < 100; i++)); do
    [[ -s $hdir/$name.pid ]] && break
    sleep 0.02
  done
  if [[ ! -s $hdir/$name.pid ]] || ! running "$(<"$hdir/$name.pid")"; then
    die "host $k: $name exited at start: $(tail -n1 "$hdir/$name.log" 2>/dev/null)"
  fi
}

start_dbus() { # start_dbus K: the host's system bus, wait until its socket answers
  local k=$1 i
  dbus_pid "$k" >/dev/null && return 0
  host_run "$k" rm -f "$DBUS_SOCKET" /run/dbus/pid
  launch "$k" dbus "$(bin_path dbus-daemon)" --system --nofork --nopidfile --nosyslog
  wait_started "$k" dbus
  for ((i = 0; i < 200; i++)); do
    host_run "$k" test -S "$DBUS_SOCKET" && return 0
    dbus_pid "$k" >/dev/null || die "host $k: dbus-daemon died: $(tail -n1 "$(host_dir "$k")/dbus.log")"
    sleep 0.05
  done
  die "host $k: no system bus socket after 10 s (see $(host_dir "$k")/dbus.log)"
}

write_avahi_conf() { # write_avahi_conf K
  cat >"$(host_dir "$1")/avahi-daemon.conf" <<EOF
# Generated by lab.sh for host $1.
[server]
host-name=$(host_name "$1")
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=$IFACE
enable-dbus=yes
disallow-other-stacks=no

[wide-area]
enable-wide-area=no

[publish]
publish-hinfo=no
publish-workstation=no
publish-resolv-conf-dns-servers=no

[reflector]
enable-reflector=no

[rlimits]
EOF
}

# launch_avahi K: start the host's avahi-daemon without waiting. avahi_ready_mark remembers how many
# startup lines its log had, so wait_avahi sees this start's line.
launch_avahi() {
  local k=$1 hdir
  hdir=$(host_dir "$k")
  [[ -z $(avahi_pid "$k" || true) ]] || die "host $k: avahi-daemon is already running"
  dbus_pid "$k" >/dev/null || die "host $k: dbus-daemon is not running"
  write_avahi_conf "$k"
  # A SIGKILLed daemon leaves its PID file; a reused PID in it would look like a running daemon.
  host_run "$k" rm -f /run/avahi-daemon/pid
  grep -c 'Server startup complete' "$hdir/avahi.log" >"$hdir/avahi.mark" 2>/dev/null || true
  launch "$k" avahi "$(bin_path avahi-daemon)" -f "$hdir/avahi-daemon.conf" \
    --no-drop-root --no-chroot --no-rlimits
}

wait_avahi() { # wait_avahi K: until avahi-daemon has established its host name and answers on D-Bus
  local k=$1 hdir i before now
  hdir=$(host_dir "$k")
  before=$(cat "$hdir/avahi.mark" 2>/dev/null || echo 0)
  wait_started "$k" avahi
  for ((i = 0; i < 200; i++)); do
    avahi_pid "$k" >/dev/null || die "host $k: avahi-daemon died: $(tail -n1 "$hdir/avahi.log")"
    now=$(grep -c 'Server startup complete' "$hdir/avahi.log" || true)
    # avahi-resolve answers from the daemon's own records at once (avahi-browse -t waits ~1 s).
    if ((now > before)) && host_run "$k" avahi-resolve -n "$(host_name "$k").local" >/dev/null 2>&1; then
      note "host $k: avahi-daemon running ($(avahi_pid "$k"))"
      return 0
    fi
    sleep 0.1
  done
  die "host $k: avahi-daemon not running after 20 s (see $hdir/avahi.log)"
}

stop_avahi() { # stop_avahi K SIGNAL: signal the daemon, wait until it is gone
  local k=$1 sig=$2 pid i
  pid=$(avahi_pid "$k") || return 0
  # On SIGTERM avahi sends goodbye packets (TTL 0) for its records, then exits (~0.1 s).
  kill "-$sig" "$pid"
  for ((i = 0; i < 200; i++)); do
    running "$pid" || break
    sleep 0.05
  done
  if running "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      running "$pid" || break
      sleep 0.05
    done
  fi
  rm -f "$(host_dir "$k")/avahi.pid"
}

# ---------------------------------------------------------------- subcommands
cmd_up() {
  (($# == 2 || $# == 3)) || usage
  lab_init "$1"
  local avahi=1 k
  HOSTS=$2
  if (($# == 3)); then
    [[ $3 == --no-avahi ]] || usage
    avahi=0
  fi
  if [[ ! $HOSTS =~ ^[1-9][0-9]*$ ]] || ((HOSTS > MAX_HOSTS)); then
    die "bad N '$HOSTS' (want 1..$MAX_HOSTS)"
  fi
  local -a commands=(ip unshare nsenter setsid flock sha256sum sysctl dbus-daemon)
  ((avahi == 0)) || commands+=(avahi-daemon avahi-browse avahi-resolve)
  up_checks "${commands[@]}"

  mkdir -p "$dir"
  # A previous lab's state in DIR (pid files, logs) would mislead this one: drop what lab.sh owns.
  rm -rf "$dir"/h[0-9]* "$dir/lab.env" "$dir/lab.conf"
  printf 'HOSTS=%q\n' "$HOSTS" >"$dir/lab.conf"
  for ((k = 1; k <= HOSTS; k++)); do mkdir -p "$(host_dir "$k")"; done

  # The switch: a bridge without multicast snooping. With snooping on (the default), a group's port
  # list is learned from IGMP/MLD reports and, with no querier to refresh it, expires after ~260 s;
  # ff02::fb would then reach only the hosts that joined since.
  up_begin mcast_snooping 0
  for ((k = 1; k <= HOSTS; k++)); do
    make_lan_host "$k"
    start_holder "$k"
    start_dbus "$k"
  done
  if ((avahi)); then
    # Host name probing takes about a second per daemon: start them all, then wait.
    for ((k = 1; k <= HOSTS; k++)); do launch_avahi "$k"; done
    for ((k = 1; k <= HOSTS; k++)); do wait_avahi "$k"; done
  fi
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
  exec nsenter -t "$holder" -n -m -u -- env -u DBUS_SYSTEM_BUS_ADDRESS "$@"
}

cmd_avahi_stop() {
  (($# == 2 || $# == 3)) || usage
  lab_init "$1"
  load_conf
  local sig=TERM
  check_k "$2"
  if (($# == 3)); then
    [[ $3 == --kill ]] || usage
    sig=KILL
  fi
  avahi_pid "$2" >/dev/null || die "host $2: avahi-daemon is not running"
  stop_avahi "$2" "$sig"
  write_env
}

cmd_avahi_start() {
  (($# == 2)) || usage
  lab_init "$1"
  load_conf
  check_k "$2"
  command -v avahi-daemon >/dev/null 2>&1 || die "missing command: avahi-daemon"
  launch_avahi "$2"
  wait_avahi "$2"
  write_env
}

# After cmd_down_quiet (netns_lab.sh) has killed the lab's processes.
forget_pids() { rm -f "$dir"/h[0-9]*/*.pid "$dir"/h[0-9]*/holder 2>/dev/null || true; }

lab_main up exec avahi-stop avahi-start down -- "$@"

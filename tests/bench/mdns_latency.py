#!/usr/bin/env python3
"""The mdns source's figures on a 3-host LAN lab (tests/integration/lan/lab.sh, already up):
peerscout in host 2 on the mdns source's defaults, peers appearing and leaving in host 1, and an
anchor in host 3 that hears the same packets in the same trial:
  1. DNS-SD: avahi-publish in host 1; anchor avahi-browse -rp (its `=` and `-` lines);
  2. go-libp2p: tests/peers/libp2p-mdns in host 1; anchor a long-running one in host 3 (`found`);
  3. rust-libp2p wire format (exo): tests/peers/rust_mdns_responder.py --query in host 1, then its
     --hostile ttl0 goodbye; the go peer in host 3 is there to show it never finds such a peer;
  4. idle traffic: the packets from host 2 arriving at host 1's UDP 5353 with peerscout running
     (after its start-up burst, reported apart) and without it (avahi-daemon alone).
Figures, not pass/fail. Usage (root; tests/bench/mdns.sh runs it):
    mdns_latency.py LAB_DIR GO_PEER_BINARY
Everything that sends mDNS runs inside the lab's hosts (nsenter into a holder's namespaces); this
process only reads peerscout's Unix socket and the children's stdout.
The sniffer half (`mdns_latency.py sniff IP4 IP6 SRC_IP4 SRC_IP6`) runs inside host 1."""
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from lab_bench import ROOT, UnixConnection, follow_peers, percentiles, read_env

RUST = os.path.join(ROOT, "tests", "peers", "rust_mdns_responder.py")
SELF = os.path.abspath(__file__)
TRIALS = int(os.environ.get("MDNS_BENCH_TRIALS", "20"))
IDLE_SECONDS = int(os.environ.get("MDNS_BENCH_IDLE", "120"))
BURST_SECONDS = int(os.environ.get("MDNS_BENCH_BURST", "75"))
SEEN_TIMEOUT = 10.0
GONE_TIMEOUT = 10.0
CONFIG = """[registry]
startup_deadline = "0s"
[sources.env]
enabled = false
[sources.tailscale]
enabled = false
[sources.mdns]
enabled = true
"""
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "DBUS_SYSTEM_BUS_ADDRESS"}


# ---------------------------------------------------------------- processes inside the hosts
class Host:
    def __init__(self, env, k):
        self.holder = env[f"HOST{k}_HOLDER"]
        if not self.holder.isdigit():  # never fall back to the root namespace
            raise SystemExit(f"mdns_latency: host {k} has no namespace holder")
        self.ip4, self.ip6 = env[f"HOST{k}_IP4"], env[f"HOST{k}_IP6"]

    def argv(self, command):
        return ["nsenter", "-t", self.holder, "-n", "-m", "-u", "--", *command]

    def spawn(self, command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=None):
        return subprocess.Popen(self.argv(command), stdout=stdout, stderr=stderr,
                                stdin=subprocess.DEVNULL, env=env or CHILD_ENV, text=True)

    def run(self, command):
        return subprocess.run(self.argv(command), env=CHILD_ENV, capture_output=True, text=True)


class Lines:
    """Reads a child's stdout line by line, each stamped with its arrival time."""

    def __init__(self, process, on_line):
        self.process, self.on_line = process, on_line
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.process.stdout:
            self.on_line(time.time(), line.rstrip("\n"))


def stop(process, timeout=10):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until(predicate, deadline):
    while time.time() < deadline:
        value = predicate()
        if value is not None:
            return value
        time.sleep(0.002)
    return predicate()


# ---------------------------------------------------------------- peerscout and its socket
class Peerscout:
    """peerscout in host 2; a thread follows its blocking queries and records, per peer_id, when
    it was first listed, when it first stopped being listed, and how often it came back."""

    def __init__(self, host, log_path):
        self.dir = tempfile.mkdtemp(prefix="ps-mdns-bench-")
        config = os.path.join(self.dir, "sidecar.toml")
        with open(config, "w") as f:
            f.write(CONFIG)
        self.sock = os.path.join(self.dir, "peerscout.sock")
        binary = os.environ.get("PEERSCOUT", os.path.join(ROOT, "build-bench", "peerscout"))
        self.log = open(log_path, "a")
        self.started = time.time()
        self.process = host.spawn(
            [binary, "run", "-c", config], stdout=self.log, stderr=self.log,
            env={**CHILD_ENV, "PEERSCOUT_RUNTIME_DIR": self.dir, "PEERSCOUT_LOG_LEVEL": "info"})
        for _ in range(400):
            if os.path.exists(self.sock):
                break
            time.sleep(0.025)
        self.lock = threading.Lock()
        self.present, self.first_seen, self.first_gone, self.returns = set(), {}, {}, {}
        self.addresses = {}
        self.stopping = threading.Event()
        self.thread = follow_peers(self.sock, self.stopping, self._listed)

    def _listed(self, now, peers):
        listed = {p["peer_id"]: p for p in peers if p.get("peer_id")}
        with self.lock:
            for key, peer in listed.items():
                if key not in self.first_seen:
                    self.first_seen[key] = now
                    self.addresses[key] = [a["multiaddr"] for a in peer["addresses"]]
                elif key not in self.present:
                    self.returns[key] = self.returns.get(key, 0) + 1
            for key in self.present - listed.keys():
                self.first_gone.setdefault(key, now)
            self.present = set(listed)

    def seen(self, key):
        with self.lock:
            return self.first_seen.get(key)

    def gone(self, key):
        with self.lock:
            return self.first_gone.get(key)

    def counter(self, event):
        connection = UnixConnection(self.sock)
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        want = f'peerscout_source_events_total{{source="mdns",event="{event}"}}'
        for line in text.splitlines():
            if line.startswith(want):
                return int(float(line.split()[-1]))
        return 0

    def close(self):
        self.stopping.set()
        stop(self.process)
        self.stopped = time.time()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- tables
def fmt(value):
    return "     -" if value is None else f"{value:6.3f}"


def row(label, values, total):
    p = percentiles(values)
    if not p:
        return f"  {label:34} {0:>3}/{total:<3} {'-':>7} {'-':>7} {'-':>7}", None
    return (f"  {label:34} {len(values):>3}/{total:<3} {p['p50']:7.3f} {p['p95']:7.3f} "
            f"{p['max']:7.3f}"), p


def ratio_row(label, ours, anchor):
    if not ours or not anchor:
        return f"  {label:42} {'-':>7} {'-':>7} {'-':>7}"
    cells = []
    for q in ("p50", "p95", "max"):
        cells.append(f"{ours[q] / anchor[q]:6.2f}x" if anchor[q] > 0 else f"{'-':>7}")
    return f"  {label:42} " + " ".join(cells)


def table(title, ours, anchor, anchor_label, total):
    """ours/anchor: per-trial latencies (None where it never happened); one section's rows."""
    print(f"{title:44} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    line, p_ours = row("peerscout", [v for v in ours if v is not None], total)
    print(line)
    if anchor is None:
        return
    line, p_anchor = row(anchor_label, [v for v in anchor if v is not None], total)
    print(line)
    print(ratio_row("ratio peerscout / anchor", p_ours, p_anchor))
    paired = [a - b for a, b in zip(ours, anchor) if a is not None and b is not None]
    line, _ = row("peerscout - anchor, same trial", paired, total)
    print(line)


def missing(label, values):
    bad = [i + 1 for i, v in enumerate(values) if v is None]
    if bad:
        print(f"  !! {label}: not within the timeout in trial(s) {bad}")


def notes(ps, ids, listed, gone, anchors, returned, example=True):
    """A section's closing lines: the trials peerscout (listed, gone) and each anchor ((label,
    values) pairs) missed; how often a `returned` (a departed peer) came back on peerscout's
    socket; with `example`, how trial 1's peer was listed."""
    missing("peerscout listed", listed)
    missing("peerscout gone", gone)
    for label, values in anchors:
        missing(label, values)
    back = sum(ps.returns.get(ids[i], 0) for i in range(1, TRIALS + 1))
    if back:
        print(f"  !! {back} time(s) a {returned} came back on peerscout's socket")
    addresses = ps.addresses.get(ids[1]) if example else None
    if addresses:
        print(f"  trial 1 listed as {addresses}")


# ---------------------------------------------------------------- 1. DNS-SD
def dns_sd(hosts, ps, ids):
    events = {}  # (kind, service name) -> first time

    def on_line(t, line):
        parts = line.split(";")
        if len(parts) >= 4 and parts[0] in ("=", "-"):
            events.setdefault((parts[0], parts[3]), t)

    browse = hosts[3].spawn(["stdbuf", "-oL", "avahi-browse", "-rp", "_peerscout._tcp"])
    Lines(browse, on_line)
    time.sleep(2)
    listed, anchor_listed, gone, anchor_gone = [], [], [], []
    try:
        for i in range(1, TRIALS + 1):
            name, key = f"svc-{i}", ids[i]
            t0 = time.time()
            publisher = hosts[1].spawn(["avahi-publish", "-s", name, "_peerscout._tcp", "4242",
                                        f"peer_id={key}"], stdout=subprocess.DEVNULL)
            deadline = t0 + SEEN_TIMEOUT
            seen = wait_until(lambda: ps.seen(key), deadline)
            anchor = wait_until(lambda: events.get(("=", name)), deadline)
            listed.append(seen and seen - t0)
            anchor_listed.append(anchor and anchor - t0)
            t1 = time.time()
            stop(publisher)
            deadline = t1 + GONE_TIMEOUT
            went = wait_until(lambda: ps.gone(key), deadline)
            anchor_went = wait_until(lambda: events.get(("-", name)), deadline)
            gone.append(went and went - t1)
            anchor_gone.append(anchor_went and anchor_went - t1)
            time.sleep(0.3)
    finally:
        stop(browse)
    print(f"\n== 1. DNS-SD, {TRIALS} trials: avahi-publish -s svc-<i> _peerscout._tcp 4242 "
          "peer_id=<id> in host 1;\n"
          "   peerscout (host 2, avahi backend) vs avahi-browse -rp _peerscout._tcp left running "
          "in host 3 (its '=' / '-' line)")
    table("announce (publisher spawned) -> listed", listed, anchor_listed,
          "avahi-browse '=' (anchor)", TRIALS)
    table("goodbye (SIGTERM to publisher) -> gone", gone, anchor_gone,
          "avahi-browse '-' (anchor)", TRIALS)
    notes(ps, ids, listed, gone,
          [("avahi-browse '='", anchor_listed), ("avahi-browse '-'", anchor_gone)],
          "withdrawn service", example=False)


# ---------------------------------------------------------------- 2 and 3. libp2p
class GoObserver:
    """The long-running go-libp2p peer in host 3: when it first printed `found` for each id."""

    def __init__(self, host, binary):
        self.found = {}
        self.process = host.spawn([binary, "--key-seed", "3"])
        Lines(self.process, self._line)

    def _line(self, t, line):
        try:
            record = json.loads(line)
        except ValueError:
            return
        if "found" in record:
            self.found.setdefault(record["found"], t)


def go_libp2p(hosts, ps, observer, binary, ids):
    listed, anchor_listed, gone = [], [], []
    for i in range(1, TRIALS + 1):
        key = ids[i]
        t0 = time.time()
        peer = hosts[1].spawn([binary, "--key-seed", str(200 + i), "--listen",
                               f"/ip4/{hosts[1].ip4}/tcp/4001"], stdout=subprocess.DEVNULL)
        deadline = t0 + SEEN_TIMEOUT
        seen = wait_until(lambda: ps.seen(key), deadline)
        anchor = wait_until(lambda: observer.found.get(key), deadline)
        listed.append(seen and seen - t0)
        anchor_listed.append(anchor and anchor - t0)
        t1 = time.time()
        stop(peer)
        went = wait_until(lambda: ps.gone(key), t1 + GONE_TIMEOUT)
        gone.append(went and went - t1)
        time.sleep(0.3)
    print(f"\n== 2. go-libp2p, {TRIALS} trials: tests/peers/libp2p-mdns --key-seed 200+i --listen "
          f"/ip4/{hosts[1].ip4}/tcp/4001 in host 1;\n"
          "   peerscout (host 2, its own socket) vs a long-running go-libp2p peer in host 3 "
          "(its first 'found')")
    table("start (peer spawned) -> listed", listed, anchor_listed,
          "go-libp2p 'found' (anchor)", TRIALS)
    table("goodbye (SIGTERM: TTL-0 response) -> gone", gone, None, None, TRIALS)
    print("  (no anchor for gone: go-libp2p's mDNS has no 'lost' callback, only HandlePeerFound)")
    notes(ps, ids, listed, gone, [("go-libp2p found", anchor_listed)], "departed go peer")


def rust_libp2p(hosts, ps, observer, ids):
    listed, gone = [], []
    base = ["python3", RUST, "--iface-ip", hosts[1].ip4, "--addr", "/ip4/0.0.0.0/tcp/52416"]
    for i in range(1, TRIALS + 1):
        key = ids[i]
        t0 = time.time()
        responder = hosts[1].spawn([*base, "--query", "--peer-id", key], stdout=subprocess.DEVNULL)
        seen = wait_until(lambda: ps.seen(key), t0 + SEEN_TIMEOUT)
        listed.append(seen and seen - t0)
        t1 = time.time()
        hosts[1].spawn([*base, "--peer-id", key, "--hostile", "ttl0"],
                       stdout=subprocess.DEVNULL).wait()
        went = wait_until(lambda: ps.gone(key), t1 + GONE_TIMEOUT)
        gone.append(went and went - t1)
        stop(responder)
        time.sleep(0.3)
    time.sleep(1)  # a late `found` would still count
    found = sum(1 for i in range(1, TRIALS + 1) if ids[i] in observer.found)
    print(f"\n== 3. rust-libp2p wire format (exo), {TRIALS} trials: rust_mdns_responder.py --query "
          "--addr /ip4/0.0.0.0/tcp/52416 in host 1;\n"
          "   goodbye: the same id's --hostile ttl0 (rust's layout, TTL 0; exo itself never sends "
          "one: its peers leave by missed queries or TTL)")
    table("start (responder spawned) -> listed", listed, None, None, TRIALS)
    table("TTL-0 response (spawned) -> gone", gone, None, None, TRIALS)
    print(f"  go-libp2p peer in host 3 found the rust-format peer in {found}/{TRIALS} trials "
          "(it cannot read rust-libp2p's responses)")
    notes(ps, ids, listed, gone, [], "departed rust-format peer")


# ---------------------------------------------------------------- 4. idle traffic
def read_name(buf, pos):
    labels, jumps = [], 0
    while True:
        length = buf[pos]
        if length & 0xC0 == 0xC0:
            pos = ((length & 0x3F) << 8) | buf[pos + 1]
            jumps += 1
            if jumps > 32:
                raise ValueError("loop")
            continue
        if length == 0:
            return b".".join(labels).decode("latin-1").lower(), pos + 1
        labels.append(buf[pos + 1:pos + 1 + length])
        pos += 1 + length


def classify(buf):
    """p2p-query (a question for _p2p._udp.local), query (any other question) or response."""
    try:
        _id, flags, qdcount = struct.unpack(">HHH", buf[:6])
        pos, names = 12, []
        for _ in range(qdcount):
            name, pos = read_name(buf, pos)
            names.append(name)
            pos += 4
    except (ValueError, IndexError, struct.error):
        return "unparsable"
    if "_p2p._udp.local" in names:
        return "p2p-query"
    if flags & 0x8000 == 0 and qdcount:
        return "query"
    return "response"


def sniff(ip4, ip6, src4, src6):
    """Inside host 1: every datagram from host 2 arriving at UDP 5353, one JSON line each."""
    v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    v4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    v4.bind(("0.0.0.0", 5353))
    v4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                  socket.inet_aton("224.0.0.251") + socket.inet_aton(ip4))
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    v6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    v6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    v6.bind(("::", 5353))
    index = socket.if_nametoindex("eth0")
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                  socket.inet_pton(socket.AF_INET6, "ff02::fb") + struct.pack("@I", index))
    print(json.dumps({"ready": True}), flush=True)
    while True:
        for s in select.select([v4, v6], [], [])[0]:
            buf, source = s.recvfrom(65535)
            family = 4 if s is v4 else 6
            if source[0].split("%")[0] != (src4 if family == 4 else src6):
                continue
            print(json.dumps({"t": time.time(), "family": family, "len": len(buf),
                              "kind": classify(buf)}), flush=True)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb_of(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def idle(hosts, log_path, packets_path):
    packets = []
    sniffer = hosts[1].spawn(["python3", "-B", SELF, "sniff", hosts[1].ip4, hosts[1].ip6,
                              hosts[2].ip4, hosts[2].ip6])
    ready = threading.Event()

    def on_line(t, line):
        record = json.loads(line)
        if record.get("ready"):
            ready.set()
        else:
            packets.append(record)

    Lines(sniffer, on_line)
    if not ready.wait(10):
        raise SystemExit("mdns_latency: the sniffer in host 1 did not start")
    try:
        ps = Peerscout(hosts[2], log_path)
        start = ps.started
        time.sleep(max(0.0, start + BURST_SECONDS - time.time()))
        q_burst = ps.counter("queries_sent")
        idle_from = time.time()
        cpu_from = cpu_seconds(ps.process.pid)
        time.sleep(IDLE_SECONDS)
        idle_to = time.time()
        cpu_idle = cpu_seconds(ps.process.pid) - cpu_from
        rss_kb = rss_kb_of(ps.process.pid)
        q_idle = ps.counter("queries_sent") - q_burst
        ps.close()
        stopped = ps.stopped
        time.sleep(5)  # our advertisement's goodbye is peerscout's, not the baseline's
        base_from = time.time()
        time.sleep(IDLE_SECONDS)
        base_to = time.time()
    finally:
        stop(sniffer)
    with open(packets_path, "w") as f:
        for p in packets:
            f.write(json.dumps(p) + "\n")

    def count(lo, hi):
        c = {"p2p": 0, "v4q": 0, "v4r": 0, "v6": 0, "bytes": 0}
        for p in packets:
            if not lo <= p["t"] < hi:
                continue
            c["bytes"] += p["len"]
            if p["family"] == 6:
                c["v6"] += 1
            elif p["kind"] == "p2p-query":
                c["p2p"] += 1
            elif p["kind"] == "query":
                c["v4q"] += 1
            else:
                c["v4r"] += 1
        return c

    burst = count(start, idle_from)
    on = count(idle_from, idle_to)
    goodbye = count(stopped - 1, base_from)
    off = count(base_from, base_to)
    print(f"\n== 4. idle traffic: UDP packets from host 2 arriving at host 1's port 5353 "
          "(a socket beside avahi-daemon joined to 224.0.0.251 and ff02::fb).\n"
          "   _p2p._udp.local queries are peerscout's own; the rest is host 2's avahi-daemon "
          "(our advertisement's probes/announcements/answers, the _peerscout._tcp browse).")
    print(f"{'':40} {'_p2p q':>7} {'avahi v4':>9} {'(v4 q':>6} {'v4 resp)':>8} {'avahi v6':>9}"
          f" {'bytes':>7}")

    def line(label, c, minutes):
        other = c["v4q"] + c["v4r"]
        scale = (lambda v: v / minutes) if minutes else (lambda v: v)
        print(f"  {label:38} {scale(c['p2p']):7.1f} {scale(other):9.1f} {scale(c['v4q']):6.1f}"
              f" {scale(c['v4r']):8.1f} {scale(c['v6']):9.1f} {scale(c['bytes']):7.0f}")

    line(f"start-up burst, first {idle_from - start:.0f} s (packets)", burst, None)
    line(f"peerscout idle {IDLE_SECONDS} s (per minute)", on, (idle_to - idle_from) / 60)
    line(f"avahi-daemon alone {IDLE_SECONDS} s (per minute)", off, (base_to - base_from) / 60)
    m_on, m_off = (idle_to - idle_from) / 60, (base_to - base_from) / 60
    diff = {k: on[k] / m_on - off[k] / m_off for k in on}
    line("what peerscout adds (per minute)", diff, 1)
    line("peerscout's shutdown (packets)", goodbye, None)
    print(f"  cross-check, peerscout's queries_sent: {q_burst} in the first {idle_from - start:.0f} s, "
          f"{q_idle} in the idle {IDLE_SECONDS} s ({q_idle / m_on:.1f}/min; one interface)")
    print(f"  peerscout while idle: {100 * cpu_idle / (idle_to - idle_from):.3f} % of a core, "
          f"RSS {rss_kb / 1024:.1f} MB")


# ---------------------------------------------------------------- main
def spawn_overhead(host):
    """What spawning costs inside t0 -> seen: nsenter + exec of a no-op, and of python3."""
    out = {}
    for label, command in (("nsenter + true", ["true"]), ("nsenter + python3", ["python3", "-c", ""])):
        times = []
        for _ in range(10):
            t = time.time()
            host.run(command)
            times.append(time.time() - t)
        out[label] = percentiles(times)["p50"]
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "sniff":
        sniff(*sys.argv[2:6])
        return
    lab_dir, go_binary = sys.argv[1], sys.argv[2]
    env = read_env(lab_dir)
    hosts = {k: Host(env, k) for k in (1, 2, 3)}
    logs = os.environ.get("MDNS_BENCH_LOGS", os.path.join(ROOT, "build-bench", "mdns-bench"))
    os.makedirs(logs, exist_ok=True)
    log_path = os.path.join(logs, "peerscout.log")
    open(log_path, "w").close()

    def ids_from(seed):
        return {i: subprocess.run([go_binary, "--print-id", "--key-seed", str(seed + i)],
                                  check=True, capture_output=True, text=True).stdout.strip()
                for i in range(1, TRIALS + 1)}

    dns_ids, go_ids, rust_ids = ids_from(100), ids_from(200), ids_from(300)
    overhead = spawn_overhead(hosts[1])
    print(f"mdns figures: peerscout {os.environ.get('PEERSCOUT', 'build-bench/peerscout')} (Release) "
          f"in host 2 of a 3-host lab, mdns source on its defaults (avahi backend, query_interval "
          f"60s, libp2p and advertise on).\n"
          f"t0 is taken just before the peer's process is spawned in host 1 through nsenter, so "
          f"every latency includes that spawn and the peer's own start-up (median here: "
          f"nsenter + true {overhead['nsenter + true'] * 1000:.1f} ms, nsenter + python3 "
          f"{overhead['nsenter + python3'] * 1000:.1f} ms; go-libp2p's start-up and avahi's "
          f"probing come on top).\n"
          f"'listed'/'gone' = the /v1/peers?index=N&wait=5s response (read over the Unix socket "
          f"from the root namespace) that first shows / no longer shows the peer_id; an anchor "
          f"line is stamped when it arrives on its stdout pipe. Timeouts {SEEN_TIMEOUT:.0f} s.")
    ps = Peerscout(hosts[2], log_path)
    observer = None
    try:
        time.sleep(2)
        dns_sd(hosts, ps, dns_ids)
        observer = GoObserver(hosts[3], go_binary)
        time.sleep(2)
        go_libp2p(hosts, ps, observer, go_binary, go_ids)
        rust_libp2p(hosts, ps, observer, rust_ids)
    finally:
        if observer:
            stop(observer.process)
        ps.close()
    time.sleep(3)
    idle(hosts, log_path, os.path.join(logs, "idle-packets.jsonl"))
    print(f"\n(peerscout's log: {log_path}; the idle packets: {logs}/idle-packets.jsonl)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Churn: what one change in a big tailnet costs peerscout today.

A LocalAPI stand-in on a Unix socket serves a status of N peers (GET /localapi/v0/status, scaled
from the captured v1.102.5 one by scale_tailscale_status.py) and holds the IPN bus open
(GET /localapi/v0/watch-ipn-bus). R times a second it renames ONE listed peer (its HostName, in
place) and sends one bus line; peerscout (the tailscale source in localapi mode, nothing else on)
reads the whole status again ~100 ms after any bus line. Per row N x R, over CHURN_SECONDS:

  - peerscout's CPU (utime + stime from /proc/PID/stat) over the window (and a 1.5 s drain for
    the last change), per change made, per status read it made, and as % of a core; the window
    includes its idle wakeups, which is what a change costs in practice. At R = 10 bus lines
    within its 100 ms debounce share one read, so per change is below per read there;
  - change -> socket latency p50/p95: from the stand-in making the change to a blocking query
    (/v1/peers?index=N) first answering with the new name;
  - RSS and PSS at the end;
  - beside them, anchors for the same status bytes, in CPU time too: python3's json.loads (best
    of 5) and RapidJSON's no-op SAX pass (BM_RapidJsonNoopSax in peerscout_source_bench, median
    of 3), and the ratios CPU-per-change / anchor.

Read against the aims: one change at 10k peers costs <= 0.5x python3's json.loads of the status
and within 2x of the no-op pass; under 4 % of a core at 1 change/s; change -> socket p95 under
150 ms. Figures, not pass/fail: nothing here fails on a miss. On a shared machine the CPU
figures are disturbed less than the latencies; rerun on a quiet one for figures to quote.

The bus line sent per change is the captured `NetMap:null` notification of
tests/fixtures/tailscale/v1.102.5/watch-ipn-bus-mask18.ndjson (what tailscaled sends with
mask=18 while a peer joins); a new bus connection first gets that file's first line (State 6).
peerscout counts lines, never reads them (adapters/tailscale/local_api.cc), so the shape only
matters for realism. Unix sockets only: nothing is sent on any network.

  churn.py                      # env: CHURN_SECONDS (20), CHURN_PEERS ("1000,10000"),
                                #      CHURN_RATES ("1,10"), PEERSCOUT (build-bench/peerscout),
                                #      PEERSCOUT_BENCH_PAYLOADS (build-bench/payloads),
                                #      CHURN_SOURCE_BENCH (build-bench/peerscout_source_bench)
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

import fault_server  # noqa: E402  (the LocalAPI stand-in's HTTP handler and Unix server)
from lab_bench import UnixConnection, percentiles  # noqa: E402
from proc_stats import cpu_seconds, smaps_rollup_kb  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tailscale", "v1.102.5")
BUILD = os.path.join(ROOT, "build-bench")
# How long after the window the last changes may still land (and be charged their CPU).
DRAIN_SECONDS = 1.5


class Tailnet:
    """The status bytes and the bus: rename() changes one peer's HostName in place (same length,
    so the other peers' offsets hold) and wakes every bus stream for one line."""

    def __init__(self, status_bytes, bus_lines):
        self.body = bytearray(status_bytes)
        self.hello, self.notify = bus_lines[0], bus_lines[1]
        self.lock = threading.Condition()
        self.changes = 0
        self.reads = 0
        self.stopping = False

    def offset_of(self, host_name):
        field = b'"HostName": "' + host_name.encode() + b'"'
        at = self.body.find(field)
        return None if at < 0 else at + len(field) - 1 - len(host_name)

    def rename(self, offset, new_name):
        with self.lock:
            self.body[offset:offset + len(new_name)] = new_name.encode()
            self.changes += 1
            made = time.time()
            self.lock.notify_all()
        return made

    def status(self):
        with self.lock:
            self.reads += 1
            return bytes(self.body)

    def stop(self):
        with self.lock:
            self.stopping = True
            self.lock.notify_all()


class LocalApiHandler(fault_server.Handler):
    """fault_server's handler in its `good` mode, but with a status that changes and a bus that
    sends one line per change instead of a fixed file."""

    def answer(self, mode):
        tailnet = self.server.tailnet
        if self.path.split("?")[0].endswith("watch-ipn-bus"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(tailnet.hello)
            self.wfile.flush()
            with tailnet.lock:
                sent = tailnet.changes
            while True:
                with tailnet.lock:
                    tailnet.lock.wait_for(lambda: tailnet.changes > sent or tailnet.stopping)
                    if tailnet.stopping:
                        return
                    pending, sent = tailnet.changes - sent, tailnet.changes
                self.wfile.write(tailnet.notify * pending)
                self.wfile.flush()
        elif self.path.split("?")[0].endswith("/status"):
            self.send(200, tailnet.status())
        else:
            self.send(404, b"not in the stand-in\n", "text/plain")


def serve_local_api(path, tailnet):
    server = fault_server.UnixServer(path, LocalApiHandler)
    server.mode = fault_server.Mode()  # fault_server's do_GET reads it; always "good" here
    server.tailnet = tailnet
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Watcher:
    """Blocking queries on peerscout's socket; when a response first holds a name we wait for,
    the time it arrived. Searches the raw body for `"NAME"` instead of parsing it, so that the
    watcher's own CPU (on the same two cores) stays small beside a 10k-peer list."""

    def __init__(self, sock):
        self.sock, self.index = sock, 0
        self.waiting, self.seen = {}, {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.follow, daemon=True)

    def expect(self, name, made):
        with self.lock:
            self.waiting[name.encode()] = made

    def follow(self):
        connection = UnixConnection(self.sock)
        while not self.stopping.is_set():
            try:
                connection.request("GET", f"/v1/peers?index={self.index}&wait=2s")
                response = connection.getresponse()
                body = response.read()
                now = time.time()
                self.index = int(response.getheader("X-Peerscout-Index") or self.index)
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(0.05)
                connection = UnixConnection(self.sock)
                continue
            with self.lock:
                for name in [n for n in self.waiting if b'"' + n + b'"' in body]:
                    self.seen[name] = now - self.waiting.pop(name)


def first_peers(sock, timeout=30):
    """The first non-empty /v1/peers list peerscout answers, parsed (once, before the window)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = UnixConnection(sock)
            connection.request("GET", "/v1/peers")
            peers = json.loads(connection.getresponse().read())["peers"]
            if peers:
                return peers
        except (OSError, http.client.HTTPException, ValueError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"peerscout listed no peers on {sock} within {timeout} s")


def run_row(binary, status_path, peers, rate, seconds):
    directory = tempfile.mkdtemp(prefix="ps-churn-")
    api_sock = os.path.join(directory, "tailscaled.sock")
    with open(status_path, "rb") as f:
        tailnet = Tailnet(f.read(), open(os.path.join(FIXTURES, "watch-ipn-bus-mask18.ndjson"),
                                         "rb").readlines())
    server = serve_local_api(api_sock, tailnet)
    config = os.path.join(directory, "sidecar.toml")
    with open(config, "w") as f:
        # The tailscale source alone: env off (no static peers), mdns off (it would multicast).
        f.write('[sources.env]\nenabled = false\n[sources.mdns]\nenabled = false\n'
                f'[sources.tailscale]\nmode = "localapi"\nsocket = "{api_sock}"\n')
    # No nice of its own: it inherits churn.sh's (nice -n 10), as the stand-in does, so that
    # neither is favoured over the other.
    process = subprocess.Popen(
        [binary, "run", "-c", config],
        env={**os.environ, "PEERSCOUT_RUNTIME_DIR": directory, "PEERSCOUT_LOG_LEVEL": "warn"})
    watcher = None
    try:
        sock = os.path.join(directory, "peerscout.sock")
        listed = first_peers(sock)
        # The peers to rename: listed ones whose HostName is in the status, cycled through.
        offsets = []
        for peer in listed:
            name = peer.get("hostname") or ""
            offset = tailnet.offset_of(name) if re.fullmatch(r"node\d+", name) else None
            if offset is not None:
                offsets.append((offset, len(name)))
            if len(offsets) == 256:
                break
        if not offsets:
            raise SystemExit("no listed peer has a HostName the stand-in can change")
        time.sleep(1)  # settled: the first read done, the bus connected
        watcher = Watcher(sock)
        watcher.thread.start()
        reads_before = tailnet.reads
        cpu_before, started = cpu_seconds(process.pid), time.time()
        made = 0
        while made / rate < seconds:
            time.sleep(max(0.0, started + made / rate - time.time()))
            offset, length = offsets[made % len(offsets)]
            # Same length as nodeK, unique per change; quoted in the search, so never a
            # substring match inside a key.
            name = f"c{made:0{length - 1}d}"
            watcher.expect(name, tailnet.rename(offset, name))
            made += 1
        time.sleep(DRAIN_SECONDS)
        cpu = cpu_seconds(process.pid) - cpu_before
        elapsed = time.time() - started
        memory = smaps_rollup_kb(process.pid)
        delays = sorted(watcher.seen.values())
        return {"peers": peers, "listed": len(listed), "rate": rate, "changes": made,
                "reads": tailnet.reads - reads_before,
                "cpu_ms_per_change": 1000 * cpu / made,
                "cpu_ms_per_read": 1000 * cpu / max(1, tailnet.reads - reads_before), "cpu_percent": 100 * cpu / elapsed,
                "latency": percentiles(delays) or {}, "seen": len(delays),
                "rss_mb": memory["Rss"] / 1024, "pss_mb": memory["Pss"] / 1024}
    finally:
        if watcher:
            watcher.stopping.set()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        tailnet.stop()
        server.shutdown()
        server.server_close()
        shutil.rmtree(directory, ignore_errors=True)


def json_loads_ms(path, runs=5):
    """The best of `runs` json.loads of the file, in CPU time like peerscout's figure (no other
    thread of ours runs yet), so that a loaded machine's waits count in neither."""
    text = open(path, "rb").read()
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        json.loads(text)
        best = min(best, time.process_time() - start)
    return best * 1000


def noop_sax_ms(bench_binary, payloads, sizes):
    """BM_RapidJsonNoopSax/N's median CPU time in ms, by N; empty without the benchmark binary."""
    if not os.access(bench_binary, os.X_OK):
        return {}
    out = os.path.join(tempfile.mkdtemp(prefix="ps-churn-sax-"), "sax.json")
    # Its context banner goes to stderr; shown only if it fails.
    run = subprocess.run(
        [bench_binary,
         f"--benchmark_filter=^BM_RapidJsonNoopSax/({'|'.join(map(str, sizes))})$",
         "--benchmark_min_time=0.5", "--benchmark_repetitions=3",
         "--benchmark_report_aggregates_only=true", f"--benchmark_out={out}",
         "--benchmark_out_format=json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PEERSCOUT_BENCH_PAYLOADS": payloads})
    if run.returncode != 0:
        raise SystemExit(f"{bench_binary} failed:\n{run.stderr}")
    runs = json.load(open(out))["benchmarks"]
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    return {int(b["run_name"].rsplit("/", 1)[1]): b["cpu_time"] for b in runs
            if b.get("aggregate_name") == "median"}


def main():
    seconds = float(os.environ.get("CHURN_SECONDS", "20"))
    sizes = [int(n) for n in os.environ.get("CHURN_PEERS", "1000,10000").split(",")]
    rates = [float(r) for r in os.environ.get("CHURN_RATES", "1,10").split(",")]
    binary = os.environ.get("PEERSCOUT", os.path.join(BUILD, "peerscout"))
    payloads = os.environ.get("PEERSCOUT_BENCH_PAYLOADS", os.path.join(BUILD, "payloads"))
    bench = os.environ.get("CHURN_SOURCE_BENCH", os.path.join(BUILD, "peerscout_source_bench"))
    for n in sizes:
        path = os.path.join(payloads, f"status-{n}.json")
        if not os.path.exists(path):
            os.makedirs(payloads, exist_ok=True)
            subprocess.run([sys.executable, os.path.join(HERE, "scale_tailscale_status.py"),
                            os.path.join(FIXTURES, "status-running-localapi.json"), path,
                            str(n)], check=True)
    loads = {n: json_loads_ms(os.path.join(payloads, f"status-{n}.json")) for n in sizes}
    sax = noop_sax_ms(bench, payloads, sizes)

    print(f"== churn: one peer renamed R times a second in an N-peer status, "
          f"{seconds:g} s per row (aims: at 10k, CPU/change <= 0.5x json.loads and <= 2x no-op "
          f"SAX; < 4 % of a core at 1/s; p95 < 150 ms)")
    print(f"{'peers':>6} {'listed':>6} {'R/s':>4} {'changes':>7} {'reads':>5} {'CPU ms/chg':>10} "
          f"{'ms/read':>7} {'% core':>7} {'p50 ms':>7} {'p95 ms':>7} {'seen':>5} {'RSS MB':>7} {'PSS MB':>7} "
          f"{'loads ms':>8} {'/loads':>7} {'SAX ms':>7} {'/SAX':>6}")
    for n in sizes:
        status_mb = os.path.getsize(os.path.join(payloads, f"status-{n}.json")) / 1e6
        for rate in rates:
            row = run_row(binary, os.path.join(payloads, f"status-{n}.json"), n, rate, seconds)
            latency = row["latency"]
            floor = sax.get(n)
            print(f"{n:6} {row['listed']:6} {rate:4g} {row['changes']:7} {row['reads']:5} "
                  f"{row['cpu_ms_per_change']:10.2f} {row['cpu_ms_per_read']:7.2f} "
                  f"{row['cpu_percent']:7.2f} "
                  f"{1000 * latency.get('p50', float('nan')):7.1f} "
                  f"{1000 * latency.get('p95', float('nan')):7.1f} {row['seen']:5} "
                  f"{row['rss_mb']:7.1f} {row['pss_mb']:7.1f} {loads[n]:8.1f} "
                  f"{row['cpu_ms_per_change'] / loads[n]:6.2f}x "
                  + (f"{floor:7.2f} {row['cpu_ms_per_change'] / floor:5.2f}x" if floor else
                     f"{'-':>7} {'-':>6}"), flush=True)
        print(f"       (status of {n} peers: {status_mb:.1f} MB)")
    print("reads: status reads peerscout made in the window (bus lines within its 100 ms debounce "
          "share one; ms/read is the window's CPU over them); seen: changes a blocking query showed before the window + "
          f"{DRAIN_SECONDS:g} s ended. Figures, not pass/fail.")


if __name__ == "__main__":
    main()

"""What the lab benchmarks share: lab.sh, a peerscout inside node 1, and a watcher that follows
its blocking queries and records when each thing first appears (follow_peers, which
mdns_latency.py's watcher uses too)."""
import contextlib
import http.client
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAB = os.path.join(ROOT, "tests", "integration", "tailnet", "lab.sh")


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def lab(*args):
    return subprocess.run(["bash", LAB, *args], check=True, capture_output=True, text=True).stdout


def read_env(directory):
    env = {}
    with open(os.path.join(directory, "lab.env")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            env[key] = value
    return env


def follow_peers(sock, stopping, on_peers):
    """Until the Event `stopping` is set: blocking queries on peerscout's socket `sock`
    (/v1/peers?index=N&wait=5s, reconnecting after any error); on_peers(now, peers) with each
    response's peer list, `now` being when it arrived. Runs in a daemon thread; returns it."""

    def follow():
        index, connection = 0, UnixConnection(sock)
        while not stopping.is_set():
            try:
                connection.request("GET", f"/v1/peers?index={index}&wait=5s")
                body = json.loads(connection.getresponse().read())
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(0.05)
                connection = UnixConnection(sock)
                continue
            now = time.time()
            index = body["version"]
            on_peers(now, body["peers"])

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    return thread


def percentiles(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
    return values and {"p50": pick(0.5), "p95": pick(0.95), "max": values[-1], "min": values[0]}


class Sidecar:
    """peerscout in node 1's namespaces with `config`; `seen` maps a key of each peer
    (key_of(peer)) to when a blocking query first showed it."""

    def __init__(self, env, config, key_of):
        self.dir = tempfile.mkdtemp(prefix="ps-bench-run-")
        with open(os.path.join(self.dir, "sidecar.toml"), "w") as f:
            f.write(config)
        self.sock = os.path.join(self.dir, "peerscout.sock")
        binary = os.environ.get("PEERSCOUT", os.path.join(ROOT, "build-bench", "peerscout"))
        self.process = subprocess.Popen(
            ["nsenter", "-t", env["NODE1_HOLDER"], "-n", "-m", "--", binary, "run", "-c",
             os.path.join(self.dir, "sidecar.toml")],
            env={**os.environ, "PEERSCOUT_RUNTIME_DIR": self.dir, "PEERSCOUT_LOG_LEVEL": "warn"})
        for _ in range(200):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)
        self.seen, self.key_of, self.stop = {}, key_of, threading.Event()
        self.thread = follow_peers(self.sock, self.stop, self._saw)

    def _saw(self, now, peers):
        for peer in peers:
            self.seen.setdefault(self.key_of(peer), now)

    def wait_for(self, key, timeout=30):
        deadline = time.time() + timeout
        while key not in self.seen and time.time() < deadline:
            time.sleep(0.005)
        return self.seen.get(key)

    def close(self):
        self.stop.set()
        self.process.terminate()
        self.process.wait()


@contextlib.contextmanager
def tailnet(prefix, up_args, config, key_of):
    """A lab (`lab.sh up DIR *up_args`) with peerscout in node 1; `config` is the sidecar's
    config text, or a function of the lab's env that returns it. Yields (env, sidecar, dir);
    the sidecar is stopped and the lab taken down afterwards, whatever happened."""
    directory = tempfile.mkdtemp(prefix=prefix)
    sidecar = None
    try:
        lab("up", directory, *up_args)
        env = read_env(directory)
        sidecar = Sidecar(env, config(env, directory) if callable(config) else config, key_of)
        yield env, sidecar, directory
    finally:
        if sidecar:
            sidecar.close()
        lab("down", directory)


def delay_line(what, delays, total, tail=""):
    """'joins 20/20  p50 ... s  p95 ... s  max ... s' for the delays measured in `total` trials."""
    p = percentiles(delays)
    return (f"{what} {len(delays)}/{total}  p50 {p['p50']:.3f} s  p95 {p['p95']:.3f} s  "
            f"max {p['max']:.3f} s{tail}")

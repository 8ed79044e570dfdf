#!/usr/bin/env python3
"""The running sidecar's footprint with N static peers, as JSON lines (tests/bench/run.sh):

  footprint.py PEERSCOUT growth N...        anonymous memory, RSS and PSS with each N, settled
  footprint.py PEERSCOUT idle N SECONDS     N peers left alone for SECONDS: memory at the end,
                                            CPU % of a core per 10 s window (run.sh takes the
                                            median: the machine may be shared)

The sidecar runs on its defaults in this machine's network namespace, so without mDNS (which
multicasts; tests/bench/mdns.sh measures it in a lab) and without tailscaled unless one runs
here; the static list is a config file ([[static]], one variable holds at most 128 KiB)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from proc_stats import cpu_seconds, smaps_rollup_kb

FORMATS = ("json", "exo", "multiaddr")


def get(sock, path):
    """The body of GET path on the Unix socket, or None."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(sock)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                      .encode())
            chunks = []
            while chunk := s.recv(1 << 16):
                chunks.append(chunk)
    except OSError:
        return None
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return body if head.startswith(b"HTTP/1.1 200") else None



def memory_kb(pid):
    rollup = smaps_rollup_kb(pid)
    values = {key.lower(): rollup[key]
              for key in ("Rss", "Pss", "Anonymous", "Private_Clean", "Private_Dirty")}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            values["threads"] = int(line.split()[1])
    return values


class Sidecar:
    def __init__(self, binary, peers):
        self.dir = tempfile.mkdtemp(prefix="ps-footprint-")
        with open(os.path.join(self.dir, "sidecar.toml"), "w") as config:
            for i in range(peers):
                config.write(f'[[static]]\naddress = "/ip4/10.{i >> 16 & 255}.{i >> 8 & 255}.'
                             f'{i & 255}/tcp/52416"\n')
        self.sock = os.path.join(self.dir, "peerscout.sock")
        env = {**os.environ, "PEERSCOUT_RUNTIME_DIR": self.dir, "PEERSCOUT_LOG_LEVEL": "warn",
               "PEERSCOUT_SOURCES_MDNS_ENABLED": "false"}
        # Its warnings (no tailscaled here) would break up run.sh's output.
        self.process = subprocess.Popen(
            [binary, "run", "--config", os.path.join(self.dir, "sidecar.toml")], env=env,
            stderr=open(os.path.join(self.dir, "sidecar.log"), "w"))
        self.peers = peers

    def wait_listed(self, timeout=120):
        """Until the exo format lists every static peer (healthy is not yet complete)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            body = get(self.sock, "/v1/peers?format=exo")
            if body is not None and (body.count(b"/ip4/") == self.peers):
                return True
            time.sleep(0.1)
        return False

    def close(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def growth(binary, sizes):
    for peers in sizes:
        sidecar = Sidecar(binary, peers)
        try:
            if not sidecar.wait_listed():
                print(json.dumps({"footprint": "growth", "peers": peers, "error": "not listed"}))
                continue
            for fmt in FORMATS:  # what a consumer of each format makes the sidecar hold
                get(sidecar.sock, f"/v1/peers?format={fmt}")
            time.sleep(2.5)  # a tick or two: freed memory returned
            print(json.dumps({"footprint": "growth", "peers": peers,
                              **memory_kb(sidecar.process.pid)}), flush=True)
        finally:
            sidecar.close()


def idle(binary, peers, seconds):
    sidecar = Sidecar(binary, peers)
    try:
        if not sidecar.wait_listed():
            print(json.dumps({"footprint": "idle", "peers": peers, "error": "not listed"}))
            return
        for fmt in FORMATS:
            get(sidecar.sock, f"/v1/peers?format={fmt}")
        time.sleep(3)  # settled
        pid, windows = sidecar.process.pid, []
        for _ in range(max(1, seconds // 10)):
            before, start = cpu_seconds(pid), time.time()
            time.sleep(10)
            windows.append(100 * (cpu_seconds(pid) - before) / (time.time() - start))
        print(json.dumps({"footprint": "idle", "peers": peers, "seconds": seconds,
                          "cpu_percent_windows": windows, **memory_kb(pid)}), flush=True)
    finally:
        sidecar.close()


def main():
    binary, mode = sys.argv[1], sys.argv[2]
    if mode == "growth":
        growth(binary, [int(n) for n in sys.argv[3:]])
    else:
        idle(binary, int(sys.argv[3]), int(sys.argv[4]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Idle footprint beside a real tailscaled: peerscout in node 1 of a 4-node tailnet on its
defaults (tailscale source on the LocalAPI, following the IPN bus), left alone for SECONDS;
CPU time, RSS and PSS of peerscout and of that node's tailscaled. Needs root and the daemons.

  tailscale_idle.py [SECONDS [STATIC_PEERS [--json]]]

With STATIC_PEERS, the env source lists that many [[static]] peers besides the tailnet's; with
--json, one JSON line per process (CPU per 10 s window) instead of the table."""
import json
import os
import sys
import time

from lab_bench import tailnet
from proc_stats import cpu_seconds, smaps_rollup_kb




def memory_kb(pid):
    rollup = smaps_rollup_kb(pid)
    return {"Rss": rollup["Rss"], "Pss": rollup["Pss"]}


def config(static_peers):
    if not static_peers:
        return '[sources.env]\nenabled = false\n'
    return "".join(f'[[static]]\naddress = "/ip4/10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}'
                   f'/tcp/52416"\n' for i in range(static_peers))


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    static_peers = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with tailnet("ps-idle-", ["4"], config(static_peers),
                 lambda peer: peer["id"]) as (env, sidecar, _):
        time.sleep(3)  # settled: first reads done, stream connected
        pids = {"peerscout": sidecar.process.pid, "tailscaled": int(env["NODE1_PID"])}
        if "--json" in sys.argv:
            windows = {name: [] for name in pids}
            for _ in range(max(1, seconds // 10)):
                before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                time.sleep(10)
                for name, pid in pids.items():
                    windows[name].append(10 * (cpu_seconds(pid) - before[name]))
            for name, pid in pids.items():
                memory = memory_kb(pid)
                print(json.dumps({"beside_tailscaled": name, "peers": static_peers,
                                  "cpu_percent_windows": windows[name],
                                  "rss": memory["Rss"], "pss": memory["Pss"]}))
            return
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        time.sleep(seconds)
        print(f"{'idle ' + str(seconds) + ' s':14} {'CPU % of a core':>16} {'RSS MB':>8} {'PSS MB':>8}")
        for name, pid in pids.items():
            used = cpu_seconds(pid) - before[name]
            memory = memory_kb(pid)
            print(f"{name:14} {100 * used / seconds:16.3f} {memory['Rss'] / 1024:8.1f} "
                  f"{memory['Pss'] / 1024:8.1f}")


if __name__ == "__main__":
    main()

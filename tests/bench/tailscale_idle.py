#!/usr/bin/env python3
"""Idle footprint beside a real tailscaled: peerscout in node 1 of a 4-node tailnet on its
defaults (tailscale source on the LocalAPI, following the IPN bus), left alone for SECONDS;
CPU time, RSS and PSS of peerscout and of that node's tailscaled. Needs root and the daemons."""
import os
import sys
import time

from lab_bench import tailnet

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_kb(pid):
    values = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0])
    return values


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tailnet("ps-idle-", ["4"], '[sources.env]\nenabled = false\n',
                 lambda peer: peer["id"]) as (env, sidecar, _):
        time.sleep(3)  # settled: first reads done, stream connected
        pids = {"peerscout": sidecar.process.pid, "tailscaled": int(env["NODE1_PID"])}
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

#!/usr/bin/env python3
"""One table of every figure tests/bench/run.sh collected, each beside its anchor and the ratio:

  summary.py DIR

DIR holds what run.sh wrote: bench.json and source-bench.json (Google Benchmark, repeated,
medians taken), footprint.jsonl (footprint.py), idle-tailscaled.jsonl (tailscale_idle.py,
when it ran) and serve-bench.jsonl (serve.sh, when it ran). Anchors: for growth, the per-peer
figure at 100 peers (the issue's aim: within 2x across 100 to 50k); for the idle footprint,
the issue's aims and tailscaled on the same host; for serving, nginx with the same bytes."""
import json
import os
import statistics
import sys

SIZES = (100, 1000, 10000, 50000)
GROWTH_LIMIT = 2.0


def load_benchmarks(path):
    """run name -> median CPU time in ns (CPU, not wall time: the machine may be shared)."""
    if not os.path.exists(path):
        return {}
    runs, unit = {}, {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            runs[b["run_name"]] = b["cpu_time"] * unit[b["time_unit"]]
    return runs


def lines(path):
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


class Table:
    def __init__(self):
        self.rows = []

    def add(self, figure, value, anchor, anchor_value, ratio, verdict=""):
        self.rows.append((figure, value, anchor, anchor_value, ratio, verdict))

    def print(self):
        header = ("figure", "value", "anchor", "anchor value", "ratio", "")
        widths = [max(len(str(r[i])) for r in self.rows + [header]) for i in range(6)]
        print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in self.rows:
            print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")


def growth_rows(table, name, per_peer):
    """per_peer: size -> cost per peer. One row per size above 100, beside the 100-peer one."""
    base = per_peer.get(100)
    if not base:
        return
    unit, scale = per_peer.pop("unit")
    worst = 1.0
    for size in SIZES[1:]:
        if size not in per_peer:
            continue
        ratio = per_peer[size] / base
        worst = max(worst, ratio, 1 / ratio)
        table.add(f"{name} per peer @ {size}", f"{per_peer[size] * scale:.2f} {unit}",
                  "same @ 100", f"{base * scale:.2f} {unit}", f"{ratio:.2f}x",
                  "ok" if max(ratio, 1 / ratio) <= GROWTH_LIMIT else f"> {GROWTH_LIMIT:g}x")
    return worst


def per_peer_times(runs, name):
    found = {size: runs[f"{name}/{size}"] / size for size in SIZES if f"{name}/{size}" in runs}
    found["unit"] = ("us", 1e-3)
    return found


def main():
    out = sys.argv[1]
    runs = {**load_benchmarks(os.path.join(out, "bench.json")),
            **load_benchmarks(os.path.join(out, "source-bench.json"))}
    table = Table()
    # The registry's publish is not here: it merges only what a change touches, so its cost
    # per peer falls with the size (the pair below).
    growth = [("merge", "BM_Merge")]
    growth += [(f"render {f}", f"BM_Render/{f}") for f in
               ("json", "multiaddr", "exo", "zenoh", "lines", "env", "hosts", "file_sd")]
    growth += [("parse tailscale status", "BM_ParseStatus"),
               ("parse + select tailscale status", "BM_ParseAndSelect"),
               ("parse Headscale nodes", "BM_ParseNodeList"),
               ("parse + select Headscale nodes", "BM_ParseAndSelectNodes"),
               ("mdns libp2p round (ldns, table)", "BM_MdnsLibp2pRound"),
               ("mdns DNS-SD services", "BM_MdnsServiceFill")]
    worst = {}
    for label, name in growth:
        w = growth_rows(table, label, per_peer_times(runs, name))
        if w:
            worst[label] = w

    # A change of one peer costs in proportion to the change: the json written incrementally,
    # beside the whole list written again.
    for size in SIZES:
        full = runs.get(f"BM_RenderJsonOneChanged/full/{size}")
        incremental = runs.get(f"BM_RenderJsonOneChanged/incremental/{size}")
        if full and incremental:
            table.add(f"json, 1 of {size} peers changed, incremental", f"{incremental / 1e3:.0f} us",
                      "full render", f"{full / 1e3:.0f} us", f"{incremental / full:.2f}x")

    # The same for the merge of a publish that changed one peer: only its component merged
    # again and spliced in, beside the full merge and diff.
    for size in SIZES:
        full = runs.get(f"BM_PublishOneChanged/full/{size}")
        incremental = runs.get(f"BM_PublishOneChanged/incremental/{size}")
        if full and incremental:
            table.add(f"merge, 1 of {size} peers changed, incremental",
                      f"{incremental / 1e3:.0f} us", "full merge and diff", f"{full / 1e3:.0f} us",
                      f"{incremental / full:.2f}x")

    footprint = lines(os.path.join(out, "footprint.jsonl"))
    sizes = {r["peers"]: r for r in footprint if r.get("footprint") == "growth" and "error" not in r}
    if 0 in sizes:
        empty = sizes[0]
        table.add("memory: anonymous @ 0 peers", f"{empty['anonymous']} kB", "", "", "")
        memory = {n: (sizes[n]["anonymous"] - empty["anonymous"]) / n for n in SIZES if n in sizes}
        memory["unit"] = ("kB", 1)
        w = growth_rows(table, "memory (anonymous, above 0 peers)", memory)
        if w:
            worst["memory"] = w

    for r in footprint:
        if r.get("footprint") != "idle" or "error" in r:
            continue
        cpu = statistics.median(r["cpu_percent_windows"])
        n = r["peers"]
        table.add(f"idle PSS, {n} peers", f"{r['pss'] / 1024:.1f} MB", "aim", "8.0 MB",
                  f"{r['pss'] / 1024 / 8:.2f}x", "ok" if r["pss"] <= 8 * 1024 else "above")
        table.add(f"idle RSS, {n} peers", f"{r['rss'] / 1024:.1f} MB", "", "", "",
                  f"anonymous {r['anonymous'] / 1024:.1f} MB, {r['threads']} threads")
        table.add(f"idle CPU, {n} peers (median of {len(r['cpu_percent_windows'])} x 10 s)",
                  f"{cpu:.3f} %", "aim", "0.5 %", f"{cpu / 0.5:.2f}x",
                  "ok" if cpu <= 0.5 else "above")

    beside = {r["beside_tailscaled"]: r for r in lines(os.path.join(out, "idle-tailscaled.jsonl"))}
    if "peerscout" in beside and "tailscaled" in beside:
        p, t = beside["peerscout"], beside["tailscaled"]
        n = p["peers"]
        pc, tc = (statistics.median(x["cpu_percent_windows"]) for x in (p, t))
        table.add(f"beside tailscaled: PSS, {n} static + tailnet", f"{p['pss'] / 1024:.1f} MB",
                  "tailscaled PSS", f"{t['pss'] / 1024:.1f} MB", f"{p['pss'] / t['pss']:.2f}x",
                  "ok" if p["pss"] <= 8 * 1024 else "above the 8 MB aim")
        table.add(f"beside tailscaled: RSS, {n} static + tailnet", f"{p['rss'] / 1024:.1f} MB",
                  "tailscaled RSS", f"{t['rss'] / 1024:.1f} MB", f"{p['rss'] / t['rss']:.2f}x")
        table.add("beside tailscaled: CPU (median of 10 s windows)", f"{pc:.3f} %",
                  "tailscaled CPU", f"{tc:.3f} %", f"{pc / tc:.2f}x" if tc else "-",
                  "ok" if pc <= 0.5 else "above the 0.5 % aim")
    else:
        table.add("beside tailscaled", "not measured", "tailscaled", "",
                  "", "needs root and tests/tools/build-daemons.sh")

    serve = lines(os.path.join(out, "serve-bench.jsonl"))
    servers = {(r["server"], r["peers"], r["format"], r["clients"]): r for r in serve
               if "server" in r}
    for (server, peers, fmt, clients), p in sorted(servers.items()):
        if server != "peerscout" or ("nginx", peers, fmt, clients) not in servers:
            continue
        n = servers[("nginx", peers, fmt, clients)]
        rps = p["rps"] / n["rps"] if n["rps"] else 0
        p99 = p["p99_ms"] / n["p99_ms"] if n["p99_ms"] else 0
        bad = p["failed"] + p["short"]
        table.add(f"serve {fmt} {peers} peers {clients} clients req/s", f"{p['rps']:.0f}",
                  "nginx", f"{n['rps']:.0f}", f"{rps:.2f}x",
                  ("ok" if rps >= 0.8 else "below 0.8x") + (f", {bad} failed/short" if bad else ""))
        table.add(f"serve {fmt} {peers} peers {clients} clients p99", f"{p['p99_ms']:.2f} ms",
                  "nginx", f"{n['p99_ms']:.2f} ms", f"{p99:.2f}x",
                  "ok" if p99 <= 2 else "above 2x")
    if not servers:
        table.add("serving beside nginx", "not measured", "nginx", "", "",
                  "BENCH_SERVE=1 tests/bench/run.sh, or tests/bench/serve.sh")

    print("CPU figures are medians of repeats, in CPU time (not wall time): on a shared machine "
          "wall times wander with the load, rerun on a quiet one for figures to quote.")
    table.print()
    if worst:
        label, w = max(worst.items(), key=lambda item: item[1])
        print(f"\nlargest per-peer spread across 100..50k: {label}, {w:.2f}x "
              f"({'within' if w <= GROWTH_LIMIT else 'beyond'} {GROWTH_LIMIT:g}x)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Join -> on the socket: a real tailnet, peerscout in node 1 on its defaults, then JOINS nodes
joining one after another; for each, the time from its `tailscale up` returning (lab.sh join
prints it) to the blocking query that first lists it. Needs root and the built daemons."""
import sys
import tempfile

from lab_bench import Sidecar, lab, percentiles, read_env


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else ""
    joins = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    directory = tempfile.mkdtemp(prefix="ps-join-")
    sidecar = None
    try:
        lab("up", directory, "1", *(["--tailscale", version] if version else []))
        sidecar = Sidecar(read_env(directory),
                          '[sources.env]\nenabled = false\n[registry]\nstartup_deadline = "0s"\n',
                          lambda peer: peer.get("hostname") or "")
        delays = []
        for k in range(2, 2 + joins):
            returned = float(lab("join", directory, str(k)).strip())
            seen = sidecar.wait_for(f"node{k}")
            if seen is not None:
                delays.append(seen - returned)
        p = percentiles(delays)
        print(f"joins {len(delays)}/{joins}  p50 {p['p50']:.3f} s  p95 {p['p95']:.3f} s  "
              f"max {p['max']:.3f} s  min {p['min']:.3f} s")
    finally:
        if sidecar:
            sidecar.close()
        lab("down", directory)


if __name__ == "__main__":
    main()

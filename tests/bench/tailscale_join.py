#!/usr/bin/env python3
"""Join -> on the socket: a real tailnet, peerscout in node 1 on its defaults, then JOINS nodes
joining one after another; for each, the time from its `tailscale up` returning (lab.sh join
prints it) to the blocking query that first lists it. Needs root and the built daemons."""
import sys

from lab_bench import delay_line, lab, percentiles, tailnet


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else ""
    joins = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    up = ["1", *(["--tailscale", version] if version else [])]
    config = '[sources.env]\nenabled = false\n[registry]\nstartup_deadline = "0s"\n'
    with tailnet("ps-join-", up, config, lambda peer: peer.get("hostname") or "") as (
            _, sidecar, directory):
        delays = []
        for k in range(2, 2 + joins):
            returned = float(lab("join", directory, str(k)).strip())
            seen = sidecar.wait_for(f"node{k}")
            if seen is not None:
                delays.append(seen - returned)
        print(delay_line("joins", delays, joins, f"  min {percentiles(delays)['min']:.3f} s"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Headscale change -> on the socket: peerscout in node 1 with the Headscale source at its
default poll_interval (5 s); node 2's port tag is changed TRIALS times with the real headscale
CLI; for each, the time from the CLI returning to the blocking query that shows the new port.
Needs root and the built daemons."""
import sys
import tempfile
import time

from lab_bench import delay_line, lab, tailnet


def config_with_key(env, directory):
    """The Headscale source against the lab's server, with a fresh API key in a file."""
    key = lab("apikey", directory).strip()
    run = tempfile.mkdtemp(prefix="ps-hs-key-")
    with open(f"{run}/key", "w") as f:
        f.write(key)
    return ('[sources.env]\nenabled = false\n[sources.tailscale]\nenabled = false\n'
            '[registry]\nstartup_deadline = "0s"\n[sources.headscale]\n'
            f'url = "{env["HEADSCALE_URL"]}"\nallow_http = true\napi_key_file = "{run}/key"\n')


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else ""
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    up = ["2", *(["--headscale", version] if version else [])]
    port_of = lambda peer: str(peer["addresses"][0].get("port")) if peer["addresses"] else ""
    with tailnet("ps-hs-", up, config_with_key, port_of) as (_, sidecar, directory):
        delays = []
        for trial in range(trials):
            port = str(40000 + trial)
            lab("tag", directory, "2", "tag:exo", f"tag:exo-port-{port}")
            returned = time.time()
            seen = sidecar.wait_for(port)
            if seen is not None:
                delays.append(seen - returned)
        print(delay_line("changes", delays, trials, "  (bound: poll_interval 5 s + 0.1 s)"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The python way (Skulk's): json.load the whole status, then walk Self and Peer taking what
discovery needs. Prints the best of several runs in milliseconds."""
import json
import sys
import time


def extract(text):
    status = json.loads(text)
    if status.get("BackendState") != "Running":
        raise SystemExit("not running")
    self_ips = set(status["Self"].get("TailscaleIPs") or [])
    peers = []
    for peer in (status.get("Peer") or {}).values():
        if not peer.get("Online") or peer.get("Expired") or peer.get("ShareeNode"):
            continue
        tags = peer.get("Tags") or []
        peer_id = port = None
        for tag in tags:
            if tag.startswith("tag:exo-peer-"):
                peer_id = tag[len("tag:exo-peer-"):]
            elif tag.startswith("tag:exo-port-"):
                port = int(tag[len("tag:exo-port-"):])
        ips = [ip for ip in peer.get("TailscaleIPs") or [] if ip not in self_ips]
        peers.append((peer.get("ID"), peer.get("DNSName", "").rstrip("."), peer.get("HostName"),
                      peer.get("OS"), ips, tags, peer_id, port, bool(peer.get("CurAddr"))))
    return peers


def main():
    text = open(sys.argv[1], "rb").read()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        peers = extract(text)
        best = min(best, time.perf_counter() - start)
    print(f"{best * 1000:.2f} {len(peers)}")


if __name__ == "__main__":
    main()

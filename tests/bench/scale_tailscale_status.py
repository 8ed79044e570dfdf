#!/usr/bin/env python3
"""Scales a captured tailscaled status to N peers: each copy of a captured peer gets its own
node key, id, addresses, names and (for tagged peers) peer-id tag, so nothing merges."""
import base64
import hashlib
import json
import sys


def peer_id_tag(prefix, n):
    key = hashlib.sha256(n.to_bytes(4, "big")).digest()
    multihash = bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + key
    cid = base64.b32encode(bytes([0x01, 0x72]) + multihash).decode().lower().rstrip("=")
    return f"tag:{prefix}-peer-b{cid}"


def main():
    source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    status = json.load(open(source))
    templates = list(status["Peer"].values())
    peers = {}
    for n in range(count):
        peer = json.loads(json.dumps(templates[n % len(templates)]))
        key = f"nodekey:{hashlib.sha256(str(n).encode()).hexdigest()}"
        peer["PublicKey"] = key
        peer["ID"] = str(1000 + n)
        peer["HostName"] = f"node{n}"
        peer["DNSName"] = f"node{n}.lab.test."
        peer["TailscaleIPs"] = [f"100.{64 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}",
                                f"fd7a:115c:a1e0::{n:x}"]
        peer["Online"] = True
        if peer.get("Tags"):
            peer["Tags"] = ["tag:exo", peer_id_tag("exo", n), "tag:exo-port-52416"]
        peers[key] = peer
    status["Peer"] = peers
    with open(target, "w") as out:
        json.dump(status, out, indent="\t")


if __name__ == "__main__":
    main()

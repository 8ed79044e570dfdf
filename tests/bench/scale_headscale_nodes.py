#!/usr/bin/env python3
"""Scales a captured `GET /api/v1/node` response to N nodes: each copy of a captured node gets its
own id, keys, addresses and name (and, for tagged nodes, peer-id tag), so nothing merges."""
import base64
import hashlib
import json
import sys


def main():
    source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    templates = json.load(open(source))["nodes"]
    nodes = []
    for n in range(count):
        node = json.loads(json.dumps(templates[n % len(templates)]))
        node["id"] = str(1000 + n)
        digest = hashlib.sha256(str(n).encode()).hexdigest()
        node["nodeKey"] = "nodekey:" + digest
        node["machineKey"] = "mkey:" + digest
        node["name"] = node["givenName"] = f"node{n}"
        node["ipAddresses"] = [f"100.{64 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}",
                               f"fd7a:115c:a1e0::{n:x}"]
        node["online"] = True
        node["expiry"] = None
        key = hashlib.sha256(n.to_bytes(4, "big")).digest()
        multihash = bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + key
        cid = "b" + base64.b32encode(bytes([0x01, 0x72]) + multihash).decode().lower().rstrip("=")
        for field in ("tags", "forcedTags", "validTags"):
            if node.get(field):
                node[field] = ["tag:exo", f"tag:exo-peer-{cid}", "tag:exo-port-52416"]
        nodes.append(node)
    with open(target, "w") as out:
        json.dump({"nodes": nodes}, out)


if __name__ == "__main__":
    main()

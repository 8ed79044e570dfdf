#!/usr/bin/env python3
"""exo_discovery_peer.py: a test peer that speaks exo's UDP discovery (exo since the zenoh switch) on the wire,
plus a TCP stand-in for zenoh's connect. Python stdlib only. It multicasts: run it inside a test netns.

Checked on 2026-12-07 against exo-explore/exo commit b5375f8cee4368d09e1ce96a56b9f81fb0bc81aa (2026-06-22),
rust/networking/src/discovery.rs and lib.rs (written from reading them; none of exo's code is copied here):
  * discovery.rs built with Debian's Rust offline (only shims: Pod/Zeroable as unsafe impls, a getifaddrs
    stand-in for netwatcher 0.6, ZenohId as zenoh 1.9.0's [u8; 16] with derived Ord), run in one netns,
    this peer in another, veth, IPv6 link-local only: each discovered the other on every round; Hello
    (20 bytes) and WhatsUp (30 bytes) identical byte for byte in tcpdump (source port 52413, hop limit 1 to
    [ff12::e0a1:de89], 64 unicast); 14 crafted datagrams (sizes 3/21/31/60, bad magic, kind 2, zero zid,
    its own zid, stale nonce, wrong namespace, Hello and WhatsUp from IPv4) got the same verdict from both.
  * exo's rules mirrored here, some not obvious: checks run in the order short, magic, kind, size; reads
    use a 51-byte buffer; a WhatsUp is sent ONCE and only a failed send is retried (5 tries, 300 ms sleep
    after each failure, blocking the loop); the first Hello goes at once, the "latest nonce" is random
    before it; every answered Hello is reported again (no de-dup); exo leaves the group only when an
    interface disappears and stops sending on one that gave EHOSTUNREACH.
  * IPv4 is NOT dropped: exo's socket is dual-stack [::], an IPv4 sender arrives as ::ffff:a.b.c.d (a
    V6 address), so its WhatsUp is accepted (exo then dials tcp/[::ffff:a.b.c.d]:port) and its Hello
    answered (exo's "v4 addr used" branch never fires). Same here; --drop-v4-mapped drops them anyway.
  * "greater zid dials" uses zenoh's ZenohId order: uhlc 0.8.2 ID is a derived-Ord [u8; 16] little-endian,
    so zids compare as their wire bytes, least significant byte first, NOT as numbers (exo with zid 201
    skips zid 3; the one with zid 3 dials). Same here.

Options: --zid HEX (the zid as a number, <= 32 hex digits, non-zero; on the wire 16 bytes little-endian),
--namespace HEX (16 hex digits = the 8 bytes on the wire = blake3(namespace string)[:8]; "peerscout-lab" is
c5ad5958f14b1e2c), --discovery-port (52413), --zenoh-port (52414), --hello-interval SECONDS (1.0),
--drop-v4-mapped.
Output, one JSON line per event on stdout (flushed). A zid is the number in lowercase hex without leading
zeros (zenoh's own form); an address has no %scope, scope_id is the interface index (0 if none):
  {"event":"ready","zid":..,"namespace":..,"discovery_port":N,"zenoh_port":N}
  {"event":"answered","address":..,"port":N,"tries":N,"ok":bool}     (a Hello of our namespace)
  {"event":"discovered","zid":..,"address":..,"port":N,"scope_id":N}  (each valid WhatsUp, every round)
  {"event":"dropped","reason":R,"from":..,"len":N}  R: short magic kind hello-size namespace whatsup-size
        stale-nonce v4-source zero-zid self-zid  (our own Hello looped back is dropped silently)
  {"event":"connected"|"connect_failed"|"accepted"|"closed","zid":..,"address":..,...}
SIGTERM/SIGINT: exit 0.
"""

import argparse
import errno
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

GROUP, MAGIC, HELLO, WHATSUP = "ff12::e0a1:de89", b"EXO", 0, 1
HELLO_LEN, WHATSUP_LEN = 20, 30     # header(magic 3, kind 1) + nonce 8 + namespace 8 | + nonce 8 + zid 16 + port 2
RECV_BUF = HELLO_LEN + WHATSUP_LEN + 1
_lock = threading.Lock()


def emit(**event):
    with _lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


def zid_str(le):
    return format(int.from_bytes(le, "little"), "x")


def mreq(idx):
    return socket.inet_pton(socket.AF_INET6, GROUP) + struct.pack("@I", idx)


def v6_interfaces():
    """Indexes of interfaces holding an IPv6 address other than ::1 and :: (exo's rule)."""
    try:
        with open("/proc/net/if_inet6") as f:
            rows = [line.split() for line in f]
    except OSError:
        return set()
    return {int(r[1], 16) for r in rows if int(r[0], 16) not in (0, 1)}


class Peer:
    def __init__(self, a):
        z = int(a.zid, 16)
        if not 0 < z < 1 << 128 or len(bytes.fromhex(a.namespace)) != 8:
            sys.exit("--zid must be a non-zero 128-bit hex number, --namespace exactly 16 hex digits")
        self.zid, self.ns = z.to_bytes(16, "little"), bytes.fromhex(a.namespace)
        self.dport, self.zport, self.interval, self.strict = a.discovery_port, a.zenoh_port, a.hello_interval, a.drop_v4_mapped
        self.udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.udp.bind(("::", self.dport))  # dual-stack like exo's (IPV6_V6ONLY left at the default, off)
        self.udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 1)
        self.tcp = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("::", self.zport))
        self.tcp.listen(16)
        self.nonce = os.urandom(8)  # exo's "latest nonce" is random before its first Hello
        self.joined, self.targets, self.links = set(), set(), set()

    def refresh_interfaces(self):
        for idx in sorted(v6_interfaces() - self.joined):
            try:
                self.udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq(idx))
                self.targets.add(idx)
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    continue
            self.joined.add(idx)
        for idx in self.joined - {i for i, _ in socket.if_nameindex()}:  # left only when the iface is gone
            self.joined.discard(idx)
            self.targets.discard(idx)
            try:
                self.udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq(idx))
            except OSError:
                pass

    def announce(self):
        self.nonce = os.urandom(8)  # fresh every tick; only the latest is remembered
        for idx in sorted(self.targets):
            try:
                self.udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
                self.udp.sendto(MAGIC + bytes([HELLO]) + self.nonce + self.ns, (GROUP, self.dport, 0, idx))
            except OSError as e:
                if e.errno == errno.EHOSTUNREACH:
                    self.targets.discard(idx)

    def receive(self):
        try:
            data, src = self.udp.recvfrom(RECV_BUF)
        except OSError:
            return
        n, host = len(data), src[0].split("%")[0]
        drop = lambda why: emit(event="dropped", reason=why, **{"from": host, "len": n})  # noqa: E731
        if n < 4:
            return drop("short")
        if data[:3] != MAGIC:
            return drop("magic")
        if data[3] not in (HELLO, WHATSUP):
            return drop("kind")
        if data[3] == HELLO:
            if n != HELLO_LEN:
                return drop("hello-size")
            if data[4:12] == self.nonce:
                return None  # our own Hello, looped back
            if data[12:20] != self.ns:
                return drop("namespace")
            reply = MAGIC + bytes([WHATSUP]) + data[4:12] + self.zid + struct.pack("<H", self.zport)
            for tries in range(1, 6):  # as exo: done at the first full send, else sleep 300 ms (blocking)
                try:
                    if self.udp.sendto(reply, src) == WHATSUP_LEN:
                        return emit(event="answered", address=host, port=src[1], tries=tries, ok=True)
                except OSError:
                    pass
                time.sleep(0.3)
            return emit(event="answered", address=host, port=src[1], tries=5, ok=False)
        if n != WHATSUP_LEN:
            return drop("whatsup-size")
        if data[4:12] != self.nonce:
            return drop("stale-nonce")
        if self.strict and host.startswith("::ffff:") and "." in host:
            return drop("v4-source")
        zid, port = data[12:28], struct.unpack("<H", data[28:30])[0]
        if zid == bytes(16):
            return drop("zero-zid")
        if zid == self.zid:
            return drop("self-zid")
        emit(event="discovered", zid=zid_str(zid), address=host, port=port, scope_id=src[3])
        # lib.rs: no dial when the peer's zid is greater; bytes compare like zenoh's ZenohId (see top)
        with _lock:
            dial = not zid > self.zid and zid not in self.links
            self.links.add(zid)
        if dial:
            threading.Thread(target=self.dial, args=(zid, host, port, src[3]), daemon=True).start()

    def dial(self, zid, host, port, scope):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        try:
            s.settimeout(5)
            s.connect((host, port, 0, scope))
            s.sendall(self.zid)
            s.settimeout(None)
            emit(event="connected", zid=zid_str(zid), address=host, port=port)
        except OSError as e:
            emit(event="connect_failed", zid=zid_str(zid), address=host, port=port, error=str(e))
            return self.hold(s, zid, host, "out", wait=False)
        self.hold(s, zid, host, "out")

    def inbound(self, s, addr):
        host, buf = addr[0].split("%")[0], b""
        try:
            s.settimeout(5)
            while len(buf) < 16 and (chunk := s.recv(16 - len(buf))):
                buf += chunk
            s.settimeout(None)
        except OSError:
            pass
        if len(buf) == 16:
            emit(event="accepted", zid=zid_str(buf), address=host)
        self.hold(s, buf if len(buf) == 16 else None, host, "in", wait=len(buf) == 16)

    def hold(self, s, zid, host, direction, wait=True):
        try:
            while wait and s.recv(4096):
                pass
        except OSError:
            pass
        s.close()
        if wait:
            emit(event="closed", zid=zid_str(zid) if zid else None, address=host, direction=direction)
        if direction == "out":
            with _lock:
                self.links.discard(zid)  # a later discovery may dial again

    def run(self):
        self.refresh_interfaces()
        emit(event="ready", zid=zid_str(self.zid), namespace=self.ns.hex(), discovery_port=self.dport, zenoh_port=self.zport)
        next_hello = next_check = time.monotonic()  # like exo's tokio interval: first tick at once
        while True:
            now = time.monotonic()
            if now >= next_check:
                self.refresh_interfaces()
                next_check = now + 2.0
            if now >= next_hello:
                self.announce()
                next_hello = max(next_hello + self.interval, now)
            ready, _, _ = select.select([self.udp, self.tcp], [], [], max(0, min(next_hello, next_check) - now))
            if self.udp in ready:
                self.receive()
            if self.tcp in ready:
                threading.Thread(target=self.inbound, args=self.tcp.accept(), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description="test peer speaking exo's discovery protocol (see the header)")
    p.add_argument("--zid", required=True)
    p.add_argument("--namespace", required=True)
    p.add_argument("--discovery-port", type=int, default=52413)
    p.add_argument("--zenoh-port", type=int, default=52414)
    p.add_argument("--hello-interval", type=float, default=1.0)
    p.add_argument("--drop-v4-mapped", action="store_true")
    args = p.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    Peer(args).run()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""rust_mdns_responder.py: a test peer that behaves on the wire like rust-libp2p's mDNS (exo v1.0.69-71).

Ported from libp2p/rust-libp2p tag libp2p-mdns-v0.48.0 (commit c9bd92ba2d4727d79b0c2623c20c998a4e60995a):
  protocols/mdns/src/behaviour/iface/dns.rs    packet encoding (build_query, build_query_response,
                                               build_service_discovery_response, append_qname, ...)
  protocols/mdns/src/behaviour/iface/query.rs  classification of received packets, response parsing
  protocols/mdns/src/behaviour/iface.rs        sockets, probe/query schedule, what is answered
  protocols/mdns/src/lib.rs                    SERVICE_NAME, META_QUERY_SERVICE, 224.0.0.251
Python stdlib only. It multicasts: run it only inside a test network namespace.

What it does (as rust does, one InterfaceState for one IPv4 interface address):
  * receive socket: UDP 0.0.0.0:5353, SO_REUSEADDR + SO_REUSEPORT, IP_MULTICAST_LOOP on, IP_MULTICAST_TTL
    255, joined to 224.0.0.251 on --iface-ip. Reads at most 4096 bytes per datagram (rust's recv_buffer;
    longer datagrams are cut and then fail to parse, as in rust).
  * send socket: UDP bound to <iface-ip>:0, i.e. an ephemeral source port; everything (queries and
    responses) is multicast to 224.0.0.251:5353 from it. Rust's send socket is a plain std UdpSocket: it
    sets no multicast option, so the IP TTL is the kernel default for multicast (1) and loopback is on (the
    peer receives, and answers, its own queries). We also set IP_MULTICAST_IF = --iface-ip; rust does not,
    but Linux picks the device owning the bound source address for multicast anyway, so the packets are
    the same. Rust never reads the send socket; we read it only to log what arrives (marked "ignored").
  * a received packet with no question is a response (the QR bit is not looked at); a packet with any
    question named exactly "_p2p._udp.local." (any type or class; case-sensitive string compare, as
    rust's `q.name().to_utf8() == SERVICE_NAME_FQDN`) is answered with build_query_response(id = the
    query's id); else one named "_services._dns-sd._udp.local." gets build_service_discovery_response.
    Answers go out at once (no RFC 6762 random delay, no known-answer suppression, no goodbye on exit).
  * --query: rust's schedule (iface.rs): the timer is interval_at(now, 500 ms), whose first tick is
    immediate; each tick sends build_query() and, while probing, doubles the interval (500 ms -> 1 s,
    2 s, 4 s, ...) until the doubled value is >= query_interval (+ 0..99 ms jitter drawn once), then
    every query_interval. So queries at t = 0, 1, 3, 7, 15, ... s. A received response that yields a
    peer (other than us, with an address whose first part is ip4/ip6/dns*) ends probing and restarts the
    timer at query_interval.

Options: --iface-ip IP (required), --peer-id BASE58 (required), --addr MULTIADDR (repeatable, listen
address without /p2p, e.g. /ip4/10.0.0.2/tcp/52416), --ttl SECONDS (2500, like exo), --query,
--query-interval SECONDS (1500, like exo), --log FILE ("-" = stderr), --once-unsolicited, --hostile KIND.

Output: stdout gets one JSON line when the sockets are ready:
  {"ready": true, "iface_ip": "...", "send_port": N, "peer_id": "..."}
--log gets one JSON line per packet sent or received:
  {"t": secs since start, "dir": "sent"|"recv", "socket": "recv"|"send", "peer": "ip:port",
   "len": N, "kind": "query"|"response"|"service-discovery"|"other"|"unparsable"|"hostile:KIND",
   "id": N, "ignored": bool (recv only), "hex": "..."}  plus, for parsed responses, "peers": [...]
SIGTERM/SIGINT: exit 0 (nothing sent, like rust).

--hostile KIND sends one crafted response (multicast from the send socket, id 0) and exits; see
hostile_packet() for the exact layout of each KIND: oversized-txt, bad-utf8, compression-loop,
injection, truncated, ttl0.
"""

import argparse
import ipaddress
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # importing mdns_wire (beside this file) leaves no __pycache__
# lib.rs: MDNS_GROUP 224.0.0.251 and MDNS_PORT 5353, from mdns_wire
from mdns_wire import (MDNS_GROUP, MDNS_PORT, ParseError, join_mdns_group, multicast_from,  # noqa: E402
                       parse_frame, udp_socket)

# lib.rs
SERVICE_NAME = b"_p2p._udp.local"
SERVICE_NAME_FQDN = "_p2p._udp.local."
META_QUERY_SERVICE = b"_services._dns-sd._udp.local"
META_QUERY_SERVICE_FQDN = "_services._dns-sd._udp.local."

# dns.rs constants
MAX_TXT_VALUE_LENGTH = 255
MAX_TXT_RECORD_SIZE = MAX_TXT_VALUE_LENGTH + 45          # 300
MAX_PACKET_SIZE = 9000 - 68                              # 8932
MAX_RECORDS_PER_PACKET = (MAX_PACKET_SIZE - 100) // MAX_TXT_RECORD_SIZE  # 29

# iface.rs
INITIAL_TIMEOUT_INTERVAL = 0.5
RECV_BUFFER = 4096

# rand::distributions::Alphanumeric samples uniformly from these 62 bytes (mixed case, not lowercase).
ALPHANUMERIC = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_rng = random.SystemRandom()


class MdnsResponseError(Exception):
    """dns.rs MdnsResponseError: TxtRecordTooLong / NonAsciiMultiaddr."""


# ---------------------------------------------------------------------------------------------
# Encoding: a byte-for-byte port of dns.rs (libp2p-mdns-v0.48.0). Rust writes every name by hand
# with append_qname: plain labels, a terminating zero byte, never a compression pointer.
# ---------------------------------------------------------------------------------------------

def append_u16(out: bytearray, value: int) -> None:
    out += struct.pack(">H", value & 0xFFFF)


def append_u32(out: bytearray, value: int) -> None:
    out += struct.pack(">I", value & 0xFFFFFFFF)


def append_header(out: bytearray, *fields: int) -> None:
    """The 12-byte header as dns.rs writes it: six append_u16 (id, flags, qdcount, ancount, nscount,
    arcount)."""
    for value in fields:
        append_u16(out, value)


def duration_to_secs(seconds: float) -> int:
    """dns.rs duration_to_secs: whole seconds, rounded up, capped at u32::MAX."""
    whole = int(seconds)
    if seconds > whole:
        whole += 1
    return min(whole, 0xFFFFFFFF)


def append_qname(out: bytearray, name: bytes) -> None:
    """dns.rs append_qname: split at '.', each label as <len><bytes>, then 0. No compression."""
    for element in name.split(b"."):
        assert len(element) < 64, "Service name has a label too long"
        assert len(element) != 0, "Service name contains zero length label"
        out.append(len(element))
        out += element
    out.append(0)


def random_string(length: int) -> bytes:
    return bytes(_rng.choice(ALPHANUMERIC) for _ in range(length))


def generate_peer_name() -> bytes:
    """dns.rs generate_peer_name: a 32..63 char random label, qname-encoded (one label + 0)."""
    peer_name = random_string(32 + _rng.randrange(32))
    out = bytearray()
    append_qname(out, peer_name)
    return bytes(out)


def append_character_string(out: bytearray, ascii_str: str) -> None:
    """dns.rs append_character_string. NB: the caller has already written the length byte from the
    unquoted value, so for a value containing a space the quotes and backslashes added here are not
    counted in it (a rust bug; multiaddrs never contain spaces, so it does not show in practice)."""
    if not ascii_str.isascii():
        raise MdnsResponseError("NonAsciiMultiaddr")
    raw = ascii_str.encode("ascii")
    if b" " not in raw:
        out += raw
        return
    out.append(ord('"'))
    for chr_ in raw:
        if chr_ == ord("\\"):
            out += b"\\\\"
        elif chr_ == ord('"'):
            out += b'\\"'
        else:
            out.append(chr_)
    out.append(ord('"'))


def append_txt_record(out: bytearray, name: bytes, ttl_secs: int, value: str) -> None:
    """dns.rs append_txt_record: <name> 0x0010 (TXT) 0x8001 (IN + cache-flush) <ttl> <rdlen> <strings>.
    Like rust, the name and header bytes are appended before the length check can fail (the caller
    then drops the whole partial record)."""
    out += name
    out += b"\x00\x10\x80\x01"
    append_u32(out, ttl_secs)
    value_len = len(value.encode("utf-8"))  # Rust's str::len() counts bytes
    if value_len > MAX_TXT_VALUE_LENGTH:
        raise MdnsResponseError("TxtRecordTooLong")
    buffer = bytearray([value_len & 0xFF])  # `value.len() as u8`
    append_character_string(buffer, value)
    append_u16(out, len(buffer))
    out += buffer


def build_query() -> bytes:
    """dns.rs build_query: random id, flags 0, 1 question `_p2p._udp.local` PTR (12) IN (1), no QU bit.
    33 bytes."""
    out = bytearray()
    append_header(out, _rng.randrange(0x10000), 0x0, 0x1, 0x0, 0x0, 0x0)  # id: rand::random::<u16>()
    append_qname(out, SERVICE_NAME)
    append_u16(out, 0x0C)
    append_u16(out, 0x01)
    assert len(out) == 33
    return bytes(out)


def query_response_packet(id_: int, peer_name: bytes, records: list, ttl: int) -> bytes:
    """dns.rs query_response_packet: header (id, 0x8400, qd 0, an 1, ns 0, ar len(records)), answer
    `_p2p._udp.local` PTR (0x000c) class 0x0001 (no cache-flush) <ttl> <rdlen> <peer name>, then the
    TXT records as additionals."""
    out = bytearray()
    append_header(out, id_, 0x8400, 0x0, 0x1, 0x0, len(records))
    append_qname(out, SERVICE_NAME)
    append_u16(out, 0x000C)
    append_u16(out, 0x0001)
    append_u32(out, ttl)
    append_u16(out, len(peer_name))
    out += peer_name
    for record in records:
        out += record
    return bytes(out)


def build_query_response(id_: int, peer_id: str, addresses: list, ttl_seconds: float) -> list:
    """dns.rs build_query_response: one fresh random peer name for the whole response; one TXT
    `dnsaddr=<addr>/p2p/<peer id>` per address (at most 65535 addresses; an address whose TXT fails
    is skipped with a warning); a packet is emitted each time MAX_RECORDS_PER_PACKET (29) records have
    accumulated, then one for the rest; no address at all -> one packet with only the PTR answer."""
    ttl = duration_to_secs(ttl_seconds)
    addresses = addresses[:65535]
    peer_name_bytes = generate_peer_name()
    packets, records = [], []
    for addr in addresses:
        txt_to_send = "dnsaddr=%s/p2p/%s" % (addr, peer_id)
        txt_record = bytearray()
        try:
            append_txt_record(txt_record, peer_name_bytes, ttl, txt_to_send)
            records.append(bytes(txt_record))
        except MdnsResponseError as e:
            warn("excluding address %s from response: %s" % (addr, e))
        if len(records) == MAX_RECORDS_PER_PACKET:
            packets.append(query_response_packet(id_, peer_name_bytes, records, ttl))
            records = []
    if records:
        packets.append(query_response_packet(id_, peer_name_bytes, records, ttl))
    if not packets:
        packets.append(query_response_packet(id_, peer_name_bytes, [], ttl))
    return packets


def build_service_discovery_response(id_: int, ttl_seconds: float) -> bytes:
    """dns.rs build_service_discovery_response: header (id, 0x8400, 0, 1, 0, 0), answer
    `_services._dns-sd._udp.local` PTR class 0x8001 (cache-flush set on a shared PTR) <ttl>
    <rdlen 17> `_p2p._udp.local`. 69 bytes."""
    ttl = duration_to_secs(ttl_seconds)
    out = bytearray()
    append_header(out, id_, 0x8400, 0x0, 0x1, 0x0, 0x0)
    append_qname(out, META_QUERY_SERVICE)
    append_u16(out, 0x000C)
    append_u16(out, 0x8001)
    append_u32(out, ttl)
    name = bytearray()
    append_qname(name, SERVICE_NAME)
    append_u16(out, len(name))
    out += name
    assert len(out) == 69
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# Decoding: a minimal stand-in for hickory-proto's Message::from_vec as query.rs uses it. The whole
# packet must parse, or it is dropped (rust logs "Parsing mdns packet failed" and ignores it).
# Compression pointers must point strictly backwards (hickory's rule; this also stops loops).
# mdns_wire.parse_frame walks the header, questions and record headers; ParseError is its.
# ---------------------------------------------------------------------------------------------

def read_name(buf: bytes, pos: int):
    """Returns (labels as list of bytes, position after the name in the original stream)."""
    labels, end, jumps, total = [], None, 0, 1
    start_of_label = pos
    while True:
        if pos >= len(buf):
            raise ParseError("name runs past the end")
        length = buf[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(buf):
                raise ParseError("truncated pointer")
            target = ((length & 0x3F) << 8) | buf[pos + 1]
            if target >= start_of_label:
                raise ParseError("compression pointer does not point backwards")
            if end is None:
                end = pos + 2
            jumps += 1
            if jumps > 128:
                raise ParseError("too many compression pointers")
            pos = start_of_label = target
            continue
        if length & 0xC0:
            raise ParseError("bad label type")
        if length == 0:
            return labels, (end if end is not None else pos + 1)
        if pos + 1 + length > len(buf):
            raise ParseError("label runs past the end")
        labels.append(bytes(buf[pos + 1:pos + 1 + length]))
        total += length + 1
        if total > 255:
            raise ParseError("name longer than 255 bytes")
        pos += 1 + length
        start_of_label = pos


def name_to_str(labels) -> str:
    """Like hickory's Name::to_utf8 for ASCII names: labels joined by '.', trailing '.', case kept."""
    if not labels:
        return "."
    return "".join(l.decode("latin-1").replace(".", "\\.") + "." for l in labels)


def parse_message(buf: bytes) -> dict:
    def record(labels, rtype, rclass, ttl, rdata_start, rdlen):
        rdata_end = rdata_start + rdlen
        rec = {"name": name_to_str(labels), "labels": labels, "type": rtype, "class": rclass,
               "ttl": ttl}
        if rtype in (12, 5, 2):  # PTR, CNAME, NS
            target, after = read_name(buf, rdata_start)
            if after != rdata_end:
                raise ParseError("name rdata length mismatch")
            rec["target"] = target
        elif rtype == 16:  # TXT: character-strings that exactly fill the rdata
            strings, p = [], rdata_start
            while p < rdata_end:
                n = buf[p]
                if p + 1 + n > rdata_end:
                    raise ParseError("TXT string runs past the rdata")
                strings.append(bytes(buf[p + 1:p + 1 + n]))
                p += 1 + n
            rec["strings"] = strings
        elif rtype == 1 and rdlen != 4:
            raise ParseError("bad A rdata")
        elif rtype == 28 and rdlen != 16:
            raise ParseError("bad AAAA rdata")
        elif rtype == 33:  # SRV
            if rdlen < 7:
                raise ParseError("bad SRV rdata")
            _, after = read_name(buf, rdata_start + 6)
            if after != rdata_end:
                raise ParseError("SRV rdata length mismatch")
        return rec

    (id_, flags, _, _, _, _), questions, sections, _ = parse_frame(buf, read_name, record)
    return {"id": id_, "flags": flags,
            "questions": [{"name": name_to_str(labels), "labels": labels, "type": qtype, "class": qclass}
                          for labels, qtype, qclass in questions],
            "answers": sections[0], "authorities": sections[1], "additionals": sections[2]}


# A small multiaddr check standing in for rust's `str::parse::<Multiaddr>()`: known protocol names,
# each with its argument if it takes one.
_MA_ARGS = {"ip4": "ip4", "ip6": "ip6", "tcp": "port", "udp": "port", "dns": "str", "dns4": "str",
            "dns6": "str", "dnsaddr": "str", "p2p": "b58", "ipfs": "b58", "certhash": "str",
            "ip6zone": "str", "sni": "str", "unix": "str"}
_MA_FLAGS = {"quic", "quic-v1", "ws", "wss", "tls", "noise", "webtransport", "webrtc", "webrtc-direct",
             "p2p-circuit", "http", "https", "utp", "udt"}
_B58 = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")


def parse_multiaddr(text: str):
    """Returns [(proto, value or None), ...] or None when rust would not parse it."""
    if not text.startswith("/"):
        return None
    parts = text.split("/")[1:]
    if parts and parts[-1] == "":
        parts.pop()
    out, i = [], 0
    while i < len(parts):
        proto = parts[i]
        if proto in _MA_FLAGS:
            out.append((proto, None))
            i += 1
            continue
        kind = _MA_ARGS.get(proto)
        if kind is None or i + 1 >= len(parts):
            return None
        value = parts[i + 1]
        try:
            if kind == "ip4":
                ipaddress.IPv4Address(value)
            elif kind == "ip6":
                ipaddress.IPv6Address(value)
            elif kind == "port":
                if not value.isdigit() or int(value) > 65535:
                    return None
            elif kind == "b58":
                if not value or not set(value) <= _B58:
                    return None
            elif not value:
                return None
        except ValueError:
            return None
        out.append(("p2p" if proto == "ipfs" else proto, value))
        i += 2
    return out or None


def decode_character_string(s: bytes):
    """dns.rs decode_character_string: strips one pair of surrounding quotes; a lone opening quote is
    an error. Backslashes are left as they are (rust's TODO)."""
    if not s:
        return b""
    if s[0:1] == b'"':
        if len(s) == 1 or s[-1:] != b'"':
            return None
        s = s[1:-1]
    return s


def response_peers(msg: dict) -> list:
    """query.rs MdnsResponse::new + MdnsPeer::new: PTR answers whose name is exactly
    "_p2p._udp.local." (case-sensitive); TXT from the ADDITIONAL section only, whose name equals the
    PTR target (hickory Name equality: case-insensitive); every string must be dnsaddr=<multiaddr
    ending in /p2p/<id>>, all with the first id seen (others dropped)."""
    peers = []
    for ans in msg["answers"]:
        if ans["name"] != SERVICE_NAME_FQDN or ans["type"] != 12:
            continue
        target = [l.lower() for l in ans["target"]]
        peer_id, addrs = None, []
        for add in msg["additionals"]:
            if add["type"] != 16 or [l.lower() for l in add["labels"]] != target:
                continue
            for txt in add["strings"]:
                value = decode_character_string(txt)
                if value is None or not value.startswith(b"dnsaddr="):
                    continue
                try:
                    text = value[8:].decode("utf-8")
                except UnicodeDecodeError:
                    continue
                ma = parse_multiaddr(text)
                if not ma or ma[-1][0] != "p2p":
                    continue
                pid = ma[-1][1]
                if peer_id is None:
                    peer_id = pid
                elif pid != peer_id:
                    continue
                addrs.append(ma[:-1])
        if peer_id is not None:
            peers.append({"peer_id": peer_id, "ttl": ans["ttl"],
                          "addrs": ["/" + "/".join(p if v is None else p + "/" + v for p, v in a)
                                    for a in addrs]})
    return peers


def discovers_someone(peers: list, own_id: str) -> bool:
    """query.rs extract_discovered: peers other than us, with an address whose first protocol is
    ip4/ip6/dns/dns4/dns6 (swarm's _address_translation replaces it with the UDP source IP)."""
    for p in peers:
        if p["peer_id"] == own_id:
            continue
        for a in p["addrs"]:
            if a.split("/")[1] in ("ip4", "ip6", "dns", "dns4", "dns6"):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Hostile packets (--hostile KIND). Each is one multicast datagram from the send socket, id 0,
# flags 0x8400, no questions, so every libp2p parser treats it as a response. Unless said otherwise
# it has rust's layout: answer `_p2p._udp.local PTR <name>` then TXT additionals for <name>.
# ---------------------------------------------------------------------------------------------

def _txt_record_raw(name: bytes, ttl: int, rdata: bytes, rdlen=None) -> bytes:
    out = bytearray(name)
    out += b"\x00\x10\x80\x01"
    append_u32(out, ttl)
    append_u16(out, len(rdata) if rdlen is None else rdlen)
    out += rdata
    return bytes(out)


def hostile_packet(kind: str, peer_id: str, addr: str, ttl: int) -> bytes:
    name = generate_peer_name()
    good = "dnsaddr=%s/p2p/%s" % (addr, peer_id)
    if kind == "oversized-txt":
        # What rust would send if the 255 check in append_txt_record were missing: a 1100-byte value
        # behind the length byte `len as u8` = 1100 & 0xff = 76, in one TXT record with rdlength
        # 1101. A reader that trusts rdlength (or reads the value up to the end of the rdata) sees a
        # >255-byte string; a strict reader finds strings that overrun the rdata.
        value = (good + "/" + "x" * 1100)[:1100].encode()
        rdata = bytes([len(value) & 0xFF]) + value
        return query_response_packet(0, name, [_txt_record_raw(name, ttl, rdata)], ttl)
    if kind == "bad-utf8":
        # A well-formed TXT whose dnsaddr value holds invalid UTF-8 (0xC3 0x28: bad continuation
        # byte; 0xFF: never valid) inside a /dns4 host name, before a valid /p2p/<id>.
        value = b"dnsaddr=/dns4/bad\xc3\x28\xff.example/tcp/4001/p2p/" + peer_id.encode()
        rdata = bytes([len(value)]) + value
        return query_response_packet(0, name, [_txt_record_raw(name, ttl, rdata)], ttl)
    if kind == "compression-loop":
        # The PTR answer's rdata (its target name) is a compression pointer to its own offset:
        # 0xC0 0x27 at offset 39 = 12 header + 17 `_p2p._udp.local` + 2 type + 2 class + 4 ttl
        # + 2 rdlength; and the TXT additional's owner name is the same pointer (to offset 39).
        # A resolver that follows pointers without a loop guard spins forever.
        out = bytearray()
        append_header(out, 0, 0x8400, 0, 1, 0, 1)
        append_qname(out, SERVICE_NAME)          # offset 12..28
        out += b"\x00\x0c\x00\x01"
        append_u32(out, ttl)
        append_u16(out, 2)                       # rdlength 2: just the pointer
        loop_at = len(out)                       # 39
        assert loop_at == 39
        out += bytes([0xC0 | (loop_at >> 8), loop_at & 0xFF])
        value = good.encode()
        out += _txt_record_raw(bytes([0xC0 | (loop_at >> 8), loop_at & 0xFF]), ttl,
                               bytes([len(value)]) + value)
        return bytes(out)
    if kind == "injection":
        # Three TXT strings (one record each, same name) that a careless consumer might paste into a
        # shell or into EXO_BOOTSTRAP_PEERS / JSON: (1) a newline followed by $(reboot) after the id;
        # (2) a comma (a second, attacker-chosen bootstrap peer) and a double quote after the id;
        # (3) the same characters inside a /dns4 host name, which rust-libp2p's Multiaddr parser
        # accepts (a dns4 value is any string without '/'), unlike (1) and (2), whose /p2p value is
        # not base58. No spaces, so rust's append_character_string would write them unquoted like this.
        v1 = ("dnsaddr=/ip4/1.2.3.4/tcp/1/p2p/%s\n$(reboot)" % peer_id).encode()
        v2 = ('dnsaddr=/ip4/1.2.3.4/tcp/1/p2p/%s,/ip4/6.6.6.6/tcp/6"}' % peer_id).encode()
        v3 = ('dnsaddr=/dns4/x$(reboot),"y\n/tcp/1/p2p/%s' % peer_id).encode()
        recs = [_txt_record_raw(name, ttl, bytes([len(v)]) + v) for v in (v1, v2, v3)]
        return query_response_packet(0, name, recs, ttl)
    if kind == "truncated":
        # A valid one-address response cut in the middle of the TXT rdata: the header still says
        # 1 additional and the record's rdlength still covers the whole string, but the datagram
        # ends after the first half of the string.
        value = good.encode()
        full = query_response_packet(0, name, [_txt_record_raw(name, ttl, bytes([len(value)]) + value)],
                                     ttl)
        return full[:len(full) - len(value) // 2]
    if kind == "ttl0":
        # A valid response, rust's exact layout, with TTL 0 on the PTR and the TXT: an RFC 6762
        # goodbye (rust-libp2p itself never sends one).
        return build_query_response(0, peer_id, [addr], 0)[0]
    raise ValueError(kind)


HOSTILE_KINDS = ("oversized-txt", "bad-utf8", "compression-loop", "injection", "truncated", "ttl0")


# ---------------------------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------------------------

_log_file = None
_t0 = time.monotonic()


def warn(msg: str) -> None:
    print("rust_mdns_responder: " + msg, file=sys.stderr, flush=True)


def log_packet(**fields) -> None:
    if _log_file is None:
        return
    entry = {"t": round(time.monotonic() - _t0, 3)}
    entry.update(fields)
    _log_file.write(json.dumps(entry) + "\n")
    _log_file.flush()


def classify(buf: bytes):
    """query.rs MdnsPacket::new_from_bytes. Returns (kind, message or None)."""
    try:
        msg = parse_message(buf)
    except (ParseError, IndexError, struct.error):
        return "unparsable", None
    if not msg["questions"]:
        return "response", msg
    if any(q["name"] == SERVICE_NAME_FQDN for q in msg["questions"]):
        return "query", msg
    if any(q["name"] == META_QUERY_SERVICE_FQDN for q in msg["questions"]):
        return "service-discovery", msg
    return "other", msg


def make_sockets(iface_ip: str):
    # iface.rs InterfaceState::new, IPv4 branch.
    recv = udp_socket(("0.0.0.0", MDNS_PORT), reuse=True)
    recv.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    recv.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    join_mdns_group(recv, iface_ip)
    # `UdpSocket::bind(SocketAddr::new(addr, 0))`; IP_MULTICAST_IF is our addition (see the header).
    send = udp_socket((iface_ip, 0))
    multicast_from(send, iface_ip)
    recv.setblocking(False)
    send.setblocking(False)
    return recv, send


class Responder:
    def __init__(self, args, recv, send):
        self.args = args
        self.recv = recv
        self.send_sock = send
        # iface.rs: query_interval + rand 0..100 ms, drawn once per interface.
        self.query_interval = args.query_interval + _rng.randrange(100) / 1000.0
        self.probing = True
        self.interval = INITIAL_TIMEOUT_INTERVAL
        self.next_query = time.monotonic()  # interval_at(Instant::now(), 500 ms): first tick now

    def send(self, packet: bytes, kind: str) -> None:
        dest = (MDNS_GROUP, MDNS_PORT)
        id_ = struct.unpack(">H", packet[:2])[0]
        try:
            self.send_sock.sendto(packet, dest)
        except OSError as e:  # rust logs and carries on
            warn("error sending packet: %s" % e)
            return
        log_packet(dir="sent", socket="send", peer="%s:%d" % dest, len=len(packet), kind=kind,
                   id=id_, hex=packet.hex())

    def send_responses(self, id_: int) -> None:
        for p in build_query_response(id_, self.args.peer_id, self.args.addr, self.args.ttl):
            self.send(p, "response")

    def tick(self) -> None:
        self.send(build_query(), "query")
        if self.probing:
            interval = self.interval * 2
            if interval >= self.query_interval:
                self.probing, self.interval = False, self.query_interval
            else:
                self.interval = interval
        self.next_query = time.monotonic() + self.interval  # reset_timer

    def on_packet(self, sock_name: str, buf: bytes, src) -> None:
        kind, msg = classify(buf)
        entry = dict(dir="recv", socket=sock_name, peer="%s:%d" % src, len=len(buf), kind=kind,
                     id=msg["id"] if msg else None, ignored=sock_name != "recv")
        peers = None
        if msg is not None and kind == "response":
            peers = response_peers(msg)
            entry["peers"] = peers
        entry["hex"] = buf.hex()
        log_packet(**entry)
        if sock_name != "recv":
            return  # rust never reads its send socket
        if kind == "query":
            self.send_responses(msg["id"])
        elif kind == "service-discovery":
            self.send(build_service_discovery_response(msg["id"], self.args.ttl), "service-discovery")
        elif kind == "response" and self.args.query and discovers_someone(peers, self.args.peer_id):
            # iface.rs: "Stop probing when we have a valid response"
            self.probing, self.interval = False, self.query_interval
            self.next_query = time.monotonic() + self.interval

    def run(self) -> None:
        if self.args.once_unsolicited:
            self.send_responses(0)
        socks = {self.recv: "recv", self.send_sock: "send"}
        while True:
            timeout = None
            if self.args.query:
                timeout = max(0.0, self.next_query - time.monotonic())
            readable, _, _ = select.select(list(socks), [], [], timeout)
            if self.args.query and time.monotonic() >= self.next_query:
                self.tick()
            for s in readable:
                while True:
                    try:
                        buf, src = s.recvfrom(RECV_BUFFER)
                    except BlockingIOError:
                        break
                    self.on_packet(socks[s], buf, src)


def main() -> int:
    global _log_file
    ap = argparse.ArgumentParser(description="A peer that speaks rust-libp2p 0.48 mDNS (test only).")
    ap.add_argument("--iface-ip", required=True, help="IPv4 address of the interface to use")
    ap.add_argument("--peer-id", required=True, help="base58 peer id to advertise")
    ap.add_argument("--addr", action="append", default=[], help="listen multiaddr (repeatable)")
    ap.add_argument("--ttl", type=float, default=2500, help="record TTL in seconds (2500, like exo)")
    ap.add_argument("--query", action="store_true", help="also send rust's queries on its schedule")
    ap.add_argument("--query-interval", type=float, default=1500, help="seconds (1500, like exo)")
    ap.add_argument("--log", help="one JSON line per packet sent/received ('-' = stderr)")
    ap.add_argument("--once-unsolicited", action="store_true",
                    help="send one response at start without being asked (rust never does)")
    ap.add_argument("--hostile", choices=HOSTILE_KINDS, help="send one crafted bad response and exit")
    args = ap.parse_args()
    try:
        ipaddress.IPv4Address(args.iface_ip)
    except ValueError:
        ap.error("--iface-ip must be an IPv4 address")
    if args.log == "-":
        _log_file = sys.stderr
    elif args.log:
        _log_file = open(args.log, "a", buffering=1)

    def on_signal(signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        recv, send = make_sockets(args.iface_ip)
    except OSError as e:
        warn("socket setup on %s failed: %s" % (args.iface_ip, e))
        return 1
    print(json.dumps({"ready": True, "iface_ip": args.iface_ip, "send_port": send.getsockname()[1],
                      "peer_id": args.peer_id}), flush=True)
    responder = Responder(args, recv, send)
    if args.hostile:
        addr = args.addr[0] if args.addr else "/ip4/%s/tcp/4001" % args.iface_ip
        ttl = duration_to_secs(args.ttl)
        responder.send(hostile_packet(args.hostile, args.peer_id, addr, ttl), "hostile:" + args.hostile)
        return 0
    responder.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""mdns_wire.py: what the mDNS test tools share (Python stdlib only): the IPv4 multicast sockets and the
framing of a DNS message. Imported by tests/peers/rust_mdns_responder.py and tests/fixtures/mdns_sniff.py
(which puts this directory on sys.path). Nothing here sends a packet."""

import socket
import struct

MDNS_GROUP = "224.0.0.251"
MDNS_PORT = 5353


# ---------------------------------------------------------------------------------------------
# Sockets
# ---------------------------------------------------------------------------------------------

def udp_socket(addr, reuse=False, rcvbuf=None):
    """A UDP/IPv4 socket bound to addr (ip, port). reuse: SO_REUSEADDR + SO_REUSEPORT, so it shares
    the port (5353) with avahi-daemon and the peers; rcvbuf: SO_RCVBUF. Both are set before bind."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(addr)
    return s


def join_mdns_group(s, iface_ip):
    """IP_ADD_MEMBERSHIP of 224.0.0.251 on the interface holding iface_ip."""
    mreq = socket.inet_aton(MDNS_GROUP) + socket.inet_aton(iface_ip)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)


def multicast_from(s, iface_ip):
    """IP_MULTICAST_IF = iface_ip: multicasts leave by that interface (the lab hosts have no
    multicast route)."""
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(iface_ip))


# ---------------------------------------------------------------------------------------------
# Message framing
# ---------------------------------------------------------------------------------------------

class ParseError(Exception):
    pass


def parse_frame(buf, read_name, record):
    """The sections of the DNS message buf: the 12-byte header, qd questions, then an + ns + ar
    resource records, each bounds-checked. read_name(buf, pos) -> (name, position after it) reads
    every owner name; record(name, rtype, rclass, ttl, rdata_pos, rdlen) makes each record's entry
    (and checks its rdata), in wire order. Returns (header (id, flags, qd, an, ns, ar), questions
    [(name, qtype, qclass)], sections [answers, authorities, additionals], position after the last
    record)."""
    if len(buf) < 12:
        raise ParseError("short header")
    header = struct.unpack(">6H", buf[:12])
    pos, questions = 12, []
    for _ in range(header[2]):
        name, pos = read_name(buf, pos)
        if pos + 4 > len(buf):
            raise ParseError("truncated question")
        qtype, qclass = struct.unpack(">HH", buf[pos:pos + 4])
        pos += 4
        questions.append((name, qtype, qclass))
    sections = []
    for count in header[3:]:
        records = []
        for _ in range(count):
            name, pos = read_name(buf, pos)
            if pos + 10 > len(buf):
                raise ParseError("truncated record header")
            rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", buf[pos:pos + 10])
            pos += 10
            if pos + rdlen > len(buf):
                raise ParseError("rdata runs past the end")
            records.append(record(name, rtype, rclass, ttl, pos, rdlen))
            pos += rdlen
        sections.append(records)
    return header, questions, sections, pos

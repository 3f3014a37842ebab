#!/usr/bin/env python3
"""ike_pcap.py PCAP: one line per UDP 500/4500 datagram of a classic pcap file
(Ethernet, Linux cooked or raw IP link types; IPv4 and IPv6):

  SRC SPORT DST DPORT ike EXCHANGE I|- R|- MSGID SPIi SPIr LEN
  SRC SPORT DST DPORT keepalive | esp | short

EXCHANGE is the RFC 7296 3.1 exchange type by name (IKE_SA_INIT, IKE_AUTH,
CREATE_CHILD_SA, INFORMATIONAL, IKE_SESSION_RESUME, or the number); I is the
Initiator flag (the sender is the IKE SA's original initiator), R the Response flag.
Datagrams on 4500 carry the non-ESP marker (RFC 3948 2.2) before IKE."""
import socket
import struct
import sys

EXCHANGES = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        sys.exit("%s: not a classic pcap file" % path)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + incl]
        off += 16 + incl


def ip_payload(linktype, frame):
    if linktype == 1:  # Ethernet
        etype, frame = struct.unpack("!H", frame[12:14])[0], frame[14:]
        while etype == 0x8100:
            etype, frame = struct.unpack("!H", frame[2:4])[0], frame[4:]
    elif linktype == 113:  # Linux cooked (SLL)
        etype, frame = struct.unpack("!H", frame[14:16])[0], frame[16:]
    elif linktype in (101, 12):  # raw IP
        etype = 0x0800 if frame[:1] and frame[0] >> 4 == 4 else 0x86DD
    else:
        return None
    if etype == 0x0800 and len(frame) >= 20 and frame[9] == 17:
        ihl = (frame[0] & 15) * 4
        return socket.inet_ntop(socket.AF_INET, frame[12:16]), socket.inet_ntop(socket.AF_INET, frame[16:20]), frame[ihl:]
    if etype == 0x86DD and len(frame) >= 40 and frame[6] == 17:
        return socket.inet_ntop(socket.AF_INET6, frame[8:24]), socket.inet_ntop(socket.AF_INET6, frame[24:40]), frame[40:]
    return None


def describe(sport, dport, payload):
    if 4500 in (sport, dport):
        if payload == b"\xff":
            return "keepalive"
        if len(payload) < 4 or payload[:4] != b"\0\0\0\0":
            return "esp"
        payload = payload[4:]
    if len(payload) < 28:
        return "short"
    spi_i, spi_r, _np, _ver, xchg, flags, msgid, length = struct.unpack("!8s8sBBBBII", payload[:28])
    return "ike %s %s %s %d %s %s %d" % (EXCHANGES.get(xchg, str(xchg)), "I" if flags & 0x08 else "-",
                                         "R" if flags & 0x20 else "-", msgid, spi_i.hex(), spi_r.hex(), length)


def main():
    for linktype, frame in packets(sys.argv[1]):
        ip = ip_payload(linktype, frame)
        if ip is None or len(ip[2]) < 8:
            continue
        src, dst, udp = ip
        sport, dport = struct.unpack("!HH", udp[:4])
        if not {sport, dport} & {500, 4500}:
            continue
        print(src, sport, dst, dport, describe(sport, dport, udp[8:]))


if __name__ == "__main__":
    main()

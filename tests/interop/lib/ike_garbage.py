#!/usr/bin/env python3
"""ike_garbage.py DST [--seed N] [--delay S] INPUT...: send hostile UDP datagrams to
an IKE responder at address DST, ports 500 and 4500 (the latter with the RFC 3948
non-ESP marker), and print how many were sent.

INPUT is a file (sent as is), a directory (each regular file in it, recursively),
or a classic pcap file ending in .pcap: every IKE message in it (UDP 500/4500) is
sent truncated at several lengths, with its length field and payload chain broken,
and with random bits flipped (N variants, deterministic for a given --seed).
Extra cases: empty datagrams, a lone 0xFF and marker-only datagrams on 4500,
ESP-looking datagrams, an oversized datagram."""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ike_pcap  # noqa: E402


def ike_messages(pcap):
    for linktype, frame in ike_pcap.packets(pcap):
        ip = ike_pcap.ip_payload(linktype, frame)
        if ip is None or len(ip[2]) < 8:
            continue
        udp = ip[2]
        sport, dport = struct.unpack("!HH", udp[:4])
        data = udp[8:]
        if 4500 in (sport, dport):
            if len(data) < 4 or data[:4] != b"\0\0\0\0":
                continue
            data = data[4:]
        elif 500 not in (sport, dport):
            continue
        if len(data) >= 28:
            yield data


def variants(msg, rnd, flips):
    n = len(msg)
    for cut in sorted({0, 1, 4, 8, 16, 27, 28, 29, 32, n // 2, n - 17, n - 1}):
        if 0 <= cut < n:
            yield msg[:cut]
    # Length field (octets 24..27) too small, too large, zero; next payload garbage.
    for length in (0, 27, 28, n - 1, n + 1, 0xFFFFFFFF):
        yield msg[:24] + struct.pack("!I", length) + msg[28:]
    yield msg[:16] + bytes([rnd.randrange(256)]) + msg[17:]
    yield msg[:17] + b"\x10" + msg[18:]  # IKEv1 version
    yield msg + b"\0" * 7  # trailing bytes beyond the length field
    for _ in range(flips):
        b = bytearray(msg)
        for _ in range(rnd.choice((1, 1, 2, 3, 8))):
            i = rnd.randrange(n)
            b[i] ^= 1 << rnd.randrange(8)
        yield bytes(b)
    # The generic payload header of the first payload with a bogus length.
    if n > 32:
        b = bytearray(msg)
        struct.pack_into("!H", b, 30, rnd.choice((0, 1, 3, 0xFFFF)))
        yield bytes(b)


def inputs(args, rnd, flips):
    for a in args:
        if os.path.isdir(a):
            for root, _dirs, files in sorted(os.walk(a)):
                for f in sorted(files):
                    with open(os.path.join(root, f), "rb") as fh:
                        yield fh.read()[:65000]
        elif a.endswith(".pcap"):
            for msg in ike_messages(a):
                yield msg
                yield from variants(msg, rnd, flips)
        else:
            with open(a, "rb") as fh:
                yield fh.read()[:65000]


def main():
    argv = sys.argv[1:]
    seed, delay, flips = 1, 0.0005, 8
    while argv and argv[0].startswith("--"):
        opt, val = argv.pop(0), argv.pop(0)
        if opt == "--seed":
            seed = int(val)
        elif opt == "--delay":
            delay = float(val)
        elif opt == "--flips":
            flips = int(val)
        else:
            sys.exit("unknown option " + opt)
    dst, rest = argv[0], argv[1:]
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    rnd = random.Random(seed)
    s500 = socket.socket(fam, socket.SOCK_DGRAM)
    s4500 = socket.socket(fam, socket.SOCK_DGRAM)
    sent = 0

    def send(data, port):
        nonlocal sent
        sock = s500 if port == 500 else s4500
        try:
            sock.sendto(data, (dst, port))
            sent += 1
        except OSError:
            pass  # e.g. ICMP port unreachable reported on a later send
        time.sleep(delay)

    for extra in (b"", b"\xff", b"\0\0\0\0", b"\0\0\0\0\xff", b"\x01\x02\x03\x04" + bytes(40), os.urandom(65000)):
        send(extra, 4500)
        send(extra, 500)
    for data in inputs(rest, rnd, flips):
        send(data, 500)
        send(b"\0\0\0\0" + data, 4500)
    print(sent)


if __name__ == "__main__":
    main()

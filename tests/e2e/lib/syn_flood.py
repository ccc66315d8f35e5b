#!/usr/bin/env python3
"""Sends TCP SYNs from spoofed sources, as a SYN flood does, bounded in count
and time: `syn_flood.py IFACE SRC_MAC DST_MAC DST_ADDR DST_PORT MAX_PACKETS SECONDS`.

Every source address is drawn from 198.19.0.0/16 (never outside it), every
source port at random; frames go out of IFACE through an AF_PACKET socket,
with complete IPv4 and TCP checksums. Prints "sent N seconds S rate R" at the
end. Needs CAP_NET_RAW; run it only inside a test's own namespace.
"""
import errno
import random
import socket
import struct
import sys
import time

SPOOFED_NET = (198 << 24) | (19 << 16)  # 198.19.0.0/16


def ones_complement_sum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(*parts):
    return ~ones_complement_sum(b"".join(parts)) & 0xFFFF


def syn_frame(ethernet, source, sport, dst_addr, dst_port, seq):
    src = struct.pack("!I", source)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, socket.IPPROTO_TCP, 0, src, dst_addr))
    struct.pack_into("!H", ip, 10, checksum(bytes(ip)))
    tcp = bytearray(struct.pack("!HHIIBBHHH", sport, dst_port, seq, 0, 5 << 4, 0x02, 64240, 0, 0))
    pseudo = struct.pack("!4s4sBBH", src, dst_addr, 0, socket.IPPROTO_TCP, len(tcp))
    struct.pack_into("!H", tcp, 16, checksum(pseudo, bytes(tcp)))
    return ethernet + bytes(ip) + bytes(tcp)


def main():
    iface, src_mac, dst_mac, dst, dst_port, max_packets, seconds = sys.argv[1:8]
    dst_addr = socket.inet_aton(dst)
    ethernet = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00"
    limit, deadline = int(max_packets), time.monotonic() + float(seconds)
    out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    out.bind((iface, 0))
    sent, start = 0, time.monotonic()
    while sent < limit and (sent % 256 or time.monotonic() < deadline):
        host = random.randrange(1, 0xFFFF)  # 198.19.0.1 to 198.19.255.254
        frame = syn_frame(ethernet, SPOOFED_NET | host, random.randrange(1024, 65536), dst_addr, int(dst_port),
                          random.getrandbits(32))
        try:
            out.send(frame)
        except OSError as error:
            if error.errno != errno.ENOBUFS:
                raise
            time.sleep(0.001)  # the interface's queue is full: let it drain
            continue
        sent += 1
    elapsed = time.monotonic() - start
    print("sent %d seconds %.2f rate %.0f" % (sent, elapsed, sent / elapsed if elapsed > 0 else 0))


if __name__ == "__main__":
    main()

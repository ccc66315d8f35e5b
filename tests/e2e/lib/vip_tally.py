#!/usr/bin/env python3
"""Opens COUNT new flows to ADDR:PORT one after the other and reports which
backend answered each: `vip_tally.py tcp|udp ADDR PORT COUNT`.

tcp: a new connection per request (`GET / HTTP/1.0`, read to EOF); the kernel
picks the source port and may reuse that of an earlier, closed connection, as
real clients do. udp: a new socket, hence a new source port, per datagram.
Backends answer with their name. Output lines, read by lb.sh's vip_tally:
  flow CLIENT_PORT BACKEND | count BACKEND N | failed N | seconds S | error TEXT
"""
import socket
import sys
import time

HTTP_REQUEST = b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n"


def ask_tcp(addr, port):
    with socket.create_connection((addr, port), timeout=3) as s:
        client_port = s.getsockname()[1]
        s.sendall(HTTP_REQUEST)
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    name = body.decode(errors="replace").strip()
    if b" 200 " not in head.split(b"\r\n", 1)[0] or not name or " " in name:
        raise ValueError("bad reply %r" % reply[:80])
    return client_port, name


def ask_udp(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(b"hello\n", (addr, port))
        client_port = s.getsockname()[1]
        data, peer = s.recvfrom(65535)
    name = data.decode(errors="replace").strip()
    if (peer[0], peer[1]) != (addr, port) or not name:
        raise ValueError("bad reply %r from %s" % (data[:80], peer))
    return client_port, name


def main():
    proto, addr, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ask = {"tcp": ask_tcp, "udp": ask_udp}[proto]
    counts, failed, errors = {}, 0, []
    start = time.monotonic()
    for i in range(count):
        try:
            client_port, name = ask(addr, port)
            counts[name] = counts.get(name, 0) + 1
            print("flow", client_port, name)
        except Exception as error:  # every failure is counted and a few are shown
            failed += 1
            if len(errors) < 3:
                errors.append("flow %d: %s" % (i + 1, error))
    for name in sorted(counts):
        print("count", name, counts[name])
    print("failed", failed)
    print("seconds", "%.2f" % (time.monotonic() - start))
    for error in errors:
        print("error", error)


if __name__ == "__main__":
    main()

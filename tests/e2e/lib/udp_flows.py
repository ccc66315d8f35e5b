#!/usr/bin/env python3
"""Sends FLOWS UDP flows of DATAGRAMS datagrams each to ADDR:PORT, each flow
from a socket of its own, every datagram waiting for its answer. The sockets
stay open until the last flow is done: the kernel may give a closed socket's
port to the next one, and two flows on one port are one connection to the
balancer. Then reports, per
backend that answered, what the balancer must have counted for it, in IP
packets (IPv4, no options) and their bytes:
  `udp_flows.py ADDR PORT FLOWS DATAGRAMS`
Output lines: backend NAME FLOWS PACKETS_OUT BYTES_OUT PACKETS_IN BYTES_IN | failed N
"""
import contextlib
import socket
import sys

PAYLOAD = b"hello\n"
HEADERS = 20 + 8  # IPv4, UDP: the balancer counts IP packets, not frames


def run_flow(s, addr, port, datagrams):
    replies = []
    s.settimeout(2)
    for _ in range(datagrams):
        s.sendto(PAYLOAD, (addr, port))
        data, peer = s.recvfrom(65535)
        if peer != (addr, port):
            raise ValueError("answer from %s" % (peer,))
        replies.append(data)
    names = {r.decode(errors="replace").strip() for r in replies}
    if len(names) != 1:
        raise ValueError("one flow answered by %s" % sorted(names))
    return names.pop(), replies


def main():
    addr, port, flows, datagrams = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    by_backend, failed = {}, 0
    with contextlib.ExitStack() as open_sockets:
        for _ in range(flows):
            s = open_sockets.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
            try:
                name, replies = run_flow(s, addr, port, datagrams)
            except (OSError, ValueError) as error:
                failed += 1
                print("error", error, file=sys.stderr)
                continue
            tally = by_backend.setdefault(name, [0, 0, 0, 0, 0])
            tally[0] += 1
            tally[1] += datagrams
            tally[2] += datagrams * (HEADERS + len(PAYLOAD))
            tally[3] += len(replies)
            tally[4] += sum(HEADERS + len(r) for r in replies)
    for name in sorted(by_backend):
        print("backend", name, *by_backend[name])
    print("failed", failed)


if __name__ == "__main__":
    main()

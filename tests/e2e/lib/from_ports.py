#!/usr/bin/env python3
"""One HTTP/1.0 connection per given client port, from a given source address:
`from_ports.py ADDR PORT SOURCE CLIENT_PORT...`, SOURCE an address of the
client or "-" for the route's, a CLIENT_PORT of 0 for one the kernel picks.
Fixed ports make a connection's key repeatable: the same source address and
port again is the same key to a balancer that hashes them. The backend closes
first, so the client's side of each tuple is free again at once.
Prints "CLIENT_PORT BACKEND" per connection, "CLIENT_PORT ERROR:..." for a
failure.
"""
import socket
import sys


def ask(addr, port, source, client_port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(3)
        s.bind(("" if source == "-" else source, client_port))
        s.connect((addr, port))
        bound_port = s.getsockname()[1]
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    name = reply.partition(b"\r\n\r\n")[2].decode(errors="replace").strip()
    return bound_port, name or "ERROR:empty"


def main():
    addr, port, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    for client_port in map(int, sys.argv[4:]):
        try:
            print(*ask(addr, port, source, client_port))
        except OSError as error:
            print(client_port, "ERROR:%s" % str(error).replace(" ", "_"))


main()

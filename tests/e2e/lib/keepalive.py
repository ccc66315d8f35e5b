#!/usr/bin/env python3
"""A client with one HTTP/1.1 keep-alive connection to a VIP:
`keepalive.py ADDR PORT [CLIENT_PORT]` (CLIENT_PORT 0 or none: the kernel's
choice). For each line on stdin it asks / on that connection and prints the
answering backend's name, or, when the connection no longer serves, RESET
(reset), CLOSED (closed by the other end) or ERROR:... (anything else,
including an answer other than 200).
"""
import socket
import sys


def connect(addr, port, client_port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(("", client_port))
    s.settimeout(5)
    s.connect((addr, port))
    return s


def ask(s, f):
    s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
    status = f.readline()
    if not status:
        return "CLOSED"
    length = 0
    while (line := f.readline()) not in (b"\r\n", b""):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value)
    body = f.read(length).decode(errors="replace").strip()
    return body if b" 200 " in status else "ERROR:status_" + status.split()[1].decode()


def main():
    client_port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    s = connect(sys.argv[1], int(sys.argv[2]), client_port)
    f = s.makefile("rb")
    for _ in sys.stdin:
        try:
            print(ask(s, f), flush=True)
        except ConnectionResetError:
            print("RESET", flush=True)
        except OSError as error:
            print("ERROR:%s" % type(error).__name__, flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Misbehaving clients of lbd's TCP API, for tests/e2e/api_hardening.sh.

usage: api_abuse.py ADDR PORT KEY_FILE

Prints one "NAME VALUE" line per observation, for the test to judge:
  garbage_lines N / garbage_errors N   lines sent after authenticating / error answers to them
  oversize_answer TEXT                 the answer to a 2 MiB line ("closed" if none)
  half_lines N                         connections that sent half a line and left
  crowd N / crowd_refused N            connections opened at once / refused as too many
  wrong_keys N / wrong_key_refused N   connections with a wrong key / answered "wrong API key" and closed
  flood N / flood_limited N            pipelined requests / answered "rate limited"
"""
import json
import random
import socket
import sys

TIMEOUT_S = 10


def connect(addr, port):
    sock = socket.create_connection((addr, port), timeout=TIMEOUT_S)
    sock.settimeout(TIMEOUT_S)
    return sock


def read_lines(sock, count):
    """Up to `count` answer lines; fewer if lbd closes the connection."""
    data = b""
    while data.count(b"\n") < count:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return [json.loads(line) for line in data.split(b"\n")[:count] if line]


def closed_by_lbd(sock):
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def request(command, args=None):
    return (json.dumps({"command": command, "args": args or {}}) + "\n").encode()


def authenticated(addr, port, key):
    sock = connect(addr, port)
    sock.sendall(request("auth", {"key": key}))
    assert read_lines(sock, 1) == [{"ok": True, "result": None}]
    return sock


def garbage(rng):
    """Lines that are no valid request, or a request lbd must refuse."""
    shapes = [
        lambda: bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 200))).replace(b"\n", b" "),
        lambda: b'{"command": "farm.add", "args": {"name": "x", "vip": ' + str(10 ** 400).encode() + b"}}",
        lambda: b'{"command": "farm.set", "args": {"name": "web", "port": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        lambda: b'{"command": "backend.set", "args": {"farm": "web", "name": "b1", "weight": "heavy"}}',
        lambda: b'{"command": "farm.del", "args": {"name": ["web"]}}',
        lambda: b'{"command": "farm.add", "args": {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp"}',
        lambda: b'{"command": "farm.set", "args": {"name": "web", "rate_limit": -1}}',
        lambda: b'{"command": "backend.add", "args": {"farm": "web", "name": "b9", "ip": "0.0.0.0"}}',
        lambda: b"[]",
        lambda: b"",
    ]
    return rng.choice(shapes)()


def main():
    addr, port, key_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(key_file) as f:
        key = f.readline().strip()
    rng = random.Random(20261121)

    sock = authenticated(addr, port, key)
    lines = [garbage(rng) for _ in range(150)]
    sock.sendall(b"".join(line + b"\n" for line in lines))
    answers = read_lines(sock, len(lines))
    print("garbage_lines", len(lines))
    print("garbage_errors", sum(1 for a in answers if a.get("ok") is False))
    sock.close()

    sock = authenticated(addr, port, key)
    try:
        sock.sendall(b'{"command": "farm.list", "args": {"pad": "' + b"a" * (2 << 20) + b'"}}\n')
    except (BrokenPipeError, ConnectionResetError):
        pass
    answers = read_lines(sock, 1)
    print("oversize_answer", answers[0].get("error") if answers else "closed")
    sock.close()

    for _ in range(20):
        sock = connect(addr, port)
        sock.sendall(request("auth", {"key": key})[:25])
        sock.close()
    print("half_lines", 20)

    crowd = [connect(addr, port) for _ in range(100)]
    refused = 0
    for sock in crowd:
        sock.settimeout(0.5)
        answers = read_lines(sock, 1)
        if answers and "too many connections" in answers[0].get("error", ""):
            refused += 1
    for sock in crowd:
        sock.close()
    print("crowd", len(crowd))
    print("crowd_refused", refused)

    wrong_refused = 0
    for attempt in range(10):
        sock = connect(addr, port)
        sock.sendall(request("auth", {"key": key[:-1] + chr(ord(key[-1]) ^ 1) if attempt % 2 else "guess" * attempt}))
        sock.sendall(request("farm.del", {"name": "web"}))
        answers = read_lines(sock, 2)
        if answers == [{"ok": False, "error": "wrong API key"}] and closed_by_lbd(sock):
            wrong_refused += 1
        sock.close()
    print("wrong_keys", 10)
    print("wrong_key_refused", wrong_refused)

    sock = authenticated(addr, port, key)
    sock.sendall(request("farm.list") * 300)
    answers = read_lines(sock, 300)
    print("flood", 300)
    print("flood_limited", sum(1 for a in answers if a.get("error", "").startswith("rate limited")))
    sock.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Traffic through a VIP while the load balancers fail over:
`ha_traffic.py ADDR PORT INTERVAL_S`.

One HTTP/1.1 keep-alive connection asks / every INTERVAL_S and checks that
every answer is 200 from the backend that answered first; alongside, a new
connection asks / every INTERVAL_S and closes. For each line `mark NAME` on
stdin it prints what happened since the previous mark:

  NAME long_answers N long_max_gap_ms G long_error E new_ok A new_failed F

G: the longest time between two answers on the long-lived connection (or
since the previous mark); E: "none", or why the connection stopped serving
(it is not reopened). EOF on stdin ends it.
"""
import socket
import sys
import threading
import time

ADDR, PORT, INTERVAL = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
FAMILY = socket.AF_INET6 if ":" in ADDR else socket.AF_INET
lock = threading.Lock()
long_answers = []  # monotonic times of the long-lived connection's answers
long_error = None
new_results = []   # (time, ok)


def ask(s, f):
    s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
    status = f.readline()
    if not status:
        raise ConnectionError("closed by the other end")
    length = 0
    while (line := f.readline()) not in (b"\r\n", b""):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value)
    body = f.read(length).decode(errors="replace").strip()
    if b" 200 " not in status:
        raise ConnectionError("status " + status.decode(errors="replace").strip())
    return body


def long_lived():
    global long_error
    try:
        s = socket.create_connection((ADDR, PORT), timeout=10)
        f = s.makefile("rb")
        first = None
        while True:
            body = ask(s, f)
            first = first or body
            if body != first:
                raise ConnectionError("answered by %s, then %s" % (first, body))
            with lock:
                long_answers.append(time.monotonic())
            time.sleep(INTERVAL)
    except (OSError, ConnectionError) as error:
        with lock:
            long_error = "%s:%s" % (type(error).__name__, str(error).replace(" ", "_"))


def new_connections():
    while True:
        ok = True
        try:
            with socket.create_connection((ADDR, PORT), timeout=2) as s:
                ask(s, s.makefile("rb"))
        except (OSError, ConnectionError):
            ok = False
        with lock:
            new_results.append((time.monotonic(), ok))
        time.sleep(INTERVAL)


def main():
    threading.Thread(target=long_lived, daemon=True).start()
    threading.Thread(target=new_connections, daemon=True).start()
    since = time.monotonic()
    for line in sys.stdin:
        words = line.split()
        if len(words) != 2 or words[0] != "mark":
            continue
        now = time.monotonic()
        with lock:
            answers = [t for t in long_answers if t > since]
            news = [ok for t, ok in new_results if t > since]
            error = long_error
        points = [since] + answers + ([now] if error is None else [])
        gap = max((b - a for a, b in zip(points, points[1:])), default=now - since)
        print("%s long_answers %d long_max_gap_ms %d long_error %s new_ok %d new_failed %d"
              % (words[1], len(answers), gap * 1000, error or "none", news.count(True), news.count(False)),
              flush=True)
        since = now


main()

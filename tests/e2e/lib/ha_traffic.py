#!/usr/bin/env python3
"""Traffic through a VIP while the load balancers fail over:
`ha_traffic.py ADDR PORT INTERVAL_S`.

HTTP/1.1 keep-alive connections, each asking / every INTERVAL_S and checking
that every answer is 200 from the backend that answered it first: one from
the start, and one more for each line `open` on stdin. Alongside, a new
connection asks / every INTERVAL_S and closes. For each line `mark NAME` on
stdin it prints what happened since the previous mark:

  NAME long_connections C long_answers N long_max_gap_ms G long_error E new_ok A new_failed F

C: the long-lived connections; N: their answers; G: the longest time one of
them went without an answer (from the previous mark on); E: "none", or why
one stopped serving (it is not reopened). EOF on stdin ends it.
"""
import socket
import sys
import threading
import time

from keepalive import ask as ask_keepalive

ADDR, PORT, INTERVAL = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
lock = threading.Lock()
long_answers = []  # per long-lived connection, the monotonic times of its answers
long_error = None
new_results = []   # (time, ok)


# One request on a keep-alive connection (keepalive.py's), its failure raised.
def ask(s, f):
    answer = ask_keepalive(s, f)
    if answer == "CLOSED" or answer.startswith("ERROR:"):
        raise ConnectionError(answer)
    return answer


def long_lived(answers):
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
                answers.append(time.monotonic())
            time.sleep(INTERVAL)
    except (OSError, ConnectionError) as error:
        with lock:
            long_error = long_error or "%s:%s" % (type(error).__name__, str(error).replace(" ", "_"))


def open_long_lived():
    answers = []
    with lock:
        long_answers.append(answers)
    threading.Thread(target=long_lived, args=(answers,), daemon=True).start()


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


def longest_gap(answers, since, now):
    points = [since] + [t for t in answers if t > since] + [now]
    return max(b - a for a, b in zip(points, points[1:]))


def main():
    open_long_lived()
    threading.Thread(target=new_connections, daemon=True).start()
    since = time.monotonic()
    for line in sys.stdin:
        words = line.split()
        if words == ["open"]:
            open_long_lived()
            continue
        if len(words) != 2 or words[0] != "mark":
            continue
        now = time.monotonic()
        with lock:
            answers = sum(len([t for t in each if t > since]) for each in long_answers)
            gap = max(longest_gap(each, max(since, each[0]) if each else since, now) for each in long_answers)
            news = [ok for t, ok in new_results if t > since]
            error = long_error
        print("%s long_connections %d long_answers %d long_max_gap_ms %d long_error %s new_ok %d new_failed %d"
              % (words[1], len(long_answers), answers, gap * 1000, error or "none", news.count(True),
                 news.count(False)), flush=True)
        since = now


main()

#!/usr/bin/env python3
"""Opens new TCP connections to ADDR:PORT one after the other, each asking
`GET /` (vip_tally's request), until the file STOP exists:
`connect_loop.py ADDR PORT STOP`. For tests that change the load balancer
under a steady arrival of new connections. Output lines, the times in
seconds since the epoch (as `date +%s.%N` gives them):
  ok TIME | failed TIME TEXT   one per connection, as it ends
  tried N | failed N           once stopped
"""
import os
import sys
import time

from vip_tally import ask_tcp

PAUSE_S = 0.02  # some 30-40 connections a second with the request's own time


def main():
    addr, port, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    tried = failed = 0
    while not os.path.exists(stop):
        tried += 1
        try:
            ask_tcp(addr, port)
            print("ok %.3f" % time.time(), flush=True)
        except Exception as error:  # every failure is counted and shown
            failed += 1
            print("failed %.3f %s" % (time.time(), error), flush=True)
        time.sleep(PAUSE_S)
    print("tried", tried)
    print("failed", failed)


if __name__ == "__main__":
    main()

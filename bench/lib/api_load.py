#!/usr/bin/env python3
"""bench/lib/api_load.py -- drive lbd's API (docs/api.md) as fast as it answers.

  api_load.py farms SOCKET FARMS BACKENDS     add FARMS farms of BACKENDS backends each
  api_load.py weights SOCKET FARM BACKENDS N  N backend.set weight changes in FARM
  api_load.py show SOCKET FARM N              N farm.show requests (no change)
  api_load.py config FARMS BACKENDS           print the same farms as a config file

Requests are pipelined on one connection: a thread writes them all while the
main thread reads the answers, so that what is timed is lbd's work, not a
round trip per request nor a process per request. Prints one JSON object:
{"requests": N, "seconds": S, "ops_per_s": R}. Fails on the first answer
that is not a success.
"""
import json
import socket
import sys
import threading
import time


def farm_name(i):
    return f"f{i}"


def farm(i):
    # 198.18.0.0/15 only; the addresses are map keys, never sent to.
    return {"name": farm_name(i), "vip": f"198.18.{100 + i // 200}.{i % 200 + 1}", "port": 80,
            "proto": "tcp", "mode": "dnat"}


def backend(i, j, backends):
    n = i * backends + j
    return {"name": f"b{j}", "ip": f"198.19.{n // 250}.{n % 250 + 1}"}


def farms_requests(farms, backends):
    for i in range(farms):
        yield {"command": "farm.add", "args": farm(i)}
        for j in range(backends):
            yield {"command": "backend.add", "args": {"farm": farm_name(i), **backend(i, j, backends)}}


def weights_requests(farm_to_change, backends, count):
    for k in range(count):
        yield {"command": "backend.set",
               "args": {"farm": farm_to_change, "name": f"b{k % backends}", "weight": 1 + k % 100}}


def show_requests(farm_to_show, count):
    for _ in range(count):
        yield {"command": "farm.show", "args": {"name": farm_to_show}}


def config(farms, backends):
    return {"farms": [{**farm(i), "backends": [backend(i, j, backends) for j in range(backends)]}
                      for i in range(farms)]}


def run(path, requests):
    payload = b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in requests)
    expected = payload.count(b"\n")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    start = time.monotonic()
    writer = threading.Thread(target=connection.sendall, args=(payload,), daemon=True)
    writer.start()
    pending = b""
    answered = 0
    while answered < expected:
        chunk = connection.recv(1 << 20)
        if not chunk:
            sys.exit(f"api_load: lbd closed the connection after {answered} of {expected} answers")
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            # encode_success writes "ok" first; anything else is an error to show.
            if not line.startswith(b'{"ok":true'):
                sys.exit(f"api_load: request {answered + 1} failed: {line[:300].decode(errors='replace')}")
            answered += 1
    seconds = time.monotonic() - start
    writer.join()
    connection.close()
    return {"requests": expected, "seconds": seconds, "ops_per_s": expected / seconds}


def main(argv):
    usage = __doc__.split("\n\n")[0]
    if len(argv) < 2:
        sys.exit(usage)
    command, args = argv[1], argv[2:]
    try:
        if command == "farms" and len(args) == 3:
            result = run(args[0], farms_requests(int(args[1]), int(args[2])))
        elif command == "weights" and len(args) == 4:
            result = run(args[0], weights_requests(args[1], int(args[2]), int(args[3])))
        elif command == "show" and len(args) == 3:
            result = run(args[0], show_requests(args[1], int(args[2])))
        elif command == "config" and len(args) == 2:
            result = config(int(args[0]), int(args[1]))
        else:
            sys.exit(usage)
    except (OSError, ValueError) as error:
        sys.exit(f"api_load: {error}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)

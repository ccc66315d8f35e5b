#!/usr/bin/env python3
"""Stands in for systemd's notification socket: one line per datagram received on SOCKET
(its newlines as '|') into OUT. On READY=1 it also notes whether the API socket that lbd's
STATUS names ("..., API on PATH") accepted a connection at that moment ('api accepting' or
'api refused: ...'), which is lbd's promise.

usage: notify_listener.py SOCKET OUT
"""

import socket
import sys

notify_path, out_path = sys.argv[1:3]
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind(notify_path)
with open(out_path, "a", buffering=1) as out:
    while True:
        message = receiver.recv(4096).decode()
        out.write(message.replace("\n", "|") + "\n")
        fields = dict(line.split("=", 1) for line in message.split("\n") if "=" in line)
        if fields.get("READY") == "1":
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(fields.get("STATUS", "").rpartition(" API on ")[2])
                out.write("api accepting\n")
            except OSError as error:
                out.write(f"api refused: {error}\n")
            finally:
                probe.close()

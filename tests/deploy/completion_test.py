"""deploy/completion: the bash completions of lbctl and lbd, driven as bash drives them.

Each case sets COMP_WORDS and COMP_CWORD, calls the completion function and reads COMPREPLY. The
real programs (LBCTL, LBD) give the commands and options; a stand-in for lbd on a unix socket
answers farm.list and farm.show, so that the names come through the real lbctl's JSON.
"""

import json
import os
import socket
import subprocess
import tempfile
import threading
import unittest
from pathlib import Path

COMPLETION = Path(__file__).resolve().parent.parent.parent / "deploy" / "completion"
LBCTL = os.environ["LBCTL"]
LBD = os.environ["LBD"]
FARMS = [{"name": "web", "backends": [{"name": "web1"}, {"name": "web2"}]}, {"name": "db", "backends": []}]


def answer(request):
    if request["command"] == "farm.list":
        return {"ok": True, "result": FARMS}
    farm = next((farm for farm in FARMS if farm["name"] == request.get("args", {}).get("name")), None)
    if request["command"] == "farm.show" and farm:
        return {"ok": True, "result": farm}
    return {"ok": False, "error": "not in this stand-in"}


def serve(listener):
    """One JSON line answered per request line, each connection in turn, until the listener closes."""
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection, connection.makefile("rw") as stream:
            for line in stream:
                stream.write(json.dumps(answer(json.loads(line))) + "\n")
                stream.flush()


def complete(program, line, environment=None):
    """The sorted completions of LINE (the cursor at its end) by PROGRAM's completion."""
    script = f"""source {COMPLETION / program}
read -ra COMP_WORDS <<<"$1"
[[ "$1" == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
_{program}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    path = f"{os.path.dirname(LBCTL)}:{os.path.dirname(LBD)}:{os.environ['PATH']}"
    result = subprocess.run(["bash", "-c", script, "completion", line], capture_output=True, text=True,
                            check=True, env=dict(os.environ, PATH=path, **(environment or {})))
    return sorted(filter(None, result.stdout.split("\n")))


class Lbctl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.socket = os.path.join(cls.directory.name, "lbd.sock")
        cls.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        cls.listener.bind(cls.socket)
        cls.listener.listen()
        cls.server = threading.Thread(target=serve, args=(cls.listener,), daemon=True)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.listener.shutdown(socket.SHUT_RDWR)
        cls.listener.close()
        cls.server.join()
        cls.directory.cleanup()

    def test_commands_and_subcommands(self):
        self.assertEqual(complete("lbctl", "lbctl "),
                         ["apply", "backend", "export", "farm", "help", "sessions", "stats", "trace", "vrrp"])
        self.assertEqual(complete("lbctl", "lbctl farm "), ["add", "del", "list", "set", "show"])
        self.assertEqual(complete("lbctl", "lbctl --json farm s"), ["set", "show"])
        self.assertEqual(complete("lbctl", "lbctl help farm "), ["add", "del", "list", "set", "show"])

    def test_options_of_the_command_and_global_ones(self):
        self.assertEqual(complete("lbctl", "lbctl sessions --"), ["--api-key-file", "--backend", "--client",
                                                                  "--connect", "--help", "--json", "--socket"])
        self.assertEqual(complete("lbctl", "lbctl farm add web --check-r"), ["--check-rise"])
        self.assertEqual(complete("lbctl", "lbctl backend add web b1 --ip 192.0.2.1 --we"), ["--weight"])

    def test_option_values(self):
        self.assertEqual(complete("lbctl", "lbctl farm add web --mode "), ["dnat", "dsr", "snat"])
        self.assertEqual(complete("lbctl", "lbctl farm set web --on-down "), ["cut", "default", "keep"])
        self.assertEqual(complete("lbctl", "lbctl farm add web --port "), [])
        self.assertEqual(complete("lbctl", f"lbctl --socket {self.directory.name}/lbd.s"), [self.socket])

    def test_names_from_the_running_lbd(self):
        on_socket = f"lbctl --socket {self.socket} "
        self.assertEqual(complete("lbctl", on_socket + "farm show "), ["db", "web"])
        self.assertEqual(complete("lbctl", on_socket + "backend set web "), ["web1", "web2"])
        self.assertEqual(complete("lbctl", on_socket + "sessions web --backend "), ["web1", "web2"])
        self.assertEqual(complete("lbctl", on_socket + "sessions "), ["db", "flush", "web"])
        self.assertEqual(complete("lbctl", "lbctl stats w", {"XDPLB_SOCKET": self.socket}), ["web"])
        # a new name, a backend's address: nothing to offer
        self.assertEqual(complete("lbctl", on_socket + "farm add "), [])
        self.assertEqual(complete("lbctl", on_socket + "backend add web web3 --ip "), [])

    def test_no_lbd_no_names(self):
        missing = os.path.join(self.directory.name, "none.sock")
        self.assertEqual(complete("lbctl", f"lbctl --socket {missing} farm show "), [])


class Lbd(unittest.TestCase):
    def test_flags(self):
        self.assertEqual(complete("lbd", "lbd --if"), ["--iface"])
        self.assertIn("--timeout-tcp-time-wait", complete("lbd", "lbd --verbose --"))

    def test_flag_values(self):
        self.assertIn("lo", complete("lbd", "lbd --iface "))
        self.assertEqual(complete("lbd", "lbd --iface lo --state-dir /et"), ["/etc"])
        self.assertEqual(complete("lbd", "lbd --conntrack-size "), [])


if __name__ == "__main__":
    unittest.main()

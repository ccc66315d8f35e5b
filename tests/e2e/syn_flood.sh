#!/usr/bin/env bash
# End-to-end test of SYN-flood resilience on the namespace bench (client ->
# lb -> switch -> b1, nginx): lbd runs with a small connection table and a
# smaller half-open table; a long-lived keep-alive connection is established;
# then the client namespace floods the VIP with SYNs from spoofed sources in
# 198.19.0.0/16 (lib/syn_flood.py, bounded in count and time) while real
# clients keep opening connections. Every real connection must succeed, the
# long-lived one must keep answering, and the flood must have overflowed the
# half-open table many times over. The spoofed connections are
# never confirmed, so they stay in the half-open table: without it, the
# flood would evict the long-lived connection from the small table.
# Prints PASS:/FAIL: lines, the flood rate and the success counts, and
# "N passed, M failed"; exits non-zero on any failure. Everything it builds
# is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), SF_SECONDS (flood
# duration, default 8), SF_MAX_PACKETS (flood size cap, default 400000),
# SF_CLIENTS (real connections during the flood, default 200).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FLOOD_SECONDS="${SF_SECONDS:-8}"
FLOOD_MAX="${SF_MAX_PACKETS:-2000000}"
CLIENTS="${SF_CLIENTS:-200}"
CONNTRACK_SIZE=4096   # a flood of 2048 connections would fill it
# Small enough for the flood to cycle through it many times over, large enough
# that a real client's entry outlives its handshake: at 50k spoofed SYNs/s,
# 256 entries lasted about 5 ms, which a busy 2-core machine's round trip
# sometimes exceeded (its ACK then found no entry and was reset).
HALFOPEN_SIZE=2048
SPOOFED_NET=198.19.0.0/16
FARM=web

note() { echo "  $*"; }
section() { echo; echo "== $* (t=${SECONDS}s)"; }

WORK=""

# A keep-alive HTTP/1.1 connection to the VIP that asks / every 0.25 s for
# SECONDS and prints "asked N answered M" (answered: a 200 with a name).
_LONG_LIVED_PY='
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
f = s.makefile("rb")
def ask():
    s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
    status = f.readline()
    length = 0
    while (line := f.readline()) not in (b"\r\n", b""):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value)
    return b" 200 " in status and f.read(length).strip() != b""
asked = answered = 0
deadline = time.monotonic() + float(sys.argv[3])
print("connected", flush=True)
while time.monotonic() < deadline:
    asked += 1
    try:
        answered += ask()
    except Exception as e:
        print("error", e, flush=True)
        break
    time.sleep(0.25)
print("asked", asked, "answered", answered, flush=True)
'

mac_of() { ip -n "$(topo_ns "$1")" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# reason COUNTER -> its value in lbd's stats.
reason() {
  lbctl_ns --json stats | python3 -c '
import json, sys
print(json.load(sys.stdin)["reasons"].get(sys.argv[1], 0))' "$1"
}

setup() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 80
  TOPO_TX_CSUM_OFF=1
  topo_up 1
  topo_add_vip
  # Answers to spoofed sources go back toward the client side, where nobody
  # holds those addresses and they die, as they would on a real network.
  ip -n "$(topo_ns lb)" route add "$SPOOFED_NET" via "$CLIENT_IP"
  topo_mktemp_var WORK work
  servers_start
  lb_start --conntrack-size "$CONNTRACK_SIZE" --halfopen-size "$HALFOPEN_SIZE"
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" >/dev/null
}

# every_client_answered WHEN COUNT -> all of the last vip_tally's COUNT flows succeeded.
every_client_answered() {
  local total
  total=$(tally_total)
  note "$1: $total of $2 real connections answered, $TALLY_FAILED failed, in ${TALLY_SECONDS}s"
  local e
  for e in "${TALLY_ERRORS[@]}"; do note "error: $e"; done
  ((TALLY_FAILED == 0 && total == $2))
}

main() {
  setup
  local flood_pid long_pid flood_out long_out sent rate flood_running=0
  flood_out="$WORK/flood.out"
  long_out="$WORK/long.out"

  section "a long-lived connection, then a SYN flood from $SPOOFED_NET while real clients connect"
  local long_seconds=$((FLOOD_SECONDS + 4))
  topo_spawn client "$long_out" python3 -u -c "$_LONG_LIVED_PY" "$VIP" "$HTTP_PORT" "$long_seconds"
  long_pid=$TOPO_LAST_PID
  sleep 1
  topo_spawn client "$flood_out" python3 "$here/lib/syn_flood.py" eth0 "$(mac_of client eth0)" \
    "$(mac_of lb eth0)" "$VIP" "$HTTP_PORT" "$FLOOD_MAX" "$FLOOD_SECONDS"
  flood_pid=$TOPO_LAST_PID
  sleep 1
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$CLIENTS" || fail "the real clients ran"
  _topo_alive "$flood_pid" && flood_running=1
  check "every one of $CLIENTS real connections made during the flood succeeded" \
    every_client_answered "during the flood" "$CLIENTS"
  check "  ... and the flood was still running when they were done" test "$flood_running" -eq 1

  wait "$flood_pid" || true
  wait "$long_pid" || true
  sent=$(awk '/^sent/ { print $2 }' "$flood_out")
  rate=$(awk '/^sent/ { print $6 }' "$flood_out")
  note "flood: $(cat "$flood_out")"
  note "long-lived connection: $(tail -n 1 "$long_out")"
  overflowed() {
    ((${sent:-0} >= 20 * HALFOPEN_SIZE)) && return 0
    note "only ${sent:-0} spoofed SYNs sent"
    return 1
  }
  check "the flood sent ${sent:-0} spoofed SYNs (${rate:-0}/s), 20 times the half-open table or more" overflowed
  # LRU evictions are silent; what shows is the answers of evicted spoofed
  # connections, passed to the host, and surviving halves forgotten.
  note "answers to evicted half-open connections passed to the host: $(reason pass_no_farm)," \
    "surviving halves forgotten: $(reason note_half_evicted)"
  long_lived_ok() {
    grep -q '^connected' "$long_out" || { note "it never connected"; return 1; }
    ! grep -q '^error' "$long_out" || { grep '^error' "$long_out" | sed 's/^/    /'; return 1; }
    awk '/^asked/ { exit !($2 == $4 && $2 >= 20) }' "$long_out"
  }
  check "the long-lived connection answered every request, during and after the flood" long_lived_ok

  section "after the flood"
  vip_tally tcp client "$VIP" "$HTTP_PORT" 50 || fail "the real clients ran"
  check "50 more real connections succeed" every_client_answered "after the flood" 50

  section "teardown"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers

  echo
  report_summary "syn_flood (${SECONDS}s)"
}

main "$@"

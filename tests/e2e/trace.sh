#!/usr/bin/env bash
# End-to-end test of `lbctl trace` on the namespace bench (client -> lb ->
# switch -> b1, b2), farm web in SNAT mode: a trace of the farm with --count
# shows the first connection's packets (farm, the backend that answered,
# redirect, new_connection then established, both directions) and ends after
# N events; a trace of everything for --duration shows each connection's
# backend and a packet of no farm passed; tracing is off in the data path
# whenever no client watches, also after a client is killed; bad requests are
# refused. Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero
# on any failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), TR_DEADLINE (seconds
# before the watchdog stops the run, default 60).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=web
FIRST_PORT=47000

note() { echo "  $*"; }
section() { echo; echo "== $* (t=${SECONDS}s)"; }

# trace_control FIELD -> a field of the data path's trace_control (in the
# program's .bss), read from the map that our lbd holds (its fdinfo names it).
trace_control() {
  local map
  map=$(bpftool -j map show | python3 -c '
import json, os, re, sys
held = set()
fdinfo = "/proc/%s/fdinfo" % sys.argv[1]
for fd in os.listdir(fdinfo):
    try:
        found = re.search(r"^map_id:\s*(\d+)", open(os.path.join(fdinfo, fd)).read(), re.M)
    except OSError:
        continue
    if found:
        held.add(int(found.group(1)))
for m in json.load(sys.stdin):
    if m["id"] in held and m.get("name", "").endswith(".bss"):
        print(m["id"])' "$LB_PID")
  [[ -n "$map" ]] || { echo "no .bss map held by lbd $LB_PID"; return 1; }
  bpftool -j map dump id "$map" | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["formatted"]["value"][".bss"][0]["trace_control"][sys.argv[1]])' "$1"
}

# trace_switch -> the data path's trace switch: 1 while it traces.
trace_switch() { trace_control enabled; }

# wait_switch 0|1 -> until the data path's switch reads so (5 s at most).
wait_switch() {
  local deadline=$((SECONDS + 5))
  until [[ "$(trace_switch)" == "$1" ]]; do
    ((SECONDS < deadline)) || { echo "    the trace switch stayed $(trace_switch)"; return 1; }
    sleep 0.1
  done
}

# fetch PORT -> one request from the client's PORT to the VIP; prints the backend that answered.
fetch() { in_ns client curl -s -m 5 --local-port "$1" "http://$VIP:$HTTP_PORT/"; }

# start_trace LOG ARGS... -> lbctl ARGS in the background, its output to LOG; waits until tracing.
start_trace() {
  local log="$1"; shift
  topo_spawn lb "$log" "$LBCTL" --socket "$LB_SOCKET" "$@"
  TRACE_PID=$TOPO_LAST_PID
  wait_switch 1
}

# finished PID -> waits (5 s at most) for the trace client to exit by itself.
finished() {
  local deadline=$((SECONDS + 5))
  while _topo_alive "$1"; do
    ((SECONDS < deadline)) || { echo "    lbctl trace is still running"; return 1; }
    sleep 0.1
  done
  wait "$1"
}

# refused MESSAGE ARGS... -> lbctl ARGS fails, saying MESSAGE on stderr.
refused() {
  local want="$1" said rc=0
  shift
  said=$(lbctl_ns "$@" 2>&1 >/dev/null) || rc=$?
  if ((rc == 0)) || [[ "$said" != "$want" ]]; then
    echo "    exit status $rc, said: $said"
    return 1
  fi
}

# events LOG EXPR -> a Python expression over the events `e` (a list of dicts) of a --json trace.
events() {
  python3 -c '
import json, sys
e = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(eval(sys.argv[2]))' "$1" "$2"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${TR_DEADLINE:-60}"
  TOPO_TX_CSUM_OFF=1
  topo_up 2
  topo_add_vip
  servers_start
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns backend add "$FARM" b2 --ip "$(backend_ip 2)" >/dev/null
  local work name
  topo_mktemp_var work trace
  # With the backends' MAC addresses resolved, every new connection is
  # redirected; a first SYN would otherwise go to the host (pass_no_neighbour).
  for name in b1 b2; do in_ns lb ping -c 1 -W 2 "$(backend_ip "${name#b}")" >/dev/null; done

  section "nobody traces"
  check "the data path's trace switch is off" test "$(trace_switch)" == 0

  section "lbctl --json trace $FARM --count 6"
  start_trace "$work/count.log" --json trace "$FARM" --count 6
  check "the data path filters for the farm" test "$(trace_control farm_id)" -ne 0
  local backend
  backend=$(fetch "$FIRST_PORT")
  note "the connection from port $FIRST_PORT was served by $backend"
  check "lbctl exits by itself after 6 events" finished "$TRACE_PID"
  sed 's/^/    | /' "$work/count.log"
  check "exactly 6 events, all of farm $FARM and backend $backend" \
    test "$(events "$work/count.log" '(len(e), {(x["farm"], x["backend"]) for x in e})')" == "(6, {('$FARM', '$backend')})"
  check "the first is the SYN from the client, redirected as a new connection" \
    test "$(events "$work/count.log" '[(x["src"], x["sport"], x["dst"], x["dport"], x["proto"], x["verdict"], x["reason"], x["interface"]) for x in e][0]')" \
    == "('$CLIENT_IP', $FIRST_PORT, '$VIP', $HTTP_PORT, 'tcp', 'redirect', 'new_connection', 'eth0')"
  check "the others are established packets of both directions, redirected" \
    test "$(events "$work/count.log" '({x["reason"] for x in e[1:]}, {x["verdict"] for x in e[1:]}, {x["interface"] for x in e[1:]} == {"eth0", "eth1"})')" \
    == "({'established'}, {'redirect'}, True)"
  check "tracing is off once the client has left" wait_switch 0

  section "lbctl --json trace --duration 3: every farm and none"
  start_trace "$work/all.log" --json trace --duration 3
  check "the data path sends every packet" test "$(trace_control farm_id)" -eq 0
  local port answered=()
  for port in $((FIRST_PORT + 1)) $((FIRST_PORT + 2)) $((FIRST_PORT + 3)); do
    answered+=("$port:$(fetch "$port")")
  done
  udp_ask client "$VIP" "$UDP_PORT" 0.2 >/dev/null || true
  check "lbctl exits by itself after 3 s" finished "$TRACE_PID"
  note "served: ${answered[*]}"
  local expected="[" pair
  for pair in "${answered[@]}"; do expected+="('$CLIENT_IP', ${pair%%:*}, '$FARM', '${pair#*:}'), "; done
  expected="${expected%, }]"
  check "each new connection shows the backend that answered it" \
    test "$(events "$work/all.log" '[(x["src"], x["sport"], x["farm"], x["backend"]) for x in e if x["reason"] == "new_connection"]')" == "$expected"
  check "the datagram to a port of no farm was passed to the host" \
    test "$(events "$work/all.log" '[(x["proto"], x["dport"], x["farm"], x["verdict"]) for x in e if x["reason"] == "pass_no_farm" and x["src"] == "'"$CLIENT_IP"'"]')" \
    == "[('udp', $UDP_PORT, None, 'pass')]"
  check "tracing is off once the client has left" wait_switch 0

  section "lbctl trace $FARM, killed"
  start_trace "$work/table.log" trace "$FARM"
  fetch $((FIRST_PORT + 4)) >/dev/null
  sleep 0.3
  topo_kill_pid "$TRACE_PID"
  sed 's/^/    | /' "$work/table.log"
  check "the table has its header and the new connection's line" \
    grep -Eq "^[0-9:.]{12}  eth0 +tcp +$CLIENT_IP:$((FIRST_PORT + 4)) +$VIP:$HTTP_PORT +$FARM +b[12] +redirect +new_connection +[0-9]+$" \
    "$work/table.log"
  check "tracing is off once the killed client has gone" wait_switch 0

  section "refused requests"
  check "an unknown farm is refused in one line" refused "lbctl: farm 'nope' does not exist" trace nope
  check "--count 0 is refused in one line" \
    refused "lbctl: 'count' must be a whole number from 1 to 1000000000" trace --count 0
  check "tracing stayed off" test "$(trace_switch)" == 0

  lb_stop
  report_summary trace
}

main "$@"

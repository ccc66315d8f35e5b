#!/usr/bin/env bash
# End-to-end test of `lbctl sessions` on the namespace bench (client -> lb
# -> switch -> b1, b2), farm web in SNAT mode: an open keep-alive connection
# is listed with its client, backend and SNAT tuple, in the table and in
# JSON, and filters select it or not; `sessions flush web --backend B`
# removes it and says so; the client's next request on it is then answered
# by the balancer's own stack with a reset (in DNAT mode too); new
# connections work as before; lbd's upkeep deletes closed connections once
# their timeout has passed; bad requests are refused.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), SE_DEADLINE (seconds
# before the watchdog stops the run, default 60).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=web
CLIENT_PORT=46000
TIME_WAIT_S=5

# sessions_json ARGS... -> `lbctl --json sessions ARGS` as one line.
sessions_json() { lbctl_ns --json sessions "$@" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))'; }

# json_get JSON EXPR -> a Python expression over the parsed JSON `j`.
json_get() { python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

reason_count() {
  lbctl_ns --json stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["reasons"].get(sys.argv[1], 0))' "$1"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${SE_DEADLINE:-60}"
  TOPO_TX_CSUM_OFF=1
  topo_up 2
  topo_add_vip
  servers_start
  lb_start --timeout-tcp-time-wait "$TIME_WAIT_S"
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns backend add "$FARM" b2 --ip "$(backend_ip 2)" >/dev/null

  section "an open connection is listed"
  check "no connection is tracked before the client connects" \
    test "$(lbctl_ns sessions)" == "0 connections, 0 persistence entries"
  start_keepalive "$CLIENT_PORT"
  local backend other table one line
  backend=$(ask_keepalive)
  case "$backend" in
    b1) other=b2 ;;
    b2) other=b1 ;;
    *) fail "the keep-alive client got an answer (got '$backend')"; report_summary sessions; return ;;
  esac
  note "the keep-alive connection from port $CLIENT_PORT is served by $backend"

  table=$(lbctl_ns sessions "$FARM")
  while IFS= read -r line; do note "  | $line"; done <<<"$table"
  shows_connection() {
    grep -Eq "^web +tcp +$CLIENT_IP:$CLIENT_PORT +$VIP:$HTTP_PORT +$backend +$LB_BACKEND_IP:[0-9]+ > $(backend_ip "${backend#b}"):$HTTP_PORT +open +[0-9]+s$" <<<"$table" &&
      [[ "$(tail -n 1 <<<"$table")" == "1 connection, 0 persistence entries" ]]
  }
  check "lbctl sessions $FARM shows the connection: client, VIP, $backend, SNAT tuple, open; count line" \
    shows_connection

  one=$(sessions_json "$FARM" --client "$CLIENT_IP")
  json_fields_right() {
    local got want
    got=$(json_get "$one" '[(c["farm"], c["proto"], c["client_addr"], c["client_port"], c["vip"], c["vip_port"],
      c["backend"], c["source_addr"], c["backend_addr"], c["backend_port"], c["state"], c["idle_s"] < 5,
      1024 <= c["source_port"] <= 32767) for c in j["connections"]] + [j["connection_count"]]')
    want="[('web', 'tcp', '$CLIENT_IP', $CLIENT_PORT, '$VIP', $HTTP_PORT, '$backend', '$LB_BACKEND_IP', '$(backend_ip "${backend#b}")', $HTTP_PORT, 'open', True, True), 1]"
    [[ "$got" == "$want" ]] || { note "got  $got"; note "want $want"; return 1; }
  }
  check "lbctl --json sessions $FARM --client $CLIENT_IP: every field of the connection" json_fields_right
  check "lbctl sessions $FARM --backend $other lists nothing" \
    test "$(json_get "$(sessions_json "$FARM" --backend "$other")" 'j["connection_count"]')" == 0
  check "lbctl sessions --client 198.18.0.99 lists nothing" \
    test "$(json_get "$(sessions_json --client 198.18.0.99)" 'j["connection_count"]')" == 0
  check "the connection still answers from $backend" test "$(ask_keepalive)" == "$backend"

  section "sessions flush cuts it"
  local flushed before after answer
  before=$(reason_count pass_tcp_not_syn)
  flushed=$(lbctl_ns sessions flush "$FARM" --backend "$backend")
  note "lbctl sessions flush $FARM --backend $backend: $flushed"
  check "the flush says it removed the one connection" \
    test "$flushed" == "1 connection and 0 persistence entries removed from farm $FARM, backend $backend"
  check "lbctl sessions $FARM shows nothing after the flush" \
    test "$(lbctl_ns sessions "$FARM")" == "0 connections, 0 persistence entries"
  answer=$(ask_keepalive)
  after=$(reason_count pass_tcp_not_syn)
  note "the client's next request on the flushed connection: $answer; pass_tcp_not_syn $before -> $after"
  check "the client's next request on it is reset (by the balancer's own stack)" test "$answer" == RESET
  check "  ... its packet reached no tracked flow and went to the stack (pass_tcp_not_syn)" test "$after" -gt "$before"
  stop_keepalive

  vip_tally tcp client "$VIP" "$HTTP_PORT" 20 || fail "the tally client ran"
  check "20 new connections after the flush are all answered" test "$(tally_total)" -eq 20

  section "lbd's upkeep removes closed connections once stale"
  # The backends close first (HTTP/1.0): each connection waits out
  # --timeout-tcp-time-wait ($TIME_WAIT_S s here) in the table, and lbd's
  # upkeep deletes it then, with no packet to trigger it.
  local closing=0 i
  closing=$(json_get "$(sessions_json "$FARM")" 'sum(c["state"] == "closing-by-backend" for c in j["connections"])')
  check "the 20 closed connections are listed as closing-by-backend" test "$closing" -eq 20
  for ((i = 0; i < 90; i++)); do
    [[ "$(json_get "$(sessions_json "$FARM")" 'j["connection_count"]')" == 0 ]] && break
    sleep 0.1
  done
  note "gone after $((i / 10)).$((i % 10)) s more"
  check "  ... and gone from the table within $TIME_WAIT_S s + 2 upkeep intervals" \
    test "$(json_get "$(sessions_json "$FARM")" 'j["connection_count"]')" -eq 0

  section "dnat: a flushed connection is reset too"
  lbctl_ns farm set "$FARM" --mode dnat >/dev/null
  start_keepalive $((CLIENT_PORT + 1))
  answer=$(ask_keepalive)
  check "dnat: the keep-alive connection answers (got '$answer')" test "${answer:0:1}" == b
  flushed=$(lbctl_ns sessions flush "$FARM")
  check "dnat: sessions flush $FARM removed its one connection" \
    test "$flushed" == "1 connection and 0 persistence entries removed from farm $FARM"
  answer=$(ask_keepalive)
  check "dnat: the client's next request on it is reset" test "$answer" == RESET
  stop_keepalive
  lbctl_ns farm set "$FARM" --mode snat >/dev/null

  section "refused requests"
  # refused ARGS... -> lbctl exits non-zero with one line on stderr.
  refused() {
    local err rc=0
    err=$(lbctl_ns "$@" 2>&1 >/dev/null) || rc=$?
    note "lbctl $*: exit $rc: $err"
    ((rc != 0)) && [[ -n "$err" && "$(wc -l <<<"$err")" -eq 1 ]]
  }
  check "sessions flush of an unknown backend is refused" refused sessions flush "$FARM" --backend nosuch
  check "sessions --backend without a farm is refused" refused sessions --backend b1
  check "sessions --client that is no address is refused" refused sessions --client 198.18.0
  check "sessions of an unknown farm is refused" refused sessions nosuch

  lb_stop || fail "lbd stops cleanly"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "sessions (${SECONDS}s)"
}

main "$@"

#!/usr/bin/env bash
# End-to-end test of a farm's source protection through lbctl, with real
# clients (client -> lb -> b1, nginx): a deny list and an allow list refuse
# the client's new connections and count them, and clearing them admits it
# again; an established connection outlives a list that refuses its source;
# bad prefixes are refused with one line and change nothing; a per-source rate
# limit admits its burst and refuses the rest; per-farm timeouts show in farm
# show and return to lbd's with "default".
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=web
WORK=""

# COUNT fresh HTTP connections, each given TIMEOUT seconds (so a dropped SYN
# is not retried); prints how many were answered.
_CONNECT_PY='
import socket, sys
addr, port, count, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
answered = 0
for _ in range(count):
    try:
        with socket.create_connection((addr, port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
            reply = b""
            while chunk := s.recv(4096):
                reply += chunk
        answered += b" 200 " in reply.split(b"\r\n", 1)[0]
    except OSError:
        pass
print(answered)
'
answered_of() { in_ns client python3 -c "$_CONNECT_PY" "$VIP" "$HTTP_PORT" "$1" "${2:-0.5}"; }

# reason COUNTER -> its value in lbd's stats.
reason() {
  lbctl_ns --json stats | python3 -c '
import json, sys
print(json.load(sys.stdin)["reasons"].get(sys.argv[1], 0))' "$1"
}

# answers COUNT WANT [TIMEOUT] -> exactly WANT of COUNT fresh connections answered.
answers() {
  local got
  got=$(answered_of "$1" "${3:-0.5}")
  ((got == $2)) && return 0
  note "$got of $1 answered, want $2"
  return 1
}

# refused DESC LBCTL_ARGS... -> one line on stderr, non-zero exit, farm unchanged.
refused() {
  local desc="$1"; shift
  local rc=0
  lbctl_ns --json farm show "$FARM" >"$WORK/before"
  lbctl_ns "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  lbctl_ns --json farm show "$FARM" >"$WORK/after"
  if ((rc != 0)) && [[ $(wc -l <"$WORK/err") -eq 1 && ! -s "$WORK/out" ]] && cmp -s "$WORK/before" "$WORK/after"; then
    pass "refused: $desc -> $(cat "$WORK/err")"
  else
    fail "refused: $desc (exit $rc)"
    sed 's/^/    | /' "$WORK/err"
  fi
}

# shows LINE -> `lbctl farm show` has that line (runs of spaces count as one).
shows() {
  lbctl_ns farm show "$FARM" | tr -s ' ' | grep -qxF -- "$1" && return 0
  note "farm show has no line '$1':"; lbctl_ns farm show "$FARM" | sed 's/^/    | /'
  return 1
}
hides() { ! lbctl_ns farm show "$FARM" | grep -q -- "^$1"; }

lists_test() {
  local before
  check "without lists, 5 connections are answered" answers 5 5
  before=$(reason drop_denied_source)
  lbctl_ns farm set "$FARM" --deny "$CLIENT_IP" >/dev/null
  check "deny $CLIENT_IP: its 3 new connections are refused" answers 3 0
  check "  ... and counted as drop_denied_source" test "$(reason drop_denied_source)" -ge $((before + 3))
  check "  ... and farm show lists it" shows "deny: $CLIENT_IP/32"
  lbctl_ns farm set "$FARM" --deny '' >/dev/null
  check "deny '' clears the list: 3 connections answered" answers 3 3
  check "  ... and farm show no longer lists it" hides deny
  lbctl_ns farm set "$FARM" --allow 198.18.5.0/24 >/dev/null
  check "allow 198.18.5.0/24 only: the client's 3 connections are refused" answers 3 0
  lbctl_ns farm set "$FARM" --allow 198.18.5.0/24,198.18.0.0/24 >/dev/null
  check "allow 198.18.0.0/24 too: 3 connections answered" answers 3 3
  lbctl_ns farm set "$FARM" --deny 198.18.0.0/16 >/dev/null
  check "deny 198.18.0.0/16 wins over the allow list" answers 3 0
  lbctl_ns farm set "$FARM" --allow '' --deny '' >/dev/null
  check "both lists cleared: 3 connections answered" answers 3 3

  refused "an IPv6 prefix for an IPv4 farm" farm set "$FARM" --allow fd00::/8
  refused "host bits set" farm set "$FARM" --deny 198.18.0.1/24
  refused "a prefix length of 33" farm set "$FARM" --deny 198.18.0.0/33
  refused "a rate limit above 1000000" farm set "$FARM" --rate-limit 1000001
  refused "a farm timeout of 0" farm set "$FARM" --timeout-tcp 0
}

# An established keep-alive connection keeps working when a list refuses its source.
established_test() {
  local ka_pid ka_in ka_out first second
  coproc KA { exec ip netns exec "$(topo_ns client)" python3 -u "$here/lib/keepalive.py" "$VIP" "$HTTP_PORT"; }
  # shellcheck disable=SC2153  # KA_PID is set by coproc
  ka_pid=$KA_PID ka_out=${KA[0]} ka_in=${KA[1]}
  topo_register_pid "$ka_pid"
  echo ask >&"$ka_in"
  read -r -t 5 -u "$ka_out" first || first="(no answer)"
  lbctl_ns farm set "$FARM" --deny "$CLIENT_IP" >/dev/null
  echo ask >&"$ka_in"
  read -r -t 5 -u "$ka_out" second || second="(no answer)"
  check "an established connection answers before ($first) and after ($second) its source is denied" \
    test "$first" == b1 -a "$second" == b1
  check "  ... while a new one from the same source is refused" answers 2 0
  exec {ka_in}>&-
  wait "$ka_pid" 2>/dev/null || true
  lbctl_ns farm set "$FARM" --deny '' >/dev/null
}

rate_test() {
  local before
  before=$(reason drop_rate_limited)
  lbctl_ns farm set "$FARM" --rate-limit 2 --rate-burst 3 >/dev/null
  check "farm show gives the rate limit" shows "rate limit: 2 new connections/s per source, burst 3"
  # A burst of 5 (2 + 3) at once, then nothing until the bucket refills.
  burst_then_refused() {
    local got
    got=$(answered_of 12 0.2)
    ((got >= 5 && got <= 7)) && return 0
    note "$got of 12 answered, want the burst of 5 (and at most the 2 refilled meanwhile)"
    return 1
  }
  check "rate 2/s, burst 3: 12 connections at once, 5 to 7 answered" burst_then_refused
  check "  ... the others counted as drop_rate_limited" test "$(reason drop_rate_limited)" -ge $((before + 5))
  sleep 1.2
  check "  ... and after 1.2 s the source may connect again" answers 1 1
  lbctl_ns farm set "$FARM" --rate-limit 0 >/dev/null
  check "rate limit 0 lifts it: 10 connections at once answered" answers 10 10
}

timeouts_test() {
  lbctl_ns farm set "$FARM" --timeout-tcp 600 --timeout-unanswered 5 >/dev/null
  check "farm show gives the farm's own timeouts" shows "timeouts: unanswered 5s, tcp 600s (others: lbd's)"
  lbctl_ns farm set "$FARM" --timeout-tcp default --timeout-unanswered default >/dev/null
  check "'default' returns them to lbd's" hides timeouts
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 80
  TOPO_TX_CSUM_OFF=1
  topo_up 1
  topo_add_vip
  topo_mktemp_var WORK work
  servers_start
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" >/dev/null

  section "allow and deny lists"
  lists_test
  section "established connections outlive a list"
  established_test
  section "per-source rate limit"
  rate_test
  section "per-farm timeouts"
  timeouts_test

  section "teardown"
  lb_stop || fail "lbd stops cleanly"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "protection (${SECONDS}s)"
}

main "$@"

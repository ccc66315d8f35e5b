#!/usr/bin/env bash
# End-to-end test of HTTP health checks through lbd on the namespace bench
# (client -> lb -> b1, b2, b3 running nginx), farm web in SNAT mode, checked
# with http every 0.3 s (timeout 0.2 s, rise 2, fall 2):
# - all three come up; nginx on b1 stops: b1 is down within fall x interval
#   + timeout, after which no new connection reaches it while b2 and b3 answer
#   every one; nginx starts again: b1 is up after rise checks and serves;
# - a backend that stops accepting (new SYNs dropped) while a keep-alive
#   connection to it is open: with --on-down keep the connection still
#   serves, with --on-down cut it is reset;
# - --slowstart 6: b1's share of new connections, measured in windows after
#   it comes back, starts near nothing and is about its third once ramped.
# Prints the measured detection and recovery times, PASS:/FAIL: lines and
# "N passed, M failed"; exits non-zero on any failure. Everything it builds
# is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), HH_DEADLINE (seconds
# before the watchdog stops the run, default 150).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=web
INTERVAL=0.3
TIMEOUT=0.2
RISE=2
FALL=2
# fall x interval + timeout: the longest a check may take to find a backend down.
DETECTION_BOUND=0.8
# rise x interval + timeout, from when the server answers again.
RECOVERY_BOUND=0.8
CONNECTIONS=60
CLIENT_PORT=46100
SLOWSTART=6

# every_connection_avoids NAME -> CONNECTIONS new connections, all answered, none by NAME.
every_connection_avoids() {
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$CONNECTIONS" || return 1
  note "new connections: $(tally_line)"
  ((TALLY_FAILED == 0 && $(tally_total) == CONNECTIONS && ${TALLY[$1]:-0} == 0))
}

every_connection_answered() {
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$CONNECTIONS" || return 1
  note "new connections: $(tally_line)"
  ((TALLY_FAILED == 0 && $(tally_total) == CONNECTIONS && ${TALLY[$1]:-0} > 0))
}

# Drops the SYNs that reach port 80 of backend NAME: the server stops accepting
# while its established connections go on.
refuse_new_connections() {
  in_ns "$1" nft add table inet health_test
  in_ns "$1" nft add chain inet health_test input '{ type filter hook input priority 0; }'
  in_ns "$1" nft add rule inet health_test input tcp dport "$HTTP_PORT" 'tcp flags & (syn | ack) == syn' drop
}
accept_new_connections() { in_ns "$1" nft delete table inet health_test; }

stop_and_start() {
  local start
  section "nginx on b1 stops, then starts again"
  start=$(now_s)
  nginx_stop b1
  check_transition "b1 down (fall x interval + timeout)" "$FARM" b1 down "$DETECTION_BOUND" "$start"
  DETECTED=$HEALTH_TOOK
  check "with b1 down, b2 and b3 answer every new connection, none reaches b1" every_connection_avoids b1
  nginx_start b1
  start=$(now_s)  # nginx answers from here on
  check_transition "b1 up again once nginx answers (rise x interval + timeout)" "$FARM" b1 up "$RECOVERY_BOUND" "$start"
  RECOVERED=$HEALTH_TOOK
  check "b1 serves again" every_connection_answered b1
}

# on_down_policy keep|cut -> a keep-alive connection through b1, b1 stops
# accepting; once it is down the connection serves (keep) or is reset (cut).
on_down_policy() {
  local policy="$1" backend answer port=$((CLIENT_PORT++))
  section "--on-down $policy"
  lbctl_ns farm set "$FARM" --on-down "$policy" >/dev/null
  # Only b1 serves, so that the connection goes to it.
  lbctl_ns backend set "$FARM" b2 --state maint >/dev/null
  lbctl_ns backend set "$FARM" b3 --state maint >/dev/null
  start_keepalive "$port"
  backend=$(ask_keepalive)
  lbctl_ns backend set "$FARM" b2 --state up >/dev/null
  lbctl_ns backend set "$FARM" b3 --state up >/dev/null
  check "$policy: the keep-alive connection is served by b1" test "$backend" == b1
  refuse_new_connections b1
  wait_health "$FARM" b1 down 5 || fail "$policy: b1 is marked down once it refuses connections"
  sleep 0.2  # the cut follows the transition on lbd's loop
  answer=$(ask_keepalive)
  if [[ "$policy" == keep ]]; then
    check "keep: the established connection to b1 still serves (answer: $answer)" test "$answer" == b1
  else
    check "cut: the established connection to b1 is ended (answer: $answer)" test "$answer" == RESET -o "$answer" == CLOSED
  fi
  stop_keepalive
  accept_new_connections b1
  wait_health "$FARM" b1 up 5 || fail "$policy: b1 is up again"
}

# b1's answers among CONNECTIONS new connections.
b1_answers() {
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$CONNECTIONS" || return 1
  echo "${TALLY[b1]:-0}"
}

share_of() { python3 -c "print(f'{$1 / $2:.2f}')"; }
seconds_since() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }

# Windows of CONNECTIONS new connections from b1's return until three whole
# windows after the ramp: the first must give b1 a small share, and those
# after the ramp together about its third (pooled, so that one unlucky window
# of 60 does not decide).
slow_start() {
  local start answers began elapsed first="" windows="" after_ramp=0 after_ramp_b1=0
  section "--slowstart $SLOWSTART: b1's share after it comes back"
  lbctl_ns farm set "$FARM" --on-down keep --slowstart "$SLOWSTART" >/dev/null
  refuse_new_connections b1
  wait_health "$FARM" b1 down 5 || fail "slow start: b1 goes down"
  accept_new_connections b1
  wait_health "$FARM" b1 up 5 || fail "slow start: b1 comes back"
  start=$(now_s)
  while ((after_ramp < 3 * CONNECTIONS)); do
    began=$(seconds_since "$start")
    answers=$(b1_answers) || { fail "slow start: a window's connections"; return; }
    elapsed=$(seconds_since "$start")
    windows+="t=${elapsed}s $(share_of "$answers" "$CONNECTIONS"); "
    [[ -n "$first" ]] || first=$(share_of "$answers" "$CONNECTIONS")
    if within "$SLOWSTART" "$began"; then
      after_ramp=$((after_ramp + CONNECTIONS))
      after_ramp_b1=$((after_ramp_b1 + answers))
    fi
  done
  note "b1's share of $CONNECTIONS new connections by window: $windows"
  local ramped
  ramped=$(share_of "$after_ramp_b1" "$after_ramp")
  check "slow start: b1's first window is a small share ($first < 0.2)" within "$first" 0.19
  check "slow start: its share after the ramp is about a third ($ramped of $after_ramp >= 0.22)" within 0.22 "$ramped"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${HH_DEADLINE:-150}"
  TOPO_TX_CSUM_OFF=1
  topo_up 3
  topo_add_vip
  for name in b1 b2 b3; do nginx_start "$name"; done
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat --check http \
    --check-interval "$INTERVAL" --check-timeout "$TIMEOUT" --check-rise "$RISE" --check-fall "$FALL" >/dev/null
  for i in 1 2 3; do lbctl_ns backend add "$FARM" "b$i" --ip "$(backend_ip "$i")" >/dev/null; done
  section "three nginx backends come up"
  for name in b1 b2 b3; do wait_health "$FARM" "$name" up 5 || fail "$name comes up"; done
  lbctl_ns farm show "$FARM" | sed 's/^/  | /'

  DETECTED="" RECOVERED=""
  stop_and_start
  on_down_policy keep
  on_down_policy cut
  slow_start

  echo
  echo "measured: http check, interval $INTERVAL s, timeout $TIMEOUT s, rise $RISE, fall $FALL:" \
    "detection ${DETECTED:-?} s (bound $DETECTION_BOUND s), recovery ${RECOVERED:-?} s once nginx answered again (bound $RECOVERY_BOUND s)"
  grep -E "is (up|down)" "$(lb_log)" | head -20 | sed 's/^/  lbd| /'
  lb_stop || fail "lbd stops cleanly"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "health_http (${SECONDS}s)"
}

main "$@"

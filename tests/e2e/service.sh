#!/usr/bin/env bash
# End-to-end test of lbd as its systemd unit (deploy/systemd/lbd.service) runs it.
# Type=notify with a watchdog: a listener stands in for systemd's NOTIFY_SOCKET and
# records what lbd sends. lbd sends READY=1 (with its status) once its API socket
# accepts, WATCHDOG=1 again and again when the watchdog is its own (WATCHDOG_USEC,
# WATCHDOG_PID), none when it is another process's, and STOPPING=1 when SIGTERM
# stops it. Confinement: with only the unit's CapabilityBoundingSet and
# NoNewPrivileges (setpriv), lbd starts, balances connections and stops cleanly.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), SV_DEADLINE (seconds
# before the watchdog stops the run, default 90).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

WATCHDOG_USEC=200000   # keep-alives every 0.1 s
UNIT="$here/../../deploy/systemd/lbd.service"
LISTENER_PID=""
run_dir=""

# listen NAME -> a fresh listener whose socket and record are $run_dir/NAME.{sock,log}.
listen() {
  NOTIFY_PATH="$run_dir/$1.sock"
  NOTIFICATIONS="$run_dir/$1.log"
  : >"$NOTIFICATIONS"
  topo_spawn lb "$run_dir/$1.listener.log" python3 "$e2e_lib/notify_listener.py" "$NOTIFY_PATH" "$NOTIFICATIONS"
  LISTENER_PID=$TOPO_LAST_PID
  wait_for test -S "$NOTIFY_PATH"
}

stop_listener() { topo_kill_pid "$LISTENER_PID"; }

# wait_for cmd... -> poll cmd up to 5 s; its status at the end.
wait_for() {
  local i
  for ((i = 0; i < 50; i++)); do "$@" && return 0; sleep 0.1; done
  "$@"
}

count_of() { grep -cx -- "$1" "$NOTIFICATIONS" || true; }
at_least() { (($(count_of "$1") >= $2)); }
last_line_is() { [[ "$(tail -n 1 "$NOTIFICATIONS")" == "$1" ]]; }
show_notifications() { sed 's/^/  | /' "$NOTIFICATIONS"; }

# confined_lbd PATH -> write at PATH an lbd that runs with the unit's capability
# bounding set only and no new privileges, as systemd would start it.
confined_lbd() {
  local capabilities
  capabilities=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr '[:upper:]' '[:lower:]' | sed 's/cap_/+/g; s/ /,/g')
  grep -qx NoNewPrivileges=yes "$UNIT" || fail "the unit sets NoNewPrivileges=yes"
  note "the unit's capabilities: $capabilities"
  printf '#!/bin/bash\nexec setpriv --bounding-set=-all,%s --inh-caps=-all --no-new-privs %q "$@"\n' \
    "$capabilities" "$LBD" >"$1"
  chmod 755 "$1"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${SV_DEADLINE:-90}"
  TOPO_TX_CSUM_OFF=1   # see topology.sh: redirected frames need complete checksums
  topo_up 2
  topo_mktemp_var run_dir notify

  section "lbd's own watchdog"
  listen own
  NOTIFY_SOCKET="$NOTIFY_PATH" WATCHDOG_USEC=$WATCHDOG_USEC lb_start
  wait_for at_least WATCHDOG=1 3 || true
  show_notifications
  check "the first message is READY=1 with lbd's status" \
    test "$(head -n 1 "$NOTIFICATIONS")" == "READY=1|STATUS=0 farm(s), API on $LB_SOCKET"
  check "  ... sent when the API socket already accepted" test "$(sed -n 2p "$NOTIFICATIONS")" == "api accepting"
  check "READY=1 is sent once" test "$(grep -c '^READY=1' "$NOTIFICATIONS")" -eq 1
  check "WATCHDOG=1 keep-alives follow (3 or more)" at_least WATCHDOG=1 3
  lb_stop
  check "STOPPING=1 is the last message, once" last_line_is STOPPING=1
  check "  ... and the only one" test "$(count_of STOPPING=1)" -eq 1
  stop_listener

  section "a watchdog meant for another process"
  listen other
  # WATCHDOG_PID names the process systemd watches; lbd is not that one here.
  NOTIFY_SOCKET="$NOTIFY_PATH" WATCHDOG_USEC=$WATCHDOG_USEC WATCHDOG_PID=1 lb_start
  wait_for at_least "api accepting" 1 || true
  sleep 0.5   # five keep-alive intervals, in which none may come
  lb_stop
  show_notifications
  check "READY=1 and STOPPING=1 are sent" test "$(grep -c '^READY=1\|^STOPPING=1$' "$NOTIFICATIONS")" -eq 2
  check "no WATCHDOG=1 is sent" test "$(count_of WATCHDOG=1)" -eq 0
  stop_listener

  section "confined as the unit confines it"
  topo_add_vip
  servers_start
  confined_lbd "$run_dir/lbd-confined"
  LBD="$run_dir/lbd-confined" lb_start
  lbctl_ns farm add web --vip "$VIP" --port "$HTTP_PORT" --proto tcp >/dev/null
  lbctl_ns backend add web b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns backend add web b2 --ip "$(backend_ip 2)" >/dev/null
  vip_tally tcp client "$VIP" "$HTTP_PORT" 20 || fail "the tally client ran"
  note "20 connections: $(tally_line)"
  check "lbd with only the unit's capabilities balances all 20 connections" test "$(tally_total)" -eq 20
  check "  ... and stops cleanly" lb_stop

  report_summary service
}

main "$@"

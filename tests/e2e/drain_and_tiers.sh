#!/usr/bin/env bash
# End-to-end test of backend states and priority tiers through lbd on the
# namespace bench (client -> lb -> switch -> b1, b2, b3), farm web in SNAT
# mode, b1 and b2 at priority 1, b3 at priority 2:
# - a rate-limited 10 MiB download keeps running and arrives intact (sha256)
#   after its backend is set to drain, then to maint, then capped at one
#   connection (--maxconn 1, which the download fills), while every new
#   connection meanwhile avoids that backend;
# - tier failover: with b1 and b2 in maint (then at weight 0) b3 serves every
#   new connection; back up, priority 1 serves again and b3 nothing.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), DT_RATE (curl
# --limit-rate of the download, default 512K: about 20 s, which leaves room
# for curl's rate limiting to run ahead on a busy machine), DT_DEADLINE
# (seconds before the watchdog stops the run, default 150).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=web
RATE="${DT_RATE:-512K}"
NEW_CONNECTIONS=100
WORK=""

# new_connections_only_reach NAME... -> NEW_CONNECTIONS fresh HTTP
# connections all answered, every one by one of the NAMEs.
new_connections_only_reach() {
  local -a allowed=("$@")
  local name ok=0
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$NEW_CONNECTIONS" || { note "the tally client failed"; return 1; }
  note "new connections: $(tally_line)"
  ((TALLY_FAILED == 0 && $(tally_total) == NEW_CONNECTIONS)) || { note "not all answered"; ok=1; }
  for name in "${!TALLY[@]}"; do
    [[ " ${allowed[*]} " == *" $name "* ]] || { note "$name answered ${TALLY[$name]}"; ok=1; }
  done
  return "$ok"
}

# connection_backend CLIENT_PORT -> the backend lbctl sessions shows for the
# client's connection from CLIENT_PORT, once that connection is open.
connection_backend() {
  lbctl_ns --json sessions "$FARM" --client "$CLIENT_IP" | python3 -c '
import json, sys
port = int(sys.argv[1])
for c in json.load(sys.stdin)["connections"]:
    if c["client_port"] == port and c["state"] == "open":
        print(c["backend"])' "$1"
}

# ------------------------------------------------------------------- drain
# transfer_survives STATE CLIENT_PORT CHANGE... -> a rate-limited download of
# /big from CLIENT_PORT; once it runs, its backend B gets CHANGE (a `backend
# set` option list) and is called STATE; new connections avoid B while the
# download goes on, and it completes intact.
transfer_survives() {
  local state="$1" port="$2" pid backend="" rc=0 i got
  shift 2
  local -a change=("$@")
  topo_spawn client "$WORK/curl.$port.log" curl -sS --limit-rate "$RATE" --local-port "$port" \
    -o "$WORK/big.$port" "http://$VIP/big"
  pid=$TOPO_LAST_PID
  for ((i = 0; i < 50 && ${#backend} == 0; i++)); do
    sleep 0.1
    backend=$(connection_backend "$port")
  done
  if [[ -z "$backend" ]]; then
    fail "$state: the download's connection shows in lbctl sessions"
    topo_kill_pid "$pid"
    return
  fi
  note "the download from client port $port runs through $backend; lbctl backend set $FARM $backend ${change[*]}"
  lbctl_ns backend set "$FARM" "$backend" "${change[@]}" >/dev/null
  # A cap counts the backend's connections as lbd's recount (every second)
  # finds them; the download was opened before the cap.
  [[ "${change[*]}" == *--maxconn* ]] && sleep 1.5
  local -a others=()
  mapfile -t others < <(printf '%s\n' b1 b2 | grep -vx "$backend")
  check "$state: $NEW_CONNECTIONS new connections during the download, none to $backend" \
    new_connections_only_reach "${others[@]}"
  still_running() { _topo_alive "$pid" || { note "the download ended before the new connections did"; return 1; }; }
  check "$state: the download was still running meanwhile" still_running
  wait "$pid" || rc=$?
  _topo_forget "$pid"
  got=$(sha256sum <"$WORK/big.$port" | awk '{print $1}')
  intact() {
    ((rc == 0)) || { note "curl exit status $rc: $(cat "$WORK/curl.$port.log")"; return 1; }
    [[ "$got" == "$BIG_SHA256" ]] || { note "sha256 $got, want $BIG_SHA256"; return 1; }
  }
  check "$state: the 10 MiB download through $backend completed intact (sha256)" intact
  lbctl_ns backend set "$FARM" "$backend" --state up --maxconn 0 >/dev/null
}

# _topo_forget PID -> drop a reaped process from topology.sh's registry.
_topo_forget() {
  local -a keep=()
  local p
  for p in "${_TOPO_PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  _TOPO_PIDS=("${keep[@]}")
}

# -------------------------------------------------------------------- tiers
# tier_failover HOW CHANGE... -> take b1 and b2 out by CHANGE (a `backend
# set` option list), then bring them back one by one.
tier_failover() {
  local how="$1"; shift
  local -a down=("$@")
  local name
  check "tiers: priority 1 (b1, b2) serves while up; b3 waits" new_connections_only_reach b1 b2
  for name in b1 b2; do lbctl_ns backend set "$FARM" "$name" "${down[@]}" >/dev/null; done
  check "tiers: with b1 and b2 at $how, b3 (priority 2) serves every new connection" \
    new_connections_only_reach b3
  lbctl_ns backend set "$FARM" b1 --state up --weight 1 >/dev/null
  check "tiers: b1 back up: it alone serves again (b2 still at $how)" new_connections_only_reach b1
  lbctl_ns backend set "$FARM" b2 --state up --weight 1 >/dev/null
  check "tiers: b2 back up too: priority 1 serves, b3 nothing" new_connections_only_reach b1 b2
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${DT_DEADLINE:-150}"
  TOPO_TX_CSUM_OFF=1
  topo_up 3
  topo_add_vip
  topo_mktemp_var WORK work
  servers_start
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" --priority 1 >/dev/null
  lbctl_ns backend add "$FARM" b2 --ip "$(backend_ip 2)" --priority 1 >/dev/null
  lbctl_ns backend add "$FARM" b3 --ip "$(backend_ip 3)" --priority 2 >/dev/null

  section "a download keeps running through drain, and through maint"
  transfer_survives drain 45001 --state drain
  transfer_survives maint 45002 --state maint
  transfer_survives "full at --maxconn 1" 45003 --maxconn 1

  section "tier failover by state"
  tier_failover maint --state maint
  section "tier failover by weight"
  tier_failover "weight 0" --weight 0

  lb_stop || fail "lbd stops cleanly"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "drain_and_tiers (${SECONDS}s)"
}

main "$@"

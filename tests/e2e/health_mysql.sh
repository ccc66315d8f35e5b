#!/usr/bin/env bash
# End-to-end test of the mysql health check through lbd on the namespace
# bench: farm db on VIP:3306 in SNAT mode, backends b1 and b2 real MariaDB
# servers (mariadbd with private datadirs, started and killed by PID), b3 a
# TCP-only listener (socat) on port 3306; checked with mysql every 0.3 s
# (timeout 0.2 s, rise 2, fall 2), logging in as a monitor user whose
# password is in a file:
# - b1 and b2 are up, b3 (accepts TCP, speaks no MySQL) is down;
# - a wrong password for b2 takes it down with the server's refusal as reason;
# - b1's server stops: b1 is down within fall x interval + timeout, then
#   every new client connection is answered, by b2 alone; it starts again:
#   b1 is up after rise checks and serves.
# Prints the measured detection and recovery times, PASS:/FAIL: lines and
# "N passed, M failed"; exits non-zero on any failure. Everything it builds
# is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), HM_DEADLINE (seconds
# before the watchdog stops the run, default 120).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=db
INTERVAL=0.3
TIMEOUT=0.2
RISE=2
FALL=2
DETECTION_BOUND=0.8   # fall x interval + timeout
RECOVERY_BOUND=0.8    # rise x interval + timeout, from when the server answers
QUERIES=20
WORK=""

# QUERIES new client connections to the VIP; every one answered, by server ids in ALLOWED only.
queries_answered_by() {
  local allowed="$1" i id ok=0
  declare -A seen=()
  for ((i = 0; i < QUERIES; i++)); do
    id=$(sql_ask client "$VIP") || { note "connection $i failed"; ok=1; continue; }
    seen[$id]=$((${seen[$id]:-0} + 1))
  done
  for id in "${!seen[@]}"; do
    note "server_id $id answered ${seen[$id]} of $QUERIES"
    [[ " $allowed " == *" $id "* ]] || ok=1
  done
  return "$ok"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${HM_DEADLINE:-120}"
  TOPO_TX_CSUM_OFF=1
  topo_up 3
  topo_add_vip
  topo_mktemp_var WORK work
  mariadb_start b1
  mariadb_start b2
  topo_spawn b3 "$WORK/socat.log" socat "TCP-LISTEN:$MYSQL_PORT,bind=$(backend_ip 3),fork,reuseaddr" EXEC:cat
  printf '%s\n' "$SQL_MONITOR_PASSWORD" >"$WORK/monitor.pass"
  printf 'not-the-password\n' >"$WORK/wrong.pass"
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$MYSQL_PORT" --proto tcp --mode snat --check mysql \
    --check-interval "$INTERVAL" --check-timeout "$TIMEOUT" --check-rise "$RISE" --check-fall "$FALL" \
    --check-user "$SQL_MONITOR_USER" --check-password-file "$WORK/monitor.pass" >/dev/null
  for i in 1 2 3; do lbctl_ns backend add "$FARM" "b$i" --ip "$(backend_ip "$i")" >/dev/null; done

  section "MariaDB on b1 and b2, a TCP-only listener on b3"
  check "b1 (MariaDB) is up" wait_health "$FARM" b1 up 5
  check "b2 (MariaDB) is up" wait_health "$FARM" b2 up 5
  check "b3 (socat, no MySQL) is down under the mysql check" wait_health "$FARM" b3 down 5
  lbctl_ns farm show "$FARM" | sed 's/^/  | /'
  check "clients reach b1 and b2, never b3" queries_answered_by "1 2"

  section "a wrong password for b2"
  lbctl_ns backend set "$FARM" b2 --check-password-file "$WORK/wrong.pass" >/dev/null
  check "b2 is down when its login is refused" wait_health "$FARM" b2 down 5
  check "the reason is the server's refusal" grep -q "error 1045" <<<"$(backend_health "$FARM" b2)"
  lbctl_ns backend set "$FARM" b2 --check-password-file default >/dev/null
  check "b2 is up again with the farm's password file" wait_health "$FARM" b2 up 5

  section "MariaDB on b1 stops, then starts again"
  local start detected="" recovered=""
  start=$(now_s)
  mariadb_stop b1
  check_transition "b1 down (fall x interval + timeout)" "$FARM" b1 down "$DETECTION_BOUND" "$start"
  detected=$HEALTH_TOOK
  check "with b1 down, b2 answers every new client connection" queries_answered_by 2
  mariadb_start b1
  start=$(now_s)  # the server answers from here on
  check_transition "b1 up again once MariaDB answers (rise x interval + timeout)" "$FARM" b1 up "$RECOVERY_BOUND" "$start"
  recovered=$HEALTH_TOOK
  check "b1 serves again" queries_answered_by "1 2"
  # b1 restarted: it has seen only the checks' logins since, each ended by COM_QUIT.
  local aborted
  aborted=$(_mariadb_sql b1 -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN
    ('Aborted_connects', 'Aborted_clients', 'Connections')" | tr '\t\n' '= ')
  note "b1 since its restart: $aborted"
  check "b1 counts no aborted connection or client from the checks" grep -q "Aborted_clients=0 Aborted_connects=0" <<<"$aborted"
  echo
  echo "measured: mysql check with login, interval $INTERVAL s, timeout $TIMEOUT s, rise $RISE, fall $FALL:" \
    "detection ${detected:-?} s (bound $DETECTION_BOUND s), recovery ${recovered:-?} s once MariaDB answered again" \
    "(bound $RECOVERY_BOUND s)"
  grep -E "is (up|down)" "$(lb_log)" | head -20 | sed 's/^/  lbd| /'
  lb_stop || fail "lbd stops cleanly"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "health_mysql (${SECONDS}s)"
}

main "$@"

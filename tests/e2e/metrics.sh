#!/usr/bin/env bash
# End-to-end test of lbd's Prometheus metrics on the namespace bench
# (client -> lb -> b1, b2), lbd started with --metrics 127.0.0.1:9842 in the
# lb namespace:
# - a known number of UDP flows and datagrams through farm dns (SNAT) moves
#   each backend's and the farm's connection, packet and byte counters by
#   exactly that much, in each direction; datagrams from a denied source move
#   xdplb_drops_total{reason="denied_source"} by exactly their number;
# - the connection tables and SNAT ports show those flows after an upkeep walk;
# - a backend in maint is not up; checked backends have a check-duration
#   histogram; build info is there;
# - promtool (Debian's prometheus package) accepts the scrape, and every
#   metric the shipped alert rules and Grafana dashboard query is in it.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), ME_DEADLINE (seconds
# before the watchdog stops the run, default 90).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

METRICS=127.0.0.1:9842
FLOWS=20
DATAGRAMS=3
DENIED_DATAGRAMS=7
DENIED_PORT=5354

note() { echo "  $*"; }
section() { echo; echo "== $* (t=${SECONDS}s)"; }

# scrape FILE -> lbd's /metrics, from inside the lb namespace, into FILE.
scrape() { in_ns lb curl -sf --max-time 5 "http://$METRICS/metrics" >"$1"; }

# value FILE SERIES -> the sample of SERIES (its name and labels exactly as
# lbd writes them) in FILE, 0 when absent (a counter not written yet).
value() {
  python3 - "$1" "$2" <<'PY'
import sys
series = sys.argv[2]
for line in open(sys.argv[1]):
    key, _, number = line.rstrip("\n").rpartition(" ")
    if key == series:
        print(int(float(number)) if float(number).is_integer() else number)
        break
else:
    print(0)
PY
}

# moved SERIES EXPECTED -> check that SERIES grew by EXPECTED between the scrapes.
moved() {
  local before after
  before=$(value "$BEFORE" "$1")
  after=$(value "$AFTER" "$1")
  check "$1 moved by $2 ($before -> $after)" test $((after - before)) -eq "$2"
}

send_denied() {
  in_ns client python3 -c '
import socket, sys
for _ in range(int(sys.argv[3])):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"no\n", (sys.argv[1], int(sys.argv[2])))
' "$VIP" "$DENIED_PORT" "$DENIED_DATAGRAMS"
}

counters_are_exact() {
  section "$FLOWS UDP flows of $DATAGRAMS datagrams through farm dns, $DENIED_DATAGRAMS datagrams denied"
  local flows_out name flows packets_out bytes_out packets_in bytes_in total_flows=0
  local farm_packets_out=0 farm_bytes_out=0 farm_packets_in=0 farm_bytes_in=0
  scrape "$BEFORE" || fail "scrape before the traffic"
  flows_out=$(in_ns client python3 "$here/lib/udp_flows.py" "$VIP" "$UDP_PORT" "$FLOWS" "$DATAGRAMS")
  send_denied
  scrape "$AFTER" || fail "scrape after the traffic"
  sed 's/^/  | /' <<<"$flows_out"
  check "every flow was answered" grep -qx "failed 0" <<<"$flows_out"
  while read -r _ name flows packets_out bytes_out packets_in bytes_in; do
    local labels="farm=\"dns\",backend=\"$name\""
    moved "xdplb_backend_connections_total{$labels}" "$flows"
    moved "xdplb_backend_packets_total{$labels,direction=\"to_backend\"}" "$packets_out"
    moved "xdplb_backend_bytes_total{$labels,direction=\"to_backend\"}" "$bytes_out"
    moved "xdplb_backend_packets_total{$labels,direction=\"to_client\"}" "$packets_in"
    moved "xdplb_backend_bytes_total{$labels,direction=\"to_client\"}" "$bytes_in"
    total_flows=$((total_flows + flows))
    farm_packets_out=$((farm_packets_out + packets_out)) farm_bytes_out=$((farm_bytes_out + bytes_out))
    farm_packets_in=$((farm_packets_in + packets_in)) farm_bytes_in=$((farm_bytes_in + bytes_in))
  done < <(grep '^backend ' <<<"$flows_out")
  check "the flows went to both backends ($(grep -c '^backend ' <<<"$flows_out") answered)" \
    test "$(grep -c '^backend ' <<<"$flows_out")" -eq 2
  moved 'xdplb_farm_connections_total{farm="dns"}' "$total_flows"
  moved 'xdplb_farm_packets_total{farm="dns",direction="to_backend"}' "$farm_packets_out"
  moved 'xdplb_farm_bytes_total{farm="dns",direction="to_backend"}' "$farm_bytes_out"
  moved 'xdplb_farm_packets_total{farm="dns",direction="to_client"}' "$farm_packets_in"
  moved 'xdplb_farm_bytes_total{farm="dns",direction="to_client"}' "$farm_bytes_in"
  moved 'xdplb_drops_total{reason="denied_source"}' "$DENIED_DATAGRAMS"
  moved 'xdplb_farm_connections_total{farm="closed"}' 0
}

# The upkeep walk counts the tables about once a second.
tables_show_the_flows() {
  section "connection tables and SNAT ports"
  local i established="" ports
  for ((i = 0; i < 30; i++)); do
    scrape "$AFTER"
    established=$(value "$AFTER" 'xdplb_conntrack_entries{table="established"}')
    ((established == 2 * FLOWS)) && break
    sleep 0.2
  done
  check "xdplb_conntrack_entries{table=\"established\"} is two per flow ($established)" \
    test "$established" -eq $((2 * FLOWS))
  check "xdplb_conntrack_capacity{table=\"established\"} is --conntrack-size" \
    test "$(value "$AFTER" 'xdplb_conntrack_capacity{table="established"}')" -eq 4096
  check "xdplb_conntrack_capacity{table=\"half_open\"} is --halfopen-size" \
    test "$(value "$AFTER" 'xdplb_conntrack_capacity{table="half_open"}')" -eq 1024
  ports=$(($(value "$AFTER" 'xdplb_snat_ports_in_use{farm="dns",backend="b1"}') +
    $(value "$AFTER" 'xdplb_snat_ports_in_use{farm="dns",backend="b2"}')))
  check "xdplb_snat_ports_in_use of dns's backends add up to one per flow ($ports)" test "$ports" -eq "$FLOWS"
  check "xdplb_snat_ports_capacity is the --snat-ports range" \
    test "$(value "$AFTER" 'xdplb_snat_ports_capacity{farm="dns",backend="b1"}')" -eq 1001
}

state_and_health() {
  section "backend state, health-check durations, build info"
  lbctl_ns backend set dns b2 --state maint >/dev/null
  scrape "$AFTER"
  check "xdplb_backend_up{dns,b1} is 1" test "$(value "$AFTER" 'xdplb_backend_up{farm="dns",backend="b1"}')" -eq 1
  check "xdplb_backend_up{dns,b2} is 0 in maint" \
    test "$(value "$AFTER" 'xdplb_backend_up{farm="dns",backend="b2"}')" -eq 0
  check "xdplb_farm_backends_up{dns} is 1" test "$(value "$AFTER" 'xdplb_farm_backends_up{farm="dns"}')" -eq 1
  check "xdplb_backend_weight{dns,b1} is its weight, 3" \
    test "$(value "$AFTER" 'xdplb_backend_weight{farm="dns",backend="b1"}')" -eq 3
  local checks
  checks=$(value "$AFTER" 'xdplb_health_check_duration_seconds_count{farm="web",backend="b1"}')
  check "web/b1's checks are in the duration histogram ($checks)" test "$checks" -gt 0
  check "the +Inf bucket holds every check" test \
    "$(value "$AFTER" 'xdplb_health_check_duration_seconds_bucket{farm="web",backend="b1",le="+Inf"}')" -eq "$checks"
  check "web/b1's health is up" \
    test "$(value "$AFTER" 'xdplb_backend_health{farm="web",backend="b1",state="up"}')" -eq 1
  check "unchecked dns/b1 has no histogram" \
    test "$(grep -c 'xdplb_health_check_duration_seconds_count{farm="dns"' "$AFTER")" -eq 0
  check "xdplb_build_info is 1" grep -Eq '^xdplb_build_info\{version="[^"]+"\} 1$' "$AFTER"
}

promtool_accepts() {
  section "promtool check metrics"
  local out rc=0
  out=$(promtool check metrics <"$AFTER" 2>&1) || rc=$?
  [[ -z "$out" ]] || sed 's/^/  | /' <<<"$out"
  check "promtool check metrics accepts the scrape (exit $rc, no complaint)" test "$rc" -eq 0 -a -z "$out"
}

# Every metric the shipped alert rules and dashboard query is in the real scrape.
queries_name_real_metrics() {
  section "deploy/: alert rules and dashboard against the scrape"
  local repo out rc=0
  repo=$(cd -- "$here/../.." && pwd)
  out=$(python3 "$repo/deploy/check_queries.py" "$AFTER" "$repo/deploy/prometheus/xdplb-alerts.yml" \
    "$repo"/deploy/grafana/*.json 2>&1) || rc=$?
  [[ -z "$out" ]] || sed 's/^/  | /' <<<"$out"
  check "every metric in deploy/prometheus and deploy/grafana is in the scrape (exit $rc)" test "$rc" -eq 0
}

main() {
  lb_check_binaries
  command -v promtool >/dev/null || { echo "promtool missing: deploy/install-deps.sh installs it" >&2; exit 1; }
  topo_install_trap
  topo_watchdog "${ME_DEADLINE:-90}"
  TOPO_TX_CSUM_OFF=1
  topo_up 2
  topo_add_vip
  servers_start
  local scrapes
  topo_mktemp_var scrapes metrics
  BEFORE=$scrapes/before AFTER=$scrapes/after
  lb_start --metrics "$METRICS" --conntrack-size 4096 --halfopen-size 1024 --snat-ports 40000-41000
  lbctl_ns farm add dns --vip "$VIP" --port "$UDP_PORT" --proto udp --mode snat >/dev/null
  lbctl_ns backend add dns b1 --ip "$(backend_ip 1)" --weight 3 >/dev/null
  lbctl_ns backend add dns b2 --ip "$(backend_ip 2)" --weight 2 >/dev/null
  lbctl_ns farm add closed --vip "$VIP" --port "$DENIED_PORT" --proto udp --deny "$CLIENT_IP" >/dev/null
  lbctl_ns backend add closed b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns farm add web --vip "$VIP" --port "$HTTP_PORT" --proto tcp --check tcp --check-interval 0.2 --check-timeout 0.1 >/dev/null
  lbctl_ns backend add web b1 --ip "$(backend_ip 1)" >/dev/null
  wait_health web b1 up 5 || fail "web/b1 comes up under its tcp check"

  counters_are_exact
  tables_show_the_flows
  state_and_health
  promtool_accepts
  queries_name_real_metrics
  echo; echo "the last scrape, lbd's own families:"
  grep '^xdplb_' "$AFTER" | sed 's/^/  | /'
  echo; echo "lbctl stats, the same counters as an operator reads them:"
  lbctl_ns stats | sed 's/^/  | /'

  lb_stop || fail "lbd stops cleanly"
  report_summary metrics
}

main "$@"

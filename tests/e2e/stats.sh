#!/usr/bin/env bash
# End-to-end test of `lbctl stats` on the namespace bench (client -> lb ->
# switch -> b1, b2), a UDP farm in SNAT mode: a known number of datagrams,
# each from a new source port and answered once, shows up as exact totals of
# connections, packets and bytes in each direction, per farm and per backend;
# the rates lbd has sampled, times the window it gives, come to the same
# counts; the table shows the farm, both directions and the window; a stats
# request for an unknown farm is refused.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), ST_DEADLINE (seconds
# before the watchdog stops the run, default 60).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=dns
DATAGRAMS=40
# IP packets, as the data plane counts them: IPv4 20 + UDP 8, then the
# payload: vip_tally's "hello\n", the backends' "bN\n".
REQUEST_BYTES=$((20 + 8 + 6))
ANSWER_BYTES=$((20 + 8 + 3))
# lbd samples its counters every second and averages the rates over 5 s:
# the traffic starts once it has run that long, so that the window is full,
# and is asked for this long after, so that a sample holds all of it.
WINDOW_S=5
SAMPLED_AFTER_S=2

note() { echo "  $*"; }
section() { echo; echo "== $* (t=${SECONDS}s)"; }

STATS_JSON=""

# stats_of WHO totals|rates -> from $STATS_JSON, farm $FARM's numbers (WHO
# "farm") or those of its backend WHO: connections, then packets and bytes
# to the backend, then to the client. totals: the counters; rates: each rate
# times the window it is over, to the hundredth.
stats_of() {
  python3 - "$STATS_JSON" "$FARM" "$1" "$2" <<'EOF'
import json, sys
path, farm_name, who, what = sys.argv[1:]
with open(path) as file:
    stats = json.load(file)
flow = next(farm for farm in stats["farms"] if farm["name"] == farm_name)
if who != "farm":
    flow = next(backend for backend in flow["backends"] if backend["name"] == who)
if what == "totals":
    print(flow["connections"], flow["to_backend"]["packets"], flow["to_backend"]["bytes"],
          flow["to_client"]["packets"], flow["to_client"]["bytes"])
else:
    window = stats["rate_window_s"]
    rates = (flow["connections_per_s"], flow["to_backend"]["packets_per_s"], flow["to_backend"]["bits_per_s"] / 8,
             flow["to_client"]["packets_per_s"], flow["to_client"]["bits_per_s"] / 8)
    print(*("%.2f" % (rate * window) for rate in rates))
EOF
}

# expect_numbers WANT COMMAND... -> COMMAND prints WANT.
expect_numbers() {
  local want="$1" got
  shift
  got=$("$@")
  [[ "$got" == "$want" ]] || { note "got  $got"; note "want $want"; return 1; }
}

# flow_counts N FORMAT -> N flows of one datagram each way: "connections,
# packets, bytes to the backend, packets, bytes to the client" in FORMAT.
flow_counts() {
  # shellcheck disable=SC2059  # the format is the argument
  printf "$2 $2 $2 $2 $2\n" "$1" "$1" $(($1 * REQUEST_BYTES)) "$1" $(($1 * ANSWER_BYTES))
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${ST_DEADLINE:-60}"
  TOPO_TX_CSUM_OFF=1   # see topology.sh: XDP NAT needs complete checksums
  topo_up 2
  topo_add_vip
  udp_start b1
  udp_start b2
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$UDP_PORT" --proto udp --mode snat >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns backend add "$FARM" b2 --ip "$(backend_ip 2)" >/dev/null

  sleep "$WINDOW_S"

  section "$DATAGRAMS datagrams, each a new flow answered once"
  vip_tally udp client "$VIP" "$UDP_PORT" "$DATAGRAMS" || fail "the UDP client ran"
  note "answers: $(tally_line)"
  check "all $DATAGRAMS datagrams were answered" test "$(tally_total)" -eq "$DATAGRAMS"
  sleep "$SAMPLED_AFTER_S"

  topo_mktemp_var STATS_JSON stats
  STATS_JSON+=/stats.json
  lbctl_ns --json stats >"$STATS_JSON"

  section "totals"
  check "farm $FARM: $DATAGRAMS connections, $DATAGRAMS packets and their bytes each way" \
    expect_numbers "$(flow_counts "$DATAGRAMS" %d)" stats_of farm totals
  local name
  for name in b1 b2; do
    check "backend $name: the ${TALLY[$name]:-0} flows it answered, each way" \
      expect_numbers "$(flow_counts "${TALLY[$name]:-0}" %d)" stats_of "$name" totals
  done

  section "rates"
  local window
  window=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rate_window_s"])' "$STATS_JSON")
  note "rates over the last $window s; the traffic took $TALLY_SECONDS s"
  check "the rates are over lbd's window of 5 s, to half a second" \
    python3 -c "import sys; sys.exit(abs(float(sys.argv[1]) - $WINDOW_S) > 0.5)" "$window"
  # All the traffic fell within the window (it took less than the window
  # minus SAMPLED_AFTER_S): each rate times the window is the count.
  check "farm $FARM: each rate times the window is what it counted" \
    expect_numbers "$(flow_counts "$DATAGRAMS" %.2f)" stats_of farm rates
  for name in b1 b2; do
    check "backend $name: each rate times the window is what it counted" \
      expect_numbers "$(flow_counts "${TALLY[$name]:-0}" %.2f)" stats_of "$name" rates
  done
  check "every reason has a rate" python3 -c '
import json, sys
stats = json.load(open(sys.argv[1]))
sys.exit(sorted(stats["reasons"]) != sorted(stats["reasons_per_s"]) or None in stats["reasons_per_s"].values())' \
    "$STATS_JSON"

  section "the table"
  local table line
  table=$(lbctl_ns stats "$FARM")
  while IFS= read -r line; do note "  | $line"; done <<<"$table"
  shows_farm() {
    grep -Eq "^rates: per second over the last [0-9.]+ s$" <<<"$table" &&
      grep -Eq "^\(farm\) +$DATAGRAMS +[0-9.]+ +to backend +$DATAGRAMS +[0-9.]+ +[0-9.]+ k?B +[0-9.]+ [kM]?bit/s$" <<<"$table" &&
      grep -Eq "^ +to client +$DATAGRAMS +[0-9.]+ +[0-9.]+ k?B +[0-9.]+ [kM]?bit/s$" <<<"$table"
  }
  check "lbctl stats $FARM: the window, and the farm's totals and rates each way" shows_farm

  section "refused"
  local err rc=0
  err=$(lbctl_ns stats nosuch 2>&1 >/dev/null) || rc=$?
  note "lbctl stats nosuch: exit $rc: $err"
  check "stats of an unknown farm is refused with one line" \
    test "$rc" -ne 0 -a "$(wc -l <<<"$err")" -eq 1

  lb_stop || fail "lbd stops cleanly"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "stats (${SECONDS}s)"
}

main "$@"

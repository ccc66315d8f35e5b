#!/usr/bin/env bash
# bench/suites/http.sh -- TCP connections per second and HTTP requests per
# second with wrk, through every scenario that serves TCP, against real nginx
# servers, and `direct` (the client to one backend, no load balancer) as the
# reference. A suite of bench/run (bench/suites/README.md); it runs alone too,
# as root after a build, with SUITE_OUT set.
#
#   gen (wrk) --> lb (the scenario) --> sink: one nginx, answering on the three
#                                       backend addresses, weights 1 2 7
#
# Each repetition visits every scenario, starting from a different one each
# time: set the scenario up, run wrk twice, tear it down.
#   conn/s  each request on a new TCP connection (Connection: close): the
#           handshake, one request, the close, all through the load balancer
#   req/s   keep-alive: requests on CONNECTIONS open connections
# xdplb runs in SNAT mode, from lb's backend-side address: what the others do
# in effect (nftables and iptables: DNAT and SNAT by mark; haproxy: a proxy,
# its own connection to the backend), so every backend sees lb as its client.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/suite.sh
source "$bench_dir/lib/suite.sh"
# shellcheck source=../../tests/e2e/lib/servers.sh
source "$bench_dir/../tests/e2e/lib/servers.sh"

# Quick: one visit of 1 s per scenario and test, some 30 s in all (starting
# lbd and wrk cost seconds of their own): a smoke run, not a median.
suite_runs 1 1 5 3
THREADS=2          # wrk's, one per CPU of the machine
CONNECTIONS=64     # open at once, in both tests
PORT=$HTTP_PORT
WRK_SCRIPT="$bench_dir/lib/wrk_summary.lua"

command -v wrk >/dev/null || { echo "http.sh: wrk is missing (deploy/install-deps.sh)" >&2; exit 2; }

# syn_retransmits -> the client's SYN retransmissions so far: each is a
# connection that waited a second or more for its handshake.
syn_retransmits() { in_ns gen nstat -asz TcpExtTCPSynRetrans | awk '$1 == "TcpExtTCPSynRetrans" { print $2 }'; }

# wrk_run SCENARIO TARGET TEST UNIT [wrk args...] -> one measurement line.
wrk_run() {
  local scenario="$1" target="$2" test="$3" unit="$4" summary retransmits; shift 4
  retransmits=$(syn_retransmits)
  summary=$(in_ns gen wrk -t "$THREADS" -c "$CONNECTIONS" -d "${seconds}s" -s "$WRK_SCRIPT" "$@" \
    "http://$target:$PORT/" | grep '^{') || { echo "http.sh: wrk failed against $target" >&2; return 1; }
  retransmits=$(($(syn_retransmits) - retransmits))
  python3 -c '
import json, sys
s = json.loads(sys.argv[1])
errors = s["connect_errors"] + s["read_errors"] + s["write_errors"] + s["timeouts"] + s["status_errors"]
print(json.dumps({"scenario": sys.argv[2], "test": sys.argv[3], "unit": sys.argv[4], "flows": int(sys.argv[5]),
                  "value": (s["responses"] - s["status_errors"]) / (s["duration_us"] / 1e6),
                  "errors": errors, "syn_retransmits": int(sys.argv[6]),
                  "latency_p99_us": s["latency_p99_us"]}))
' "$summary" "$scenario" "$test" "$unit" "$CONNECTIONS" "$retransmits" | tee -a "$SUITE_MEASUREMENTS" >&2
}

# measure SCENARIO TARGET -> both tests against http://TARGET/, after one
# request that must be answered (a scenario that does not forward fails here).
measure() {
  local answer
  answer=$(in_ns gen curl -s -m 3 "http://$2:$PORT/") || true
  [[ "$answer" == sink ]] || { echo "http.sh: $1: no answer from http://$2:$PORT/ (got '$answer')" >&2; return 1; }
  wrk_run "$1" "$2" "new connection per request" conn/s -H "Connection: close"
  wrk_run "$1" "$2" "keep-alive requests" req/s
}

# section -> section.md: how it was measured, the tables, the targets.
section() {
  cat <<EOF
## TCP connections and HTTP requests per second (wrk against nginx)

- client: wrk in gen, $THREADS threads, $CONNECTIONS connections open at once; runs of $seconds s,
  $repetitions per scenario and test, scenarios interleaved
- conn/s: every request on a new TCP connection (\`Connection: close\`: handshake, one GET of a
  5-byte body, close); req/s: the same GET on keep-alive connections
- servers: one nginx in sink, $NGINX_WORKERS workers, answering on the three backend addresses
  (weights $BENCH_WEIGHTS), so every scenario and \`direct\` meet the same server capacity
- \`direct\`: the client to the first backend's address; lb only routes (no program, no rules)
- xdplb in SNAT mode: every scenario makes lb the backends' client (nftables and iptables DNAT
  and SNAT by mark, haproxy proxies); client, load balancer and nginx share the machine's CPUs
- tuning: the client uses every port from 1024 and \`tcp_tw_reuse\`; the servers keep no
  TIME_WAIT (\`tcp_max_tw_buckets\` 0: behind SNAT, a recent connection's TIME_WAIT would refuse
  new SYNs on its tuple); lb keeps its defaults (conntrack table and timeouts; xdplb's SNAT
  ports 1024-32767, held 120 s after the server closes)

EOF
  python3 "$SUITE_REPORT" --measurements "$SUITE_MEASUREMENTS" --rows "$SUITE_OUT/rows.json" \
    --subject xdplb --baselines "nftables iptables haproxy direct" \
    --target conn/s:nftables:1.2 --target conn/s:haproxy:2 --count errors --count syn_retransmits
}

main() {
  local name rep k target
  bench_scenarios_serving tcp
  local -a scenarios=(direct "${BENCH_SERVING[@]}")
  ((${#BENCH_NOT_SERVING[@]} == 0)) || echo "http.sh: skipped, not serving TCP: ${BENCH_NOT_SERVING[*]}" >&2
  suite_up $((${BENCH_QUICK:-0} == 1 ? 180 : 900))
  NGINX_WORKERS=$(nproc)
  nginx_start sink

  for ((rep = 1; rep <= repetitions; rep++)); do
    for ((k = 0; k < ${#scenarios[@]}; k++)); do
      name=${scenarios[(rep - 1 + k) % ${#scenarios[@]}]}
      topo_log "repetition $rep/$repetitions: $name"
      target=$BENCH_VIP
      if [[ "$name" == direct ]]; then
        target=${BENCH_BACKENDS[0]}
      else
        bench_scenario_up "$name" tcp "$PORT" XDPLB_MODE=snat
      fi
      measure "$name" "$target"
      bench_scenario_down
    done
  done
  suite_section section
}

main "$@"

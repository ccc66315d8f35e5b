#!/usr/bin/env bash
# bench/suites/syn.sh -- connection setup rate: TCP SYNs, each opening a
# connection never seen before (a source address and port of its own), sent
# by xdplb-pktgen as fast as it can and counted by the sink behind the load
# balancer. This is a load balancer's own work per new connection (choose a
# backend, record the connection, rewrite, forward) without the client's and
# the server's TCP stacks, which decide the http suite's connections per
# second on this bench. A suite of bench/run (bench/suites/README.md); it runs
# alone too, as root after a build, with SUITE_OUT set.
#
#   gen (xdplb-pktgen, SYNs) --> lb (the scenario) --> sink (counts, drops)
#
# Scenarios: xdp-limit (the ceiling: it forwards any frame unchanged), xdplb
# in DNAT mode, nftables, iptables. haproxy ends TCP itself: a SYN never
# crosses it. The sink answers nothing, so every connection stays half-open
# and the tables fill: xdplb's half-open table evicts its oldest entries,
# netfilter's conntrack (nf_conntrack_max) drops unanswered ones early. xdplb
# runs in DNAT mode: in SNAT mode, connections that are never answered hold
# their SNAT port for the unanswered timeout (30 s), so a pool of 31744 ports
# per backend would measure its own exhaustion, not a rate.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/suite.sh
source "$bench_dir/lib/suite.sh"
# shellcheck source=../lib/xdp.sh
source "$bench_dir/lib/xdp.sh"

suite_runs 1 1.5 5 5
SCENARIOS=(xdp-limit xdplb nftables iptables)
VPORT=80
# Per run: each CPU starts at its own half and sends fewer than 8M frames.
FLOWS=16777216
NEW_FLOWS_FROM=198.19.0.1
WARM_UP_FROM=198.19.200.1   # apart from the measured flows: theirs stay new
TEST="new connections (TCP SYN, 64 B, each a new flow)"

pktgen="$BENCH_BUILD_DIR/bench/xdplb-pktgen"
sink_object="$BENCH_BUILD_DIR/bench/sink.bpf.o"

# send FLOWS SECONDS FROM -> xdplb-pktgen's JSON result: SYNs to the VIP.
send() {
  in_ns gen "$pktgen" --iface eth0 --dst-mac "$lb_in_mac" --dst-ip "$BENCH_VIP" --dst-port "$VPORT" \
    --proto tcp --tcp-flags syn --size 64 --flows "$1" --duration "$2" --src-ip "$3" --json
}

# measure SCENARIO -> one measurement line: SYNs the sink counted per second,
# after a second of other flows that resolves the load balancer's neighbours.
measure() {
  local before after sent
  send 1000 1 "$WARM_UP_FROM" >/dev/null
  before=$(xdp_percpu_sum "$sink_frames_map")
  sent=$(send "$FLOWS" "$seconds" "$NEW_FLOWS_FROM")
  after=$(xdp_percpu_sum "$sink_frames_map")
  python3 -c '
import json, sys
sent = json.loads(sys.argv[1])
received = int(sys.argv[3]) - int(sys.argv[2])
print(json.dumps({"scenario": sys.argv[4], "test": sys.argv[5], "flows": int(sys.argv[6]), "unit": "Mconn/s",
                  "value": received / sent["seconds"] / 1e6, "offered": sent["mpps"]}))
' "$sent" "$before" "$after" "$1" "$TEST" "$FLOWS" | tee -a "$SUITE_MEASUREMENTS" >&2
}

section() {
  cat <<EOF
## New connections per second: TCP SYNs, each a new flow

- traffic: xdplb-pktgen from gen, 64-byte TCP SYNs to the VIP, every one from a source address
  and port not used before in the run; counted by an XDP sink behind the load balancer, which
  answers nothing; runs of $seconds s, $repetitions per scenario, interleaved
- \`xdplb\`: DNAT mode (in SNAT mode unanswered connections hold their SNAT ports for 30 s,
  and the pool, not the rate, would be measured), a half-open table of 4M entries that evicts
  its oldest when full;
  \`nftables\` and \`iptables\`: conntrack, $(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo '?')
  entries at most (\`nf_conntrack_max\`, host-wide); \`xdp-limit\`: forwards frames unchanged
- Mconn/s: millions of connections per second the load balancer set up and forwarded

EOF
  python3 "$SUITE_REPORT" --measurements "$SUITE_MEASUREMENTS" --rows "$SUITE_OUT/rows.json" \
    --subject xdplb --baselines "nftables iptables xdp-limit" --target Mconn/s:nftables:1.2
}

main() {
  local rep k name
  [[ -x "$pktgen" && -e "$sink_object" ]] || topo_die "xdplb-pktgen or sink.bpf.o not built in $BENCH_BUILD_DIR"
  mkdir -p "$SUITE_OUT"
  : >"$SUITE_MEASUREMENTS"
  topo_install_trap
  topo_watchdog $((${BENCH_QUICK:-0} == 1 ? 120 : 600))
  bench_topology_up
  lb_in_mac=$(bench_mac lb "$LB_IN")
  xdp_attach "$(topo_ns sink)" eth0 "$sink_object"
  sink_frames_map=$(xdp_map_id "$(topo_ns sink)" eth0 sink_frames)
  for ((rep = 1; rep <= repetitions; rep++)); do
    for ((k = 0; k < ${#SCENARIOS[@]}; k++)); do
      name=${SCENARIOS[(rep - 1 + k) % ${#SCENARIOS[@]}]}
      topo_log "repetition $rep/$repetitions: $name"
      case $name in
        xdp-limit) bench_scenario_up "$name" udp "$VPORT" ;;  # it forwards any frame
        *) bench_scenario_up "$name" tcp "$VPORT" ;;
      esac
      measure "$name"
      bench_scenario_down
    done
  done
  suite_section section
}

main "$@"

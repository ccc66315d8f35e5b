# shellcheck shell=bash
# bench/lib/scenario.sh -- run a scenario script of bench/scenarios under its
# contract (bench/scenarios/common.sh) on the bench topology of
# bench/lib/topology.sh: one farm, BENCH_VIP:BENCH_VPORT/udp over the
# topology's backends, weights 1:2:7.

[[ -n "${_XDPLB_BENCH_SCENARIO_SH:-}" ]] && return 0
_XDPLB_BENCH_SCENARIO_SH=1

_bench_scenarios_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../scenarios" && pwd)
BENCH_VPORT=5353
BENCH_WEIGHTS="1 2 7"
# The scenarios in the order the bench runs them; others present come after.
BENCH_SCENARIO_ORDER=(xdp-limit xdplb nftables iptables)

# bench_scenario_names -> every scenario present: the known ones in order,
# then any other bench/scenarios/NAME.sh, by name.
bench_scenario_names() {
  local name path
  for name in "${BENCH_SCENARIO_ORDER[@]}"; do
    [[ -x "$_bench_scenarios_dir/$name.sh" ]] && echo "$name"
  done
  for path in "$_bench_scenarios_dir"/*.sh; do
    name=$(basename "$path" .sh)
    [[ -x "$path" && " ${BENCH_SCENARIO_ORDER[*]} " != *" $name "* ]] && echo "$name"
  done
  return 0
}

# bench_scenario setup|teardown NAME -> run the scenario's script under the
# contract, with BENCH_BUILD_DIR and BENCH_SCENARIO_STATE_DIR (a directory of
# the caller's) set by the caller.
bench_scenario() {
  LB_NS=$(topo_ns lb) LB_IN=$LB_IN LB_OUT=$LB_OUT VIP=$BENCH_VIP VPORT=$BENCH_VPORT PROTO=udp \
    BACKENDS="${BENCH_BACKENDS[*]}" WEIGHTS="$BENCH_WEIGHTS" SNAT_ADDR=$BENCH_LB_OUT_IP \
    BENCH_BUILD_DIR="$BENCH_BUILD_DIR" SCENARIO_STATE_DIR="$BENCH_SCENARIO_STATE_DIR" \
    "$_bench_scenarios_dir/$2.sh" "$1"
}

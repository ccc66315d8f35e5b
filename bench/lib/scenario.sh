# shellcheck shell=bash
# bench/lib/scenario.sh -- the kit's scenarios (bench/scenarios/NAME.sh), in
# the order bench/run and the suites visit them, and how to call one on the
# bench of bench/lib/topology.sh under the scenario contract
# (bench/scenarios/common.sh). Source it after bench/lib/topology.sh.
#
#   bench_scenarios_present          -> BENCH_PRESENT, BENCH_ABSENT
#   bench_scenario_supports NAME PROTO
#   bench_scenarios_serving PROTO    -> BENCH_SERVING, BENCH_NOT_SERVING
#   bench_scenario_up NAME PROTO VPORT [VAR=VALUE...]
#   bench_scenario_down
#
# A scenario that bench_scenario_up set up is torn down by
# bench_scenario_down, or by topo_down if the run ends first (a failure, a
# signal), with the same environment.

[[ -n "${_XDPLB_BENCH_SCENARIO_SH:-}" ]] && return 0
_XDPLB_BENCH_SCENARIO_SH=1

_bench_scenario_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../scenarios" && pwd)

BENCH_SCENARIOS=(xdp-limit xdplb nftables iptables haproxy)
BENCH_WEIGHTS="1 2 7"   # of BENCH_BACKENDS, in order
BENCH_BUILD_DIR="${BENCH_BUILD_DIR:-$(cd -- "$_bench_scenario_dir/../.." && pwd)/build}"

_BENCH_ACTIVE=()        # NAME PROTO VPORT [VAR=VALUE...] of the scenario set up
_BENCH_SCENARIO_STATE=""

# bench_scenarios_present -> BENCH_PRESENT: the scenarios of BENCH_SCENARIOS
# whose script is there; BENCH_ABSENT: the others.
bench_scenarios_present() {
  local name
  BENCH_PRESENT=() BENCH_ABSENT=()
  for name in "${BENCH_SCENARIOS[@]}"; do
    if [[ -x "$_bench_scenario_dir/$name.sh" ]]; then BENCH_PRESENT+=("$name"); else BENCH_ABSENT+=("$name"); fi
  done
}

# bench_scenarios_serving PROTO -> BENCH_SERVING: the scenarios present that
# serve PROTO, in order; BENCH_NOT_SERVING: those present that do not. Fails
# if a script's answer is neither.
bench_scenarios_serving() {
  local name rc
  BENCH_SERVING=() BENCH_NOT_SERVING=()
  bench_scenarios_present
  for name in "${BENCH_PRESENT[@]}"; do
    rc=0
    bench_scenario_supports "$name" "$1" || rc=$?
    case $rc in
      0) BENCH_SERVING+=("$name") ;;
      3) BENCH_NOT_SERVING+=("$name") ;;
      *) topo_die "bench/scenarios/$name.sh supports $1 failed (status $rc)" || return 1 ;;
    esac
  done
}

# _bench_scenario ACTION NAME PROTO VPORT [VAR=VALUE...] -> the scenario's
# script with the contract's environment for this bench, VAR=VALUE on top
# (a scenario's own options, or another farm: BACKENDS, WEIGHTS).
_bench_scenario() {
  local action="$1" name="$2" proto="$3" vport="$4"; shift 4
  [[ -n "$_BENCH_SCENARIO_STATE" ]] || topo_mktemp_var _BENCH_SCENARIO_STATE scenario
  env LB_NS="$(topo_ns lb)" LB_IN="$LB_IN" LB_OUT="$LB_OUT" VIP="$BENCH_VIP" VPORT="$vport" \
    PROTO="$proto" BACKENDS="${BENCH_BACKENDS[*]}" WEIGHTS="$BENCH_WEIGHTS" SNAT_ADDR="$BENCH_LB_OUT_IP" \
    BENCH_BUILD_DIR="$BENCH_BUILD_DIR" SCENARIO_STATE_DIR="$_BENCH_SCENARIO_STATE" "$@" \
    "$_bench_scenario_dir/$name.sh" "$action"
}

# bench_scenario_supports NAME PROTO -> status 0 if the scenario serves PROTO,
# 3 if not; anything else is the script's failure.
bench_scenario_supports() { "$_bench_scenario_dir/$1.sh" supports "$2"; }

# bench_scenario_up NAME PROTO VPORT [VAR=VALUE...] -> set the scenario up.
# It is recorded first: a setup that fails halfway is torn down too.
bench_scenario_up() {
  if ((${#_BENCH_ACTIVE[@]})); then
    topo_die "scenario ${_BENCH_ACTIVE[0]} is still set up" || return 1
  fi
  if [[ -z "${_BENCH_SCENARIO_HOOKED:-}" ]]; then
    topo_on_down 'bench_scenario_down || true'
    _BENCH_SCENARIO_HOOKED=1
  fi
  _BENCH_ACTIVE=("$@")
  _bench_scenario setup "$@"
}

# bench_scenario_down -> tear down the scenario set up last, if any.
bench_scenario_down() {
  ((${#_BENCH_ACTIVE[@]})) || return 0
  local -a active=("${_BENCH_ACTIVE[@]}")
  _BENCH_ACTIVE=()
  _bench_scenario teardown "${active[@]}"
}

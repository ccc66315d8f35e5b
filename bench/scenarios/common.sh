# shellcheck shell=bash
# bench/scenarios/common.sh -- what the bench's own scenario scripts share.
# The contract every scenario follows (bench/run calls them so):
#   bench/scenarios/NAME.sh setup|teardown
# with LB_NS, LB_IN, LB_OUT, VIP, VPORT, PROTO, BACKENDS, WEIGHTS, SNAT_ADDR
# in the environment; bench/run also passes BENCH_BUILD_DIR (where the
# binaries and BPF objects are) and SCENARIO_STATE_DIR (a directory of this
# run, for what setup must leave to teardown), which scripts may ignore.
#   bench/scenarios/NAME.sh supports udp|tcp
# needs no environment: exit 0 if the scenario serves a farm of that
# protocol, 3 if it does not (bench/run and the suites skip it then).

scenario_die() { echo "[${0##*/}] ERROR: $*" >&2; exit 1; }

# scenario_supports ASKED SUPPORTED... -> the supports action: exit 0 if
# ASKED is one of SUPPORTED, 3 if not.
scenario_supports() {
  local asked="${1:-}" proto
  shift
  [[ "$asked" == udp || "$asked" == tcp ]] || scenario_die "supports: udp or tcp, got '$asked'"
  for proto; do [[ "$proto" == "$asked" ]] && exit 0; done
  exit 3
}

scenario_require_env() {
  local name
  for name in LB_NS LB_IN LB_OUT VIP VPORT PROTO BACKENDS WEIGHTS SNAT_ADDR BENCH_BUILD_DIR SCENARIO_STATE_DIR; do
    [[ -n "${!name:-}" ]] || scenario_die "$name is not set (run by bench/run)"
  done
}

# scenario_next_hop_mac -> the MAC of the first backend's address, as the LB
# namespace resolves it (the sink answers ARP).
scenario_next_hop_mac() {
  local first=${BACKENDS%% *}
  ip netns exec "$LB_NS" ping -c 1 -W 1 "$first" >/dev/null 2>&1 || true
  ip -n "$LB_NS" -j neigh show "$first" dev "$LB_OUT" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["lladdr"])'
}

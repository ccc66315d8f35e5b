# shellcheck shell=bash
# bench/scenarios/lib/netfilter_common.sh -- what the netfilter scenarios
# (nftables.sh, iptables.sh) share: checking the scenario contract's
# environment, running commands in the LB namespace, forwarding, and
# forgetting the service's tracked connections. Source it; don't run it.
# (haproxy.sh uses its checks of the contract and in_lb too.)
#
# After scenario_check_env: BACKEND_LIST and WEIGHT_LIST (arrays, same
# order), WEIGHT_SUM, and PROTO/VIP/VPORT/SNAT_ADDR/LB_IN/LB_OUT checked.

[[ -n "${_XDPLB_NETFILTER_COMMON_SH:-}" ]] && return 0
_XDPLB_NETFILTER_COMMON_SH=1

SCENARIO_NAME=$(basename -- "$0" .sh)
# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

# die MESSAGE -> the one line the contract promises, on stderr; exit 1.
die() { echo "$SCENARIO_NAME: $*" >&2; exit 1; }

# in_lb CMD... -> CMD inside the LB namespace.
in_lb() { ip netns exec "$LB_NS" "$@"; }

# (No `| grep -q` under pipefail here or in the scenarios: grep's early exit
# can kill the writer with SIGPIPE and turn a match into a failure.)
lb_ns_exists() { [[ -e "/run/netns/$LB_NS" && "$LB_NS" != */* && "$LB_NS" != . && "$LB_NS" != .. ]]; }

_is_ipv4() {
  local IFS=. part
  local -a parts
  [[ "$1" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  read -ra parts <<<"$1"
  for part in "${parts[@]}"; do ((10#$part <= 255)) || return 1; done
}

# scenario_check_env -> every contract variable present and well-formed, the
# namespace and its two interfaces there; otherwise die with one line.
scenario_check_env() {
  local var addr w i
  for var in LB_NS LB_IN LB_OUT VIP VPORT PROTO BACKENDS WEIGHTS SNAT_ADDR; do
    [[ -n "${!var:-}" ]] || die "missing environment variable $var"
  done
  [[ "$PROTO" == tcp || "$PROTO" == udp ]] || die "PROTO must be tcp or udp, got '$PROTO'"
  if ! [[ "$VPORT" =~ ^[0-9]{1,5}$ ]] || ((10#$VPORT < 1 || 10#$VPORT > 65535)); then
    die "VPORT must be a port number 1-65535, got '$VPORT'"
  fi
  _is_ipv4 "$VIP" || die "VIP must be an IPv4 address, got '$VIP'"
  _is_ipv4 "$SNAT_ADDR" || die "SNAT_ADDR must be an IPv4 address, got '$SNAT_ADDR'"
  read -ra BACKEND_LIST <<<"$BACKENDS"
  read -ra WEIGHT_LIST <<<"$WEIGHTS"
  ((${#BACKEND_LIST[@]} == ${#WEIGHT_LIST[@]})) ||
    die "BACKENDS has ${#BACKEND_LIST[@]} addresses but WEIGHTS has ${#WEIGHT_LIST[@]} weights"
  for addr in "${BACKEND_LIST[@]}"; do
    _is_ipv4 "$addr" || die "BACKENDS: '$addr' is not an IPv4 address"
  done
  WEIGHT_SUM=0
  for i in "${!WEIGHT_LIST[@]}"; do
    w=${WEIGHT_LIST[i]}
    # A backend with weight 0 would get no share at all: leave it out instead.
    # The bound keeps the sum far inside the 32-bit numbers both renderings use.
    if ! [[ "$w" =~ ^[0-9]{1,6}$ ]] || ((10#$w < 1)); then
      die "WEIGHTS: '$w' (for ${BACKEND_LIST[i]}) is not an integer 1-999999"
    fi
    WEIGHT_LIST[i]=$((10#$w))
    WEIGHT_SUM=$((WEIGHT_SUM + WEIGHT_LIST[i]))
  done
  lb_ns_exists || die "network namespace '$LB_NS' does not exist"
  for var in LB_IN LB_OUT; do
    in_lb ip link show dev "${!var}" >/dev/null 2>&1 ||
      die "$var: no interface '${!var}' in namespace $LB_NS"
  done
}

# forwarding_enable -> turn on IPv4 forwarding in the LB namespace; succeeds
# (status 0) only if this call switched it on, so setup can remember to
# switch it off again in teardown.
forwarding_enable() {
  [[ "$(in_lb sysctl -n net.ipv4.ip_forward)" == 1 ]] && return 1
  in_lb sysctl -qw net.ipv4.ip_forward=1 || die "cannot enable net.ipv4.ip_forward in $LB_NS"
}

forwarding_disable() {
  in_lb sysctl -qw net.ipv4.ip_forward=0 || die "cannot disable net.ipv4.ip_forward in $LB_NS"
}

# forget_service_conntrack -> delete the tracked connections to VIP:VPORT.
# They carry this scenario's NAT bindings (and marks): left behind, they would
# keep steering any packet of a reused tuple (a generator replays the same
# flows) to the old backend after the rules are gone, and into whichever
# scenario runs next. conntrack exits 1 when nothing matched, which is fine.
forget_service_conntrack() {
  in_lb conntrack -D -p "$PROTO" --orig-dst "$VIP" --orig-port-dst "$VPORT" >/dev/null 2>&1 || true
}

# scenario_main "$@" -> dispatch setup|teardown to scenario_setup /
# scenario_teardown (defined by the scenario). teardown of a namespace that
# is gone has nothing left to remove.
scenario_main() {
  case "${1:-}" in
    setup)
      scenario_check_env
      scenario_setup ;;
    teardown)
      [[ -n "${LB_NS:-}" ]] || die "missing environment variable LB_NS"
      lb_ns_exists || exit 0
      scenario_check_env
      scenario_teardown ;;
    supports) scenario_supports "${2:-}" udp tcp ;;
    *) die "usage: $0 setup|teardown|supports udp|tcp (contract environment: LB_NS LB_IN LB_OUT VIP VPORT PROTO BACKENDS WEIGHTS SNAT_ADDR)" ;;
  esac
}

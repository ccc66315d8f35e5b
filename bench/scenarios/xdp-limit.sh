#!/usr/bin/env bash
# bench/scenarios/xdp-limit.sh setup|teardown -- the ceiling of the bench: an
# XDP program on LB_IN that sets the MACs and redirects every frame out of
# LB_OUT (bench/bpf/xdp_redirect.bpf.c). No balancing at all.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"
# shellcheck source=../lib/xdp.sh
source "$here/../lib/xdp.sh"

case "${1:-}" in
  setup)
    scenario_require_env
    next_hop_mac=$(scenario_next_hop_mac) || scenario_die "cannot resolve the backends' MAC"
    out_mac=$(ip -n "$LB_NS" -j link show dev "$LB_OUT" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
    out_ifindex=$(ip -n "$LB_NS" -j link show dev "$LB_OUT" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["ifindex"])')
    xdp_attach "$LB_NS" "$LB_IN" "$BENCH_BUILD_DIR/bench/xdp_redirect.bpf.o" || exit 1
    # A devmap resolves the ifindex in the namespace of whoever writes it: LB_NS.
    # shellcheck disable=SC2046  # the byte lists split into words on purpose
    ip netns exec "$LB_NS" bpftool map update id "$(xdp_map_id "$LB_NS" "$LB_IN" redirect_port)" \
      key 0 0 0 0 value $(xdp_u32_bytes "$out_ifindex")
    # shellcheck disable=SC2046
    bpftool map update id "$(xdp_map_id "$LB_NS" "$LB_IN" redirect_config)" \
      key 0 0 0 0 value $(xdp_mac_bytes "$out_mac") $(xdp_mac_bytes "$next_hop_mac")
    ;;
  teardown)
    scenario_require_env
    xdp_detach "$LB_NS" "$LB_IN"
    ;;
  # It rewrites no address: a connection to the VIP reaches no server. It is
  # the ceiling of the packet benchmark, whose frames are UDP.
  supports) scenario_supports "${2:-}" udp ;;
  *) scenario_die "usage: ${0##*/} setup|teardown|supports udp|tcp" ;;
esac

# shellcheck shell=bash disable=SC2034  # variables here are for the caller
# bench/lib/topology.sh -- the throughput bench: three network namespaces in a
# line, each link a veth pair, with no bridge in the path to cost cycles.
#
#   gen (eth0 198.18.0.2) ---- (eth0 198.18.0.1) lb (eth1 198.18.1.1) ---- (eth0) sink
#                                                                   198.18.1.11 .12 .13
#
# gen sends with xdplb-pktgen; lb holds the scenario under test; sink holds the
# backends' addresses and bench/bpf/sink.bpf.c, which counts and drops what
# the load balancer forwards. The TCP suites use the same namespaces with real
# programs at both ends (bench_tcp_topology_up): a client in gen, servers on
# the backends' addresses in sink. It builds on tests/e2e/lib/topology.sh, whose
# registry removes every namespace, process and temp dir on exit, pass or fail.

[[ -n "${_XDPLB_BENCH_TOPOLOGY_SH:-}" ]] && return 0
_XDPLB_BENCH_TOPOLOGY_SH=1

_bench_lib=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tests/e2e/lib/topology.sh
source "$_bench_lib/../../tests/e2e/lib/topology.sh"

BENCH_GEN_IP=198.18.0.2
BENCH_LB_IN_IP=198.18.0.1
BENCH_LB_OUT_IP=198.18.1.1
BENCH_BACKENDS=(198.18.1.11 198.18.1.12 198.18.1.13)
BENCH_VIP=198.18.0.100
BENCH_FLOW_SOURCES=198.19.0.0/16   # xdplb-pktgen's source addresses
LB_IN=eth0
LB_OUT=eth1

# bench_topology_up -> build the three namespaces and their links.
bench_topology_up() {
  local ns ip
  [[ $EUID -eq 0 ]] || topo_die "must run as root" || return 1
  if ip netns list | grep -q "^${TOPO_PREFIX}"; then
    topo_die "namespaces with prefix ${TOPO_PREFIX} already exist; set TOPO_RUN_ID" || return 1
  fi
  for ns in gen lb sink; do _topo_add_ns "$ns" || return 1; done
  _topo_veth gen eth0 lb "$LB_IN" || return 1
  _topo_veth lb "$LB_OUT" sink eth0 || return 1

  _topo_ip gen addr add "$BENCH_GEN_IP/24" dev eth0 || return 1
  _topo_ip gen route add default via "$BENCH_LB_IN_IP" || return 1
  _topo_ip lb addr add "$BENCH_LB_IN_IP/24" dev "$LB_IN" || return 1
  _topo_ip lb addr add "$BENCH_VIP/32" dev "$LB_IN" || return 1
  _topo_ip lb addr add "$BENCH_LB_OUT_IP/24" dev "$LB_OUT" || return 1
  _topo_ip lb route add "$BENCH_FLOW_SOURCES" via "$BENCH_GEN_IP" || return 1
  for ip in "${BENCH_BACKENDS[@]}"; do
    _topo_ip sink addr add "$ip/24" dev eth0 || return 1
  done
  _topo_ip sink route add default via "$BENCH_LB_OUT_IP" || return 1

  _topo_sysctl lb net.ipv4.ip_forward=1 || return 1
  local conf
  for conf in all default "$LB_IN" "$LB_OUT"; do
    _topo_sysctl lb "net.ipv4.conf.$conf.rp_filter=0" || return 1
  done
  # Frames XDP sends into a veth are delivered only where the peer has GRO
  # (or an XDP program): gen's frames into lb, lb's redirects into sink.
  _topo_gro lb "$LB_IN" || return 1
  _topo_gro lb "$LB_OUT" || return 1
  _topo_gro sink eth0 || return 1
  topo_log "bench up: prefix ${TOPO_PREFIX}"
}

# bench_tcp_topology_up -> the same bench for the TCP suites (bench/suites),
# where gen is a client with a TCP stack and sink holds real servers on the
# backends' addresses, which the caller starts (tests/e2e/lib/servers.sh).
bench_tcp_topology_up() {
  bench_topology_up || return 1
  # A veth hands packets over with partial checksums, which an XDP program
  # that rewrites addresses cannot complete (tests/e2e/lib/topology.sh,
  # _topo_tx_csum): the two senders into lb complete theirs, for every
  # scenario alike.
  in_ns gen ethtool -K eth0 tx off >/dev/null || topo_die "cannot turn tx checksum off on gen:eth0" || return 1
  in_ns sink ethtool -K eth0 tx off >/dev/null || topo_die "cannot turn tx checksum off on sink:eth0" || return 1
  # Replies come back: lb's redirects into gen need GRO there too.
  _topo_gro gen eth0 || return 1
  # A client that opens thousands of connections a second: every port above
  # the well-known ones, and ports in TIME_WAIT reused for new connections.
  _topo_sysctl gen "net.ipv4.ip_local_port_range=1024 65535" || return 1
  _topo_sysctl gen net.ipv4.tcp_tw_reuse=1 || return 1
  # Servers that keep no TIME_WAIT. Behind SNAT, a new connection often comes
  # from the tuple of a recent one, and a Linux client's timestamps start at
  # a random offset per connection (net.ipv4.tcp_timestamps=1, the default):
  # the TIME_WAIT socket would refuse the SYN (PAWS) half the time, for a
  # retransmission a second later, the more so the more connections earlier
  # runs left there.
  _topo_sysctl sink net.ipv4.tcp_max_tw_buckets=0
}

# bench_mac NS IF -> the MAC address of IF in this run's namespace NS.
bench_mac() {
  ip -n "${TOPO_PREFIX}$1" -j link show dev "$2" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])'
}

#!/usr/bin/env bash
# End-to-end test of ICMP through xdplb on the namespace bench:
# - pings from the client to the IPv4 and IPv6 VIPs are answered by the XDP
#   program itself (lbd's tx_icmp_echo_reply counter moves by the number of
#   pings), while a ping to the LB's own address is left to the kernel;
# - a UDP farm whose backend has no listener on the port: a connected UDP
#   socket on the client gets ConnectionRefusedError, which only the backend's
#   port unreachable, translated back through the load balancer, can cause.
#   In SNAT and in DNAT mode, over IPv4 and IPv6.
# Everything it builds is removed at the end.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

PINGS=5
QUIET_PORT=7777   # nothing listens on it on the backend

# client_runs_xdp_pass -> an XDP program that passes everything on the
# client's eth0. veth hands an XDP_TX frame to its peer only when the peer
# runs an XDP program itself (GRO, enough for redirected frames, is not: the
# kernel flushes XDP_TX batches to a peer with a program only). A real NIC
# needs nothing of the kind.
client_runs_xdp_pass() {
  local dir
  topo_mktemp_var dir xdp
  printf '%s\n' '__attribute__((section("xdp"), used)) int xdp_pass(void *ctx) { return 2; /* XDP_PASS */ }' \
    'char _license[] __attribute__((section("license"), used)) = "GPL";' >"$dir/pass.c"
  clang -O2 -target bpf -c "$dir/pass.c" -o "$dir/pass.o" &&
    _topo_ip client link set dev eth0 xdpdrv obj "$dir/pass.o" sec xdp
}

# reason_count NAME -> lbd's counter of that reason.
reason_count() {
  lbctl_ns --json stats | python3 -c '
import json, sys
print(json.load(sys.stdin)["reasons"].get(sys.argv[1], 0))' "$1"
}

# pings_answered_by_xdp ADDR -> PINGS pings to ADDR all answered, each by the program.
pings_answered_by_xdp() {
  local addr="$1" before after
  before=$(reason_count tx_icmp_echo_reply)
  in_ns client ping -n -q -c "$PINGS" -i 0.2 -W 2 "$addr" >/dev/null ||
    { echo "  ping $addr: not every ping answered"; return 1; }
  after=$(reason_count tx_icmp_echo_reply)
  ((after - before == PINGS)) ||
    { echo "  tx_icmp_echo_reply moved by $((after - before)), want $PINGS"; return 1; }
}

# ping_left_to_kernel ADDR -> a ping to a non-VIP address of the LB is answered, not by the program.
ping_left_to_kernel() {
  local addr="$1" before after
  before=$(reason_count tx_icmp_echo_reply)
  in_ns client ping -n -q -c 1 -W 2 "$addr" >/dev/null || { echo "  ping $addr: no answer"; return 1; }
  after=$(reason_count tx_icmp_echo_reply)
  ((after == before)) || { echo "  tx_icmp_echo_reply moved by $((after - before)), want 0"; return 1; }
}

# refused_through_lb ADDR -> a connected UDP socket to ADDR:QUIET_PORT sees the
# port refused, and lbd counted a translated ICMP error.
refused_through_lb() {
  local addr="$1" before after outcome
  before=$(reason_count fwd_icmp_error)
  outcome=$(in_ns client python3 -c '
import socket, sys
address, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in address else socket.AF_INET
with socket.socket(family, socket.SOCK_DGRAM) as s:
    s.settimeout(3)
    s.connect((address, port))
    s.send(b"anyone there?")
    try:
        s.recv(64)
        print("answered")
    except ConnectionRefusedError:
        print("refused")
    except TimeoutError:
        print("no answer in 3 s")' "$addr" "$QUIET_PORT") || outcome="client script failed"
  [[ "$outcome" == refused ]] || { echo "  $outcome"; return 1; }
  after=$(reason_count fwd_icmp_error)
  ((after > before)) || { echo "  fwd_icmp_error did not move"; return 1; }
}

test_mode() {
  local mode="$1"
  lbctl_ns farm set quiet --mode "$mode" >/dev/null
  lbctl_ns farm set quiet6 --mode "$mode" >/dev/null
  check "$mode: UDP to $VIP:$QUIET_PORT refused by the backend, through the LB" refused_through_lb "$VIP"
  check "$mode: UDP to [$VIP6]:$QUIET_PORT refused by the backend, through the LB" refused_through_lb "$VIP6"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 80
  TOPO_TX_CSUM_OFF=1   # see topology.sh: XDP NAT needs complete checksums
  topo_up 1
  client_runs_xdp_pass
  topo_add_vip "$VIP"
  topo_add_vip "$VIP6"
  lb_start
  lbctl_ns farm add quiet --vip "$VIP" --port "$QUIET_PORT" --proto udp >/dev/null
  lbctl_ns backend add quiet b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns farm add quiet6 --vip "$VIP6" --port "$QUIET_PORT" --proto udp >/dev/null
  lbctl_ns backend add quiet6 b1 --ip "$(backend_ip6 1)" >/dev/null

  check "$PINGS pings to $VIP answered by the XDP program" pings_answered_by_xdp "$VIP"
  check "$PINGS pings to $VIP6 answered by the XDP program" pings_answered_by_xdp "$VIP6"
  check "a ping to $LB_CLIENT_IP is left to the kernel" ping_left_to_kernel "$LB_CLIENT_IP"
  test_mode snat
  test_mode dnat

  lbctl_ns farm del quiet >/dev/null
  check "without its farm, $VIP is no longer answered by the program" ping_left_to_kernel "$VIP"
  lb_stop
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  report_summary icmp_vip
}

main "$@"

#!/usr/bin/env bash
# End-to-end test of DSR farms on ports "80,8000-8100", IPv4 and IPv6. The
# backends (real nginx) hold the VIP on their loopback (arp_ignore=1,
# arp_announce=2) and share the switch with the LB's eth1; they answer the
# client directly through a router namespace that the LB is not part of:
#
#   client eth0 ---- eth0 lb eth1 ---- sw ---- b1, b2, b3 (VIP on lo)
#   client eth1 ---- eth1 rt eth0 ---- sw      (the backends' default route)
#
# Checks: lbd made a managed neighbour entry for every backend, so that no
# packet is dropped for want of one, from the first connection on;
# connections to two ports of the farm are all answered, spread 1:2:7 over
# the backends; a 10 MiB download arrives intact; lbd counted every connection
# and no packet toward the client, the LB received almost nothing from the
# backends while the router carried the replies; DSR's validation refuses what
# it cannot do; the entries go with their backends (backend del, a change of
# mode, lbd's stop) and come back with the restored state, but a permanent
# entry the operator made stays. Everything it builds is removed at the end.
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

PORTS="$HTTP_PORT,8000-8100"   # HTTP_ALT_PORT (8080) lies in the range
CONNECTIONS=1000               # per family to HTTP_PORT; half as many to HTTP_ALT_PORT
TOLERANCE_PP=4                 # 1000 connections: more than 4 standard deviations at 70 %
declare -A SHARE=([b1]=10 [b2]=20 [b3]=70)

# The router between the backends' segment and the client's second leg.
RT_SWITCH_IP=198.18.1.254
RT_SWITCH_IP6=fd00:1::fe
RT_CLIENT_IP=198.18.3.1
RT_CLIENT_IP6=fd00:3::1
CLIENT_RT_IP=198.18.3.2
CLIENT_RT_IP6=fd00:3::2

add_reply_router() {
  _topo_add_ns rt
  _topo_veth rt eth0 sw p-rt
  _topo_ip sw link set p-rt master br0
  _topo_veth rt eth1 client eth1
  _topo_ip rt addr add "$RT_SWITCH_IP/24" dev eth0
  _topo_ip rt addr add "$RT_SWITCH_IP6/64" dev eth0 nodad
  _topo_ip rt addr add "$RT_CLIENT_IP/24" dev eth1
  _topo_ip rt addr add "$RT_CLIENT_IP6/64" dev eth1 nodad
  _topo_ip client addr add "$CLIENT_RT_IP/24" dev eth1
  _topo_ip client addr add "$CLIENT_RT_IP6/64" dev eth1 nodad
  _topo_ip rt route add "$CLIENT_NET" via "$CLIENT_RT_IP"
  _topo_ip rt route add fd00::/64 via "$CLIENT_RT_IP6"
  _topo_sysctl rt net.ipv4.ip_forward=1
  _topo_sysctl rt net.ipv6.conf.all.forwarding=1
  # Replies from the VIP arrive on legs that do not lead to the VIP.
  local conf
  for conf in all default eth0 eth1; do
    _topo_sysctl rt "net.ipv4.conf.$conf.rp_filter=0"
    _topo_sysctl client "net.ipv4.conf.$conf.rp_filter=0"
  done
}

# The backend side of DSR, as docs/dsr.md describes it.
prepare_backends() {
  local name
  for name in "${BACKEND_NAMES[@]}"; do
    _topo_ip "$name" addr add "$VIP/32" dev lo
    _topo_ip "$name" addr add "$VIP6/128" dev lo
    _topo_sysctl "$name" net.ipv4.conf.all.arp_ignore=1
    _topo_sysctl "$name" net.ipv4.conf.all.arp_announce=2
    _topo_ip "$name" route replace default via "$RT_SWITCH_IP"
    _topo_ip "$name" -6 route replace default via "$RT_SWITCH_IP6"
  done
}

# lb_neigh ADDR -> the LB's neighbour entry for ADDR on eth1 as `ip -d neigh`
# shows it, "" when there is none.
lb_neigh() {
  in_ns lb ip -d neigh show to "$1" dev eth1
}

# The LB sends the backends nothing itself: lbd keeps a managed neighbour
# entry for each DSR backend, which the kernel resolves (docs/dsr.md). lbd
# makes it before its API answers, so it is there at once.
managed_entries() {
  local address line ok=0
  for address in "$@"; do
    line=$(lb_neigh "$address")
    [[ "$line" == *" managed "* ]] || { echo "  $address: ${line:-no entry}"; ok=1; }
  done
  return $ok
}

# resolved ADDR... -> each has a MAC address within 5 s.
resolved() {
  local address deadline=$((SECONDS + 5))
  for address in "$@"; do
    until [[ "$(lb_neigh "$address")" == *lladdr* ]]; do
      ((SECONDS < deadline)) || { echo "  $address: $(lb_neigh "$address")"; return 1; }
      sleep 0.1
    done
  done
}

no_entry() {
  local address ok=0
  for address in "$@"; do
    [[ -z "$(lb_neigh "$address")" ]] || { echo "  $address: $(lb_neigh "$address")"; ok=1; }
  done
  return $ok
}

permanent_entry() {
  local line
  line=$(lb_neigh "$1")
  [[ "$line" == *PERMANENT* && "$line" != *managed* ]] || { echo "  $1: ${line:-no entry}"; return 1; }
}

all_backend_addresses() {
  local i
  for i in 1 2 3; do backend_ip "$i"; backend_ip6 "$i"; done
}

configure_farms() {
  local farm vip i address weight
  for farm in web web6; do
    vip=$VIP; [[ "$farm" == web6 ]] && vip=$VIP6
    lbctl_ns farm add "$farm" --vip "$vip" --port "$PORTS" --proto tcp --mode dsr >/dev/null
    for i in 1 2 3; do
      address=$(backend_ip "$i"); [[ "$farm" == web6 ]] && address=$(backend_ip6 "$i")
      weight=$((SHARE["b$i"] / 10))
      lbctl_ns backend add "$farm" "b$i" --ip "$address" --weight "$weight" >/dev/null
    done
  done
}

# refused DESC EXPECTED ARGS... -> lbctl ARGS fails with a message holding EXPECTED.
refused() {
  local desc="$1" expected="$2" out
  shift 2
  if out=$(lbctl_ns "$@" 2>&1); then
    fail "$desc: refused (it was accepted)"
    return
  fi
  if [[ "$out" == *"$expected"* ]]; then pass "$desc: refused"; else fail "$desc: refused with '$out'"; fi
}

check_validation() {
  echo "== validation"
  refused "dsr farm with a SNAT address" "snat_addr applies to snat mode only" \
    farm add bad --vip 198.18.0.101 --port 80 --proto tcp --mode dsr --snat-addr "$LB_BACKEND_IP"
  refused "dsr backend on another port" "dsr mode cannot change ports" \
    backend add web b9 --ip 198.18.1.19 --port 8081
  refused "dsr backend of the other family" "is IPv6 but the VIP is IPv4" \
    backend add web b9 --ip fd00:1::19
  refused "a port of the range in another farm" "farms 'web' and 'other' would both serve port 8050/tcp of $VIP" \
    farm add other --vip "$VIP" --port 8050 --proto tcp
  refused "a range that ends before it starts" "range 90-80 ends before it starts" \
    farm add other --vip "$VIP" --port 90-80 --proto tcp
  refused "port 0" "port 0 is out of range 1-65535" farm add other --vip "$VIP" --port 0 --proto tcp
  check "lbctl farm show renders the port list" shows_ports
}

shows_ports() {
  local shown
  shown=$(lbctl_ns farm show web)
  grep -q "^port: *80,8000-8100$" <<<"$shown" && grep -q "^mode: *dsr$" <<<"$shown" && return 0
  echo "  | ${shown//$'\n'/$'\n'  | }"
  return 1
}

all_answered() {
  local count="$1"
  ((TALLY_FAILED == 0 && $(tally_total) == count)) && return 0
  echo "  $TALLY_FAILED of $count failed: ${TALLY_ERRORS[*]}"
  return 1
}

shares_near_weights() {
  local count="$1" tolerance="$2" name got ok=0
  for name in b1 b2 b3; do
    got=$((100 * ${TALLY[$name]:-0} / count))
    echo "  $name: $got % (weight share ${SHARE[$name]} %)"
    ((got >= SHARE[$name] - tolerance && got <= SHARE[$name] + tolerance)) || ok=1
  done
  return $ok
}

big_download_intact() {
  local url="$1" got
  got=$(in_ns client curl -s -g -m 60 "$url" | sha256sum | awk '{print $1}')
  [[ "$got" == "$BIG_SHA256" ]] || { echo "  sha256 $got, want $BIG_SHA256"; return 1; }
}

# interface_packets NS IF rx|tx -> its packet counter.
interface_packets() {
  in_ns "$1" ip -s -j link show "$2" | python3 -c "
import json, sys
print(json.load(sys.stdin)[0]['stats64']['$3']['packets'])"
}

# farm_counter FARM KEY... -> a number out of lbd's stats of FARM.
farm_counter() {
  local farm="$1"; shift
  lbctl_ns --json stats "$farm" | python3 -c '
import json, sys
value = json.load(sys.stdin)["farms"][0]
for key in sys.argv[1:]:
    value = value[key]
print(value)' "$@"
}

dsr_drops() {
  lbctl_ns --json stats | python3 -c '
import json, sys
reasons = json.load(sys.stdin)["reasons"]
print(sum(n for name, n in reasons.items() if name.startswith("drop_dsr_")))'
}

test_family() {
  local farm="$1" vip="$2" url_host="$3" alt_count=$((CONNECTIONS / 2))
  local lb_rx_before rt_tx_before lb_rx rt_tx flows=$((CONNECTIONS + alt_count))
  echo "== $farm: DSR to $vip, ports $PORTS"
  lb_rx_before=$(interface_packets lb eth1 rx)
  rt_tx_before=$(interface_packets rt eth1 tx)

  vip_tally tcp client "$vip" "$HTTP_PORT" "$CONNECTIONS"
  check "$farm: all $CONNECTIONS connections to port $HTTP_PORT answered" all_answered "$CONNECTIONS"
  check "$farm: port $HTTP_PORT shares within ±$TOLERANCE_PP pp of 10/20/70 %" \
    shares_near_weights "$CONNECTIONS" "$TOLERANCE_PP"
  vip_tally tcp client "$vip" "$HTTP_ALT_PORT" "$alt_count"
  check "$farm: all $alt_count connections to port $HTTP_ALT_PORT (in the range) answered" \
    all_answered "$alt_count"
  check "$farm: port $HTTP_ALT_PORT shares within ±$((TOLERANCE_PP + 2)) pp of 10/20/70 %" \
    shares_near_weights "$alt_count" $((TOLERANCE_PP + 2))

  lb_rx=$(($(interface_packets lb eth1 rx) - lb_rx_before))
  rt_tx=$(($(interface_packets rt eth1 tx) - rt_tx_before))
  replies_bypass_the_lb() {
    echo "  router carried $rt_tx packets to the client; lb eth1 received $lb_rx"
    # Each flow's backend sends at least SYN-ACK, data and FIN.
    ((rt_tx >= 3 * flows && lb_rx < flows / 10))
  }
  check "$farm: replies went through the router, not the LB" replies_bypass_the_lb
  counted_one_way() {
    local connections to_client
    connections=$(farm_counter "$farm" connections)
    to_client=$(farm_counter "$farm" to_client packets)
    echo "  lbd: $connections connections, $to_client packets toward the client"
    ((connections == flows && to_client == 0))
  }
  check "$farm: lbd counted $flows connections and no packet toward the client" counted_one_way
  check "$farm: 10 MiB download arrives intact" big_download_intact "http://$url_host:$HTTP_ALT_PORT/big"
}

# The entries follow the backends; one an operator made is never lbd's.
check_entries_follow_backends() {
  local b2 b3 b2_mac
  b2=$(backend_ip 2)
  b3=$(backend_ip 3)
  echo "== neighbour entries follow the DSR backends"
  lbctl_ns backend del web b3 >/dev/null
  check "backend del: its entry is gone" no_entry "$b3"
  lbctl_ns backend add web b3 --ip "$b3" --weight 7 >/dev/null
  check "backend add: a managed entry again" managed_entries "$b3"
  vip_tally tcp client "$VIP" "$HTTP_PORT" 100
  check "connections right after it are all answered" all_answered 100
  b3_served() { ((${TALLY[b3]:-0} > 0)) || { echo "  b3 served none"; return 1; }; }
  check "b3 served some of them" b3_served

  # The operator replaces lbd's entry of b2 with a permanent one.
  b2_mac=$(in_ns b2 cat /sys/class/net/eth0/address)
  _topo_ip lb neigh replace "$b2" dev eth1 lladdr "$b2_mac" nud permanent
  lbctl_ns backend del web b2 >/dev/null
  check "backend del leaves a permanent entry that replaced lbd's" permanent_entry "$b2"
  lbctl_ns backend add web b2 --ip "$b2" --weight 2 >/dev/null
  check "backend add keeps the permanent entry there before it" permanent_entry "$b2"
  lbctl_ns backend del web b2 >/dev/null
  check "backend del leaves it again" permanent_entry "$b2"

  lbctl_ns farm set web6 --mode snat >/dev/null
  check "mode dsr -> snat: the IPv6 backends' entries are gone" \
    no_entry "$(backend_ip6 1)" "$(backend_ip6 2)" "$(backend_ip6 3)"
}

entries_after_stop() {
  no_entry "$(backend_ip 1)" "$(backend_ip 3)" && permanent_entry "$(backend_ip 2)"
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 170
  TOPO_TX_CSUM_OFF=1   # see topology.sh: redirected frames need complete checksums
  topo_up 3
  topo_add_vip "$VIP"
  topo_add_vip "$VIP6"
  add_reply_router
  prepare_backends
  servers_start
  lb_start
  configure_farms
  local -a addresses
  mapfile -t addresses < <(all_backend_addresses)
  check "lbd made a managed neighbour entry for each backend address" managed_entries "${addresses[@]}"
  check "the kernel resolved them" resolved "${addresses[@]}"
  check_validation
  test_family web "$VIP" "$VIP"
  test_family web6 "$VIP6" "[$VIP6]"
  no_dsr_drops() {
    local drops
    drops=$(dsr_drops)
    ((drops == 0)) || { echo "  $drops packets dropped as drop_dsr_*"; return 1; }
  }
  check "no packet dropped for want of a way to a backend, from the first connection on" no_dsr_drops
  check_entries_follow_backends
  check "still no packet dropped as drop_dsr_*" no_dsr_drops
  lb_stop
  check "lbd stopped: it removed its entries and left the operator's" entries_after_stop
  lb_start
  check "lbd restarted: managed entries for the DSR backends it restored" \
    managed_entries "$(backend_ip 1)" "$(backend_ip 3)"
  lb_stop
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  report_summary dsr_farm
}

main "$@"

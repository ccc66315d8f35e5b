#!/usr/bin/env bash
# End-to-end test of IPv6 farms on the namespace bench: an HTTP farm on
# [fd00::100]:80 with backends fd00:1::11-13 weighted 1:2:7 and a UDP farm on
# port 5353, first in SNAT mode, then in DNAT mode. Every connection is
# answered, the shares land near the weights, a 10 MiB download arrives
# intact, and the UDP farm answers. Everything it builds is removed at the end.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

CONNECTIONS=1000
TOLERANCE_PP=4   # 1000 connections: 4 pp is more than 4 standard deviations at 70 %
declare -A SHARE=([b1]=10 [b2]=20 [b3]=70)

configure_farms() {
  lbctl_ns farm add web6 --vip "$VIP6" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  lbctl_ns farm add dns6 --vip "$VIP6" --port "$UDP_PORT" --proto udp --mode snat >/dev/null
  local i weight
  for i in 1 2 3; do
    weight=$((SHARE[b$i] / 10))
    lbctl_ns backend add web6 "b$i" --ip "$(backend_ip6 "$i")" --weight "$weight" >/dev/null
    lbctl_ns backend add dns6 "b$i" --ip "$(backend_ip6 "$i")" >/dev/null
  done
}

all_answered() {
  ((TALLY_FAILED == 0)) && return 0
  echo "  $TALLY_FAILED failed: ${TALLY_ERRORS[*]}"
  return 1
}

shares_near_weights() {
  local name got ok=0
  for name in b1 b2 b3; do
    got=$((100 * ${TALLY[$name]:-0} / CONNECTIONS))
    echo "  $name: $got % (weight share ${SHARE[$name]} %)"
    ((got >= SHARE[$name] - TOLERANCE_PP && got <= SHARE[$name] + TOLERANCE_PP)) || ok=1
  done
  return $ok
}

big_download_intact() {
  local got
  got=$(in_ns client curl -s -g -m 60 "http://[$VIP6]/big" | sha256sum | awk '{print $1}')
  [[ "$got" == "$BIG_SHA256" ]] || { echo "  sha256 $got, want $BIG_SHA256"; return 1; }
}

test_mode() {
  local mode="$1"
  echo "== $mode"
  vip_tally tcp client "$VIP6" "$HTTP_PORT" "$CONNECTIONS"
  check "$mode: all $CONNECTIONS connections to [$VIP6]:$HTTP_PORT answered" all_answered
  check "$mode: shares within ±$TOLERANCE_PP pp of 10/20/70 %" shares_near_weights
  check "$mode: 10 MiB download over IPv6 arrives intact" big_download_intact
  vip_tally udp client "$VIP6" "$UDP_PORT" 30
  check "$mode: 30 datagrams to [$VIP6]:$UDP_PORT answered" all_answered
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 280
  TOPO_TX_CSUM_OFF=1   # see topology.sh: XDP NAT needs complete checksums
  topo_up 3
  topo_add_vip "$VIP6"
  servers_start
  lb_start
  configure_farms
  test_mode snat
  lbctl_ns farm set web6 --mode dnat >/dev/null
  lbctl_ns farm set dns6 --mode dnat >/dev/null
  test_mode dnat
  lb_stop
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  report_summary ipv6_farm
}

main "$@"

#!/usr/bin/env bash
# The main job, end to end, in about a minute: build xdplb, build a bench of
# network namespaces (a client, the load balancer, three nginx backends),
# start lbd, balance an HTTP farm with weights 1:2:7 in SNAT mode and then in
# DNAT mode, and show where 1000 fresh connections went each time.
#
# Needs root (namespaces, XDP). Touches nothing outside the namespaces and
# temp dirs it makes, and removes them at the end, also on Ctrl-C.
# Environment: DEMO_CONNECTIONS (default 1000), DEMO_SKIP_BUILD=1 to use
# build/ as it is.
# shellcheck source-path=SCRIPTDIR/.. disable=SC2119  # optional args left out on purpose
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
e2e_lib="$repo/tests/e2e/lib"
# shellcheck source=tests/e2e/lib/topology.sh
source "$e2e_lib/topology.sh"
# shellcheck source=tests/e2e/lib/servers.sh
source "$e2e_lib/servers.sh"
# lb.sh runs build/'s lbd and lbctl unless LBD/LBCTL say otherwise.
# shellcheck source=tests/e2e/lib/lb.sh
source "$e2e_lib/lb.sh"

CONNECTIONS="${DEMO_CONNECTIONS:-1000}"
FARM=web
declare -A WEIGHT=([b1]=1 [b2]=2 [b3]=7)
WEIGHT_SUM=10
BAR_WIDTH=50          # characters for 100 %

# Headings, in bold on a terminal only (plain in logs).
if [[ -t 1 ]]; then
  bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  bold() { printf '\n== %s\n' "$*"; }
fi

# run_lbctl ARGS... -> show the command as an operator would type it, run it.
run_lbctl() {
  printf '$ lbctl %s\n' "$*"
  lbctl_ns "$@"
}

build() {
  local log
  if [[ "${DEMO_SKIP_BUILD:-0}" == 1 ]]; then
    bold "using the existing build in $repo/build"
    return 0
  fi
  bold "building xdplb (deploy/build.sh)"
  topo_mktemp_var log build
  log="$log/build.log"
  if ! "$repo/deploy/build.sh" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "demo: the build failed (last lines above)" >&2
    return 1
  fi
  echo "built: $LBD"
  echo "       $LBCTL"
}

draw_topology() {
  bold "the bench: one namespace per host"
  cat <<EOF
   client  $CLIENT_IP
     | eth0                                 clients connect to the VIP
     |                                      $VIP:$HTTP_PORT
     | eth0 $LB_CLIENT_IP (+ VIP)
   +--------------------------+
   | lb: lbd + XDP program    |   picks a backend per new connection,
   |     on eth0 and eth1     |   remembers it, rewrites the packets
   +--------------------------+
     | eth1 $LB_BACKEND_IP
     |
   [ sw: bridge br0 ]
     |-- b1 $(backend_ip 1)  nginx, weight ${WEIGHT[b1]}
     |-- b2 $(backend_ip 2)  nginx, weight ${WEIGHT[b2]}
     '-- b3 $(backend_ip 3)  nginx, weight ${WEIGHT[b3]}
EOF
}

start_bench() {
  bold "starting the bench, the backends and lbd"
  # XDP rewrites addresses, so the senders into the LB must hand it complete
  # checksums (see topology.sh).
  TOPO_TX_CSUM_OFF=1
  topo_up 3
  topo_add_vip
  servers_start
  lb_start
  echo "lbd is running in namespace $(topo_ns lb) (PID $LB_PID, log $(lb_log))"
}

configure_farm() {
  local name
  bold "an HTTP farm in SNAT mode, weights 1:2:7"
  run_lbctl farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat
  for name in b1 b2 b3; do
    run_lbctl backend add "$FARM" "$name" --ip "$(backend_ip "${name#b}")" --weight "${WEIGHT[$name]}"
  done
  echo
  run_lbctl farm show "$FARM"
}

# bar_chart -> one bar per backend from TALLY (filled by vip_tally).
bar_chart() {
  local total name n pct want bar
  total=$(tally_total)
  ((total > 0)) || { echo "no connection was answered"; return 0; }
  for name in b1 b2 b3; do
    n=${TALLY[$name]:-0}
    pct=$(awk -v n="$n" -v t="$total" 'BEGIN { printf "%.1f", 100 * n / t }')
    want=$((100 * WEIGHT[$name] / WEIGHT_SUM))
    bar=$(awk -v n="$n" -v t="$total" -v w="$BAR_WIDTH" \
      'BEGIN { k = int(w * n / t + 0.5); s = ""; for (i = 0; i < k; i++) s = s "#"; print s }')
    printf '  %-3s %-*s %5s%%  %4d connections  (weight %d: %d%%)\n' \
      "$name" "$BAR_WIDTH" "$bar" "$pct" "$n" "${WEIGHT[$name]}" "$want"
  done
  printf '  %d answered, %d failed, in %ss\n' "$total" "$TALLY_FAILED" "$TALLY_SECONDS"
}

# send_connections MODE -> CONNECTIONS fresh HTTP connections from the
# client, each answered by one backend with its name; chart where they went.
send_connections() {
  local mode="$1"
  bold "$CONNECTIONS fresh connections from the client to http://$VIP/ ($mode)"
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$CONNECTIONS"
  bar_chart
}

main() {
  if [[ $EUID -ne 0 ]]; then
    echo "demo: needs root (network namespaces, XDP)" >&2
    exit 1
  fi
  topo_install_trap
  topo_watchdog 300        # never leave the bench behind, even if stuck
  build
  lb_check_binaries
  draw_topology
  start_bench
  configure_farm

  send_connections snat
  bold "lbd's counters"
  run_lbctl stats "$FARM"

  bold "switching to DNAT: backends now see the client's address"
  run_lbctl farm set "$FARM" --mode dnat
  run_lbctl farm show "$FARM"
  send_connections dnat
  bold "lbd's counters (both runs)"
  run_lbctl stats "$FARM"

  bold "tearing down"
  lb_stop && echo "lbd stopped (XDP detached)"
  topo_down
  if topo_leftovers >/dev/null; then
    echo "all namespaces, processes and temp files of this demo are gone"
  else
    echo "demo: something was left behind: $(topo_leftovers)" >&2
    exit 1
  fi
}

main "$@"

#!/usr/bin/env bash
# Smoke test of the e2e bench itself, with no load balancer: the lb namespace
# only forwards (plain kernel routing). Checks that the client reaches every
# backend's HTTP and UDP servers through it, that the VIP answers, and that
# teardown leaves nothing behind.
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=lib/servers.sh
source "$here/lib/servers.sh"

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces)"
  exit 77
fi

# shellcheck source=lib/report.sh
source "$here/lib/report.sh"

http_name_is() {    # http_name_is IP NAME
  local got
  got=$(in_ns client curl -s -m 5 "http://$1/") || true
  [[ "$got" == "$2" ]] || { echo "  got '$got', want '$2'"; return 1; }
}

big_sha_ok() {      # big_sha_ok IP
  local got
  got=$(in_ns client curl -s -m 30 "http://$1/big" | sha256sum | awk '{print $1}')
  [[ "$got" == "$BIG_SHA256" ]] || { echo "  sha256 $got, want $BIG_SHA256"; return 1; }
}

udp_name_is() {     # udp_name_is IP NAME
  local got
  got=$(udp_ask client "$1" "$UDP_PORT" 2) || true
  [[ "$got" == "$2" ]] || { echo "  got '$got', want '$2'"; return 1; }
}

vip_answers() {
  in_ns client ping -c 1 -W 2 "$VIP" >/dev/null
}

topo_install_trap
# Stop (and clean up) well before ctest's 120 s TIMEOUT would SIGKILL us.
topo_watchdog "${SMOKE_DEADLINE:-100}"
topo_up
topo_add_vip
servers_start

for i in "${!BACKEND_NAMES[@]}"; do
  name=${BACKEND_NAMES[i]} ip=${BACKEND_IPS[i]}
  check "http  client -> $name ($ip) /    answers '$name'" http_name_is "$ip" "$name"
  check "http  client -> $name ($ip) /big sha256 matches" big_sha_ok "$ip"
  check "udp   client -> $name ($ip):$UDP_PORT answers '$name'" udp_name_is "$ip" "$name"
done
check "vip   client -> $VIP answers ping (owned by lb)" vip_answers

# Teardown, then make sure nothing of ours survived it.
pids=("${NGINX_PID[@]}" "${UDP_PID[@]}")
topo_down
check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
no_pid_left() {
  local pid
  for pid in "${pids[@]}"; do
    if ps -p "$pid" >/dev/null 2>&1; then echo "  PID $pid still running"; return 1; fi
  done
}
check "teardown: all ${#pids[@]} server processes are gone" no_pid_left

report_summary topology_smoke

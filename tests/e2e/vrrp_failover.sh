#!/usr/bin/env bash
# VRRP between two lbd nodes, and with keepalived, on one bridge:
#
#   client (198.18.0.2) ---+
#   lba    (198.18.0.11) --+-- sw: br0      VIP 198.18.0.100/24, VRID 51, advert 0.1 s
#   lbb    (198.18.0.12) --+
#   ka     (198.18.0.13) --+  (keepalived, the interop checks only)
#
# A (priority 200) owns the VIP; cut off (its port down on the switch), B
# (100) holds it within 1 s; back, A preempts; SIGTERM on A hands over at
# once. Both namespaces' addresses are polled all along: never both with
# the VIP while they hear each other. Then keepalived on the same VRID, in
# both priority orders: lbd and keepalived agree on the master. Last, IPv6
# (fd00::100/64, adverts from link-local addresses): a cut fails over, and
# the unsolicited neighbour advertisement moves the client's entry.
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

VRRP_VIP=198.18.0.100
VIP_PREFIX=24
VRID=51
topo_install_trap
lb_check_binaries
run_dir=""
topo_mktemp_var run_dir vrrp

declare -A node_ip=([client]=198.18.0.2 [lba]=198.18.0.11 [lbb]=198.18.0.12 [ka]=198.18.0.13)
declare -A node_pid=() node_log=()
starts=0

bench_up() {
  _topo_add_ns sw
  _topo_ip sw link add br0 type bridge stp_state 0 forward_delay 0
  _topo_ip sw link set br0 up
  local node
  for node in client lba lbb ka; do
    _topo_add_ns "$node"
    _topo_veth "$node" eth0 sw "p-$node"
    _topo_ip sw link set "p-$node" master br0
    _topo_ip "$node" addr add "${node_ip[$node]}/24" dev eth0
  done
  _topo_ip client addr add fd00::2/64 dev eth0 nodad
}

# node_start NODE PRIORITY -> lbd as VRRP node NODE, once its API answers.
node_start() {
  local node="$1" priority="$2"
  mkdir -p "$run_dir/$node"
  rm -f "$run_dir/$node/lbd.sock"
  starts=$((starts + 1))
  node_log[$node]="$run_dir/$node/lbd.$starts.log"
  topo_spawn "$node" "${node_log[$node]}" "$LBD" --iface eth0 --state-dir "$run_dir/$node" \
    --socket "$run_dir/$node/lbd.sock" --detach-on-exit --vrrp-iface eth0 --vrid "$VRID" --priority "$priority" \
    --vip "$VRRP_VIP/$VIP_PREFIX" --advert-int 0.1 --notify "echo \"\$1 \$2\" >> $run_dir/$node/notify"
  node_pid[$node]=$TOPO_LAST_PID
  lbd_wait_api "$node" "$run_dir/$node/lbd.sock" "${node_pid[$node]}" "${node_log[$node]}" || exit 1
}

# node_stop NODE -> SIGTERM, and wait for it to exit.
node_stop() {
  local pid="${node_pid[$1]}" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do _topo_alive "$pid" || break; sleep 0.1; done
  wait "$pid" 2>/dev/null || true
}

vrrp_state() {
  in_ns "$1" "$LBCTL" --socket "$run_dir/$1/lbd.sock" vrrp status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'
}

not() { ! "$@"; }

# never_both SECONDS -> poll both nodes for SECONDS: never both with the VIP.
never_both() {
  local end=$((SECONDS + $1))
  while ((SECONDS < end)); do
    if holds_vip lba && holds_vip lbb; then echo "  both lba and lbb hold $VRRP_VIP"; return 1; fi
    sleep 0.02
  done
}

# The client's neighbour entry for the VIP has the holder's MAC: the
# gratuitous ARP moved it without the client asking.
client_sees() {
  local mac want
  want=$(ip -n "$(topo_ns "$1")" link show eth0 | awk '/link\/ether/ {print $2}')
  mac=$(ip -n "$(topo_ns client)" neigh show "$VRRP_VIP" dev eth0 | awk '{print $3}')
  [[ "$mac" == "$want" ]] || { echo "  client has $VRRP_VIP at '$mac', $1 is $want"; return 1; }
}

bench_up
# The client learns the VIP's MAC once; afterwards only announcements change it.
in_ns client ip neigh replace "$VRRP_VIP" lladdr 02:00:00:00:00:01 dev eth0 nud stale

node_start lba 200
node_start lbb 100
check "A (priority 200) holds the VIP" wait_for_holder lba 3
check "never both for 2 s" never_both 2
check "B does not hold it" not holds_vip lbb
check "lbctl vrrp status: A is master" test "$(vrrp_state lba)" = master
check "lbctl vrrp status: B is backup" test "$(vrrp_state lbb)" = backup
check "the client's neighbour entry points at A" client_sees lba

# Cut A off: its switch port goes down, its own link stays up (no fault).
cut_at=$(now_ns)
ip -n "$(topo_ns sw)" link set p-lba down
gap=$(gap_until_holder lbb 3 "$cut_at") || true
echo "failover gap after cutting A off: ${gap} ms"
check "B holds the VIP within 1 s of the cut" gap_within "$gap" 1000
check "the client's neighbour entry points at B" client_sees lbb

# released_within NODE SECONDS -> true once NODE no longer holds the VIP.
released_within() {
  local end=$((SECONDS + $2))
  while holds_vip "$1"; do
    ((SECONDS < end)) || { echo "  $1 still holds $VRRP_VIP after $2 s"; return 1; }
    sleep 0.01
  done
}

# A comes back: it stayed master while cut off; B gives the VIP up once it
# hears A. Within 2 s: the kernel's link watch, which lets A's eth0 transmit
# again once its carrier is back, runs at most once a second, and the cut
# was just one second ago.
ip -n "$(topo_ns sw)" link set p-lba up
check "B releases the VIP once A is back" released_within lbb 2
check "A still holds it" holds_vip lba
sleep 0.3
check "never both for 2 s after A's return" never_both 2
check "the client's neighbour entry points at A again" client_sees lba

# Graceful stop: priority 0, B takes over after its skew time.
stop_at=$(now_ns)
kill -TERM "${node_pid[lba]}"
gap=$(gap_until_holder lbb 2 "$stop_at") || true
node_stop lba
echo "takeover gap after SIGTERM of A: ${gap} ms"
check "B holds the VIP within 0.3 s of A's SIGTERM" gap_within "$gap" 300
check "A removed the VIP on its way out" not holds_vip lba
check "A's notify command saw master then init" grep -q "^init master$" "$run_dir/lba/notify"
node_stop lbb

# Interop: keepalived (VRRPv3) on the same segment and VRID.
ka_start() {
  local priority="$1"
  cat >"$run_dir/keepalived.conf" <<CONF
global_defs {
  vrrp_version 3
  script_user root
  enable_script_security
}
vrrp_instance lbtest {
  state BACKUP
  interface eth0
  virtual_router_id $VRID
  priority $priority
  advert_int 0.1
  virtual_ipaddress {
    $VRRP_VIP/24 dev eth0
  }
}
CONF
  topo_spawn ka "$run_dir/keepalived.log" keepalived --dont-fork --log-console --vrrp \
    -f "$run_dir/keepalived.conf" -p "$run_dir/ka.pid" -r "$run_dir/ka-vrrp.pid"
  node_pid[ka]=$TOPO_LAST_PID
}

interop_logs() {
  echo "  lbd:"; grep VRRP "${node_log[lba]}" | tail -n 5 | sed 's/^/  | /'
  echo "  keepalived:"; tail -n 8 "$run_dir/keepalived.log" | sed 's/^/  | /'
}

agree() {   # agree MASTER OTHER -> MASTER holds the VIP and OTHER not, for 1 s
  local end=$((SECONDS + 1))
  while ((SECONDS < end)); do
    holds_vip "$1" || { echo "  $1 does not hold $VRRP_VIP"; interop_logs; return 1; }
    ! holds_vip "$2" || { echo "  $2 holds $VRRP_VIP too"; interop_logs; return 1; }
    sleep 0.05
  done
}

if command -v keepalived >/dev/null; then
  node_start lba 200
  ka_start 100
  wait_for_holder lba 3 || true
  sleep 1.5
  check "keepalived (100) follows lbd (200)" agree lba ka
  check "lbd is master in lbctl" test "$(vrrp_state lba)" = master
  node_stop ka; node_stop lba
  rm -f "$run_dir/lba/notify"

  ka_start 200
  sleep 1
  node_start lba 100
  sleep 1
  check "lbd (100) follows keepalived (200)" agree ka lba
  check "lbd is backup in lbctl" test "$(vrrp_state lba)" = backup
  node_stop lba; node_stop ka
else
  fail "keepalived is not installed (deploy/install-deps.sh)"
fi

# IPv6: a second virtual router of the other family, on the same VRID (RFC
# 5798 keeps the families apart).
VRRP_VIP=fd00::100
VIP_PREFIX=64
rm -f "$run_dir"/lb?/notify
in_ns client ip neigh replace "$VRRP_VIP" lladdr 02:00:00:00:00:01 dev eth0 nud stale
node_start lba 200
node_start lbb 100
check "IPv6: A holds the VIP" wait_for_holder lba 5
check "IPv6: never both for 1 s" never_both 1
cut_at=$(now_ns)
ip -n "$(topo_ns sw)" link set p-lba down
gap=$(gap_until_holder lbb 3 "$cut_at") || true
echo "IPv6 failover gap after cutting A off: ${gap} ms"
check "IPv6: B holds the VIP within 1 s of the cut" gap_within "$gap" 1000
check "IPv6: the client's neighbour entry points at B" client_sees lbb
node_stop lba; node_stop lbb

report_summary vrrp_failover

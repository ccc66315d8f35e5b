#!/usr/bin/env bash
# Two lbd nodes with VRRP and connection-state sync, a SNAT farm, real
# backends, and a client whose long-lived connection must survive every
# handover while new connections keep arriving:
#
#                 sw0: br0                                       sw1: br1
#   client 198.18.0.2 --+                                               +-- b1 198.18.1.11
#                       +-- eth0 lba 198.18.0.11 (200) 198.18.1.2 eth1 --+
#                       +-- eth0 lbb 198.18.0.12 (100) 198.18.1.3 eth1 --+
#                                                                       +-- b2 198.18.1.12
#
# The master holds the VIP 198.18.0.100/24 on eth0 and the SNAT address
# 198.18.1.1/24 on eth1; VRID 51, advert 0.1 s, both links tracked; each node
# syncs with the other over the backend side (--sync-peer, one key file).
#
# A cut off (both switch ports down: its links lose carrier, fault) -> B holds
# the VIP within 1 s, and a second long-lived connection opens through B; A
# back -> A asks B for everything and preempts only after "resync complete"
# (the order is read from A's log), and carries the connection it never saw;
# SIGTERM on A -> B takes over at once. The long-lived connections answer
# throughout; the gaps they saw and the new connections lost are printed.
# Both nodes' addresses are polled all along: never both with the VIP.
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

VRRP_VIP=198.18.0.100
SNAT_ADDR=198.18.1.1
topo_install_trap
topo_watchdog 110
lb_check_binaries
run_dir=""
topo_mktemp_var run_dir ha

declare -A client_ip=([client]=198.18.0.2 [lba]=198.18.0.11 [lbb]=198.18.0.12)
declare -A backend_ip=([lba]=198.18.1.2 [lbb]=198.18.1.3 [b1]=198.18.1.11 [b2]=198.18.1.12)
declare -A node_pid=() node_log=()
declare -A peer_of=([lba]=lbb [lbb]=lba)

# _bridge SW BR -> a switch namespace with one bridge.
_bridge() {
  _topo_add_ns "$1"
  _topo_ip "$1" link add "$2" type bridge stp_state 0 forward_delay 0
  _topo_ip "$1" link set "$2" up
}

# _plug NODE IF SW BR -> NODE's IF on a port of SW's bridge, GRO on both ends
# (a frame XDP redirects into a veth is delivered only then).
_plug() {
  local node="$1" ifname="$2" sw="$3" br="$4"
  _topo_veth "$node" "$ifname" "$sw" "p-$node"
  _topo_ip "$sw" link set "p-$node" master "$br"
  _topo_gro "$node" "$ifname"
  _topo_gro "$sw" "p-$node"
}

# _complete_checksums SW PORT -> TX checksum offload off on the switch port
# that transmits into an LB: the kernel then completes every checksum before
# the LB's XDP program patches it (see _topo_tx_csum in lib/topology.sh).
_complete_checksums() {
  in_ns "$1" ethtool -K "$2" tx off >/dev/null || topo_die "cannot turn tx checksum offload off on $1:$2"
}

bench_up() {
  local node
  _bridge sw0 br0
  _bridge sw1 br1
  for node in client lba lbb b1 b2; do _topo_add_ns "$node"; done
  _plug client eth0 sw0 br0
  _topo_ip client addr add "${client_ip[client]}/24" dev eth0
  for node in lba lbb; do
    _plug "$node" eth0 sw0 br0
    _plug "$node" eth1 sw1 br1
    _complete_checksums sw0 "p-$node"
    _complete_checksums sw1 "p-$node"
    _topo_ip "$node" addr add "${client_ip[$node]}/24" dev eth0
    _topo_ip "$node" addr add "${backend_ip[$node]}/24" dev eth1
    _topo_sysctl "$node" net.ipv4.conf.all.rp_filter=0
  done
  for node in b1 b2; do
    _plug "$node" eth0 sw1 br1
    _topo_ip "$node" addr add "${backend_ip[$node]}/24" dev eth0
  done
}

# node_start NODE PRIORITY -> lbd as VRRP node NODE syncing with the other,
# once its API answers; then the farm, the same on both nodes.
node_start() {
  local node="$1" priority="$2"
  mkdir -p "$run_dir/$node"
  rm -f "$run_dir/$node/lbd.sock" "$run_dir/$node/state.json"
  node_log[$node]="$run_dir/$node/lbd.log"
  topo_spawn "$node" "${node_log[$node]}" "$LBD" --iface eth0 --iface eth1 --state-dir "$run_dir/$node" \
    --socket "$run_dir/$node/lbd.sock" --vrrp-iface eth0 --vrid 51 --priority "$priority" \
    --vip "$VRRP_VIP/24" --vip "$SNAT_ADDR/24@eth1" --advert-int 0.1 --track-iface eth0 --track-iface eth1 \
    --sync-peer "${backend_ip[${peer_of[$node]}]}" --sync-key-file "$run_dir/sync.key" --metrics 127.0.0.1:9842
  node_pid[$node]=$TOPO_LAST_PID
  lbd_wait_api "$node" "$run_dir/$node/lbd.sock" "${node_pid[$node]}" "${node_log[$node]}" || exit 1
  lbctl_on "$node" farm add web --vip "$VRRP_VIP" --port 80 --proto tcp --mode snat --snat-addr "$SNAT_ADDR" >/dev/null
  lbctl_on "$node" backend add web b1 --ip "${backend_ip[b1]}" >/dev/null
  lbctl_on "$node" backend add web b2 --ip "${backend_ip[b2]}" >/dev/null
}

lbctl_on() { local node="$1"; shift; in_ns "$node" "$LBCTL" --socket "$run_dir/$node/lbd.sock" "$@"; }

# status_field NODE EXPR -> a field of NODE's vrrp status, e.g. 'j["sync"]["state"]'.
status_field() {
  lbctl_on "$1" --json vrrp status | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
}

# a_links up|down -> A's ports on both switches: down, its links lose carrier.
a_links() { ip -n "$(topo_ns sw0)" link set p-lba "$1" && ip -n "$(topo_ns sw1)" link set p-lba "$1"; }

# The poller: every 50 ms, a line in $run_dir/both for each moment both nodes hold the VIP.
poll_both() {
  while :; do
    if holds_vip lba && holds_vip lbb; then date +%T.%N >>"$run_dir/both"; fi
    sleep 0.05
  done
}

# mark PHASE -> the traffic client's line for the phase since the last mark;
# its fields land in phase_* variables.
declare -A phase=()
mark() {
  local line
  echo "mark $1" >&"${TRAFFIC[1]}"
  read -r -t 15 -u "${TRAFFIC[0]}" line || line="$1 long_error no_answer"
  echo "$line"
  phase=()
  # shellcheck disable=SC2086  # the words of the line
  set -- $line
  shift
  while (($# >= 2)); do phase[$1]=$2; shift 2; done
}

phase_note() {
  note "longest wait for an answer: ${phase[long_max_gap_ms]} ms;" \
    "new connections lost: ${phase[new_failed]} of $((phase[new_ok] + phase[new_failed]))"
}

long_lives() {
  [[ "${phase[long_error]:-}" == none ]] || { echo "  a long-lived connection: ${phase[long_error]:-?}"; return 1; }
  ((${phase[long_answers]:-0} > 0)) || { echo "  no answer on the long-lived connections"; return 1; }
}

# line_of NODE PATTERN -> the number of the first line of NODE's log matching PATTERN (0: none).
line_of() { grep -n -m1 -- "$2" "${node_log[$1]}" | cut -d: -f1 || echo 0; }

bench_up
head -c 32 /dev/urandom | base64 >"$run_dir/sync.key"
for node in b1 b2; do nginx_start "$node"; done

node_start lba 200
node_start lbb 100
deadline=$((SECONDS + 5))
until holds_vip lba || ((SECONDS >= deadline)); do sleep 0.1; done
check "A (priority 200) holds the VIP" holds_vip lba
deadline=$((SECONDS + 5))
until [[ "$(status_field lbb 'j["sync"]["state"]')" == in_sync ]] || ((SECONDS >= deadline)); do sleep 0.2; done
check "B is in sync with A after its start" test "$(status_field lbb 'j["sync"]["state"]')" = in_sync

coproc TRAFFIC { exec ip netns exec "$(topo_ns client)" python3 -u "$e2e_lib/ha_traffic.py" "$VRRP_VIP" 80 0.1; }
topo_register_pid "$TRAFFIC_PID"
poll_both &
topo_register_pid "$!"

section "steady: A master, B in sync"
sleep 2.5
mark steady
check "steady: the long-lived connection answers" long_lives
check "steady: every new connection answered" test "${phase[new_failed]}" = 0
received=$(status_field lbb 'j["sync"]["entries"]["received"]')
note "B has received $received entries"
check "steady: B received A's connections" test "$received" -gt 0
note "B's last sync datagram: $(status_field lbb 'j["sync"]["last_received_s"]') s ago"
scrape=$(in_ns lbb curl -s -m 2 http://127.0.0.1:9842/metrics)
check "B's metrics: backup, sync entries received" grep -q '^xdplb_sync_entries_total{direction="received"} [1-9]' <<<"$scrape"
check "B's metrics: VRRP state backup" grep -q '^xdplb_vrrp_state{state="backup"} 1' <<<"$scrape"
note "$(grep '^xdplb_sync_lag_seconds' <<<"$scrape")"

section "A cut off"
cut_at=$(now_ns)
a_links down
gap=$(gap_until_holder lbb 3 "$cut_at") || true
echo "failover gap after cutting A off: ${gap} ms"
check "B holds the VIP within 1 s of the cut" gap_within "$gap" 1000
# A second long-lived connection, opened through B: A learns of it only by
# its resync, and must still carry it once it has preempted.
echo open >&"${TRAFFIC[1]}"
sleep 2.5
mark cut
check "after the cut: the long-lived connections still answer" long_lives
check "after the cut: a second one opened through B" test "${phase[long_connections]}" = 2
phase_note

section "A back: resync, then preemption"
back_at=$(now_ns)
a_links up
gap=$(gap_until_holder lba 8 "$back_at") || true
echo "A holds the VIP again ${gap} ms after its links returned"
check "A takes the VIP back" test "$gap" != never
resynced=$(line_of lba "sync: resync from .* complete")
preempted=$(sed -n "$((resynced > 0 ? resynced : 1)),\$p" "${node_log[lba]}" | grep -c "VRRP: backup -> master" || true)
grep -E "fault -> backup|sync: |backup -> master" "${node_log[lba]}" | tail -n 5 | sed 's/^/  | /'
check "A's resync completed" test "$resynced" -gt 0
check "A became master after its resync completed" test "$preempted" -ge 1
sleep 2.5
mark return
check "after A's return: both long-lived connections still answer" long_lives
phase_note

section "graceful stop of A"
stop_at=$(now_ns)
kill -TERM "${node_pid[lba]}"
gap=$(gap_until_holder lbb 2 "$stop_at") || true
echo "takeover gap after SIGTERM of A: ${gap} ms"
check "B holds the VIP within 0.5 s of A's SIGTERM" gap_within "$gap" 500
sleep 2.5
mark stop
check "after A's stop: both long-lived connections still answer" long_lives
phase_note

both=0
[[ -f "$run_dir/both" ]] && both=$(wc -l <"$run_dir/both")
check "never both with the VIP (polled every 50 ms)" test "$both" = 0
echo "B's status at the end:"
lbctl_on lbb vrrp status | sed 's/^/  | /'
report_summary ha_sync

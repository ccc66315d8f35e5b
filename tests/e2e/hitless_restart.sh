#!/usr/bin/env bash
# End-to-end test of hitless restart and upgrade on the namespace bench
# (client -> lb -> switch -> b1, b2), farm web in SNAT mode, lbd's data plane
# pinned on a bpffs of this run (LB_HITLESS):
# - a 32 MiB download, rate-limited so that it spans the restart, and new
#   connections arriving all the time;
# - lbd killed with SIGKILL: the data plane forwards on its own (new
#   connections are answered while lbd is away); the lbd
#   started next adopts it (same program ids, one program per interface);
# - lbd stopped and started with a rebuilt program object: the program is
#   replaced (new ids, still one per interface) and a keep-alive connection
#   keeps its backend;
# - the download arrives intact and no new connection failed (the figures are
#   printed: connections tried and failed, bytes, time lbd was away);
# - a start whose maps would not fit (another --conntrack-size, another map
#   layout) is refused and leaves the data plane alone;
# - lbd --unload leaves no program attached and nothing pinned.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), XDPLB_REBUILT_OBJECT
# (the program built with other code generation; default <repo>/build/tests/
# e2e/xdplb-rebuilt.bpf.o), HR_DEADLINE (seconds before the watchdog stops
# the run, default 90).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

FARM=web
KEEPALIVE_PORT=47000
RATE=2M   # bytes a second: the download lasts some 16 s
XDPLB_REBUILT_OBJECT="${XDPLB_REBUILT_OBJECT:-$here/../../build/tests/e2e/xdplb-rebuilt.bpf.o}"

# xdplb_ids -> the ids of the xdplb programs on lb's eth0 and eth1, as
# "eth0:ID eth1:ID" (several ids on one interface would show as several
# words for it). libxdp's status needs its pins, on the run's bpffs.
xdplb_ids() {
  local dev ids=""
  for dev in eth0 eth1; do
    while read -r id; do ids+="$dev:$id "; done < <(
      in_ns lb env LIBXDP_BPFFS="$LB_BPFFS" xdp-loader status "$dev" 2>/dev/null |
        awk '/xdplb_main/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/ && $(i + 1) ~ /^[0-9a-f]{16}$/) print $i }')
  done
  echo "${ids% }"
}

# one_program_each IDS -> IDS names exactly one program on eth0 and one on eth1.
one_program_each() {
  [[ "$1" =~ ^eth0:[0-9]+\ eth1:[0-9]+$ ]] || { note "xdplb programs: '${1}'"; return 1; }
}

# attached_dev_ids -> what `ip link` shows attached to eth0 and eth1.
attached_dev_ids() {
  local dev
  for dev in eth0 eth1; do
    ip -n "$(topo_ns lb)" -d link show "$dev" | grep -o 'prog/xdp id [0-9]*' | tr '\n' ' '
  done
}

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# lbd_refused DESC WORDS LBD_ARGS... -> lbd with these extra arguments exits
# non-zero within 20 s, and its last line mentions WORDS.
lbd_refused() {
  local words="$1" err="$WORK/refused.$RANDOM" rc=0; shift
  in_ns lb timeout 20 "$LBD" --iface eth0 --iface eth1 --state-dir "$LB_STATE_DIR" --socket "$WORK/other.sock" \
    --pin-dir "$LB_PIN_DIR" "$@" >/dev/null 2>"$err" || rc=$?
  note "lbd $* -> exit $rc: $(tail -n 1 "$err")"
  ((rc != 0 && rc != 124)) && tail -n 1 "$err" | grep -q -- "$words"
}

main() {
  lb_check_binaries
  [[ -f "$XDPLB_REBUILT_OBJECT" ]] || { echo "FAIL: no rebuilt program object $XDPLB_REBUILT_OBJECT (build first)"; exit 1; }
  topo_install_trap
  topo_watchdog "${HR_DEADLINE:-90}"
  TOPO_TX_CSUM_OFF=1
  topo_up 2
  topo_add_vip
  topo_mktemp_var WORK work
  BIG_SIZE=$((32 * 1024 * 1024))
  servers_start
  LB_HITLESS=1
  lb_start
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  lbctl_ns backend add "$FARM" b1 --ip "$(backend_ip 1)" >/dev/null
  lbctl_ns backend add "$FARM" b2 --ip "$(backend_ip 2)" >/dev/null

  section "lbd killed (SIGKILL) and started again, under traffic"
  local started ids_first kill_at ready_at away answered_away download_pid loop_pid
  started=$(date +%s.%N)
  in_ns client curl -s -m 60 --limit-rate "$RATE" -o "$WORK/big" "http://$VIP/big" &
  download_pid=$!
  topo_register_pid "$download_pid"
  in_ns client python3 "$e2e_lib/connect_loop.py" "$VIP" "$HTTP_PORT" "$WORK/stop" >"$WORK/loop.out" &
  loop_pid=$!
  topo_register_pid "$loop_pid"
  sleep 1
  ids_first=$(xdplb_ids)
  note "xdplb programs: $ids_first; attached: $(attached_dev_ids)"
  check "one xdplb program on each of lb:eth0 and lb:eth1" one_program_each "$ids_first"

  kill_at=$(date +%s.%N)
  lb_kill
  sleep 1
  check "with lbd killed, the program stays attached" test "$(xdplb_ids)" == "$ids_first"
  lb_start || { fail "lbd starts again"; report_summary hitless_restart; return; }
  ready_at=$(date +%s.%N)
  away=$(seconds_between "$kill_at" "$ready_at")
  answered_away=$(awk -v a="$kill_at" -v b="$ready_at" '$1 == "ok" && $2 > a && $2 < b' "$WORK/loop.out" | wc -l)
  note "lbd away for ${away}s (SIGKILL to the new lbd's API answering); $answered_away new connections answered meanwhile"
  check "  ... and new connections were answered while lbd was away" test "$answered_away" -gt 0
  check "the new lbd adopted the program: the same ids, one per interface" test "$(xdplb_ids)" == "$ids_first"
  adopted() { grep -q "adopted the xdplb program" "$(lb_log)" || { note "no 'adopted' in $(lb_log)"; return 1; }; }
  check "  ... and says so" adopted
  serves_farm() { lbctl_ns farm show "$FARM" >/dev/null; }
  check "  ... and serves farm $FARM" serves_farm

  section "lbd started with a rebuilt program: an upgrade"
  local backend answer ids_upgraded
  start_keepalive "$KEEPALIVE_PORT"
  backend=$(ask_keepalive)
  note "the keep-alive connection is served by $backend"
  check "lbd stops on SIGTERM (exit 0), leaving the program attached" lb_stop
  check "  ... the same program ids" test "$(xdplb_ids)" == "$ids_first"
  lb_start --bpf-object "$XDPLB_REBUILT_OBJECT" || { fail "lbd starts with the rebuilt object"; report_summary hitless_restart; return; }
  ids_upgraded=$(xdplb_ids)
  note "xdplb programs: $ids_upgraded (were $ids_first); download at $(size_of "$WORK/big") bytes"
  replaced() { one_program_each "$ids_upgraded" && [[ "${ids_upgraded%% *}" != "${ids_first%% *}" && "${ids_upgraded##* }" != "${ids_first##* }" ]]; }
  check "the program was replaced: new ids, one per interface" replaced
  answer=$(ask_keepalive)
  check "the keep-alive connection is still served by $backend (got '$answer')" test "$answer" == "$backend"
  stop_keepalive

  section "the traffic's account"
  local rc=0 got tried failed
  wait "$download_pid" || rc=$?
  touch "$WORK/stop"
  wait "$loop_pid" || true
  got=$(sha256sum "$WORK/big" | awk '{print $1}')
  note "download: $(size_of "$WORK/big") bytes in $(seconds_between "$started" "$(date +%s.%N)")s, curl status $rc"
  check "the 32 MiB download arrived intact (sha256)" test "$got" == "$BIG_SHA256"
  tried=$(awk '$1 == "tried" { print $2 }' "$WORK/loop.out")
  failed=$(awk '$1 == "failed" && NF == 2 { print $2 }' "$WORK/loop.out")
  note "new connections: ${tried:-?} tried, ${failed:-?} failed"
  awk '$1 == "failed" && NF > 2 { print "    " $0 }' "$WORK/loop.out" | head -n 5
  check "new connections kept arriving throughout (${tried:-0} > 100)" test "${tried:-0}" -gt 100
  check "not one of them failed" test "${failed:-1}" -eq 0

  section "starts that cannot adopt the maps are refused"
  lb_stop || fail "lbd stops"
  local ids_kept
  ids_kept=$(xdplb_ids)
  check "another --conntrack-size: refused, naming the map" lbd_refused "conntrack" --conntrack-size 65536
  mkdir "$LB_PIN_DIR/abi-0"
  check "maps of another layout in the pin dir: refused, naming it" lbd_refused "map layout abi-0"
  rmdir "$LB_PIN_DIR/abi-0"
  check "  ... and the data plane is untouched" test "$(xdplb_ids)" == "$ids_kept"

  section "lbd --unload"
  check "lbd --unload succeeds" lb_unload
  check "  ... no XDP program is attached to lb:eth0 or lb:eth1" test -z "$(attached_dev_ids)"
  check "  ... and nothing is pinned" test ! -e "$LB_PIN_DIR"

  report_summary "hitless_restart (${SECONDS}s)"
}

main "$@"

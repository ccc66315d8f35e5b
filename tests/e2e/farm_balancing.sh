#!/usr/bin/env bash
# End-to-end test of farm balancing through lbd on the namespace bench
# (client -> lb -> switch -> b1, b2, b3): weighted shares of fresh TCP
# connections in SNAT and DNAT mode, UDP, a 10 MiB download, refused commands
# that change nothing, established connections that keep their backend
# across a drain or weight 0, a change that cannot be saved undone with the
# counters intact, lbd ignoring SIGHUP, farms that survive a restart of lbd,
# and lbd refusing to start beside another lbd on the same state dir, on a
# missing interface or on a corrupt state file.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), FB_CONNECTIONS
# (fresh connections per spread measurement, default 3000), FB_TOLERANCE_PP
# (allowed deviation of each share, percentage points, default 3),
# FB_DEADLINE (seconds before the watchdog stops the run, default 560).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

CONNECTIONS="${FB_CONNECTIONS:-3000}"
TOLERANCE_PP="${FB_TOLERANCE_PP:-3}"
FARM=web
UDP_FARM=dns
declare -A WEIGHT=([b1]=1 [b2]=2 [b3]=7)
WEIGHT_SUM=10

# ------------------------------------------------------------------ results
# shellcheck source=lib/report.sh
source "$here/lib/report.sh"

# ------------------------------------------------------------------ helpers
WORK=""    # scratch files of this run (registered for removal)

# expected_share NAME -> a backend's expected percentage of new connections.
expected_share() { echo $((100 * WEIGHT[$1] / WEIGHT_SUM)); }

# print_tally -> the spread in one line: "b1 9.9% (297)  b2 ...".
print_tally() {
  local total name line=""
  total=$(tally_total)
  for name in $(printf '%s\n' "${!TALLY[@]}" | sort); do
    line+=$(awk -v n="${TALLY[$name]}" -v t="$total" -v b="$name" \
      'BEGIN { printf "%s %5.1f%% (%d)   ", b, 100 * n / t, n }')
  done
  note "spread: ${line}failed ${TALLY_FAILED}, ${TALLY_SECONDS}s" \
    "($(awk -v c="$total" -v s="$TALLY_SECONDS" 'BEGIN { printf "%.0f", (s > 0) ? c / s : 0 }') flows/s)"
  local e
  for e in "${TALLY_ERRORS[@]}"; do note "error: $e"; done
}

# tally_all_succeeded COUNT -> every one of COUNT flows got a backend's name.
tally_all_succeeded() {
  local count="$1" total
  total=$(tally_total)
  ((TALLY_FAILED == 0 && total == count)) && return 0
  note "$TALLY_FAILED of $count failed, $total answered"
  return 1
}

# tally_within_tolerance -> each backend's share is within TOLERANCE_PP of its
# weight's share, and no one else answered.
tally_within_tolerance() {
  local total name ok=0
  total=$(tally_total)
  ((total > 0)) || { note "no answers"; return 1; }
  for name in "${!TALLY[@]}"; do
    [[ -n "${WEIGHT[$name]:-}" ]] || { note "unexpected backend '$name'"; ok=1; }
  done
  for name in "${!WEIGHT[@]}"; do
    if ! awk -v n="${TALLY[$name]:-0}" -v t="$total" -v want="$(expected_share "$name")" \
      -v tol="$TOLERANCE_PP" 'BEGIN { d = 100 * n / t - want; exit !(d <= tol && d >= -tol) }'; then
      note "$name: $(awk -v n="${TALLY[$name]:-0}" -v t="$total" 'BEGIN { printf "%.1f", 100 * n / t }')%," \
        "want $(expected_share "$name") ± $TOLERANCE_PP"
      ok=1
    fi
  done
  return "$ok"
}

# spread_test MODE -> COUNT fresh HTTP connections to the VIP; all succeed,
# shares within tolerance.
spread_test() {
  local mode="$1" before after
  before=$(farm_connections "$FARM")
  vip_tally tcp client "$VIP" "$HTTP_PORT" "$CONNECTIONS" || { fail "$mode: tally client ran"; return; }
  after=$(farm_connections "$FARM")
  print_tally
  check "$mode: all $CONNECTIONS fresh HTTP connections to $VIP:$HTTP_PORT answered" \
    tally_all_succeeded "$CONNECTIONS"
  check "$mode: shares within ±${TOLERANCE_PP} pp of 10/20/70 %" tally_within_tolerance
  # A connection that needed a second backend choice (e.g. its first SYN was
  # refused on the way) shows up here, even when the client got an answer.
  one_choice_each() {
    ((after - before == CONNECTIONS)) && return 0
    note "lbd counted $((after - before)) new connections for $CONNECTIONS made; lbctl stats:"
    lbctl_ns stats | sed 's/^/    /'
    return 1
  }
  check "$mode: lbd's connection counter grew by exactly $CONNECTIONS" one_choice_each
}

# farm_connections FARM -> the farm's connection counter from lbd's stats.
farm_connections() {
  lbctl_ns --json stats "$1" | python3 -c '
import json, sys
print(json.load(sys.stdin)["farms"][0]["connections"])'
}

# big_download_ok -> /big through the VIP arrives with the right sha256.
big_download_ok() {
  local got
  got=$(in_ns client curl -s -m 60 "http://$VIP/big" | sha256sum | awk '{print $1}')
  [[ "$got" == "$BIG_SHA256" ]] || { note "sha256 $got, want $BIG_SHA256"; return 1; }
}

# big_download_test MODE
big_download_test() {
  local mode="$1" start end
  start=$(date +%s.%N)
  check "$mode: 10 MiB /big through the VIP arrives intact (sha256)" big_download_ok
  end=$(date +%s.%N)
  note "download took $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')s"
}

# udp_test MODE -> 60 datagrams, each from a new source port, all answered
# by one of the backends, and each backend answered some (equal weights).
udp_test() {
  local mode="$1" n=60 name
  vip_tally udp client "$VIP" "$UDP_PORT" "$n" || { fail "$mode: UDP tally client ran"; return; }
  print_tally
  check "$mode: $n UDP datagrams to $VIP:$UDP_PORT from new source ports all answered" \
    tally_all_succeeded "$n"
  udp_every_backend_answered() {
    for name in "${BACKEND_NAMES[@]}"; do
      ((${TALLY[$name]:-0} > 0)) || { note "$name never answered"; return 1; }
    done
  }
  check "$mode: every backend of farm $UDP_FARM answered some" udp_every_backend_answered
}

# ---------------------------------------------------------- refused commands
# farm_list_to FILE -> `lbctl --json farm list` into FILE (bytes as printed).
farm_list_to() { lbctl_ns --json farm list >"$1"; }

# refused DESC LBCTL_ARGS... -> lbctl exits non-zero with exactly one line on
# stderr and nothing on stdout, and the farm list is byte-identical before
# and after.
refused() {
  local desc="$1"; shift
  local rc=0 lines
  farm_list_to "$WORK/before"
  lbctl_ns "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  farm_list_to "$WORK/after"
  lines=$(wc -l <"$WORK/err")
  if ((rc != 0)) && ((lines == 1)) && [[ ! -s "$WORK/out" ]] && cmp -s "$WORK/before" "$WORK/after"; then
    pass "refused: $desc -> exit $rc: $(cat "$WORK/err")"
  else
    fail "refused: $desc (lbctl $*)"
    note "exit $rc, $lines line(s) on stderr:"; sed 's/^/    | /' "$WORK/err"
    [[ -s "$WORK/out" ]] && { note "stdout:"; sed 's/^/    | /' "$WORK/out"; }
    cmp -s "$WORK/before" "$WORK/after" || { note "farm list changed:"; diff "$WORK/before" "$WORK/after" | sed 's/^/    /'; }
  fi
}

# Send one raw request line to lbd's socket and print the one-line answer.
_RAW_REQUEST_PY='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
answer = b""
while not answer.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    answer += chunk
sys.stdout.write(answer.decode())
'
# Succeeds when stdin is one line of JSON with "ok": false and a one-line
# "error" string.
_IS_REFUSAL_PY='
import json, sys
text = sys.stdin.read()
lines = text.splitlines()
answer = json.loads(text)
ok = (len(lines) == 1 and answer.get("ok") is False
      and isinstance(answer.get("error"), str) and answer["error"]
      and "\n" not in answer["error"])
sys.exit(0 if ok else 1)
'

# refused_raw DESC LINE -> lbd answers a raw request line with "ok": false
# and the farm list is byte-identical before and after.
refused_raw() {
  local desc="$1" line="$2" answer
  farm_list_to "$WORK/before"
  answer=$(in_ns lb python3 -c "$_RAW_REQUEST_PY" "$LB_SOCKET" "$line" 2>&1) || true
  farm_list_to "$WORK/after"
  if python3 -c "$_IS_REFUSAL_PY" <<<"$answer" 2>/dev/null && cmp -s "$WORK/before" "$WORK/after"; then
    pass "refused: raw request $desc -> $answer"
  else
    fail "refused: raw request $desc"
    note "sent: $line"; note "answer: $answer"
    cmp -s "$WORK/before" "$WORK/after" || note "farm list changed"
  fi
}

refused_commands_test() {
  local vip2=198.18.0.101
  refused "invalid address --vip 1.2.3" farm add bad --vip 1.2.3 --port 80 --proto tcp
  refused "port 0" farm add bad --vip "$vip2" --port 0 --proto tcp
  refused "port 65536" farm add bad --vip "$vip2" --port 65536 --proto tcp
  refused "backend port 0" backend add "$FARM" b9 --ip 198.18.1.19 --port 0
  refused "negative weight on add" backend add "$FARM" b9 --ip 198.18.1.19 --weight -1
  refused "negative weight on set" backend set "$FARM" b1 --weight -1
  refused "missing --vip (usage error)" farm add bad --port 80 --proto tcp
  refused "unknown option (usage error)" farm add bad --vip "$vip2" --port 80 --proto tcp --colour red
  refused "duplicate farm name" farm add "$FARM" --vip "$vip2" --port 8080 --proto tcp
  refused "duplicate backend name" backend add "$FARM" b1 --ip 198.18.1.19
  refused "unknown farm (show)" farm show nosuch
  refused "unknown farm (backend add)" backend add nosuch b9 --ip 198.18.1.19
  refused "unknown backend (set)" backend set "$FARM" nosuch --weight 1
  refused "unknown backend (del)" backend del "$FARM" nosuch
  refused_raw "'not json'" 'not json'
  refused_raw "farm.add without vip/port/proto" '{"command":"farm.add","args":{"name":"x"}}'
  refused_raw "unknown command" '{"command":"farm.explode","args":{}}'
  refused_raw "unknown field in args" \
    '{"command":"farm.add","args":{"name":"x","vip":"198.18.0.101","port":81,"proto":"tcp","colour":"red"}}'
  unsaved_change_test
  check "lbd still running after the refused commands" lb_running
}

# backend_connections FARM BACKEND -> the backend's connection counter.
backend_connections() {
  lbctl_ns --json stats "$1" | python3 -c '
import json, sys
backends = json.load(sys.stdin)["farms"][0]["backends"]
print(next(b["connections"] for b in backends if b["name"] == sys.argv[1]))' "$2"
}

# unsaved_change_test -> a change whose state file cannot be written (a
# directory stands where its temporary file goes) is undone, and the backend
# it would have deleted keeps its counters.
unsaved_change_test() {
  local before after
  before=$(backend_connections "$FARM" b3)
  mkdir "$LB_STATE_DIR/state.json.tmp"
  refused "backend del that cannot be saved" backend del "$FARM" b3
  rmdir "$LB_STATE_DIR/state.json.tmp"
  after=$(backend_connections "$FARM" b3)
  same_counter() {
    ((before > 0 && after == before)) && return 0
    note "b3 counted $before connections before the refused delete, $after after"
    return 1
  }
  check "  ... and b3 keeps its connection counter ($before)" same_counter
}

# reused_client_ports N BACKEND -> how many TCP flows after the first N lines
# of TALLY_FLOWS_FILE reached BACKEND from a client port that one of those
# first N flows had already used. A new connection on an old connection's
# tuple is where a connection table that never forgets would show.
reused_client_ports() {
  local n="$1" backend="$2"
  awk -v n="$n" -v b="$backend" '
    $1 != "tcp" { next }
    NR <= n { seen[$2] = 1; next }
    $3 == b && ($2 in seen) { reused++ }
    END { print reused + 0 }' "$TALLY_FLOWS_FILE"
}

# ------------------------------------------- established connections persist
# One fresh HTTP/1.0 connection from each given client port (bound
# explicitly, so a later call can reuse exactly these tuples); prints
# "PORT BACKEND", or "PORT ERROR:..." for a failure.
http_from_ports() {
  in_ns client python3 "$here/lib/from_ports.py" "$VIP" "$HTTP_PORT" - "$@"
}

# keepalive_test MODE FIRST_PORT CHANGE... -> open a keep-alive connection,
# learn its backend B, apply the change to B (CHANGE is a `backend set`
# option list), then: the connection still answers from B, and new
# connections avoid B, both from fresh client ports and from the ports of
# connections that had reached B and ended before the change (a new
# connection on an old tuple is new). B is then restored.
keepalive_test() {
  local mode="$1" first_port="$2"; shift 2
  local -a change=("$@") old_ports=() reused=()
  local first second rc=0 ka_pid ka_in ka_out p name
  coproc KA { exec ip netns exec "$(topo_ns client)" python3 -u "$here/lib/keepalive.py" "$VIP" "$HTTP_PORT"; }
  # shellcheck disable=SC2153  # KA_PID is set by coproc
  ka_pid=$KA_PID ka_out=${KA[0]} ka_in=${KA[1]}
  topo_register_pid "$ka_pid"
  echo ask >&"$ka_in"
  read -r -t 10 -u "$ka_out" first || first="(no answer)"
  if [[ -z "${WEIGHT[$first]:-}" ]]; then
    fail "$mode: keep-alive connection answered before the change (got '$first')"
    exec {ka_in}>&-; wait "$ka_pid" 2>/dev/null || true
    return
  fi
  # Connections that end before the change; remember the tuples that reached B.
  while read -r p name; do
    [[ "$name" == "$first" ]] && old_ports+=("$p")
  done < <(http_from_ports $(seq "$first_port" $((first_port + 39))))
  note "keep-alive connection is served by $first; ${#old_ports[@]} of 40 closed connections" \
    "from client ports $first_port-$((first_port + 39)) reached it too"
  note "lbctl backend set $FARM $first ${change[*]}"
  lbctl_ns backend set "$FARM" "$first" "${change[@]}" >/dev/null || rc=$?
  check "$mode: backend set $FARM $first ${change[*]} accepted" test "$rc" -eq 0
  sleep 0.2
  echo ask >&"$ka_in"
  read -r -t 10 -u "$ka_out" second || second="(no answer)"
  same_backend() { [[ "$second" == "$first" ]] || { note "got '$second' after the change"; return 1; }; }
  check "$mode: established connection still works and still reaches $first" same_backend
  exec {ka_in}>&-                # EOF: the client closes its connection and exits
  wait "$ka_pid" 2>/dev/null || true

  if ((${#old_ports[@]})); then
    mapfile -t reused < <(http_from_ports "${old_ports[@]}")
    old_tuples_rebalanced() {
      local bad
      bad=$(printf '%s\n' "${reused[@]}" | awk -v b="$first" '$2 == b || $2 ~ /^ERROR/' )
      [[ -z "$bad" ]] && return 0
      note "$(wc -l <<<"$bad") of ${#old_ports[@]} went wrong (client port, answer): $(tr "\n" " " <<<"$bad")"
      return 1
    }
    check "$mode: new connections on the tuples of ${#old_ports[@]} closed connections to $first avoid it" \
      old_tuples_rebalanced
  fi

  local flows_before
  flows_before=$(wc -l <"$TALLY_FLOWS_FILE")
  vip_tally tcp client "$VIP" "$HTTP_PORT" 300 || { fail "$mode: tally client ran"; return; }
  print_tally
  avoids_backend() {
    tally_all_succeeded 300 || return 1
    ((${TALLY[$first]:-0} == 0)) && return 0
    note "$first got ${TALLY[$first]} new connections;" \
      "$(reused_client_ports "$flows_before" "$first") of them came from client ports" \
      "that earlier (closed) connections of this run had used"
    return 1
  }
  check "$mode: 300 new connections all answered, none by $first" avoids_backend
  lbctl_ns backend set "$FARM" "$first" --state up --weight "${WEIGHT[$first]}" >/dev/null ||
    fail "$mode: restoring $first"
}

# -------------------------------------------------------------- restart lbd
no_xdp_on_lb() {
  local dev
  for dev in eth0 eth1; do
    if ip -n "$(topo_ns lb)" -d link show "$dev" | grep -q 'prog/xdp'; then
      note "an XDP program is still attached to lb:$dev"; return 1
    fi
  done
}

# sighup_test -> lbd logs that it ignores SIGHUP and keeps serving.
sighup_test() {
  kill -HUP "$LB_PID"
  sleep 0.3
  check "lbd survives SIGHUP and still answers" lbd_answers
  logged_sighup() { grep -q "SIGHUP ignored" "$(lb_log)" || { note "no 'SIGHUP ignored' in $(lb_log)"; return 1; }; }
  check "  ... and logs that it ignored it" logged_sighup
  # An lbd that died of it is reaped and replaced, for the tests that follow.
  lb_running || { lb_stop 2>/dev/null || true; start_lbd; }
}

restart_test() {
  local rc=0
  sighup_test
  lbctl_ns --json farm show "$FARM" >"$WORK/show.before"
  lb_stop || rc=$?
  check "lbd stops on SIGTERM with exit status 0" test "$rc" -eq 0
  check "XDP detached from lb:eth0 and lb:eth1 after lbd stopped" no_xdp_on_lb
  rc=0
  start_lbd || rc=$?
  check "lbd starts again with the same state dir" test "$rc" -eq 0
  ((rc == 0)) || return 0
  lbctl_ns --json farm show "$FARM" >"$WORK/show.after"
  same_show() {
    cmp -s "$WORK/show.before" "$WORK/show.after" && return 0
    diff "$WORK/show.before" "$WORK/show.after" | sed 's/^/    /'
    return 1
  }
  check "farm show $FARM is byte-identical after the restart" same_show
  vip_tally tcp client "$VIP" "$HTTP_PORT" 500 || { fail "after restart: tally client ran"; return; }
  print_tally
  every_weighted_backend() {
    tally_all_succeeded 500 || return 1
    local name
    for name in "${!WEIGHT[@]}"; do
      ((${TALLY[$name]:-0} > 0)) || { note "$name got nothing"; return 1; }
    done
  }
  check "after restart: 500 fresh HTTP connections answered, by every backend" every_weighted_backend
  udp_test "after restart"
}

# ------------------------------------------------ lbd refuses to start badly
# run_lbd_expect_failure DESC STATE_DIR IFACE... -> lbd exits non-zero on its
# own (within 15 s) and says why; sets LAST_LBD_ERR to its stderr file.
LAST_LBD_ERR=""
run_lbd_expect_failure() {
  local desc="$1" state_dir="$2"; shift 2
  local -a ifaces=()
  local i rc=0
  for i in "$@"; do ifaces+=(--iface "$i"); done
  LAST_LBD_ERR="$WORK/lbd-fail.$RANDOM.err"
  in_ns lb timeout 15 "$LBD" "${ifaces[@]}" --state-dir "$state_dir" \
    --socket "$state_dir/lbd.sock" >/dev/null 2>"$LAST_LBD_ERR" || rc=$?
  if ((rc == 0 || rc == 124)); then
    note "lbd exit status $rc (0 = started, 124 = still running after 15 s)"
    sed 's/^/    | /' "$LAST_LBD_ERR"
    return 1
  fi
  note "lbd exit status $rc; last line: $(tail -n 1 "$LAST_LBD_ERR")"
}

# err_mentions WORD -> lbd's last stderr line names the problem.
err_mentions() {
  tail -n 1 "$LAST_LBD_ERR" | grep -qi -- "$1" && return 0
  note "its last line does not mention '$1'"
  return 1
}

# lbd_answers -> the running lbd answers on its socket.
lbd_answers() { lbctl_ns farm list >/dev/null; }

# xdp_on_lb -> an XDP program is attached to lb:eth0 and lb:eth1.
xdp_on_lb() {
  local dev
  for dev in eth0 eth1; do
    if ! ip -n "$(topo_ns lb)" link show "$dev" | grep -q xdp; then
      note "no XDP program on lb:$dev"; return 1
    fi
  done
}

# second_instance_test -> a second lbd with the running one's state dir (and
# a socket of its own) is refused before it touches anything: the first keeps
# its XDP programs and keeps answering.
second_instance_test() {
  start_lbd || { fail "lbd starts for the second-instance test"; return; }
  check "a second lbd with the same state dir exits non-zero" \
    run_lbd_expect_failure "second instance" "$LB_STATE_DIR" eth0 eth1
  check "  ... and its message says another lbd is running" err_mentions "another lbd is running"
  check "  ... and the first lbd's XDP programs stay attached to lb:eth0/eth1" xdp_on_lb
  check "  ... and the first lbd still answers" lbd_answers
  lb_stop || fail "lbd stops cleanly after the second-instance test"
}

startup_refusal_test() {
  local dir sum_before sum_after
  second_instance_test
  # A missing interface.
  mkdir -p "$WORK/noiface"
  check "lbd --iface eth0 --iface nosuch0 exits non-zero" \
    run_lbd_expect_failure "missing interface" "$WORK/noiface" eth0 nosuch0
  check "  ... and its message names the interface" err_mentions nosuch0
  check "  ... and leaves no XDP program on lb:eth0/eth1" no_xdp_on_lb

  # A corrupt state file: refused, and never overwritten.
  dir="$WORK/corrupt"
  mkdir -p "$dir"
  printf 'this is {not "json\n\x00\x01' >"$dir/state.json"
  sum_before=$(sha256sum <"$dir/state.json")
  check "lbd with a corrupt state.json exits non-zero" \
    run_lbd_expect_failure "corrupt state" "$dir" eth0 eth1
  check "  ... and its message names the state file" err_mentions state
  sum_after=$(sha256sum <"$dir/state.json")
  check "  ... and state.json is byte-for-byte unchanged" test "$sum_before" == "$sum_after"
  check "  ... and leaves no XDP program on lb:eth0/eth1" no_xdp_on_lb
}

# -------------------------------------------------------------------- setup
configure_farms() {
  local name
  lbctl_ns farm add "$FARM" --vip "$VIP" --port "$HTTP_PORT" --proto tcp --mode snat >/dev/null
  for name in b1 b2 b3; do
    lbctl_ns backend add "$FARM" "$name" --ip "$(backend_ip "${name#b}")" \
      --weight "${WEIGHT[$name]}" >/dev/null
  done
  lbctl_ns farm add "$UDP_FARM" --vip "$VIP" --port "$UDP_PORT" --proto udp >/dev/null
  for name in b1 b2 b3; do
    lbctl_ns backend add "$UDP_FARM" "$name" --ip "$(backend_ip "${name#b}")" >/dev/null
  done
}

# start_lbd -> lb_start, remembering every lbd PID for the teardown check.
LBD_PIDS=()
start_lbd() {
  lb_start || return 1
  LBD_PIDS+=("$LB_PID")
}

teardown_test() {
  local -a pids=("${NGINX_PID[@]}" "${UDP_PID[@]}" "${LBD_PIDS[@]}")
  local -a dirs=("$WORK" "$LB_RUN_DIR")
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  no_pid_left() {
    local pid
    for pid in "${pids[@]}"; do
      if ps -p "$pid" >/dev/null 2>&1; then note "PID $pid still running"; return 1; fi
    done
  }
  check "teardown: the ${#LBD_PIDS[@]} lbd and $((${#pids[@]} - ${#LBD_PIDS[@]})) server processes are gone" \
    no_pid_left
  no_dir_left() {
    local dir
    for dir in "${dirs[@]}"; do
      if [[ -e "$dir" ]]; then note "$dir still exists"; return 1; fi
    done
  }
  check "teardown: temp dirs (state, socket, logs, scratch) removed" no_dir_left
}

main() {
  lb_check_binaries
  topo_install_trap
  # Clean up well before ctest's TIMEOUT would SIGKILL us (no trap for that).
  topo_watchdog "${FB_DEADLINE:-560}"
  # NAT rewrites by XDP need complete checksums from the senders: see topology.sh.
  TOPO_TX_CSUM_OFF=1
  topo_up 3
  topo_add_vip
  topo_mktemp_var WORK work
  TALLY_FLOWS_FILE="$WORK/flows"
  : >"$TALLY_FLOWS_FILE"
  servers_start
  start_lbd
  configure_farms
  note "lbd: $LBD, state dir $LB_STATE_DIR"

  section "SNAT: $CONNECTIONS fresh connections, weights 1:2:7"
  spread_test snat
  big_download_test snat
  section "UDP farm $UDP_FARM (snat)"
  udp_test "udp snat"
  section "refused commands change nothing"
  refused_commands_test
  section "SNAT: an established connection keeps its backend across a drain"
  keepalive_test snat 61000 --state drain

  section "DNAT: $CONNECTIONS fresh connections, weights 1:2:7"
  lbctl_ns farm set "$FARM" --mode dnat >/dev/null
  lbctl_ns farm set "$UDP_FARM" --mode dnat >/dev/null
  spread_test dnat
  big_download_test dnat
  section "UDP farm $UDP_FARM (dnat)"
  udp_test "udp dnat"
  section "DNAT: an established connection keeps its backend across weight 0"
  keepalive_test dnat 61100 --weight 0

  section "farms survive an lbd restart"
  restart_test
  lb_stop || fail "lbd stops cleanly at the end"

  section "lbd refuses to start on bad input"
  startup_refusal_test

  section "teardown"
  teardown_test

  echo
  report_summary "farm_balancing (${SECONDS}s)"
}

main "$@"

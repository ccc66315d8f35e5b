#!/usr/bin/env bash
# End-to-end test of the benchmark kit's peer scenarios
# (bench/scenarios/nftables.sh, iptables.sh and haproxy.sh) on the namespace
# bench (client -> lb -> switch -> b1, b2, b3), with no xdplb in the path:
# each scenario's setup, called with the scenario contract's environment,
# makes the lb namespace balance fresh TCP connections (and UDP flows, but
# HAProxy's, which serves TCP only and says so) to the VIP over real backends
# by weight 1:2:7; teardown leaves nothing of it behind and puts back a
# forwarding switch it turned on; bad input is refused with one line and
# changes nothing.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: BS_FLOWS (fresh TCP connections, and UDP flows, per scenario,
# default 2000), BS_TOLERANCE_PP (allowed deviation of each share, percentage
# points, default 5: almost 5 standard deviations of the 70 % share at 2000
# flows, so a correct scenario does not fail by chance),
# BS_DEADLINE (seconds before the watchdog stops the run, default 80).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

SCENARIOS_DIR=$(cd -- "$here/../../bench/scenarios" && pwd)
FLOWS="${BS_FLOWS:-2000}"
TOLERANCE_PP="${BS_TOLERANCE_PP:-5}"
declare -A WEIGHT=([b1]=1 [b2]=2 [b3]=7)
WEIGHT_SUM=10

indent() { sed 's/^/    | /'; }

# print_tally -> the spread in one line: "b1  9.9% (99)  b2 ...".
print_tally() {
  local total name line=""
  total=$(tally_total)
  for name in $(printf '%s\n' "${!TALLY[@]}" | sort); do
    line+=$(awk -v n="${TALLY[$name]}" -v t="$total" -v b="$name" \
      'BEGIN { printf "%s %5.1f%% (%d)   ", b, 100 * n / t, n }')
  done
  note "spread: ${line}failed ${TALLY_FAILED}, ${TALLY_SECONDS}s"
  local e
  for e in "${TALLY_ERRORS[@]}"; do note "error: $e"; done
}

# shares_ok COUNT -> all COUNT flows answered, only by b1..b3, each share
# within TOLERANCE_PP of its weight's.
shares_ok() {
  local count="$1" total name share ok=0
  total=$(tally_total)
  if ((TALLY_FAILED != 0 || total != count)); then
    note "$TALLY_FAILED of $count failed, $total answered"; ok=1
  fi
  ((total > 0)) || return 1
  for name in "${!TALLY[@]}"; do
    [[ -n "${WEIGHT[$name]:-}" ]] || { note "unexpected backend '$name'"; ok=1; }
  done
  for name in "${!WEIGHT[@]}"; do
    share=$(awk -v n="${TALLY[$name]:-0}" -v t="$total" 'BEGIN { printf "%.1f", 100 * n / t }')
    if ! awk -v s="$share" -v want=$((100 * WEIGHT[$name] / WEIGHT_SUM)) -v tol="$TOLERANCE_PP" \
      'BEGIN { d = s - want; exit !(d <= tol && d >= -tol) }'; then
      note "$name: $share %, want $((100 * WEIGHT[$name] / WEIGHT_SUM)) ± $TOLERANCE_PP"; ok=1
    fi
  done
  return "$ok"
}

# The scenario contract's environment for the bench, for PROTO and VPORT.
contract_env() {
  local proto="$1" port="$2"
  CONTRACT=(LB_NS="$(topo_ns lb)" LB_IN=eth0 LB_OUT=eth1 VIP="$VIP" VPORT="$port"
    PROTO="$proto" BACKENDS="${BACKEND_IPS[*]}"
    WEIGHTS="${WEIGHT[b1]} ${WEIGHT[b2]} ${WEIGHT[b3]}" SNAT_ADDR="$LB_BACKEND_IP"
    SCENARIO_STATE_DIR="$STATE_DIR")
}

# scenario NAME setup|teardown [VAR=VALUE...] -> run it with the contract's
# environment (for PROTO/VPORT set by contract_env), overridden by VAR=VALUE.
scenario() {
  local name="$1" action="$2"; shift 2
  env "${CONTRACT[@]}" "$@" "$SCENARIOS_DIR/$name.sh" "$action"
}

# netfilter_state -> what the lb namespace's netfilter holds, to compare.
netfilter_state() {
  in_ns lb nft list ruleset
  in_ns lb iptables-save | grep -v '^#'
}

# nothing_of_ours -> no table, chain, rule or tracked VIP connection of the
# scenarios is left in the lb namespace, and no process listens there.
nothing_of_ours() {
  local left ok=0
  left=$(netfilter_state | grep -iE 'xdplb|XDPLB_BENCH|0x2a0' || true)
  [[ -z "$left" ]] || { note "left in the ruleset:"; printf '%s\n' "$left" | indent; ok=1; }
  left=$(in_ns lb conntrack -L -d "$VIP" 2>/dev/null || true)
  [[ -z "$left" ]] || { note "tracked connections to $VIP left:"; printf '%s\n' "$left" | indent; ok=1; }
  left=$(in_ns lb ss -Hlntup)
  [[ -z "$left" ]] || { note "sockets still listening:"; printf '%s\n' "$left" | indent; ok=1; }
  return "$ok"
}

forwarding_is() {
  local got
  got=$(in_ns lb sysctl -n net.ipv4.ip_forward)
  [[ "$got" == "$1" ]] || { note "net.ipv4.ip_forward is $got, want $1"; return 1; }
}

# supports NAME PROTO WANT -> `NAME.sh supports PROTO` exits with WANT.
supports() {
  local rc=0
  "$SCENARIOS_DIR/$1.sh" supports "$2" || rc=$?
  ((rc == $3)) || { note "$1 supports $2: exit $rc, want $3"; return 1; }
}

# refused NAME DESC VAR=VALUE... -> setup with a bad environment exits
# non-zero with exactly one line on stderr, and the ruleset is unchanged.
refused() {
  local name="$1" desc="$2"; shift 2
  local before after err rc=0
  before=$(netfilter_state)
  err=$(scenario "$name" setup "$@" 2>&1 >/dev/null) || rc=$?
  after=$(netfilter_state)
  ((rc != 0)) || { note "$desc: setup succeeded"; return 1; }
  [[ $(wc -l <<<"$err") -eq 1 && -n "$err" ]] || { note "$desc: stderr was:"; printf '%s\n' "$err" | indent; return 1; }
  [[ "$before" == "$after" ]] || { note "$desc: the ruleset changed"; return 1; }
  note "$desc: $err"
}

# round NAME PROTO -> setup, balance, teardown, check nothing is left.
round() {
  local name="$1" proto="$2" port=$HTTP_PORT count=$FLOWS rc=0
  if [[ "$proto" == udp ]]; then port=$UDP_PORT; fi
  contract_env "$proto" "$port"
  section "$name: $count fresh $proto flows to $VIP:$port, weights 1:2:7"
  scenario "$name" setup || rc=$?
  check "$name/$proto: setup succeeds" test "$rc" -eq 0
  if ((rc == 0)); then
    if vip_tally "$proto" client "$VIP" "$port" "$count"; then
      print_tally
      check "$name/$proto: all $count answered, shares within ±$TOLERANCE_PP pp of 10/20/70 %" \
        shares_ok "$count"
    else
      fail "$name/$proto: the tally client ran"
    fi
    rc=0
    scenario "$name" setup 2>/dev/null || rc=$?
    check "$name/$proto: a second setup is refused" test "$rc" -ne 0
  fi
  rc=0
  scenario "$name" teardown || rc=$?
  check "$name/$proto: teardown succeeds" test "$rc" -eq 0
  rc=0
  scenario "$name" teardown || rc=$?
  check "$name/$proto: a second teardown succeeds too" test "$rc" -eq 0
  check "$name/$proto: nothing of the scenario left in the lb namespace" nothing_of_ours
}

main() {
  local name
  topo_install_trap
  # Clean up well before ctest's TIMEOUT would SIGKILL us (no trap for that).
  topo_watchdog "${BS_DEADLINE:-80}"
  topo_up 3
  # The VIP is inside the client's own subnet: the client ARPs for it, and
  # the lb answers because the address is on its eth0.
  topo_add_vip
  servers_start
  topo_mktemp_var STATE_DIR scenario

  for name in nftables iptables; do
    check "$name: supports tcp and udp" eval 'supports "$name" tcp 0 && supports "$name" udp 0'
    round "$name" tcp
    # UDP, with forwarding off beforehand: setup must turn it on (the flows
    # would not pass otherwise) and teardown off again.
    in_ns lb sysctl -qw net.ipv4.ip_forward=0
    round "$name" udp
    check "$name: teardown switched forwarding back off" forwarding_is 0
    in_ns lb sysctl -qw net.ipv4.ip_forward=1

    section "$name: bad input is refused with one line, changing nothing"
    contract_env tcp "$HTTP_PORT"
    check "$name: missing VIP refused" refused "$name" "missing VIP" VIP=
    check "$name: 3 backends with 2 weights refused" refused "$name" "count mismatch" WEIGHTS="1 2"
    check "$name: a non-numeric weight refused" refused "$name" "non-numeric weight" WEIGHTS="1 two 7"
    check "$name: a missing namespace refused" refused "$name" "missing namespace" LB_NS=nonexistent-ns
    check "$name: nothing of the scenario in the lb namespace" nothing_of_ours
    check "$name: forwarding left on" forwarding_is 1
  done

  check "haproxy: supports tcp, not udp" eval 'supports haproxy tcp 0 && supports haproxy udp 3'
  round haproxy tcp
  section "haproxy: bad input is refused with one line, changing nothing"
  contract_env udp "$UDP_PORT"
  check "haproxy: a udp farm refused" refused haproxy "udp farm"
  contract_env tcp "$HTTP_PORT"
  check "haproxy: missing VIP refused" refused haproxy "missing VIP" VIP=
  check "haproxy: a weight over 256 refused" refused haproxy "weight over 256" WEIGHTS="1 2 300"
  check "haproxy: nothing of the scenario in the lb namespace" nothing_of_ours

  section "teardown"
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "bench_scenarios (${SECONDS}s)"
}

main "$@"

#!/usr/bin/env bash
# bench/scenarios/iptables.sh setup|teardown -- the "iptables" scenario of the
# benchmark kit: the rules Zevenet's L4xNAT renders for an L4 farm in SNAT
# mode with weighted-probabilistic scheduling, in the LB namespace.
#
#   mangle PREROUTING (VIP:VPORT/PROTO from LB_IN) -> XDPLB_BENCH_MARK:
#     restore the connection's mark into the packet (CONNMARK --restore-mark);
#     new connection: a cascade of `statistic mode random` rules sets the mark
#     of one backend; save it on the connection (CONNMARK --save-mark)
#   nat PREROUTING  (same match)  -> XDPLB_BENCH_DNAT: DNAT by mark
#   nat POSTROUTING (out of LB_OUT) -> XDPLB_BENCH_SNAT: SNAT to SNAT_ADDR by mark
#
# The nat chains only see the first packet of a connection; later packets,
# both directions, are translated from the conntrack entry. The mangle chain
# sees every packet, as L4xNAT's does: that per-packet work is part of what
# this scenario measures.
#
# `iptables` is Debian 12's default alternative, iptables-nft (the nf_tables
# backend with the xtables matches and targets): what an L4xNAT rule set gets
# on a current Debian.
#
# Environment (the scenario contract): LB_NS LB_IN LB_OUT VIP VPORT PROTO
# BACKENDS WEIGHTS SNAT_ADDR. Rules live in our own XDPLB_BENCH_* chains,
# entered by one jump rule from each built-in chain; teardown removes the
# jumps and the chains, nothing else. (With iptables-nft the built-in chains
# themselves are created on first use and stay, empty, like in any iptables.)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/netfilter_common.sh
source "$here/lib/netfilter_common.sh"

CHAIN_PREFIX=XDPLB_BENCH_
# table:chain of each of our chains.
OUR_CHAINS=(mangle:XDPLB_BENCH_MARK nat:XDPLB_BENCH_DNAT nat:XDPLB_BENCH_SNAT)
# Backend i (from 1) gets mark MARK_BASE + i: never 0, which is "no backend
# chosen yet", and clear of the small marks other tools tend to use.
MARK_BASE=0x2a00
# The jump rules carry a comment; when setup switched IPv4 forwarding on, it
# says so, and teardown switches it off again.
JUMP_COMMENT="xdplb-bench"
FORWARDING_NOTE="forwarding enabled by setup"

ipt() { in_lb iptables -w "$@"; }

mark_of() { printf '0x%x' $((MARK_BASE + $1 + 1)); }

# render_rules FORWARDING_CHANGED -> iptables-restore --noflush input.
render_rules() {
  local comment="$JUMP_COMMENT" service i rest p
  [[ "$1" == yes ]] && comment+="; $FORWARDING_NOTE"
  service="-i $LB_IN -d $VIP/32 -p $PROTO -m $PROTO --dport $VPORT"

  echo "*mangle"
  echo ":XDPLB_BENCH_MARK - [0:0]"
  echo "-A PREROUTING $service -m comment --comment \"$comment\" -j XDPLB_BENCH_MARK"
  echo "-A XDPLB_BENCH_MARK -j CONNMARK --restore-mark"
  # The cascade: a new connection meets the backends' rules in order and
  # takes the first that fires; `--mark 0` skips the rest once one has. Rule
  # i fires with P_i = w_i / (w_i + ... + w_n), so backend i is chosen with
  # probability (1 - P_1)...(1 - P_{i-1}) P_i = (S_2/S_1)(S_3/S_2)...(S_i/S_{i-1})
  # (w_i/S_i) = w_i/S_1 (S_k = w_k + ... + w_n): exactly its weight's share.
  # The last rule has P = 1 and needs no statistic match. The kernel compares
  # a 31-bit random number with round(P * 2^31), so each P is off by at most
  # 2^-32; 11 decimals (what iptables-save prints) carry that much.
  rest=$WEIGHT_SUM
  for i in "${!BACKEND_LIST[@]}"; do
    if ((i < ${#BACKEND_LIST[@]} - 1)); then
      p=$(awk -v w="${WEIGHT_LIST[i]}" -v s="$rest" 'BEGIN { printf "%.11f", w / s }')
      echo "-A XDPLB_BENCH_MARK -m conntrack --ctstate NEW -m mark --mark 0" \
        "-m statistic --mode random --probability $p -j MARK --set-mark $(mark_of "$i")"
    else
      echo "-A XDPLB_BENCH_MARK -m conntrack --ctstate NEW -m mark --mark 0" \
        "-j MARK --set-mark $(mark_of "$i")"
    fi
    rest=$((rest - WEIGHT_LIST[i]))
  done
  echo "-A XDPLB_BENCH_MARK -m conntrack --ctstate NEW -j CONNMARK --save-mark"
  echo "COMMIT"

  echo "*nat"
  echo ":XDPLB_BENCH_DNAT - [0:0]"
  echo ":XDPLB_BENCH_SNAT - [0:0]"
  echo "-A PREROUTING $service -m comment --comment \"$JUMP_COMMENT\" -j XDPLB_BENCH_DNAT"
  echo "-A POSTROUTING -o $LB_OUT -m comment --comment \"$JUMP_COMMENT\" -j XDPLB_BENCH_SNAT"
  for i in "${!BACKEND_LIST[@]}"; do
    echo "-A XDPLB_BENCH_DNAT -m mark --mark $(mark_of "$i") -j DNAT --to-destination ${BACKEND_LIST[i]}"
    echo "-A XDPLB_BENCH_SNAT -m mark --mark $(mark_of "$i") -j SNAT --to-source $SNAT_ADDR"
  done
  echo "COMMIT"
}

chain_exists() { ipt -t "$1" -S "$2" >/dev/null 2>&1; }

any_chain_exists() {
  local entry
  for entry in "${OUR_CHAINS[@]}"; do
    chain_exists "${entry%%:*}" "${entry#*:}" && return 0
  done
  return 1
}

# delete_jumps TABLE CHAIN -> delete the rules of built-in CHAIN that jump to
# one of ours, by position, last first so the earlier positions stay valid.
delete_jumps() {
  local table="$1" chain="$2" i
  local -a rules
  # -S prints the policy first, then rule 1, 2, ...: line i is rule i.
  mapfile -t rules < <(ipt -t "$table" -S "$chain")
  for ((i = ${#rules[@]} - 1; i >= 1; i--)); do
    [[ "${rules[i]}" == *" -j $CHAIN_PREFIX"* ]] || continue
    ipt -t "$table" -D "$chain" "$i" || die "cannot delete rule $i of $table $chain in $LB_NS"
  done
}

scenario_setup() {
  local changed=no err
  any_chain_exists && die "XDPLB_BENCH_* chains already exist in $LB_NS (teardown first)"
  forwarding_enable && changed=yes
  # One iptables-restore: the whole rule set goes in as one transaction, or
  # none of it does.
  if ! err=$(render_rules "$changed" | in_lb iptables-restore -w --noflush 2>&1); then
    [[ "$changed" == yes ]] && forwarding_disable
    die "iptables-restore refused the rules: $(head -n 1 <<<"$err")"
  fi
}

scenario_teardown() {
  local forwarding_was_ours=no entry jumps
  jumps=$(ipt -t mangle -S PREROUTING)
  [[ "$jumps" == *"$FORWARDING_NOTE"* ]] && forwarding_was_ours=yes
  delete_jumps mangle PREROUTING
  delete_jumps nat PREROUTING
  delete_jumps nat POSTROUTING
  for entry in "${OUR_CHAINS[@]}"; do
    chain_exists "${entry%%:*}" "${entry#*:}" || continue
    if ! ipt -t "${entry%%:*}" -F "${entry#*:}" || ! ipt -t "${entry%%:*}" -X "${entry#*:}"; then
      die "cannot remove chain ${entry#*:} from table ${entry%%:*} in $LB_NS"
    fi
  done
  forget_service_conntrack
  if [[ "$forwarding_was_ours" == yes ]]; then forwarding_disable; fi
}

scenario_main "$@"

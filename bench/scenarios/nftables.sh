#!/usr/bin/env bash
# bench/scenarios/nftables.sh setup|teardown -- the "nftables" scenario of the
# benchmark kit: the ruleset nftlb renders for an L4 farm in SNAT mode with
# weighted-probabilistic scheduling, in the LB namespace.
#
#   new connection to VIP:VPORT/PROTO arriving on LB_IN
#     -> ct mark = numgen random mod SUM(weights), mapped range by range to
#        one mark per backend (backend i owns WEIGHTS[i] of the SUM values)
#     -> dnat to the backend the mark maps to (port unchanged)
#     -> postrouting: snat to SNAT_ADDR by the same mark, out of LB_OUT
#
# The mark lives on the conntrack entry itself, so unlike iptables nothing has
# to be saved and restored per packet. And nat chains only ever see the first
# packet of a connection: every later packet, both directions, is translated
# from its conntrack entry, so established flows keep their backend.
#
# Environment (the scenario contract): LB_NS LB_IN LB_OUT VIP VPORT PROTO
# BACKENDS WEIGHTS SNAT_ADDR. Everything lives in one table, so teardown is
# one `delete table`.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/netfilter_common.sh
source "$here/lib/netfilter_common.sh"

TABLE=xdplb_bench
# Backend i (from 1) gets mark MARK_BASE + i: never 0, which is "no backend
# chosen", and clear of the small marks other tools tend to use.
MARK_BASE=0x2a00
# The table's comment when setup switched IPv4 forwarding on; teardown reads
# it to switch it off again. Kept in the table so it goes where the rules go.
FORWARDING_NOTE="forwarding enabled by setup"

mark_of() { printf '0x%x' $((MARK_BASE + $1 + 1)); }

# render_ruleset FORWARDING_CHANGED -> the table, as `nft -f` input.
render_ruleset() {
  local comment="xdplb bench: nftables scenario" i lo=0 hi
  local -a pick=() dnat=() snat=()
  [[ "$1" == yes ]] && comment+="; $FORWARDING_NOTE"
  for i in "${!BACKEND_LIST[@]}"; do
    # Backend i owns the random values lo..hi, WEIGHTS[i] of the SUM equally
    # likely values of numgen, so its share is exactly WEIGHTS[i]/SUM.
    hi=$((lo + WEIGHT_LIST[i] - 1))
    if ((lo == hi)); then pick+=("$lo : $(mark_of "$i")"); else pick+=("$lo-$hi : $(mark_of "$i")"); fi
    dnat+=("$(mark_of "$i") : ${BACKEND_LIST[i]}")
    snat+=("$(mark_of "$i") : $SNAT_ADDR")
    lo=$((hi + 1))
  done
  local IFS=,
  cat <<NFT
table ip $TABLE {
	comment "$comment"

	# Services of the LB: one farm here; nftlb dispatches through such a
	# verdict map so that the cost per packet does not grow with the farms.
	map services {
		type inet_proto . ipv4_addr . inet_service : verdict
		elements = { $PROTO . $VIP . $VPORT : goto farm }
	}

	map backend_by_mark {
		type mark : ipv4_addr
		elements = { ${dnat[*]} }
	}

	map snat_by_mark {
		type mark : ipv4_addr
		elements = { ${snat[*]} }
	}

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "$LB_IN" ip protocol . ip daddr . th dport vmap @services
	}

	chain farm {
		ct state new ct mark set numgen random mod $WEIGHT_SUM map { ${pick[*]} }
		dnat ip to ct mark map @backend_by_mark
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$LB_OUT" snat ip to ct mark map @snat_by_mark
	}
}
NFT
}

table_exists() { in_lb nft list table ip "$TABLE" >/dev/null 2>&1; }

scenario_setup() {
  local changed=no err
  table_exists && die "table ip $TABLE already exists in $LB_NS (teardown first)"
  forwarding_enable && changed=yes
  if ! err=$(render_ruleset "$changed" | in_lb nft -f - 2>&1); then
    [[ "$changed" == yes ]] && forwarding_disable
    die "nft refused the ruleset: $(head -n 1 <<<"$err")"
  fi
}

scenario_teardown() {
  local forwarding_was_ours=no listing
  if ! listing=$(in_lb nft list table ip "$TABLE" 2>/dev/null); then
    forget_service_conntrack
    return 0
  fi
  [[ "$listing" == *"$FORWARDING_NOTE"* ]] && forwarding_was_ours=yes
  in_lb nft delete table ip "$TABLE" || die "cannot delete table ip $TABLE in $LB_NS"
  forget_service_conntrack
  if [[ "$forwarding_was_ours" == yes ]]; then forwarding_disable; fi
}

scenario_main "$@"

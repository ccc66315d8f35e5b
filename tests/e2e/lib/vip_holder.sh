# shellcheck shell=bash
# tests/e2e/lib/vip_holder.sh -- which VRRP node holds a floating address,
# and how long a handover took. Sourced by e2e.sh. The address is $VRRP_VIP
# (set by the test), on the node's eth0.

[[ -n "${_XDPLB_VIP_HOLDER_SH:-}" ]] && return 0
_XDPLB_VIP_HOLDER_SH=1

# holds_vip NODE -> true while NODE has $VRRP_VIP on its eth0.
# (Not `ip | grep -q`: grep leaving early makes ip die of SIGPIPE, and pipefail a false "no".)
holds_vip() { [[ "$(ip -n "$(topo_ns "$1")" addr show dev eth0)" == *" $VRRP_VIP/"* ]]; }

now_ns() { date +%s%N; }

# gap_until_holder NODE SECONDS [START_NS] -> prints how many ms from
# START_NS (default now) until NODE holds the VIP, or "never" after SECONDS.
# Both ends err on the long side: START_NS is taken before the cut's command,
# the end after the check that found the VIP (one `ip` run can take tens of
# milliseconds on a busy machine).
gap_until_holder() {
  local node="$1" limit="$2" start="${3:-$(now_ns)}" now
  while :; do
    if holds_vip "$node"; then
      now=$(now_ns)
      echo "$(((now - start) / 1000000))"
      return 0
    fi
    now=$(now_ns)
    ((now - start > limit * 1000000000)) && { echo "never"; return 1; }
    sleep 0.01
  done
}

# wait_for_holder NODE SECONDS -> true once NODE holds the VIP.
wait_for_holder() { gap_until_holder "$@" >/dev/null || { echo "  $1 does not hold $VRRP_VIP after $2 s"; return 1; }; }

# gap_within GAP MS -> true when GAP (from gap_until_holder) is below MS.
gap_within() { [[ "$1" != never && "$1" -lt "$2" ]] || { echo "  took ${1} ms"; return 1; }; }

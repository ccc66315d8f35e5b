#!/usr/bin/env bash
# bench/scenarios/xdplb.sh setup|teardown -- xdplb itself: lbd on LB_IN and
# LB_OUT with one farm VIP:VPORT/PROTO over BACKENDS, weighted by WEIGHTS, in
# the mode XDPLB_MODE says: dnat (the default) or snat, from SNAT_ADDR. lbd
# outlives setup (its PID waits in SCENARIO_STATE_DIR for teardown); it runs
# under `ip netns exec`, whose private mount namespace takes the bpffs lbd
# mounts away with it.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"

# (Checked by scenario_require_env where they are needed: supports needs none.)
lbd="${BENCH_BUILD_DIR:-}/userspace/daemon/lbd"
lbctl="${BENCH_BUILD_DIR:-}/userspace/cli/lbctl"
state="${SCENARIO_STATE_DIR:-}/xdplb"
socket="$state/lbd.sock"
pid_file="$state/lbd.pid"
# Room for the bench's 1M flows: each takes two entries, in the half-open
# table until its second packet confirms it, then in the connection table.
conntrack_size=4194304
halfopen_size=4194304

lbctl_ns() { ip netns exec "$LB_NS" "$lbctl" --socket "$socket" "$@"; }

setup() {
  local -a mode=(--mode dnat)
  case "${XDPLB_MODE:-dnat}" in
    dnat) ;;
    snat) mode=(--mode snat --snat-addr "$SNAT_ADDR") ;;
    *) scenario_die "XDPLB_MODE must be dnat or snat, got '$XDPLB_MODE'" ;;
  esac
  [[ -x "$lbd" && -x "$lbctl" ]] || scenario_die "lbd or lbctl not built in $BENCH_BUILD_DIR"
  # A fresh state directory: lbd would restore the farm a previous setup made.
  rm -rf -- "$state"
  mkdir -p "$state/lib"
  setsid ip netns exec "$LB_NS" "$lbd" --iface "$LB_IN" --iface "$LB_OUT" --state-dir "$state/lib" \
    --socket "$socket" --conntrack-size "$conntrack_size" --halfopen-size "$halfopen_size" --detach-on-exit \
    >"$state/lbd.log" 2>&1 </dev/null &
  echo "$!" >"$pid_file"
  local deadline=$((SECONDS + 20))
  until lbctl_ns farm list >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null || ((SECONDS >= deadline)); then
      sed 's/^/  | /' "$state/lbd.log" >&2
      scenario_die "lbd did not become ready"
    fi
    sleep 0.1
  done
  lbctl_ns farm add bench --vip "$VIP" --port "$VPORT" --proto "$PROTO" "${mode[@]}" >/dev/null
  local -a backends weights
  read -r -a backends <<<"$BACKENDS"
  read -r -a weights <<<"$WEIGHTS"
  local i
  for i in "${!backends[@]}"; do
    lbctl_ns backend add bench "b$((i + 1))" --ip "${backends[i]}" --weight "${weights[i]}" >/dev/null
  done
}

# SIGTERM lbd (--detach-on-exit: it detaches its program), then KILL it if it lingers.
teardown() {
  [[ -f "$pid_file" ]] || return 0
  local pid i
  pid=$(cat "$pid_file")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

case "${1:-}" in
  setup) scenario_require_env; setup ;;
  teardown) scenario_require_env; teardown ;;
  supports) scenario_supports "${2:-}" udp tcp ;;
  *) scenario_die "usage: ${0##*/} setup|teardown|supports udp|tcp" ;;
esac

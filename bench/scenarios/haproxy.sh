#!/usr/bin/env bash
# bench/scenarios/haproxy.sh setup|teardown|supports udp|tcp -- the "haproxy"
# scenario of the benchmark kit: HAProxy in TCP mode in the LB namespace, a
# proxy listening on VIP:VPORT that opens a connection of its own to a
# backend for each client connection, from SNAT_ADDR.
#
# Scheduling: `balance random(1)`, one random draw per connection on
# HAProxy's consistent-hash ring, where a server holds points in proportion
# to its weight: a connection goes to backend i with probability about
# WEIGHTS[i]/SUM, independently of the others, as the nftables and iptables
# scenarios choose (numgen random, statistic random). roundrobin would give
# exact shares in a fixed order instead, and plain `random` means two draws
# and the less loaded of the two (not weights alone). HAProxy's weights go up
# to 256 and each unit is 16 points on the ring: the weights are scaled by the
# same integer up to that bound (1 2 7 -> 36 72 252), which keeps their ratios
# exact and makes the shares on the ring closer to them.
#
# HAProxy runs in the foreground under `ip netns exec`, as a process of its
# own (setsid): its PID and configuration wait in SCENARIO_STATE_DIR/haproxy
# for teardown, which stops it by that PID. TCP only: `supports udp` says no.
# Threads and connections: HAProxy's defaults, a thread per CPU and as many
# connections as the limit of open files allows.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/netfilter_common.sh
source "$here/lib/netfilter_common.sh"

MAX_WEIGHT=256           # HAProxy's bound for a server's weight
READY_TIMEOUT_S=10
state="${SCENARIO_STATE_DIR:-}/haproxy"
pid_file="$state/haproxy.pid"

# render_config -> haproxy.cfg for the farm.
render_config() {
  local max=0 w scale i
  for w in "${WEIGHT_LIST[@]}"; do ((w > max)) && max=$w; done
  ((max <= MAX_WEIGHT)) || die "WEIGHTS: HAProxy takes weights up to $MAX_WEIGHT, got $max"
  scale=$((MAX_WEIGHT / max))
  cat <<EOF
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s

listen bench
    bind $VIP:$VPORT
    balance random(1)
    source $SNAT_ADDR
EOF
  for i in "${!BACKEND_LIST[@]}"; do
    echo "    server b$((i + 1)) ${BACKEND_LIST[i]}:$VPORT weight $((WEIGHT_LIST[i] * scale))"
  done
}

# haproxy_running -> the process the PID file names is alive and HAProxy (not
# a process that got its PID since).
haproxy_running() {
  [[ -f "$pid_file" && "$(cat "/proc/$(cat "$pid_file")/comm" 2>/dev/null)" == haproxy ]]
}

# listening -> HAProxy accepts on VIP:VPORT in the LB namespace.
listening() {
  local sockets
  sockets=$(in_lb ss -Hltn "sport = :$VPORT") || return 1
  [[ "$sockets" == *"$VIP:$VPORT"* ]]
}

require_state_dir() { [[ -n "${SCENARIO_STATE_DIR:-}" ]] || die "missing environment variable SCENARIO_STATE_DIR"; }

scenario_setup() {
  [[ "$PROTO" == tcp ]] || die "HAProxy serves tcp farms only, got PROTO=$PROTO"
  command -v haproxy >/dev/null || die "haproxy is not installed (deploy/install-deps.sh)"
  haproxy_running && die "HAProxy of this scenario is already running (teardown first)"
  mkdir -p "$state"
  render_config >"$state/haproxy.cfg"
  local err
  err=$(haproxy -c -q -f "$state/haproxy.cfg" 2>&1) || die "HAProxy refused the configuration: $(head -n 1 <<<"$err")"
  setsid ip netns exec "$LB_NS" haproxy -db -f "$state/haproxy.cfg" >"$state/haproxy.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pid_file"
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until listening; do
    # (By PID: until ip(8) has exec'ed it, the process is not named haproxy.)
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      scenario_teardown
      die "HAProxy did not listen on $VIP:$VPORT: $(tail -n 1 "$state/haproxy.log")"
    fi
    sleep 0.1
  done
}

# SIGTERM (HAProxy's hard stop), then KILL if it lingers. By PID alone: this
# works whether or not the namespace is still there.
scenario_teardown() {
  local pid i
  haproxy_running || { rm -f "$pid_file"; return 0; }
  pid=$(cat "$pid_file")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    haproxy_running || break
    sleep 0.1
  done
  haproxy_running && kill -KILL "$pid" 2>/dev/null
  rm -f "$pid_file"
}

case "${1:-}" in
  setup) require_state_dir; scenario_check_env; scenario_setup ;;
  teardown) require_state_dir; scenario_teardown ;;
  supports) scenario_supports "${2:-}" tcp ;;
  *) die "usage: $0 setup|teardown|supports udp|tcp (contract environment: LB_NS LB_IN LB_OUT VIP VPORT PROTO BACKENDS WEIGHTS SNAT_ADDR, and SCENARIO_STATE_DIR)" ;;
esac

# shellcheck shell=bash disable=SC2034  # variables here are for the caller
# tests/e2e/lib/lb.sh -- run lbd (the xdplb daemon) in the lb namespace of the
# bench built by topology.sh, and talk to it with lbctl. Source it after
# topology.sh; call lb_start after topo_up.
#
#   lb_start [extra lbd args]   start lbd on lb's eth0 and eth1, wait until ready
#   lb_stop                     SIGTERM, wait, fail unless lbd exited with 0
#   lb_kill                     SIGKILL lbd and reap it (hitless tests)
#   lb_unload                   lbd --unload: remove the data plane lbd left
#   lbctl_ns ARGS...            lbctl ARGS in the lb namespace, on lbd's socket
#   lb_log                      print the path of the running lbd's log
#   vip_tally tcp|udp NS ADDR PORT COUNT
#                               COUNT fresh flows to a VIP; which backend
#                               answered each (fills TALLY etc., see below)
#   tally_line, tally_total     the last tally as one line, its answers' sum
#
# Binaries: $LBD and $LBCTL (ctest passes the built targets); by default the
# ones in <repo>/build, where deploy/build.sh puts them.
#
# Variables:
#   LB_RUN_DIR     per-run temp dir (registered with topology.sh for removal)
#   LB_STATE_DIR   lbd's --state-dir; kept across lb_stop/lb_start, so a
#                  restart finds the farms it saved
#   LB_SOCKET      lbd's --socket
#   LB_PID         PID of the running lbd ("" when stopped)
#   LB_HITLESS     0 (default): lbd runs with --detach-on-exit, so that
#                  lb_stop leaves no program attached and nothing pinned.
#                  1 (set before the first lb_start): lbd leaves its data plane
#                  behind when it ends, pinned in LB_PIN_DIR on LB_BPFFS, a
#                  bpffs mounted for this run alone (unmounted by topo_down),
#                  where the next lbd finds it
#   LB_READY_TIMEOUT, LB_STOP_TIMEOUT   seconds (default 10 each)

[[ -n "${_XDPLB_LB_SH:-}" ]] && return 0
_XDPLB_LB_SH=1

_LB_LIB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
_lb_repo=$(cd -- "$_LB_LIB_DIR/../../.." && pwd)
LBD="${LBD:-$_lb_repo/build/userspace/daemon/lbd}"
LBCTL="${LBCTL:-$_lb_repo/build/userspace/cli/lbctl}"
LB_READY_TIMEOUT="${LB_READY_TIMEOUT:-10}"
LB_STOP_TIMEOUT="${LB_STOP_TIMEOUT:-10}"

LB_RUN_DIR=""
LB_STATE_DIR=""
LB_SOCKET=""
LB_PID=""
LB_HITLESS="${LB_HITLESS:-0}"
LB_BPFFS=""
LB_PIN_DIR=""
_LB_LOG=""
_LB_STARTS=0        # numbers the logs: one per start, so a restart keeps the old

lb_die() { echo "[lb] ERROR: $*" >&2; return 1; }

# lb_check_binaries -> fail clearly when lbd or lbctl has not been built.
lb_check_binaries() {
  local bin
  for bin in "$LBD" "$LBCTL"; do
    [[ -x "$bin" ]] || lb_die "$bin not found or not executable (build first, or set LBD/LBCTL)" ||
      return 1
  done
}

_lb_dirs() {
  [[ -n "$LB_RUN_DIR" ]] && return 0
  topo_mktemp_var LB_RUN_DIR lbd
  LB_STATE_DIR="$LB_RUN_DIR/state"
  LB_SOCKET="$LB_RUN_DIR/lbd.sock"
  mkdir -p "$LB_STATE_DIR"
  ((LB_HITLESS)) || return 0
  # Mounted from here, outside lbd's mount namespace (ip netns exec gives
  # each lbd its own), so that every lbd of the run sees the same pins. The
  # lazy unmount leaves a running lbd its view; the pins go when it ends.
  LB_BPFFS="$LB_RUN_DIR/bpffs"
  LB_PIN_DIR="$LB_BPFFS/xdplb"
  mkdir -p "$LB_BPFFS"
  mount -t bpf bpf "$LB_BPFFS" || { lb_die "cannot mount a bpffs on $LB_BPFFS"; return 1; }
  topo_on_down "umount -l '$LB_BPFFS'"
}

# The data plane's options: where it is pinned, and whether it outlives lbd.
_lb_dataplane_args() {
  if ((LB_HITLESS)); then
    echo "--pin-dir $LB_PIN_DIR"
  else
    echo "--detach-on-exit"
  fi
}

# lbctl_ns ARGS... -> lbctl in the lb namespace, talking to our lbd.
lbctl_ns() {
  in_ns lb "$LBCTL" --socket "$LB_SOCKET" "$@"
}

# lb_log -> path of the log of the lbd started last.
lb_log() { echo "$_LB_LOG"; }

# lb_running -> true while the lbd we started is alive.
lb_running() { [[ -n "$LB_PID" ]] && _topo_alive "$LB_PID"; }

# lb_start [extra lbd args] -> start lbd in the lb namespace and wait until
# its API answers. in_ns (ip netns exec) gives it a private mount namespace:
# the bpffs lbd mounts there disappears with it, nothing is left on the host.
lb_start() {
  lb_check_binaries || return 1
  lb_running && { lb_die "lbd already running (PID $LB_PID)"; return 1; }
  _lb_dirs || return 1
  _LB_STARTS=$((_LB_STARTS + 1))
  _LB_LOG="$LB_RUN_DIR/lbd.$_LB_STARTS.log"
  # A socket file left by an lbd that was killed would let the readiness
  # probe below fail in a misleading way; lbd recreates it anyway.
  rm -f -- "$LB_SOCKET"
  # shellcheck disable=SC2046  # the options are words without blanks
  topo_spawn lb "$_LB_LOG" "$LBD" --iface eth0 --iface eth1 \
    --state-dir "$LB_STATE_DIR" --socket "$LB_SOCKET" $(_lb_dataplane_args) "$@"
  LB_PID=$TOPO_LAST_PID
  _lb_wait_ready
}

# Poll until lbd's socket accepts, which it does once ready (a request would
# do too, but the answer of any listing grows with the farms); give up early
# if lbd died.
_lb_wait_ready() {
  lbd_wait_api lb "$LB_SOCKET" "$LB_PID" "$_LB_LOG" "$LB_READY_TIMEOUT" >&2 && return 0
  _topo_alive "$LB_PID" && topo_kill_pid "$LB_PID"
  wait "$LB_PID" 2>/dev/null || true
  _lb_forget_pid
  lb_die "lbd did not start (exited, or not ready after ${LB_READY_TIMEOUT}s): its log is above ($_LB_LOG)"
}

# lbd_wait_api NAME SOCKET PID LOG [SECONDS] -> true once the lbd of PID
# (NAME: lb, or a node of a test's own bench) accepts on SOCKET; false, with
# its log, when it exits or is not ready within SECONDS (default 20: loading
# the data path takes seconds on a busy machine).
lbd_wait_api() {
  local name="$1" socket="$2" pid="$3" log="$4" deadline=$((SECONDS + ${5:-20}))
  until socat -u OPEN:/dev/null UNIX-CONNECT:"$socket" 2>/dev/null; do
    if ! _topo_alive "$pid" || ((SECONDS >= deadline)); then
      echo "lbd of $name did not start:"; sed 's/^/  | /' "$log"; return 1
    fi
    sleep 0.1
  done
}

# lb_stop -> SIGTERM lbd (unless LB_HITLESS, it detaches XDP on the way
# out), wait up to LB_STOP_TIMEOUT, and fail unless it exited with status 0.
lb_stop() {
  local pid="$LB_PID" rc=0 deadline=$((SECONDS + LB_STOP_TIMEOUT))
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while _topo_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      lb_die "lbd (PID $pid) still running ${LB_STOP_TIMEOUT}s after SIGTERM; killing it"
      topo_kill_pid "$pid"
      _lb_forget_pid
      return 1
    fi
    sleep 0.1
  done
  # lbd is our child (topo_spawn execs it in place), so wait yields its status.
  wait "$pid" || rc=$?
  _lb_forget_pid
  if ((rc != 0)); then
    lb_die "lbd exited with status $rc after SIGTERM; its log ($_LB_LOG):"
    sed 's/^/  | /' "$_LB_LOG" >&2
    return 1
  fi
}

# lb_kill -> SIGKILL lbd, as a crash would end it, and reap it.
lb_kill() {
  [[ -n "$LB_PID" ]] || return 0
  kill -KILL "$LB_PID" 2>/dev/null || true
  wait "$LB_PID" 2>/dev/null || true
  _lb_forget_pid
}

# lb_unload -> lbd --unload with lb_start's interfaces and directories.
lb_unload() {
  # shellcheck disable=SC2046
  in_ns lb "$LBD" --unload --iface eth0 --iface eth1 --state-dir "$LB_STATE_DIR" $(_lb_dataplane_args) \
    >>"$LB_RUN_DIR/unload.log" 2>&1 ||
    { lb_die "lbd --unload failed: $(tail -n 1 "$LB_RUN_DIR/unload.log")"; return 1; }
}

# Drop the reaped lbd from topology.sh's process registry, so that topo_down
# never signals a PID the system may have handed to someone else since.
_lb_forget_pid() {
  local -a keep=()
  local p
  for p in "${_TOPO_PIDS[@]}"; do
    [[ "$p" == "$LB_PID" ]] || keep+=("$p")
  done
  _TOPO_PIDS=("${keep[@]}")
  LB_PID=""
}

# ------------------------------------------------- client traffic to a VIP
# vip_tally tcp|udp NS ADDR PORT COUNT -> from namespace NS, COUNT new flows
# to ADDR:PORT; fills TALLY (assoc: backend name -> answers), TALLY_FAILED,
# TALLY_SECONDS and TALLY_ERRORS (array, the first few failures). If
# TALLY_FLOWS_FILE is set, appends "PROTO CLIENT_PORT BACKEND" per answered
# flow to it: which client ports went where, to explain odd spreads.
declare -gA TALLY=()
TALLY_FAILED=0
TALLY_SECONDS=0
TALLY_ERRORS=()
TALLY_FLOWS_FILE="${TALLY_FLOWS_FILE:-}"
vip_tally() {
  local proto="$1" ns="$2" addr="$3" port="$4" count="$5" out key a b
  [[ "$proto" == tcp || "$proto" == udp ]] ||
    { lb_die "vip_tally: protocol must be tcp or udp, got '$proto'"; return 1; }
  TALLY=(); TALLY_FAILED=0; TALLY_SECONDS=0; TALLY_ERRORS=()
  out=$(in_ns "$ns" python3 "$_LB_LIB_DIR/vip_tally.py" "$proto" "$addr" "$port" "$count") ||
    { lb_die "vip_tally: the client script failed"; return 1; }
  if [[ -n "$TALLY_FLOWS_FILE" ]]; then
    awk -v p="$proto" '$1 == "flow" { print p, $2, $3 }' <<<"$out" >>"$TALLY_FLOWS_FILE"
  fi
  while read -r key a b; do
    case "$key" in
      count) TALLY[$a]=$b ;;
      failed) TALLY_FAILED=$a ;;
      seconds) TALLY_SECONDS=$a ;;
      error) TALLY_ERRORS+=("$a $b") ;;
    esac
  done <<<"$out"
}

# tally_line -> the last vip_tally as one line: "b1 47 b2 53 failed 0, 0.40s"
tally_line() {
  local name line=""
  for name in $(printf '%s\n' "${!TALLY[@]}" | sort); do line+="$name ${TALLY[$name]} "; done
  echo "${line}failed $TALLY_FAILED, ${TALLY_SECONDS}s"
}

# tally_total -> sum of the answers in TALLY.
tally_total() {
  local name total=0
  for name in "${!TALLY[@]}"; do total=$((total + TALLY[$name])); done
  echo "$total"
}

# shellcheck shell=bash disable=SC2034  # variables here are for the caller
# tests/e2e/lib/topology.sh -- the standard xdplb test bench, built from
# network namespaces joined by veth pairs and a bridge. Source it; don't run it.
#
#   client(eth0 198.18.0.2/24) ---- (eth0 198.18.0.1/24) lb (eth1 198.18.1.1/24)
#                                                              |
#                                                     sw: br0 port p-lb
#                                                     sw: br0 port p-b1 ---- b1(eth0 198.18.1.11/24)
#                                                     sw: br0 port p-b2 ---- b2(eth0 198.18.1.12/24)
#                                                     sw: br0 port p-bN ---- bN(eth0 198.18.1.(10+N)/24)
#
# The client routes everything via the LB (198.18.0.1); backends route
# everything via the LB (198.18.1.1), so replies in DNAT mode come back
# through it. Nothing is routed out of these namespaces: none of them has a
# link to the host's namespace.
#
# Typical use:
#   source tests/e2e/lib/topology.sh
#   topo_install_trap          # cleans up on EXIT/INT/TERM, pass or fail
#   topo_up                    # or: topo_up 5   (five backends)
#   topo_add_vip
#   in_ns client curl -s http://198.18.1.11/
#
# Tunables (environment, read by topo_up):
#   TOPO_RUN_ID      short unique id for this run (default: $$)
#   TOPO_BACKENDS    number of backends (default 3; topo_up's argument wins)
#   TOPO_TX_CSUM_OFF 1 = disable TX checksum offload on the peers of the LB's
#                    interfaces (client eth0, sw p-lb): see _topo_tx_csum
#
# Registry: every namespace, PID and temp dir this library (or a caller,
# through topo_register_pid / topo_mktemp_var) creates is recorded, and
# topo_down removes exactly those, nothing else.

[[ -n "${_XDPLB_TOPOLOGY_SH:-}" ]] && return 0
_XDPLB_TOPOLOGY_SH=1

# ---------------------------------------------------------------- addresses
TOPO_RUN_ID="${TOPO_RUN_ID:-$$}"
TOPO_PREFIX="xlb${TOPO_RUN_ID}-"
TOPO_BACKENDS="${TOPO_BACKENDS:-3}"
TOPO_TX_CSUM_OFF="${TOPO_TX_CSUM_OFF:-0}"

CLIENT_IP=198.18.0.2        # client eth0
LB_CLIENT_IP=198.18.0.1     # lb eth0, the client's gateway
LB_BACKEND_IP=198.18.1.1    # lb eth1, the backends' gateway
CLIENT_NET=198.18.0.0/24
BACKEND_NET=198.18.1.0/24
VIP=198.18.0.100            # virtual IP, put on lb eth0 by topo_add_vip
# IPv6, alongside: the same plan on fd00::/64 (client side) and fd00:1::/64.
CLIENT_IP6=fd00::2
LB_CLIENT_IP6=fd00::1
LB_BACKEND_IP6=fd00:1::1
VIP6=fd00::100

# Filled by topo_up: names (b1..bN) and addresses (198.18.1.11..) of backends.
BACKEND_NAMES=()
BACKEND_IPS=()

# ----------------------------------------------------------------- registry
_TOPO_NAMESPACES=()   # full namespace names we created
_TOPO_PIDS=()         # processes we started (group leaders if via topo_spawn)
_TOPO_TMPDIRS=()      # temp dirs to remove
_TOPO_DOWN_HOOKS=()   # commands run (last first) at the start of topo_down
_TOPO_OUT_FD=""       # copies of the script's stdout/stderr (topo_install_trap)
_TOPO_ERR_FD=""
TOPO_LAST_PID=""      # PID of the last topo_spawn

topo_log() { echo "[topo] $*" >&2; }
topo_die() { echo "[topo] ERROR: $*" >&2; return 1; }

# topo_ns NAME -> full namespace name for this run (client -> xlb1234-client)
topo_ns() { echo "${TOPO_PREFIX}$1"; }

# in_ns NAME cmd... -> run a command inside this run's namespace NAME.
# `ip netns exec` gives the command a private mount namespace with its own
# /sys: a bpffs it mounts there (lbd does) and whatever it pins go with it,
# so no test leaves pins on the host.
in_ns() {
  local ns="$1"; shift
  ip netns exec "${TOPO_PREFIX}${ns}" "$@"
}

# backend_ip I -> address of backend I (1-based): 198.18.1.(10+I)
backend_ip() { echo "198.18.1.$((10 + $1))"; }
# backend_ip6 I -> its IPv6 address: fd00:1::(10+I), in hex digits as written
backend_ip6() { echo "fd00:1::$((10 + $1))"; }

topo_register_pid() { _TOPO_PIDS+=("$1"); }
topo_register_tmpdir() { _TOPO_TMPDIRS+=("$1"); }

# topo_on_down CMD -> run CMD (a string, eval'ed) when topo_down runs, before
# processes and namespaces go. Use it for things outside the namespaces, e.g.
# pins under /sys/fs/bpf, which is shared with the host.
topo_on_down() { _TOPO_DOWN_HOOKS+=("$1"); }

# topo_mktemp_var VAR [TAG] -> create a temp dir /tmp/<prefix>TAG.XXXXXX,
# register it for removal and store its path in VAR. (A variable rather than
# stdout because `$(...)` runs in a subshell, whose registration is lost.)
topo_mktemp_var() {
  local __var="$1" __tag="${2:-tmp}" __dir
  __dir=$(mktemp -d "/tmp/${TOPO_PREFIX}${__tag}.XXXXXX")
  _TOPO_TMPDIRS+=("$__dir")
  printf -v "$__var" '%s' "$__dir"
}

# topo_spawn NS LOGFILE cmd... -> start cmd in the background inside
# namespace NS (via in_ns), output to LOGFILE, record its PID (also in
# TOPO_LAST_PID). setsid makes it the leader of its own process group, so
# topo_down can stop it together with any children it forks (nginx workers,
# forked handlers), and a Ctrl-C aimed at the test does not hit it before
# cleanup runs. (In a non-interactive shell the background child is not a
# group leader, so setsid execs in place and $! is the server's own PID.)
topo_spawn() {
  local ns="${TOPO_PREFIX}$1" log="$2"; shift 2
  local -a enter=(ip netns exec "$ns")
  # ip netns exec enters by exec (no fork), so $! is the command's own PID;
  # its private mount namespace takes any bpffs the command mounts with it.
  # Spawned daemons get none of our saved fds: one held open by a stray
  # process would keep a runner (ctest) waiting on our output pipe.
  if [[ -n "$_TOPO_OUT_FD" ]]; then
    setsid "${enter[@]}" "$@" >"$log" 2>&1 </dev/null {_TOPO_OUT_FD}>&- {_TOPO_ERR_FD}>&- &
  else
    setsid "${enter[@]}" "$@" >"$log" 2>&1 </dev/null &
  fi
  TOPO_LAST_PID=$!
  _TOPO_PIDS+=("$TOPO_LAST_PID")
}

# ---------------------------------------------------------------- processes
# True while PID exists and is not a zombie.
_topo_alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

# topo_kill_pid PID -> TERM it (its whole group if it leads one), wait up to
# 3 s, then KILL whatever is left, and reap it if it is our child.
topo_kill_pid() {
  local pid="$1" target="$1" pgid i
  pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || true
  # Signal the group only when the process leads it (started via topo_spawn):
  # never a group that is not ours, such as the test script's own.
  [[ -n "$pgid" && "$pgid" == "$pid" ]] && target="-$pid"
  kill -TERM -- "$target" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    _topo_alive "$pid" || break
    sleep 0.1
  done
  kill -KILL -- "$target" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stop every registered process, newest first.
_topo_kill_registered() {
  local i
  for ((i = ${#_TOPO_PIDS[@]} - 1; i >= 0; i--)); do
    topo_kill_pid "${_TOPO_PIDS[i]}"
  done
  _TOPO_PIDS=()
}

# Safety net: anything still running inside a namespace of ours was started
# by this run (nothing else can enter them), e.g. a backgrounded `in_ns`
# a test forgot to register. A namespace with live processes outlives
# `ip netns del`, so end them too, by PID.
_topo_kill_ns_leftovers() {
  local ns pid
  for ns in "${_TOPO_NAMESPACES[@]}"; do
    ip netns pids "$ns" >/dev/null 2>&1 || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
  done
}

# --------------------------------------------------------------- namespaces
_topo_add_ns() {
  local ns="${TOPO_PREFIX}$1"
  ip netns add "$ns" || topo_die "cannot create namespace $ns" || return 1
  _TOPO_NAMESPACES+=("$ns")
  _topo_ip "$1" link set lo up
}

# _topo_veth NS_A IF_A NS_B IF_B -> veth pair with ends created directly in
# the two namespaces (never in the host's), both brought up.
_topo_veth() {
  local nsa="${TOPO_PREFIX}$1" ifa="$2" nsb="${TOPO_PREFIX}$3" ifb="$4"
  ip -n "$nsa" link add "$ifa" type veth peer name "$ifb" netns "$nsb" ||
    topo_die "cannot create veth $1:$ifa <-> $3:$ifb" || return 1
  _topo_ip "$1" link set "$ifa" up || return 1
  _topo_ip "$3" link set "$ifb" up
}

# _topo_gro NS IF -> enable GRO. A frame XDP-redirects into a veth is only
# delivered if the peer has an XDP program or GRO on.
_topo_gro() {
  in_ns "$1" ethtool -K "$2" gro on >/dev/null 2>&1 ||
    topo_die "cannot enable GRO on $1:$2"
}

# _topo_ip NS args... -> `ip -n <ns> args...`, reporting what failed.
_topo_ip() {
  local ns="$1"; shift
  ip -n "${TOPO_PREFIX}${ns}" "$@" || topo_die "in $ns: ip $*"
}

_topo_sysctl() {
  local ns="$1"; shift
  in_ns "$ns" sysctl -qw "$@" >/dev/null || topo_die "in $ns: sysctl $*"
}

# ------------------------------------------------------------------- public
# topo_up [NUM_BACKENDS] -> build the whole bench. On error it returns
# non-zero; what was made so far is still registered for topo_down.
topo_up() {
  local n="${1:-$TOPO_BACKENDS}" i name ns
  [[ "$n" =~ ^[1-9][0-9]*$ && "$n" -le 240 ]] ||
    topo_die "backend count must be 1..240, got '$n'" || return 1
  TOPO_BACKENDS="$n"
  [[ $EUID -eq 0 ]] || topo_die "must run as root" || return 1
  # Never adopt (and later delete) namespaces we did not make.
  if ip netns list | grep -q "^${TOPO_PREFIX}"; then
    topo_die "namespaces with prefix ${TOPO_PREFIX} already exist; set TOPO_RUN_ID" || return 1
  fi

  BACKEND_NAMES=(); BACKEND_IPS=()
  for ((i = 1; i <= n; i++)); do
    BACKEND_NAMES+=("b$i"); BACKEND_IPS+=("$(backend_ip "$i")")
  done

  for ns in client lb sw "${BACKEND_NAMES[@]}"; do
    _topo_add_ns "$ns" || return 1
  done

  # Switch: a plain learning bridge. STP off so ports forward at once.
  _topo_ip sw link add br0 type bridge stp_state 0 forward_delay 0 || return 1
  _topo_ip sw link set br0 up || return 1

  # client <-> lb
  _topo_veth client eth0 lb eth0 || return 1
  _topo_ip client addr add "$CLIENT_IP/24" dev eth0 || return 1
  _topo_ip client route add default via "$LB_CLIENT_IP" || return 1
  _topo_ip lb addr add "$LB_CLIENT_IP/24" dev eth0 || return 1
  # nodad: usable at once instead of after duplicate address detection.
  _topo_ip client addr add "$CLIENT_IP6/64" dev eth0 nodad || return 1
  _topo_ip client route add default via "$LB_CLIENT_IP6" || return 1
  _topo_ip lb addr add "$LB_CLIENT_IP6/64" dev eth0 nodad || return 1

  # lb <-> switch
  _topo_veth lb eth1 sw p-lb || return 1
  _topo_ip sw link set p-lb master br0 || return 1
  _topo_ip lb addr add "$LB_BACKEND_IP/24" dev eth1 || return 1
  _topo_ip lb addr add "$LB_BACKEND_IP6/64" dev eth1 nodad || return 1

  # backends <-> switch
  for ((i = 1; i <= n; i++)); do
    name="b$i"
    _topo_veth "$name" eth0 sw "p-$name" || return 1
    _topo_ip sw link set "p-$name" master br0 || return 1
    _topo_ip "$name" addr add "$(backend_ip "$i")/24" dev eth0 || return 1
    _topo_ip "$name" route add default via "$LB_BACKEND_IP" || return 1
    _topo_ip "$name" addr add "$(backend_ip6 "$i")/64" dev eth0 nodad || return 1
    _topo_ip "$name" route add default via "$LB_BACKEND_IP6" || return 1
  done

  # The LB routes between its two legs; rp_filter would drop DNAT/DSR
  # traffic whose source is not on the receiving interface's route.
  _topo_sysctl lb net.ipv4.ip_forward=1 || return 1
  _topo_sysctl lb net.ipv6.conf.all.forwarding=1 || return 1
  local conf
  for conf in all default eth0 eth1; do
    _topo_sysctl lb "net.ipv4.conf.$conf.rp_filter=0" || return 1
  done

  # GRO where XDP redirects deliver (client eth0 for replies, p-lb for
  # redirects out of lb eth1), and on every other veth for good measure, so
  # any end can be the target of a redirect. (An XDP_TX frame reaches the
  # peer only if the peer runs an XDP program: GRO is not enough for it.)
  _topo_gro client eth0 || return 1
  _topo_gro lb eth0 || return 1
  _topo_gro lb eth1 || return 1
  _topo_gro sw p-lb || return 1
  for name in "${BACKEND_NAMES[@]}"; do
    _topo_gro "$name" eth0 || return 1
    _topo_gro sw "p-$name" || return 1
  done

  if [[ "$TOPO_TX_CSUM_OFF" == 1 ]]; then
    topo_tx_csum_off || return 1
  fi
  topo_log "up: prefix ${TOPO_PREFIX}, $n backends"
}

# topo_add_vip [ADDR] -> put the VIP (default $VIP) on lb eth0 as /32, so
# the LB answers ARP for it. Idempotent.
topo_add_vip() {
  local addr="${1:-$VIP}"
  if [[ "$addr" == *:* ]]; then
    _topo_ip lb addr replace "$addr/128" dev eth0 nodad
  else
    _topo_ip lb addr replace "$addr/32" dev eth0
  fi
}

# topo_del_vip [ADDR]
topo_del_vip() {
  local addr="${1:-$VIP}"
  ip -n "${TOPO_PREFIX}lb" addr del "$addr/32" dev eth0 2>/dev/null || true
}

# topo_tx_csum_off / topo_tx_csum_on -> toggle TX checksum offload on the
# client's and the backends' eth0. With it on, veth hands packets over with
# CHECKSUM_PARTIAL (checksum not yet filled in), which an XDP program that
# rewrites addresses and patches checksums incrementally may get wrong.
topo_tx_csum_off() { _topo_tx_csum off; }
topo_tx_csum_on() { _topo_tx_csum on; }
# XDP cannot tell that a frame's TCP/UDP checksum is only partial (left to
# "hardware" by a veth sender, or by GSO re-segmenting a GRO'd packet): an
# incremental NAT update of a partial checksum yields a wrong one. Turning TX
# checksum offload off on the devices that transmit into the LB's interfaces
# makes the kernel complete every checksum before XDP sees the frame.
_topo_tx_csum() {
  local mode="$1"
  in_ns client ethtool -K eth0 tx "$mode" >/dev/null 2>&1 ||
    topo_die "cannot set tx checksum $mode on client:eth0" || return 1
  in_ns sw ethtool -K p-lb tx "$mode" >/dev/null 2>&1 ||
    topo_die "cannot set tx checksum $mode on sw:p-lb" || return 1
}

# topo_down -> remove everything this run made: hooks, processes, namespaces
# (their veths and the bridge go with them), temp dirs. Idempotent and
# never fails, so it is safe in traps.
topo_down() {
  local i ns
  for ((i = ${#_TOPO_DOWN_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${_TOPO_DOWN_HOOKS[i]}" || true
  done
  _TOPO_DOWN_HOOKS=()
  _topo_kill_registered
  _topo_kill_ns_leftovers
  for ns in "${_TOPO_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  _TOPO_NAMESPACES=()
  for i in "${_TOPO_TMPDIRS[@]}"; do
    # Only our own dirs, made by mktemp under /tmp with our prefix.
    [[ "$i" == /tmp/"${TOPO_PREFIX}"* ]] && rm -rf -- "$i"
  done
  _TOPO_TMPDIRS=()
  return 0
}

# topo_leftovers -> print any namespace of this run still present; returns
# 0 if there are none.
topo_leftovers() {
  local left
  left=$(ip netns list | awk '{print $1}' | grep "^${TOPO_PREFIX}" || true)
  [[ -z "$left" ]] && return 0
  echo "$left"
  return 1
}

# topo_watchdog SECONDS -> send this script SIGTERM after SECONDS, so the
# trap cleans up before an outer runner (ctest's TIMEOUT) kills it with
# SIGKILL, which no trap can catch. Stopped by topo_down like any process.
topo_watchdog() {
  local secs="$1"
  # shellcheck disable=SC2016  # expanded by the inner bash
  setsid bash -c 'sleep "$1"; echo "[topo] watchdog: ${1}s passed, stopping test" >&2; kill -TERM "$2"' \
    _ "$secs" "$$" </dev/null &
  _TOPO_PIDS+=("$!")
}

# topo_install_trap -> clean up on EXIT, INT and TERM, pass or fail. On a
# signal, exit with 128+signo after cleaning (the EXIT trap then re-runs
# topo_down, which is a no-op by then). Adds to, rather than replaces, any
# cleanup a caller puts in topo_on_down.
topo_install_trap() {
  # Keep the script's own stdout/stderr: a signal may arrive while some
  # command runs with output to /dev/null, and the handler runs inside
  # those redirections.
  exec {_TOPO_OUT_FD}>&1 {_TOPO_ERR_FD}>&2
  trap '_topo_trap_exit' EXIT
  trap '_topo_trap_signal 130 INT' INT
  trap '_topo_trap_signal 143 TERM' TERM
}
_topo_restore_output() {
  [[ -n "${_TOPO_OUT_FD:-}" ]] && exec 1>&"$_TOPO_OUT_FD" 2>&"$_TOPO_ERR_FD"
  return 0
}
_topo_trap_exit() {
  local rc=$?
  trap - EXIT
  _topo_restore_output
  topo_down
  exit "$rc"
}
_topo_trap_signal() {
  trap - INT TERM
  _topo_restore_output
  topo_log "caught SIG$2, cleaning up"
  topo_down
  exit "$1"
}

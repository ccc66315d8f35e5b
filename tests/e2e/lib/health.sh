# shellcheck shell=bash
# tests/e2e/lib/health.sh -- what lbd's health checks say about backends, and
# how long they took to say it. Source it after lb.sh (e2e.sh does).
#
#   now_s                            the time in seconds since the epoch, with a fraction
#   backend_health FARM NAME         "STATE SINCE REASON": up, down or unknown; since
#                                    when (seconds since the epoch); the last result
#   wait_health FARM NAME STATE MAX [START]
#                                    poll until NAME is STATE; sets HEALTH_TOOK to
#                                    the seconds from START (default: the call) to
#                                    the transition lbd reports (health_since);
#                                    fails after MAX seconds
#   within SECONDS BOUND             SECONDS <= BOUND, decimals allowed
#   check_transition WHAT FARM NAME STATE BOUND START
#                                    wait_health, then check that it took at most BOUND

[[ -n "${_XDPLB_HEALTH_SH:-}" ]] && return 0
_XDPLB_HEALTH_SH=1

HEALTH_TOOK=""

now_s() { date +%s.%N; }

backend_health() {
  lbctl_ns --json farm show "$1" | python3 -c '
import datetime, json, sys
for b in json.load(sys.stdin)["backends"]:
    if b["name"] == sys.argv[1]:
        since = b["health_since"]
        seconds = datetime.datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp() if since else 0
        print(b["health"], f"{seconds:.3f}", b["health_reason"])' "$2"
}

wait_health() {
  local farm="$1" name="$2" state="$3" max="$4" start="${5:-$(now_s)}" health="" since
  local deadline=$((SECONDS + ${max%.*} + 1))
  while :; do
    health=$(backend_health "$farm" "$name")
    [[ "${health%% *}" == "$state" ]] && break
    if ((SECONDS >= deadline)); then
      echo "  $farm/$name is '$health', not $state after ${max}s" >&2
      return 1
    fi
    sleep 0.05
  done
  read -r _ since _ <<<"$health"
  HEALTH_TOOK=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) - float(sys.argv[2]):.3f}")' "$since" "$start")
  echo "  $farm/$name $state ${HEALTH_TOOK}s after the change: ${health#* * }"
}

within() { python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= float(sys.argv[2]))' "$1" "$2"; }

# What polling lbctl and a loaded machine may add to a measured transition.
HEALTH_SLACK="${HEALTH_SLACK:-0.4}"

# check_transition WHAT FARM NAME STATE BOUND START -> wait for STATE and
# check (report.sh) that lbd saw it within BOUND (+ HEALTH_SLACK) seconds of
# START; HEALTH_TOOK holds the measured time, "" when STATE never came.
check_transition() {
  local what="$1" farm="$2" name="$3" state="$4" bound="$5" start="$6"
  if wait_health "$farm" "$name" "$state" 5 "$start"; then
    check "$what within $bound s (measured $HEALTH_TOOK s)" \
      within "$HEALTH_TOOK" "$(python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2]))' "$bound" "$HEALTH_SLACK")"
  else
    HEALTH_TOOK=""
    fail "$what"
  fi
}

#!/usr/bin/env bash
# bench/suites/health.sh -- what health checks cost lbd: its CPU use (user +
# system time from /proc/PID/stat over a window, as a percentage of one CPU)
# with 1000 backends checked every second, for tcp and for http checks, and
# with no check as the baseline (lbd's connection-table upkeep). A suite of
# bench/run (bench/suites/README.md); it runs alone too, as root after a
# build, with SUITE_OUT set.
#
#   lb (lbd, 4 farms of 250 backends) --> b1: one nginx on 0.0.0.0:80, which
#                                         holds the 1000 backend addresses
#                                         198.18.4.0-198.18.7.231
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd -- "$here/../.." && pwd)
: "${SUITE_OUT:?must name the directory for the output of the suite, see bench/suites/README.md}"
BENCH_BUILD_DIR="${BENCH_BUILD_DIR:-$repo/build}"
export LBD="$BENCH_BUILD_DIR/userspace/daemon/lbd" LBCTL="$BENCH_BUILD_DIR/userspace/cli/lbctl"
# shellcheck source=../../tests/e2e/lib/topology.sh
source "$repo/tests/e2e/lib/topology.sh"
# shellcheck source=../../tests/e2e/lib/servers.sh
source "$repo/tests/e2e/lib/servers.sh"
# shellcheck source=../../tests/e2e/lib/lb.sh
source "$repo/tests/e2e/lib/lb.sh"

BACKENDS=1000
FARMS=4                 # a farm holds at most 256 backends
BACKEND_NET=198.18.4.0/22
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  repetitions=1; window_s=4
else
  repetitions=3; window_s=20
fi
MEASUREMENTS="$SUITE_OUT/measurements.jsonl"

# backend_address INDEX -> the INDEX-th address of BACKEND_NET (0-based).
backend_address() { echo "198.18.$((4 + $1 / 256)).$(($1 % 256))"; }

# The farms and their backends, as lbd --config reads them; no check yet.
write_config() {
  python3 - "$BACKENDS" "$FARMS" >"$1" <<'PY'
import json, sys
backends, farms = int(sys.argv[1]), int(sys.argv[2])
per_farm = backends // farms
config = {"farms": []}
for f in range(farms):
    members = []
    for i in range(f * per_farm, (f + 1) * per_farm):
        members.append({"name": f"b{i}", "ip": f"198.18.{4 + i // 256}.{i % 256}", "port": 80})
    config["farms"].append({"name": f"hc{f}", "vip": "198.18.0.100", "port": 8000 + f, "proto": "tcp",
                            "backends": members})
print(json.dumps(config))
PY
}

# The 1000 addresses on b1, routed to it from lb.
add_backend_addresses() {
  local batch="$1" i
  for ((i = 0; i < BACKENDS; i++)); do echo "address add $(backend_address "$i")/32 dev eth0"; done >"$batch"
  in_ns b1 ip -batch "$batch"
  in_ns lb ip route add "$BACKEND_NET" via "$(backend_ip 1)" dev eth1
}

# cpu_ticks PID -> utime + stime of PID, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure CHECK REPETITION -> one line of measurements.jsonl: lbd's CPU over
# window_s, and the median duration of the backends' last checks.
measure() {
  local check="$1" before after
  before=$(cpu_ticks "$LB_PID")
  sleep "$window_s"
  after=$(cpu_ticks "$LB_PID")
  lbctl_ns --json farm list | python3 -c '
import json, statistics, sys
check, ticks, hz, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
backends = [b for farm in json.load(sys.stdin) for b in farm["backends"]]
durations = [b["health_check_ms"] for b in backends if b["health_check_ms"] is not None]
up = sum(1 for b in backends if b["health"] == "up")
print(json.dumps({"check": check, "cpu_percent": 100.0 * ticks / hz / window, "backends": len(backends), "up": up,
                  "check_ms": statistics.median(durations) if durations else None}))' \
    "$check" "$((after - before))" "$(getconf CLK_TCK)" "$window_s" >>"$MEASUREMENTS"
  tail -n 1 "$MEASUREMENTS"
}

set_check() {
  local farm
  for ((farm = 0; farm < FARMS; farm++)); do
    lbctl_ns farm set "hc$farm" --check "$1" --check-interval 1 --check-timeout 0.5 >/dev/null
  done
}

# wait_all_up -> until every backend is up (at most 15 s).
wait_all_up() {
  local i up
  for ((i = 0; i < 150; i++)); do
    up=$(lbctl_ns --json farm list | python3 -c '
import json, sys
print(sum(1 for farm in json.load(sys.stdin) for b in farm["backends"] if b["health"] == "up"))')
    ((up == BACKENDS)) && return 0
    sleep 0.1
  done
  echo "health.sh: only $up of $BACKENDS backends came up" >&2
  return 1
}

write_results() {
  python3 - "$MEASUREMENTS" "$SUITE_OUT" "$BACKENDS" "$window_s" <<'PY'
import json, statistics, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
out, backends, window = sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows, table = [], []
labels = {"none": "no check (baseline)", "tcp": "tcp checks", "http": "http checks"}
for check in ("none", "tcp", "http"):
    runs = [l for l in lines if l["check"] == check]
    if not runs:
        continue
    cpu = [r["cpu_percent"] for r in runs]
    rows.append({"scenario": "xdplb", "test": f"lbd CPU, {backends} backends, {labels[check]} every 1 s",
                 "flows": backends, "value": round(statistics.median(cpu), 2), "unit": "% of one CPU",
                 "min": round(min(cpu), 2), "max": round(max(cpu), 2), "repetitions": len(cpu)})
    durations = [r["check_ms"] for r in runs if r["check_ms"] is not None]
    if check != "none" and durations:
        rows.append({"scenario": "xdplb", "test": f"{check} check duration, median of {backends} backends",
                     "flows": backends, "value": round(statistics.median(durations), 3), "unit": "ms",
                     "min": round(min(durations), 3), "max": round(max(durations), 3),
                     "repetitions": len(durations)})
    table.append(f"| {labels[check]} | {statistics.median(cpu):.1f} ({min(cpu):.1f}-{max(cpu):.1f}) | "
                 + (f"{statistics.median(durations):.2f} |" if check != "none" and durations else "- |"))
json.dump(rows, open(f"{out}/rows.json", "w"), indent=1)
with open(f"{out}/section.md", "w") as section:
    section.write(f"""## Health checks

lbd with {backends} backends (4 farms of 250, one nginx holding all their addresses), each checked
once a second, every check a new connection; lbd's CPU time (user + system, from /proc) over
windows of {window} s, median and min-max of the windows. The baseline is lbd with the same
backends and no check: its connection-table upkeep.

| checks | lbd CPU, % of one CPU | median check duration, ms |
|---|---|---|
""" + "\n".join(table) + "\n")
PY
}

main() {
  local work repetition check
  topo_install_trap
  topo_watchdog $((60 + 4 * repetitions * window_s))
  topo_up 1
  topo_add_vip
  topo_mktemp_var work health
  add_backend_addresses "$work/addresses.batch"
  nginx_start b1
  write_config "$work/farms.json"
  : >"$MEASUREMENTS"
  lb_start --config "$work/farms.json"
  for ((repetition = 1; repetition <= repetitions; repetition++)); do
    for check in none tcp http; do
      set_check "$check"
      [[ "$check" == none ]] && sleep 1 || wait_all_up
      measure "$check"
    done
  done
  lb_stop
  write_results
  topo_down
}

main "$@"

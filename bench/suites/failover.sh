#!/usr/bin/env bash
# bench/suites/failover.sh -- the failover gap distribution of issue 7: the
# end-to-end test e2e.ha_sync (two lbd nodes with VRRP at 0.1 s adverts and
# connection-state sync, a long-lived connection through a SNAT farm and new
# connections all along) run again and again; each run's gaps become one
# measurement. Cut: the master's links go down. Return: they come back (it
# preempts after its resync). Stop: SIGTERM of the master. For each, how long
# until the other node holds the VIP and the longest a long-lived connection
# waited for an answer (asked every 0.1 s). A suite of bench/run
# (bench/suites/README.md); it runs alone too, as root after a build, with
# SUITE_OUT set (FAILOVER_RUNS overrides the count).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd -- "$here/../.." && pwd)
: "${SUITE_OUT:?must name the directory for the output of the suite, see bench/suites/README.md}"
BENCH_BUILD_DIR="${BENCH_BUILD_DIR:-$repo/build}"
export LBD="$BENCH_BUILD_DIR/userspace/daemon/lbd" LBCTL="$BENCH_BUILD_DIR/userspace/cli/lbctl"

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then runs=1; else runs="${FAILOVER_RUNS:-20}"; fi
measurements="$SUITE_OUT/measurements.jsonl"
: >"$measurements"

failed_runs=0
for ((run = 1; run <= runs; run++)); do
  out="$SUITE_OUT/run-$run.txt"
  if "$repo/tests/e2e/ha_sync.sh" >"$out" 2>&1; then
    python3 "$here/failover_gaps.py" "$out" >>"$measurements"
  else
    failed_runs=$((failed_runs + 1))
    echo "run $run failed: see $out" >&2
  fi
done

{
  echo "## Failover gaps (e2e.ha_sync, $runs runs, $failed_runs failed)"
  echo
  echo "Milliseconds. Holder: until the other node holds the VIP, from before the command"
  echo "(links down, links up, SIGTERM). Wait: the longest a long-lived connection, asked every"
  echo "0.1 s, waited for an answer in the phase. Median (best-worst) over the passing runs."
  echo
  python3 "$repo/bench/lib/suite_report.py" --measurements "$measurements" --rows "$SUITE_OUT/rows.json" \
    --subject xdplb --baselines "" --count new_connections_lost
} >"$SUITE_OUT/section.md"
cat "$SUITE_OUT/section.md"
((failed_runs == 0))

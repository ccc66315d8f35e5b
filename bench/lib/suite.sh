# shellcheck shell=bash disable=SC2034  # variables here are for the caller
# bench/lib/suite.sh -- what every suite of bench/suites does around its own
# measurements (bench/suites/README.md). Source it first: it brings in
# bench/lib/topology.sh and bench/lib/scenario.sh.
#
#   suite_runs QUICK_REPS QUICK_S FULL_REPS FULL_S -> repetitions, seconds
#   suite_up WATCHDOG_S -> SUITE_OUT ready, cleanup on any exit, the TCP bench up
#   suite_section FUNC  -> FUNC's Markdown into SUITE_OUT/section.md and the log
#
# SUITE_MEASUREMENTS: the suite's JSON lines, one per run, for
# bench/lib/suite_report.py.

[[ -n "${_XDPLB_BENCH_SUITE_SH:-}" ]] && return 0
_XDPLB_BENCH_SUITE_SH=1

: "${SUITE_OUT:?must name the directory for the output of the suite, see bench/suites/README.md}"
_bench_suite_lib=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=topology.sh
source "$_bench_suite_lib/topology.sh"
# shellcheck source=scenario.sh
source "$_bench_suite_lib/scenario.sh"

SUITE_MEASUREMENTS="$SUITE_OUT/measurements.jsonl"
SUITE_REPORT="$_bench_suite_lib/suite_report.py"

# suite_runs QUICK_REPS QUICK_S FULL_REPS FULL_S -> set repetitions and
# seconds (per run) for bench/run --quick (BENCH_QUICK=1) or a full run.
suite_runs() {
  if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
    repetitions=$1 seconds=$2
  else
    repetitions=$3 seconds=$4
  fi
}

# suite_up WATCHDOG_S -> an empty SUITE_MEASUREMENTS, cleanup on any exit, a
# watchdog, and bench_tcp_topology_up.
suite_up() {
  mkdir -p "$SUITE_OUT"
  : >"$SUITE_MEASUREMENTS"
  topo_install_trap
  topo_watchdog "$1"
  bench_tcp_topology_up
}

# suite_section FUNC -> what FUNC prints, as SUITE_OUT/section.md and in the log.
suite_section() {
  "$1" >"$SUITE_OUT/section.md"
  cat "$SUITE_OUT/section.md"
}

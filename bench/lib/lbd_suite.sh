# shellcheck shell=bash disable=SC2034  # variables here are for the caller
# bench/lib/lbd_suite.sh -- what the suites that run lbd share (see
# bench/suites/README.md). Source it from a suite, after setting TOPO_RUN_ID;
# it brings the bench topology (bench/lib/topology.sh) and lbd's helpers
# (tests/e2e/lib/lb.sh) with the build's lbd and lbctl, and:
#   quick                        1 under bench/run --quick
#   suite_record TEST UNIT VALUE one measurement, of flows SUITE_FLOWS (default null)
#   suite_finish TITLE NOTE      rows.json and section.md from the measurements
#   lbd_rss_mib                  the running lbd's resident memory

[[ -n "${_XDPLB_LBD_SUITE_SH:-}" ]] && return 0
_XDPLB_LBD_SUITE_SH=1

: "${BENCH_BUILD_DIR:?run by bench/run}" "${SUITE_OUT:?run by bench/run}"
quick=${BENCH_QUICK:-0}
_suite_lib=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

# shellcheck source=topology.sh
source "$_suite_lib/topology.sh"
LBD="$BENCH_BUILD_DIR/userspace/daemon/lbd"
LBCTL="$BENCH_BUILD_DIR/userspace/cli/lbctl"
# lbd loads its program first: seconds on a busy machine.
LB_READY_TIMEOUT=120
# shellcheck source=../../tests/e2e/lib/lb.sh
source "$_suite_lib/../../tests/e2e/lib/lb.sh"

SUITE_FLOWS=null
_suite_measurements="$SUITE_OUT/measurements.jsonl"
: >"$_suite_measurements"

suite_record() {
  printf '{"scenario": "xdplb", "test": "%s", "flows": %s, "unit": "%s", "value": %s}\n' \
    "$1" "$SUITE_FLOWS" "$2" "$3" | tee -a "$_suite_measurements"
}

suite_finish() {
  python3 "$_suite_lib/suite_rows.py" "$_suite_measurements" "$SUITE_OUT" "$1" "$2"
}

lbd_rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$LB_PID/status"; }

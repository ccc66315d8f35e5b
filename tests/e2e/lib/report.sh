# shellcheck shell=bash
# tests/e2e/lib/report.sh -- how every end-to-end test reports: one PASS:/FAIL:
# line per check and a closing "NAME: N passed, M failed" line that ctest's
# log and CI read. Source it; don't run it.

[[ -n "${_XDPLB_REPORT_SH:-}" ]] && return 0
_XDPLB_REPORT_SH=1

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# check DESC cmd... -> a PASS/FAIL line from cmd's status; cmd explains
# failures on stdout, indented.
check() {
  local desc="$1"; shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# note TEXT -> an indented detail line; section TITLE -> a heading with the
# seconds the test has run.
note() { echo "  $*"; }
section() { echo; echo "== $* (t=${SECONDS}s)"; }
# report_summary NAME -> the closing line; succeeds only if nothing failed.
report_summary() {
  echo "$1: $passed passed, $failed failed"
  ((failed == 0))
}

#!/usr/bin/env bash
# End-to-end test of the declarative configuration on the namespace bench
# (client -> lb -> switch -> b1, b2, b3): lbd starts from a config file with
# farm web (b1, b2); a keep-alive connection is opened through it. Then:
# lbctl export, applied back, changes nothing; lbctl apply --dry-run shows the
# differences of a file that adds farm api and changes web's weights, and
# changes nothing; applying it makes both true at once while the keep-alive
# connection carries on with its backend; a refused file (shown at its line)
# changes nothing; applying the first file back removes farm api; lbd
# --check-config accepts the export; lbd restarted with --config on the export
# exports the same again; lbd --config refuses a bad file, saying where.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), DC_DEADLINE (seconds
# before the watchdog stops the run, default 60).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

CLIENT_PORT=46100
DC_DIR=""

# farm_file NAME WEB_WEIGHT_B1 WEB_WEIGHT_B2 [with-api] -> a config file in the run's directory.
farm_file() {
  local path="$DC_DIR/$1.json" api=""
  [[ "${4:-}" == with-api ]] && api=$(printf ',\n    {"name": "api", "vip": "%s", "port": %s, "proto": "tcp",\n     "backends": [{"name": "b3", "ip": "%s", "port": %s}]}' \
    "$VIP" "$HTTP_ALT_PORT" "$(backend_ip 3)" "$HTTP_PORT")
  cat >"$path" <<JSON
{
  "farms": [
    {"name": "web", "vip": "$VIP", "port": $HTTP_PORT, "proto": "tcp", "mode": "snat",
     "backends": [{"name": "b1", "ip": "$(backend_ip 1)", "weight": $2},
                  {"name": "b2", "ip": "$(backend_ip 2)", "weight": $3}]}$api
  ]
}
JSON
  echo "$path"
}

# apply_output ARGS... -> lbctl apply's stdout and stderr, then "exit N".
apply_output() {
  local rc=0 out
  out=$(lbctl_ns apply "$@" 2>&1) || rc=$?
  printf '%s\nexit %s\n' "$out" "$rc"
}

show() { while IFS= read -r line; do note "  | $line"; done <<<"$1"; }

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${DC_DEADLINE:-60}"
  TOPO_TX_CSUM_OFF=1
  topo_up 3
  topo_add_vip
  servers_start
  topo_mktemp_var DC_DIR declarative
  local initial changed
  initial=$(farm_file initial 1 1)
  changed=$(farm_file changed 3 1 with-api)
  lb_start --config "$initial"

  start_keepalive "$CLIENT_PORT"
  local backend
  backend=$(ask_keepalive)
  note "the keep-alive connection is served by $backend"
  check "the keep-alive connection through web answers (got '$backend')" test "${backend:0:1}" == b

  section "export, applied back, changes nothing"
  local exported="$DC_DIR/exported.json" out
  lbctl_ns export --output "$exported"
  check "lbd --check-config accepts the export" test "$("$LBD" --check-config "$exported")" == "$exported: OK"
  out=$(apply_output -f "$exported")
  show "$out"
  check "applying the export says no change and exits 0" test "$out" == $'no change\nexit 0'

  section "dry run shows the differences and changes nothing"
  out=$(apply_output -f "$changed" --dry-run)
  show "$out"
  local diff=$'~ backend web/b1: weight 1 → 3\n+ farm api\n+ backend api/b3'
  check "the dry run lists web's weight and the new farm, exit 0" \
    test "$out" == "$diff"$'\ndry run: 3 changes, none applied\nexit 0'
  check "  ... and the configuration is unchanged" test "$(lbctl_ns export)" == "$(cat "$exported")"

  section "apply: one change, the established connection untouched"
  out=$(apply_output -f "$changed")
  show "$out"
  check "apply lists the same differences, applied, exit 0" test "$out" == "$diff"$'\napplied: 3 changes\nexit 0'
  check "the keep-alive connection still answers from $backend" test "$(ask_keepalive)" == "$backend"
  vip_tally tcp client "$VIP" "$HTTP_ALT_PORT" 10 || fail "the tally client ran"
  check "the new farm api serves: 10 connections answered by b3 ($(tally_line))" test "$(tally_total)" -eq 10
  check "applying the same file again says no change" test "$(apply_output -f "$changed")" == $'no change\nexit 0'

  section "a refused file changes nothing"
  local bad="$DC_DIR/bad.json" before
  before=$(lbctl_ns export)
  sed 's/"weight": 3/"weight": 3000000/' "$changed" >"$bad"
  out=$(apply_output -f "$bad")
  show "$out"
  check "an out-of-range weight is refused at its line and field, exit 1" \
    test "$out" == "lbctl: $bad:4: farms[0].backends[0].weight: must be an integer from 0 to 1000000, got 3000000"$'\nexit 1'
  sed 's/"name": "api"/"name": "web"/' "$changed" >"$bad"
  out=$(apply_output -f "$bad" --dry-run)
  show "$out"
  check "a second farm web is refused, exit 1" \
    test "$out" == "lbctl: $bad:6: farms[1].name: farm 'web' exists twice"$'\nexit 1'
  check "  ... and the configuration is unchanged" test "$(lbctl_ns export)" == "$before"
  check "the keep-alive connection still answers from $backend" test "$(ask_keepalive)" == "$backend"

  section "apply the first file back: farm api goes"
  out=$(apply_output -f "$initial")
  show "$out"
  check "apply lists web's weight back and api removed, exit 0" \
    test "$out" == $'~ backend web/b1: weight 3 → 1\n- farm api\napplied: 2 changes\nexit 0'
  check "the keep-alive connection still answers from $backend" test "$(ask_keepalive)" == "$backend"
  stop_keepalive

  section "export -> lbd --config -> export is the same"
  lbctl_ns export --output "$exported"
  lb_stop || fail "lbd stops cleanly"
  lb_start --config "$exported"
  check "lbd started from the export exports it unchanged" test "$(lbctl_ns export)" == "$(cat "$exported")"
  lb_stop || fail "lbd stops cleanly"

  section "lbd --config refuses a bad file at its line"
  local rc=0
  out=$(in_ns lb "$LBD" --config "$bad" --iface eth0 --state-dir "$LB_STATE_DIR" --socket "$LB_SOCKET" 2>&1) || rc=$?
  show "$out"
  check "lbd exits 1 naming the file, line and field" \
    test "$rc:$(grep -c "$bad:6: farms\[1\].name: farm 'web' exists twice" <<<"$out")" == 1:1
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  echo
  report_summary "declarative_config (${SECONDS}s)"
}

main "$@"

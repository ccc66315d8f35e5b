#!/usr/bin/env bash
# End-to-end test of the hardened API on the namespace bench (client -> lb ->
# b1): the unix socket is root's alone; lbd refuses a key file others may
# read; over TCP (--api-listen) lbctl with the key works, a wrong key is
# refused and logged without the key; garbage, a 2 MiB line, half lines, a
# crowd of connections, wrong keys and a flood of requests
# (lib/api_abuse.py) leave lbd running with its farms unchanged, and the
# good client still served.
# Prints PASS:/FAIL: lines and "N passed, M failed"; exits non-zero on any
# failure. Everything it builds is removed at the end, pass or fail.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), AH_DEADLINE (seconds
# before the watchdog stops the run, default 60).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

API_PORT=9843
API_ADDR="$LB_CLIENT_IP:$API_PORT"

# lbctl_tcp KEY_FILE ARGS... -> lbctl ARGS from the client namespace, over TCP.
lbctl_tcp() {
  local key_file="$1"; shift
  in_ns client "$LBCTL" --connect "$API_ADDR" --api-key-file "$key_file" "$@"
}

# quietly CMD... -> CMD without its output.
quietly() { "$@" >/dev/null; }

# lacks TEXT FILE -> true when FILE does not hold TEXT.
lacks() { ! grep -qF -- "$1" "$2"; }

# abuse_value NAME -> a value api_abuse.py printed.
abuse_value() { awk -v name="$1" '$1 == name { $1 = ""; sub(/^ /, ""); print }' <<<"$ABUSE"; }

# Each step's outcome, checked against what the script expects.
check_abuse() {
  check "every garbage line got one error ($(abuse_value garbage_errors)/$(abuse_value garbage_lines))" \
    test "$(abuse_value garbage_errors)" == "$(abuse_value garbage_lines)"
  check "a 2 MiB line was answered 'request is larger than 1 MiB' (got '$(abuse_value oversize_answer)')" \
    test "$(abuse_value oversize_answer)" == "request is larger than 1 MiB"
  check "the connections beyond 64 of a crowd of 100 were refused ($(abuse_value crowd_refused))" \
    test "$(abuse_value crowd_refused)" -ge 36
  check "every wrong key was refused and its connection closed ($(abuse_value wrong_key_refused)/10)" \
    test "$(abuse_value wrong_key_refused)" == 10
  check "a flood of 300 pipelined requests met the rate limit ($(abuse_value flood_limited) limited)" \
    test "$(abuse_value flood_limited)" -ge 50
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog "${AH_DEADLINE:-60}"
  topo_up 1
  local keys key open_key out before after line
  topo_mktemp_var keys apikeys
  key="$keys/api.key"
  open_key="$keys/open.key"
  (umask 077 && openssl rand -hex 32 >"$key")
  cp "$key" "$open_key" && chmod 644 "$open_key"
  printf 'wrong-key-wrong-key-wrong-key\n' >"$keys/wrong.key" && chmod 600 "$keys/wrong.key"

  section "a key file others may read stops lbd before it starts"
  if lb_start --api-listen "$API_ADDR" --api-key-file "$open_key" 2>/dev/null; then
    fail "lbd started with a key file of mode 0644"
    lb_stop
  else
    check "lbd says why (log: $(tail -n1 "$(lb_log)"))" grep -q "has mode 0644: its group or others may use it" "$(lb_log)"
  fi

  section "the unix socket and the TCP listener"
  lb_start --api-listen "$API_ADDR" --api-key-file "$key"
  check "the unix socket is root's alone (mode $(stat -c %a "$LB_SOCKET"))" test "$(stat -c %a "$LB_SOCKET")" == 600
  check "lbctl --connect with the key adds a farm over TCP" quietly \
    lbctl_tcp "$key" farm add web --vip "$VIP" --port 80 --proto tcp --mode snat
  check "and a backend" quietly lbctl_tcp "$key" backend add web b1 --ip "$(backend_ip 1)" --weight 3
  if out=$(lbctl_tcp "$keys/wrong.key" farm del web 2>&1); then
    fail "lbctl with a wrong key was served"
  else
    check "lbctl with a wrong key is refused ($out)" grep -q "wrong API key" <<<"$out"
  fi
  if out=$(lbctl_tcp "$open_key" farm list 2>&1); then
    fail "lbctl used a key file others may read"
  else
    check "lbctl refuses a key file others may read too" grep -q "has mode 0644" <<<"$out"
  fi
  before=$(lbctl_ns --json farm list)

  section "misbehaving clients"
  ABUSE=$(in_ns client python3 "$here/lib/api_abuse.py" "$LB_CLIENT_IP" "$API_PORT" "$key")
  while read -r line; do note "$line"; done <<<"$ABUSE"
  check_abuse
  check "lbd is still running" lb_running
  after=$(lbctl_ns --json farm list)
  check "the farms are as they were" test "$before" == "$after"
  check "the good client is still served over TCP" quietly lbctl_tcp "$key" farm show web
  check "lbd logged the wrong keys" grep -q "wrong API key" "$(lb_log)"
  check "and never the key itself" lacks "$(head -n1 "$key")" "$(lb_log)"
  check "lbd stops cleanly" lb_stop
  report_summary api_hardening
}

main "$@"

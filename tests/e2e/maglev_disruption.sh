#!/usr/bin/env bash
# End-to-end measure of consistent hashing on the namespace bench: a farm with
# --scheduler hash --hash-key srcip-srcport over five nginx backends. KEYS
# connections, each from a fixed client port (a key), record which backend
# each key reaches; the same keys again must reach the same backends; after
# one backend is removed, the keys that were not on it must mostly stay where
# they were. Prints the share of those keys that moved (the disruption) and
# fails above MD_MAX_MOVED_PCT. Everything it builds is removed at the end.
#
# Environment: LBD, LBCTL (default: <repo>/build/...), MD_KEYS (default 600),
# MD_MAX_MOVED_PCT (default 5).
# shellcheck source-path=SCRIPTDIR disable=SC2119  # optional args left out on purpose
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/e2e.sh
source "$here/lib/e2e.sh"

KEYS="${MD_KEYS:-600}"
MAX_MOVED_PCT="${MD_MAX_MOVED_PCT:-5}"
FIRST_PORT=20000
BACKENDS=5
REMOVED=b3
WORK=""

# connect_keys FILE -> one connection per key (client port), "PORT BACKEND" lines into FILE.
connect_keys() {
  local -a ports
  mapfile -t ports < <(seq "$FIRST_PORT" $((FIRST_PORT + KEYS - 1)))
  in_ns client python3 "$here/lib/from_ports.py" "$VIP" "$HTTP_PORT" - "${ports[@]}" >"$1"
}

all_answered() {
  local errors
  errors=$(grep -c ERROR "$1" || true)
  ((errors == 0 && $(wc -l <"$1") == KEYS)) && return 0
  echo "  $errors of $KEYS connections failed, e.g. $(grep -m 3 ERROR "$1" | tr '\n' ' ')"
  return 1
}

every_backend_has_keys() {
  local name ok=0
  for name in "${BACKEND_NAMES[@]}"; do
    echo "  $name: $(awk -v b="$name" '$2 == b' "$1" | wc -l) keys"
    awk -v b="$name" '$2 == b { found = 1 } END { exit !found }' "$1" || ok=1
  done
  return $ok
}

# same_mapping A B -> every key reached the same backend in both runs.
same_mapping() {
  local differing
  differing=$(join <(sort "$1") <(sort "$2") | awk '$2 != $3' | wc -l)
  ((differing == 0)) && return 0
  echo "  $differing of $KEYS keys reached another backend the second time"
  return 1
}

# moved_share BEFORE AFTER -> "MOVED KEPT": of the keys not on $REMOVED
# before, how many reached another backend after.
moved_share() {
  join <(sort "$1") <(sort "$2") |
    awk -v r="$REMOVED" '$2 != r { kept++; if ($2 != $3) moved++ } END { print moved + 0, kept + 0 }'
}

none_on_removed() {
  local count
  count=$(awk -v r="$REMOVED" '$2 == r' "$1" | wc -l)
  ((count == 0)) && return 0
  echo "  $count keys still reached $REMOVED"
  return 1
}

main() {
  lb_check_binaries
  topo_install_trap
  topo_watchdog 85
  TOPO_TX_CSUM_OFF=1   # see topology.sh: XDP NAT needs complete checksums
  topo_up "$BACKENDS"
  topo_add_vip
  topo_mktemp_var WORK md
  servers_start
  lb_start
  lbctl_ns farm add web --vip "$VIP" --port "$HTTP_PORT" --proto tcp \
    --scheduler hash --hash-key srcip-srcport >/dev/null
  local i
  for ((i = 1; i <= BACKENDS; i++)); do
    lbctl_ns backend add web "b$i" --ip "$(backend_ip "$i")" >/dev/null
  done

  echo "== $KEYS keys (client ports $FIRST_PORT-$((FIRST_PORT + KEYS - 1))) over $BACKENDS backends"
  connect_keys "$WORK/first"
  check "all $KEYS connections answered" all_answered "$WORK/first"
  check "the keys spread over every backend" every_backend_has_keys "$WORK/first"
  connect_keys "$WORK/again"
  check "all $KEYS connections answered again" all_answered "$WORK/again"
  check "each key reaches the same backend again" same_mapping "$WORK/first" "$WORK/again"

  echo "== lbctl backend del web $REMOVED"
  lbctl_ns backend del web "$REMOVED" >/dev/null
  connect_keys "$WORK/after"
  check "all $KEYS connections answered after the removal" all_answered "$WORK/after"
  check "no key reaches $REMOVED any more" none_on_removed "$WORK/after"
  local moved kept
  read -r moved kept < <(moved_share "$WORK/first" "$WORK/after")
  local pct
  pct=$(awk -v m="$moved" -v k="$kept" 'BEGIN { printf "%.2f", 100 * m / k }')
  echo "  disruption: $moved of the $kept keys not on $REMOVED moved ($pct %)"
  few_moved() { awk -v p="$pct" -v max="$MAX_MOVED_PCT" 'BEGIN { exit !(p < max) }'; }
  check "removing 1 of $BACKENDS backends moves $pct % (< $MAX_MOVED_PCT %) of the other keys" few_moved
  connect_keys "$WORK/after-again"
  check "after the removal, each key still reaches one backend" same_mapping "$WORK/after" "$WORK/after-again"

  lb_stop
  topo_down
  check "teardown: no namespace with prefix $TOPO_PREFIX remains" topo_leftovers
  report_summary "maglev_disruption (${SECONDS}s)"
}

main "$@"

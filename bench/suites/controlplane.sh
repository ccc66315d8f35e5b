#!/usr/bin/env bash
# bench/suites/controlplane.sh -- what lbd's control plane costs: changes per
# second through lbctl (one process per change, as a script makes them) and
# through the API pipelined on one connection (lbd's own cost), the time to
# apply FARMS farms of 10 backends through the API and through
# `lbd --config FILE` at start, lbd's resident memory afterwards, and how
# long a Prometheus scrape of that many farms takes.
# FARMS is 1000 (100 with BENCH_QUICK=1, said in the rows' test names).
# A suite of bench/run (bench/suites/README.md); lbd runs in the lb namespace
# of the bench topology, its state directory on the disk under /tmp.
set -euo pipefail
bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
export TOPO_RUN_ID="${TOPO_RUN_ID:-cp$$}"
# shellcheck source=../lib/lbd_suite.sh
source "$bench_dir/lib/lbd_suite.sh"

if ((quick)); then
  repetitions=2; farms=100; lbctl_changes=50; api_requests=500
else
  repetitions=3; farms=1000; lbctl_changes=200; api_requests=5000
fi
backends=10
api_load() { python3 "$bench_dir/lib/api_load.py" "$@"; }

metrics_listen=127.0.0.1:9842
# scrape_seconds -> how long one GET /metrics takes, from inside the lb namespace.
scrape_seconds() {
  in_ns lb curl -sf -o "$SUITE_OUT/scrape.txt" -w '%{time_total}' "http://$metrics_listen/metrics"
}

seconds_since() { awk -v start="$1" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.6f", now - start }'; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# A fresh lbd, with no state left by the previous one.
restart_empty() {
  lb_stop
  rm -rf -- "${LB_STATE_DIR:?}"/*
  lb_start "$@"
}

# lbctl_rate TEST -> lbctl_changes invocations of lbctl (from the suite's own
# namespace: the API socket is a file), in pairs for backend add + del.
lbctl_rate() {
  local start k
  start=$EPOCHREALTIME
  case "$1" in
    weight)
      for ((k = 0; k < lbctl_changes; k++)); do
        "$LBCTL" --socket "$LB_SOCKET" backend set f0 "b$((k % backends))" --weight $((1 + k % 100)) >/dev/null
      done ;;
    add-del)
      for ((k = 0; k < lbctl_changes; k += 2)); do
        "$LBCTL" --socket "$LB_SOCKET" backend add f0 extra --ip 198.19.255.1 >/dev/null
        "$LBCTL" --socket "$LB_SOCKET" backend del f0 extra >/dev/null
      done ;;
  esac
  awk -v n="$lbctl_changes" -v s="$(seconds_since "$start")" 'BEGIN { printf "%.1f", n / s }'
}

# lbd_ready_seconds START -> from START (EPOCHREALTIME) to lbd's "ready" log line.
lbd_ready_seconds() {
  python3 - "$1" "$(lb_log)" <<'PY'
import sys, datetime
start, log = float(sys.argv[1]), sys.argv[2]
for line in open(log):
    if " ready: " in line:
        stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
        print(f"{stamp.timestamp() - start:.3f}")
        break
else:
    sys.exit("no 'ready' line in " + log)
PY
}

topo_install_trap
topo_watchdog $((quick ? 120 : 3600))
bench_topology_up
config_file="$SUITE_OUT/farms.json"
api_load config "$farms" "$backends" >"$config_file"
size="$farms farms x $backends backends"
((quick)) && size+=" (quick)"

lb_start
for ((rep = 1; rep <= repetitions; rep++)); do
  topo_log "repetition $rep/$repetitions"
  restart_empty
  api_load farms "$LB_SOCKET" 1 "$backends" >/dev/null
  suite_record "lbctl backend set --weight, one process per change" ops/s "$(lbctl_rate weight)"
  suite_record "lbctl backend add + backend del, one process per change" ops/s "$(lbctl_rate add-del)"
  result=$(api_load weights "$LB_SOCKET" f0 "$backends" "$api_requests")
  suite_record "API backend.set weight, pipelined on one connection" ops/s "$(field "$result" ops_per_s)"
  result=$(api_load show "$LB_SOCKET" f0 "$api_requests")
  suite_record "API farm.show (no change), pipelined on one connection" ops/s "$(field "$result" ops_per_s)"

  restart_empty
  result=$(api_load farms "$LB_SOCKET" "$farms" "$backends")
  suite_record "apply $size through the API, pipelined" s "$(field "$result" seconds)"
  suite_record "lbd RSS after $size through the API" MiB "$(lbd_rss_mib)"
  state_mib=$(du -k "$LB_STATE_DIR/state.json" | awk '{ printf "%.2f", $1 / 1024 }')

  lb_stop
  rm -rf -- "${LB_STATE_DIR:?}"/*
  start=$EPOCHREALTIME
  lb_start
  suite_record "lbd start to ready, no farms" s "$(lbd_ready_seconds "$start")"
  lb_stop
  rm -rf -- "${LB_STATE_DIR:?}"/*
  start=$EPOCHREALTIME
  lb_start --config "$config_file" --metrics "$metrics_listen"
  suite_record "lbd --config with $size, start to ready" s "$(lbd_ready_seconds "$start")"
  suite_record "lbd RSS after --config with $size" MiB "$(lbd_rss_mib)"
  suite_record "a /metrics scrape with $size" s "$(scrape_seconds)"
done
lb_stop

suite_finish "Control plane (lbd, lbctl)" \
  "lbctl rows run one lbctl process per change; API rows send every request at once on one
connection (docs/api.md), so they measure lbd alone. A change is answered once lbd has written
the maps and saved state.json (fsync on the disk under /tmp). state.json after $size:
$state_mib MiB; a scrape of it: $(du -k "$SUITE_OUT/scrape.txt" | awk '{ printf "%.1f", $1 / 1024 }') MiB. The machine is shared: figures vary with its load."

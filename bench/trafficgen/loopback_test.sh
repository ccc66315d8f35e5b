#!/usr/bin/env bash
# bench/trafficgen/loopback_test.sh -- ctest bench.trafficgen_loopback:
# xdplb-trafficgen's sender and receiver on the two ends of one veth pair,
# each in a namespace of its own. A known count of frames at a low rate must
# arrive complete: no loss, every sequence number exactly once, the frames of
# another run counted apart. Counts only, never timings. Also: bad command
# lines are refused with one line, and a second receiver cannot take an
# interface that has one. Needs root (skipped otherwise).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tests/e2e/lib/topology.sh
source "$here/../../tests/e2e/lib/topology.sh"
# shellcheck source=../../tests/e2e/lib/report.sh
source "$here/../../tests/e2e/lib/report.sh"

trafficgen="${TRAFFICGEN:?TRAFFICGEN must name the xdplb-trafficgen binary}"
frames=20000
rate=20000
run_id=4242
other_run_id=17
other_frames=100
end_markers=8   # what the sender adds to each run (sender.cpp)

# refused EXPECTED_WORDS ARGS... -> exit status 2 and one line on stderr that
# contains EXPECTED_WORDS.
refused() {
  local expected="$1" err status=0
  shift
  err=$("$trafficgen" "$@" 2>&1 >/dev/null) || status=$?
  if ((status != 2)) || [[ $(wc -l <<<"$err") -ne 1 || "$err" != *"$expected"* ]]; then
    echo "    status $status, stderr: $err"
    return 1
  fi
}
send_args=(--iface eth0 --dst-mac 02:00:00:00:00:01 --dst-ip 198.18.0.2 --dst-port 9)
check "no role is refused" refused "a role is required"
check "an unknown role is refused" refused "unknown role" transmit
check "a rate of 0 is refused" refused "--rate must be" send "${send_args[@]}" --rate 0
check "a destination outside 198.18.0.0/15 is refused" refused "198.18.0.0/15" \
  send --iface eth0 --dst-mac 02:00:00:00:00:01 --dst-ip 10.0.0.1 --dst-port 9 --rate 1
check "--count with --duration is refused" refused "exclude each other" \
  send "${send_args[@]}" --rate 10 --count 5 --duration 1
check "a receiver without --run-id is refused" refused "--run-id is required" receive --iface eth0

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces, AF_XDP)"
  report_summary bench.trafficgen_loopback
  exit 77
fi

topo_install_trap
topo_watchdog 50
topo_mktemp_var work trafficgen
_topo_add_ns tx
_topo_add_ns rx
_topo_veth tx eth0 rx eth0
_topo_ip rx addr add 198.18.0.2/24 dev eth0
_topo_ip tx addr add 198.18.0.1/24 dev eth0
rx_mac=$(ip -n "$(topo_ns rx)" -j link show dev eth0 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')

in_ns rx "$trafficgen" receive --iface eth0 --run-id "$run_id" --timeout 40 --ready-file "$work/ready" --json \
  >"$work/received.json" 2>"$work/receiver.log" &
receiver=$!
topo_register_pid "$receiver"
for ((i = 0; i < 100; i++)); do [[ -e "$work/ready" ]] && break; sleep 0.1; done
[[ -e "$work/ready" ]] || { cat "$work/receiver.log"; topo_die "the receiver did not become ready"; exit 1; }

second_receiver_refused() {
  local err status=0
  err=$(in_ns rx "$trafficgen" receive --iface eth0 --run-id 1 --timeout 5 2>&1 >/dev/null) || status=$?
  ((status == 1)) && [[ $(wc -l <<<"$err") -eq 1 && "$err" == *"cannot"* ]] ||
    { echo "    status $status, stderr: $err"; return 1; }
}
check "a second receiver cannot take the interface" second_receiver_refused

send() {
  in_ns tx "$trafficgen" send --iface eth0 --dst-mac "$rx_mac" --dst-ip 198.18.0.2 --dst-port 9 --flows 100 --json "$@"
}
send --run-id "$other_run_id" --count "$other_frames" --rate "$rate" >/dev/null
send --run-id "$run_id" --count "$frames" --rate "$rate" >"$work/sent.json"
receiver_status=0
wait "$receiver" || receiver_status=$?
echo "  sender:   $(cat "$work/sent.json")"
echo "  receiver: $(cat "$work/received.json")"
check "the receiver saw the end marker and exited 0" test "$receiver_status" -eq 0

# counts FIELD=VALUE... -> the receiver's JSON has each field at that value.
counts() {
  python3 - "$work/received.json" "$@" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
wrong = [f"{k}={result.get(k)} (want {v})" for k, v in (a.split("=") for a in sys.argv[2:]) if str(result.get(k)) != v]
if wrong:
    sys.exit("    " + ", ".join(wrong))
PY
}
sender_sent() { python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["sent"] != int(sys.argv[2]))' "$work/sent.json" "$frames"; }
check "the sender sent $frames frames" sender_sent
check "all $frames arrived, none lost" counts "sent=$frames" "received=$frames" lost=0
check "every sequence number exactly once" counts duplicated=0 "received=$frames"
check "another run's frames and end markers counted apart" counts "foreign=$((other_frames + end_markers))"
check "a latency for every frame" python3 -c '
import json, sys
latency = json.load(open(sys.argv[1]))["latency_us"]
sys.exit(None if all(k in latency for k in ("p50", "p90", "p99", "p99.9", "max")) else f"    latency_us: {latency}")' \
  "$work/received.json"
report_summary bench.trafficgen_loopback

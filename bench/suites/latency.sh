#!/usr/bin/env bash
# bench/suites/latency.sh -- loss and latency through the load balancer at
# fixed rates (bench/suites/README.md has the contract): xdplb-trafficgen
# sends 64-byte UDP frames of 1000 flows open-loop from gen to the VIP, and
# its receiver on the sink counts what arrived and how late, from the probes
# in the payloads. Every scenario of bench/scenarios that balances UDP
# (`supports udp`), at each rate, scenarios interleaved, several repetitions;
# medians with min/max. The suite's own bench topology (gen -- lb -- sink)
# has no sink.bpf.c: the receiver attaches its own program for each run.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/suite.sh
source "$bench_dir/lib/suite.sh"

quick=${BENCH_QUICK:-0}
if ((quick)); then
  repetitions=2; warmup_s=0.2; measure_s=0.5; rates=(100000 500000)
else
  repetitions=5; warmup_s=0.5; measure_s=2; rates=(50000 100000 200000 500000 1000000)
fi
warmup_rate=100000
vport=5353
flows=1000
frame_size=64
trafficgen="$BENCH_BUILD_DIR/bench/xdplb-trafficgen"
[[ -x "$trafficgen" ]] || { echo "latency: $trafficgen is missing: build first" >&2; exit 1; }

bench_scenarios_serving udp
scenarios=("${BENCH_SERVING[@]}")
((${#scenarios[@]})) || { echo "latency: no scenario balances UDP" >&2; exit 1; }
notes=()
for name in "${BENCH_NOT_SERVING[@]}"; do notes+=("$name: does not balance UDP, not measured"); done

mkdir -p "$SUITE_OUT"
: >"$SUITE_MEASUREMENTS"
topo_install_trap
topo_watchdog $((quick ? 120 : 1800))
topo_mktemp_var work latency
bench_topology_up
lb_in_mac=$(bench_mac lb "$LB_IN")
run_id=$((RANDOM << 15 | RANDOM))

# send RUN_ID RATE SECONDS -> the sender's JSON: gen to VIP:port, on CPU 0,
# at a real-time priority below the receiver's. It spins to pace, and in copy
# mode the whole path of the bench runs within its system calls: on a shared
# machine, the normal priority would give it a fraction of the CPU, and the
# rate would be whatever that fraction reaches. (It rests 5 % of the time, the
# kernel's real-time share: xdplb-trafficgen's SpinBudget.)
send() {
  in_ns gen taskset -c 0 chrt -f 10 "$trafficgen" send --iface eth0 --dst-mac "$lb_in_mac" --dst-ip "$BENCH_VIP" \
    --dst-port "$vport" --flows "$flows" --size "$frame_size" --run-id "$1" --rate "$2" \
    --duration "$3" --json
}

# measure SCENARIO RATE REPETITION -> one JSON line into measurements.jsonl:
# what was sent and what the receiver (on the sink, CPU 1) made of it, after
# a warm-up of another run id that fills the load balancer's tables and
# resolves its neighbours. The receiver spins while frames flow, at a
# real-time priority: otherwise whatever else the machine runs would add its
# time slices (milliseconds) to the latencies.
measure() {
  local dir="$work/$1-$2-$3" receiver status=0 i
  mkdir -p "$dir"
  run_id=$(((run_id + 2) & 0xffffffff))
  in_ns sink taskset -c 1 chrt -f 20 "$trafficgen" receive --iface eth0 --run-id "$run_id" --ready-file "$dir/ready" \
    --timeout 30 --json >"$dir/received.json" 2>"$dir/receiver.log" &
  receiver=$!
  topo_register_pid "$receiver"
  for ((i = 0; i < 100; i++)); do [[ -e "$dir/ready" ]] && break; sleep 0.05; done
  if send $((run_id + 1)) "$warmup_rate" "$warmup_s" >/dev/null && send "$run_id" "$2" "$measure_s" >"$dir/sent.json"; then
    wait "$receiver" || status=$?
    [[ $status -eq 0 ]] || cat "$dir/receiver.log" >&2
  else
    status=sender
    echo '{}' >"$dir/sent.json"
    topo_kill_pid "$receiver"
  fi
  python3 - "$1" "$2" "$3" "$status" "$dir/sent.json" "$dir/received.json" <<'PY' | tee -a "$SUITE_MEASUREMENTS" >&2
import json, sys
scenario, rate, repetition, status, sent, received = sys.argv[1:]
line = {"scenario": scenario, "rate": int(rate), "repetition": int(repetition), "sent": json.load(open(sent))}
if status == "0":
    line["received"] = json.load(open(received))
else:
    line["error"] = "the sender failed" if status == "sender" else f"the receiver exited {status}"
print(json.dumps(line))
PY
}

# Interleaved: every repetition visits every scenario, starting from a
# different one each time, so that a slow drift of the machine spreads over all.
for ((rep = 1; rep <= repetitions; rep++)); do
  for ((k = 0; k < ${#scenarios[@]}; k++)); do
    name=${scenarios[(rep - 1 + k) % ${#scenarios[@]}]}
    topo_log "latency: repetition $rep/$repetitions: $name"
    bench_scenario_up "$name" udp "$vport"
    for rate in "${rates[@]}"; do measure "$name" "$rate" "$rep"; done
    bench_scenario_down
  done
done

printf '%s\n' "${notes[@]}" >"$SUITE_OUT/notes.txt"
python3 "$bench_dir/lib/latency_report.py" --dir "$SUITE_OUT" --scenarios "${scenarios[*]}" --flows "$flows" \
  --frame-size "$frame_size" --seconds "$measure_s" --repetitions "$repetitions"

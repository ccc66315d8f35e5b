#!/usr/bin/env bash
# bench/smoke_test.sh -- the kit's smoke test (ctest bench.smoke): a quick run
# must produce a Mpps row for every scenario present that serves UDP and every
# flow count, xdplb-progbench's rows, the suites' rows (conn/s and req/s for
# every scenario that serves TCP and direct; MySQL through xdplb and direct),
# report.md with their sections and a note for each scenario left out of the
# Mpps runs, and the plot. No figure is judged.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/e2e/lib/report.sh
source "$here/../tests/e2e/lib/report.sh"
# shellcheck source=lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=lib/scenario.sh
source "$here/lib/scenario.sh"

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces, XDP)"
  exit 77
fi

out=$(mktemp -d /tmp/xdplb-bench-smoke.XXXXXX)
trap 'rm -rf -- "$out"' EXIT

check "bench/run --quick succeeds" "$here/run" --quick --out "$out"

bench_scenarios_serving udp
udp_scenarios=("${BENCH_SERVING[@]}")
udp_left_out=("${BENCH_NOT_SERVING[@]}")
bench_scenarios_serving tcp
tcp_scenarios=(direct "${BENCH_SERVING[@]}")

# rows_complete -> complete rows; every UDP scenario has a Mpps row at 1, 10k
# and 1M flows, no other scenario has one; every TCP scenario and direct have
# conn/s and req/s rows; xdplb and direct have the MySQL rows; the SYN suite's
# scenarios have a Mconn/s row; the failover suite's gaps are there (ms).
rows_complete() {
  python3 - "$out/results.json" "${udp_scenarios[*]}" "${tcp_scenarios[*]}" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
udp, tcp = sys.argv[2].split(), sys.argv[3].split()
for r in rows:
    for field in ("scenario", "test", "flows", "value", "unit", "min", "max", "repetitions"):
        if field not in r:
            sys.exit(f"    row without {field}: {r}")
have = {(r["scenario"], r["unit"], r["flows"] if r["unit"] == "Mpps" else None) for r in rows}
wanted = [(s, "Mpps", f) for s in udp for f in (1, 10000, 1000000)]
wanted += [(s, unit, None) for s in tcp for unit in ("conn/s", "req/s")]
wanted += [(s, unit, None) for s in ("xdplb", "direct") for unit in ("transactions/s", "queries/s", "ms")]
wanted += [(s, "Mconn/s", None) for s in ("xdp-limit", "xdplb", "nftables", "iptables")]
missing = [w for w in wanted if w not in have]
if missing:
    sys.exit(f"    no row for {missing}")
extra = sorted({r["scenario"] for r in rows if r["unit"] == "Mpps"} - set(udp))
if extra:
    sys.exit(f"    Mpps rows for scenarios that do not serve UDP: {extra}")
if not any(r["unit"] == "ns/packet" for r in rows):
    sys.exit("    no ns/packet rows from xdplb-progbench")
if not any(r["test"] == "cut: holder" for r in rows):
    sys.exit("    no failover gap rows from the failover suite")
PY
}

# report_complete -> report.md has the suites' sections and a note for every
# scenario left out of the Mpps runs.
report_complete() {
  local name ok=0
  for name in "${udp_left_out[@]}"; do
    grep -q "scenario $name skipped in the Mpps runs" "$out/report.md" ||
      { echo "    no note that $name was left out of the Mpps runs"; ok=1; }
  done
  grep -q "^## TCP connections and HTTP requests per second" "$out/report.md" ||
    { echo "    no section of the http suite"; ok=1; }
  grep -q "^## MySQL through xdplb" "$out/report.md" || { echo "    no section of the mysql suite"; ok=1; }
  grep -q "^## New connections per second" "$out/report.md" || { echo "    no section of the syn suite"; ok=1; }
  grep -q "^## Failover gaps" "$out/report.md" || { echo "    no section of the failover suite"; ok=1; }
  return "$ok"
}
check "results.json has a row for every scenario and test (UDP: ${udp_scenarios[*]}; TCP: ${tcp_scenarios[*]})" \
  rows_complete
check "report.md has the suites' sections and the notes" report_complete
# latency_rows_complete -> the latency suite gave every UDP scenario a loss
# and a p99 latency row at each of its quick rates, and report.md its section.
latency_rows_complete() {
  grep -q "^## Loss and latency at fixed rates" "$out/report.md" || { echo "    no section of the latency suite"; return 1; }
  python3 - "$out/results.json" "${udp_scenarios[@]}" <<'PY'
import json, sys
have = {(r["scenario"], r["test"]) for r in json.load(open(sys.argv[1]))}
missing = [(s, t) for s in sys.argv[2:] for rate in ("0.1", "0.5")
           for t in (f"udp 64B loss at {rate} Mpps", f"udp 64B p99 latency at {rate} Mpps") if (s, t) not in have]
if missing:
    sys.exit(f"    no latency row for {missing}")
PY
}
check "the latency suite's loss and p99 rows for every UDP scenario, and its section" latency_rows_complete
check "mpps.png exists" test -s "$out/mpps.png"
report_summary bench.smoke

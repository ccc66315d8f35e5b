#!/usr/bin/env bash
# bench/smoke_test.sh -- the kit's smoke test (ctest bench.smoke): a quick run
# must produce a Mpps row for every scenario present and every flow count,
# xdplb-progbench's rows, report.md and the plot. No figure is judged.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/e2e/lib/report.sh
source "$here/../tests/e2e/lib/report.sh"

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces, XDP)"
  exit 77
fi

out=$(mktemp -d /tmp/xdplb-bench-smoke.XXXXXX)
trap 'rm -rf -- "$out"' EXIT

check "bench/run --quick succeeds" "$here/run" --quick --out "$out"

scenarios=()
for name in xdp-limit xdplb nftables iptables; do
  [[ -x "$here/scenarios/$name.sh" ]] && scenarios+=("$name")
done

# rows_complete -> every scenario present has a Mpps row at 1, 10k and 1M flows.
rows_complete() {
  python3 - "$out/results.json" "${scenarios[@]}" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
have = {(r["scenario"], r["flows"]) for r in rows if r["unit"] == "Mpps"}
for r in rows:
    for field in ("scenario", "test", "flows", "value", "unit", "min", "max", "repetitions"):
        if field not in r:
            sys.exit(f"    row without {field}: {r}")
missing = [(s, f) for s in sys.argv[2:] for f in (1, 10000, 1000000) if (s, f) not in have]
if missing:
    sys.exit(f"    no Mpps row for {missing}")
if not any(r["unit"] == "ns/packet" for r in rows):
    sys.exit("    no ns/packet rows from xdplb-progbench")
PY
}
check "results.json has a row for every scenario (${scenarios[*]}) and flow count" rows_complete
# latency_rows_complete -> the latency suite gave every scenario a loss and a
# p99 latency row at each of its rates.
latency_rows_complete() {
  python3 - "$out/results.json" "${scenarios[@]}" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
have = {(r["scenario"], r["test"]) for r in rows}
missing = [(s, t) for s in sys.argv[2:] for rate in ("0.1", "0.5")
           for t in (f"udp 64B loss at {rate} Mpps", f"udp 64B p99 latency at {rate} Mpps") if (s, t) not in have]
if missing:
    sys.exit(f"    no latency row for {missing}")
PY
}
check "results.json has the latency suite's loss and p99 rows for every scenario" latency_rows_complete
check "report.md exists" test -s "$out/report.md"
check "mpps.png exists" test -s "$out/mpps.png"
report_summary bench.smoke

#!/usr/bin/env python3
"""bench/lib/report.py -- turn bench/run's raw measurements into DIR/results.json,
DIR/report.md and DIR/mpps.dat (the plot's data, for bench/lib/mpps.gp).

Reads DIR/measurements.jsonl (one line per repetition of a scenario at a flow
count), DIR/progbench.json (xdplb-progbench --json), DIR/notes.txt and each
suite's DIR/suites/NAME/rows.json and section.md (bench/suites/README.md)."""

import argparse
import json
import platform
import statistics
import subprocess
from pathlib import Path

THROUGHPUT_TEST = "udp {size}B Mpps through the LB"
# The scenarios xdplb is compared with, where they have Mpps figures
# (haproxy, TCP only, has its figures in the suites' sections).
BASELINES = ["nftables", "iptables", "haproxy", "xdp-limit"]
TARGETS = [
    "xdplb >= 0.9 x xdp-limit at 1M flows",
    "xdplb >= 5 x nftables and >= 5 x iptables in Mpps",
    "TCP connections per second: xdplb >= 1.2 x nftables and >= 2 x haproxy",
    "established-flow path within 40 ns/packet of the empty program",
]


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    # Host-wide: it bounds the flows the netfilter scenarios can track.
    conntrack_max = Path("/proc/sys/net/netfilter/nf_conntrack_max")
    return {
        "nf_conntrack_max": int(conntrack_max.read_text()) if conntrack_max.exists() else None,
        "cpu": cpu,
        "cpus": int(cpus),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "machine": platform.machine(),
    }


def throughput_rows(measurements, test):
    grouped = {}
    for m in measurements:
        grouped.setdefault((m["scenario"], m["flows"]), []).append(m)
    rows = []
    for (scenario, flows), runs in grouped.items():
        values = [r["mpps"] for r in runs]
        rows.append({
            "scenario": scenario, "test": test, "flows": flows,
            "value": statistics.median(values), "unit": "Mpps",
            "min": min(values), "max": max(values), "repetitions": len(values),
            "offered_mpps": statistics.median(r["offered_mpps"] for r in runs),
        })
    return rows


def progbench_rows(path):
    rows = json.loads(path.read_text()) if path.exists() else []
    for row in rows:
        # xdplb-progbench already takes the median of its own rounds.
        row.update({"min": row["value"], "max": row["value"], "repetitions": 1})
    return rows


def suite_outputs(out):
    """Every suite's rows and report section, in the order bench/run ran them."""
    rows, sections = [], []
    for suite in sorted((out / "suites").glob("*/")):
        if (suite / "rows.json").exists():
            rows += json.loads((suite / "rows.json").read_text())
        if (suite / "section.md").exists():
            sections.append((suite / "section.md").read_text().strip() + "\n")
    return rows, sections


def flows_label(flows):
    """A column's title: "1 flow", "10k flows", "1M flows"."""
    count = {1: "1", 10000: "10k", 1000000: "1M"}.get(flows, str(flows))
    return f"{count} flow" + ("s" if flows != 1 else "")


def ratio(value, base):
    return f"{value / base:.2f}" if base else "n/a"


def is_throughput(args, row):
    """A row of the Mpps runs: the suites report rates in Mpps too (the latency suite's sent rates)."""
    return row["test"] == THROUGHPUT_TEST.format(size=args.frame_size)


def markdown(args, info, rows, notes, sections):
    scenarios = args.scenarios.split()
    throughput = {(r["scenario"], r["flows"]): r for r in rows if is_throughput(args, r)}
    flow_counts = sorted({r["flows"] for r in throughput.values()})
    out = ["# xdplb benchmark report", ""]
    out += [f"- machine: {info['cpu']}, {info['cpus']} CPUs, {info['memory_gib']} GiB, {info['machine']}",
            f"- kernel: {info['kernel']}, nf_conntrack_max {info['nf_conntrack_max']}",
            f"- run: {'quick' if args.quick else 'full'}, {args.repetitions} repetitions of "
            f"{args.seconds} s per scenario and flow count, scenarios interleaved",
            f"- traffic: UDP, {args.frame_size}-byte frames, from xdplb-pktgen (BPF_PROG_RUN live frames) "
            "on both CPUs; counted by an XDP sink behind the load balancer", ""]
    for note in notes:
        out.append(f"> {note}")
    if notes:
        out.append("")

    out += ["## Mpps through the load balancer (median, min-max)", "",
            "| scenario | " + " | ".join(flows_label(f) for f in flow_counts) + " |",
            "|---|" + "---|" * len(flow_counts)]
    for s in scenarios:
        cells = []
        for f in flow_counts:
            r = throughput.get((s, f))
            cells.append(f"{r['value']:.2f} ({r['min']:.2f}-{r['max']:.2f})" if r else "-")
        out.append(f"| {s} | " + " | ".join(cells) + " |")
    out.append("")

    present = [b for b in BASELINES if any(s == b for s, _ in throughput)]
    if "xdplb" in scenarios and present:
        out += ["## xdplb against the others (ratio of medians)", "",
                "| xdplb / | " + " | ".join(flows_label(f) for f in flow_counts) + " |",
                "|---|" + "---|" * len(flow_counts)]
        for base in present:
            cells = [ratio(throughput[("xdplb", f)]["value"], throughput[(base, f)]["value"])
                     if ("xdplb", f) in throughput and (base, f) in throughput else "-" for f in flow_counts]
            out.append(f"| {base} | " + " | ".join(cells) + " |")
        out.append("")

    ns_rows = [r for r in rows if r["unit"] == "ns/packet"]
    if ns_rows:
        out += ["## ns per packet of xdplb's program (xdplb-progbench, BPF_PROG_TEST_RUN)", "",
                "| test | ns/packet |", "|---|---|"]
        out += [f"| {r['test']} | {r['value']:.0f} |" for r in ns_rows]
        out.append("")

    for section in sections:
        out += [section]
    out += ["## Targets (stated, not asserted)", ""] + [f"- {t}" for t in TARGETS] + [""]
    out += ["Plot: `mpps.png`. Every row, with min/max and repetitions: `results.json`.", ""]
    return "\n".join(out)


def plot_data(args, rows):
    """One line per scenario, one column per flow count (gnuplot's histogram)."""
    throughput = {(r["scenario"], r["flows"]): r["value"] for r in rows if is_throughput(args, r)}
    flow_counts = sorted({f for _, f in throughput})
    lines = ["scenario " + " ".join(f'"{flows_label(f)}"' for f in flow_counts)]
    for s in args.scenarios.split():
        lines.append(f'"{s}" ' + " ".join(f"{throughput.get((s, f), 0):.3f}" for f in flow_counts))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--scenarios", required=True)
    parser.add_argument("--frame-size", type=int, required=True)
    parser.add_argument("--repetitions", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    measurements = [json.loads(line) for line in (args.out / "measurements.jsonl").read_text().splitlines() if line]
    notes_file = args.out / "notes.txt"
    notes = [n for n in notes_file.read_text().splitlines() if n] if notes_file.exists() else []
    rows = throughput_rows(measurements, THROUGHPUT_TEST.format(size=args.frame_size))
    rows += progbench_rows(args.out / "progbench.json")
    suite_rows, sections = suite_outputs(args.out)
    rows += suite_rows
    info = machine()

    (args.out / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    (args.out / "machine.json").write_text(json.dumps(info, indent=2) + "\n")
    (args.out / "report.md").write_text(markdown(args, info, rows, notes, sections))
    (args.out / "mpps.dat").write_text(plot_data(args, rows))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""bench/lib/latency_report.py -- turn the latency suite's measurements
(DIR/measurements.jsonl, one line per scenario, rate and repetition) into its
DIR/rows.json and DIR/section.md (bench/suites/README.md): for each scenario
and rate, the medians over the repetitions, with their extremes, of the loss,
of the latency percentiles and of the rate the sender achieved."""

import argparse
import json
import statistics
from pathlib import Path

# (field of the receiver's latency_us, name in the test) of each latency row.
PERCENTILES = [("p50", "p50"), ("p99", "p99"), ("p99.9", "p99.9")]


def mpps_label(rate):
    return f"{rate / 1e6:g} Mpps"


def summary(values):
    return {"value": statistics.median(values), "min": min(values), "max": max(values), "repetitions": len(values)}


def measured_values(runs):
    """Per quantity, one value per repetition whose receiver completed."""
    done = [r for r in runs if "received" in r]
    values = {
        "loss": [r["received"]["loss_percent"] for r in done],
        "achieved": [r["sent"]["achieved_pps"] / 1e6 for r in done],
    }
    for field, _ in PERCENTILES:
        values[field] = [r["received"]["latency_us"][field] for r in done if field in r["received"]["latency_us"]]
    return values


def rows_for(scenario, rate, runs, flows, size):
    at = mpps_label(rate)
    tests = [("loss", f"udp {size}B loss at {at}", "%"),
             ("achieved", f"udp {size}B sent rate at {at}", "Mpps")]
    tests += [(field, f"udp {size}B {name} latency at {at}", "us") for field, name in PERCENTILES]
    values = measured_values(runs)
    rows = []
    for key, test, unit in tests:
        if values[key]:
            rows.append({"scenario": scenario, "test": test, "flows": flows, "unit": unit,
                         "offered_mpps": rate / 1e6, **summary(values[key])})
    return rows


def cell(row, digits):
    if row is None:
        return "-"
    if row["min"] == row["max"]:
        return f"{row['value']:.{digits}f}"
    return f"{row['value']:.{digits}f} ({row['min']:.{digits}f}-{row['max']:.{digits}f})"


def section(rows, measurements, scenarios, rates, args, notes):
    by_test = {(r["scenario"], r["test"]): r for r in rows}
    size = args.frame_size
    lines = [
        "## Loss and latency at fixed rates (AF_XDP)",
        "",
        f"xdplb-trafficgen sends {size}-byte UDP frames of {args.flows} flows open-loop at each rate "
        f"for {args.seconds:g} s (after a warm-up) from gen to the VIP; its receiver on the sink (AF_XDP) "
        "counts what arrived and measures each frame's latency, from the send time in its payload to "
        "its arrival in the receiver (one host, one clock). Median of "
        f"{args.repetitions} interleaved repetitions, (min-max) when they differ. `sent` is the rate the "
        "sender achieved: below the rate asked, the path pushed back and the sender fell behind. "
        "Sender and receiver spin at real-time priorities and rest 5 % of the time (the kernel's "
        "real-time share): frames that arrive during a rest wait for its end, some 30 µs, which "
        "shows from p99 up.",
        "",
    ]
    for rate in rates:
        at = mpps_label(rate)
        lines += [f"### {at}", "", "| scenario | sent Mpps | loss % | p50 µs | p99 µs | p99.9 µs |",
                  "|---|---|---|---|---|---|"]
        for scenario in scenarios:
            def get(test):
                return by_test.get((scenario, test))
            lines.append(" | ".join([
                f"| {scenario}",
                cell(get(f"udp {size}B sent rate at {at}"), 3),
                cell(get(f"udp {size}B loss at {at}"), 2),
                *(cell(get(f"udp {size}B {name} latency at {at}"), 1) for _, name in PERCENTILES),
            ]) + " |")
        lines.append("")
    for m in measurements:
        where = f"{m['scenario']} at {mpps_label(m['rate'])}, repetition {m['repetition']}"
        if "error" in m:
            notes.append(f"{where}: {m['error']}")
        elif m["received"].get("receiver_dropped"):
            notes.append(f"{where}: the receiver's own rings dropped {m['received']['receiver_dropped']} frames "
                         "(part of the loss is the bench's)")
    if notes:
        lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--scenarios", required=True)
    parser.add_argument("--flows", required=True, type=int)
    parser.add_argument("--frame-size", required=True, type=int)
    parser.add_argument("--seconds", required=True, type=float)
    parser.add_argument("--repetitions", required=True, type=int)
    args = parser.parse_args()

    measurements = [json.loads(line) for line in (args.dir / "measurements.jsonl").read_text().splitlines() if line]
    scenarios = args.scenarios.split()
    rates = sorted({m["rate"] for m in measurements})
    rows = []
    for scenario in scenarios:
        for rate in rates:
            runs = [m for m in measurements if m["scenario"] == scenario and m["rate"] == rate]
            rows += rows_for(scenario, rate, runs, args.flows, args.frame_size)
    notes_file = args.dir / "notes.txt"
    notes = [n for n in notes_file.read_text().splitlines() if n] if notes_file.exists() else []
    (args.dir / "rows.json").write_text(json.dumps(rows, indent=1) + "\n")
    (args.dir / "section.md").write_text(section(rows, measurements, scenarios, rates, args, notes))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""bench/lib/suite_report.py -- what the suites of bench/suites share: turn one
suite's measurements into its rows.json and the Markdown tables of its section.

Reads a JSON-lines file, one line per repetition of a test on a scenario, with
at least scenario, test, flows, value and unit. Writes rows.json (the rows
bench/suites/README.md asks for: median, min, max, repetitions) and prints two
Markdown tables: the medians with min-max, scenarios down, tests across; and
SUBJECT's median against each baseline's, one ratio per test. Then, as a list:
each target given (a ratio to reach in a unit, reported, never asserted) and
the sum of each event the measurements counted (optional fields, such as
errors), where it is not zero."""

import argparse
import json
import statistics
from pathlib import Path

ROW_KEY = ("scenario", "test", "flows", "unit")


def rows_of(measurements):
    grouped = {}
    for m in measurements:
        grouped.setdefault(tuple(m[k] for k in ROW_KEY), []).append(m["value"])
    return [dict(zip(ROW_KEY, key), value=statistics.median(values), min=min(values),
                 max=max(values), repetitions=len(values))
            for key, values in grouped.items()]


def figure(value):
    """Three significant figures at most, no exponent: 41234 -> 41234, 1.234 -> 1.23."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def tables(rows, subject, baselines):
    tests = list(dict.fromkeys((r["test"], r["unit"]) for r in rows))
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    by_key = {(r["scenario"], r["test"]): r for r in rows}
    head = "| scenario | " + " | ".join(f"{t} ({u})" for t, u in tests) + " |"
    rule = "|---|" + "---|" * len(tests)
    out = ["Medians (min-max):", "", head, rule]
    for s in scenarios:
        cells = []
        for t, _ in tests:
            r = by_key.get((s, t))
            cells.append(f"{figure(r['value'])} ({figure(r['min'])}-{figure(r['max'])})" if r else "-")
        out.append(f"| {s} | " + " | ".join(cells) + " |")
    present = [b for b in baselines if b in scenarios]
    if subject in scenarios and present:
        out += ["", f"{subject} against the others (ratio of medians, {subject} / other):", "",
                f"| {subject} / | " + " | ".join(t for t, _ in tests) + " |", rule]
        for b in present:
            cells = []
            for t, _ in tests:
                mine, theirs = by_key.get((subject, t)), by_key.get((b, t))
                cells.append(f"{mine['value'] / theirs['value']:.2f}" if mine and theirs and theirs["value"] else "-")
            out.append(f"| {b} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def target_lines(rows, subject, targets):
    """One line per target "UNIT:BASELINE:FACTOR": the ratio of medians, and whether it is reached."""
    out = []
    for target in targets:
        unit, baseline, factor = target.split(":")
        mine = [r for r in rows if r["scenario"] == subject and r["unit"] == unit]
        theirs = {r["test"]: r for r in rows if r["scenario"] == baseline and r["unit"] == unit}
        for r in mine:
            if r["test"] in theirs and theirs[r["test"]]["value"]:
                got = r["value"] / theirs[r["test"]]["value"]
                verdict = "reached" if got >= float(factor) else "not reached"
                # Three decimals: at two, 1.195 would read as a 1.20 that misses 1.2.
                out.append(f"- target {subject} >= {factor} x {baseline} in {unit}: {got:.3f}, {verdict}")
            else:
                out.append(f"- target {subject} >= {factor} x {baseline} in {unit}: no figure")
    return out


def count_lines(measurements, fields):
    """For each FIELD, one line per scenario and test where its sum over the runs is not zero."""
    out = []
    for field in fields:
        totals = {}
        for m in measurements:
            key = (m["scenario"], m["test"])
            runs, count = totals.get(key, (0, 0))
            totals[key] = (runs + 1, count + m.get(field, 0))
        out += [f"- {field.replace('_', ' ')}: {s}, {t}: {count} over {runs} runs"
                for (s, t), (runs, count) in totals.items() if count]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--measurements", required=True, type=Path)
    parser.add_argument("--rows", required=True, type=Path, help="where rows.json goes")
    parser.add_argument("--subject", required=True, help="the scenario compared with the baselines")
    parser.add_argument("--baselines", required=True, help="space-separated scenario names")
    parser.add_argument("--target", action="append", default=[], metavar="UNIT:BASELINE:FACTOR",
                        help="report whether SUBJECT reaches FACTOR x BASELINE in UNIT")
    parser.add_argument("--count", action="append", default=[], metavar="FIELD",
                        help="report the sum of FIELD over the runs where it is not zero")
    args = parser.parse_args()
    lines = args.measurements.read_text().splitlines() if args.measurements.exists() else []
    measurements = [json.loads(line) for line in lines if line]
    rows = rows_of(measurements)
    args.rows.write_text(json.dumps(rows, indent=2) + "\n")
    print(tables(rows, args.subject, args.baselines.split()), end="")
    notes = target_lines(rows, args.subject, args.target) + count_lines(measurements, args.count)
    if notes:
        print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()

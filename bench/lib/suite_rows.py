#!/usr/bin/env python3
"""bench/lib/suite_rows.py -- a suite's measurements into its rows and its section.

  suite_rows.py MEASUREMENTS SUITE_OUT TITLE [NOTE...]

MEASUREMENTS holds one JSON object per line, one per repetition of a test:
{"scenario", "test", "flows", "unit", "value"} and any other field, which is
kept from the last repetition. Writes SUITE_OUT/rows.json (the median of each
(scenario, test, flows, unit) with its min, max and repetitions, in the order
the tests first appear; see bench/suites/README.md) and SUITE_OUT/section.md:
a table of those rows under "## TITLE", then each NOTE as a paragraph.
"""
import json
import statistics
import sys
from pathlib import Path


def rows_of(measurements):
    grouped = {}
    for m in measurements:
        grouped.setdefault((m["scenario"], m["test"], m["flows"], m["unit"]), []).append(m)
    rows = []
    for runs in grouped.values():
        values = [r["value"] for r in runs]
        rows.append({**runs[-1], "value": statistics.median(values), "min": min(values), "max": max(values),
                     "repetitions": len(values)})
    return rows


def figure(value):
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def section(title, rows, notes):
    lines = [f"## {title}", "", "| test | value (min-max) | unit | repetitions |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['test']} | {figure(r['value'])} ({figure(r['min'])}-{figure(r['max'])}) "
                     f"| {r['unit']} | {r['repetitions']} |")
    lines.append("")
    for note in notes:
        lines += [note, ""]
    return "\n".join(lines)


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__.split("\n\n")[1])
    measurements_file, out, title, notes = Path(argv[1]), Path(argv[2]), argv[3], argv[4:]
    measurements = [json.loads(line) for line in measurements_file.read_text().splitlines() if line]
    rows = rows_of(measurements)
    (out / "rows.json").write_text(json.dumps(rows, indent=2) + "\n")
    (out / "section.md").write_text(section(title, rows, notes))


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""bench/suites/failover_gaps.py RUN_OUTPUT -- the gaps of one e2e.ha_sync run as
measurement lines for bench/lib/suite_report.py: for each handover (cut, return,
stop) how long until the VIP moved and the longest wait of a long-lived
connection, with the new connections lost in the phase."""

import json
import re
import sys

HOLDER_LINES = {
    "cut": r"failover gap after cutting A off: (\d+) ms",
    "return": r"A holds the VIP again (\d+) ms after its links returned",
    "stop": r"takeover gap after SIGTERM of A: (\d+) ms",
}


def phase_fields(text, phase):
    """The key-value words of the traffic client's line for PHASE ("cut long_max_gap_ms 512 ...")."""
    match = re.search(rf"^{phase}((?: \S+ \S+)+)$", text, re.M)
    words = match.group(1).split() if match else []
    return dict(zip(words[::2], words[1::2]))


def main():
    text = open(sys.argv[1]).read()
    for phase, pattern in HOLDER_LINES.items():
        holder = re.search(pattern, text)
        fields = phase_fields(text, phase)
        lost = int(fields.get("new_failed", 0))
        if holder:
            print(json.dumps({"scenario": "xdplb", "test": f"{phase}: holder", "flows": 1,
                              "value": int(holder.group(1)), "unit": "ms", "new_connections_lost": lost}))
        if "long_max_gap_ms" in fields:
            print(json.dumps({"scenario": "xdplb", "test": f"{phase}: wait", "flows": 1,
                              "value": float(fields["long_max_gap_ms"]), "unit": "ms"}))


if __name__ == "__main__":
    main()

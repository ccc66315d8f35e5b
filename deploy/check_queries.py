#!/usr/bin/env python3
"""Check that every metric an alert rule or a Grafana dashboard queries exists.

usage: check_queries.py EXPOSITION FILE...

EXPOSITION is a scrape of lbd's /metrics (Prometheus text format, e.g. saved
with `curl -s http://LB:9842/metrics`). Each FILE is a Prometheus rule file
(.yml, .yaml: every `expr`) or a Grafana dashboard (.json: every panel's
`expr` and every query variable's label_values()/query_result() query).

A metric exists when the exposition has a sample of it or a # TYPE or # HELP
line for it; a histogram's family also gives NAME_bucket, NAME_sum and
NAME_count, a summary's NAME_sum and NAME_count. The series Prometheus adds
to every scrape (up, scrape_*) and the names that the rule files record
exist too.

Exit status: 0 when every name exists; 1 with one line per missing name
(FILE: WHERE: metric NAME is not in EXPOSITION); 2 when a file cannot be read.
"""

import json
import re
import sys
from pathlib import Path

import yaml

# Series that Prometheus itself writes for each scrape target.
SCRAPE_SERIES = {
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
}

# Words of PromQL that look like names but are not metrics.
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "atan2", "inf", "nan",
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
    "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}
# Keywords followed by a parenthesised list of label names.
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}

TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
    | (?P<variable>\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\])
    | (?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w:]))
    | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_:][A-Za-z0-9_:]*)
    | (?P<operator>=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],@:])
    """,
    re.VERBOSE,
)


BRACKETS = {"(": ")", "[": "]", "{": "}"}


class QueryError(Exception):
    """A query this checker cannot read."""


def tokens(query):
    """The query's tokens as (kind, text), without blanks and comments; its brackets must balance."""
    result, open_brackets = [], []
    position = 0
    while position < len(query):
        match = TOKEN.match(query, position)
        if match is None:
            raise QueryError(f"cannot read {query[position:position + 20]!r} in {query!r}")
        kind, text = match.lastgroup, match.group()
        if text in BRACKETS:
            open_brackets.append(BRACKETS[text])
        elif text in BRACKETS.values() and (not open_brackets or open_brackets.pop() != text):
            raise QueryError(f"unbalanced {text!r} in {query!r}")
        if kind not in ("space", "comment"):
            result.append((kind, text))
        position = match.end()
    if open_brackets:
        raise QueryError(f"{open_brackets[-1]!r} missing in {query!r}")
    return result


def closing(items, start):
    """The index of the token that closes the bracket at `start` (tokens() checked that one does)."""
    opening, close = items[start][1], BRACKETS[items[start][1]]
    depth = 0
    for index in range(start, len(items)):
        text = items[index][1]
        if text == opening:
            depth += 1
        elif text == close:
            depth -= 1
            if depth == 0:
                return index
    raise AssertionError("tokens() lets no bracket open")


def unquoted(text):
    return text[1:-1]


def metric_names(query):
    """The metric names a PromQL query reads: not functions, keywords, labels or strings."""
    items = tokens(query)
    names = set()
    index = 0
    while index < len(items):
        kind, text = items[index]
        following = items[index + 1][1] if index + 1 < len(items) else None
        if text == "[":
            # A range or subquery: durations and dashboard variables only.
            index = closing(items, index)
        elif text == "{":
            end = closing(items, index)
            matchers = items[index + 1:end]
            # {__name__="metric"} names a metric; other label names are not metrics.
            for position in range(len(matchers) - 2):
                if matchers[position][1] == "__name__" and matchers[position + 1][1] == "=" \
                        and matchers[position + 2][0] == "string":
                    names.add(unquoted(matchers[position + 2][1]))
            index = end
        elif kind == "name" and text.lower() in LABEL_LIST_KEYWORDS and following == "(":
            index = closing(items, index + 1)
        elif kind == "name" and following != "(" and text.lower() not in KEYWORDS:
            names.add(text)
        index += 1
    return names


def split_arguments(text):
    """The top-level, comma-separated arguments of a call's argument text."""
    arguments, depth, current, quote = [], 0, "", None
    for character in text:
        if quote:
            quote = None if character == quote else quote
        elif character in "\"'`":
            quote = character
        elif character in "({[":
            depth += 1
        elif character in ")}]":
            depth -= 1
        elif character == "," and depth == 0:
            arguments.append(current)
            current = ""
            continue
        current += character
    arguments.append(current)
    return [argument.strip() for argument in arguments]


def variable_query_names(query):
    """The metric names of a Grafana Prometheus variable's query."""
    call = re.fullmatch(r"\s*(\w+)\((.*)\)\s*", query, re.DOTALL)
    if call is None:
        return metric_names(query)
    function, arguments = call.group(1), split_arguments(call.group(2))
    if function == "label_values":
        # label_values(LABEL) reads no metric; label_values(SELECTOR, LABEL) one.
        return metric_names(arguments[0]) if len(arguments) == 2 else set()
    if function == "query_result":
        return metric_names(call.group(2))
    if function in ("label_names", "metrics"):
        return set()
    return metric_names(query)


def rule_queries(path):
    """(where, query) of each rule of a Prometheus rule file, and the names it records."""
    document = yaml.safe_load(path.read_text())
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        raise QueryError("not a Prometheus rule file (no 'groups' list)")
    queries, recorded = [], set()
    for group in document["groups"]:
        for rule in group.get("rules") or []:
            name = rule.get("alert") or rule.get("record")
            queries.append((f"rule {name}", rule.get("expr", "")))
            if "record" in rule:
                recorded.add(rule["record"])
    return queries, recorded


def panels(dashboard):
    """Every panel, those inside collapsed rows too."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panels(panel)


def dashboard_queries(path):
    """(where, names) of each query of a Grafana dashboard."""
    dashboard = json.loads(path.read_text())
    if not isinstance(dashboard, dict) or "panels" not in dashboard:
        raise QueryError("not a Grafana dashboard (no 'panels')")
    found = []
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            if "expr" in target:
                found.append((f"panel {panel.get('title')!r}", metric_names(target["expr"])))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        found.append((f"variable {variable.get('name')}", variable_query_names(query or "")))
    return found


def exposed_names(path):
    """The metric names an exposition in the Prometheus text format provides."""
    suffixes = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}
    names = set()
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("TYPE", "HELP"):
                names.add(parts[2])
                if parts[1] == "TYPE" and len(parts) == 4:
                    names.update(parts[2] + suffix for suffix in suffixes.get(parts[3].strip(), ()))
        elif line:
            sample = re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line)
            if sample is None:
                raise QueryError(f"not a sample line: {line[:60]!r}")
            names.add(sample.group())
    if not names:
        raise QueryError("no metrics in it")
    return names


def main(arguments):
    if len(arguments) < 2 or arguments[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if arguments and arguments[0] in ("-h", "--help") else 2
    exposition = Path(arguments[0])
    try:
        available = exposed_names(exposition) | SCRAPE_SERIES
        checked = []
        for file in map(Path, arguments[1:]):
            try:
                if file.suffix in (".yml", ".yaml"):
                    queries, recorded = rule_queries(file)
                    available |= recorded
                    checked.append((file, [(where, metric_names(query)) for where, query in queries]))
                elif file.suffix == ".json":
                    checked.append((file, dashboard_queries(file)))
                else:
                    raise QueryError("neither a rule file (.yml, .yaml) nor a dashboard (.json)")
            except (QueryError, yaml.YAMLError, json.JSONDecodeError, AttributeError, TypeError) as error:
                # YAML's messages span lines; the error is one.
                raise QueryError(f"{file}: {' '.join(str(error).split())}") from error
    except QueryError as error:
        print(f"check_queries: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"check_queries: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2

    missing = 0
    total = set()
    for file, queries in checked:
        if not any(names for _, names in queries):
            print(f"{file}: no metric names found in it", file=sys.stderr)
            missing += 1
        for where, names in queries:
            total |= names
            for name in sorted(names - available):
                print(f"{file}: {where}: metric {name} is not in {exposition}", file=sys.stderr)
                missing += 1
    if missing:
        return 1
    print(f"{len(total)} metric names in {len(checked)} file(s), all in {exposition}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

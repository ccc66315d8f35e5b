"""deploy/check_queries.py: which words of a query are metric names, and its verdicts on real files."""

import importlib.util
import io
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent.parent / "deploy"
SPEC = importlib.util.spec_from_file_location("check_queries", DEPLOY / "check_queries.py")
check_queries = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check_queries)

SHIPPED = [str(DEPLOY / "prometheus" / "xdplb-alerts.yml"), str(DEPLOY / "grafana" / "xdplb-dashboard.json")]


def run(*arguments):
    """(exit status, stdout, stderr) of the checker."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = check_queries.main(list(arguments))
    return status, out.getvalue(), err.getvalue()


class MetricNames(unittest.TestCase):
    def names(self, query):
        return check_queries.metric_names(query)

    def test_functions_aggregations_and_label_lists_are_not_metrics(self):
        self.assertEqual(self.names('sum by (farm, direction) (rate(xdplb_farm_packets_total[5m]))'),
                         {"xdplb_farm_packets_total"})
        self.assertEqual(self.names('sum(rate(a_total[1m])) without (instance) / on (farm) group_left (backend) b'),
                         {"a_total", "b"})
        self.assertEqual(self.names('histogram_quantile(0.99, sum by (le) (rate(h_bucket[$__rate_interval])))'),
                         {"h_bucket"})
        self.assertEqual(self.names('topk(5, x) or vector(0) and bool unless y'), {"x", "y"})

    def test_labels_strings_and_dashboard_variables_are_not_metrics(self):
        self.assertEqual(self.names('up{job="xdplb", farm=~"$farm", reason!~"denied|rate_limited"} == 0'), {"up"})
        self.assertEqual(self.names('x{a=\'it\\\'s\'} * ${factor} + [[old]]'), {"x"})
        self.assertEqual(self.names('{__name__="named_by_matcher", farm="web"}'), {"named_by_matcher"})

    def test_numbers_durations_offsets_and_subqueries(self):
        self.assertEqual(self.names('x offset 1h30m > 1e3 and y @ start() < 0x1F'), {"x", "y"})
        self.assertEqual(self.names('max_over_time(rate(z[1m])[10m:30s]) > inf'), {"z"})
        self.assertEqual(self.names('metric:recorded:rate5m > .5'), {"metric:recorded:rate5m"})

    def test_a_query_it_cannot_read_is_an_error(self):
        with self.assertRaises(check_queries.QueryError):
            self.names('rate(x[5m]')
        with self.assertRaises(check_queries.QueryError):
            self.names('x ~ y')

    def test_grafana_variable_queries(self):
        names = check_queries.variable_query_names
        self.assertEqual(names('label_values(xdplb_farm_packets_total{instance=~"$instance"}, farm)'),
                         {"xdplb_farm_packets_total"})
        self.assertEqual(names('label_values(farm)'), set())
        self.assertEqual(names('query_result(topk(3, rate(x_total[5m])))'), {"x_total"})


class Files(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)

    def write(self, name, text):
        path = Path(self.directory.name) / name
        path.write_text(text)
        return str(path)

    def test_every_shipped_query_names_a_metric_of_the_sample_scrape(self):
        status, out, err = run(str(HERE / "sample.prom"), *SHIPPED)
        self.assertEqual((status, err), (0, ""))
        self.assertIn("all in", out)

    def test_a_scrape_missing_a_family_fails_with_a_line_per_use(self):
        kept = [line for line in (HERE / "sample.prom").read_text().splitlines()
                if "xdplb_conntrack_capacity" not in line]
        scrape = self.write("missing.prom", "\n".join(kept) + "\n")
        status, _, err = run(scrape, *SHIPPED)
        self.assertEqual(status, 1)
        lines = err.splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertIn("metric xdplb_conntrack_capacity is not in", line)
        self.assertTrue(any("rule XdplbConntrackNearlyFull" in line for line in lines), err)
        self.assertTrue(any("panel 'Connection table occupancy'" in line for line in lines), err)

    def test_histogram_series_come_from_its_type_line(self):
        scrape = self.write("h.prom", "# TYPE d_seconds histogram\n")
        rules = self.write("r.yml", "groups:\n- name: g\n  rules:\n  - alert: A\n"
                                    "    expr: rate(d_seconds_sum[5m]) / rate(d_seconds_count[5m]) > 1\n"
                                    "  - alert: B\n    expr: d_seconds_bucket > 0\n")
        self.assertEqual(run(scrape, rules)[0], 0)
        self.assertEqual(run(scrape, self.write("s.yml", "groups:\n- name: g\n  rules:\n"
                                                        "  - alert: C\n    expr: d_seconds_total > 0\n"))[0], 1)

    def test_recorded_names_exist_for_the_other_queries(self):
        scrape = self.write("m.prom", "x_total 1\n")
        rules = self.write("r.yml", "groups:\n- name: g\n  rules:\n  - record: job:x:rate5m\n"
                                    "    expr: rate(x_total[5m])\n  - alert: A\n    expr: job:x:rate5m > 1\n")
        self.assertEqual(run(scrape, rules)[0], 0)

    def test_unreadable_input_is_one_line_and_status_2(self):
        scrape = str(HERE / "sample.prom")
        for arguments in ([scrape, self.write("bad.yml", "groups: [")],
                          [scrape, self.write("bad.json", "{}")],
                          [scrape, self.write("q.yml", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(x[5m]\n")],
                          [scrape, self.write("notes.txt", "x")],
                          [os.path.join(self.directory.name, "absent.prom"), SHIPPED[0]],
                          [self.write("bad.prom", "{not a sample} 1\n"), SHIPPED[0]]):
            status, _, err = run(*arguments)
            self.assertEqual(status, 2, arguments)
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertTrue(err.startswith("check_queries: "), err)

    def test_help(self):
        status, out, _ = run("--help")
        self.assertEqual(status, 0)
        self.assertIn("usage: check_queries.py EXPOSITION FILE...", out)


if __name__ == "__main__":
    unittest.main()

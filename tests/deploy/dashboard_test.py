"""deploy/grafana/xdplb-dashboard.json: importable as it is, and what the issue asks of it."""

import json
import unittest
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parent.parent.parent / "deploy" / "grafana" / "xdplb-dashboard.json"


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dashboard = json.loads(DASHBOARD.read_text())
        cls.panels = cls.dashboard["panels"]
        cls.variables = {variable["name"]: variable for variable in cls.dashboard["templating"]["list"]}

    def test_a_data_source_variable_and_a_farm_variable(self):
        self.assertEqual(self.variables["datasource"]["type"], "datasource")
        self.assertEqual(self.variables["datasource"]["query"], "prometheus")
        farm = self.variables["farm"]
        self.assertEqual(farm["type"], "query")
        self.assertTrue(farm["multi"] and farm["includeAll"])
        self.assertIn("label_values(", farm["query"]["query"])

    def test_every_query_goes_to_the_chosen_data_source_and_filters_by_farm_where_it_can(self):
        for panel in self.panels:
            if panel["type"] == "row":
                continue
            self.assertEqual(panel["datasource"]["uid"], "${datasource}", panel["title"])
            for target in panel["targets"]:
                self.assertEqual(target["datasource"]["uid"], "${datasource}", panel["title"])
                if "xdplb_farm_" in target["expr"] or "xdplb_backend_" in target["expr"]:
                    self.assertIn('farm=~"$farm"', target["expr"], panel["title"])

    def test_panels_have_unique_ids_and_do_not_overlap(self):
        ids = [panel["id"] for panel in self.panels]
        self.assertEqual(len(ids), len(set(ids)))
        taken = set()
        for panel in self.panels:
            place = panel["gridPos"]
            self.assertLessEqual(place["x"] + place["w"], 24, panel["title"])
            cells = {(x, y) for x in range(place["x"], place["x"] + place["w"])
                     for y in range(place["y"], place["y"] + place["h"])}
            self.assertFalse(cells & taken, f"{panel['title']} overlaps another panel")
            taken |= cells

    def test_the_panels_the_issue_asks_for(self):
        queries = {panel["type"] + ": " + target["expr"] for panel in self.panels for target in panel.get("targets", [])}

        def shown(kind, *parts):
            return any(query.startswith(kind + ": ") and all(part in query for part in parts) for query in queries)

        self.assertTrue(shown("timeseries", "rate(xdplb_farm_packets_total"))
        self.assertTrue(shown("timeseries", "8 *", "rate(xdplb_farm_bytes_total"))
        self.assertTrue(shown("timeseries", "rate(xdplb_farm_connections_total"))
        self.assertTrue(shown("timeseries", "by (farm, backend)", "rate(xdplb_backend_connections_total"))
        self.assertTrue(shown("state-timeline", "xdplb_backend_up"))
        self.assertTrue(shown("timeseries", "xdplb_conntrack_entries", "/", "xdplb_conntrack_capacity"))
        self.assertTrue(shown("timeseries", "by (reason)", "rate(xdplb_drops_total"))


if __name__ == "__main__":
    unittest.main()

"""The browser check and the render comparison fail on the faults they exist for: run by `make test`."""
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import browser_check  # noqa: E402
import compare_renders  # noqa: E402
import render  # noqa: E402

PLOTLY = render.PLOTLY_JS.read_text(encoding="utf-8")
CHART = ('<div id="c1" class="takeoff-chart" style="width:400px;height:300px"></div>'
         '<script>Plotly.newPlot(document.getElementById("c1"),[{"x":[1,2],"y":[3,4]}],{});</script>')


def page(body: str, plotly: bool = True) -> str:
    head = f"<script>{PLOTLY}</script>" if plotly else ""
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


class BrowserCheck(unittest.TestCase):
    def run_on(self, pages: dict) -> list:
        with tempfile.TemporaryDirectory() as tmp:
            for name, html in pages.items():
                (Path(tmp) / name).write_text(html, encoding="utf-8")
            return browser_check.check_site(Path(tmp), screenshots=False)

    def test_a_good_page_passes(self):
        self.assertEqual(self.run_on({"01-x.html": page(CHART)}), [])

    def test_javascript_error_fails(self):
        problems = self.run_on({"01-x.html": page(CHART + "<script>undefinedFunction();</script>")})
        self.assertTrue(any("JavaScript error" in p for p in problems), problems)

    def test_undrawn_chart_fails(self):
        problems = self.run_on({"01-x.html": page('<div id="c9" class="takeoff-chart"></div>')})
        self.assertTrue(any("chart c9 holds no drawn plot" in p for p in problems), problems)

    def test_network_request_fails(self):
        html = page(CHART + '<script src="https://cdn.example.invalid/x.js"></script>')
        problems = self.run_on({"01-x.html": html})
        self.assertTrue(any("from the network" in p for p in problems), problems)

    def test_missing_mind_map_fails(self):
        problems = self.run_on({"00-why-now.html": page(CHART)})
        self.assertTrue(any("mind map is missing" in p for p in problems), problems)
        ok = page(CHART + '<div class="takeoff-mindmap"><svg><text>root</text></svg></div>')
        self.assertEqual(self.run_on({"00-why-now.html": ok}), [])


class CompareRenders(unittest.TestCase):
    def test_changed_output_is_reported_and_timing_cells_are_not(self):
        def nb(value: str, timing_value: str):
            n = nbformat.v4.new_notebook()
            c1 = nbformat.v4.new_code_cell("chart")
            c1.outputs = [nbformat.v4.new_output("display_data", data={"text/html": value})]
            c2 = nbformat.v4.new_code_cell("timing")
            c2.metadata["tags"] = ["timing"]
            c2.outputs = [nbformat.v4.new_output("display_data", data={"text/html": timing_value})]
            n.cells = [c1, c2]
            return n

        with tempfile.TemporaryDirectory() as tmp:
            a, b = Path(tmp, "a"), Path(tmp, "b")
            a.mkdir()
            b.mkdir()
            nbformat.write(nb("42", "1.0 s"), a / "01.ipynb")
            nbformat.write(nb("42", "2.0 s"), b / "01.ipynb")
            self.assertEqual(compare_renders.differences(a, b), [])
            nbformat.write(nb("43", "2.0 s"), b / "01.ipynb")
            self.assertEqual(compare_renders.differences(a, b),
                             ["01.ipynb: code cell 1 (cell index 0) differs between the two renders"])


if __name__ == "__main__":
    unittest.main()

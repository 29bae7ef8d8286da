"""The browser check and the render comparison fail on the faults they exist for: run by `make test`."""
import re
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import browser_check  # noqa: E402
import compare_renders  # noqa: E402
import pages  # noqa: E402
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

    def test_a_slider_step_that_shows_nothing_fails(self):
        def chart(visible_in_step_two):
            return ('<div id="s1" class="takeoff-chart" style="width:400px;height:300px"></div><script>'
                    'Plotly.newPlot(document.getElementById("s1"),[{"y":[1,2]},{"y":[2,1],"visible":false}],'
                    '{"sliders":[{"steps":[{"label":"a","method":"restyle","args":[{"visible":[true,false]}]},'
                    '{"label":"b","method":"restyle","args":[{"visible":' + visible_in_step_two + '}]}]}]});</script>')
        self.assertEqual(self.run_on({"01-x.html": page(chart("[false,true]"))}), [])
        problems = self.run_on({"01-x.html": page(chart("[false,false]"))})
        self.assertTrue(any("slider s1 step b shows nothing" in p for p in problems), problems)

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
            # how many runs came from the cache differs by design between a cold and a warm render
            nbformat.write(nb('<figure data-runs="4" data-cached="0">', "1.0 s"), a / "01.ipynb")
            nbformat.write(nb('<figure data-runs="4" data-cached="4">', "1.0 s"), b / "01.ipynb")
            self.assertEqual(compare_renders.differences(a, b), [])
            nbformat.write(nb("43", "2.0 s"), b / "01.ipynb")
            self.assertEqual(compare_renders.differences(a, b),
                             ["01.ipynb: code cell 1 (cell index 0) differs between the two renders"])



class Pages(unittest.TestCase):
    """What the static pages add: folded logs, claims anchors, the index's claims and findings (from data)."""

    CLAIMS = {"claims": [
        {"claim": {"en": "SVM flattens", "zh": "SVM 趋于平缓"}, "verdict": {"en": "holds", "zh": "成立"},
         "class": "holds", "decided_at": {"en": "m = 100", "zh": "m = 100"},
         "task": {"en": "teacher", "zh": "教师网络任务"}, "m": 100, "margin": 0.05, "noise": 0.01},
        {"claim": {"en": "large beats small", "zh": "大型网络胜过小型网络"},
         "verdict": {"en": "not shown (inside the noise)", "zh": "不显著（差别在误差范围内）"},
         "class": "unclear", "decided_at": {"en": "m = 100", "zh": "m = 100"},
         "task": {"en": "teacher", "zh": "教师网络任务"}, "m": 100, "margin": 0.002, "noise": 0.01},
    ]}

    def claims_cell(self, header="claim of the lesson"):
        """A cell as the crate's claims table leaves it: the HTML and the same claims as data."""
        cell = nbformat.v4.new_code_cell("claims")
        table = (f'<table class="takeoff-table"><thead><tr><th>{header}</th><th>on this run</th>'
                 '<th>decided at</th><th>task</th><th>measured</th></tr></thead><tbody>'
                 '<tr><td>SVM flattens</td><td><span class="takeoff-badge holds">holds</span></td><td>m = 100</td><td>teacher</td><td>x</td></tr>'
                 '<tr><td>large beats small</td><td><span class="takeoff-badge unclear">not shown (inside the noise)</span></td><td>m = 100</td><td>teacher</td><td>y</td></tr>'
                 '</tbody></table><p>rule</p>')
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="".join(f"line {i}\n" for i in range(30))),
                        nbformat.v4.new_output("display_data", data={"text/html": table, pages.CLAIMS_MIME: self.CLAIMS})]
        return cell

    def test_logs_fold_and_claims_get_an_anchor_on_a_copy(self):
        nb = nbformat.v4.new_notebook()
        nb.cells = [self.claims_cell()]
        page_nb, claims = pages.for_page(nb)
        self.assertEqual([(c["anchor"], c["claim"]["en"], c["class"], c["m"]) for c in claims],
                         [("claims-1", "SVM flattens", "holds", 100), ("claims-1", "large beats small", "unclear", 100)])
        self.assertEqual(claims[1]["margin"], 0.002)
        outs = page_nb.cells[0].outputs
        self.assertIn("30 progress lines (click to open)", outs[0]["data"]["text/html"])
        self.assertIn("30 行进度日志（点击展开）", outs[0]["data"]["text/html"])
        self.assertIn("line 29</pre>", outs[0]["data"]["text/html"])
        self.assertIn('<div id="claims-1"', outs[1]["data"]["text/html"])
        self.assertEqual(nb.cells[0].outputs[0]["output_type"], "stream", "the executed notebook is untouched")

    def test_every_log_folds_and_the_index_links_each_claim(self):
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="one line\n")]
        nb = nbformat.v4.new_notebook()
        nb.cells = [cell]
        self.assertIn("1 progress line (click to open)", pages.for_page(nb)[0].cells[0].outputs[0]["data"]["text/html"])
        claim = {"anchor": "claims-1", "claim": "SVM flattens", "verdict": "does not hold", "class": "fails",
                 "decided_at": "m = 9", "task": "teacher"}
        index = pages.claims_index([("01-a.html", "1. Data", [claim]), ("04-d.html", "4. Recap", [claim])])
        self.assertIn('<a href="01-a.html#claims-1">1. Data</a>', index)
        self.assertIn('takeoff-badge fails', index)
        self.assertNotIn("04-d.html", index, "a recap of the same claim is listed once")
        self.assertEqual(pages.claims_index([]), "")

    def test_the_index_reads_the_claims_data_not_the_tables_html(self):
        # the table's headers and rows changed (another wording, another layout): the index holds
        cell = self.claims_cell(header="CLAIM (reworded)")
        cell.outputs[1]["data"]["text/html"] = "<p>a table laid out some other way</p>"
        nb = nbformat.v4.new_notebook()
        nb.cells = [cell]
        _, claims = pages.for_page(nb)
        for lang, words in (("en", "SVM flattens"), ("zh", "SVM 趋于平缓")):
            index = pages.claims_index([("01-a.html", {"en": "1. Data", "zh": "1. 数据"}, claims)], lang)
            self.assertIn(words, index)
            self.assertIn('takeoff-badge unclear', index)
        self.assertIn("<th>结论</th>", pages.claims_index([("01-a.html", "1", claims)], "zh"))
        # a table without its data part is a table like any other: nothing to index, no anchor
        bare = self.claims_cell()
        del bare.outputs[1]["data"][pages.CLAIMS_MIME]
        nb.cells = [bare]
        page_nb, claims = pages.for_page(nb)
        self.assertEqual(claims, [])
        self.assertNotIn('id="claims-', page_nb.cells[0].outputs[1]["data"]["text/html"])

    def test_the_index_opens_with_the_findings_a_chapter_wrote(self):
        part = {"en": ["teacher: 3 of 5 claims hold"], "zh": ["教师网络任务：5 条结论中 3 条成立"]}
        cell = nbformat.v4.new_code_cell("findings")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>any layout</p>",
                                                                      pages.FINDINGS_MIME: part})]
        nb = nbformat.v4.new_notebook()
        nb.cells = [cell]
        found = pages.findings([nbformat.v4.new_notebook(), nb])
        self.assertEqual(found, {"en": "<p>teacher: 3 of 5 claims hold</p>", "zh": "<p>教师网络任务：5 条结论中 3 条成立</p>"})
        entries = [{"href": "01-a.html", "title": {"en": "1. Data", "zh": "1. 数据"}}]
        index = render.index_page(entries, "quick", findings=found)
        self.assertLess(index.index("What this render found"), index.index("<h2>Contents</h2>"))
        self.assertIn("5 条结论中 3 条成立", index)
        self.assertEqual(pages.findings([nbformat.v4.new_notebook()]), {})

    def test_prose_cells_show_in_their_language_and_the_glossary_is_whole(self):
        nb = nbformat.v4.new_notebook()
        zh, en = nbformat.v4.new_markdown_cell("# 标题"), nbformat.v4.new_markdown_cell("# Title")
        zh.metadata["lang"], en.metadata["lang"] = "zh", "en"
        nb.cells = [zh, en]
        page_nb, _ = pages.for_page(nb)
        self.assertTrue(page_nb.cells[0].source.startswith('<div class="takeoff-lang" lang="zh-Hans">'))
        self.assertEqual(page_nb.cells[1].metadata["tags"], ["lang-en"])
        self.assertNotIn("tags", nb.cells[0].metadata, "the notebook itself is untouched")
        rows = pages.read_glossary(ROOT / "notebooks" / "glossary.tsv")
        self.assertGreaterEqual(len(rows), 20)
        for term in ["反向传播", "超参数", "多层感知机（MLP）", "Xavier / He 初始化", "教师网络任务", "方向梯度直方图（HOG）",
                     "泛化误差", "贝叶斯最优准确率", "交叉熵", "验证集"]:
            self.assertIn(term, [zh for _, zh, _, _ in rows])
        # each view puts its own language's term first
        row = pages.glossary_table([("seed", "随机种子", "a number", "一个数")]).split("<tbody>")[1]
        cells = re.findall(r'<td class="([^"]*)" lang="([^"]*)">(.*?)</td>', row)
        self.assertEqual([(c, lang) for c, lang, _ in cells[:3]],
                         [("takeoff-term takeoff-lang", "zh-Hans"), ("takeoff-term", "en"), ("takeoff-term takeoff-lang", "en")])
        self.assertIn("随机种子", cells[0][2])
        self.assertIn('lang="zh-Hans">随机种子', cells[2][2])
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp, "g.tsv")
            bad.write_text("term\t术语\tmeaning\n", encoding="utf-8")
            with self.assertRaisesRegex(ValueError, "g.tsv:1: expected 4"):
                pages.read_glossary(bad)

    def test_a_page_in_both_languages_passes_and_a_leak_fails(self):
        def two(zh, en):
            return page(pages.LANG_HEAD_JS + '<nav>' + pages.LANG_SWITCH + '</nav>' + pages.both({"zh": zh, "en": en}, "div")
                        + "<style>" + pages.BADGE_CSS + "</style>" + pages.LANG_SWITCH_JS)
        good = two("<p>数据越多，大型网络越好。</p>", "<p>the more data the better the large net</p>")
        self.assertEqual(BrowserCheck.run_on(self, {"01-x.html": good}), [])
        leak = two("<p>数据越多。</p><p>this sentence was never translated</p>", "<p>the more data</p>")
        problems = BrowserCheck.run_on(self, {"01-x.html": leak})
        self.assertTrue(any("an English sentence shows" in p for p in problems), problems)
        for slip in ["<p>大型网络超过RBF SVM。</p>", "<p>教师网络任务 (d = 10)。</p>", "<p>数据越多, 越好。</p>"]:
            problems = BrowserCheck.run_on(self, {"01-x.html": two(slip, "<p>the more data</p>")})
            self.assertTrue(any("mixed-script slips" in p for p in problems), (slip, problems))
        self.assertEqual(BrowserCheck.run_on(self, {"01-x.html": two("<p>T恤比 RBF SVM（C = 10）多。</p>", "<p>x</p>")}), [])
        leak_en = two("<p>数据越多。</p>", "<p>the more data 数据</p>")
        problems = BrowserCheck.run_on(self, {"01-x.html": leak_en})
        self.assertTrue(any("(en, by link): Chinese text shows" in p for p in problems), problems)

    def test_every_figure_says_where_its_numbers_came_from(self):
        fig = ('<figure class="takeoff-figure" data-seeds="0,1" data-runs="12" data-cached="4" role="group">'
               '<div id="takeoff-chart-abc123" class="takeoff-chart"></div><figcaption>s</figcaption></figure>')
        cell = nbformat.v4.new_code_cell("chart")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": fig})]
        nb = nbformat.v4.new_notebook()
        nb.cells = [cell]
        nb.metadata["takeoff"] = {"profile": "quick", "commit": "abc", "date": "2026-11-30", "machine": "m, 2 cores"}
        page_nb, _ = pages.for_page(nb)
        out = page_nb.cells[0].outputs[0]["data"]["text/html"]
        self.assertIn("Source: quick profile; seeds 0, 1; 12 runs, 4 from the cache; commit abc; 2026-11-30; m, 2 cores.", out)
        self.assertIn("数据来源：quick 配置；种子 0, 1；12 次运行，其中 4 次读自缓存", out)
        self.assertIn('title="Source: quick profile', out)
        self.assertEqual(page_nb.metadata["takeoff_figures"][0]["chart"], "takeoff-chart-abc123")
        self.assertEqual(page_nb.metadata["takeoff_figures"][0]["seeds"], [0, 1])

    def test_footer_says_where_the_numbers_came_from(self):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output(
            "stream", name="stdout", text="learning curve on t: 12 runs, 9 from the cache, 1 s\nrace on t: from the cache\n")]
        nb.cells = [cell]
        meta = pages.provenance(nb, ROOT, "quick")
        self.assertEqual((meta["runs"], meta["runs_from_cache"], meta["races_from_cache"]), (12, 9, 1))
        text = pages.footer(meta)
        self.assertIn("quick profile", text)
        self.assertIn("9 of 12 learning-curve runs", text)
        self.assertIn(meta["commit"], text)
        self.assertIn("读自实验缓存", pages.footer(meta, "zh"))


if __name__ == "__main__":
    unittest.main()

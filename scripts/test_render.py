"""Checks that rendering fails loudly and loses nothing: run by `make test`."""
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import render  # noqa: E402


def notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "rust", "display_name": "Rust", "language": "rust"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A fault")] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def run_render(folder: Path, site: Path):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render.py"), "--profile", "quick",
         "--site", str(site), "--notebooks", str(folder)],
        capture_output=True, text=True, timeout=900,
    )


class CellProblems(unittest.TestCase):
    def test_stderr_panic_and_error_outputs_are_problems(self):
        ok = nbformat.v4.new_code_cell("1")
        ok.outputs = [nbformat.v4.new_output("stream", name="stdout", text="fine\n")]
        self.assertEqual(render.cell_problems(ok), [])
        panic = nbformat.v4.new_code_cell("panic!()")
        panic.outputs = [nbformat.v4.new_output("stream", name="stderr", text="thread 'x' panicked at src/lib.rs:1:1:\nboom\n")]
        self.assertIn("panic", render.cell_problems(panic)[0])
        err = nbformat.v4.new_code_cell("x?")
        err.outputs = [nbformat.v4.new_output("error", ename="Error", evalue="mismatched types", traceback=[])]
        self.assertIn("mismatched types", render.cell_problems(err)[0])

    def test_an_output_that_fell_back_to_debug_text_is_a_problem(self):
        for debug in ('Html("<pre class=\\"x\\">")', "SuccessFormula { data_times_model: DataTimesModel { task: \"t\" } }"):
            cell = nbformat.v4.new_code_cell("x")
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": debug}, execution_count=1)]
            self.assertIn("Debug text", render.cell_problems(cell)[0])
        # a number, a sentence, or an HTML output with its plain-text form are fine
        for data in ({"text/plain": "42"}, {"text/plain": "Every model ran at every size."},
                     {"text/html": "<p>x</p>", "text/plain": "Html(x)"}):
            cell = nbformat.v4.new_code_cell("x")
            cell.outputs = [nbformat.v4.new_output("execute_result", data=data, execution_count=1)]
            self.assertEqual(render.cell_problems(cell), [])


class LabOnlyCells(unittest.TestCase):
    def test_cells_tagged_lab_only_stay_out_of_the_page(self):
        import pages
        nb = notebook("1")
        hint = nbformat.v4.new_markdown_cell("the next cell compiles", metadata={"lang": "en", "tags": ["lab-only"]})
        nb.cells.insert(1, hint)
        page, _ = pages.for_page(nb)
        self.assertEqual(len(page.cells), len(nb.cells) - 1)
        self.assertFalse(any("the next cell compiles" in c.source for c in page.cells))
        self.assertEqual(len(nb.cells), 3)  # the notebook itself keeps it


class FailingNotebooks(unittest.TestCase):
    """Each case renders a one-notebook lesson whose cell fails, over an existing site."""

    def check_fails(self, cell: str, expect: str):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "nbs").mkdir()
            nbformat.write(notebook('println!("before");', cell), tmp / "nbs" / "00-fault.ipynb")
            site = tmp / "site"
            site.mkdir()
            (site / "index.html").write_text("previous site")
            result = run_render(tmp / "nbs", site)
            out = result.stdout + result.stderr
            self.assertNotEqual(result.returncode, 0, out)
            self.assertIn("00-fault.ipynb: code cell 2", out)
            self.assertIn(expect, out)
            self.assertEqual((site / "index.html").read_text(), "previous site", "the old site must survive")
            self.assertEqual([p.name for p in tmp.iterdir() if p.name.startswith("site.")], [],
                             "no partial site left behind")

    def test_panic_fails_the_render(self):
        self.check_fails('panic!("boom in a cell");', "panic")

    def test_question_mark_error_fails_the_render(self):
        self.check_fails('let r: Result<(), String> = Err("no such file".into()); r?;', "no such file")

    def test_compile_error_fails_the_render(self):
        self.check_fails('let x: u32 = "text";', "mismatched types")


class KeptPdfs(unittest.TestCase):
    def site(self, folder: Path, chapter: str) -> Path:
        folder.mkdir()
        for name, text in (("index.html", "index"), ("01-a.html", chapter), ("glossary.html", "terms"),
                           ("plotly.min.js", "js")):
            (folder / name).write_text(text)
        return folder

    def test_pdfs_move_to_the_new_site_only_when_printed_from_the_same_pages(self):
        import pages
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            old = self.site(tmp / "old", "chapter")
            for lang in pages.LANGS:
                (old / f"lesson.{lang}.pdf").write_text(f"pdf {lang}")
            (old / pages.PDF_RECORD).write_text(json.dumps({"pages": pages.pages_digest(old)}))
            same = self.site(tmp / "same", "chapter")
            render.carry_pdfs(old, same)
            self.assertEqual((same / "lesson.zh.pdf").read_text(), "pdf zh")
            self.assertEqual((same / "lesson.en.pdf").read_text(), "pdf en")
            changed = self.site(tmp / "changed", "chapter, remixed")
            render.carry_pdfs(old, changed)
            self.assertFalse((changed / "lesson.zh.pdf").exists(), "a PDF of other pages must not move")
            self.assertFalse((changed / pages.PDF_RECORD).exists())
            (old / "lesson.en.pdf").unlink()
            incomplete = self.site(tmp / "incomplete", "chapter")
            render.carry_pdfs(old, incomplete)
            self.assertEqual(sorted(p.name for p in incomplete.iterdir()),
                             ["01-a.html", "glossary.html", "index.html", "plotly.min.js"])


class RemixAndInterrupt(unittest.TestCase):
    def test_remixed_parameter_cell_changes_the_output(self):
        """Copy the opening notebook, change the list of sizes, render the copy: the chart follows."""
        nb = nbformat.read(ROOT / "notebooks" / "00-why-now.ipynb", 4)
        target = "let config = takeoff::lesson::data_scale::data_scale_teacher(profile, &cache)?;"
        cells = [c for c in nb.cells if c.cell_type == "code" and target in c.source]
        self.assertEqual(len(cells), 1, "the parameter cell of 00-why-now moved: update this test")
        cells[0].source = cells[0].source.replace(
            target, "let mut config = takeoff::lesson::data_scale::data_scale_teacher(profile, &cache)?;\n"
                    "config.sizes = vec![100, 1000];")
        # the copy lives elsewhere: point its :dep line at the crate, as a teacher's copy would
        for c in nb.cells:
            c.source = c.source.replace('path = ".."', f'path = "{ROOT}"')
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "nbs").mkdir()
            nbformat.write(nb, tmp / "nbs" / "00-why-now.ipynb")
            result = subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "render.py"), "--profile", "quick", "--site",
                 str(tmp / "site"), str(tmp / "nbs" / "00-why-now.ipynb")],
                capture_output=True, text=True, timeout=900, cwd=str(ROOT))
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            out = nbformat.read(tmp / "site" / "notebooks" / "00-why-now.ipynb", 4)
            html = "".join("".join(o.get("data", {}).get("text/html", ""))
                           for c in out.cells if c.cell_type == "code" for o in c.get("outputs", []))
            self.assertIn("at 2 sizes from m = 100 to 1,000", html)
            self.assertNotIn("m = 100 to 3000", html)

    def test_interrupted_render_leaves_the_previous_site(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "nbs").mkdir()
            nbformat.write(notebook("std::thread::sleep(std::time::Duration::from_secs(120));"),
                           tmp / "nbs" / "00-slow.ipynb")
            site = tmp / "site"
            site.mkdir()
            (site / "index.html").write_text("previous site")
            proc = subprocess.Popen(
                [sys.executable, str(ROOT / "scripts" / "render.py"), "--profile", "quick",
                 "--site", str(site), "--notebooks", str(tmp / "nbs")],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            # wait until the kernel is busy with the slow cell, then stop the render
            for line in proc.stdout:
                if "00-slow.ipynb" in line:
                    break
            import time
            time.sleep(8)
            proc.terminate()
            proc.wait(timeout=120)
            self.assertNotEqual(proc.returncode, 0)
            self.assertEqual((site / "index.html").read_text(), "previous site")
            self.assertEqual([p.name for p in tmp.iterdir() if p.name.startswith("site.")], [])

    def test_one_notebook_rerenders_and_the_rest_of_the_site_stays(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            nbs, site = tmp / "nbs", tmp / "site"
            nbs.mkdir()
            nbformat.write(notebook('println!("first page");'), nbs / "01-a.ipynb")
            nbformat.write(notebook('println!("second page, take 1");'), nbs / "02-b.ipynb")
            alone = subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "render.py"), "--profile", "quick",
                 "--site", str(site), str(nbs / "02-b.ipynb")],
                capture_output=True, text=True, timeout=900)
            self.assertEqual(alone.returncode, 2, alone.stdout + alone.stderr)
            self.assertIn("render the whole lesson once first", alone.stderr)
            whole = run_render(nbs, site)
            self.assertEqual(whole.returncode, 0, whole.stdout + whole.stderr)
            first = (site / "01-a.html").read_bytes()
            nbformat.write(notebook('println!("second page, take 2");'), nbs / "02-b.ipynb")
            one = subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "render.py"), "--profile", "quick",
                 "--site", str(site), str(nbs / "02-b.ipynb")],
                capture_output=True, text=True, timeout=900)
            self.assertEqual(one.returncode, 0, one.stdout + one.stderr)
            self.assertIn("render: 1 of 2 notebooks run", one.stdout)
            self.assertIn("s left (from the previous render's times)", one.stdout)
            self.assertEqual((site / "01-a.html").read_bytes(), first, "the other page is unchanged")
            self.assertIn("take 2", (site / "02-b.html").read_text())
            self.assertTrue((site / "plotly.min.js").exists())
            index = (site / "index.html").read_text()
            self.assertIn("01-a.html", index)
            self.assertIn("02-b.html", index)

    def test_unchanged_notebooks_are_kept_and_a_changed_one_runs(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            nbs, site = tmp / "nbs", tmp / "site"
            nbs.mkdir()
            # each run prints a fresh random number: a kept page shows the same one
            stamp = 'println!("{} {}", NAME, std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());'
            nbformat.write(notebook(stamp.replace("NAME", '"a"')), nbs / "01-a.ipynb")
            nbformat.write(notebook(stamp.replace("NAME", '"b"')), nbs / "02-b.ipynb")
            whole = run_render(nbs, site)
            self.assertEqual(whole.returncode, 0, whole.stdout + whole.stderr)
            first_a, first_b = (site / "01-a.html").read_text(), (site / "02-b.html").read_text()

            again = run_render(nbs, site)
            self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
            self.assertIn("[kept] 01-a.ipynb: unchanged", again.stdout)
            self.assertIn("[kept] 02-b.ipynb: unchanged", again.stdout)
            self.assertIn("render: 0 of 2 notebooks run, 2 kept", again.stdout)
            self.assertEqual((site / "01-a.html").read_text(), first_a)
            self.assertEqual((site / "02-b.html").read_text(), first_b)

            # a changed cell runs its notebook; a changed file beside the notebooks runs both
            nbformat.write(notebook(stamp.replace("NAME", '"b2"')), nbs / "02-b.ipynb")
            one = run_render(nbs, site)
            self.assertIn("render: 1 of 2 notebooks run, 1 kept", one.stdout)
            self.assertEqual((site / "01-a.html").read_text(), first_a)
            self.assertIn("b2 ", (site / "02-b.html").read_text())
            (nbs / "glossary.tsv").write_text("term\t术语\n")
            both = run_render(nbs, site)
            self.assertIn("render: 2 of 2 notebooks run", both.stdout)
            self.assertNotEqual((site / "01-a.html").read_text(), first_a)

            # --rerun runs what did not change
            fresh = subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "render.py"), "--profile", "quick",
                 "--site", str(site), "--notebooks", str(nbs), "--rerun"],
                capture_output=True, text=True, timeout=900)
            self.assertIn("render: 2 of 2 notebooks run", fresh.stdout)
            record = json.loads((site / "render.json").read_text())
            self.assertEqual(record["kept"], [])


if __name__ == "__main__":
    unittest.main()

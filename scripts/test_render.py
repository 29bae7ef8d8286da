"""Checks that rendering fails loudly and loses nothing: run by `make test`."""
import os
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


if __name__ == "__main__":
    unittest.main()

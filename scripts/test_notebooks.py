"""The notebook check fails on what it exists for: run by `make test`."""
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_stripped  # noqa: E402


def nb(markdown: str, language: str = "Rust") -> dict:
    return {"cells": [{"cell_type": "markdown", "source": [markdown]}],
            "metadata": {"language_info": {"name": language}}}


class NotebookCheck(unittest.TestCase):
    def test_bold_left_open_after_full_width_punctuation_is_caught(self):
        self.assertEqual(len(check_stripped.problems("a", nb("**在 JupyterLab 中运行时：**下一个"))), 1)
        self.assertEqual(check_stripped.problems("a", nb("**在 JupyterLab 中运行时**：下一个")), [])
        self.assertEqual(check_stripped.problems("a", nb("**数据。** 数字化社会")), [])

    def test_metadata_other_than_the_kernels_is_caught(self):
        self.assertIn("language_info", check_stripped.problems("a", nb("x", "rust"))[0])

    def test_outputs_saved_in_the_working_file_are_read_as_git_would_commit_them(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "a.ipynb")
            clean = nb("x")
            path.write_text(json.dumps(clean), encoding="utf-8")
            found = lambda: [q for which, text in check_stripped.committed_texts(str(path))  # noqa: E731
                             for q in check_stripped.problems(which, json.loads(text))]
            # outside git: the file itself
            self.assertEqual(check_stripped.committed_texts(str(path)), [("", json.dumps(clean))])
            git = ["git", "-C", tmp, "-c", "user.name=t", "-c", "user.email=t@t"]
            subprocess.run(git + ["init", "-q"], check=True)
            saved = {**clean, "cells": [{"cell_type": "code", "source": [], "metadata": {}, "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["1"]}], "execution_count": 1}]}
            path.write_text(json.dumps(saved), encoding="utf-8")
            # in a checkout without the filter, outputs would be committed: caught
            self.assertEqual(len(found()), 1)
            # with nbstripout as git's clean filter (as `make setup` installs it), JupyterLab's saved
            # outputs never reach a commit: nothing to report
            subprocess.run(git + ["config", "filter.nbstripout.clean", f'"{sys.executable}" -m nbstripout'], check=True)
            Path(tmp, ".gitattributes").write_text("*.ipynb filter=nbstripout\n")
            self.assertEqual(found(), [])
            # a committed output is caught even with the filter (someone committed without it)
            subprocess.run(git + ["-c", "filter.nbstripout.clean=cat", "add", "a.ipynb"], check=True)
            subprocess.run(git + ["-c", "filter.nbstripout.clean=cat", "commit", "-qm", "outputs"], check=True)
            self.assertEqual([w for w in found()], ["as committed: cell 0 has outputs or an execution count"])

if __name__ == "__main__":
    unittest.main()

"""The notebook check fails on what it exists for: run by `make test`."""
import sys
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


if __name__ == "__main__":
    unittest.main()

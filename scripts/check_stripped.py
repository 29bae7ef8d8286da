"""Fails when a committed notebook carries outputs or execution counts (strip with `make strip`),
when its metadata differs from what the kernel reports (JupyterLab would rewrite the file on open),
or when a markdown cell holds bold that CommonMark leaves open in JupyterLab.

It reads each notebook as committed (HEAD) and as `git add` would stage it now (the working file
through git's filters: the nbstripout filter that `make setup` installs strips outputs). So
outputs that JupyterLab saved into the working file do not fail it, since they never reach a
commit, while a committed output, or anything else in the working file, does. Outside a git
checkout it reads the file itself."""
import json
import re
import subprocess
import sys
from pathlib import Path

# evcxr's kernel reports its language as "Rust": a file that says otherwise is rewritten on open
KERNEL_LANGUAGE = "Rust"
# `**…：**下一个`: a `**` after full-width punctuation and before a letter does not close in
# CommonMark (it is not right-flanking), so JupyterLab shows the asterisks; put the mark outside
PUNCT = "：。，、；！？）」』”"
OPEN_BOLD = re.compile(r"[" + PUNCT + r"]\*\*(?=[^\s" + PUNCT + r"*])")


def problems(path: str, nb: dict) -> list:
    bad = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("outputs") or cell.get("execution_count"):
            bad.append(f"{path}: cell {i} has outputs or an execution count")
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", []))
            for m in OPEN_BOLD.finditer(text):
                bad.append(f"{path}: cell {i}: bold that JupyterLab leaves open at "
                           f"{text[max(0, m.start() - 12):m.end() + 6]!r} (put the punctuation after the closing **)")
    name = nb.get("metadata", {}).get("language_info", {}).get("name")
    if name != KERNEL_LANGUAGE:
        bad.append(f"{path}: language_info.name is {name!r}, the kernel reports {KERNEL_LANGUAGE!r}")
    return bad


def git(path: Path, *args: str):
    return subprocess.run(["git", "-C", str(path.parent), *args], capture_output=True, text=True)


def committed_texts(path: str) -> list:
    """(which copy, its text): the notebook at HEAD, when committed, and as `git add` would stage
    it (through git's clean filters); outside git, the file itself."""
    p = Path(path).resolve()
    texts = []
    head = git(p, "show", f"HEAD:./{p.name}")
    if head.returncode == 0:
        texts.append(("as committed", head.stdout))
    blob = git(p, "hash-object", "-w", "--path", p.name, p.name)
    staged = git(p, "cat-file", "blob", blob.stdout.strip()) if blob.returncode == 0 else blob
    if staged.returncode == 0:
        texts.append(("as git would stage it", staged.stdout))
    return texts or [("", p.read_text(encoding="utf-8"))]


if __name__ == "__main__":
    bad = []
    for path in sys.argv[1:]:
        for which, text in committed_texts(path):
            bad += problems(f"{path} ({which})" if which else path, json.loads(text))
        bad = list(dict.fromkeys(bad))
    if bad:
        print("\n".join(bad))
        print("Run `make strip` to remove outputs before committing; fix the other lines by hand.")
        sys.exit(1)
    print(f"notebooks stripped, metadata as the kernel reports it, bold closed: {len(sys.argv) - 1} checked")

"""JupyterLab as a teacher meets it, driven headlessly: opens each named notebook in a JupyterLab
started on notebooks/, clicks Run → Run All Cells as soon as the notebook shows (while the Rust
kernel is still starting), and checks that every code cell ran without an error, that every
chart drew, and that saving the notebook leaves git with nothing to commit.

    python scripts/lab_check.py [notebook ...]      (default: 00-why-now.ipynb 03-sigmoid-to-relu.ipynb)

Run by `make test-lab` (a few minutes: each notebook's cells really run). The evcxr build folder is
JupyterLab's own (`target/evcxr-lab`, as `make lab` uses it).
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DEFAULT = ["00-why-now.ipynb", "03-sigmoid-to-relu.ipynb"]
RUN_LIMIT_S = int(os.environ.get("LAB_RUN_LIMIT_S", "900"))

# each code cell: its prompt ("[3]:", "[*]:", "[ ]:"), whether it shows an error, and its charts
CELLS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(c => ({
    prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    charts: c.querySelectorAll('.js-plotly-plot, .plot-container').length,
    drawn: c.querySelectorAll('.js-plotly-plot svg.main-svg, .plot-container svg.main-svg').length,
    text: ((c.querySelector('.jp-OutputArea') || {}).innerText || '').slice(0, 300),
}))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int) -> subprocess.Popen:
    env = dict(os.environ, EVCXR_TMPDIR=str(ROOT / "target" / "evcxr-lab"))
    cmd = [str(VENV / "bin" / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.token=",
           "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--notebook-dir={ROOT / 'notebooks'}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log = open(ROOT / "target" / "lab_check.server.log", "w")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=1)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("JupyterLab did not answer within a minute: see target/lab_check.server.log")


def git_status(paths) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def check_notebook(browser, port: int, name: str) -> list:
    problems = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
    opened = time.monotonic()
    # Run All at once, while the kernel starts, as a teacher who does not wait would
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    page.keyboard.press("Escape")
    cells = []
    while time.monotonic() - opened < RUN_LIMIT_S:
        cells = page.evaluate(CELLS)
        if cells and all(c["prompt"].strip() not in ("[ ]:", "[*]:", "") for c in cells):
            break
        page.wait_for_timeout(2_000)
    took = time.monotonic() - opened
    waiting = [i for i, c in enumerate(cells) if c["prompt"].strip() in ("[ ]:", "[*]:", "")]
    if waiting:
        problems.append(f"{name}: cells {waiting} had not run {RUN_LIMIT_S} s after Run All "
                        f"(prompts {[cells[i]['prompt'] for i in waiting[:5]]})")
    for i, c in enumerate(cells):
        if c["charts"] and c["drawn"] < c["charts"]:
            problems.append(f"{name}: cell {i} has {c['charts']} charts, {c['drawn']} drawn")
    charts = sum(c["drawn"] for c in cells)
    # save as a teacher would: the saved file holds what the kernel answered
    page.click(".jp-Notebook")
    page.keyboard.press("Control+s")
    page.wait_for_timeout(3_000)
    saved = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    for i, cell in enumerate(c for c in saved.cells if c.cell_type == "code"):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{name}: cell {i} ended in an error: {out.get('ename')}: {out.get('evalue', '')[:200]}")
        if cell.get("execution_count") is None:
            problems.append(f"{name}: cell {i} has no execution count in the saved file")
    plots = sum(1 for c in saved.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if "application/vnd.plotly.v1+json" in o.get("data", {}))
    if charts < plots:
        problems.append(f"{name}: the kernel sent {plots} plotly charts, {charts} drew")
    status = git_status([f"notebooks/{name}"])
    if status:
        diff = subprocess.run(["git", "diff", "--stat", "--", f"notebooks/{name}"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        problems.append(f"{name}: after Run All and a save git reports {status!r} ({diff or 'no diff'})")
    print(f"lab: {name}: {len(cells)} code cells ran in {took:.0f} s after Run All on open, {charts} charts drawn",
          flush=True)
    page.close()
    return problems


def main() -> int:
    names = sys.argv[1:] or DEFAULT
    before = git_status(["notebooks"])
    if before:
        print(f"lab check: notebooks/ has changes before the check; commit or stash them first:\n{before}",
              file=sys.stderr)
        return 2
    port = free_port()
    server = start_lab(port)
    problems = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                for name in names:
                    problems += check_notebook(browser, port, name)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        # the saved copies carry outputs; git ignores them through its filter, the working tree
        # goes back to what is committed
        subprocess.run(["git", "checkout", "--", "notebooks"], cwd=ROOT, check=False)
    if problems:
        print("lab check FAILED:\n" + "\n".join(problems), file=sys.stderr)
        return 1
    print("lab check: every cell ran after Run All on open, every chart drew, git has nothing to commit")
    return 0


if __name__ == "__main__":
    sys.exit(main())

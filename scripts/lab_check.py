"""JupyterLab as a teacher meets it, driven headlessly: opens each named notebook in a JupyterLab
started on notebooks/, clicks Run → Run All Cells as soon as the toolbar names the kernel (the Rust
kernel still starting: "Connecting"), and checks that every code cell ran without an error, that
every chart drew, and that saving the notebook (outputs and all) leaves git nothing to commit and
`scripts/check_stripped.py` (run by `make test`) passing.

Why "as soon as the toolbar names the kernel" and not the very first instant: for about a second
after a notebook shows, JupyterLab's session has no kernel yet (the toolbar reads "No Kernel"), and
JupyterLab 4 then runs nothing on Run All: it clears the prompts and returns. That is JupyterLab's
own behaviour, seen with any kernel; the note above each notebook's first cell says to wait for
the kernel's name. From then on Run All queues every cell, however long the kernel takes to start.

    python scripts/lab_check.py [notebook ...]      (default: 00-why-now.ipynb 03-sigmoid-to-relu.ipynb)

Run by `make test-lab` (a few minutes: each notebook's cells really run), in the quick profile
(TAKEOFF_PROFILE to change it), whose results `make test` leaves in the experiment cache. The evcxr
build folder is JupyterLab's own (`target/evcxr-lab`, as `make lab` uses it).
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
from browser import chromium

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
DEFAULT = ["00-why-now.ipynb", "03-sigmoid-to-relu.ipynb"]
RUN_LIMIT_S = int(os.environ.get("LAB_RUN_LIMIT_S", "900"))

# each code cell: its prompt ("[3]:", "[*]:", "[ ]:"), whether it shows an error, and its charts
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in view, not one left in another tab
CELLS = """() => Array.from(document.querySelectorAll('""" + PANEL + """ .jp-CodeCell')).map(c => ({
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
    # the quick profile, whose experiments `make test` leaves in the cache: the check is about
    # JupyterLab and the kernel, not the experiments' minutes
    env = dict(os.environ, EVCXR_TMPDIR=str(ROOT / "target" / "evcxr-lab"),
               TAKEOFF_PROFILE=os.environ.get("TAKEOFF_PROFILE", "quick"))
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


def would_commit(paths) -> str:
    """What `git add` would change for `paths`: the diff after git's filters (nbstripout strips the
    outputs), empty when a save changed nothing git keeps."""
    return subprocess.run(["git", "diff", "--stat", "--", *paths], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def check_notebook(browser, port: int, name: str) -> list:
    problems = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    # ?reset: a fresh workspace, so the notebook opens alone
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=120_000)
    opened = time.monotonic()
    # Run All as soon as the toolbar names the kernel, while it still starts, as the note says
    page.wait_for_function(
        """(panel) => { const k = document.querySelector(panel + ' .jp-Toolbar-kernelName');
                   return k && k.textContent.trim() && !/No Kernel/.test(k.textContent); }""", arg=PANEL,
        timeout=60_000)
    state = page.evaluate("(p) => { const e = document.querySelector(p + ' [data-status]');"
                          " return 'kernel ' + (e ? e.getAttribute('data-status') : 'status unknown'); }", PANEL)
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    page.keyboard.press("Escape")
    took_click = time.monotonic() - opened
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
    page.click(f"{PANEL} .jp-Notebook")
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
    diff = would_commit([f"notebooks/{name}"])
    if diff:
        problems.append(f"{name}: after Run All and a save git would commit a change: {diff}")
    stripped = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_stripped.py"), f"notebooks/{name}"],
                              cwd=ROOT, capture_output=True, text=True)
    if stripped.returncode != 0:
        problems.append(f"{name}: after a save in JupyterLab the check `make test` runs fails: {stripped.stdout.strip()}")
    print(f"lab: {name}: Run All clicked {took_click:.1f} s after the notebook showed ({state}); "
          f"{len(cells)} code cells ran in {took:.0f} s, {charts} charts drawn", flush=True)
    context.close()
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
        with chromium() as browser:
            for name in names:
                problems += check_notebook(browser, port, name)
    finally:
        server.terminate()
        server.wait(timeout=30)
        # the saved copies carry outputs; git ignores them through its filter, the working tree
        # goes back to what is committed
        subprocess.run(["git", "checkout", "--", "notebooks"], cwd=ROOT, check=False)
    if problems:
        print("lab check FAILED:\n" + "\n".join(problems), file=sys.stderr)
        return 1
    print("lab check: every cell ran after Run All on open, every chart drew, a save leaves git nothing to commit")
    return 0


if __name__ == "__main__":
    sys.exit(main())

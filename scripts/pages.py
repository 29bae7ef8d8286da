"""What the static pages add to an executed notebook, for a reader of the site (not for JupyterLab):

* long progress logs fold into one summary line that opens on a click;
* each verdict of a claims table gets a badge, and each claims table an anchor the index links to;
* provenance (profile, seeds come from the profile, commit, date, machine, cache use) recorded in
  the notebook's metadata when it ran, and shown in the page's footer;
* the index's table of every claim with its verdict, the size it was decided at, and a link.

All of it works on copies: the executed notebooks kept in `<site>/notebooks/` are untouched.
"""
import copy
import datetime
import html
import os
import platform
import re
import subprocess
from pathlib import Path

import nbformat

FOLD_LINES = 8  # a stdout log longer than this folds in the static page
CLAIMS_HEADER = "<th>claim of the lesson</th>"
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)
CACHE_LINE = re.compile(r": (\d+) runs, (\d+) from the cache")
RACE_CACHED = re.compile(r"^race on .*: from the cache$", re.M)
VERDICTS = [  # (how a verdict cell starts, its badge class)
    ("holds", "holds"),
    ("does not hold", "fails"),
    ("not shown", "unclear"),
    ("not tested", "untested"),
]


def verdict_class(text: str) -> str:
    for start, cls in VERDICTS:
        if text.startswith(start):
            return cls
    return "other"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} logical cores"


def commit(root: Path) -> str:
    """The crate's commit, with "+ changes" when the work tree differs from it."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short=12", "HEAD")
    if not head:
        return "not a git clone"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" + uncommitted changes" if dirty else "")


def stdout_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def provenance(nb, root: Path, profile: str) -> dict:
    """Where this executed notebook's numbers came from; stored in its metadata when it ran."""
    logs = "".join(stdout_of(c) for c in nb.cells if c.cell_type == "code")
    runs = [tuple(map(int, m)) for m in CACHE_LINE.findall(logs)]
    return {
        "profile": profile,
        "commit": commit(root),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "machine": machine(),
        "runs": sum(t for t, _ in runs),
        "runs_from_cache": sum(c for _, c in runs),
        "races_from_cache": len(RACE_CACHED.findall(logs)),
    }


def footer(meta: dict) -> str:
    if not meta:
        return ""
    cache = (f"{meta['runs_from_cache']} of {meta['runs']} learning-curve runs and "
             f"{meta['races_from_cache']} races read from the experiment cache")
    return (f"Numbers from the {meta['profile']} profile (its seeds are listed with each experiment), "
            f"crate commit {meta['commit']}, rendered {meta['date']} on {meta['machine']}; {cache}.")


def fold_logs(cell):
    """Replaces a long stdout log by one HTML output: a summary line that opens on a click."""
    text = stdout_of(cell)
    lines = text.splitlines()
    if len(lines) <= FOLD_LINES:
        return
    # the last line stays in view (a race's verdict, a curve's summary): the lines before it fold
    *progress, last = lines
    folded = nbformat.v4.new_output("display_data", data={"text/html": (
        f'<details class="takeoff-log"><summary>{len(progress)} progress lines (click to open)</summary>'
        f'<pre>{html.escape(chr(10).join(progress))}</pre></details><pre class="takeoff-last">{html.escape(last)}</pre>')})
    rest = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stdout")]
    cell.outputs = [folded] + rest


def claims_rows(table_html: str) -> list:
    """(claim, verdict, decided at, task) of each row of a claims table."""
    rows = []
    for row in ROW.findall(table_html.split("<tbody>", 1)[-1]):
        cells = CELL.findall(row)
        if len(cells) >= 4:
            rows.append(tuple(html.unescape(c) for c in cells[:4]))
    return rows


def mark_claims(cell, counter: list) -> list:
    """Anchors each claims table of the cell and puts a badge on its verdicts; returns its rows
    with their anchors."""
    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        text = "".join(data.get("text/html", "")) if data else ""
        if CLAIMS_HEADER not in text:
            continue
        counter[0] += 1
        anchor = f"claims-{counter[0]}"
        found.extend((anchor, *r) for r in claims_rows(text))

        def badge(m):
            cells = CELL.findall(m.group(1))
            if len(cells) < 2:
                return m.group(0)
            v = cells[1]
            return m.group(0).replace(
                f"<td>{v}</td>",
                f'<td><span class="takeoff-badge {verdict_class(html.unescape(v))}">{v}</span></td>', 1)

        head, body = text.split("<tbody>", 1)
        text = f'<div id="{anchor}" class="takeoff-claims">' + head + "<tbody>" + ROW.sub(badge, body) + "</div>"
        data["text/html"] = text
    return found


def for_page(nb):
    """A copy of an executed notebook prepared for its static page, and its claims
    [(anchor, claim, verdict, decided at, task)]."""
    nb = copy.deepcopy(nb)
    counter, claims = [0], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        fold_logs(cell)
        claims.extend(mark_claims(cell, counter))
    return nb, claims


def claims_index(chapters: list) -> str:
    """The index's table of claims: [(href, title, claims)] → HTML. A claim a later chapter
    repeats (the takeaways recap chapter 1's) is listed once, where it is first decided."""
    rows, seen = [], set()
    for href, title, claims in chapters:
        for anchor, claim, verdict, m, task in claims:
            if (claim, verdict, m, task) in seen:
                continue
            seen.add((claim, verdict, m, task))
            rows.append(
                f'<tr><td>{html.escape(claim)}</td><td>{html.escape(task)}</td>'
                f'<td><span class="takeoff-badge {verdict_class(verdict)}">{html.escape(verdict)}</span></td>'
                f'<td>{html.escape(m)}</td>'
                f'<td><a href="{html.escape(href)}#{anchor}">{html.escape(title)}</a></td></tr>')
    if not rows:
        return ""
    return ('<h2>The lecture\'s claims on this render</h2>\n'
            '<p>Each verdict was decided by the rule printed under its table in the chapter; '
            '"not shown" and "does not hold" are results of this run, not failures.</p>\n'
            '<table class="takeoff-claims-index"><thead><tr><th>claim</th><th>task</th><th>verdict</th>'
            '<th>decided at</th><th>evidence</th></tr></thead><tbody>\n' + "\n".join(rows) +
            "\n</tbody></table>")


BADGE_CSS = """
.takeoff-badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .85em; white-space: nowrap; }
.takeoff-badge.holds { background: #dff3e4; color: #1d6b34; }
.takeoff-badge.fails { background: #fbe3e1; color: #9b2c22; }
.takeoff-badge.unclear { background: #fdf1d6; color: #7a5a00; }
.takeoff-badge.untested, .takeoff-badge.other { background: #eceff3; color: #444; }
.takeoff-claims table.takeoff-table td { text-align: left; vertical-align: top; }
details.takeoff-log summary { cursor: pointer; color: #555; font-size: .85rem; }
details.takeoff-log pre { max-height: 20rem; overflow: auto; font-size: .8rem; }
.jp-OutputArea-output pre, .jp-InputArea-editor pre { white-space: pre-wrap; overflow-wrap: anywhere; }
@media print {
  nav.takeoff-nav, .modebar-container, .takeoff-data summary { display: none !important; }
  details.takeoff-data, details.takeoff-log { display: none; }
  .takeoff-figure { break-inside: avoid; }
}
"""

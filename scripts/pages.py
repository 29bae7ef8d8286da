"""What the static pages add to an executed notebook, for a reader of the site (not for JupyterLab):

* long progress logs fold into one summary line that opens on a click;
* each claims table gets an anchor the index links to (its verdicts come in badges from the crate);
* provenance (profile, seeds come from the profile, commit, date, machine, cache use) recorded in
  the notebook's metadata when it ran, and shown in the page's footer;
* the index's table of every claim with its verdict, the size it was decided at, and a link, read
  from the data part the crate puts beside each claims table (`application/vnd.takeoff.claims+json`),
  never from the table's HTML; the findings paragraphs likewise (`…findings+json`);
* under every chart, where its numbers came from: the seeds and cache use the crate recorded on
  the figure, with the profile, commit, date and machine of the render (also in `render.json`);
* a link to each view of an explorable chart (a slider step, a dropdown entry): choosing a view
  puts it in the address (`#chart-id/view`), and opening that address shows it;
* both languages on every page: the prose cells tagged `lang: zh` / `lang: en` and the crate's
  outputs (one `takeoff-lang` block per language) show the reader's choice, switched in place by
  the links at the top of the page (`?lang=zh` / `?lang=en` also work as links to hand out); the
  choice is kept across pages; a glossary page pairs the lesson's terms.

All of it works on copies: the executed notebooks kept in `<site>/notebooks/` are untouched.
"""
import copy
import datetime
import hashlib
import html
import json
import os
import platform
import re
import subprocess
from pathlib import Path

import nbformat

LANGS = {"zh": "zh-Hans", "en": "en"}  # the pages' languages and their lang attributes
CLAIMS_MIME = "application/vnd.takeoff.claims+json"  # a claims table's data part (the crate's ClaimsTable)
FINDINGS_MIME = "application/vnd.takeoff.findings+json"  # the findings' data part (the crate's Findings)
FIGURE = re.compile(r'<figure class="takeoff-figure"([^>]*)>(.*?)</figure>', re.S)
FIGURE_DATA = re.compile(r'data-(seeds|runs|cached)="([^"]*)"')
CHART_ID = re.compile(r'<div id="(takeoff-chart-[0-9a-f]+)"')
CACHE_LINE = re.compile(r": (\d+) runs, (\d+) from the cache")
RACE_CACHED = re.compile(r"^race on .*: from the cache$", re.M)
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


def zh_commit(commit: str) -> str:
    return commit.replace(" + uncommitted changes", "（另有未提交的改动）").replace("not a git clone", "不是 git 克隆")


def zh_machine(machine: str) -> str:
    return machine.replace("logical cores", "个逻辑核心")


def footer(meta: dict, lang: str = "en") -> str:
    if not meta:
        return ""
    if lang == "zh":
        return (f"数字来自 {meta['profile']} 配置（各实验的种子随实验列出），本库提交 {zh_commit(meta['commit'])}，"
                f"{meta['date']} 渲染于 {zh_machine(meta['machine'])}；"
                f"{meta['runs']} 次学习曲线运行中有 {meta['runs_from_cache']} 次、"
                f"以及 {meta['races_from_cache']} 场竞赛读自实验缓存。")
    cache = (f"{meta['runs_from_cache']} of {meta['runs']} learning-curve runs and "
             f"{meta['races_from_cache']} races read from the experiment cache")
    return (f"Numbers from the {meta['profile']} profile (its seeds are listed with each experiment), "
            f"crate commit {meta['commit']}, rendered {meta['date']} on {meta['machine']}; {cache}.")


def both(parts: dict, tag: str = "span") -> str:
    """HTML already written per language ({"zh": …, "en": …}) as one block per language."""
    return "".join(f'<{tag} class="takeoff-lang" lang="{LANGS[k]}">{v}</{tag}>' for k, v in parts.items())


def fold_logs(cell):
    """Replaces a cell's stdout (the crate's progress lines, in English like any program log) by
    one HTML output: a summary line in both languages that opens on a click."""
    text = stdout_of(cell)
    lines = text.splitlines()
    if not lines:
        return
    n = len(lines)
    summary = both({"zh": f"{n} 行进度日志（点击展开）",
                    "en": f"{n} progress line{'s' if n > 1 else ''} (click to open)"})
    folded = nbformat.v4.new_output("display_data", data={"text/html": (
        f'<details class="takeoff-log"><summary>{summary}</summary>'
        f'<pre>{html.escape(text.rstrip())}</pre></details>')})
    rest = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stdout")]
    cell.outputs = [folded] + rest


def source_line(data: dict, meta: dict, lang: str) -> str:
    """Where a figure's numbers came from, in one sentence: the figure's own seeds and cache use
    (`data`, from its data-* attributes) and the render's profile, commit, date and machine."""
    seeds, runs, cached = data.get("seeds", ""), int(data.get("runs", 0) or 0), int(data.get("cached", 0) or 0)
    seeds = ", ".join(seeds.split(",")) if seeds else ""
    if lang == "zh":
        parts = [f"{meta.get('profile', '?')} 配置"]
        if seeds:
            parts.append(f"种子 {seeds}")
        if runs:
            parts.append(f"{runs} 次运行，其中 {cached} 次读自缓存")
        parts += [f"提交 {zh_commit(meta.get('commit', '?'))}", meta.get("date", "?"), zh_machine(meta.get("machine", "?"))]
        return "数据来源：" + "；".join(parts) + "。"
    parts = [f"{meta.get('profile', '?')} profile"]
    if seeds:
        parts.append(f"seeds {seeds}")
    if runs:
        parts.append(f"{runs} runs, {cached} from the cache")
    parts += [f"commit {meta.get('commit', '?')}", meta.get("date", "?"), meta.get("machine", "?")]
    return "Source: " + "; ".join(parts) + "."


def mark_sources(cell, meta: dict) -> list:
    """Puts a source line (both languages) under every figure of the cell and as the figure's
    hover title; returns one record per figure for render.json."""
    records = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        text = "".join(data.get("text/html", "")) if data else ""
        if "takeoff-figure" not in text:
            continue

        def caption(m):
            attrs, inner = m.group(1), m.group(2)
            fig = dict(FIGURE_DATA.findall(attrs))
            chart = CHART_ID.search(inner)
            lines = {k: source_line(fig, meta, k) for k in LANGS}
            records.append({"chart": chart.group(1) if chart else None,
                            "seeds": [int(s) for s in fig.get("seeds", "").split(",") if s],
                            "runs": int(fig.get("runs", 0) or 0), "cached": int(fig.get("cached", 0) or 0),
                            **{k: meta.get(k) for k in ("profile", "commit", "date", "machine")}})
            title = html.escape(lines["en"] + " / " + lines["zh"], quote=True)
            line = both({k: html.escape(v) for k, v in lines.items()})
            return (f'<figure class="takeoff-figure"{attrs} title="{title}">{inner}'
                    f'<p class="takeoff-provenance">{line}</p></figure>')

        data["text/html"] = FIGURE.sub(caption, text)
    return records


# The tag of cells that only make sense while running a notebook in JupyterLab; pages leave them out.
LAB_ONLY = "lab-only"


def mark_language(cell):
    """A prose cell written in one language (metadata `lang`) shows only in that language."""
    lang = cell.metadata.get("lang")
    if lang in LANGS:
        cell.source = f'<div class="takeoff-lang" lang="{LANGS[lang]}">\n\n{cell.source}\n\n</div>'
        cell.metadata.setdefault("tags", []).append(f"lang-{lang}")


def data_part(out, mime: str):
    """An output's data part of type `mime` as a Python value (nbformat keeps JSON parts as
    objects; a string is parsed), or None."""
    part = out.get("data", {}).get(mime)
    return json.loads(part) if isinstance(part, str) else part


def mark_claims(cell, counter: list) -> list:
    """Anchors each claims output of the cell and returns its claims, read from the data part the
    crate writes beside the table: dicts with the anchor, the claim, verdict, decided_at and task
    (each {"en": …, "zh": …}), the verdict's badge class, m, margin and noise."""
    found = []
    for out in cell.get("outputs", []):
        part = data_part(out, CLAIMS_MIME)
        if part is None:
            continue
        counter[0] += 1
        anchor = f"claims-{counter[0]}"
        found.extend({"anchor": anchor, **c} for c in part.get("claims", []))
        text = "".join(out["data"].get("text/html", ""))
        out["data"]["text/html"] = f'<div id="{anchor}" class="takeoff-claims">{text}</div>'
    return found


def for_page(nb):
    """A copy of an executed notebook prepared for its static page, and its claims (dicts, see
    `mark_claims`)."""
    nb = copy.deepcopy(nb)
    # cells tagged `lab-only` speak to someone running the notebook (the first cell's compile)
    nb.cells = [c for c in nb.cells if LAB_ONLY not in c.metadata.get("tags", [])]
    counter, claims, figures = [0], [], []
    meta = nb.metadata.get("takeoff", {})
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            mark_language(cell)
        if cell.cell_type != "code":
            continue
        fold_logs(cell)
        claims.extend(mark_claims(cell, counter))
        figures.extend(mark_sources(cell, meta))
    nb.metadata["takeoff_figures"] = figures
    return nb, claims


def findings(notebooks: list) -> dict:
    """The findings paragraphs a chapter wrote from its claims' verdicts ({lang: html}, from the
    last notebook that has them, read from their data part), for the index to open with; empty
    when none wrote any."""
    found = {}
    for nb in notebooks:
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                part = data_part(out, FINDINGS_MIME)
                if part:
                    found = {lang: "".join(f"<p>{html.escape(p)}</p>" for p in part.get(lang, []))
                             for lang in LANGS}
    return found


def in_lang(text, lang: str) -> str:
    """One language of a claims-table text ({"en": …, "zh": …}, or a string in one language)."""
    return text.get(lang, text.get("en", "")) if isinstance(text, dict) else text


def claims_index(chapters: list, lang: str = "en") -> str:
    """The index's table of claims in one language: [(href, title, claims)] → HTML, `title` a
    string or {"en": …, "zh": …}. A claim a later chapter repeats (the takeaways recap chapter
    1's) is listed once, where it is first decided."""
    rows, seen = [], set()
    for href, title, claims in chapters:
        for c in claims:
            claim, verdict, m, task = (in_lang(c[k], lang) for k in ("claim", "verdict", "decided_at", "task"))
            if (claim, verdict, m, task) in seen:
                continue
            seen.add((claim, verdict, m, task))
            rows.append(
                f'<tr><td>{html.escape(claim)}</td><td>{html.escape(task)}</td>'
                f'<td><span class="takeoff-badge {html.escape(c.get("class", "other"))}">{html.escape(verdict)}</span></td>'
                f'<td>{html.escape(m)}</td>'
                f'<td><a href="{html.escape(href)}#{c["anchor"]}">{html.escape(in_lang(title, lang))}</a></td></tr>')
    if not rows:
        return ""
    if lang == "zh":
        head = ('<h2>本次渲染中课程的各条结论</h2>\n'
                '<p>每条判定都按章节中表格下方写明的规则得出；“不显著”和“不成立”是本次运行的结果，不是失败。</p>\n'
                '<table class="takeoff-claims-index"><thead><tr><th>结论</th><th>任务</th><th>判定</th>'
                '<th>判定位置</th><th>证据</th></tr></thead><tbody>\n')
    else:
        head = ('<h2>The lecture\'s claims on this render</h2>\n'
                '<p>Each verdict was decided by the rule printed under its table in the chapter; '
                '"not shown" and "does not hold" are results of this run, not failures.</p>\n'
                '<table class="takeoff-claims-index"><thead><tr><th>claim</th><th>task</th><th>verdict</th>'
                '<th>decided at</th><th>evidence</th></tr></thead><tbody>\n')
    return head + "\n".join(rows) + "\n</tbody></table>"


SITE = Path(__file__).resolve().parent / "templates" / "site"  # the pages' own CSS and JS
# what every page adds: verdict badges, folded logs, the language switch's rules, print rules
BADGE_CSS = (SITE / "pages.css").read_text(encoding="utf-8")
# runs in each page's <head>, before anything is drawn: the language from ?lang=, else the
# reader's last choice, else the browser's; `data-lang` on <html> shows that language's blocks
LANG_HEAD_JS = "<script>" + (SITE / "lang-head.js").read_text(encoding="utf-8") + "</script>"
# the switch's links work without JavaScript (they reload with ?lang=); with it they switch in
# place, keep the choice, carry it in the links to the other pages, and redraw the charts that
# were hidden (plotly sizes a hidden chart at its default width); a chart's view by link
LANG_SWITCH_JS = "<script>" + (SITE / "lang-switch.js").read_text(encoding="utf-8") + "</script>"

LANG_SWITCH = ('<span class="takeoff-switch" role="group" aria-label="语言 / language">'
               '<a href="?lang=zh" data-lang="zh" lang="zh-Hans">中文</a> · '
               '<a href="?lang=en" data-lang="en" lang="en">English</a></span>')


def read_glossary(path: Path) -> list:
    """The glossary's rows: (English, Chinese, explanation in English, explanation in Chinese)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or not all(p.strip() for p in parts):
            raise ValueError(f"{path}:{n}: expected 4 tab-separated fields (en, zh, note en, note zh), got {len(parts)}")
        rows.append(tuple(p.strip() for p in parts))
    return rows


def glossary_table(rows: list) -> str:
    """The glossary as one table: each reader's language first (the Chinese view: 中文, English,
    说明; the English view: English, 中文, meaning). A language block cannot hold part of a row, so
    the Chinese term has two cells, one shown in each view."""
    def term(text, lang, view=None):
        if view is None:  # shown in both views
            return f'<td class="takeoff-term" lang="{LANGS[lang]}">{html.escape(text)}</td>'
        return (f'<td class="takeoff-term takeoff-lang" lang="{LANGS[view]}">'
                f'<span lang="{LANGS[lang]}">{html.escape(text)}</span></td>')

    body = "\n".join(
        f'<tr>{term(zh, "zh", "zh")}{term(en, "en")}{term(zh, "zh", "en")}'
        f'<td>{both({"zh": html.escape(nzh), "en": html.escape(nen)})}</td></tr>'
        for en, zh, nen, nzh in rows)
    # a language block cannot hold part of a row: one header row per language
    head = ('<tr class="takeoff-lang" lang="zh-Hans"><th>中文</th><th>英文</th><th>说明</th></tr>'
            '<tr class="takeoff-lang" lang="en"><th>English</th><th>Chinese</th><th>meaning</th></tr>')
    return f'<table class="takeoff-claims-index takeoff-glossary"><thead>{head}</thead><tbody>\n{body}\n</tbody></table>'


PDF_RECORD = "lesson.pdf.json"  # what the site's PDFs were printed from


def printed_pages(site: Path) -> list:
    """The site's pages in reading order, as the PDFs hold them: the index, the chapters, the glossary."""
    chapters = sorted(site.glob("[0-9][0-9]-*.html"))
    return [site / "index.html", *chapters, *[p for p in [site / "glossary.html"] if p.exists()]]


def pages_digest(site: Path) -> str:
    """SHA-256 of everything a PDF of the site is printed from: its pages in order, plotly.js
    and the printing script itself."""
    h = hashlib.sha256()
    for p in printed_pages(site) + [site / "plotly.min.js", Path(__file__).parent / "pdf.py"]:
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"")
        h.update(b"\0")
    return h.hexdigest()

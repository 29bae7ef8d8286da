"""Executes the lesson's notebooks with the evcxr kernel and renders them to static HTML.

    python scripts/render.py --profile default --site site

* Notebooks run one after another: one evcxr build folder serves one kernel at a time, and the
  experiments' times are part of what the pages show, so nothing else runs beside them.
* A cell that errors, panics, or writes to stderr (where evcxr prints a `?` error) fails the
  render, naming the notebook and the cell.
* Pages load nothing from the network: one copy of plotly.js sits in the site folder beside them
  (`plotly.min.js`, referenced by every page); no require.js, MathJax, mermaid or web fonts.
* The new site is built beside the old one and swapped in only when every notebook succeeded, so a
  failed or interrupted render leaves the previous site intact.
* Naming notebooks renders only those: the other pages are rebuilt from the executed copies the
  last render kept in `<site>/notebooks/`, so the index and the navigation stay whole.
* Progress lines say which notebook runs, the time so far, and an estimate of what is left from
  the previous render's times (kept in `<site>/render.json`).
* A notebook whose inputs did not change since the site's last render is not run again: its cells,
  the crate's source, lockfile and patches, the compiler, the data, the files beside the notebooks,
  the profile, the kernel and the machine (all hashed into `metadata.takeoff.inputs` of the executed
  copy). Its page is rebuilt from that copy; `--rerun` (`make render FRESH=1`) runs every notebook
  anyway, to measure the timing cells again. Naming a notebook always runs it.
"""
import argparse
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import queue

import jinja2

import nbformat
import plotly
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert import HTMLExporter

import pages

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "scripts" / "templates"
GLOSSARY = ROOT / "notebooks" / "glossary.tsv"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_NAME = "plotly.min.js"  # one copy in the site folder, beside the pages
CELL_TIMEOUT = {"quick": 900, "default": 1800, "full": -1}
SUMMARY_ZH = "深度学习的爆发不是因为新理论，而是因为“数据够多、算力够强、算法够快”——三者共同解锁了神经网络的真正潜力。"
SUMMARY_EN = (
    "Deep learning did not take off because of a new theory, but because there is enough data, "
    "enough compute and fast enough algorithms: together they unlocked what neural networks could do."
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class NotebookFailed(Exception):
    pass


class Client(NotebookClient):
    """evcxr may send a cell's stderr (where a `?` error is printed) after the cell's idle message
    (evcxr issue #353), and nbclient stops reading at idle: keep reading that cell's messages for a
    short grace period, so an error that arrives late still fails the render."""

    GRACE_S = 0.25

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.GRACE_S))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def notebooks(folder: Path):
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


def title_of(nb) -> dict:
    """The notebook's first heading in each language ({"en": …, "zh": …}); a heading in a cell
    without a language serves both."""
    titles = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    lang = cell.metadata.get("lang")
                    for k in ([lang] if lang in pages.LANGS else list(pages.LANGS)):
                        titles.setdefault(k, line[2:].strip())
                    break
    return {k: titles.get(k, titles.get("en", "untitled")) for k in pages.LANGS}


def title_html(title: dict) -> str:
    return pages.both({k: html.escape(v) for k, v in title.items()})


# What Rust's Debug prints for a struct, a tuple struct or an enum variant holding values:
# `Html("<pre…")`, `SuccessFormula { … }`.
DEBUG_TEXT = re.compile(r"^[A-Z][A-Za-z0-9_]*(::[A-Z][A-Za-z0-9_]*)*\s*(\{|\()", re.S)


def cell_problems(cell) -> list:
    """What went wrong in an executed code cell, as readable strings."""
    problems = []
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            tb = ANSI.sub("", "\n".join(out.get("traceback", [])))
            problems.append(f"{out.get('ename', 'Error')}: {out.get('evalue', '')}\n{tb}".strip())
    for out in cell.get("outputs", []):
        data = out.get("data", {}) if out.output_type in ("execute_result", "display_data") else {}
        plain = "".join(data.get("text/plain", ""))
        # a value evcxr could not show as a page shows it: its Debug text and nothing else
        if plain and set(data) == {"text/plain"} and DEBUG_TEXT.match(plain.strip()):
            problems.append("an output fell back to Rust's Debug text (end the cell with a reference "
                            "or a fresh value, see FACTS): " + plain.strip()[:200])
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.output_type == "stream" and o.get("name") == "stderr")
    if stderr.strip():
        if "panicked at" in stderr:
            head = stderr[stderr.index("panicked at"):].splitlines()
            problems.append("panic: " + " ".join(head[:2]))
        else:
            problems.append("error printed on stderr: " + stderr.strip()[:2000])
    return problems


def execute(path: Path, profile: str, log) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = time.time()

    def on_cell_executed(cell, cell_index, execute_reply):
        k = code_cells.index(cell_index) + 1 if cell_index in code_cells else 0
        log(f"    cell {k}/{len(code_cells)} done ({time.time() - started:.1f} s)")

    client = Client(
        nb,
        kernel_name="rust",
        timeout=CELL_TIMEOUT[profile],
        startup_timeout=300,
        iopub_timeout=30,
        record_timing=False,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_executed=on_cell_executed,
    )
    client.execute()
    nb.metadata["takeoff"] = pages.provenance(nb, ROOT, profile)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        problems = cell_problems(cell)
        if problems:
            number = code_cells.index(index) + 1
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            raise NotebookFailed(
                f"{path.name}: code cell {number} (cell index {index}, `{first_line[:60]}`) failed:\n"
                + "\n".join(problems)
            )
    return nb


def _hash_files(h, files, base: Path):
    for f in sorted(files):
        h.update(str(f.relative_to(base)).replace("\\", "/").encode() + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")


def shared_inputs(folder: Path, profile: str) -> str:
    """A hash of everything besides its own cells that a notebook's outputs can depend on: the
    crate (as build.rs hashes it, plus the cargo config that wires its patches), the compiler, the
    data, the non-notebook files beside the notebooks, the profile and TAKEOFF_* settings, the
    kernel and the machine."""
    folder = folder.resolve()
    h = hashlib.sha256()

    def tree(base: Path, keep):
        if not base.exists():
            return []
        return [p for p in base.rglob("*")
                if p.is_file() and "target" not in p.relative_to(base).parts and keep(p)]

    crate = [ROOT / "Cargo.toml", ROOT / "Cargo.lock", ROOT / "build.rs", ROOT / ".cargo" / "config.toml"]
    crate = [p for p in crate if p.exists()]
    crate += tree(ROOT / "src", lambda p: True)
    crate += tree(ROOT / "patches", lambda p: p.suffix in (".rs", ".toml", ".lock"))
    crate += tree(ROOT / "data", lambda p: True)
    crate += [p for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb"]
    _hash_files(h, set(crate), ROOT if folder.is_relative_to(ROOT) else Path("/"))
    try:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout
    except OSError:
        rustc = "no rustc"
    kernel = ""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
        spec = KernelSpecManager().get_kernel_spec("rust")
        exe = Path(spec.argv[0])
        st = exe.stat()
        kernel = f"{spec.argv} {sorted(spec.env.items())} {st.st_size} {st.st_mtime_ns}"
    except Exception as e:  # no kernel: the render fails later with its own message
        kernel = f"no kernel ({type(e).__name__})"
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("TAKEOFF_"))
    h.update(json.dumps([rustc, kernel, profile, settings, pages.machine()]).encode())
    return h.hexdigest()


def notebook_inputs(path: Path, shared: str) -> str:
    """The inputs hash of one notebook: its cells (type, source, tags) and the shared inputs."""
    nb = nbformat.read(path, as_version=4)
    cells = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]
    return hashlib.sha256(json.dumps([shared, cells]).encode()).hexdigest()[:32]


def kept_copy(site: Path, path: Path, inputs: str):
    """The executed copy of `path` from the site's last render when it ran with these inputs."""
    try:
        nb = nbformat.read(site / "notebooks" / path.name, as_version=4)
    except (OSError, ValueError):
        return None
    return nb if nb.metadata.get("takeoff", {}).get("inputs") == inputs else None


def exporter() -> HTMLExporter:
    ex = HTMLExporter(template_name="takeoff", extra_template_basedirs=[str(TEMPLATES)])
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    return ex


def page(nb, name: str, nav: dict, profile: str):
    """The static page of an executed notebook, and its claims (dicts: see `pages.mark_claims`)."""
    nb, claims = pages.for_page(nb)
    meta = nb.metadata.get("takeoff", {})
    resources = {
        "takeoff_css": pages.BADGE_CSS,
        "takeoff_footer": pages.both({k: html.escape(pages.footer(meta, k)) for k in pages.LANGS}),
        "takeoff_lang_head": pages.LANG_HEAD_JS,
        "takeoff_lang_js": pages.LANG_SWITCH_JS,
        "takeoff_switch": pages.LANG_SWITCH,
        "metadata": {"name": name},
        "plotly_src": PLOTLY_NAME,
        "takeoff_nav": nav,
        "takeoff_profile": profile,
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return body, claims, nb.metadata.get("takeoff_figures", [])




SITE_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES / "site"), autoescape=True, keep_trailing_newline=True)
PAGE_CSS = (TEMPLATES / "site" / "simple.css").read_text(encoding="utf-8")


def simple_page(template: str, title: dict, nav: str = "", **values) -> str:
    """A page of the site that is not a notebook (the index, the glossary), in both languages,
    from its template in scripts/templates/site."""
    return SITE_TEMPLATES.get_template(template).render(
        title=title, nav=nav, langs=list(pages.LANGS.items()), lang_head=pages.LANG_HEAD_JS,
        lang_js=pages.LANG_SWITCH_JS, switch=pages.LANG_SWITCH, css=PAGE_CSS + pages.BADGE_CSS, **values)


INDEX_WORDS = {
    "zh": {"title": "深度学习为什么现在才火起来？",
           "intro": "一门用 Rust 写成、可以运行的课程，依据吴恩达《深度学习专项课程》第一门课《神经网络和深度学习》第一周。"
                    "其中每个数字和每张图，都是在渲染这些页面时用数据计算出来的。",
           "summary": f"<strong>{SUMMARY_ZH}</strong>", "found": "本次渲染发现了什么", "contents": "目录",
           "glossary": "术语表（中英对照）", "rendered": "以 <code>{profile}</code> 配置渲染。"},
    "en": {"title": "Why is deep learning taking off now?",
           "intro": "An executable lesson in Rust after week 1 of <em>Neural Networks and Deep Learning</em>, "
                    "the first course of Andrew Ng\'s <em>Deep Learning Specialization</em>.\n"
                    "Every number and chart in it was computed from data when these pages were rendered.",
           "summary": SUMMARY_EN, "found": "What this render found", "contents": "Contents",
           "glossary": "Glossary (English and Chinese terms)", "rendered": "Rendered in the <code>{profile}</code> profile."},
}


def index_page(entries, profile: str, claims: dict = None, footer: dict = None, findings: dict = None) -> str:
    words = {lang: {**w, "rendered": w["rendered"].format(profile=html.escape(profile))}
             for lang, w in INDEX_WORDS.items()}
    return simple_page("index.html.j2", {"zh": "深度学习为什么现在才火起来？", "en": "Why is deep learning taking off now?"},
                       words=words, entries=entries, claims=claims or {}, footer=footer or {},
                       findings=findings or {})


def glossary_page(rows: list) -> str:
    words = {"zh": {"title": "术语表（中英对照）", "intro": "本课程使用的术语，英文与中文对照；中文采用课程原始笔记中的说法。"},
             "en": {"title": "Glossary", "intro": "The lesson's terms in English and in Chinese, as the lesson's Chinese source notes use them."}}
    nav = pages.both({"zh": '<a href="index.html">目录</a>', "en": '<a href="index.html">Contents</a>'})
    return simple_page("glossary.html.j2", {"zh": "术语表", "en": "Glossary"}, nav, words=words,
                       table=pages.glossary_table(rows))


def read_previous(site: Path) -> dict:
    """The last render's record (`render.json`), or nothing when there is none or it is unreadable."""
    try:
        return json.loads((site / "render.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def estimate_left(previous: dict, stems: list) -> str:
    """", about N s left (from the previous render)" when the previous render timed all of `stems`."""
    times = previous.get("notebook_seconds", {})
    if not stems or not all(s in times for s in stems):
        return ""
    return f", about {sum(times[s] for s in stems):.0f} s left (from the previous render's times)"


def write_atomic(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def carry_pdfs(old: Path, new: Path):
    """The last render's PDFs move to the new site when they were printed from the same pages
    (scripts/pdf.py records what it printed from), so an unchanged lesson is not printed again."""
    names = [pages.PDF_RECORD] + [f"lesson.{lang}.pdf" for lang in pages.LANGS]
    try:
        printed = json.loads((old / pages.PDF_RECORD).read_text(encoding="utf-8")).get("pages")
    except (OSError, ValueError):
        return
    if printed == pages.pages_digest(new) and all((old / n).exists() for n in names):
        for n in names:
            shutil.copy2(old / n, new / n)


def swap_in(staging: Path, site: Path):
    old = site.with_name(site.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site.exists():
        os.replace(site, old)
    os.replace(staging, site)
    if old.exists():
        shutil.rmtree(old)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default=os.environ.get("TAKEOFF_PROFILE", "default"),
                    choices=sorted(CELL_TIMEOUT))
    ap.add_argument("--site", default="site", help="output folder (replaced only on success)")
    ap.add_argument("--notebooks", default=None,
                    help="folder of NN-name.ipynb files (default: the named notebooks' folder, else notebooks/)")
    ap.add_argument("--rerun", action="store_true",
                    help="run every notebook, also those whose inputs did not change")
    ap.add_argument("only", nargs="*", help="notebook files to run instead of the whole folder")
    args = ap.parse_args(argv)
    os.environ["TAKEOFF_PROFILE"] = args.profile
    # one run of the experiments writes both languages; each page shows the reader's choice
    os.environ["TAKEOFF_LANG"] = "zh,en"
    # A fixed build folder: the second kernel reuses the compiled dependencies of the first.
    os.environ.setdefault("EVCXR_TMPDIR", str(ROOT / "target" / "evcxr"))

    chosen = [Path(p).resolve() for p in args.only]
    folder = Path(args.notebooks).resolve() if args.notebooks else (
        chosen[0].parent if chosen else ROOT / "notebooks")
    every = notebooks(folder)
    strangers = [p.name for p in chosen if p not in every]
    if strangers:
        print(f"render: {', '.join(strangers)} not among the NN-name.ipynb notebooks of {folder}",
              file=sys.stderr)
        return 2
    if not every:
        print(f"render: no notebooks found in {args.notebooks}", file=sys.stderr)
        return 2
    site = Path(args.site).resolve()
    previous = read_previous(site)
    if chosen:
        missing = [p.name for p in every if p not in chosen and not (site / "notebooks" / p.name).exists()]
        if missing:
            print(f"render: {', '.join(missing)} not rendered in {site} yet; "
                  "render the whole lesson once first (make render)", file=sys.stderr)
            return 2
        if previous.get("profile") not in (None, args.profile):
            print(f"render: {site} holds the {previous['profile']} profile; render one notebook "
                  f"in the same profile or the whole lesson", file=sys.stderr)
            return 2
    asked = [p for p in every if not chosen or p in chosen]
    shared = shared_inputs(folder, args.profile)
    inputs = {p: notebook_inputs(p, shared) for p in asked}
    kept = {}
    if not args.rerun and not chosen and previous.get("profile") == args.profile:
        for p in asked:
            nb = kept_copy(site, p, inputs[p])
            if nb is not None:
                kept[p] = nb
    to_run = [p for p in asked if p not in kept]
    site.parent.mkdir(parents=True, exist_ok=True)
    # leftovers of renders that were killed outright
    for stale in site.parent.glob(f"{site.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = site.with_name(f"{site.name}.partial-{os.getpid()}")

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    (staging / "notebooks").mkdir(parents=True)

    def log(msg):
        print(msg, flush=True)

    started = time.time()
    seconds = dict(previous.get("notebook_seconds", {})) if chosen or kept else {}
    try:
        executed = dict(kept)
        for path in kept:
            log(f"[kept] {path.name}: unchanged since its last render (cells, crate, data, profile, "
                f"kernel and machine), its page is rebuilt from that run; FRESH=1 runs it again")
        for i, path in enumerate(to_run, 1):
            left = estimate_left(previous, [p.stem for p in to_run[i - 1:]])
            log(f"[{i}/{len(to_run)}] {path.name} ({args.profile} profile), elapsed "
                f"{time.time() - started:.0f} s{left}")
            t0 = time.time()
            nb = execute(path, args.profile, log)
            nb.metadata["takeoff"]["inputs"] = inputs[path]
            executed[path] = nb
            seconds[path.stem] = round(time.time() - t0, 1)
            meta = nb.metadata["takeoff"]
            log(f"[{i}/{len(to_run)}] {path.name} ran in {seconds[path.stem]:.1f} s: "
                f"{meta['runs_from_cache']} of {meta['runs']} learning-curve runs and "
                f"{meta['races_from_cache']} races from the experiment cache")
        for path in every:
            if path not in executed:
                executed[path] = nbformat.read(site / "notebooks" / path.name, as_version=4)
            nbformat.write(executed[path], staging / "notebooks" / path.name)
        ordered = [(p, executed[p]) for p in every]
        entries = [{"href": p.stem + ".html", "title": title_of(nb), "name": p.stem,
                    "title_html": title_html(title_of(nb))} for p, nb in ordered]
        chapters, figures = [], []
        for i, (path, nb) in enumerate(ordered):
            nav = {
                "index": "index.html",
                "prev": entries[i - 1] if i > 0 else None,
                "next": entries[i + 1] if i + 1 < len(entries) else None,
            }
            t = entries[i]["title"]
            body, claims, figs = page(nb, f"{t['zh']} · {t['en']}", nav, args.profile)
            figures += [{"page": entries[i]["href"], **f} for f in figs]
            write_atomic(staging / f"{path.stem}.html", body)
            chapters.append((entries[i]["href"], entries[i]["title"], claims))
        last = ordered[-1][1].metadata.get("takeoff", {})
        footers = {
            "en": f"Crate commit {last.get('commit', '?')}, rendered {last.get('date', '?')} on {last.get('machine', '?')}.",
            "zh": f"本库提交 {pages.zh_commit(last.get('commit', '?'))}，{last.get('date', '?')} 渲染于 {pages.zh_machine(last.get('machine', '?'))}。",
        }
        write_atomic(staging / "index.html", index_page(
            entries, args.profile, {k: pages.claims_index(chapters, k) for k in pages.LANGS}, footers,
            pages.findings([nb for _, nb in ordered])))
        write_atomic(staging / "glossary.html", glossary_page(pages.read_glossary(GLOSSARY)))
        shutil.copyfile(PLOTLY_JS, staging / PLOTLY_NAME)
        (staging / "render.json").write_text(json.dumps(
            {"profile": args.profile, "notebooks": [e["name"] for e in entries],
             "rendered_now": [p.stem for p in to_run], "kept": [p.stem for p in kept],
             "notebook_seconds": seconds,
             "provenance": {p.stem: nb.metadata.get("takeoff", {}) for p, nb in ordered},
             "claims": [{"page": href, "anchor": c["anchor"], "class": c.get("class"),
                         "m": c.get("m"), "margin": c.get("margin"), "noise": c.get("noise"),
                         **{f"{key}{suffix}": pages.in_lang(c[key], lang)
                            for key in ("claim", "verdict", "decided_at", "task")
                            for lang, suffix in (("en", ""), ("zh", "_zh"))}}
                        for href, _, cs in chapters for c in cs],
             "figures": figures,
             "seconds": round(time.time() - started, 1)}, indent=1))
        carry_pdfs(site, staging)
        swap_in(staging, site)
    except NotebookFailed as e:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"render FAILED: {e}", file=sys.stderr)
        print(f"render: {site} was left as it was.", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"render: interrupted; {site} was left as it was.", file=sys.stderr)
        raise
    executed = to_run
    log(f"render: {len(executed)} of {len(every)} notebooks run"
        + (f", {len(kept)} kept from the last render" if kept else "")
        + f" -> {site}/index.html in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

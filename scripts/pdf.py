"""The rendered lesson as one PDF per language, for printing as a handout:

    python scripts/pdf.py site        # writes site/lesson.zh.pdf and site/lesson.en.pdf

Each page of the site (the index, the chapters in order, the glossary) is printed by Debian's
headless Chromium, offline, with the pages' print stylesheet (no navigation, no chart toolbars,
no folded logs; charts as vector graphics) in one language, and the pages are joined with pypdf.
Needs what `make test` installs (Chromium, playwright, pypdf); `make pdf` installs it.
"""
import io
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright
from pypdf import PdfWriter

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
LOCAL = ("file://", "data:", "about:", "blob:")


def pages_in_order(site: Path) -> list:
    chapters = sorted(p for p in site.glob("[0-9][0-9]-*.html"))
    rest = [site / "glossary.html"]
    return [site / "index.html", *chapters, *[p for p in rest if p.exists()]]


def print_site(site: Path, lang: str, out: Path) -> int:
    """Prints every page of `site` in `lang` into one PDF at `out`; returns its page count."""
    writer = PdfWriter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # the width of an A4 page inside its margins (186 mm at 96 px per inch): charts drawn
            # at this width print whole, legends included
            context = browser.new_context(viewport={"width": 700, "height": 1000}, offline=True)
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
            for path in pages_in_order(site):
                page.goto(path.as_uri() + f"?lang={lang}", wait_until="load")
                page.emulate_media(media="print")
                page.evaluate("""() => window.Plotly && Promise.all(Array.from(document.querySelectorAll('.takeoff-chart'))
                    .filter(d => d.offsetParent !== null).map(d => Plotly.Plots.resize(d)))""")
                page.wait_for_timeout(300)
                pdf = page.pdf(format="A4", print_background=True,
                               margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
                writer.append(io.BytesIO(pdf))
        finally:
            browser.close()
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as f:
        writer.write(f)
    os.replace(tmp, out)
    return len(writer.pages)


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site").resolve()
    if not (site / "index.html").exists():
        print(f"pdf: {site} holds no rendered lesson; run make render first", file=sys.stderr)
        return 2
    for lang in ("zh", "en"):
        out = site / f"lesson.{lang}.pdf"
        n = print_site(site, lang, out)
        print(f"pdf: {out} ({n} pages, {out.stat().st_size / 1e6:.1f} MB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The rendered lesson as one PDF per language, for printing as a handout:

    python scripts/pdf.py site        # writes site/lesson.zh.pdf and site/lesson.en.pdf

Each page of the site (the index, the chapters in order, the glossary) is printed by Debian's
headless Chromium, offline, with the pages' print stylesheet (no navigation, no chart toolbars,
no folded logs; charts as vector graphics) in one language, and the pages are joined with pypdf.
Needs what `make test` installs (Chromium, playwright, pypdf); `make pdf` installs it.
PDFs printed from the same pages as the site holds now are kept (`lesson.pdf.json` records what
they were printed from); `--force` prints them again.
"""
import io
import json
import os
import sys
from pathlib import Path

from pypdf import PdfWriter

import pages
from browser import chromium, keep_local



def print_site(site: Path, lang: str, out: Path) -> int:
    """Prints every page of `site` in `lang` into one PDF at `out`; returns its page count."""
    writer = PdfWriter()
    with chromium() as browser:
        # the width of an A4 page inside its margins (186 mm at 96 px per inch): charts drawn
        # at this width print whole, legends included
        context = browser.new_context(viewport={"width": 700, "height": 1000}, offline=True)
        page = context.new_page()
        keep_local(page)
        for path in pages.printed_pages(site):
            page.goto(path.as_uri() + f"?lang={lang}", wait_until="load")
            page.emulate_media(media="print")
            page.evaluate("""() => window.Plotly && Promise.all(Array.from(document.querySelectorAll('.takeoff-chart'))
                .filter(d => d.offsetParent !== null).map(d => Plotly.Plots.resize(d)))""")
            page.wait_for_timeout(300)
            pdf = page.pdf(format="A4", print_background=True,
                           margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
            writer.append(io.BytesIO(pdf))
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as f:
        writer.write(f)
    os.replace(tmp, out)
    return len(writer.pages)


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--force"]
    site = Path(args[0] if args else "site").resolve()
    if not (site / "index.html").exists():
        print(f"pdf: {site} holds no rendered lesson; run make render first", file=sys.stderr)
        return 2
    digest = pages.pages_digest(site)
    record = site / pages.PDF_RECORD
    outs = [site / f"lesson.{lang}.pdf" for lang in pages.LANGS]
    try:
        printed = json.loads(record.read_text(encoding="utf-8")).get("pages")
    except (OSError, ValueError):
        printed = None
    if "--force" not in sys.argv and printed == digest and all(o.exists() for o in outs):
        print(f"pdf: {', '.join(str(o) for o in outs)} kept: printed from the same pages", flush=True)
        return 0
    record.unlink(missing_ok=True)
    for lang, out in zip(pages.LANGS, outs):
        n = print_site(site, lang, out)
        print(f"pdf: {out} ({n} pages, {out.stat().st_size / 1e6:.1f} MB)", flush=True)
    record.write_text(json.dumps({"pages": digest}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

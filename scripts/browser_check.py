"""Opens every page of a rendered site in headless Chromium, offline, and checks it as a reader sees it.

    python scripts/browser_check.py target/site-quick

Fails when a page logs a JavaScript error, when a chart's container holds no drawn plot, when the
mind map is missing from the opening page, or when a page tries to load anything from the network
(every such request is blocked and reported). Saves a full-page screenshot of each page under
SITE/screenshots/.
"""
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCAL = ("file://", "data:", "about:", "blob:")
MINDMAP_PAGES = ("00-why-now.html",)


def check_site(site: Path, screenshots: bool = True) -> list:
    problems = []
    site = site.resolve()
    pages = sorted(site.glob("*.html"))
    if not pages:
        return [f"{site}: no pages"]
    if screenshots:
        (site / "screenshots").mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for path in pages:
                problems += check_page(browser, path, site, screenshots)
        finally:
            browser.close()
    return problems


def check_page(browser, path: Path, site: Path, screenshots: bool) -> list:
    problems, external, errors = [], [], []
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    undrawn = page.evaluate(
        "Array.from(document.querySelectorAll('.takeoff-chart'))"
        ".filter(d => !d.querySelector('svg.main-svg')).map(d => d.id)")
    charts = page.evaluate("document.querySelectorAll('.takeoff-chart').length")
    # every step of every slider: apply it as plotly does, and count the traces it leaves visible
    empty_steps = page.evaluate("""async () => {
        const bad = [];
        for (const d of document.querySelectorAll('.takeoff-chart')) {
            for (const s of ((d.layout || {}).sliders || [])) {
                for (const step of s.steps || []) {
                    await Plotly.restyle(d, ...step.args);
                    const shown = d.data.filter(t => t.visible === undefined || t.visible === true).length;
                    if (!d.querySelector('svg.main-svg') || shown === 0) bad.push(d.id + ' step ' + step.label);
                }
            }
        }
        return bad;
    }""")
    name = path.name
    problems += [f"{name}: slider {s} shows nothing" for s in empty_steps]
    problems += [f"{name}: JavaScript error: {e}" for e in errors]
    problems += [f"{name}: tried to load {u} from the network" for u in external]
    problems += [f"{name}: chart {i} holds no drawn plot" for i in undrawn]
    if name in MINDMAP_PAGES:
        labels = page.evaluate("document.querySelectorAll('.takeoff-mindmap svg text').length")
        if labels == 0:
            problems.append(f"{name}: the mind map is missing")
    if screenshots:
        page.screenshot(path=str(site / "screenshots" / (path.stem + ".png")), full_page=True)
    print(f"browser: {name}: {charts} charts drawn, {len(errors)} errors, {len(external)} network requests",
          flush=True)
    context.close()
    return problems


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site").resolve()
    problems = check_site(site)
    if problems:
        print("browser check FAILED:\n" + "\n".join(problems), file=sys.stderr)
        return 1
    print(f"browser check: every page of {site} draws offline without errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

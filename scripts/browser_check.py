"""Opens every page of a rendered site in headless Chromium, offline, and checks it as a reader sees it.

    python scripts/browser_check.py target/site-quick

Fails when a page logs a JavaScript error, when a chart's container holds no drawn plot, when the
mind map is missing from the opening page, or when a page tries to load anything from the network
(every such request is blocked and reported). A chart that is empty in print fails too. A page with a language switch is opened in both
languages (`?lang=zh`, `?lang=en`): it fails when a block of the other language shows, when the
English page shows Chinese text or the Chinese page an English sentence outside code, or when the
switch does not change the language in place. Saves a full-page screenshot of each page in each
language under SITE/screenshots/.
"""
import os
import re
import sys
from pathlib import Path

from browser import chromium, keep_local

MINDMAP_PAGES = ("00-why-now.html",)
LANGS = {"zh": "zh-Hans", "en": "en"}

# What a reader sees in the chosen language, outside code: the page's visible text, without code,
# logs, citations (titles stay in their language), the glossary's terms (each in its language) and
# the switch itself (it names both languages).
VISIBLE_TEXT = """() => {
    const skip = 'pre, code, cite, .takeoff-term, .takeoff-switch, .takeoff-log, .jp-InputArea, script, style, .modebar-container';
    const out = [];
    const walk = (el) => {
        if (el.nodeType === Node.TEXT_NODE) { out.push(el.textContent); return; }
        if (el.nodeType !== Node.ELEMENT_NODE || el.matches(skip)) return;
        const cs = getComputedStyle(el);
        if (cs.display === 'none' || cs.visibility === 'hidden') return;
        for (const c of el.childNodes) walk(c);
    };
    walk(document.body);
    return out.join(' ');
}"""
HAN = re.compile(r"[\u4e00-\u9fff]")
# three lower-case English words in a row (names and acronyms are capitalised): a phrase left
# untranslated
ENGLISH_RUN = re.compile(r"\b[a-z]{2,}[,;:]? [a-z]{2,}[,;:]? [a-z]{2,}\b")
# mixed-script slips in Chinese: half-width punctuation touching a Han character, a bracket opened
# half-width in running text, a Han character touching a Latin letter or digit ("T恤" is one word)
TYPO = re.compile(r"[\u4e00-\u9fff][,;:()!?]|[,;:(!?][\u4e00-\u9fff]|\)[\u4e00-\u9fff]|[\u4e00-\u9fff] \("
                  r"|[\u4e00-\u9fff][A-Za-z0-9]|[A-SU-Za-z0-9][\u4e00-\u9fff]|T(?!恤)[\u4e00-\u9fff]")


def check_site(site: Path, screenshots: bool = True) -> list:
    problems = []
    site = site.resolve()
    pages = sorted(site.glob("*.html"))
    if not pages:
        return [f"{site}: no pages"]
    if screenshots:
        (site / "screenshots").mkdir(exist_ok=True)
    with chromium() as browser:
        for path in pages:
            problems += check_page(browser, path, site, screenshots)
    return problems


def check_page(browser, path: Path, site: Path, screenshots: bool) -> list:
    problems, external, errors = [], [], []
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()

    keep_local(page, external)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    name = path.name
    # the printed form: every chart of the page's language still holds a drawn plot of some size
    page.emulate_media(media="print")
    page.wait_for_timeout(100)
    empty_print = page.evaluate("""() => Array.from(document.querySelectorAll('.takeoff-chart'))
        .filter(d => d.offsetParent !== null)
        .filter(d => !d.querySelector('svg.main-svg') || d.getBoundingClientRect().height < 50).map(d => d.id)""")
    problems += [f"{name}: chart {i} is empty in print" for i in empty_print]
    page.emulate_media(media="screen")
    switch = page.evaluate("document.querySelectorAll('.takeoff-switch a').length") == 2
    if switch:
        problems += check_languages(page, path, site, screenshots)
    undrawn = page.evaluate(
        "Array.from(document.querySelectorAll('.takeoff-chart'))"
        ".filter(d => !d.querySelector('svg.main-svg')).map(d => d.id)")
    charts = page.evaluate("document.querySelectorAll('.takeoff-chart').length")
    # every step of every slider and every entry of every dropdown: apply it as plotly does, and
    # count the traces it leaves visible
    empty_steps = page.evaluate("""async () => {
        const bad = [];
        for (const d of document.querySelectorAll('.takeoff-chart')) {
            const L = d.layout || {};
            const controls = (L.sliders || []).map(s => s.steps || []).concat((L.updatemenus || []).map(m => m.buttons || []));
            for (const steps of controls) {
                for (const step of steps) {
                    await Plotly.restyle(d, ...step.args);
                    const shown = d.data.filter(t => t.visible === undefined || t.visible === true).length;
                    if (!d.querySelector('svg.main-svg') || shown === 0) bad.push(d.id + ' step ' + step.label);
                }
                if (steps.length) await Plotly.restyle(d, ...steps[0].args);
            }
        }
        return bad;
    }""")
    views = page.evaluate("""() => Array.from(document.querySelectorAll('.takeoff-chart'))
        .filter(d => ((d.layout || {}).sliders || []).length + ((d.layout || {}).updatemenus || []).length > 0).length""")
    if views and "takeoffShow" in (path.read_text(encoding="utf-8")):
        problems += check_view_link(browser, path)
    problems += [f"{name}: slider {s} shows nothing" for s in empty_steps]
    problems += [f"{name}: JavaScript error: {e}" for e in errors]
    problems += [f"{name}: tried to load {u} from the network" for u in external]
    problems += [f"{name}: chart {i} holds no drawn plot" for i in undrawn]
    if name in MINDMAP_PAGES:
        labels = page.evaluate("document.querySelectorAll('.takeoff-mindmap svg text').length")
        if labels == 0:
            problems.append(f"{name}: the mind map is missing")
    if screenshots and not switch:
        page.screenshot(path=str(site / "screenshots" / (path.stem + ".png")), full_page=True)
    print(f"browser: {name}: {charts} charts drawn, {len(errors)} errors, {len(external)} network requests"
          + (", both languages checked" if switch else ""), flush=True)
    context.close()
    return problems


def check_view_link(browser, path: Path) -> list:
    """Opening `page#chart-id/label` shows that view: the control's active entry is the label's."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    target = page.evaluate("""() => {
        for (const d of document.querySelectorAll('.takeoff-chart')) {
            const L = d.layout || {};
            for (const [k, items] of [['sliders', 'steps'], ['updatemenus', 'buttons']]) {
                for (const c of (L[k] || [])) {
                    const last = (c[items] || []).slice(-1)[0];
                    if (last && (c[items] || []).length > 1) return [d.id, k, last.label, c[items].length - 1];
                }
            }
        }
        return null;
    }""")
    problems = []
    if target:
        chart, kind, label, index = target
        page.goto(path.as_uri() + f"#{chart}/{label}", wait_until="load")
        page.reload(wait_until="load")
        page.wait_for_timeout(300)
        active = page.evaluate(f"(document.getElementById('{chart}').layout['{kind}'] || [{{}}])[0].active")
        if active != index:
            problems.append(f"{path.name}: the link #{chart}/{label} shows view {active}, not {index}")
    context.close()
    return problems


def check_languages(page, path: Path, site: Path, screenshots: bool) -> list:
    """The page in each language, by its link form (?lang=…) and by its switch."""
    problems, name = [], path.name
    for lang, code in LANGS.items():
        page.goto(path.as_uri() + f"?lang={lang}", wait_until="load")
        page.wait_for_timeout(200)
        problems += language_problems(page, name, lang, code, "link")
        if screenshots:
            page.screenshot(path=str(site / "screenshots" / f"{path.stem}.{lang}.png"), full_page=True)
    # the switch: from English to Chinese in place, without a reload
    page.evaluate("window.__same_page = true")
    page.click('.takeoff-switch a[data-lang="zh"]')
    page.wait_for_timeout(200)
    if not page.evaluate("window.__same_page === true"):
        problems.append(f"{name}: the switch reloaded the page instead of switching in place")
    problems += language_problems(page, name, "zh", LANGS["zh"], "switch")
    stored = page.evaluate("localStorage.getItem('takeoff-lang')")
    if stored != "zh":
        problems.append(f"{name}: the switch did not keep the choice (stored {stored!r})")
    return problems


def language_problems(page, name: str, lang: str, code: str, how: str) -> list:
    problems = []
    if page.evaluate("document.documentElement.lang") != code:
        problems.append(f"{name} ({lang}, by {how}): <html lang> is not {code}")
    other = page.evaluate("""(code) => Array.from(document.querySelectorAll('.takeoff-lang'))
        .filter(e => e.lang !== code && e.offsetParent !== null).length""", code)
    if other:
        problems.append(f"{name} ({lang}, by {how}): {other} blocks of the other language show")
    hidden = page.evaluate("""(code) => Array.from(document.querySelectorAll('.takeoff-lang .takeoff-chart'))
        .filter(d => d.closest('.takeoff-lang').lang === code && d.offsetParent !== null
                     && d.getBoundingClientRect().width < 200).length""", code)
    if hidden:
        problems.append(f"{name} ({lang}, by {how}): {hidden} charts drawn too narrow after the switch")
    text = page.evaluate(VISIBLE_TEXT)
    if lang == "en":
        han = sorted(set(HAN.findall(text)))
        if han:
            at = HAN.search(text).start()
            problems.append(f"{name} (en, by {how}): Chinese text shows: …{text[max(0, at - 40):at + 40]}…")
    else:
        run = ENGLISH_RUN.search(text)
        if run:
            problems.append(f"{name} (zh, by {how}): an English sentence shows: …{text[max(0, run.start() - 40):run.end() + 40]}…")
        slips = [" ".join(text[max(0, m.start() - 12):m.end() + 12].split()) for m in TYPO.finditer(text)]
        if slips:
            problems.append(f"{name} (zh, by {how}): {len(slips)} mixed-script slips, e.g. " + " | ".join(f"…{s}…" for s in slips[:int(os.environ.get("SLIPS", "3"))]))
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

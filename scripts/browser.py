"""The one headless Chromium set-up that the browser check, the PDF printer and the JupyterLab
check share: Debian's Chromium (`CHROMIUM` to use another) started by Playwright with the same
flags, and the rule that a page of the lesson reaches nothing outside the machine."""
import contextlib
import os

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# root in a container needs --no-sandbox; the rest keeps Chromium from calling home
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCAL = ("file://", "data:", "about:", "blob:")  # what a static page may load


@contextlib.contextmanager
def chromium():
    """A headless Chromium for the `with` block, closed afterwards (also on an error)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def keep_local(page, refused: list = None):
    """Lets `page` load only local files and inline data; every other request is aborted (and
    its address appended to `refused`, when given)."""
    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            if refused is not None:
                refused.append(r.request.url)
            r.abort()
    page.route("**/*", route)

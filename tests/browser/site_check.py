"""Check the built site in headless Chromium, with every request outside the site blocked.

    .venv/bin/python tests/browser/site_check.py [--html _build/html] [--out _build/site-check]
    (make site-check)

Serves ``--html`` on 127.0.0.1 and opens every page (``*.html`` outside ``_static`` and
``_sources``) twice: once served, once from the folder (``file://``), since a reader may
open the site either way. A page fails on:

- a request that leaves the site (blocked, and reported with its address), a failed
  request, or a response with status 400 or more;
- a console error or an uncaught exception in the page;
- an image that does not decode (every image is made eager and decoded, lazy ones too);
- TeX left untypeset: a ``math`` element without MathJax's output, or ``\\(``, ``\\[``
  or ``$$`` left in the page's text outside code;
- a markdown table left as text: a paragraph whose lines are ``| ... |`` rows;
- an internal link to a missing file, or to an anchor that the target page lacks.

A screenshot of every page (served) is saved under ``--out``. Prints one line per problem
and a summary; exits non-zero when there is any problem.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from chromium import DEFAULT_BROWSER, PlaywrightError, free_port, launch, missing, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
REFRESH = re.compile(r'<meta[^>]*http-equiv="refresh"[^>]*url=([^"\'>]+)', re.IGNORECASE)

#: Runs in the page after load: MathJax finished, every image decoded, and what is left
#: untypeset or unrendered.
INSPECT_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  const broken = (await Promise.all(images.map(img =>
      img.decode().then(() => null, () => img.getAttribute('src'))))).filter(x => x);
  const untypeset = [...document.querySelectorAll('.math')]
      .filter(el => !el.querySelector('mjx-container'))
      .map(el => el.textContent.trim().slice(0, 60));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: node => node.parentElement.closest(
        'pre, code, script, style, textarea, .highlight, mjx-container, .math')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const tex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const m = node.textContent.match(/\\\(|\\\[|\$\$/);
    if (m) tex.push(node.textContent.trim().slice(0, 60));
  }
  const tables = [...document.querySelectorAll('p')]
      .map(p => p.innerText)
      .filter(t => /^\s*\|.*\|\s*$/m.test(t) && /\|\s*:?-{3,}/.test(t))
      .map(t => t.slice(0, 60));
  return {broken, untypeset, tex, tables};
}
"""


class _Links(HTMLParser):
    """The ids and the link targets of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])


def pages(html: Path) -> list[Path]:
    """Every page of the site, sorted.

    Parameters
    ----------
    html : Path
        The built site.

    Returns
    -------
    list of Path
    """
    skip = {"_static", "_sources", "_images"}
    return sorted(p for p in html.rglob("*.html")
                  if not skip & set(p.relative_to(html).parts) and redirect(p) is None)


def redirect(page: Path) -> str | None:
    """The target of a page that only redirects (``<meta http-equiv="refresh">``), or None.

    Parameters
    ----------
    page : Path

    Returns
    -------
    str or None
    """
    found = REFRESH.search(page.read_text(encoding="utf-8", errors="replace"))
    return found.group(1) if found else None


def link_problems(html: Path) -> list[str]:
    """Internal links whose file or anchor does not exist.

    Parameters
    ----------
    html : Path
        The built site.

    Returns
    -------
    list of str
        One line per broken link: the page, the link and what is missing.
    """
    parsed: dict[Path, _Links] = {}

    def parse(page: Path) -> _Links:
        if page not in parsed:
            parsed[page] = _Links()
            parsed[page].feed(page.read_text(encoding="utf-8", errors="replace"))
        return parsed[page]

    problems = []
    for page in html.rglob("*.html"):
        target = redirect(page)
        if target is not None and not (page.parent / urlsplit(target).path).exists():
            problems.append(f"{page.relative_to(html)}: redirects to missing {target}")
    for page in pages(html):
        for href in parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(html)}: link {href!r}"
            if not target.exists():
                problems.append(f"{where}: no file {target}")
            elif parts.fragment and target.suffix == ".html" and \
                    unquote(parts.fragment) not in parse(target).ids:
                problems.append(f"{where}: no anchor #{parts.fragment} in "
                                f"{target.relative_to(html)}")
    return problems


def serve(html: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``html`` on 127.0.0.1 in a background thread.

    Parameters
    ----------
    html : Path

    Returns
    -------
    (server, base URL)
    """
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def check_page(context: object, url: str, site: str, screenshot: Path | None) -> list[str]:
    """Open one page and return its problems.

    Parameters
    ----------
    context : playwright.sync_api.BrowserContext
    url : str
        The page's address.
    site : str
        Address prefix of the site; any request elsewhere is blocked and reported.
    screenshot : Path or None
        Where to save a full-page screenshot.

    Returns
    -------
    list of str
    """
    problems: list[str] = []
    page = context.new_page()

    def route(r: object) -> None:
        if r.request.url.startswith(site) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"request outside the site: {r.request.url}")
            r.abort("blockedbyclient")

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(
        f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.on("requestfailed", lambda r: r.failure != "net::ERR_BLOCKED_BY_CLIENT"
            and problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(
        f"HTTP {r.status}: {r.url}"))
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        found = page.evaluate(INSPECT_JS)
        problems += [f"image does not decode: {src}" for src in found["broken"]]
        problems += [f"math not typeset: {text!r}" for text in found["untypeset"]]
        problems += [f"TeX left in the text: {text!r}" for text in found["tex"]]
        problems += [f"markdown table left as text: {text!r}" for text in found["tables"]]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    except PlaywrightError as exc:
        problems.append(f"page did not load: {str(exc).splitlines()[0]}")
    finally:
        page.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "site-check")
    parser.add_argument("--browser", default=DEFAULT_BROWSER,
                        help="Chromium executable; '' for Playwright's own "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    problem = missing(args.browser)
    if problem:
        print(f"site_check.py: {problem}", file=sys.stderr)
        return 2
    html = args.html.resolve()
    if not (html / "index.html").exists():
        print(f"site_check.py: no site in {html}: run make book", file=sys.stderr)
        return 2

    found = [f"links: {p}" for p in link_problems(html)]
    server, base = serve(html)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, args.browser)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for page in pages(html):
                rel = page.relative_to(html).as_posix()
                shot = args.out / (re.sub(r"[/\\]", "__", rel[:-5]) + ".png")
                for how, url, site, path in (
                        ("served", urljoin(base, rel), base, shot),
                        ("file", page.as_uri(), html.as_uri() + "/", None)):
                    for p in check_page(context, url, site, path):
                        found.append(f"{rel} ({how}): {p}")
            browser.close()
    finally:
        server.shutdown()
    for line in found:
        print(line)
    n = len(pages(html))
    print(f"site check: {n} pages, {len(found)} problems; screenshots in {args.out}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

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
- an internal link to a missing file, or to an anchor that the target page lacks;
- a static explorer control (``.snn-explorer``, see snncore/frames.py) whose slider, moved
  to either end and to a middle stop, does not show the frame of the values its readouts
  then show (the frame named for those values in the control's own table), or whose
  other sliders do not behave as the control says (kept, or back to their defaults).

On the served pages it also measures the response of each control: the time from a
slider step to the painted frame, once the frame is in the browser (the neighbours of
the shown state are prefetched); a median over 50 ms is a problem.

A screenshot of every page (served) is saved under ``--out``. Prints one line per problem
and a summary; exits non-zero when there is any problem.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import statistics
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from chromium import DEFAULT_BROWSER, PlaywrightError, free_port, launch, missing, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
#: The longest median time, in milliseconds, from a slider step to its painted frame.
RESPONSE_MS = 50
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


#: Runs in the page: moves slider ``k`` of explorer ``e`` to stop ``index`` as a reader
#: would (an input event) and returns what the control then shows.
MOVE_JS = r"""
async ([e, k, index]) => {
  const root = document.querySelectorAll('.snn-explorer')[e];
  const inputs = [...root.querySelectorAll('input[type=range]')];
  const image = root.querySelector('img.snn-explorer-frame');
  const before = inputs.map(input => Number(input.value));
  inputs[k].value = index;
  inputs[k].dispatchEvent(new Event('input', {bubbles: true}));
  image.loading = 'eager';
  const decoded = await image.decode().then(() => true, () => false);
  return {before, after: inputs.map(input => Number(input.value)),
          readouts: [...root.querySelectorAll('output')].map(o => o.textContent),
          src: image.getAttribute('src'), decoded,
          disabled: inputs.some(input => input.disabled)};
}
"""

#: Runs in the page: one step of slider ``k`` of explorer ``e`` once the target frame is
#: in the browser; milliseconds from the input event to the painted frame.
STEP_JS = r"""
async ([e, k, index]) => {
  const root = document.querySelectorAll('.snn-explorer')[e];
  const input = root.querySelectorAll('input[type=range]')[k];
  const image = root.querySelector('img.snn-explorer-frame');
  const spec = JSON.parse(root.dataset.snnExplorer);
  const state = [...root.querySelectorAll('input[type=range]')].map(i => Number(i.value));
  if (spec.single) spec.default.forEach((d, j) => { if (j !== k) state[j] = d; });
  state[k] = index;
  const url = spec.root + spec.frames[state.join('-')] + '.webp';
  // The control prefetches the neighbours; wait until this one has arrived.
  const deadline = performance.now() + 10000;
  while (!performance.getEntriesByName(new URL(url, document.baseURI).href).length
         && performance.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  await new Promise(resolve => setTimeout(resolve, 50));
  const start = performance.now();
  input.value = index;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  await image.decode().catch(() => null);
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return performance.now() - start;
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


def explorer_problems(page: object, timings: list[float] | None) -> list[str]:
    """Move every slider of every static explorer control of an open page.

    Each slider goes to its last stop, its first and a middle one; after each move the
    image must be the frame that the control's table names for the values its readouts
    show, and the other sliders must keep their stops (every combination precomputed) or
    be back at their defaults (one slider at a time). Then the defaults are restored.

    Parameters
    ----------
    page : playwright.sync_api.Page
    timings : list of float or None
        If given, one slider step per slider is timed (see ``STEP_JS``) and the
        milliseconds are appended.

    Returns
    -------
    list of str
    """
    problems = []
    specs = page.evaluate("() => [...document.querySelectorAll('.snn-explorer')]"
                          ".map(root => JSON.parse(root.dataset.snnExplorer))")
    for e, spec in enumerate(specs):
        for k, values in enumerate(spec["values"]):
            for index in (len(values) - 1, 0, (len(values) - 1) // 2):
                shown = page.evaluate(MOVE_JS, [e, k, index])
                where = f"explorer {e + 1}, slider {k + 1} to {values[index]}"
                expected = list(spec["default"] if spec["single"] else shown["before"])
                expected[k] = index
                # The values the readouts show, as stops of each slider.
                read = [spec["values"][j].index(text) if text in spec["values"][j] else None
                        for j, text in enumerate(shown["readouts"])]
                frame = spec["frames"].get("-".join(map(str, expected)))
                if shown["disabled"]:
                    problems.append(f"{where}: the sliders are disabled (no script?)")
                if shown["after"] != expected or read != expected:
                    problems.append(f"{where}: the sliders show stops {read} (inputs at "
                                    f"{shown['after']}), expected {expected}")
                if frame is None or shown["src"] != spec["root"] + frame + ".webp":
                    problems.append(f"{where}: the image {shown['src']} is not the frame of "
                                    f"the new values (stops {expected})")
                elif not shown["decoded"]:
                    problems.append(f"{where}: the frame {shown['src']} does not decode")
            if timings is not None and len(values) > 1:
                page.evaluate(MOVE_JS, [e, k, spec["default"][k]])
                step = spec["default"][k] + (1 if spec["default"][k] + 1 < len(values) else -1)
                timings.append(page.evaluate(STEP_JS, [e, k, step]))
            page.evaluate(MOVE_JS, [e, k, spec["default"][k]])
    return problems


def check_page(context: object, url: str, site: str, screenshot: Path | None,
               timings: list[float] | None = None) -> list[str]:
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
    timings : list of float, optional
        Collects the response times of the page's explorer controls (milliseconds).

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
        problems += explorer_problems(page, timings)
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
    timings: list[float] = []
    server, base = serve(html)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, args.browser)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for page in pages(html):
                rel = page.relative_to(html).as_posix()
                shot = args.out / (re.sub(r"[/\\]", "__", rel[:-5]) + ".png")
                for how, url, site, path, times in (
                        ("served", urljoin(base, rel), base, shot, timings),
                        ("file", page.as_uri(), html.as_uri() + "/", None, None)):
                    for p in check_page(context, url, site, path, times):
                        found.append(f"{rel} ({how}): {p}")
            browser.close()
    finally:
        server.shutdown()
    if timings and statistics.median(timings) > RESPONSE_MS:
        found.append(f"explorer controls respond in {statistics.median(timings):.1f} ms "
                     f"(median), over {RESPONSE_MS} ms")
    for line in found:
        print(line)
    if timings:
        print(f"explorer controls: a slider step shows its frame in "
              f"{statistics.median(timings):.1f} ms (median of {len(timings)} steps; "
              f"slowest {max(timings):.1f} ms)")
    n = len(pages(html))
    print(f"site check: {n} pages, {len(found)} problems; screenshots in {args.out}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""The site checker finds each kind of fault it promises, on a small site built to have them.

Run by ``make site-check`` before the check of the real site (it needs Chromium, which
``make test`` does not).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import site_check  # noqa: E402
from chromium import DEFAULT_BROWSER, launch, missing, sync_playwright  # noqa: E402

CLEAN = """<html><body><h1 id="top">Clean</h1><p>Plain text, <code>\\(x\\)</code> in code.</p>
<a href="faulty.html#top">a link</a><a href="#top">here</a>
<a href="https://example.org/">outside links are not requests</a></body></html>"""

FAULTY = """<html><head><script src="https://cdn.example.org/lib.js"></script></head><body>
<h1 id="top">Faulty</h1>
<span class="math notranslate nohighlight">\\(v\\)</span>
<p>Left in the text: $$x^2$$</p>
<p>| model | time |
|---|---|
| CUBA | 1 s |</p>
<img src="missing.png"><img src="broken.png">
<a href="nowhere.html">no file</a><a href="clean.html#nothing">no anchor</a>
<script>console.error("boom")</script></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    html = tmp_path_factory.mktemp("html")
    (html / "index.html").write_text(
        '<html><head><meta http-equiv="refresh" content="0; url=clean.html" /></head></html>')
    (html / "clean.html").write_text(CLEAN)
    (html / "faulty.html").write_text(FAULTY)
    (html / "broken.png").write_bytes(b"not a png")
    return html


def test_links_and_redirects(site: Path) -> None:
    assert [p.name for p in site_check.pages(site)] == ["clean.html", "faulty.html"]
    problems = site_check.link_problems(site)
    assert len(problems) == 2, problems
    assert "faulty.html: link 'nowhere.html': no file" in problems[0]
    assert "no anchor #nothing in clean.html" in problems[1]
    (site / "stale.html").write_text('<meta http-equiv="refresh" content="0; url=gone.html">')
    try:
        assert "stale.html: redirects to missing gone.html" in site_check.link_problems(site)
    finally:
        (site / "stale.html").unlink()


def test_browser_finds_every_fault(site: Path) -> None:
    problem = missing(DEFAULT_BROWSER)
    assert problem is None, problem
    server, base = site_check.serve(site)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, DEFAULT_BROWSER)
            context = browser.new_context()
            clean = site_check.check_page(context, base + "clean.html", base, None)
            faulty = "\n".join(site_check.check_page(context, base + "faulty.html", base,
                                                     None))
            browser.close()
    finally:
        server.shutdown()
    assert clean == []
    for expected in ("request outside the site: https://cdn.example.org/lib.js",
                     "HTTP 404", "console error: boom",
                     "image does not decode: missing.png", "image does not decode: broken.png",
                     "math not typeset: '\\\\(v\\\\)'",
                     "TeX left in the text: 'Left in the text: $$x^2$$'",
                     "markdown table left as text"):
        assert expected in faulty, (expected, faulty)

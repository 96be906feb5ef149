"""The site checker finds each kind of fault it promises, on a small site built to have them.

Run by ``make site-check`` before the check of the real site (it needs Chromium, which
``make test`` does not).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import site_check  # noqa: E402
from chromium import DEFAULT_BROWSER, launch, missing, sync_playwright  # noqa: E402

from snncore import frames  # noqa: E402
from snncore.widgets import Slider  # noqa: E402

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


def _control(site: Path, sliders: dict, max_states: int) -> str:
    """A static explorer control whose frames are plain colours, one per state."""
    plan = frames.plan(sliders, 3, max_states)
    names = {}
    for n, state in enumerate(plan.states):
        pixels = np.zeros((20, 40, 3), np.uint8)
        pixels[..., 0], pixels[..., 1] = n, 255 - n
        image = frames._encode(pixels)
        names[state] = hashlib.sha256(image).hexdigest()[:frames.NAME_LENGTH]
        (site / "_explorers" / f"{names[state]}.webp").write_bytes(image)
    canvas = frames._Canvas((0.4, 0.2), (0, 0, 40, 20), {})
    control = frames.Frames(plan, list(sliders), [s.readout_format for s in sliders.values()],
                            names, canvas)
    return control.html("frame").replace(frames.ROOT_TOKEN, "_explorers/")


def _explorer_page(site: Path, script: bool) -> str:
    sliders = {"a": Slider("a", 0, 4, 1, 1), "b": Slider("b (ms)", 0, 0.3, 0.1, 0.2)}
    both = _control(site, sliders, 100)  # every combination
    single = _control(site, sliders, 5)  # one at a time
    tag = '<script src="_static/explorer.js"></script>' if script else ""
    return f"<html><head>{tag}</head><body>{both}{single}</body></html>"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    html = tmp_path_factory.mktemp("html")
    (html / "index.html").write_text(
        '<html><head><meta http-equiv="refresh" content="0; url=clean.html" /></head></html>')
    (html / "clean.html").write_text(CLEAN)
    (html / "faulty.html").write_text(FAULTY)
    (html / "broken.png").write_bytes(b"not a png")
    (html / "_explorers").mkdir()
    (html / "_static").mkdir()
    shutil.copy(Path(frames.__file__).with_name("static") / "explorer.js", html / "_static")
    (html / "explorers.html").write_text(_explorer_page(html, script=True))
    (html / "dead-explorers.html").write_text(_explorer_page(html, script=False))
    return html


def test_links_and_redirects(site: Path) -> None:
    assert [p.name for p in site_check.pages(site)] == [
        "clean.html", "dead-explorers.html", "explorers.html", "faulty.html"]
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


def test_static_explorer_controls(site: Path) -> None:
    problem = missing(DEFAULT_BROWSER)
    assert problem is None, problem
    server, base = site_check.serve(site)
    timings: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, DEFAULT_BROWSER)
            context = browser.new_context()
            working = site_check.check_page(context, base + "explorers.html", base, None,
                                            timings)
            local = site_check.check_page(context, (site / "explorers.html").as_uri(),
                                          site.as_uri() + "/", None)
            dead = site_check.check_page(context, base + "dead-explorers.html", base, None)
            browser.close()
    finally:
        server.shutdown()
    assert working == [] and local == []
    # without the script a move changes neither the readout nor the image
    for expected in ("explorer 1, slider 1 to 4: the sliders are disabled (no script?)",
                     "explorer 1, slider 1 to 4: the sliders show stops [1, 2] (inputs at "
                     "[3, 2]), expected [3, 2]",
                     "explorer 2, slider 2 to 0.0: the image _explorers/"):
        assert any(p.startswith(expected) for p in dead), (expected, "\n".join(dead))
    assert any(p.endswith("is not the frame of the new values (stops [1, 0])") for p in dead)
    assert len(timings) == 4 and all(0 < t < 5000 for t in timings), timings  # per slider

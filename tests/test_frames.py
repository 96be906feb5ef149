"""Explorers on the static site: the grid of stops, the precomputed frames, their check
against fresh runs, and the control's markup (the control itself runs in Chromium: see
tests/browser/site_check.py)."""

from __future__ import annotations

import html
import json
import re
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from snncore import frames, sphinxext
from snncore.errors import SnnError
from snncore.widgets import Explorer, Slider

matplotlib.use("Agg")


def _decay(a, tau):
    t = np.linspace(0, 0.05, 50)
    return {"t": t, "v": a * np.exp(-t / tau)}


def _noisy(a, tau):
    # numpy's global stream, which snncore.seed() seeds: a sweep's run is repeatable
    return {"t": np.arange(20), "v": a + tau * np.random.rand(20)}  # noqa: NPY002


def _draw(fig, data):
    ax = fig.subplots()
    ax.plot(data["t"], data["v"])
    ax.set_ylim(-1, 3)


def _spec(markup: str) -> dict:
    return json.loads(html.unescape(re.search(r'data-snn-explorer="([^"]*)"', markup)[1]))


@pytest.mark.parametrize("slider, stops, expected", [
    # a stride of 2 through the default 0.2 covers 0..1: 11 stops
    (Slider("w", 0, 1, 0.05, 0.2), 9, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]),
    # the default off the stride's lattice from 0: both ends added
    (Slider("U", 0.05, 1, 0.05, 0.45), 9, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19]),
    (Slider("tau", 1, 50, 1, 5), 9, [0, 4, 10, 16, 22, 28, 34, 40, 46, 49]),
    (Slider("few", 0, 4, 1, 3), 9, [0, 1, 2, 3, 4]),  # every position
])
def test_stops_include_the_default_and_both_ends(slider, stops, expected):
    found = frames.stop_indices(slider, stops)
    assert found == expected
    default = round((slider.value - slider.low) / slider.step)
    assert default in found and found[0] == 0
    assert found[-1] == round((slider.high - slider.low) / slider.step)
    assert len(found) >= min(stops, found[-1] + 1)


def test_stops_given_as_values_are_checked_and_keep_the_default():
    slider = Slider("A (mV)", 0, 4, 0.1, 1.8)
    assert frames.stop_indices(slider, [0, 1.4, 2.2, 4]) == [0, 14, 18, 22, 40]
    with pytest.raises(SnnError, match="'A \\(mV\\)': the stop 1.45 is not on its grid"):
        frames.stop_indices(slider, [1.45])
    weight = Slider("w", 2, 6, 0.02, 4.86)  # np.arange's last value is 6.0000000000000036
    assert len(frames.stop_indices(weight, np.arange(2, 6.01, 0.1))) == 41 + 1
    plan = frames.plan({"A": slider, "B": Slider("B", 0, 1, 0.1, 0.5)}, {"A": [1, 3]}, 100)
    assert plan.values == [[1, 1.8, 3], [round(0.1 * k, 10) for k in range(11)]]
    with pytest.raises(SnnError, match="stops given for C, which is not a slider"):
        frames.plan({"A": slider}, {"C": 3}, 100)


def test_the_default_stop_gives_exactly_the_slider_value():
    slider = Slider("U", 0.05, 1, 0.05, 0.45)
    plan = frames.plan({"U": slider}, 9, 100)
    assert plan.values[0][plan.default[0]] == 0.45  # not 0.45000000000000007


def test_every_combination_within_the_budget_else_one_slider_at_a_time():
    sliders = {"a": Slider("a", 0, 1, 0.1, 0.5), "b": Slider("b", 0, 1, 0.1, 0.2)}
    both = frames.plan(sliders, 9, 200)
    assert not both.single and len(both.states) == 11 * 11
    single = frames.plan(sliders, 9, 100)
    assert single.single and len(single.states) == 1 + 10 + 10
    # every state differs from the defaults in at most one slider
    assert all(sum(i != d for i, d in zip(s, single.default)) <= 1 for s in single.states)
    assert len(set(single.states)) == len(single.states)
    with pytest.raises(SnnError, match="at least 2 stops"):
        frames.plan(sliders, 1, 100)


def _explorer(model=_decay, **options):
    return Explorer(model, _draw, {"a": Slider("$a$", 0, 2, 1, 1),
                                   "tau": Slider("τ (ms)", 5, 20, 5, 10, scale=1e-3)},
                    figsize=(3, 2), **options)


def test_frames_equal_fresh_runs_and_the_markup_names_them(tmp_path):
    explorer = _explorer()
    found = frames.precompute(explorer, tmp_path, stops=9, max_states=100,
                              scheduler="synchronous", checks=20)  # every state checked
    assert len(found.names) == 3 * 4 and not found.plan.single
    width, height = found.size
    assert 0 < width <= 300 and 0 < height <= 200  # the drawn part of a 3 x 2 in figure
    for state, name in found.names.items():
        a, tau = (found.plan.values[k][i] for k, i in enumerate(state))
        shipped = frames._decode(tmp_path / f"{name}.webp")
        assert shipped.shape == (height, width, 3)
        np.testing.assert_array_equal(
            shipped, frames._render(_draw, _decay(a, tau * 1e-3), found.canvas))
    markup = found.html(alt="figure")
    spec = _spec(markup)
    assert spec["values"] == [["0", "1", "2"], ["5", "10", "15", "20"]]
    assert spec["default"] == [1, 1] and spec["single"] is False
    assert spec["frames"]["1-1"] == found.names[(1, 1)]
    assert f'src="{frames.ROOT_TOKEN}{found.names[(1, 1)]}.webp"' in markup
    assert "(3 × 4 = 12 states)" in markup
    assert '<span class="math notranslate nohighlight">\\(a\\)</span>' in markup
    assert markup.count('type="range"') == 2 and markup.count("disabled") == 2


def test_a_seeded_random_model_repeats_and_the_callers_stream_is_kept(tmp_path):
    explorer = _explorer(model=_noisy)
    np.random.seed(7)  # noqa: NPY002
    expected = np.random.rand(3)  # noqa: NPY002
    np.random.seed(7)  # noqa: NPY002
    frames.precompute(explorer, tmp_path, stops=9, max_states=100, scheduler="synchronous",
                      checks=4)
    np.testing.assert_array_equal(np.random.rand(3), expected)  # noqa: NPY002


def test_a_frame_that_is_not_the_run_of_its_values_fails_the_build(tmp_path):
    calls = []

    def drifting(a, tau):  # a model that does not repeat: each call differs
        calls.append(1)
        return {"t": np.arange(3), "v": np.full(3, a + len(calls) * 0.1)}

    explorer = _explorer(model=drifting)
    with pytest.raises(SnnError, match=r"the precomputed frame for a=.*, tau=.* differs from "
                                       r"a fresh run of the model with those values"):
        frames.precompute(explorer, tmp_path, stops=9, max_states=100,
                          scheduler="synchronous", checks=1)


def test_one_slider_at_a_time_is_said_on_the_page(tmp_path):
    explorer = _explorer()
    found = frames.precompute(explorer, tmp_path, stops=9, max_states=10,
                              scheduler="synchronous", checks=1)
    assert found.plan.single and len(found.names) == 1 + 2 + 3
    assert "moving a slider returns the others to their defaults" in found.html("figure")
    assert '"single":true' in html.unescape(found.html("figure"))


def test_show_writes_the_static_control_only_in_a_book_build(tmp_path, monkeypatch):
    monkeypatch.delenv(frames.FRAMES_ENV, raising=False)
    explorer = _explorer(run_button=True, model=lambda a, tau, report: _decay(a, tau),
                         max_states=100)
    assert set(explorer._repr_mimebundle_()) == {"image/png"}  # Jupyter: the figure
    with pytest.raises(SnnError, match="only while the book is built"):
        explorer.static_html()
    monkeypatch.setenv(frames.FRAMES_ENV, str(tmp_path))
    monkeypatch.setenv(frames.SCHEDULER_ENV, "synchronous")
    markup = explorer._repr_mimebundle_()["text/html"]
    # at a = 0 the four values of tau draw one image, which is stored once
    assert "12 states" in markup and len(list(tmp_path.glob("*.webp"))) == 12 - 3
    assert explorer.static_html() is markup  # precomputed once (show() and glue share it)


def test_the_extension_gives_each_page_its_address_and_prunes_old_frames(tmp_path):
    context = {"body": f'<img src="{frames.ROOT_TOKEN}abc.webp">',
               "pathto": lambda name, resource: f"../{name}"}
    sphinxext._page(None, "book/page", "page.html", context, None)
    assert context["body"] == '<img src="../_explorers/abc.webp">'
    site = tmp_path / "html"
    (site / "_explorers").mkdir(parents=True)
    used, old = "0" * frames.NAME_LENGTH, "1" * frames.NAME_LENGTH
    for name in (used, old):
        (site / "_explorers" / f"{name}.webp").write_bytes(b"")
    (site / "page.html").write_text(f'{{"frames":{{"0":"{used}"}}}}')
    app = SimpleNamespace(outdir=str(site), builder=SimpleNamespace(format="html"))
    sphinxext._finish(app, None)
    assert [p.stem for p in (site / "_explorers").iterdir()] == [used]

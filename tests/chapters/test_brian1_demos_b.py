"""Widgets of the Brian 1 demo pages (second half): moving a slider changes the data as it should.

Pages: book/brian1-demos/adaptive-threshold.md and book/brian1-demos/topographic-map.md
(book/brian1-demos/cobahh.md has no widget: one run of the full network takes seconds).
"""

import numpy as np
import pytest

from snncore import Hz, ms, mV

ADAPTIVE = "brian1-demos/adaptive-threshold"
TOPO = "brian1-demos/topographic-map"


@pytest.fixture
def adaptive(chapter):
    explorer = chapter(ADAPTIVE)["adaptive_explorer"]
    defaults = dict(explorer.values)
    yield explorer
    explorer.update(**defaults)  # leave the cached page as we found it


@pytest.fixture
def topo(chapter):
    explorer = chapter(TOPO)["topo_explorer"]
    defaults = dict(explorer.values)
    yield explorer
    explorer.update(**defaults)


def test_adaptive_defaults_are_the_demo(adaptive, chapter):
    assert adaptive.values == {"dvt": 3 * mV, "rate": 500 * Hz}
    np.testing.assert_array_equal(adaptive.data["vt"], chapter(ADAPTIVE)["adaptive"]["vt"])


def test_threshold_increment_sets_the_jump(adaptive):
    dt = 0.1 * ms
    for dvt in (1 * mV, 5 * mV):
        data = adaptive.update(dvt=dvt)
        steps = np.rint(data["spike_t"] / dt).astype(int)
        assert len(steps) > 0
        vt = data["vt"]
        decayed = 10 * mV + (vt[:-1] - 10 * mV) * np.exp(-dt / (15 * ms))
        np.testing.assert_allclose((vt[1:] - decayed)[steps], dvt, atol=1e-12)


def test_larger_increment_fewer_spikes(adaptive):
    # The input train is the same (same seed and rate); only the threshold differs.
    small = adaptive.update(dvt=0.0)
    large = adaptive.update(dvt=8 * mV)
    np.testing.assert_array_equal(small["input_t"], large["input_t"])
    assert len(large["spike_t"]) < len(small["spike_t"])
    np.testing.assert_allclose(small["vt"], 10 * mV, atol=1e-15)  # no adaptation at all
    # The redrawn figure shows the new threshold trace.
    line = adaptive.fig.axes[0].lines[1]
    np.testing.assert_allclose(line.get_ydata(), large["vt"] / mV)


def test_higher_input_rate_more_input_and_output(adaptive):
    low = adaptive.update(rate=200 * Hz)
    high = adaptive.update(rate=1000 * Hz)
    assert len(high["input_t"]) > 2 * len(low["input_t"])
    assert len(high["spike_t"]) > len(low["spike_t"])


def test_topo_defaults_are_the_demo(topo, chapter):
    assert topo.values == {"width": 10.0, "rate": 30 * Hz}
    np.testing.assert_array_equal(topo.data["spike_i"], chapter(TOPO)["topo"]["spike_i"])


def test_feedforward_width_changes_the_weights(topo):
    narrow = topo.update(width=3.0)
    wide = topo.update(width=30.0)
    # Same seed: the same synapses, with weights from the new width.
    np.testing.assert_array_equal(narrow["ff_i"], wide["ff_i"])
    d = np.abs(wide["ff_i"] - wide["ff_j"])
    np.testing.assert_allclose(wide["ff_w"], 3 * mV * np.exp(-d / 30.0), rtol=1e-12)
    np.testing.assert_allclose(narrow["ff_w"], 3 * mV * np.exp(-d / 3.0), rtol=1e-12)
    # A wider map drives more of layer 2, and more strongly.
    assert len(wide["spike_i"]) > len(narrow["spike_i"])
    assert np.ptp(wide["spike_i"]) > np.ptp(narrow["spike_i"])
    # The redrawn weight image is the new matrix.
    image = topo.fig.axes[1].images[0]
    np.testing.assert_allclose(np.asarray(image.get_array()), wide["W_ff"] / mV)


def test_input_rate_controls_activity(topo):
    silent = topo.update(rate=0.0)
    assert len(silent["spike_i"]) == 0  # no input, no drive: layer 2 stays at rest
    default = topo.update(rate=30 * Hz)
    strong = topo.update(rate=60 * Hz)
    assert len(strong["spike_i"]) > len(default["spike_i"]) > 0
    assert abs(strong["spike_i"].mean() - 49.5) < 5  # still centred on the input band


@pytest.mark.parametrize("page, module, n", [(ADAPTIVE, "brian1_adaptive_threshold", 16),
                                             (TOPO, "brian1_topographic_map", 18),
                                             ("brian1-demos/cobahh", "brian1_cobahh", 17)])
def test_page_passes_its_checks(chapter, page, module, n):
    import importlib

    records = importlib.import_module(f"_checks.{module}").verify(chapter(page))
    assert all(r.passed for r in records) and len(records) == n


def test_a_threshold_without_decay_fails_its_check(chapter):
    from _checks import CheckFailed, brian1_adaptive_threshold

    ns = chapter(ADAPTIVE)
    data = dict(ns["adaptive"], vt=np.full_like(ns["adaptive"]["vt"], 10 * mV))
    with pytest.raises(CheckFailed, match=r"figure: vt step by step, minus its exact decay"):
        brian1_adaptive_threshold.fig_adaptive_threshold(dict(ns, adaptive=data))

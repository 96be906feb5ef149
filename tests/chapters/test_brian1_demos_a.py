"""Widgets of the Brian 1 demo pages synfire and brunel-hakim: each slider reaches the model."""

from __future__ import annotations

import numpy as np
import pytest

from snncore import ms, mV


def _reset(explorer):
    explorer.update(**{name: s.value * s.scale for name, s in explorer.sliders.items()})


@pytest.fixture
def synfire(chapter):
    ns = chapter("brian1-demos/synfire")
    yield ns
    _reset(ns["synfire_explorer"])


@pytest.fixture
def brunel(chapter):
    ns = chapter("brian1-demos/brunel-hakim")
    yield ns
    _reset(ns["coupling_explorer"])


def test_synfire_default_is_the_page_figure(synfire):
    explorer = synfire["synfire_explorer"]
    assert explorer.values == {"weight": pytest.approx(4.86 * mV)}
    np.testing.assert_array_equal(explorer.data["t"], synfire["chain"]["t"])
    assert explorer.data["counts"][-1] >= 90  # the packet reaches the last group


def test_synfire_weak_weight_lets_the_packet_die(synfire):
    explorer = synfire["synfire_explorer"]
    strong = explorer.update(weight=4.86 * mV)
    weak = explorer.update(weight=3.0 * mV)
    # The input packet is the same; only the chain's weights changed.
    np.testing.assert_array_equal(weak["input_t"], strong["input_t"])
    # The packet shrinks and is lost in the background (a few spikes of which may fall
    # in the last group's window).
    assert weak["counts"][0] < strong["counts"][0]
    assert weak["counts"][0] > weak["counts"][2]
    assert weak["counts"][-1] < 15 <= 90 <= strong["counts"][-1]
    # The figure shows the new run: the right panel plots the packet sizes.
    sizes = explorer.fig.axes[1].get_lines()[0].get_xdata()
    np.testing.assert_array_equal(sizes, weak["counts"])


def test_synfire_stronger_weight_speeds_up_the_packet(synfire):
    explorer = synfire["synfire_explorer"]
    normal = explorer.update(weight=4.86 * mV)
    strong = explorer.update(weight=6.0 * mV)
    # A larger PSP reaches the threshold sooner: the packet arrives earlier at group 9.
    assert strong["centres"][-1] < normal["centres"][-1] - 0.5 * ms
    assert strong["counts"][-1] >= 90


def test_brunel_default_oscillates(brunel):
    data = brunel["coupling_explorer"].data
    assert brunel["coupling_explorer"].values == {"J": pytest.approx(0.1 * mV)}
    assert 100 < data["peak"] < 200
    assert 2 < data["mean_rate"] < 6


def _modulation(data):
    """Coefficient of variation of the smoothed population rate after 100 ms."""
    x = data["smooth"][data["rate_t"] >= 100 * ms]
    return np.std(x) / np.mean(x)


def test_brunel_coupling_makes_the_oscillation(brunel):
    explorer = brunel["coupling_explorer"]
    coupled = explorer.update(J=0.1 * mV)
    free = explorer.update(J=0.0)
    # Without coupling the neurons fire regularly at ~1/(2 ms + 20 ms ln 3) = 42 Hz, and
    # the population rate is nearly flat; with J = 0.1 mV it swings by more than its mean.
    assert 35 < free["mean_rate"] < 50
    assert _modulation(free) < 0.4 < 0.8 < _modulation(coupled)
    strong = explorer.update(J=0.2 * mV)
    # Stronger inhibition: lower single-neuron rates, the fast rhythm stays.
    assert strong["mean_rate"] < coupled["mean_rate"]
    assert abs(strong["peak"] - coupled["peak"]) < 30
    assert _modulation(strong) > 0.8
    assert "J = 0.2 mV" in explorer.fig.axes[0].get_title()


def test_cuba_passes_its_checks(chapter):
    from _checks import brian1_cuba

    records = brian1_cuba.verify(chapter("brian1-demos/cuba"))
    assert all(r.passed for r in records) and len(records) == 9


def test_synfire_passes_its_checks_and_a_dead_packet_fails(synfire):
    from _checks import CheckFailed, brian1_synfire

    records = brian1_synfire.verify(synfire)
    assert all(r.passed for r in records) and len(records) == 13
    dead = dict(synfire["ex_weights"], last=[0, 0, 0])
    with pytest.raises(CheckFailed, match=r"w = 4.5 mV: packet in group 9: 0, reference "
                                          r"at least 90"):
        brian1_synfire.ex_threshold(dict(synfire, ex_weights=dead))


def test_brunel_widget_and_exercises_pass_their_checks(brunel):
    # fig_bh_raster re-runs three 1 s networks; the page's own build runs it.
    from _checks import CheckFailed
    from _checks import brian1_brunel_hakim as checks

    for check in (checks.fig_bh_coupling, checks.ex_uncoupled, checks.ex_stronger):
        assert all(r.passed for r in check(brunel))
    fast = dict(brunel["ex_uncoupled"], rate=50.0)
    with pytest.raises(CheckFailed, match=r"mean rate at J = 0: 50 Hz"):
        checks.ex_uncoupled(dict(brunel, ex_uncoupled=fast))

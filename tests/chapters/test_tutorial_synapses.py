"""Widgets of book/tutorial-synapses.md: moving a slider changes the figure's data as it should."""

import numpy as np
import pytest

from snncore import defaultclock, ms

CHAPTER = "tutorial-synapses"


def jump_steps(v):
    """Steps at which a trace jumps up (a synaptic event has arrived)."""
    return np.flatnonzero(np.diff(np.asarray(v)) > 0) + 1


@pytest.fixture
def explorers(chapter):
    ns = chapter(CHAPTER)
    defaults = {name: dict(ns[name].values) for name in ("delay_explorer", "stdp_explorer")}
    yield ns
    for name, values in defaults.items():  # leave the cached chapter as we found it
        ns[name].update(**values)


def test_defaults_are_the_tutorial_figure(explorers):
    data = explorers["delay_explorer"].data
    assert explorers["delay_explorer"].values == {"w": 0.2, "delay": 2 * ms}
    assert jump_steps(data["v"][1])[0] == 90 and jump_steps(data["v"][2])[0] == 110
    np.testing.assert_array_equal(data["v"], explorers["delayed"]["v"])


def test_larger_weight_gives_larger_jumps(explorers):
    explorer = explorers["delay_explorer"]
    old = explorer.update(w=0.2)
    new = explorer.update(w=0.3)
    for j in (1, 2):
        k_old, k_new = jump_steps(old["v"][j]), jump_steps(new["v"][j])
        assert k_old[0] == k_new[0]  # same arrival time
        # Before the first event v is 0, so the first jump is exactly the weight j*w.
        assert new["v"][j][k_new[0]] - old["v"][j][k_old[0]] == pytest.approx(j * 0.1, abs=1e-12)
    # Neuron 0 is not affected by its outgoing synapses.
    np.testing.assert_array_equal(new["v"][0], old["v"][0])
    # A larger weight makes neuron 2 (weight 2w) fire earlier.
    assert new["spike_t"][new["spike_i"] == 2][0] < old["spike_t"][old["spike_i"] == 2][0]


def test_longer_delay_moves_jumps_later(explorers):
    explorer = explorers["delay_explorer"]
    dt = float(defaultclock.dt)
    old = explorer.update(delay=2 * ms)
    new = explorer.update(delay=3.5 * ms)
    for j in (1, 2):
        shift = round(j * 1.5 * ms / dt)  # neuron j's delay is j*delay
        first_old, first_new = jump_steps(old["v"][j])[0], jump_steps(new["v"][j])[0]
        assert first_new - first_old == shift
        # Jump sizes are unchanged.
        assert new["v"][j][first_new] == pytest.approx(old["v"][j][first_old], abs=1e-12)
    # Zero delay: the jump shows at the step after neuron 0's first spike (6.9 ms).
    zero = explorer.update(delay=0.0)
    first_spike = round(zero["spike_t"][zero["spike_i"] == 0][0] / dt)
    assert jump_steps(zero["v"][1])[0] == jump_steps(zero["v"][2])[0] == first_spike + 1


def test_larger_apre_scales_the_window(explorers):
    explorer = explorers["stdp_explorer"]
    old = explorer.update(Apre=0.01)
    new = explorer.update(Apre=0.02)
    positive = old["delta_t"] > 0
    # Apost is tied to Apre, so both halves double, the positive side by Apre itself.
    np.testing.assert_allclose(new["w"][positive], 2 * old["w"][positive], rtol=1e-12)
    np.testing.assert_allclose(new["w"][~positive], 2 * old["w"][~positive], rtol=1e-12)
    assert new["w"].max() == pytest.approx(0.02 * old["w"].max() / 0.01, rel=1e-12)


def test_time_constants_change_the_window_widths(explorers):
    explorer = explorers["stdp_explorer"]
    data = explorer.update(taupre=10 * ms, taupost=40 * ms, Apre=0.01)
    actual = data["t_post"] - data["t_pre"]
    positive = actual > 0
    np.testing.assert_allclose(data["w"][positive],
                               0.01 * np.exp(-actual[positive] / (10 * ms)), rtol=1e-9)
    apost = -0.01 * (10 * ms) / (40 * ms) * 1.05
    assert data["Apost"] == pytest.approx(apost, rel=1e-15)
    np.testing.assert_allclose(data["w"][~positive],
                               apost * np.exp(actual[~positive] / (40 * ms)), rtol=1e-9)
    # The figure was redrawn with the new data.
    ax = explorer.fig.axes[0]
    dots = [line for line in ax.lines if line.get_label() == "simulated pairs"][0]
    np.testing.assert_allclose(dots.get_ydata(), data["w"])


def test_every_figure_passes_its_checks(chapter):
    from _checks import tutorial_synapses

    records = tutorial_synapses.verify(chapter(CHAPTER))
    assert all(r.passed for r in records)
    figures = {r.figure for r in records}
    assert {"fig-syn-simplest", "fig-syn-delay", "fig-syn-distance", "fig-stdp-pairs",
            "ex-syn-units"} <= figures
    assert len(records) == 66


def test_a_shifted_spike_fails_its_check(chapter):
    from _checks import CheckFailed, tutorial_synapses

    ns = dict(chapter(CHAPTER))
    ns["simplest"] = {**ns["simplest"], "spike_t": ns["simplest"]["spike_t"] + 0.1 * ms}
    with pytest.raises(CheckFailed, match=r"fig-syn-simplest: spike times: 16 values, "
                                          r"largest difference 0\.1 ms"):
        tutorial_synapses.fig_syn_simplest(ns)

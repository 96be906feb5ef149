"""Widgets of the chapter ``stdp-inputs``: each slider reaches the model."""

from __future__ import annotations

import numpy as np
import pytest

from snncore import ms

CHAPTER = "stdp-inputs"


@pytest.fixture
def ns(chapter):
    return chapter(CHAPTER)


def _reset(explorer):
    explorer.update(**{name: s.value * s.scale for name, s in explorer.sliders.items()})


def test_default_widget_run_is_the_start_of_the_figure(ns):
    data, full = ns["correlated_explorer"].data, ns["correlated"]
    early = full["t"] < 500 * ms - 0.05 * ms
    assert np.array_equal(data["t"], full["t"][early])
    assert np.array_equal(data["i"], full["i"][early])


def test_correlation_strength_sets_the_count_correlation(ns):
    explorer, stats = ns["correlated_explorer"], ns["half_statistics"]
    try:
        # The same seeds give the same intervals, a and y for every c: only the share of
        # the rate variance that is common changes (c), so the correlation grows with c.
        # 500 ms are only 25 bins of 20 ms, so the estimates have sd ~0.002 (measured at
        # c = 0, 0.5, 1: -0.0004, 0.0020, 0.0062).
        none = stats(explorer.update(c=0.0))
        default = stats(explorer.update(c=0.5))
        full = stats(explorer.update(c=1.0))
        assert abs(none["corr"]["correlation"]) < 0.003
        assert none["corr"]["correlation"] < default["corr"]["correlation"] \
            < full["corr"]["correlation"]
        assert full["corr"]["correlation"] > none["corr"]["correlation"] + 0.004
        # The uncorrelated half does not depend on c at all: the same spikes.
        for s in (default, full):
            assert s["uncorr"] == none["uncorr"]
    finally:
        _reset(explorer)


def test_c_zero_makes_both_halves_alike(ns):
    explorer = ns["correlated_explorer"]
    try:
        data = explorer.update(c=0.0)
        # With c = 0 the two halves have the same rate equation: rate = 10 Hz (1 + sigma a).
        s = ns["half_statistics"](data)
        assert abs(s["corr"]["rate"] - s["uncorr"]["rate"]) < 1.0  # Hz; sd ~0.3 Hz each
    finally:
        _reset(explorer)


def test_mean_interval_sets_the_segments(ns):
    explorer, stats = ns["correlated_explorer"], ns["half_statistics"]
    try:
        fast = explorer.update(tau_c=5 * ms)
        slow = explorer.update(tau_c=100 * ms)
        # ~500 ms / tau_c segments (Poisson numbers: 100 +- 10 and 5 +- 2.2).
        assert 70 <= len(fast["switches"]) <= 135
        assert 1 <= len(slow["switches"]) <= 14
        # The intervals are exponential with mean tau_c (sd of the mean 5 ms/sqrt(100)).
        assert np.diff(fast["switches"]).mean() == pytest.approx(5 * ms, abs=1.5 * ms)
        # The analytic count correlation grows with tau_c (rates stay put for longer);
        # a 500 ms run is too short to resolve it reliably, see the chapter.
        expected = ns["expected_correlation"]
        assert expected(0.5, 100 * ms) > 2 * expected(0.5, 5 * ms)
        # The uncorrelated half stays at ~10 Hz either way.
        for data in (fast, slow):
            assert abs(stats(data)["uncorr"]["rate"] - 10) < 1.0
    finally:
        _reset(explorer)


def test_widget_rerun_does_not_compile(ns):
    # A slider move re-runs the model on the kernels already compiled: a parameter is
    # an argument of the loop, never a constant in it. (Its speed is measured by
    # `make bench`, not here.)
    from numba.core import event

    explorer = ns["correlated_explorer"]
    try:
        before = explorer.update(c=0.3)
        with event.install_recorder("numba:compile") as compiles:
            after = explorer.update(c=0.7)
        assert compiles.buffer == []
        assert not np.array_equal(before["i"], after["i"])
    finally:
        _reset(explorer)


def test_every_figure_passes_its_checks(ns):
    from _checks import stdp_inputs

    records = stdp_inputs.verify(ns)
    assert all(r.passed for r in records) and len(records) == 28
    assert {r.figure for r in records} == {"fig-latency-input", "fig-correlated-input",
                                           "fig-correlated-explorer", "ex-stdp-bins",
                                           "ex-stdp-c1"}


def test_a_spike_outside_its_window_fails_its_check(ns):
    from _checks import CheckFailed, stdp_inputs

    latency = dict(ns["latency"], t=ns["latency"]["t"] + 0.025)
    with pytest.raises(CheckFailed, match=r"fig-latency-input: every spike inside its "
                                          r"group's 20 ms window: no"):
        stdp_inputs.fig_latency_input(dict(ns, latency=latency))

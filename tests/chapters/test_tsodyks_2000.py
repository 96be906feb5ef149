"""Widgets of the chapter ``tsodyks-2000``: both sliders reach the network, the Run
button re-runs it and its progress bar advances."""

from __future__ import annotations

import numpy as np
import pytest

from snncore import mV

CHAPTER = "tsodyks-2000"


@pytest.fixture
def ns(chapter):
    return chapter(CHAPTER)


def _reset(explorer):
    explorer.update(**{name: s.value * s.scale for name, s in explorer.sliders.items()})


def _bursts(ns, data):
    return ns["find_bursts"](ns["network_activity"](data))


def test_defaults_are_the_figure(ns):
    explorer = ns["network_explorer"]
    assert explorer.run_button
    assert explorer.values == {"spread": pytest.approx(0.5 * mV), "A_ee": pytest.approx(1.8 * mV)}
    assert explorer.data is ns["network"]
    assert len(_bursts(ns, explorer.data)) >= 3


def test_ee_strength_controls_the_bursts(ns):
    explorer = ns["network_explorer"]
    default = explorer.data
    try:
        weak = explorer.update(A_ee=1.2 * mV)
        assert weak["A_ee"] == pytest.approx(1.2 * mV)
        assert _bursts(ns, weak) == []  # too weak to run away
        assert weak["x"].mean() > default["x"].mean() + 0.1  # and hardly depressed
        strong = explorer.update(A_ee=2.4 * mV)
        assert len(_bursts(ns, strong)) > len(_bursts(ns, default)) + 2
        assert strong["x"].mean() < default["x"].mean()
    finally:
        _reset(explorer)


def test_background_spread_reaches_the_neurons(ns):
    explorer = ns["network_explorer"]
    default = explorer.data
    try:
        # Every neuron exactly at threshold: v approaches 15 mV but never exceeds it.
        silent = explorer.update(spread=0.0)
        assert len(silent["t_E"]) == len(silent["t_I"]) == 0
        wide = explorer.update(spread=1.0 * mV)
        assert len(wide["t_E"]) > len(default["t_E"])  # more neurons far above threshold
    finally:
        _reset(explorer)


def test_run_button_reruns_with_progress(ns):
    explorer = ns["network_explorer"]
    fractions = []
    report = explorer.report
    explorer.report = lambda *args: (fractions.append(args[1]), report(*args))
    try:
        explorer.show()  # outside Jupyter, display() prints the widgets' reprs
        explorer.values["A_ee"] = 1.2 * mV  # a slider move in run-button mode: no re-run
        assert explorer.data["A_ee"] == pytest.approx(1.8 * mV)
        explorer.button.click()
        assert explorer.data["A_ee"] == pytest.approx(1.2 * mV)
        assert len(fractions) >= 2 and np.all(np.diff(fractions) >= 0)
        assert fractions[-1] == pytest.approx(1.0) and explorer.progress == pytest.approx(1.0)
    finally:
        del explorer.report
        _reset(explorer)


def test_every_figure_passes_its_checks(ns):
    from _checks import tsodyks_2000

    records = tsodyks_2000.verify(ns)
    assert all(r.passed for r in records) and len(records) == 20
    assert {r.figure for r in records} == {"fig-tum-network", "seeds 1-6",
                                           "ex-tum-train",
                                           "ex-tum-drop"}


def test_a_network_without_bursts_fails_its_check(ns):
    from _checks import CheckFailed, tsodyks_2000

    quiet = dict(ns, bursts=ns["bursts"][:2])
    with pytest.raises(CheckFailed, match=r"fig-tum-network: bursts in the figure: 2, "
                                          r"reference at least 3"):
        tsodyks_2000.fig_tum_network(quiet)

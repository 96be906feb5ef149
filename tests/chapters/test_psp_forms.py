"""Widget test for book/psp-forms.md: the tau and tau2 sliders reach the PSP shapes."""

import numpy as np
import pytest

from snncore.checks import reference

MS = 1e-3
DT = 0.1 * MS


@pytest.fixture
def explorer(chapter):
    ns = chapter("psp-forms")
    ex = ns["psp_shapes_explorer"]
    yield ns, ex
    ex.update(tau=10 * MS, tau2=2 * MS)  # leave the chapter's figure at its default


def _peaks(ns, data):
    t = data["t"] - ns["t_spike"]
    return {name: t[np.argmax(data[name])] for name in "vuz"}


@pytest.mark.parametrize("tau, tau2", [(20, 5), (5, 8), (12, 3), (30, 1)])
def test_sliders_move_the_peaks(explorer, tau, tau2):
    ns, ex = explorer
    default = {name: ex.data[name].copy() for name in "vuz"}
    data = ex.update(tau=tau * MS, tau2=tau2 * MS)
    assert data is ex.data
    assert (data["tau"], data["tau2"]) == (tau * MS, tau2 * MS)
    for name in "vuz":
        assert not np.allclose(data[name], default[name]), name  # the figure changed
    peaks = _peaks(ns, data)
    assert abs(peaks["v"]) < 1e-12  # the exponential still peaks at the spike
    # Euler's alpha function has equal maxima at tau - dt and tau
    assert -DT - 1e-12 <= peaks["u"] - tau * MS <= 1e-12, peaks["u"]
    # Euler's biexponential peaks up to t_peak*(dt/tau + dt/tau2)/2 early (< 2 dt here)
    analytic = ns["biexp_peak_time"](tau * MS, tau2 * MS)
    assert abs(peaks["z"] - analytic) <= 2 * DT, (peaks["z"], analytic)
    # The figure shows the new analytic peak times as dotted lines.
    lines = ex.fig.axes[0].get_lines()
    marks = sorted(line.get_xdata()[0] for line in lines if line.get_linestyle() == ":")
    expected = sorted([(ns["t_spike"] + tau * MS) / MS, (ns["t_spike"] + analytic) / MS])
    np.testing.assert_allclose(marks, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("key, tau, tau2", [("psp_shapes_tau20_tau2_5", 20, 5),
                                            ("psp_shapes_tau5_tau2_8", 5, 8)])
def test_new_time_constants_match_brian2(explorer, key, tau, tau2):
    ns, ex = explorer
    ref = reference("psp_forms")[key]
    data = ex.update(tau=tau * MS, tau2=tau2 * MS)
    every = ref["every"]
    np.testing.assert_allclose(data["t"][::every], ref["t"], rtol=0, atol=1e-12)
    for name in "vuz":
        np.testing.assert_allclose(data[name][::every], ref[name], rtol=0, atol=1e-9,
                                   err_msg=name)
        assert abs(data[name].max() - ref["peak"][name]["value"]) < 1e-9, name


def test_equal_time_constants_give_the_alpha_function(explorer):
    ns, ex = explorer
    data = ex.update(tau=8 * MS, tau2=8 * MS)
    np.testing.assert_allclose(data["z"], data["u"], rtol=0, atol=1e-12)
    assert ns["biexp_peak_time"](8 * MS, 8 * MS) == 8 * MS


def test_unknown_slider_is_rejected(explorer):
    _, ex = explorer
    with pytest.raises(KeyError, match="tau3"):
        ex.update(tau3=1 * MS)


def test_every_figure_passes_its_checks(chapter):
    from _checks import psp_forms

    records = psp_forms.verify(chapter("psp-forms"))
    assert all(r.passed for r in records) and len(records) == 37
    assert {r.figure for r in records} == {"fig-psp-levels", "fig-psp-shapes",
                                           "ex-psp-swap",
                                           "ex-psp-textbook"}


def test_a_late_alpha_peak_fails_its_check(chapter):
    from _checks import CheckFailed, psp_forms

    ns = dict(chapter("psp-forms"))
    ns["shapes"] = {**ns["shapes"], "u": np.roll(ns["shapes"]["u"], 3)}
    with pytest.raises(CheckFailed, match=r"(?s)fig-psp-shapes: trace of u: 50 values.*"
                       r"alpha: peak after the spike: 10.2 ms"):
        psp_forms.fig_psp_shapes(ns)

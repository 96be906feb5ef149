"""Widgets of the chapter ``short-term-plasticity``: each slider reaches the model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from snncore import ms

CHAPTER = "short-term-plasticity"


@pytest.fixture
def ns(chapter):
    return chapter(CHAPTER)


def _reset(explorer):
    explorer.update(**{name: s.value * s.scale for name, s in explorer.sliders.items()})


def test_stp_defaults_are_the_depression_figure(ns):
    data = ns["stp_explorer"].data
    assert np.allclose(data["peaks"], ns["depression"]["peaks"], rtol=0, atol=1e-12)


def test_stp_first_psp_scales_with_U(ns):
    explorer = ns["stp_explorer"]
    try:
        low = explorer.update(U=0.3)["peaks"]
        high = explorer.update(U=0.9)["peaks"]
        # The first spike finds u = 0 and x = 1, so v jumps by exactly U.
        assert high[0] / low[0] == pytest.approx(3.0, rel=1e-12)
        assert high[0] == pytest.approx(0.9, abs=1e-12)
        assert np.all(np.diff(high) < 0)  # strong release depresses
    finally:
        _reset(explorer)


def test_stp_swapping_time_constants_turns_depression_into_facilitation(ns):
    explorer = ns["stp_explorer"]
    try:
        assert np.all(np.diff(explorer.data["peaks"]) < 0)
        data = explorer.update(U=0.15, tau_f=750 * ms, tau_d=50 * ms)
        assert np.all(np.diff(data["peaks"]) > 0)
        assert np.allclose(data["peaks"], ns["facilitation"]["peaks"], rtol=0, atol=1e-12)
        assert data["u"].max() > 0.4 and data["x"].min() > 0.35
    finally:
        _reset(explorer)


def test_coincidence_window_grows_with_tau(ns):
    explorer = ns["coincidence_explorer"]
    try:
        default = explorer.data
        assert np.array_equal(default["v"], ns["coincidence"]["v"])  # the static figure
        assert default["max_1ms"] > 1 > default["max_10ms"]
        wide = explorer.update(tau=20 * ms)
        assert wide["max_10ms"] > 1  # an integrator: the 10 ms pair crosses too
        narrow = explorer.update(tau=1 * ms)
        assert narrow["max_1ms"] < default["max_1ms"]
        assert narrow["max_1ms"] == pytest.approx(0.6 * (1 + np.exp(-1)), abs=1e-9)
    finally:
        _reset(explorer)


def test_coincidence_weight_scales_the_trace(ns):
    explorer = ns["coincidence_explorer"]
    try:
        v_default = explorer.data["v"].copy()
        small = explorer.update(w=0.5)
        assert np.allclose(small["v"], v_default * 0.5 / 0.6, rtol=1e-12, atol=1e-15)
        assert small["max_1ms"] < 1  # too weak for the close pair
        big = explorer.update(w=1.0)
        assert big["max_10ms"] > 1  # one spike is enough
    finally:
        _reset(explorer)


def test_tuning_widget_uses_fewer_neurons_and_matches_the_figure(ns):
    data = ns["tuning_explorer"].data
    assert data["n"] < ns["tuning"]["n"]
    z = (data["mean"] - ns["tuning"]["mean"]) / np.hypot(data["sem"], ns["tuning"]["sem"])
    assert np.max(np.abs(z)) < 4.5


def test_larger_w_raises_the_tuning_curve(ns):
    explorer = ns["tuning_explorer"]
    try:
        base = explorer.data
        weak = explorer.update(w=0.6)
        strong = explorer.update(w=1.0)
        k = len(base["mean"])

        def average(data):
            return data["mean"].mean(), np.sqrt(np.sum(data["sem"] ** 2)) / k

        (m_weak, e_weak), (m_base, e_base), (m_strong, e_strong) = map(
            average, (weak, base, strong))
        assert m_weak + 5 * np.hypot(e_weak, e_base) < m_base
        assert m_base + 5 * np.hypot(e_base, e_strong) < m_strong
        # The peak (the five bins with |delta_t| <= 1 ms) grows with w (while w < 1).
        peak = slice(k // 2 - 2, k // 2 + 3)

        def peak_mean(data):
            return data["mean"][peak].mean(), np.sqrt(np.sum(data["sem"][peak] ** 2)) / 5

        (p_weak, s_weak), (p_base, s_base) = peak_mean(weak), peak_mean(base)
        assert p_weak + 3 * np.hypot(s_weak, s_base) < p_base
    finally:
        _reset(explorer)


def test_above_threshold_weights_notch_the_curve_at_zero(ns):
    explorer = ns["tuning_explorer"]
    try:
        data = explorer.update(w=1.2)
        mid = len(data["mean"]) // 2
        # Each input fires the neuron alone; a simultaneous pair gives one spike only.
        neighbours = data["mean"][[mid - 1, mid + 1]]
        err = np.hypot(data["sem"][mid], data["sem"][[mid - 1, mid + 1]])
        assert np.all(data["mean"][mid] + 2 * err < neighbours)
    finally:
        _reset(explorer)


def test_more_noise_raises_the_baseline(ns):
    explorer = ns["tuning_explorer"]
    try:
        base = explorer.data
        noisy = explorer.update(sigma=0.5)
        edges = np.r_[0:8, 33:41]  # |delta_t| >= 8.5 ms: no coincidence
        assert noisy["mean"][edges].mean() > 3 * base["mean"][edges].mean()
        quiet = explorer.update(sigma=0.2)
        assert quiet["mean"][edges].mean() < 0.5 * base["mean"][edges].mean()
    finally:
        _reset(explorer)


def test_the_decoder_passes_its_checks(ns):
    from _checks import short_term_plasticity as checks

    records = checks.fig_decoder_posterior(ns) + checks.fig_decoder_error(ns)
    assert all(r.passed for r in records)
    assert len(records) == 9


def test_a_decoder_without_the_rate_term_fails_its_check(ns):
    from _checks import CheckFailed
    from _checks import short_term_plasticity as checks

    # Leaving out -lambda_i(delta_t) changes nothing when the rates sum to a constant
    # (the Gaussian check), but it changes the posteriors of the simulated trials.
    rates, test = ns["rates"], ns["test"]
    wrong = np.moveaxis(test[..., :10].sum(axis=-1), -1, 1) @ np.log(rates).T
    wrong = np.exp(wrong - logsumexp(wrong, axis=-1, keepdims=True))
    bad = {**ns, "posteriors": {**ns["posteriors"], 10: wrong}}
    with pytest.raises(CheckFailed, match=r"fig-decoder-posterior: posteriors of the 210 "
                                          r"simulated trials, 10 detectors per kind"):
        checks.fig_decoder_posterior(bad)


def test_a_decoder_with_the_wrong_width_fails_the_closed_form(ns):
    from _checks import CheckFailed
    from _checks import short_term_plasticity as checks

    # Squared rates double every n_i log lambda_i term (and still sum to a constant): the
    # Gaussian posterior's variance halves.
    bad = {**ns, "log_posterior": lambda counts, rates: ns["log_posterior"](counts, rates**2)}
    with pytest.raises(CheckFailed, match=r"fig-decoder-posterior: posterior of Poisson counts "
                                          r"from 97 Gaussian tuning curves"):
        checks.fig_decoder_posterior(bad)


def test_every_figure_passes_its_checks(ns):
    from _checks import short_term_plasticity as checks

    records = checks.verify(ns)
    assert all(r.passed for r in records) and len(records) == 44
    assert {"fig-stp", "fig-coincidence", "fig-tuning", "fig-decoder", "ex-stp-second",
            "ex-stp-window"} <= {r.figure for r in records}


def test_a_facilitating_synapse_that_depresses_fails_its_check(ns):
    from _checks import CheckFailed
    from _checks import short_term_plasticity as checks

    flipped = dict(ns["facilitation"], peaks=ns["facilitation"]["peaks"][::-1])
    with pytest.raises(CheckFailed, match=r"fig-stp: facilitation: PSP peaks: 5 values"):
        checks.fig_stp(dict(ns, facilitation=flipped))

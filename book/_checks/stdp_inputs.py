"""Checks of book/stdp-inputs.md: both inputs' statistics against theory and Brian 2.

The Brian 2 references are book/_references/stdp_inputs.json, made by
tests/references/ref_stdp_inputs.py: the same Python-side draws (onsets; intervals,
a and y), with 6 seeds of Brian 2's own spike noise.
"""

from __future__ import annotations

from math import erf

import numpy as np

from _checks import ANALYTIC, Check, Checks
from snncore.checks import reference

MS = 1e-3
DT = 0.1 * MS
BRIAN2_SEEDS = "Brian 2.9.0, same draws, 6 seeds"


def fig_latency_input(ns: dict) -> list[Check]:
    """Latency input: spikes only inside each group's window, counts Bernoulli sums."""
    r = reference("stdp_inputs")["latency"]
    c = Checks("fig-latency-input")
    d = ns["latency"]
    c.close("group onsets", d["onsets"], r["onsets"], atol=1e-15, unit="ms",
            source="the same numpy draws as Brian 2")
    group = d["i"] // d["groupsize"]
    onset = d["onsets"][group]
    c.true("every spike inside its group's 20 ms window",
           (d["t"] > onset - 1e-12) & (d["t"] < onset + 20 * MS + 1e-12),
           source=f"{ANALYTIC}: the rate is zero outside")
    # 100 neurons at p = 0.01 per step: a group's first spike is more than 1 ms late
    # with probability 0.99**1000 = 4e-5.
    first = np.array([d["t"][group == g].min() for g in range(10)])
    c.within("latest first spike after its onset", (first - d["onsets"]).max(), high=1 * MS,
             unit="ms", source=f"{ANALYTIC}: late with probability 4e-5")
    steps = np.array([np.sum((np.arange(1000) * DT > o) & (np.arange(1000) * DT < o + 20 * MS))
                      for o in d["onsets"]])
    per_group = np.bincount(group, minlength=10)
    mean, sd = 100 * steps * 0.01, np.sqrt(100 * steps * 0.01 * 0.99)
    c.within("largest deviation of a group's count (sd)", np.max(np.abs(per_group - mean) / sd),
             high=4.5, source=f"{ANALYTIC}: Bernoulli(0.01) per step")
    sd_total = np.sqrt(np.sum(sd**2))
    c.close("total number of spikes", len(d["t"]), r["total_mean"],
            atol=4.5 * sd_total * np.sqrt(1 + 1 / r["n_seeds"]), source=f"{BRIAN2_SEEDS}, 4.5 sd")
    c.close("spread of the total over Brian 2's seeds", r["total_sd"], sd_total,
            atol=0.7 * sd_total, source=f"{ANALYTIC}: Bernoulli sums")
    return c.done()


def _rate_variances(sigma: float) -> tuple[float, float, float, float]:
    """Expected rate (Hz) with rectified negative rates, and the variances of half totals."""
    def Phi(x):
        return 0.5 * (1 + erf(x / np.sqrt(2)))

    def phi(x):
        return np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)

    r_mean = 10 * (Phi(1 / sigma) + sigma * phi(1 / sigma))
    T, n, tau = 2.0, 500, 20 * MS
    K = 2 * tau**2 * (T / tau - 1 + np.exp(-T / tau))
    var_poisson = n * r_mean * T
    var_private = n * (10 * sigma) ** 2 * K
    var_corr = var_poisson + 0.5 * var_private + 0.5 * n**2 * (10 * sigma) ** 2 * K
    return r_mean, var_poisson, var_poisson + var_private, var_corr


def fig_correlated_input(ns: dict) -> list[Check]:
    """Correlated groups: rates and count correlations against theory and Brian 2."""
    r = reference("stdp_inputs")["correlated"]
    c = Checks("fig-correlated-input")
    d, stats, rho_expected = ns["correlated"], ns["stats"], ns["rho_expected"]
    r_mean, var_poisson, var_uncorr, var_corr = _rate_variances(d["sigma"])
    for name, var in (("uncorr", var_uncorr), ("corr", var_corr)):
        c.close(f"mean rate, {name}elated half", stats[name]["rate"], r_mean,
                atol=4 * np.sqrt(var) / (500 * 2.0), unit="Hz",
                source=f"{ANALYTIC}: rectified rates, 4 sd")
    rho_u, rho_c = stats["uncorr"]["correlation"], stats["corr"]["correlation"]
    c.close("count correlation, uncorrelated half", rho_u, 0, atol=1.5e-3,
            source=f"{ANALYTIC}: independent rates, 5 sd")
    c.within("correlated minus uncorrelated", rho_c - rho_u, low=10 * 3e-4,
             source="ten sd of the uncorrelated estimate")
    c.close("count correlation, correlated half", rho_c, rho_expected, rtol=0.5,
            source=f"{ANALYTIC}: eq. (count-correlation); y's realised variance")
    c.within("rate changes in 2 s", len(d["switches"]), 90, 115,
             source=f"{ANALYTIC}: Poisson, mean 100")
    c.close("times of the rate changes", d["switches"], r["switches"], atol=1e-9, unit="ms",
            source="the same numpy draws as Brian 2")
    c.close("shared variable y", d["y"], r["y"], atol=1e-12,
            source="the same numpy draws as Brian 2")
    scale = np.sqrt(1 + 1 / r["n_seeds"])
    for name in ("uncorr", "corr"):
        sd = max(r[f"rate_{name}_sd"], np.sqrt(var_poisson) / (500 * 2.0))
        c.close(f"mean rate, {name}elated half", stats[name]["rate"], r[f"rate_{name}_mean"],
                atol=4.5 * sd * scale, unit="Hz", source=f"{BRIAN2_SEEDS}, 4.5 sd")
        sd = max(r[f"correlation_{name}_sd"], 2e-4)
        c.close(f"count correlation, {name}elated half", stats[name]["correlation"],
                r[f"correlation_{name}_mean"], atol=4.5 * sd * scale,
                source=f"{BRIAN2_SEEDS}, 4.5 sd")
    return c.done()


def fig_correlated_explorer(ns: dict) -> list[Check]:
    """The widget's default run is the first 500 ms of the figure's input."""
    c = Checks("fig-correlated-explorer")
    w, full = ns["correlated_explorer"].data, ns["correlated"]
    c.equal("duration, c, τ_c", [w["duration"], w["c"], w["tau_c"]], [500 * MS, 0.5, 20 * MS],
            source="the sliders' defaults")
    early = full["t"] < 500 * MS - DT / 2
    c.equal("spike times", w["t"], full["t"][early], unit="ms",
            source="the first 500 ms of the figure")
    c.equal("spiking neurons", w["i"], full["i"][early], source="the first 500 ms of the figure")
    return c.done()


def ex_bin_width(ns: dict) -> list[Check]:
    """Exercise: the count correlation grows with the bin width, as predicted."""
    c = Checks("ex-stdp-bins")
    e = ns["ex_bins"]
    for width, measured, predicted in zip(e["widths"], e["measured"], e["predicted"]):
        c.close(f"count correlation, {width:g} ms bins", measured, predicted, rtol=0.5,
                source=f"{ANALYTIC}: eq. (count-correlation)")
    c.true("grows with the bin width", np.all(np.diff(e["measured"]) > 0),
           value=", ".join(f"{x:.4f}" for x in e["measured"]), source=ANALYTIC)
    return c.done()


def ex_full_correlation(ns: dict) -> list[Check]:
    """Exercise: c = 1 doubles the correlation and leaves the other half unchanged."""
    c = Checks("ex-stdp-c1")
    e = ns["ex_c1"]
    c.close("count correlation at c = 1", e["rho"], e["predicted"], rtol=0.5,
            source=f"{ANALYTIC}: eq. (count-correlation)")
    c.within("ratio to c = 1/2", e["ratio"], 1.6, 2.5, source=f"{ANALYTIC}: 2")
    c.true("uncorrelated half unchanged, spike for spike", e["same_uncorrelated"],
           source="same seeds; its rates do not involve c")
    return c.done()


CHECKS = (fig_latency_input, fig_correlated_input, fig_correlated_explorer, ex_bin_width,
          ex_full_correlation)


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The values the prose quotes, from this run."""
    stats = ns["stats"]
    return {
        "stdp-switches": len(ns["correlated"]["switches"]),
        "stdp-rho-expected": ns["rho_expected"],
        "stdp-rho-corr": stats["corr"]["correlation"],
        "stdp-rho-uncorr": stats["uncorr"]["correlation"],
    }

"""Checks of book/brian1-demos/adaptive-threshold.md: the threshold's dynamics, and the
output against Brian 2 (20 seeds of the Poisson input, and one fixed input train).

The references are book/_references/brian1_demos_b.json (tests/references/ref_brian1_demos_b.py).
"""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, BRIAN2, Check, Checks
from snncore.checks import reference

MS, MV = 1e-3, 1e-3
DT = 0.1 * MS
THETA0, TAU_T = 10 * MV, 15 * MS


def _threshold(c: Checks, data: dict, dvt: float, label: str) -> None:
    """vt decays as in eq. (adapt-decay) between spikes and jumps by dvt at each spike."""
    vt = data["vt"]
    steps = np.rint(data["spike_t"] / DT).astype(int)
    # One step: the recorded vt[k+1] is the exact decay of vt[k], plus dvt after a spike.
    residual = vt[1:] - (THETA0 + (vt[:-1] - THETA0) * np.exp(-DT / TAU_T))
    expected = np.zeros_like(residual)
    expected[steps] = dvt
    c.close(f"{label}: vt step by step, minus its exact decay", residual, expected,
            atol=1e-12, unit="mV", source=f"{ANALYTIC}: eq. (adapt-decay), jumps of Δ_t")
    c.equal(f"{label}: v just after each spike", data["v"][steps + 1], np.zeros(len(steps)),
            unit="mV", source="the reset")


def fig_adaptive_threshold(ns: dict) -> list[Check]:
    """The figure's run, the spike counts over 20 seeds, and a fixed input train."""
    ref = reference("brian1_demos_b")["adapt"]
    c = Checks("fig-adaptive-threshold")
    adaptive, model = ns["adaptive"], ns["adaptive_model"]
    c.within("output spikes in the figure", len(adaptive["spike_t"]), low=3,
             source="the demo's figure")
    _threshold(c, adaptive, 3 * MV, "figure")
    # The other seeds and the fixed train are run here: they exist only for the checks.
    counts = np.array([len(model(seed_value=s)["spike_t"]) for s in range(1, 21)])
    r = ref["n_spikes"]
    se = np.sqrt(counts.var(ddof=1) / len(counts) + r["std"] ** 2 / len(r["values"]))
    c.close("output spikes, mean over 20 seeds", counts.mean(), r["mean"], atol=4 * se,
            source="Brian 2.9.0, same model, 20 seeds, 4 se")
    c.close("output spikes, sd over 20 seeds", counts.std(ddof=1), r["std"], atol=1.5,
            source="Brian 2.9.0, same model, 20 seeds")
    f = ref["fixed"]
    fixed = model(input_times=np.array(f["input_t"]))
    c.close("fixed train: input times", fixed["input_t"], f["input_t"], atol=1e-12,
            unit="ms", source=BRIAN2)
    for name in ("v", "vt"):
        c.close(f"fixed train: {name}", fixed[name], f[name], atol=1e-9, unit="mV",
                source=BRIAN2)
    c.close("fixed train: output spike times", fixed["spike_t"], f["spike_t"], atol=1e-9,
            unit="ms", source=BRIAN2)
    _threshold(c, fixed, 3 * MV, "fixed train")
    c.within("fixed train: highest threshold", fixed["vt"].max(), low=13 * MV, unit="mV",
             source="increments stack up")
    isi = np.diff(fixed["spike_t"])
    c.within("fixed train: last minus first interspike interval", isi[-1] - isi[0], low=0,
             unit="ms", source="adaptation")
    return c.done()


def ex_no_adaptation(ns: dict) -> list[Check]:
    """Exercise: without increments the threshold stays at 10 mV and the neuron fires more."""
    c = Checks("ex-adapt-flat")
    e = ns["ex_flat"]
    c.close("threshold, every sample", e["vt"], np.full(len(e["vt"]), THETA0), atol=1e-15,
            unit="mV", source="no increments, at equilibrium")
    c.within("output spikes, Δ_t = 0 minus Δ_t = 3 mV", e["n_flat"] - e["n_adaptive"],
             low=1, source="a lower threshold")
    return c.done()


def ex_prediction(ns: dict) -> list[Check]:
    """Exercise: the threshold at each spike, predicted from the previous spike times."""
    c = Checks("ex-adapt-predict")
    e = ns["ex_vt"]
    c.close("vt just before each spike, Δ_t = 6 mV", e["simulated"], e["predicted"],
            atol=1e-9 * MV, unit="mV", source=f"{ANALYTIC}: eq. (adapt-decay)")
    return c.done()


CHECKS = (fig_adaptive_threshold, ex_no_adaptation, ex_prediction)


def verify(ns: dict) -> list[Check]:
    """Every check of the page, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]

"""Checks of book/brian1-demos/cuba.md: spike counts over seeds against Brian 2.

The references are book/_references/brian1_demos_a.json (tests/references/ref_brian1_demos_a.py).
The network is random and Brian 2 draws other random numbers, so statistics are compared.
"""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, Check, Checks
from snncore.checks import reference

MS, MV = 1e-3, 1e-3
BRIAN2_SEEDS = "Brian 2.9.0, same model, same seeds"


def fig_cuba_raster(ns: dict) -> list[Check]:
    """Total spikes of the figure's network and of the other seeds, against Brian 2."""
    ref = reference("brian1_demos_a")["cuba"]
    c = Checks("fig-cuba-raster")
    # The other seeds are run here: they exist only for this comparison.
    totals = np.array([ns["n_spikes"]] + [len(ns["cuba"](s)["t"]) for s in ref["seeds"][1:]])
    mean, std = ref["total"]["mean"], ref["total"]["std"]
    # Each run within 5 Brian 2 sd (at least 3 %) of Brian 2's mean; the means within 4
    # standard errors of their difference (at least 1.5 %): a systematic error of a few
    # percent is caught, seed-to-seed noise is not.
    c.close("largest deviation of a seed's total spikes", np.max(np.abs(totals - mean)), 0,
            atol=max(5 * std, 0.03 * mean), source=f"{BRIAN2_SEEDS}, 5 sd")
    se = np.hypot(np.std(totals, ddof=1), std) / np.sqrt(len(totals))
    c.close(f"mean total spikes over {len(totals)} seeds", totals.mean(), mean,
            atol=max(4 * se, 0.015 * mean), source=f"{BRIAN2_SEEDS}, 4 se")
    c.close("mean rate over the seeds", totals.mean() / 4000, ref["rate"]["mean"],
            atol=max(4 * se / 4000, 0.015 * ref["rate"]["mean"]), unit="Hz",
            source=f"{BRIAN2_SEEDS}, 4 se")
    c.within("mean rate of the figure's network", ns["mean_rate"], 3, 10, unit="Hz",
             source="the irregular, low-rate regime")
    return c.done()


def ex_isolated(ns: dict) -> list[Check]:
    """Exercise: an isolated neuron fires with period tau ln((El - Vr)/(El - theta))."""
    c = Checks("ex-cuba-isolated")
    e = ns["ex_isolated"]
    for el, simulated, predicted in zip(e["El"], e["isi"], e["predicted"]):
        c.close(f"interspike interval, E_l = {el / MV:g} mV", simulated, predicted,
                atol=0.1 * MS + 1e-12, unit="ms", source=f"{ANALYTIC}: τ ln((E_l-V_r)/(E_l-θ))")
    return c.done()


def ex_balance(ns: dict) -> list[Check]:
    """Exercise: the mean synaptic input at the network's rate pulls v below threshold."""
    c = Checks("ex-cuba-balance")
    e = ns["ex_balance"]
    c.close("mean excitatory input", e["ge"], 64 * e["rate"] * 1.62 * MV * 5 * MS, rtol=1e-12,
            unit="mV", source=f"{ANALYTIC}: 64 r w_e τ_e")
    c.close("mean inhibitory input", e["gi"], 16 * e["rate"] * -9 * MV * 10 * MS, rtol=1e-12,
            unit="mV", source=f"{ANALYTIC}: 16 r w_i τ_i")
    c.within("mean free potential", e["v_mean"], high=-50 * MV, unit="mV",
             source="below the threshold: fluctuation-driven firing")
    return c.done()


CHECKS = (fig_cuba_raster, ex_isolated, ex_balance)


def verify(ns: dict) -> list[Check]:
    """Every check of the page, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The values the prose quotes, from this run."""
    return {"cuba-rate": ns["mean_rate"], "cuba-spikes": ns["n_spikes"]}

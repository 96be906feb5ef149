"""Checks of book/getting-started.md: the spike times against the exact solution on the
time grid, and against Brian 2.9.0 (numpy target) run on the same model."""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, Check, Checks

MS = 1e-3
DT = 0.1 * MS


def grid_spikes(I: float, tau: float, duration: float) -> np.ndarray:
    """Spike times of the per-step exact update, threshold, stamp and reset (Brian 2's order)."""
    decay, v, times = np.exp(-DT / tau), 0.0, []
    for n in range(round(duration / DT)):
        v = I + (v - I) * decay
        if v > 1:
            times.append(n * DT)
            v = 0.0
    return np.array(times)


def fig_lif_constant_input(ns: dict) -> list[Check]:
    c = Checks("fig-lif-constant-input")
    spikes = np.asarray(ns["S"].t)
    c.equal("input I and τ", [float(np.asarray(ns["G"].I)[0]), float(ns["tau"])],
            [2.0, 10 * MS], source="the text")
    c.close("spike times", spikes, grid_spikes(2.0, 10 * MS, 0.1), atol=1e-12, unit="ms",
            source=f"{ANALYTIC}: exact update step by step")
    steps = int(np.ceil(10 * MS * np.log(2) / DT))
    c.close("spike times", spikes, (np.arange(1, len(spikes) + 1) * steps - 1) * DT,
            atol=1e-12, unit="ms", source=f"{ANALYTIC}: T = τ ln 2 rounded up to the grid")
    c.close("spike times", spikes, (6.9 + 7.0 * np.arange(14)) * MS, atol=1e-12, unit="ms",
            source="Brian 2.9.0, numpy target, same model: 14 spikes")
    c.within("largest recorded v", np.max(ns["M"].v[0]), 0.99, 1,
             source="sampled before the threshold, below 1")
    return c.done()


def ex_weaker_input(ns: dict) -> list[Check]:
    c = Checks("ex-gs-weaker")
    e = ns["ex_weaker"]
    c.close("spike times", e["simulated"], e["predicted"], atol=1e-12, unit="ms",
            source=f"{ANALYTIC}: τ ln 3 rounded up to the grid")
    c.close("spike times", e["simulated"], grid_spikes(1.5, 10 * MS, 0.1), atol=1e-12,
            unit="ms", source=f"{ANALYTIC}: exact update step by step")
    return c.done()


def ex_threshold_input(ns: dict) -> list[Check]:
    c = Checks("ex-gs-threshold")
    e = ns["ex_subthreshold"]
    c.equal("spikes with I = 1 and I = 0.9", e["counts"], [0, 0], source=ANALYTIC)
    c.within("largest v with I = 1", e["v_max"][0], 0.9999, 1, source=f"{ANALYTIC}: 1 - e^(-10)")
    c.close("largest v with I = 0.9", e["v_max"][1], 0.9 * (1 - np.exp(-10)), rtol=1e-9,
            source=f"{ANALYTIC}: I (1 - e^(-t/τ)) at the last sample")
    return c.done()


CHECKS = (fig_lif_constant_input, ex_weaker_input, ex_threshold_input)


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    spikes = np.asarray(ns["S"].t) / MS
    return {"gs-first": spikes[0], "gs-interval": spikes[1] - spikes[0], "gs-count": len(spikes),
            "gs-last": spikes[-1]}

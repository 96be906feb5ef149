"""Checks of book/tsodyks-2000.md: the figure's bursts and the statistics over seeds.

The references are book/_references/tsodyks_2000.json, made by
tests/references/ref_tsodyks_2000.py: the same model run by Brian 2 (numpy target) over
8 seeds, with the same analysis. The two simulators draw different networks for a seed,
so only statistics can agree.
"""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, Check, Checks
from snncore.checks import reference

MS, MV = 1e-3, 1e-3
BRIAN2_SEEDS = "Brian 2.9.0, same model, 8 seeds"


def _mean_x(data, t0, t1) -> float:
    """Mean recovered fraction of the EE synapses over [t0, t1) ms."""
    sel = (data["t_x"] >= t0 * MS - 1e-9) & (data["t_x"] < t1 * MS - 1e-9)
    return data["x"][sel].mean()


def fig_tum_network(ns: dict) -> list[Check]:
    """The figure: bursts occur, the activity between them is low, x drops and recovers."""
    ref = reference("tsodyks_2000")
    c = Checks("fig-tum-network")
    network, activity, bursts = ns["network"], ns["activity"], ns["bursts"]
    c.equal("burst definition (fraction, window, merge gap)",
            [ns["BURST_FRACTION"], ns["BURST_WINDOW"], ns["MERGE_GAP"]],
            [ref["burst_fraction"], ref["burst_window_ms"], ref["merge_gap_ms"]],
            source=BRIAN2_SEEDS)
    c.equal("default Δ and A", [network["spread"], network["A_ee"]], [0.5 * MV, 1.8 * MV],
            unit="mV", source="the Brian 2 version of the figure")
    c.equal("recorded bins of activity and x", [len(activity), len(network["t_x"])],
            [4200, 4200], source=ANALYTIC)
    n_ee, n_pairs = network["n_synapses"]["EE"], ns["N_E"] ** 2
    sd = np.sqrt(0.1 * 0.9 * n_pairs)
    c.within("EE synapses", n_ee, 0.1 * n_pairs - 4 * sd, 0.1 * n_pairs + 4 * sd,
             source=f"{ANALYTIC}: binomial, p = 0.1, 4 sd")
    c.within("bursts in the figure", len(bursts), low=3, source="the paper's Fig. 1")
    c.within("lowest peak activity of a burst", min(activity[b[2]] for b in bursts),
             low=0.1, source="a burst: 10% of the neurons in 1 ms")
    c.within("median activity", np.median(activity), high=0.02,
             source="asynchronous firing between bursts")
    c.within("median activity", np.median(activity),
             high=ref["median_activity_max"] + 0.005, source=BRIAN2_SEEDS)
    window = np.convolve(activity, np.ones(ns["BURST_WINDOW"]))[:len(activity)]
    quiet = np.ones(len(activity), bool)
    for first, last, _ in bursts:
        quiet[max(first - 50, 0):last + 50] = False
    c.within("largest 5 ms activity away from the bursts", window[quiet].max(),
             high=ns["BURST_FRACTION"] / 1.5, source="well below the burst threshold")
    drops, recoveries = [], []
    for first, last, _ in bursts:
        if first >= 20 and last + 20 <= 4200:
            drops.append(_mean_x(network, first - 20, first - 10)
                         - _mean_x(network, last + 10, last + 20))
    for (_, last, _), (first, _, _) in zip(bursts[:-1], bursts[1:]):
        sel = (network["t_x"] > last * MS) & (network["t_x"] < first * MS)
        recoveries.append(_mean_x(network, first - 20, first - 10) - network["x"][sel].min())
    c.within("smallest drop of x at a burst", min(drops), low=0.1,
             source="depression ends the burst")
    c.within("smallest recovery of x between bursts", min(recoveries), low=0.1,
             source="recovery sets the interval")
    c.close("mean drop of x at a burst", np.mean(drops), ref["x_drop_mean"],
            atol=3 * ref["x_drop_std"], source=f"{BRIAN2_SEEDS}, 3 sd")
    return c.done()


def tum_seeds(ns: dict) -> list[Check]:
    """Burst counts and intervals over seeds 1-6 against Brian 2's over 8 seeds."""
    ref = reference("tsodyks_2000")
    c = Checks("seeds 1-6")
    counts, intervals = ns["counts"], ns["intervals"]
    n_snn, n_b2 = len(ns["SEEDS"]), len(ref["seeds"])
    # Three standard errors of the difference of the means, with Brian 2's spread.
    se_count = ref["n_bursts_std"] * np.sqrt(1 / n_snn + 1 / n_b2)
    c.close("mean number of bursts in 4.2 s", np.mean(counts), ref["n_bursts_mean"],
            atol=3 * se_count, source=f"{BRIAN2_SEEDS}, 3 standard errors")
    se_interval = ref["interval_std"] * np.sqrt(1 / len(intervals)
                                                + 1 / len(ref["intervals_pooled"]))
    c.close("mean interval between bursts", intervals.mean(), ref["interval_mean"],
            atol=3 * se_interval, source=f"{BRIAN2_SEEDS}, 3 standard errors")
    # Single networks vary (one of six may not burst in 4.2 s; an interval may be as
    # short as about 450 ms): the bounds are what every seed tried holds, with margin.
    c.within("networks that burst", sum(n > 0 for n in counts), low=len(counts) // 2,
             source="most networks burst (Brian 2: all of 8)")
    c.within("shortest interval (ms)", intervals.min(), low=300,
             source="recovery: x regains a third of its loss in 300 ms, τ_rec = 800 ms")
    c.within("shortest interval of Brian 2 (ms)",
             min(min(np.diff(r["burst_times"]), default=1e9) for r in ref["runs"].values()),
             low=500, source=BRIAN2_SEEDS)
    return c.done()


def ex_regular_train(ns: dict) -> list[Check]:
    """Exercise: x before each spike of a regular train approaches the fixed point."""
    c = Checks("ex-tum-train")
    e = ns["ex_train"]
    for rate, x_sim, x_pred in zip(e["rates"], e["simulated"], e["predicted"]):
        c.close(f"x before the last spike at {rate:g} Hz", x_sim, x_pred, rtol=0.005,
                source=f"{ANALYTIC}: fixed point, τ_I → 0")
    return c.done()


def ex_burst_drop(ns: dict) -> list[Check]:
    """Exercise: x after a burst from the fraction of neurons that fire in it."""
    c = Checks("ex-tum-drop")
    e = ns["ex_drop"]
    c.close("lowest x after each burst", e["measured"], e["predicted"], rtol=0.1,
            source="x before × mean of (1 - U)^k, U = 0.5")
    return c.done()


CHECKS = (fig_tum_network, tum_seeds, ex_regular_train, ex_burst_drop)


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The values the prose quotes, from this run."""
    network, bursts = ns["network"], ns["bursts"]
    before = [_mean_x(network, f - 20, f - 10) for f, _, _ in bursts if f >= 20]
    return {
        "tum-seconds": network["seconds"],
        "tum-synapses": sum(network["n_synapses"].values()),
        "tum-n-bursts": len(bursts),
        "tum-x-before": np.mean(before),
        "tum-x-low": np.mean(ns["ex_drop"]["measured"]),
        "tum-bursts-fewest": min(ns["counts"]),
        "tum-bursts-most": max(ns["counts"]),
        "tum-interval-shortest": ns["intervals"].min(),
        "tum-interval-longest": ns["intervals"].max(),
    }

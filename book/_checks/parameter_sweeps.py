"""Checks of book/parameter-sweeps.md: the regime map's layout, its reproducibility, and
rate, CV, synchrony and regime at five points against Brian 2.

The references are book/_references/parameter_sweeps.json
(tests/references/ref_parameter_sweeps.py): the chapter's network run by Brian 2 with six
seeds at each point. The network is random and Brian 2 draws other random numbers, so
statistics over seeds are compared.
"""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, BRIAN2, Check, Checks
from snncore.checks import reference

BRIAN2_SEEDS = "Brian 2.9.0, same model, 6 seeds"
QUIESCENT, SR, AI, SI = range(4)


def fig_sweep_map(ns: dict) -> list[Check]:
    """The map: its size, a point repeated by hand, and the paper's layout."""
    c = Checks("fig-sweep-map")
    regimes, regime, grid = ns["regimes"], ns["regime"], ns["grid"]
    g, nu = grid["g"], grid["nu_ratio"]
    c.within("runs in the map", regime.size, low=400, source="at least 400 runs")
    c.equal("points that failed or gave no rate", int(np.isnan(regimes["rate"]).sum()), 0,
            source="every run completes")
    point, again = ns["point"], ns["again"]
    c.equal("rate, CV and chi of g = 5, nu_ext = 2 nu_thr, re-run from its run_seed",
            [again["rate"], again["cv"], again["chi"]],
            [float(point["rate"]), float(point["cv"]), float(point["chi"])],
            source="the sweep's run of that point")
    c.true("regular firing (SR) at g = 3 for every drive from nu_thr",
           regime[g == 3][:, nu >= 1] == SR, source="the paper's Fig. 2: SR left of g = 4")
    irregular = regime[g >= 5.5][:, nu >= 1]
    c.true("irregular firing (AI or SI) for g >= 5.5 and every drive from nu_thr",
           (irregular == AI) | (irregular == SI),
           source="the paper's Fig. 2: inhibition-dominated")
    c.true("quiescent for a drive of at most 0.4 nu_thr", regime[:, nu <= 0.4] == QUIESCENT,
           source="mean drive far below threshold")
    rates = regimes["rate"].transpose("nu_ratio", "g").values[np.ix_(nu >= 1, g >= 4.5)]
    c.true("rate at g = 8 below the rate at g = 4.5, at every drive from nu_thr",
           rates[:, -1] < rates[:, 0], source="inhibition lowers the rate",
           value=f"at most {np.max(rates[:, -1] / rates[:, 0]):.2f} times")
    return c.done()


def fig_sweep_references(ns: dict) -> list[Check]:
    """At each reference point: the regime where Brian 2's seeds agree on it, and the
    means of rate, CV and chi over six seeds."""
    ref = reference("parameter_sweeps")
    c = Checks("Brian 2 reference points")
    classify, regimes, repeats = ns["classify"], ns["regimes"], ns["repeats"]
    agreed = 0
    chi = {}
    for k, p in enumerate(ref["points"]):
        where = f"g = {p['g']:g}, nu_ext = {p['nu_ratio']:g} nu_thr"
        ours = repeats.isel(point=k)
        theirs = classify(p["rate"], p["cv"], p["chi"])
        # Near the SI band Brian 2's seeds fall on both sides of the boundaries: there
        # only the statistics are compared.
        if len(set(theirs.tolist())) == 1:
            agreed += 1
            mapped = classify(*(regimes[v].sel(g=p["g"], nu_ratio=p["nu_ratio"])
                                for v in ("rate", "cv", "chi")))
            c.equal(f"regime at {where}: the map's run and each of 6 seeds",
                    np.r_[mapped, classify(ours["rate"], ours["cv"], ours["chi"])],
                    np.full(7, theirs[0]), source=f"{BRIAN2_SEEDS} agree on it")
        n = len(p["rate"])
        for name, floor, unit in (("rate", 0.1, "Hz"), ("cv", 0.03, ""), ("chi", 0.01, "")):
            theirs_v = np.array(p[name], float)
            ours_v = np.asarray(ours[name], float)
            if np.isnan(theirs_v).all():
                c.true(f"{name} at {where} undefined (no spikes)", np.isnan(ours_v),
                       source=BRIAN2_SEEDS)
                continue
            spread = np.hypot(np.nanstd(ours_v, ddof=1), np.nanstd(theirs_v, ddof=1))
            # 4 standard errors of the difference of two means of 6, plus a floor (2 %
            # of the rate) for points where the seeds hardly differ.
            tolerance = 4 * spread / np.sqrt(n) + floor + (0.02 * np.nanmean(theirs_v)
                                                          if name == "rate" else 0)
            c.close(f"mean {name} over 6 seeds at {where}", np.nanmean(ours_v),
                    np.nanmean(theirs_v), atol=tolerance, unit=unit, source=BRIAN2_SEEDS)
        if p["g"] == 6.0:
            chi[p["nu_ratio"]] = (np.nanmean(p["chi"]), float(np.nanmean(ours["chi"])))
        single = float(regimes["rate"].sel(g=p["g"], nu_ratio=p["nu_ratio"]))
        mean, sd = np.mean(p["rate"]), np.std(p["rate"], ddof=1)
        c.close(f"rate of the map's run at {where}", single, mean,
                atol=4 * sd + 0.05 * mean + 0.1, unit="Hz",
                source=f"{BRIAN2_SEEDS}: 4 sd + 5 %")
    c.within("points where Brian 2's seeds agree on the regime", agreed, low=4,
             source="SR, two AI points, quiescent")
    c.true("chi higher near the threshold drive (SI, 0.6 nu_thr) than at 4 nu_thr (AI), "
           "g = 6", np.array(chi[0.6]) > 1.3 * np.array(chi[4.0]),
           value=f"{chi[0.6][1]:.2f} vs {chi[4.0][1]:.2f} (Brian 2: {chi[0.6][0]:.2f} vs "
                 f"{chi[4.0][0]:.2f})", reference="more than 1.3 times", source=BRIAN2)
    return c.done()


def ex_free(ns: dict) -> list[Check]:
    """Exercise: the free potential under external input alone (Campbell's theorem)."""
    c = Checks("ex-sweeps-free")
    e = ns["ex_free"]
    # 200 neurons over 0.9 s correlated over 20 ms: the mean's standard error is about
    # 0.03 mV; the discrete steps raise both moments by about dt/tau = 0.5 %.
    c.close("mean free potential", e["mean"], e["mu"], rtol=0.02, unit="mV",
            source=f"{ANALYTIC}: C_E J τ ν_thr")
    c.close("standard deviation of the free potential", e["std"], e["sigma"], rtol=0.05,
            unit="mV", source=f"{ANALYTIC}: J √(C_E τ ν_thr / 2)")
    return c.done()


def ex_ceiling(ns: dict) -> list[Check]:
    """Exercise: no rate above 1/tau_rp; the weakest inhibition comes closest to it."""
    c = Checks("ex-sweeps-ceiling")
    e = ns["ex_ceiling"]
    c.within("highest rate on the map", e["top"], 0.5 * e["ceiling"], e["ceiling"],
             unit="Hz", source=f"{ANALYTIC}: below 1/τ_rp, and towards it")
    rate = ns["regimes"]["rate"]
    weakest = float(rate.sel(g=rate["g"].min()).max())
    c.within("highest rate at the weakest inhibition (smallest g)", weakest,
             0.95 * e["top"], e["top"], unit="Hz",
             source="the prediction of the exercise: within 5 % of the map's highest")
    return c.done()


CHECKS = (fig_sweep_map, fig_sweep_references, ex_free, ex_ceiling)


def verify(ns: dict) -> list[Check]:
    """Every check of the page, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]

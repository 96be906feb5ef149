"""Checks of book/psp-forms.md: the traces against Brian 2, the peaks against the analysis.

The Brian 2 references are book/_references/psp_forms.json, made by
tests/references/ref_psp_forms.py.
"""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, BRIAN2, Check, Checks
from snncore.checks import reference

MS = 1e-3


def _levels(ns: dict) -> tuple[np.ndarray, dict]:
    m = ns["M_levels"]
    return np.asarray(m.t), {name: np.asarray(getattr(m, name)[0]) for name in "vuz"}


def _half_decay(t, x) -> float:
    """Time at which x, after its peak, first falls below half of it."""
    k = np.argmax(x)
    return t[k + np.argmax(x[k:] < x.max() / 2)]


def fig_psp_levels(ns: dict) -> list[Check]:
    """Three levels of abstraction: Brian 2's traces, and the peaks the text quotes."""
    ref = reference("psp_forms")
    r = ref["level_of_abstraction"]
    every, dt = r["every"], ref["dt"]
    c = Checks("fig-psp-levels")
    t, levels = _levels(ns)
    c.close("time step", ns["defaultclock"].dt, dt, atol=1e-15, unit="ms", source=BRIAN2)
    c.close("recorded times", t[::every], r["t"], atol=1e-12, unit="ms", source=BRIAN2)
    for name, trace in levels.items():
        c.close(f"trace of {name}", trace[::every], r[name], atol=1e-9, source=BRIAN2)
        c.close(f"peak of {name}", trace.max(), r["peak"][name]["value"], atol=1e-9,
                source=BRIAN2)
    t_v, t_u, t_z = (t[np.argmax(levels[name])] - 10 * MS for name in "vuz")
    c.close("peak of v, after the spike", t_v, 0, atol=1e-12, unit="ms", source=ANALYTIC)
    c.close("peak of u, after the spike", t_u, 10 * 8 / (10 - 8) * np.log(10 / 8) * MS,
            atol=2 * dt, unit="ms", source=f"{ANALYTIC}: ττ_x/(τ-τ_x) ln(τ/τ_x)")
    c.within("peak of z after the peak of u", t_z - t_u, low=5 * dt, unit="ms",
             source="the conductance weakens the leak")
    c.close("height of the peak of u", levels["u"].max(), 1, atol=0.01,
            source=f"{ANALYTIC}: 1, by the choice of k")
    c.within("height of the peak of z", levels["z"].max(), 0.4, 0.45, source=BRIAN2,
             reference="about 0.42")
    c.true("normalised z decays more slowly than u",
           _half_decay(t, levels["z"]) > _half_decay(t, levels["u"]),
           source="the conductance weakens the leak", value="later half-decay time")
    return c.done()


def _euler_biexp_peak(tau, tau2, dt) -> float:
    """Peak time of Euler's biexponential z_n = h (b^n - a^n)/(b - a): step ceil(N)."""
    n = np.log(tau / tau2) / np.log((1 - dt / tau) / (1 - dt / tau2))
    return np.ceil(n) * dt


def fig_psp_shapes(ns: dict) -> list[Check]:
    """Three PSP shapes: Brian 2's traces; peak times and heights; the shapes' order."""
    ref = reference("psp_forms")
    r = ref["psp_shapes"]
    every, dt = ref["level_of_abstraction"]["every"], ref["dt"]
    c = Checks("fig-psp-shapes")
    d = ns["shapes"]
    t_spike = ns["t_spike"]
    c.equal("τ and τ₂", [d["tau"], d["tau2"]], [r["tau"], r["tau2"]], source=BRIAN2,
            unit="ms")
    c.close("recorded times", d["t"][::every], r["t"], atol=1e-12, unit="ms", source=BRIAN2)
    for name in "vuz":
        c.close(f"trace of {name}", d[name][::every], r[name], atol=1e-9, source=BRIAN2)
        c.close(f"peak of {name}", d[name].max(), r["peak"][name]["value"], atol=1e-9,
                source=BRIAN2)
    t = d["t"]
    t_exp, t_alpha, t_biexp = (t[np.argmax(d[name])] - t_spike for name in "vuz")
    tau, tau2 = d["tau"], d["tau2"]
    c.close("exponential: peak after the spike", t_exp, 0, atol=1e-12, unit="ms",
            source=ANALYTIC)
    # Euler's u_n = n h (1-h)^(n-1), h = dt/tau, has equal maxima at n = tau/dt - 1 and
    # n = tau/dt (rounding picks either): within one step of tau.
    c.close("alpha: peak after the spike", t_alpha, tau, atol=dt + 1e-12, unit="ms",
            source=f"{ANALYTIC}: τ, Euler within one step")
    c.close("biexponential: peak after the spike", t_biexp, _euler_biexp_peak(tau, tau2, dt),
            atol=1e-12, unit="ms", source=f"{ANALYTIC}: Euler's solution")
    c.close("biexponential: peak after the spike", t_biexp, ns["biexp_peak_time"](tau, tau2),
            atol=2 * dt, unit="ms", source=f"{ANALYTIC}: eq. (biexp-peak)")
    c.close("alpha: peak height", d["u"].max(), np.exp(-1), rtol=0.01,
            source=f"{ANALYTIC}: 1/e")
    z_peak = tau2 / (tau - tau2) * (np.exp(-t_biexp / tau) - np.exp(-t_biexp / tau2))
    c.close("biexponential: peak height", d["z"].max(), z_peak, rtol=0.02,
            source=f"{ANALYTIC}: z(t_peak)")
    before = t < t_spike
    c.true("nothing moves before the spike", [np.all(d[n][before] == 0) for n in "vuz"],
           source=ANALYTIC)
    k0 = round(t_spike / dt)
    for name in "uz":
        x, k = d[name], np.argmax(d[name])
        c.true(f"{name} starts at 0, rises, then decays below half",
               x[k0] == 0 and np.all(np.diff(x[k0:k + 1]) >= 0)
               and np.all(np.diff(x[k:]) <= 0) and x[-1] < 0.5 * x[k], source=ANALYTIC)
    c.true("the exponential only decays", np.diff(d["v"][~before]) < 0, source=ANALYTIC)
    late = [d[name][-1] / d[name].max() for name in "uzv"]
    c.true("at 50 ms, normalised: alpha > biexponential > exponential",
           late[0] > late[1] > late[2], value=", ".join(f"{x:.3f}" for x in late),
           source="their tails: t e^(-t/τ), two exponentials, e^(-t/τ)")
    c.within("biexponential peaks before the alpha function", t_biexp - t_alpha, high=0,
             unit="ms", source="τ₂ < τ sets a faster rise")
    return c.done()


def ex_swap(ns: dict) -> list[Check]:
    """Exercise: swapping tau and tau2 keeps the peak time and scales the height by tau/tau2."""
    c = Checks("ex-psp-swap")
    e = ns["ex_swap"]
    c.equal("peak time, swapped", e["t_swapped"], e["t_default"], unit="ms",
            source="symmetry of eq. (biexp-peak), and of Euler's solution")
    c.close("height ratio, swapped/default", e["ratio"], 10 / 2, rtol=1e-9,
            source=f"{ANALYTIC}: τ/τ₂")
    return c.done()


def ex_textbook(ns: dict) -> list[Check]:
    """Exercise: the textbook conductance g(E - z) peaks before the current-based PSP."""
    c = Checks("ex-psp-textbook")
    e = ns["ex_textbook"]
    c.within("textbook conductance: peak minus the current-based peak",
             e["t_textbook"] - e["t_current"], high=-5 * ns["defaultclock"].dt, unit="ms",
             source="the driving force strengthens the leak")
    return c.done()


CHECKS = (fig_psp_levels, fig_psp_shapes, ex_swap, ex_textbook)


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The values the prose quotes, from this run (times in ms)."""
    t, levels = _levels(ns)
    t_u, t_z = (t[np.argmax(levels[name])] / MS - 10 for name in "uz")
    d = ns["shapes"]
    return {
        "psp-levels-u-peak": t_u,
        "psp-levels-z-lag": t_z - t_u,
        "psp-levels-z-height": levels["z"].max(),
        "psp-shapes-biexp-peak": (d["t"][np.argmax(d["z"])] - ns["t_spike"]) / MS,
    }

"""Checks of book/tutorial-synapses.md: every figure against Brian 2 and analytic results.

The Brian 2 references are book/_references/tutorial_synapses.json, made by
tests/references/ref_tutorial_synapses.py.
"""

from __future__ import annotations

import numpy as np

from _checks import ANALYTIC, BRIAN2, Check, Checks
from snncore.checks import reference

MS = 1e-3
DT = 0.1 * MS


def jump_steps(v) -> np.ndarray:
    """Steps at which a trace jumps up (a synaptic event has arrived)."""
    return np.flatnonzero(np.diff(np.asarray(v)) > 0) + 1


def _chain(c: Checks, data: dict, r: dict, every: int) -> None:
    """A LIF chain against Brian 2: steps, spikes, traces and the steps of the jumps."""
    c.equal("number of recorded steps", len(data["t"]), r["n_steps"], source=BRIAN2)
    c.equal("indices of the spiking neurons", data["spike_i"], r["spike_i"], source=BRIAN2)
    c.close("spike times", data["spike_t"], r["spike_t"], atol=1e-9, unit="ms",
            source=BRIAN2)
    for k, v in enumerate(data["v"]):
        c.close(f"v of neuron {k}", v[::every], r[f"v{k}"], atol=1e-9, source=BRIAN2)
        if k:
            c.equal(f"steps of the jumps of neuron {k}", jump_steps(v), r[f"jumps{k}"],
                    source=BRIAN2)


def fig_syn_simplest(ns: dict) -> list[Check]:
    """The simplest synapse; neuron 0's spike times against the exact solution."""
    ref = reference("tutorial_synapses")
    c = Checks("fig-syn-simplest")
    data = ns["simplest"]
    _chain(c, data, ref["simplest"], ref["every"])
    # Neuron 0 first crosses in the step whose update passes T = tau ln(I/(I-1)); the
    # spike is stamped at the start of that step, then every ceil(T/dt) steps.
    steps = int(np.ceil(10 * MS * np.log(2) / DT))
    t0 = data["spike_t"][data["spike_i"] == 0]
    c.close("spike times of neuron 0", t0, (steps * np.arange(1, len(t0) + 1) - 1) * DT,
            atol=1e-12, unit="ms", source=f"{ANALYTIC}: every ceil(τ ln 2/dt) steps")
    c.equal("spikes of neuron 0 in 100 ms", len(t0), 14, source=ANALYTIC)
    return c.done()


def fig_syn_weight(ns: dict) -> list[Check]:
    """Weights j*0.2 onto neurons 1 and 2."""
    ref = reference("tutorial_synapses")
    c = Checks("fig-syn-weight")
    _chain(c, ns["weighted"], ref["weight"], ref["every"])
    return c.done()


def fig_syn_delay(ns: dict) -> list[Check]:
    """Delays j*2 ms: the jumps of the weighted chain, shifted by the delay."""
    ref = reference("tutorial_synapses")
    c = Checks("fig-syn-delay")
    delayed, weighted = ns["delayed"], ns["weighted"]
    _chain(c, delayed, ref["delay"], ref["every"])
    for k in (1, 2):
        shift = round(k * 2 * MS / DT)
        c.equal(f"jump steps of neuron {k} minus those without delay",
                jump_steps(delayed["v"][k]) - jump_steps(weighted["v"][k])[:6],
                np.full(6, shift), source=f"{ANALYTIC}: the delay, {2 * k} ms")
        first = jump_steps(delayed["v"][k])[0]
        c.close(f"first jump of neuron {k}", delayed["v"][k][first], 0.2 * k, atol=1e-12,
                source=f"{ANALYTIC}: the weight")
    return c.done()


def _random(c: Checks, pairs, p: float) -> None:
    """Random pairs: distinct, no self-connections, count within 4 binomial sd."""
    n = 90
    c.true(f"p = {p}: no self-connection and no duplicate",
           all(i != j for i, j in pairs) and len(set(pairs)) == len(pairs), source=ANALYTIC)
    sd = np.sqrt(n * p * (1 - p))
    c.within(f"p = {p}: number of synapses", len(pairs), n * p - 4 * sd, n * p + 4 * sd,
             source=f"{ANALYTIC}: binomial, mean {n * p:g}, 4 sd")


def fig_syn_random(ns: dict) -> list[Check]:
    c = Checks("fig-syn-random")
    _random(c, ns["random_pairs"], 0.2)
    return c.done()


def fig_syn_random_sweep(ns: dict) -> list[Check]:
    c = Checks("fig-syn-random-sweep")
    for p, pairs in ns["sweep_pairs"].items():
        _random(c, pairs, p)
    full = sorted((i, j) for i in range(10) for j in range(10) if i != j)
    c.equal("p = 1: every pair i ≠ j", sorted(ns["sweep_pairs"][1.0]), full, source=ANALYTIC)
    return c.done()


def _pairs(c: Checks, pairs, expected, source) -> None:
    c.equal("synapses (i, j)", [[int(i), int(j)] for i, j in pairs], expected, source=source)


def fig_syn_condition(ns: dict) -> list[Check]:
    ref = reference("tutorial_synapses")
    c = Checks("fig-syn-condition")
    band = [[i, j] for i in range(10) for j in range(10) if abs(i - j) < 4 and i != j]
    _pairs(c, ns["condition_pairs"], ref["conn_condition"], BRIAN2)
    _pairs(c, ns["condition_pairs"], band, f"{ANALYTIC}: |i - j| < 4, i ≠ j")
    return c.done()


def fig_syn_generator(ns: dict) -> list[Check]:
    ref = reference("tutorial_synapses")
    c = Checks("fig-syn-generator")
    _pairs(c, ns["generator_pairs"], ref["conn_generator"], BRIAN2)
    return c.done()


def fig_syn_one_to_one(ns: dict) -> list[Check]:
    ref = reference("tutorial_synapses")
    c = Checks("fig-syn-one-to-one")
    _pairs(c, ns["one_to_one_pairs"], ref["conn_one_to_one"], BRIAN2)
    _pairs(c, ns["one_to_one_pairs"], [[k, k] for k in range(10)], ANALYTIC)
    return c.done()


def fig_syn_distance(ns: dict) -> list[Check]:
    r = reference("tutorial_synapses")["distance"]
    c = Checks("fig-syn-distance")
    d = ns["distance"]
    c.equal("number of synapses", len(d["w"]), r["n"], source=BRIAN2)
    c.equal("sampled synapses (i, j)", [d["i"][r["k"]], d["j"][r["k"]]], [r["i"], r["j"]],
            source=BRIAN2)
    c.close("sampled weights", d["w"][r["k"]], r["w"], atol=1e-9, source=BRIAN2)
    sigma = 30 / 4 * 50e-6
    c.close("all weights", d["w"], np.exp(-((d["i"] - d["j"]) * 50e-6) ** 2 / (2 * sigma**2)),
            rtol=1e-12, source=f"{ANALYTIC}: the Gaussian of the distance")
    return c.done()


def fig_stdp_clock(ns: dict) -> list[Check]:
    r = reference("tutorial_synapses")["stdp_clock"]
    every = reference("tutorial_synapses")["every"]
    c = Checks("fig-stdp-clock")
    d = ns["stdp_clock"]
    c.equal("spiking neurons", d["spike_i"], r["spike_i"], source=BRIAN2)
    c.close("spike times", d["spike_t"], r["spike_t"], atol=1e-9, unit="ms", source=BRIAN2)
    for var in ("w", "apre", "apost"):
        c.close(f"trace of {var}", d[var][::every], r[var], atol=1e-9, source=BRIAN2)
    t_pre, t_post = d["spike_t"]
    c.close("final weight", d["w"][-1], 0.01 * np.exp(-(t_post - t_pre) / (20 * MS)),
            rtol=1e-9, source=f"{ANALYTIC}: A_pre exp(-Δt/τ_pre)")
    return c.done()


def fig_stdp_pairs(ns: dict) -> list[Check]:
    """Event-driven STDP: the final weights are the window at the actual differences."""
    r = reference("tutorial_synapses")["stdp_event"]
    c = Checks("fig-stdp-pairs")
    d = ns["stdp_pairs"]
    c.true("default parameters", d["taupre"] == d["taupost"] == 20 * MS and d["Apre"] == 0.01,
           value="τ = 20 ms, A_pre = 0.01", source="the tutorial")
    c.close("nominal Δt", d["delta_t"], r["dt_nominal"], atol=1e-15, unit="ms", source=BRIAN2)
    c.close("presynaptic spike times", d["t_pre"], r["t_pre"], atol=1e-9, unit="ms",
            source=BRIAN2)
    c.close("postsynaptic spike times", d["t_post"], r["t_post"], atol=1e-9, unit="ms",
            source=BRIAN2)
    c.close("final weights", d["w"], r["w"], rtol=1e-9, source=BRIAN2)
    actual = d["t_post"] - d["t_pre"]
    c.true("actual Δt: nominal Δt rounded to the step, same sign",
           (actual != 0) & (np.sign(actual) == np.sign(d["delta_t"]))
           & (np.abs(actual - d["delta_t"]) < DT + 1e-12), source=ANALYTIC)
    window = ns["stdp_window"](actual, d["taupre"], d["taupost"], d["Apre"], d["Apost"])
    c.close("final weights against the window", d["w"], window, rtol=1e-9,
            source=f"{ANALYTIC}: the window at the actual Δt")
    return c.done()


def ex_first_spike(ns: dict) -> list[Check]:
    """Exercise: the weight that makes neuron 1 fire after n jumps."""
    c = Checks("ex-syn-jumps")
    e = ns["ex_jumps"]
    c.close("first spike of neuron 1, w = 0.25", e["simulated"], e["predicted"], atol=1e-9,
            unit="ms", source=f"{ANALYTIC}: the geometric sum of the jumps")
    return c.done()


def ex_truncated_window(ns: dict) -> list[Check]:
    """Exercise: the 100 pairs sum to more than zero although the window integrates below."""
    c = Checks("ex-syn-window")
    e = ns["ex_window"]
    c.within("integral of the full window", e["integral"], high=0, unit="ms",
             source=f"{ANALYTIC}: A_pre τ_pre + A_post τ_post")
    c.within("sum of the 100 final weights", e["total"], low=0, source="this build")
    c.close("sum of the 100 final weights", e["total"], e["predicted"], rtol=1e-9,
            source=f"{ANALYTIC}: the window summed at the actual Δt")
    return c.done()


def ex_dimension(ns: dict) -> list[Check]:
    """Exercise: a width without its square runs, and every weight is about 1."""
    c = Checks("ex-syn-units")
    e = ns["ex_units"]
    c.true("exp(x_pre) refused", e["refused"], source="snncore's dimension check",
           value=e["message"][:60] + "…")
    c.close("weights with the wrong width", e["w_wrong"],
            np.exp(-((e["i"] - e["j"]) * 50e-6) ** 2 / (2 * 375e-6)), rtol=1e-12,
            source=f"{ANALYTIC}: exp(-d²/(2 width)), width a float")
    c.within("smallest of them", e["w_wrong"].min(), low=0.997, source=ANALYTIC)
    return c.done()


CHECKS = (fig_syn_simplest, fig_syn_weight, fig_syn_delay, fig_syn_random,
          fig_syn_random_sweep, fig_syn_condition, fig_syn_generator, fig_syn_one_to_one,
          fig_syn_distance, fig_stdp_clock, fig_stdp_pairs, ex_first_spike,
          ex_truncated_window, ex_dimension)


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The values the prose quotes, from this run (in ms unless named otherwise)."""
    s, w, d, clock = ns["simplest"], ns["weighted"], ns["delayed"], ns["stdp_clock"]

    def spikes(data, k):
        return data["spike_t"][data["spike_i"] == k] / MS

    t0 = spikes(s, 0)
    out = {
        "syn-period": t0[1] - t0[0],
        "syn-first-spike": t0[0],
        "syn-simplest-n1": len(spikes(s, 1)),
        "syn-simplest-t1a": spikes(s, 1)[0], "syn-simplest-t1b": spikes(s, 1)[1],
        "syn-weight-t1": spikes(w, 1)[0], "syn-weight-t2": spikes(w, 2)[0],
        "syn-delay-t1": spikes(d, 1)[0], "syn-delay-t2": spikes(d, 2)[0],
        "syn-delay-arrive1": d["t"][jump_steps(d["v"][1])[0]] / MS,
        "syn-delay-arrive2": d["t"][jump_steps(d["v"][2])[0]] / MS,
        "syn-random-n": len(ns["random_pairs"]),
        "stdp-clock-pre": clock["spike_t"][0] / MS, "stdp-clock-post": clock["spike_t"][1] / MS,
        "stdp-clock-w": clock["w"][-1],
    }
    return out

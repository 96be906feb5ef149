"""Checks of book/short-term-plasticity.md.

The synapse, coincidence and tuning figures are checked against Brian 2
(book/_references/short_term_plasticity.json, tests/references/ref_short_term_plasticity.py).

The Bayesian decoder is checked against the posterior of the Poisson model it assumes,
in closed form (dense Gaussian tuning curves) and by Bayes' rule written out detector by
detector, and its error on the simulated detectors must fall with their number.
"""

from __future__ import annotations

from math import erfc, sqrt

import numpy as np
from scipy.special import factorial

from _checks import ANALYTIC, BRIAN2, Check, Checks
from snncore.checks import reference

MS = 1e-3


def _gaussian_closed_form(log_posterior) -> tuple[np.ndarray, np.ndarray]:
    """The decoder and the closed form on Poisson counts from dense Gaussian tuning curves.

    With tuning curves g exp(-(c_k - x)^2/(2 s^2)) whose centres c_k are much closer than
    s and reach far beyond the candidates x, sum_k lambda_k(x) does not depend on x, and
    the posterior of counts n is the Gaussian of mean sum n_k c_k / sum n_k and variance
    s^2 / sum n_k (evaluated on the candidates and normalised; Dayan and Abbott 2001, 3.3).
    """
    s, gain = 1 * MS, 2.0
    centres = np.arange(-48, 49) * 0.25 * MS  # -12 to 12 ms
    grid = np.arange(-40, 41) * 0.1 * MS  # candidates, -4 to 4 ms
    rates = gain * np.exp(-(grid[:, None] - centres) ** 2 / (2 * s**2))
    truths = np.array([-2.3, 0.0, 1.7]) * MS
    rng = np.random.default_rng(18)
    counts = rng.poisson(gain * np.exp(-(truths[:, None] - centres) ** 2 / (2 * s**2)))
    decoded = np.exp(log_posterior(counts, rates))
    total = counts.sum(axis=1, keepdims=True)
    mean = counts @ centres[:, None] / total
    closed = np.exp(-(grid - mean) ** 2 * total / (2 * s**2))
    return decoded, closed / closed.sum(axis=1, keepdims=True)


def _bayes_rule(rates: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Bayes' rule with a flat prior, each detector's count a Poisson count.

    ``rates`` is indexed by (candidate, kind), ``counts`` by (kind, trial, detector);
    returns the posteriors indexed by (trial, candidate).
    """
    n, lam = counts[..., None], rates.T[:, None, None, :]
    pmf = lam**n * np.exp(-lam) / factorial(n)  # the Poisson probability of each count
    likelihood = np.prod(pmf, axis=(0, 2))
    return likelihood / likelihood.sum(axis=-1, keepdims=True)


def _mass_near(ns: dict, n: int) -> float:
    """Mean posterior probability within 1 ms of the true delta_t, n detectors per kind."""
    candidates = ns["candidates"]
    near = np.abs(candidates[None, :] - candidates[:, None]) <= 1.001 * MS  # (true, cand)
    return float(np.mean(np.einsum("jtc,jc->jt", ns["posteriors"][n], near)))


def fig_stp(ns: dict) -> list[Check]:
    """Tsodyks-Markram synapses: Brian 2's Euler traces and the PSP peaks."""
    ref = reference("short_term_plasticity")
    c = Checks("fig-stp")
    for name, first in (("depression", 0.45), ("facilitation", 0.15)):
        data, r = ns[name], ref[name]
        for var in ("t", "v", "u", "x"):
            c.close(f"{name}: {var}", np.asarray(data[var])[::10], r[var], atol=1e-9,
                    unit="ms" if var == "t" else "", source=BRIAN2)
        c.close(f"{name}: PSP peaks", data["peaks"], r["peaks"], atol=1e-9, source=BRIAN2)
        c.close(f"{name}: first PSP", data["peaks"][0], first, atol=1e-12,
                source=f"{ANALYTIC}: U")
    c.true("depression: each PSP smaller", np.diff(ns["depression"]["peaks"]) < 0,
           source="the text")
    c.true("facilitation: each PSP larger", np.diff(ns["facilitation"]["peaks"]) > 0,
           source="the text")
    return c.done()


def fig_coincidence(ns: dict) -> list[Check]:
    """The coincidence detector: Brian 2's trace, and its maxima in closed form."""
    ref = reference("short_term_plasticity")["coincidence"]
    c = Checks("fig-coincidence")
    d = ns["coincidence"]
    c.close("t", d["t"], ref["t"], atol=1e-12, unit="ms", source=BRIAN2)
    c.close("v", d["v"], ref["v"], atol=1e-9, source=BRIAN2)
    first = 0.6 * (1 + np.exp(-1 / 5))  # v just after the close pair, at 11 ms
    c.close("largest v after the pair 1 ms apart", d["max_1ms"], first, atol=1e-9,
            source=f"{ANALYTIC}: 0.6 (1 + e^(-1/5))")
    c.close("largest v after the pair 10 ms apart", d["max_10ms"],
            (first * np.exp(-39 / 5) + 0.6) * np.exp(-2) + 0.6, atol=1e-9, source=ANALYTIC)
    c.true("only the close pair crosses 1", d["max_1ms"] > 1 > d["max_10ms"],
           source="the text")
    return c.done()


def fig_tuning(ns: dict) -> list[Check]:
    """The tuning curve: its peak, and Brian 2's curve within 4.5 combined standard errors."""
    r = reference("short_term_plasticity")["tuning"]
    c = Checks("fig-tuning")
    t = ns["tuning"]
    c.close("δt", t["delta_t"], r["delta_t"], atol=1e-15, unit="ms", source=BRIAN2)
    c.within("δt of the largest count", abs(t["delta_t"][np.argmax(t["mean"])]),
             high=1 * MS, unit="ms", source="coincidence at δt = 0")
    baseline = np.mean(np.r_[t["mean"][:8], t["mean"][-8:]])  # |delta_t| >= 8.5 ms
    c.within("peak minus baseline, in standard errors",
             (t["mean"].max() - baseline) / t["sem"].max(), low=20, source="a clear peak")
    # 41 independent points: a false alarm at 4.5 se has probability ~3e-4.
    z = (t["mean"] - np.array(r["mean_count"])) / np.hypot(t["sem"], r["sem"])
    c.within("largest |z| against Brian 2", np.max(np.abs(z)), high=4.5,
             source="Brian 2.9.0, 2000 neurons per δt")
    c.within("mean z against Brian 2", abs(np.mean(z)), high=4.5 / np.sqrt(len(z)),
             source="Brian 2.9.0: no overall offset")
    return c.done()


def fig_decoder(ns: dict) -> list[Check]:
    """The population figure: the curves and the dots are the Gaussians of the text."""
    c = Checks("fig-decoder")
    centres, deltat, marked = ns["centres"], ns["deltat"], ns["marked"]
    c.close("centres (ms)", centres, [-2, -4 / 3, -2 / 3, 0, 2 / 3, 4 / 3, 2], atol=1e-15,
            source="the text")
    c.close("tuning curves", ns["curves"], np.exp(-(centres[:, None] - deltat) ** 2 / 2),
            atol=1e-15, source=f"{ANALYTIC}: eq. (gaussian-tuning)")
    dots = [line for line in ns["population_fig"].axes[0].get_lines()
            if line.get_marker() == "o"]
    c.equal("dots drawn", len(dots), 7, source="one per neuron")
    c.close("dots", [dot.get_xydata()[0] for dot in dots],
            [[deltat[marked], np.exp(-(k - deltat[marked]) ** 2 / 2)] for k in centres],
            atol=1e-12, source="the curves at the marked δt")
    c.equal("most active neuron", np.argmax(ns["curves"][:, marked]), 2,
            source="the text: centred at -0.67 ms")
    return c.done()


def ex_second_psp(ns: dict) -> list[Check]:
    """Exercise: the second PSP of both synapses, predicted from the equations."""
    c = Checks("ex-stp-second")
    e = ns["ex_second"]
    for name in ("depression", "facilitation"):
        c.close(f"{name}: second PSP", ns[name]["peaks"][1], e[name], rtol=0.01,
                source=f"{ANALYTIC}: eqs. (tm-between) and (tm-spike)")
    return c.done()


def ex_window(ns: dict) -> list[Check]:
    """Exercise: the τ from which the pair 10 ms apart crosses the threshold."""
    c = Checks("ex-stp-window")
    e = ns["ex_window"]
    c.within("τ at which the pair 10 ms apart reaches 1", e["tau_cross"], 17 * MS, 18 * MS,
             unit="ms", source=f"{ANALYTIC}: root of the largest v")
    c.close("largest v, τ = 17 and 18 ms", e["simulated"], e["predicted"], atol=1e-9,
            source=f"{ANALYTIC}: sums of decayed jumps")
    c.true("below 1 at 17 ms, above at 18 ms", e["simulated"][0] < 1 < e["simulated"][1],
           source="the text")
    c.within("τ for the pair 10 ms apart alone", e["tau_alone"], 24 * MS, 25 * MS,
             unit="ms", source=f"{ANALYTIC}: 10 ms/ln 1.5")
    return c.done()


def fig_decoder_posterior(ns: dict) -> list[Check]:
    """The decoder: closed-form posteriors, and the tuning curves of the delay lines."""
    c = Checks("fig-decoder-posterior")
    decoded, closed = _gaussian_closed_form(ns["log_posterior"])
    c.close("posterior of Poisson counts from 97 Gaussian tuning curves 0.25 ms apart",
            decoded, closed, atol=1e-9,
            source=f"{ANALYTIC}: Gaussian of mean Σn_k c_k/Σn_k, variance s²/Σn_k")
    rates, test, candidates = ns["rates"], ns["test"], ns["candidates"]
    n = 10
    # One array per true delta_t: (kind, trial, detector) -> (trial, candidate).
    bayes = np.stack([_bayes_rule(rates, test[j, ..., :n]) for j in range(len(candidates))])
    c.close(f"posteriors of the {bayes.shape[0] * bayes.shape[1]} simulated trials, "
            f"{n} detectors per kind", ns["posteriors"][n], bayes, atol=1e-12,
            source=f"{ANALYTIC}: Bayes' rule, Poisson probability of each detector's count")
    c.within("mean posterior within 1 ms of the true δt, 100 detectors per kind",
             _mass_near(ns, 100), 0.95, source="the text: the decoder recovers δt")
    # Delay lines: the tuning curve of kind k is that of c = 0 shifted by c_k.
    n_tuning = ns["n_tuning"]
    sem = ns["counts"][..., :n_tuning].std(axis=2, ddof=1) / np.sqrt(n_tuning)
    step = candidates[1] - candidates[0]
    zero = int(np.flatnonzero(np.isclose(ns["preferred"], 0))[0])
    z = []
    for k, pref in enumerate(ns["preferred"]):
        shift = int(round(pref / step))
        for j in range(max(shift, 0), len(candidates) + min(shift, 0)):
            z.append((rates[j, k] - rates[j - shift, zero])
                     / np.hypot(sem[j, k], sem[j - shift, zero]))
    c.within("largest |z| between each tuning curve and the c = 0 curve, shifted",
             np.max(np.abs(z)), high=4.5,
             source=f"statistics: {n_tuning} detectors per point, {len(z)} points "
                    f"(chance of a false alarm {len(z) * erfc(4.5 / sqrt(2)):.0e})")
    return c.done()


def fig_decoder_error(ns: dict) -> list[Check]:
    """The decoding error falls with the number of detectors, below the spacing."""
    c = Checks("fig-decoder-error")
    error, poisson_error = ns["decoding_error"], ns["poisson_error"]
    n = ns["n_detectors"]
    values = ", ".join(f"{e / MS:.2f}" for e in error)
    steps = ", ".join(str(int(k)) for k in n)
    c.true(f"error falls with each step of [{steps}] detectors per kind", np.diff(error) < 0,
           value=f"[{values}] ms", reference="each smaller than the last",
           source="the text: the decoder recovers δt")
    c.within(f"error with {n[-1]} detectors per kind", error[-1], high=0.5 * MS, unit="ms",
             source="the text: well below the 1 ms between preferred values")
    c.within("error with 1 detector per kind, as a fraction of the prior's",
             error[0] / ns["prior_error"], 0.7, 1.0,
             source="the text: one detector of each kind says little")
    c.true("Poisson-model error falls with each step", np.diff(poisson_error) < 0,
           value="[" + ", ".join(f"{e / MS:.2f}" for e in poisson_error) + "] ms",
           reference="each smaller than the last",
           source="the text: the decoder on its own model")
    c.true("simulated error below the Poisson model's from 10 detectors per kind",
           error[n >= 10] < poisson_error[n >= 10],
           source="the text: counts less variable than Poisson")
    return c.done()


CHECKS = (fig_stp, fig_coincidence, fig_tuning, fig_decoder, fig_decoder_posterior,
          fig_decoder_error, ex_second_psp, ex_window)


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure; raises at the first failing figure."""
    return [record for check in CHECKS for record in check(ns)]


def numbers(ns: dict) -> dict:
    """The numbers the prose quotes, from this run."""
    rates, candidates, preferred = ns["rates"], ns["candidates"], ns["preferred"]
    far = np.abs(candidates[:, None] - preferred) >= 4 * MS  # no coincidence
    at = np.isclose(candidates[:, None], preferred)  # each kind at its preferred value
    tuning_counts = ns["counts"][..., :ns["n_tuning"]]
    depression, facilitation, tuning = ns["depression"], ns["facilitation"], ns["tuning"]
    return {**{f"stp-dep-{k}": float(p) for k, p in enumerate(depression["peaks"])},
            **{f"stp-fac-{k}": float(p) for k, p in enumerate(facilitation["peaks"])},
            "stp-max-1ms": float(ns["coincidence"]["max_1ms"]),
            "stp-max-10ms": float(ns["coincidence"]["max_10ms"]),
            "stp-tuning-baseline": float(np.mean(np.r_[tuning["mean"][:8],
                                                       tuning["mean"][-8:]])),
            "stp-decoder-baseline": float(np.median(rates[far])),
            "stp-decoder-near-10": 100 * _mass_near(ns, 10),
            "stp-decoder-near-100": 100 * _mass_near(ns, 100),
            "stp-decoder-error-1": float(ns["decoding_error"][0] / MS),
            "stp-decoder-error-100": float(ns["decoding_error"][-1] / MS),
            "stp-decoder-error-prior": float(ns["prior_error"] / MS),
            "stp-decoder-poisson-100": float(ns["poisson_error"][-1] / MS),
            "stp-decoder-once": 100 * float(np.mean(tuning_counts[at] == 1))}

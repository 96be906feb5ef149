"""Checks of book/short-term-plasticity.md.

The Bayesian decoder is checked against the posterior of the Poisson model it assumes,
in closed form (dense Gaussian tuning curves) and by Bayes' rule written out detector by
detector, and its error on the simulated detectors must fall with their number.
"""

from __future__ import annotations

from math import erfc, sqrt

import numpy as np
from scipy.special import factorial

from _checks import ANALYTIC, Check, Checks

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


def verify(ns: dict) -> list[Check]:
    """Every check of the chapter, figure by figure."""
    return fig_decoder_posterior(ns) + fig_decoder_error(ns)


def numbers(ns: dict) -> dict:
    """The numbers the decoder's prose quotes."""
    rates, candidates, preferred = ns["rates"], ns["candidates"], ns["preferred"]
    far = np.abs(candidates[:, None] - preferred) >= 4 * MS  # no coincidence
    at = np.isclose(candidates[:, None], preferred)  # each kind at its preferred value
    tuning_counts = ns["counts"][..., :ns["n_tuning"]]
    return {"stp-decoder-baseline": float(np.median(rates[far])),
            "stp-decoder-near-10": 100 * _mass_near(ns, 10),
            "stp-decoder-near-100": 100 * _mass_near(ns, 100),
            "stp-decoder-error-1": float(ns["decoding_error"][0] / MS),
            "stp-decoder-error-100": float(ns["decoding_error"][-1] / MS),
            "stp-decoder-error-prior": float(ns["prior_error"] / MS),
            "stp-decoder-poisson-100": float(ns["poisson_error"][-1] / MS),
            "stp-decoder-once": 100 * float(np.mean(tuning_counts[at] == 1))}

"""The agreement rule between snncore's monitors and Brian 2's.

Monitors are matched by kind and creation order (the first ``StateMonitor`` of one run
with the first of the other, and so on); both runs must have the same monitors, each
with the same recorded variables.

Deterministic scripts (two Brian 2 runs with different seeds give identical monitors):
every array must have Brian 2's shape and agree element by element,
``|snn - b2| <= 1e-6 |b2| + 1e-6 max|b2|`` (the absolute floor is 1e-6 of the array's
largest magnitude, so values that cross zero are judged on the array's own scale).
Spikes and events are compared as (time, index) pairs sorted by time then index, so the
order within one time step does not matter.

Chaotic deterministic scripts: where snncore differs from Brian 2's numpy run, Brian 2's
cython run is the second opinion. When it too leaves the numpy run, and snncore leaves it
nowhere earlier than cython does (the first element out of tolerance, along time for
recorded traces), snncore agrees as closely as Brian 2's own targets agree
(:func:`compare_chaotic`).

Stochastic scripts: the monitors are reduced to summary statistics (:func:`statistics`),
and each statistic must lie within Brian 2's spread over its seeded runs:
``|snn - mean| <= k sd sqrt(1 + 1/n) + 1e-6 |mean| + floor``, with ``mean`` and ``sd``
(``ddof=1``) over Brian 2's ``n`` runs, ``k`` the two-sided 99.9% quantile of Student's t
with ``n - 1`` degrees of freedom (12.9 for n = 4), and ``floor`` 1e-6 of the largest
magnitude among Brian 2's values of that statistic. A statistic that is the same in every
seeded run (a recording length, a deterministic part of the network) thus has to agree to
1e-6.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import t as student_t

RTOL = 1e-6
CONFIDENCE = 0.999


def _events_sorted(data: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """A spike/event monitor's per-event arrays sorted by (time, index)."""
    order = np.lexsort((data[prefix + ".i"], data[prefix + ".t"]))
    n = len(order)
    return {k: v[order] if k.startswith(prefix + ".") and v.ndim == 1 and len(v) == n
            and not k.endswith(".count") else v
            for k, v in data.items() if k.startswith(prefix + ".")}


def _canonical(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = dict(data)
    for key in data:
        if key.endswith(".i") and key[:-2] + ".t" in data:
            out.update(_events_sorted(data, key[:-2]))
    return out


def _close(a: np.ndarray, b: np.ndarray) -> tuple[bool, float]:
    """(agrees, largest deviation relative to the array's scale)."""
    scale = float(np.nanmax(np.abs(b))) if b.size else 0.0
    finite = np.isfinite(b)
    if not np.array_equal(finite, np.isfinite(a)) or not np.array_equal(
            a[~finite], b[~finite], equal_nan=True):
        return False, float("inf")
    diff = np.abs(a[finite] - b[finite])
    ok = bool(np.all(diff <= RTOL * np.abs(b[finite]) + RTOL * scale))
    worst = float(diff.max() / scale) if diff.size and scale > 0 else float(diff.max(initial=0))
    return ok, worst


def _structure(snn: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> str | None:
    if snn.keys() != ref.keys():
        missing, extra = sorted(ref.keys() - snn.keys()), sorted(snn.keys() - ref.keys())
        parts = ([f"missing {', '.join(missing[:3])}"] if missing else []) + \
                ([f"extra {', '.join(extra[:3])}"] if extra else [])
        return "monitors differ: " + "; ".join(parts)
    return None


def compare_deterministic(snn: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> str | None:
    """None when snncore agrees with Brian 2's single run, else what differs first."""
    problem = _structure(snn, ref)
    if problem:
        return problem
    snn, ref = _canonical(snn), _canonical(ref)
    for key in sorted(ref):
        if snn[key].shape != ref[key].shape:
            return f"{key}: shape {snn[key].shape} vs Brian 2's {ref[key].shape}"
        ok, worst = _close(snn[key], ref[key])
        if not ok:
            return f"{key}: differs by {worst:.2g} of its scale"
    return None


def _first_departure(a: np.ndarray, b: np.ndarray) -> int | None:
    """The first element (the first time step, for a trace of shape (n, t)) where ``a``
    leaves ``b``'s tolerance, or None."""
    if a.shape != b.shape:
        return 0
    scale = float(np.nanmax(np.abs(b))) if b.size else 0.0
    bad = ~(np.abs(a - b) <= RTOL * np.abs(b) + RTOL * scale)
    bad &= ~(np.isnan(a) & np.isnan(b))
    if a.ndim == 2:
        bad = bad.any(axis=0)
    found = np.flatnonzero(bad.ravel())
    return int(found[0]) if found.size else None


def compare_chaotic(snn: dict[str, np.ndarray], ref: dict[str, np.ndarray],
                    cython: dict[str, np.ndarray]) -> tuple[str | None, str]:
    """Judge a deterministic run that differs from Brian 2's numpy run against the spread
    of Brian 2's own targets.

    Returns
    -------
    (problem, note)
        ``problem`` None when, for every array that Brian 2's cython run takes out of the
        numpy run's tolerance, snncore leaves it no earlier, and snncore matches wherever
        cython does; ``note`` says where each leaves it.
    """
    problem = compare_deterministic(snn, ref)
    if problem is None or _structure(cython, ref):
        return problem, ""
    snn, ref, cython = _canonical(snn), _canonical(ref), _canonical(cython)
    note = ""
    for key in sorted(ref):
        ours = _first_departure(snn[key], ref[key])
        theirs = _first_departure(cython[key], ref[key])
        if ours is not None and (theirs is None or ours < theirs):
            return (problem if theirs is None else
                    f"{key}: leaves Brian 2 numpy at element {ours}, before Brian 2 cython "
                    f"does (element {theirs})"), ""
        if theirs is not None and not note:
            note = (f"chaotic: Brian 2 cython leaves its numpy run at element {theirs} of "
                    f"{key}, snncore " + ("never" if ours is None else f"at {ours}"))
    return None, note


def statistics(data: dict[str, np.ndarray]) -> dict[str, float]:
    """Summary statistics of every monitor array.

    Spikes and events: their number, the standard deviation of the count per source
    element, and the mean of their times. Every other array (state variables, rates,
    variables recorded at events, plotted values): the number of its elements, and their
    mean and standard deviation.
    """
    def std(values: np.ndarray) -> float:
        # Exactly 0 for a constant array (numpy's rounding would make it ~1e-16 * value).
        return float(values.std()) if values.size and values.max() > values.min() else 0.0

    events = {key[:-len(".count")] for key in data if key.endswith(".count")}
    stats = {}
    for key, values in data.items():
        values = values.astype(float)
        prefix, _, var = key.rpartition(".")
        if prefix in events and var in ("count", "i", "t"):
            if var == "count":
                stats[key + ":total"] = float(values.sum())
                stats[key + ":std"] = std(values)
            elif var == "t":
                stats[key + ":mean"] = float(values.mean()) if values.size else 0.0
            continue
        stats[key + ":size"] = float(values.size)
        finite = values[np.isfinite(values)]
        stats[key + ":mean"] = float(finite.mean()) if finite.size else 0.0
        stats[key + ":std"] = std(finite)
    return stats


def within_spread(ours: dict[str, float], theirs: list[dict[str, float]]) -> str | None:
    """None when every statistic of ours lies within the spread of Brian 2's seeded runs
    (the rule in the module docstring), else the statistic furthest outside it."""
    missing = sorted(theirs[0].keys() - ours.keys())
    if missing:
        return f"missing {', '.join(missing[:3])}"
    n = len(theirs)
    k = float(student_t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * np.sqrt(1 + 1 / n)
    worst, worst_ratio = None, 1.0
    for key in sorted(theirs[0]):
        values = np.array([s[key] for s in theirs])
        mean, sd = values.mean(), values.std(ddof=1)
        tolerance = k * sd + RTOL * abs(mean) + RTOL * np.abs(values).max()
        deviation = abs(ours[key] - mean)
        ratio = deviation / tolerance if tolerance > 0 else (0.0 if deviation == 0 else np.inf)
        if ratio > worst_ratio:
            worst_ratio = ratio
            worst = f"{key} = {ours[key]:.4g}, Brian 2 {mean:.4g} +- {sd:.2g} (n={n})"
    return worst


def compare_stochastic(snn: dict[str, np.ndarray],
                       refs: list[dict[str, np.ndarray]]) -> str | None:
    """None when every statistic of snncore's run lies within Brian 2's spread over seeds."""
    return _structure(snn, refs[0]) or within_spread(statistics(snn),
                                                     [statistics(r) for r in refs])


#: Arrays longer than this are compared at evenly spaced sample points (stored references).
SAMPLES = 2000


def sample(data: dict[str, np.ndarray]) -> dict[str, dict]:
    """Each array as ``{"shape", "stride", "values"}``: flattened (events sorted by time
    and index first), every ``stride``-th element, at most :data:`SAMPLES` of them."""
    out = {}
    for key, values in _canonical(data).items():
        flat = values.ravel()
        stride = max(1, -(-flat.size // SAMPLES))
        out[key] = {"shape": list(values.shape), "stride": stride,
                    "values": flat[::stride].tolist()}
    return out


def compare_sampled(snn: dict[str, np.ndarray], ref: dict[str, dict]) -> str | None:
    """The deterministic rule applied at a stored reference's sample points."""
    if snn.keys() != ref.keys():
        return _structure(snn, dict.fromkeys(ref))
    snn = _canonical(snn)
    for key in sorted(ref):
        if list(snn[key].shape) != ref[key]["shape"]:
            return f"{key}: shape {snn[key].shape} vs Brian 2's {tuple(ref[key]['shape'])}"
        ok, worst = _close(snn[key].ravel()[::ref[key]["stride"]],
                           np.array(ref[key]["values"], dtype=float))
        if not ok:
            return f"{key}: differs by {worst:.2g} of its scale"
    return None

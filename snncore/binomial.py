"""Binomial counts drawn as Brian 2's ``BinomialFunction`` draws them, from the
counter-based generator (:mod:`snncore.philox`).

Brian 2 (``brian2/input/binomial.py``) draws a binomial number of events by inversion
(numpy's ``rk_binomial_inversion``), and replaces it by a normal approximation
``n*p + sqrt(n*p*(1-p))*randn()`` (not rounded, possibly negative) when ``n*p > 5`` and
``n*(1-p) > 5``. The same rule, and the same distributions, are used here. Element
``k`` of a step draws from counters of its own (site 0, attempts 0, 1, ... for the
uniforms of the inversion), so :func:`draw_counts` (Numba) and :func:`counts` (numpy)
give the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import philox
from .backends.kernel_cache import cached


def _inversion_constants(n, p):
    reverse = p > 0.5
    small = 1.0 - p if reverse else p
    q = 1.0 - small
    qn = math.exp(n * math.log(q))
    bound = min(n, n * small + 10.0 * math.sqrt(n * small * q + 1))
    return reverse, small, q, qn, bound


_constants = cached(njit(_inversion_constants))


@cached
@njit
def draw_counts(out, n, p, normal, rng, t, dt):
    """Fill ``out`` with the Binomial(n, p) counts (or their normal approximation when
    ``normal``) of the step of time ``t``; ``rng`` is the stream (``_rng`` layout)."""
    k0, k1, ks = rng[0], rng[1], rng[2]
    step = np.uint64(philox.draw_step(rng, t, dt))
    site = np.uint64(0)
    if normal:
        loc, scale = n * p, math.sqrt(n * p * (1.0 - p))
        for k in range(out.size):
            out[k] = philox.normal(k0, k1, ks, step, site, k) * scale + loc
        return
    reverse, small, q, qn, bound = _constants(n, p)
    for k in range(out.size):
        element = np.uint64(k)
        attempt = np.uint64(0)
        x = 0
        px = qn
        u = philox.unit(philox.bits(k0, k1, ks, step, site, attempt, element))
        while u > px:
            x += 1
            if x > bound:
                x = 0
                px = qn
                attempt += np.uint64(1)
                u = philox.unit(philox.bits(k0, k1, ks, step, site, attempt, element))
            else:
                u -= px
                px = ((n - x + 1) * small * px) / (x * q)
        out[k] = n - x if reverse else x


def counts(out: np.ndarray, n: int, p: float, normal: bool, rng: np.ndarray, t: float,
           dt: float) -> None:
    """:func:`draw_counts` in numpy: the same numbers, vectorised over the elements."""
    key, step = rng[:3], philox.draw_step.py_func(rng, t, dt)
    elements = np.arange(out.size)
    if normal:
        out[:] = philox.normals(key, step, 0, elements) * math.sqrt(n * p * (1.0 - p)) + n * p
        return
    reverse, small, q, qn, bound = _inversion_constants(n, p)
    x = np.zeros(out.size, dtype=np.int64)
    px = np.full(out.size, qn)
    attempt = np.zeros(out.size, dtype=np.int64)
    bits_of = philox.Attempts(key, step, 0, elements)
    u = philox._unit(bits_of(elements, 0))
    active = np.flatnonzero(u > px)
    while active.size:
        x[active] += 1
        over = active[x[active] > bound]
        go_on = active[x[active] <= bound]
        x[over], px[over] = 0, qn
        attempt[over] += 1
        u[over] = philox._unit(bits_of(over, attempt[over]))
        u[go_on] -= px[go_on]
        px[go_on] = ((n - x[go_on] + 1) * small * px[go_on]) / (x[go_on] * q)
        active = active[u[active] > px[active]]
    out[:] = n - x if reverse else x

"""Binomial counts drawn as Brian 2's ``BinomialFunction`` draws them, for Numba code.

Brian 2 (``brian2/input/binomial.py``) draws a binomial number of events by inversion
(numpy's ``rk_binomial_inversion``), and replaces it by a normal approximation
``n*p + sqrt(n*p*(1-p))*randn()`` (not rounded, possibly negative) when ``n*p > 5`` and
``n*(1-p) > 5``. The same rule, and the same distributions, are used here, drawing from
the generator state that every Numba kernel shares.
"""

from __future__ import annotations

import math

from numba import njit

from .backends.kernel_cache import cached
from .backends.numba_helpers import _rand4, _randn4


@cached
@njit
def draw_counts(out, n, p, normal, state):
    """Fill ``out`` with independent Binomial(n, p) counts (or their normal approximation
    when ``normal``), advancing the uint64[4] generator ``state`` in place."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    if normal:
        loc, scale = n * p, math.sqrt(n * p * (1.0 - p))
        for k in range(out.size):
            z, s0, s1, s2, s3 = _randn4(s0, s1, s2, s3)
            out[k] = z * scale + loc
    else:
        reverse = p > 0.5
        small = 1.0 - p if reverse else p
        q = 1.0 - small
        qn = math.exp(n * math.log(q))
        bound = min(n, n * small + 10.0 * math.sqrt(n * small * q + 1))
        for k in range(out.size):
            x = 0
            px = qn
            u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
            while u > px:
                x += 1
                if x > bound:
                    x = 0
                    px = qn
                    u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
                else:
                    u -= px
                    px = ((n - x + 1) * small * px) / (x * q)
            out[k] = n - x if reverse else x
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3

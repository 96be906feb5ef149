"""Scalar helper functions that generated Numba kernels call."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .kernel_cache import cached


@cached
@njit
def _int(x):
    return int(x)


@cached
@njit
def _clip(x, low, high):
    return min(max(x, low), high)


@cached
@njit
def _exprel(z):
    # Brian 2's threshold: below 1e-16 the quotient is 1 to double precision.
    if abs(z) < 1e-16:
        return 1.0
    return math.expm1(z) / z


@cached
@njit
def _timed_row(n, tdt, t, dt):
    """The row of a TimedArray read at ``t``, as ``snncore.timedarray.row_index``."""
    k = max(int(2.0 ** math.ceil(math.log2(8.0 / dt * tdt))), 1)
    row = int(np.rint(t / (tdt / k)) / k)
    return min(max(row, 0), n - 1)


@cached
@njit
def _timed1(values, tdt, t, dt):
    return values[_timed_row(values.shape[0], tdt, t, dt)]


@cached
@njit
def _timed2(values, tdt, t, dt, i):
    if i != i:
        return np.nan
    col = int(i)  # truncated toward zero, as the numpy backend does
    if col < 0 or col >= values.shape[1]:
        return np.nan
    return values[_timed_row(values.shape[0], tdt, t, dt), col]


@cached
@njit
def _timestep(t, dt):
    # Brian 2's rounding: a small tolerance so that t = k*dt maps to step k.
    return int((t + 1e-3 * dt) / dt)

"""Scalar helper functions that generated Numba kernels call."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _int(x):
    return int(x)


@njit(cache=True)
def _clip(x, low, high):
    return min(max(x, low), high)


@njit(cache=True)
def _exprel(z):
    if z == 0.0:
        return 1.0
    return math.expm1(z) / z


@njit(cache=True)
def _timestep(t, dt):
    # Brian 2's rounding: a small tolerance so that t = k*dt maps to step k.
    return int((t + 1e-3 * dt) / dt)


@njit(cache=True)
def seed(value):
    """Seed Numba's own random generator (it is separate from numpy's)."""
    np.random.seed(value)  # noqa: NPY002 - the only way to seed Numba's generator

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
    np.random.seed(value)


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables of Marsaglia & Tsang's ziggurat for the standard normal (128 layers)."""
    m1 = 2147483648.0
    dn = tn = 3.442619855899
    vn = 9.91256303526217e-3
    kn, wn, fn = np.zeros(128), np.zeros(128), np.zeros(128)
    q = vn / math.exp(-0.5 * dn * dn)
    kn[0], kn[1] = (dn / q) * m1, 0.0
    wn[0], wn[127] = q / m1, dn / m1
    fn[0], fn[127] = 1.0, math.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = math.sqrt(-2.0 * math.log(vn / dn + math.exp(-0.5 * dn * dn)))
        kn[i + 1] = (dn / tn) * m1
        tn = dn
        fn[i] = math.exp(-0.5 * dn * dn)
        wn[i] = dn / m1
    return kn, wn, fn


_KN, _WN, _FN = _ziggurat_tables()
_R = 3.442619855899


@njit(cache=True)
def _int32_draw():
    # A uniform signed 32-bit integer from Numba's double generator.
    return np.int64(np.random.random() * 4294967296.0) - 2147483648


@njit(cache=True)
def _randn():
    """A standard normal number by the ziggurat method (about 3x numba's own)."""
    hz = _int32_draw()
    iz = hz & 127
    if abs(hz) < _KN[iz]:
        return hz * _WN[iz]
    while True:
        x = hz * _WN[iz]
        if iz == 0:
            # The tail beyond r, by Marsaglia's exponential rejection.
            while True:
                x = -math.log(1.0 - np.random.random()) / _R
                y = -math.log(1.0 - np.random.random())
                if y + y >= x * x:
                    break
            return _R + x if hz > 0 else -_R - x
        if _FN[iz] + np.random.random() * (_FN[iz - 1] - _FN[iz]) < math.exp(-0.5 * x * x):
            return x
        hz = _int32_draw()
        iz = hz & 127
        if abs(hz) < _KN[iz]:
            return hz * _WN[iz]

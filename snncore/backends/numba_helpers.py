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
def _next(state):
    """The next 64-bit output of xoshiro256+ (Blackman & Vigna), advancing ``state``.

    The state is a uint64[4] array passed to every kernel (``_rng``): about 1.5 ns a
    draw, where Numba's ``np.random`` reaches its thread-local Mersenne Twister through
    a function call costing some 12 ns.
    """
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    result = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return result


@njit(cache=True)
def _rand(state):
    """A uniform number in [0, 1) from the top 53 bits of a draw."""
    return (_next(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _int32_draw(state):
    # The top 32 bits of a draw as a signed integer (xoshiro256+'s low bits are weak).
    return np.int64(_next(state) >> np.uint64(32)) - 2147483648


@njit(cache=True)
def _randn(state):
    """A standard normal number by the ziggurat method."""
    hz = _int32_draw(state)
    iz = hz & 127
    if abs(hz) < _KN[iz]:
        return hz * _WN[iz]
    while True:
        x = hz * _WN[iz]
        if iz == 0:
            # The tail beyond r, by Marsaglia's exponential rejection.
            while True:
                x = -math.log(1.0 - _rand(state)) / _R
                y = -math.log(1.0 - _rand(state))
                if y + y >= x * x:
                    break
            return _R + x if hz > 0 else -_R - x
        if _FN[iz] + _rand(state) * (_FN[iz - 1] - _FN[iz]) < math.exp(-0.5 * x * x):
            return x
        hz = _int32_draw(state)
        iz = hz & 127
        if abs(hz) < _KN[iz]:
            return hz * _WN[iz]

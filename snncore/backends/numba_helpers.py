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


_S17, _S45, _S19, _S11, _S32 = (np.uint64(k) for k in (17, 45, 19, 11, 32))


# The generator state travels as four uint64 scalars, in and out of every draw: kernels
# copy their ``_rng`` array into locals once, so that the state stays in registers. Read
# and written through the array at every draw it costs a store-to-load round trip on
# the generator's dependency chain, which doubled the time of a noisy neuron update.
@cached
@njit
def _next4(s0, s1, s2, s3):
    """The next 64-bit output of xoshiro256+ (Blackman & Vigna) and the new state.

    About 0.7 ns a draw, where Numba's ``np.random`` reaches its thread-local Mersenne
    Twister through a function call costing some 12 ns.
    """
    result = s0 + s3
    t = s1 << _S17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _S45) | (s3 >> _S19)
    return result, s0, s1, s2, s3


@cached
@njit
def _rand4(s0, s1, s2, s3):
    """A uniform number in [0, 1) from the top 53 bits of a draw, and the new state."""
    r, s0, s1, s2, s3 = _next4(s0, s1, s2, s3)
    return (r >> _S11) * (1.0 / 9007199254740992.0), s0, s1, s2, s3


@cached
@njit
def _poisson4(lam, s0, s1, s2, s3):
    """A Poisson number of mean ``lam`` and the new state: multiplication of uniforms
    (Knuth) below a mean of 10, Hormann's (1993) transformed rejection (PTRS, as numpy)
    above. A mean that is not a non-negative number gives 0."""
    if not lam > 0.0:
        return 0, s0, s1, s2, s3
    if lam < 10.0:
        limit = math.exp(-lam)
        k, prod = 0, 1.0
        while True:
            u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
            prod *= u
            if prod <= limit:
                return k, s0, s1, s2, s3
            k += 1
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
        u -= 0.5
        v, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(k), s0, s1, s2, s3
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= \
                -lam + k * loglam - math.lgamma(k + 1.0):
            return int(k), s0, s1, s2, s3


@cached
@njit
def _int32_draw(s0, s1, s2, s3):
    # The top 32 bits of a draw as a signed integer (xoshiro256+'s low bits are weak).
    r, s0, s1, s2, s3 = _next4(s0, s1, s2, s3)
    return np.int64(r >> _S32) - 2147483648, s0, s1, s2, s3


@cached
@njit
def _randn4(s0, s1, s2, s3):
    """A standard normal number by the ziggurat method, and the new state.

    The fast path (97% of draws) is small enough for LLVM to inline into the kernel;
    the rejection steps are a separate function.
    """
    hz, s0, s1, s2, s3 = _int32_draw(s0, s1, s2, s3)
    iz = hz & 127
    if abs(hz) < _KN[iz]:
        return hz * _WN[iz], s0, s1, s2, s3
    return _randn_rejected(hz, s0, s1, s2, s3)


@cached
@njit
def _randn_rejected(hz, s0, s1, s2, s3):
    iz = hz & 127
    while True:
        x = hz * _WN[iz]
        if iz == 0:
            # The tail beyond r, by Marsaglia's exponential rejection.
            while True:
                u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
                x = -math.log(1.0 - u) / _R
                u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
                y = -math.log(1.0 - u)
                if y + y >= x * x:
                    break
            return (_R + x if hz > 0 else -_R - x), s0, s1, s2, s3
        u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
        if _FN[iz] + u * (_FN[iz - 1] - _FN[iz]) < math.exp(-0.5 * x * x):
            return x, s0, s1, s2, s3
        hz, s0, s1, s2, s3 = _int32_draw(s0, s1, s2, s3)
        iz = hz & 127
        if abs(hz) < _KN[iz]:
            return hz * _WN[iz], s0, s1, s2, s3

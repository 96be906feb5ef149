"""Counter-based random numbers: Philox4x64-10 (Salmon, Moraes, Dror & Shaw 2011,
"Parallel random numbers: as easy as 1, 2, 3"), the generator of numpy's
``np.random.Philox``. The paper reports 7 rounds as the fewest that pass TestU01's
BigCrush and recommends 10 for a margin of safety; 10 it is.

A draw is a pure function of a key (from the seed) and a counter. The counter names the
draw: the stream (which kernel of which object), the time step, the element (neuron or
synapse), the draw site (the k-th ``rand()``/``randn()``/``poisson()``/``xi`` of the
kernel) and an attempt number (rejection methods need more than one number). No state
advances, so a draw is the same whatever order the elements are visited in, however a
run is cut into segments, and whichever backend computes it.

The Numba kernels compute blocks with :func:`philox` (its 64 x 64 -> 128-bit products
one machine instruction each). The numpy backend asks numpy's own C Philox for the words
of consecutive counters, one call for a whole range of elements (:func:`_c_words`: a
counter's first word is the block, so consecutive elements are consecutive counters),
and computes scattered counters with the same arithmetic on arrays
(:func:`_philox_rows`). The rejection loops, which branch per element, exist twice: a
scalar one for Numba (:func:`normal` with :func:`rejection_round`, :func:`poisson`) and
a masked vector one for numpy (:func:`normals`, :func:`poissons`), taking their numbers
from the same counters in the same order, so they return the same bits; numpy runs the
Python code of the scalar one for a few rejected normals (:func:`_in_python`). Conversions to
float are written so that AVX2 vectorises them (from int32, exact), the same values as
numpy's. Transcendental functions whose result becomes a returned value (the normal
tail) are taken from the C library on both sides (``math.log`` per element in numpy),
those that only decide an acceptance test from numpy's vector functions.

Counter layout (four 64-bit words ``(block, step, site << 32 | j, stream)``):

- the first 64 bits of an element ``e`` (a uniform, a normal's fast path, a Poisson
  number's first attempt): word ``e & 3`` of block ``e >> 2``, ``j = 0``;
- attempt ``a >= 1`` of element ``e``: word ``(a - 1) & 3`` of block ``e``,
  ``j = (a + 3) >> 2``: one block holds an element's next four attempts, two rounds of
  the normal's rejection steps.

Sites count up to 2**32, attempts up to 2**34.
"""

from __future__ import annotations

import functools
import math
import threading
from types import FunctionType

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .backends.kernel_cache import cached
from .random import BAD, BAD_MEAN, BAD_STEP, POISSON_MAX

_M0, _M1 = np.uint64(0xD2E7470EE14C6C93), np.uint64(0xCA5A826395121157)
_W0, _W1 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBB67AE8584CAA73B)
_LOW = np.uint64(0xFFFFFFFF)
_ONE, _TWO, _THREE, _S11, _S32 = (np.uint64(k) for k in (1, 2, 3, 11, 32))
_S12 = np.uint64(12)
_HALF51 = np.int64(2**51)
_LOW20 = np.uint64(2**20 - 1)
_SIGN = np.uint64(0x80000000)
_EPS53 = 1.0 / 9007199254740992.0
_MASK64 = (1 << 64) - 1


@intrinsic
def _mulhilo(typingctx, a, b):
    """The high and the low 64 bits of the 128-bit product of two uint64 (one ``mul``
    on x86-64 gives both)."""
    def codegen(context, builder, signature, args):
        wide, word = ir.IntType(128), ir.IntType(64)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        high = builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), word)
        return context.make_tuple(builder, signature.return_type,
                                  (high, builder.trunc(product, word)))

    return types.UniTuple(types.uint64, 2)(types.uint64, types.uint64), codegen


@cached
@njit(inline="always")
def philox(c0, c1, c2, c3, k0, k1):
    """Philox4x64-10 of the counter ``(c0, c1, c2, c3)`` under the key ``(k0, k1)``
    (uint64 each). Random123's known answers and numpy's Philox are checked in the
    tests."""
    for _ in range(10):
        hi0, lo0 = _mulhilo(_M0, c0)
        hi1, lo1 = _mulhilo(_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
        k0 += _W0
        k1 += _W1
    return c0, c1, c2, c3


@cached
@njit(inline="always")
def _pick(w0, w1, w2, w3, lane):
    """Word ``lane`` (0 to 3) of a block, without a branch."""
    low = w1 if lane & _ONE else w0
    high = w3 if lane & _ONE else w2
    return high if lane & _TWO else low


@cached
@njit(inline="always")
def bits(k0, k1, stream, step, site, attempt, element):
    """The 64 random bits of attempt ``attempt`` of ``element`` (all uint64)."""
    if attempt == 0:
        w0, w1, w2, w3 = philox(element >> _TWO, step, site << _S32, stream, k0, k1)
        return _pick(w0, w1, w2, w3, element & _THREE)
    w0, w1, w2, w3 = philox(element, step, (site << _S32) | ((attempt + _THREE) >> _TWO),
                            stream, k0, k1)
    return _pick(w0, w1, w2, w3, (attempt - _ONE) & _THREE)


def _unit(b):
    return (b >> _S11) * _EPS53


@cached
@njit(inline="always")
def unit(b):
    """A uniform number in [0, 1) from the top 53 of 64 random bits.

    ``(b >> 11) * 2**-53`` as :func:`_unit`, computed from two integers below 2**31
    (the top 32 bits, offset by 2**31, and the next 21): AVX2 converts int32 to float
    four at a time but has no instruction for int64, so only this form vectorises. Every
    intermediate is an integer below 2**53, hence exact: the same bits.
    """
    top = np.float64(np.int32((b >> _S32) ^ _SIGN)) + 2147483648.0
    return (top * 2097152.0 + np.float64(np.int32((b & _LOW) >> _S11))) * _EPS53


def _ziggurat_tables(layers: int, r: float, v: float,
                     scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables of Marsaglia & Tsang's ziggurat for the standard normal: ``layers`` layers
    of area ``v`` each, the base one with the tail beyond ``r``, for ``|hz|`` up to
    ``scale``. Returns ``(kn, wn, fn)``: the fast path takes ``hz * wn[iz]`` when
    ``|hz| < kn[iz]``; ``fn`` is the density at the layers' edges."""
    kn, wn, fn = np.zeros(layers), np.zeros(layers), np.zeros(layers)
    dn = tn = r
    q = v / math.exp(-0.5 * dn * dn)
    kn[0], kn[1] = (dn / q) * scale, 0.0
    wn[0], wn[-1] = q / scale, dn / scale
    fn[0], fn[-1] = 1.0, math.exp(-0.5 * dn * dn)
    for i in range(layers - 2, 0, -1):
        dn = math.sqrt(-2.0 * math.log(v / dn + math.exp(-0.5 * dn * dn)))
        kn[i + 1] = (dn / tn) * scale
        tn = dn
        fn[i] = math.exp(-0.5 * dn * dn)
        wn[i] = dn / scale
    return kn, wn, fn


# 4096 layers (r and v solved so that the top layer closes): the fast path takes 99.88%
# of the draws, so that the numpy backend, whose cost is per call, rarely has rejection
# steps to take (Marsaglia & Tsang's 128 layers reject 2.8%). A draw is 64 bits: the
# layer from the low 12, the signed hz from the top 52.
_LAYERS, _R, _V = 4096, 4.385945034871305, 0.0003061541032784638
_KN, _WN, _FN = _ziggurat_tables(_LAYERS, _R, _V, 2.0**51)
_LAYER = np.uint64(_LAYERS - 1)


@cached
@njit(inline="always")
def split(w):
    """The ziggurat's signed ``hz`` (the top 52 bits less 2**51) and layer ``iz`` (the
    low 12 bits) of 64 random bits."""
    return np.int64(w >> _S12) - _HALF51, np.int64(w & _LAYER)


# ---------------------------------------------------------------- scalars (Numba)
@cached
@njit
def uniform(k0, k1, stream, step, site, element):
    """One uniform number in [0, 1) (``k0``, ``k1``, ``stream`` uint64; the others
    integers)."""
    return unit(bits(k0, k1, stream, np.uint64(step), np.uint64(site), np.uint64(0),
                     np.uint64(element)))


@cached
@njit
def normal(k0, k1, stream, step, site, element):
    """One standard normal number by the ziggurat method.

    The fast path (99.88% of draws: one block, a multiplication and a comparison) is
    small enough for LLVM to inline into a kernel; the rejection steps are a separate
    function.
    """
    step, site, element = np.uint64(step), np.uint64(site), np.uint64(element)
    hz, iz = split(bits(k0, k1, stream, step, site, np.uint64(0), element))
    if abs(hz) < _KN[iz]:
        return hz * _WN[iz]
    return _normal_rejected(k0, k1, stream, step, site, element, hz, iz, _ONE)


@cached
@njit
def _normal_rejected(k0, k1, stream, step, site, element, hz, iz, j):
    """The rejection steps of :func:`normal` from the attempts of block ``j`` (1 after
    the fast path) on: two rounds of :func:`rejection_round` a block, until one
    accepts."""
    while True:
        w0, w1, w2, w3 = philox(element, step, (site << _S32) | j, stream, k0, k1)
        done, x, hz, iz = rejection_round(hz, iz, w0, w1)
        if done:
            return x
        done, x, hz, iz = rejection_round(hz, iz, w2, w3)
        if done:
            return x
        j += _ONE


@cached
@njit(inline="always")
def rejection_round(hz, iz, b, c):
    """One round of the ziggurat's rejection steps for the layer ``iz`` and the signed
    ``hz`` of :func:`split`, given the 64 bits ``b`` and ``c`` of the round's two
    attempts: ``(done, value, hz, iz)``, the layer to try next if not done."""
    if iz == 0:
        # The tail beyond r, by Marsaglia's exponential rejection (the sign of hz kept).
        x = -math.log(1.0 - unit(b)) / _R
        y = -math.log(1.0 - unit(c))
        if y + y >= x * x:
            return True, _R + x if hz > 0 else -_R - x, hz, iz
        return False, 0.0, hz, iz
    x = hz * _WN[iz]
    if _FN[iz] + unit(b) * (_FN[iz - 1] - _FN[iz]) < math.exp(-0.5 * x * x):
        return True, x, hz, iz
    hz, iz = split(c)
    return abs(hz) < _KN[iz], hz * _WN[iz], hz, iz


@cached
@njit
def poisson(k0, k1, stream, step, site, element, lam):
    """A Poisson number of mean ``lam``: multiplication of uniforms (Knuth) below a mean
    of 10, Hormann's (1993) transformed rejection (PTRS, as numpy) above. A mean that is
    not a number from 0 to ``POISSON_MAX`` gives 0 (:func:`poisson_in` reports it)."""
    if not 0.0 < lam <= POISSON_MAX:
        return 0
    step, site, element = np.uint64(step), np.uint64(site), np.uint64(element)
    attempt = np.uint64(0)
    if lam < 10.0:
        limit = math.exp(-lam)
        k, prod = 0, 1.0
        while True:
            prod *= unit(bits(k0, k1, stream, step, site, attempt, element))
            attempt += _ONE
            if prod <= limit:
                return k
            k += 1
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = unit(bits(k0, k1, stream, step, site, attempt, element)) - 0.5
        v = unit(bits(k0, k1, stream, step, site, attempt + _ONE, element))
        attempt += np.uint64(2)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= \
                -lam + k * loglam - math.lgamma(k + 1.0):
            return int(k)


@cached
@njit
def poisson_in(rng, step, site, element, lam):
    """:func:`poisson` in a kernel with the stream ``rng`` (:mod:`snncore.random`'s
    ``_rng``), which notes a mean that is not a number from 0 to ``POISSON_MAX``:
    the run raises after the step (:func:`snncore.random.raise_bad_means`)."""
    if not 0.0 <= lam <= POISSON_MAX:
        note_bad_mean(rng, lam, step)
    return poisson(rng[0], rng[1], rng[2], step, site, element, lam)


@cached
@njit
def note_bad_mean(rng, lam, step):
    """Note in the stream ``rng`` the bad ``poisson()`` mean ``lam`` of step ``step``,
    unless one is noted already."""
    if rng[BAD] == 0:
        rng[BAD_MEAN:BAD_MEAN + 1].view(np.float64)[0] = lam
        rng[BAD_STEP] = step
        rng[BAD] = 1


# ---------------------------------------------------------------- vectors (numpy)
# numpy's cost is per call (about a microsecond) plus per element: the words of a range
# of counters come from numpy's C Philox in one call (a few ns a word), in passes of
# _CHUNK elements whose arrays stay in the cache; scattered counters that a range would
# not cover cheaply from _philox_rows.
_CHUNK = 32768
# A range of blocks is drawn through numpy's C Philox to pick scattered elements from it
# when it holds at most this many blocks per element (plus _DENSE_EXTRA): a block costs
# about 22 ns there, a counter of _philox_rows about 150 ns and a call about 200 us.
_DENSE, _DENSE_EXTRA = 8, 8192
# Counters this few are drawn one call each from numpy's C Philox (3 us a call).
_FEW = 8


class _CPhilox(threading.local):
    """numpy's Philox and a generator on it, one per thread: each draw sets the
    counter and the key, nothing else is kept."""

    def __init__(self) -> None:
        self.bit_generator = np.random.Philox(key=0)
        self.generator = np.random.Generator(self.bit_generator)
        # The state as numpy's setter reads it (from lists sooner than from arrays); no
        # words of an earlier block left to use.
        self.state = {"bit_generator": "Philox", "state": {"counter": [0] * 4, "key": [0] * 2},
                      "buffer": [0] * 4, "buffer_pos": 4, "has_uint32": 0, "uinteger": 0}


_C = _CPhilox()


def _c_philox(key, block: int, step: int, c2: int) -> _CPhilox:
    """numpy's Philox (and its generator), set to give the words of the blocks
    ``(block, step, c2, stream)``, ``(block + 1, step, c2, stream)``, ... in order, four
    a block."""
    c = _C
    # numpy adds 1 to the counter before it computes a block.
    if block:
        counter = [block - 1, step, c2, int(key[2])]
    else:
        whole = ((((int(key[2]) << 64 | c2) << 64 | step) << 64) - 1) % (1 << 256)
        counter = [(whole >> shift) & _MASK64 for shift in (0, 64, 128, 192)]
    c.state["state"]["counter"] = counter
    c.state["state"]["key"] = [int(key[0]), int(key[1])]
    c.bit_generator.state = c.state
    return c


def _c_words(key, block: int, step: int, c2: int, count: int) -> np.ndarray:
    """``count`` words from block ``block`` on (see :func:`_c_philox`)."""
    return _c_philox(key, block, step, c2).bit_generator.random_raw(count)


_split_np = split.py_func
_MULTIPLIERS = np.array([[int(_M0)], [int(_M1)]], dtype=np.uint64)
_MUL_LO, _MUL_HI = _MULTIPLIERS & _LOW, _MULTIPLIERS >> _S32


@functools.lru_cache(maxsize=64)
def _round_keys(k0: int, k1: int) -> tuple:
    """The keys of Philox's ten rounds as 2 x 1 arrays."""
    keys = []
    for _ in range(10):
        keys.append(np.array([[k0], [k1]], dtype=np.uint64))
        k0, k1 = (k0 + int(_W0)) & _MASK64, (k1 + int(_W1)) & _MASK64
    return tuple(keys)


def _philox_rows(key, c0: np.ndarray, step: int, c2) -> np.ndarray:
    """:func:`philox` of the counters ``(c0, step, c2, stream)`` (``c0`` n numbers,
    ``c2`` one or n) under ``key`` (``(k0, k1, stream)``): 4 x n words.

    numpy has no 128-bit product: its high half is put together from four products of
    32-bit halves. The rows of ``a`` hold ``(c0, c2)``, those of ``b`` ``(c1, c3)``, so
    that a round computes both products in one pass.
    """
    a = np.empty((2, c0.size), dtype=np.uint64)
    a[0], a[1] = c0, c2
    b = np.empty_like(a)
    b[0], b[1] = step, key[2]
    for keys in _round_keys(int(key[0]), int(key[1])):
        lo = a * _MULTIPLIERS
        a_lo, a_hi = a & _LOW, a >> _S32
        low_low = a_lo * _MUL_LO
        mid = a_hi * _MUL_LO
        mid += low_low >> _S32
        mid2 = a_lo * _MUL_HI
        mid2 += mid & _LOW
        hi = a_hi * _MUL_HI
        hi += mid >> _S32
        hi += mid2 >> _S32
        # (c0, c2) becomes (hi1 ^ c1 ^ k0, hi0 ^ c3 ^ k1), (c1, c3) becomes (lo1, lo0).
        a = hi[::-1] ^ b
        a ^= keys
        b = lo[::-1]
    return np.stack([a[0], b[0], a[1], b[1]])


def _u64(value) -> np.ndarray:
    return np.asarray(value).astype(np.uint64)


def _contiguous(elements) -> int | None:
    """The first element if ``elements`` (an array, or a ``range`` of step 1) are
    consecutive and increasing, else None."""
    if isinstance(elements, range):
        return elements.start
    n = elements.size
    if n < 8 or int(elements[-1]) - int(elements[0]) != n - 1:
        return None
    # n increasing integers spanning n - 1 are consecutive.
    return int(elements[0]) if np.all(elements[1:] > elements[:-1]) else None


def _covering(e: np.ndarray, per_block: int) -> tuple[int, int] | None:
    """The first block and the number of blocks of the range that covers the elements
    ``e`` (``per_block`` of them to a block), if drawing it is cheaper than their
    counters one by one."""
    first, last = int(e.min()) // per_block, int(e.max()) // per_block
    if last - first < _DENSE * e.size + _DENSE_EXTRA:
        return first, last - first + 1
    return None


def _first_bits(key, step: int, site: int, elements) -> np.ndarray:
    """The first 64 bits of each of ``elements`` (uint64): word ``e & 3`` of block
    ``e >> 2``."""
    c2 = site << 32
    first = _contiguous(elements)
    if first is not None:
        skip = first & 3
        return _c_words(key, first >> 2, step, c2, skip + len(elements))[skip:]
    e = _u64(elements)
    if e.size == 0:
        return e
    cover = _covering(e, 4)
    if cover is not None:
        return _c_words(key, cover[0], step, c2, 4 * cover[1])[e - np.uint64(4 * cover[0])]
    w = _philox_rows(key, e >> _TWO, step, c2)
    return w[(e & _THREE).astype(np.intp), np.arange(e.size)]


def _attempt_blocks(key, step: int, site: int, elements, j: int) -> np.ndarray:
    """The blocks ``(e, step, site << 32 | j, stream)`` of ``elements``, which hold
    their attempts ``4 j - 3`` to ``4 j``: 4 x n words."""
    c2 = site << 32 | j
    first = _contiguous(elements)
    if first is not None:
        return _c_words(key, first, step, c2, 4 * len(elements)).reshape(-1, 4).T
    e = _u64(elements)
    if e.size <= _FEW:
        return np.array([_c_words(key, int(k), step, c2, 4) for k in e],
                        dtype=np.uint64).reshape(-1, 4).T
    cover = _covering(e, 1)
    if cover is not None:
        words = _c_words(key, cover[0], step, c2, 4 * cover[1]).reshape(-1, 4)
        return words[e - np.uint64(cover[0])].T
    return _philox_rows(key, e, step, c2)


def _attempt_bits(key, step: int, site: int, elements, first: int,
                  count: int) -> np.ndarray:
    """The 64 bits of attempts ``first .. first + count - 1`` of ``elements``, one row
    per element."""
    columns = []
    attempt, end = first, first + count
    if attempt == 0:
        columns.append(_first_bits(key, step, site, elements)[:, None])
        attempt = 1
    while attempt < end:
        j = (attempt + 3) >> 2
        base = 4 * j - 3  # the attempt of the block's first word
        stop = min(4, end - base)
        columns.append(_attempt_blocks(key, step, site, elements, j)[attempt - base:stop].T)
        attempt = base + stop
    return np.concatenate(columns, axis=1) if len(columns) > 1 else \
        np.ascontiguousarray(columns[0])


def uniforms(key, step: int, site: int, elements) -> np.ndarray:
    """Uniform numbers in [0, 1) for ``elements`` (an array, or a ``range`` of step 1),
    equal to :func:`uniform`'s.

    ``key`` is ``(k0, k1, stream)``.
    """
    first = _contiguous(elements)
    if first is None:
        return _unit(_first_bits(key, step, site, elements))
    # numpy's uniforms are (word >> 11) * 2**-53, as unit(): no conversion pass.
    skip = first & 3
    draws = _c_philox(key, first >> 2, step, site << 32).generator.random(skip + len(elements))
    return draws[skip:]


def normals(key, step: int, site: int, elements) -> np.ndarray:
    """Standard normal numbers for ``elements`` (an array, or a ``range`` of step 1),
    equal to :func:`normal`'s."""
    first = _contiguous(elements)
    if first is None:
        e = _u64(elements)
        words = _first_bits(key, step, site, e)
        out = np.empty(e.size)
        todo = _fast_normals(words, out, _scratch(e.size))
        if todo.size:
            out[todo] = _normals_rejected(key, step, site, e[todo], words[todo])
        return out
    n = len(elements)
    out = np.empty(n)
    scratch = _scratch(min(n, _CHUNK))
    rejected, their_words = [], []
    for lo in range(0, n, _CHUNK):
        words = _first_bits(key, step, site, range(first + lo, first + min(n, lo + _CHUNK)))
        todo = _fast_normals(words, out[lo:lo + words.size], scratch)
        rejected.append(todo + lo)
        their_words.append(words[todo])
    todo = np.concatenate(rejected)
    if todo.size:
        out[todo] = _normals_rejected(key, step, site, (todo + first).astype(np.uint64),
                                      np.concatenate(their_words))
    return out


def _fast_normals(words: np.ndarray, out: np.ndarray, scratch: tuple) -> np.ndarray:
    """The ziggurat's fast path (:func:`split`, then ``hz * wn[iz]``) of the 64-bit
    ``words`` into ``out``; returns the indices of the rejected ones. ``scratch`` is
    arrays of uint64, float64, int64, float64 and bool at least that large, reused from
    pass to pass: the first write to a new large array costs more than the arithmetic
    (the system maps its pages in)."""
    top, hz, iz, table, rejected = (a[:words.size] for a in scratch)
    np.right_shift(words, _S12, top)
    np.subtract(top, 2.0**51, hz)  # the signed hz, as a float (exact: below 2**53)
    np.bitwise_and(words, _LAYER, iz)
    np.take(_WN, iz, out=table, mode="clip")  # (iz is a layer: no check needed)
    np.multiply(hz, table, out)
    # |hz| >= kn[iz]: not |hz| < kn[iz] (kn is never nan)
    np.take(_KN, iz, out=table, mode="clip")
    return np.flatnonzero(np.greater_equal(np.abs(hz, hz), table, rejected))


def _scratch(n: int) -> tuple:
    """The scratch arrays of :func:`_fast_normals` for ``n`` words."""
    return (np.empty(n, dtype=np.uint64), np.empty(n), np.empty(n, dtype=np.int64),
            np.empty(n), np.empty(n, dtype=bool))


def _normals_rejected(key, step, site, elements, words) -> np.ndarray:
    """:func:`_normal_rejected` from block 1 for ``elements`` (uint64) whose first
    ``words`` the fast path rejected: as masked vectors (the elements not yet done take
    their next block, two rounds, together), or for a few elements by the Python code
    of :func:`_normal_rejected` itself, which costs less than fifty numpy calls."""
    hz, iz = _split_np(words)
    if elements.size <= _FEW_REJECTED:
        k0, k1, stream = key
        step, site = np.uint64(step), np.uint64(site)
        return np.array([_normal_rejected_py(k0, k1, stream, step, site, e, h, i, _ONE)
                         for e, h, i in zip(elements, hz, iz)], dtype=float)
    out = np.empty(elements.size)
    todo = np.arange(elements.size)
    j = 1
    while todo.size:
        w = _attempt_blocks(key, step, site, elements[todo], j)
        j += 1
        for r in (0, 2):
            if not todo.size:
                break
            done, value, hz, iz = _rejection_rounds(hz, iz, w[r], w[r + 1])
            out[todo[done]] = value[done]
            keep = ~done
            todo, hz, iz, w = todo[keep], hz[keep], iz[keep], w[:, keep]
    return out


def _c_block(c0, c1, c2, c3, k0, k1) -> tuple:
    """:func:`philox` of one counter, by numpy's C Philox."""
    w = _c_words((k0, k1, c3), int(c0), int(c1), int(c2), 4)
    return w[0], w[1], w[2], w[3]


def _in_python(function, **helpers):
    """The Python code of the Numba function ``function``, calling ``helpers`` (Python
    functions giving the same numbers) instead of compiled ones: run by the numpy
    backend, which compiles nothing."""
    code = function.py_func
    return FunctionType(code.__code__, {**code.__globals__, **helpers}, code.__name__)


# Up to this many rejected normals go through the Python code of the rejection steps
# (about 10 us each), more through the masked vectors (about 150 us a call).
_FEW_REJECTED = 16
_normal_rejected_py = _in_python(
    _normal_rejected, philox=_c_block,
    rejection_round=_in_python(rejection_round, unit=_unit, split=_split_np))


# _FN[iz - 1] - _FN[iz] of the wedge test by layer; the tail (layer 0) has none: nan
# fails the test.
_DFN = np.r_[np.nan, _FN[:-1] - _FN[1:]]


def _rejection_rounds(hz, iz, b, c) -> tuple:
    """:func:`rejection_round` of arrays: ``(done, value, hz, iz)``.

    The wedge's steps are taken for every element (numpy's cost is per call), the tail's
    for those in layer 0, whose wedge results are dropped.
    """
    x = hz * np.take(_WN, iz)
    ok = np.take(_FN, iz) + _unit(b) * np.take(_DFN, iz) < np.exp(-0.5 * x * x)
    nhz, niz = _split_np(c)
    again = ~ok
    tail = np.flatnonzero(iz == 0)
    again[tail] = False
    done = ok | (again & (np.abs(nhz) < np.take(_KN, niz)))
    value = np.where(ok, x, nhz * np.take(_WN, niz))
    hz, iz = np.where(again, nhz, hz), np.where(again, niz, iz)
    if tail.size:
        # The tail beyond r; the value itself comes from log: the C library's, as in Numba.
        x = np.array([-math.log(1.0 - u) for u in _unit(b[tail])]) / _R
        y = np.array([-math.log(1.0 - v) for v in _unit(c[tail])])
        done[tail] = y + y >= x * x
        value[tail] = np.where(hz[tail] > 0, _R + x, -_R - x)
    return done, value, hz, iz


class Attempts:
    """The 64 random bits of the attempts of one draw site for some elements (numpy).

    A rejection loop asks for a few attempts of ever fewer elements; numpy's cost is per
    call, so the bits of :data:`BATCH` attempts of every element come from one call.
    """

    BATCH = 8

    def __init__(self, key, step: int, site: int, elements: np.ndarray, first: int = 0):
        self.key, self.step, self.site, self.first = key, step, site, first
        self.elements = _u64(elements)
        self.table = np.zeros((self.elements.size, 0), dtype=np.uint64)

    def __call__(self, rows: np.ndarray, attempt) -> np.ndarray:
        """The bits of attempt ``attempt`` (an int or one per row) of elements ``rows``."""
        column = np.asarray(attempt, dtype=np.int64) - self.first
        need = int(np.max(column, initial=-1)) + 1
        while self.table.shape[1] < need:
            more = _attempt_bits(self.key, self.step, self.site, self.elements,
                                 self.first + self.table.shape[1], self.BATCH)
            self.table = np.concatenate([self.table, more], axis=1)
        return self.table[rows, column]


def poissons(key, step: int, site: int, elements: np.ndarray, lam) -> np.ndarray:
    """Poisson numbers of means ``lam`` for ``elements``, equal to :func:`poisson`'s."""
    elements = _u64(elements)
    lam = np.broadcast_to(np.asarray(lam, dtype=float), elements.shape)
    out = np.zeros(elements.size, dtype=np.int64)
    small = np.flatnonzero((lam > 0.0) & (lam < 10.0))
    if small.size:
        out[small] = _knuth(key, step, site, elements[small], lam[small])
    large = np.flatnonzero((lam >= 10.0) & (lam <= POISSON_MAX))
    if large.size:
        out[large] = _ptrs(key, step, site, elements[large], lam[large])
    return out


# Poisson numbers are drawn for slices of this many elements times attempts (the bits of
# a slice's attempts stay in the cache, and a large group needs no huge table).
_POISSON_SLICE = 1 << 16


def _by_slices(draw, key, step, site, elements, lam, count):
    """``draw`` of slices of ``elements`` (and their ``lam``) of ``_POISSON_SLICE //
    count`` elements."""
    size = max(4, _POISSON_SLICE // count)
    if elements.size <= size:
        return draw(key, step, site, elements, lam, count)
    return np.concatenate([draw(key, step, site, elements[q:q + size], lam[q:q + size],
                                count) for q in range(0, elements.size, size)])


def _knuth(key, step, site, elements, lam) -> np.ndarray:
    # Enough attempts for nearly every element (k events take k + 1) in one Philox call.
    most = float(np.max(lam))
    return _by_slices(_knuth_slice, key, step, site, elements, lam,
                      int(most + 1.5 * math.sqrt(most)) + 2)


def _knuth_slice(key, step, site, elements, lam, count) -> np.ndarray:
    """:func:`poisson`'s products of uniforms, ``count`` attempts of every element not
    yet done at a time: the running products by ``multiply.accumulate`` (in order, as the
    scalar loop multiplies), the number of events where the product first reaches the
    limit."""
    limit = np.exp(-lam)
    out = np.zeros(elements.size, dtype=np.int64)
    prod = np.ones(elements.size)
    todo = np.arange(elements.size)
    attempt = 0
    while todo.size:
        u = _unit(_attempt_bits(key, step, site, elements[todo], attempt, count))
        u[:, 0] *= prod[todo]
        np.multiply.accumulate(u, axis=1, out=u)
        stop = u <= limit[todo, None]
        first = np.argmax(stop, axis=1)
        hit = stop[np.arange(todo.size), first]
        out[todo[hit]] = attempt + first[hit]
        prod[todo[~hit]] = u[~hit, -1]
        todo = todo[~hit]
        attempt += count
    return out


def _ptrs(key, step, site, elements, lam) -> np.ndarray:
    # Two rounds (four attempts) in one Philox call: most elements take one.
    return _by_slices(_ptrs_slice, key, step, site, elements, lam, 4)


def _ptrs_slice(key, step, site, elements, lam, count) -> np.ndarray:
    """:func:`poisson`'s PTRS rounds, ``count // 2`` rounds of every element not yet done
    from one Philox call."""
    slam, loglam = np.sqrt(lam), np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    out = np.zeros(elements.size, dtype=np.int64)
    todo = np.arange(elements.size)
    attempt = 0
    while todo.size:
        bits_of = _attempt_bits(key, step, site, elements[todo], attempt, count)
        attempt += count
        for r in range(0, count, 2):
            u = _unit(bits_of[:, r]) - 0.5
            v = _unit(bits_of[:, r + 1])
            us = 0.5 - np.abs(u)
            k = np.floor((2.0 * a[todo] / us + b[todo]) * u + lam[todo] + 0.43)
            accept = (us >= 0.07) & (v <= vr[todo])
            test = ~accept & ~((k < 0) | ((us < 0.013) & (v > us)))
            for q in np.flatnonzero(test):
                e = todo[q]
                accept[q] = math.log(v[q]) + math.log(invalpha[e]) - \
                    math.log(a[e] / (us[q] * us[q]) + b[e]) <= \
                    -lam[e] + k[q] * loglam[e] - math.lgamma(k[q] + 1.0)
            out[todo[accept]] = k[accept].astype(np.int64)
            todo, bits_of = todo[~accept], bits_of[~accept]
    return out


# ---------------------------------------------------------------- kernel helpers
@cached
@njit
def draw_step(rng, t, dt):
    """The step that names a kernel's draws: that of time ``t``, as Brian 2 rounds it, or
    for setup code (``rng[3] > 0``) the number of the setup call. ``rng`` is a kernel's
    ``_rng`` argument (see :mod:`snncore.random`)."""
    if rng[3]:
        return int(rng[3]) - 1
    return int((t + 1e-3 * dt) / dt)


@cached
@njit(inline="always")
def _whole_blocks(lo, n, per_block):
    """Of the elements ``lo .. lo + n - 1`` (``per_block`` to a block): how many come
    before the first whole block, how many whole blocks follow, and the first of
    them."""
    head = min(-lo & (per_block - 1), n)
    return head, (n - head) // per_block, (lo + head) // per_block


@cached
@njit
def _fill_bits_range(out, k0, k1, stream, step, site, lo):
    """The first 64 bits of elements ``lo .. lo + out.size - 1``, four per Philox block
    (those before the first whole block and after the last by :func:`bits`)."""
    step, site, zero = np.uint64(step), np.uint64(site), np.uint64(0)
    n = out.size
    head, whole, first = _whole_blocks(lo, n, 4)
    c2 = site << _S32
    for b in range(whole):
        w0, w1, w2, w3 = philox(np.uint64(first + b), step, c2, stream, k0, k1)
        q = head + 4 * b
        out[q] = w0
        out[q + 1] = w1
        out[q + 2] = w2
        out[q + 3] = w3
    for q in range(head):
        out[q] = bits(k0, k1, stream, step, site, zero, np.uint64(lo + q))
    for q in range(head + 4 * whole, n):
        out[q] = bits(k0, k1, stream, step, site, zero, np.uint64(lo + q))


@cached
@njit
def _fill_bits_at(out, k0, k1, stream, step, site, indices):
    """The first 64 bits of elements ``indices[:out.size]``: of a run of consecutive
    elements (a threshold's, a subgroup's) as :func:`_fill_bits_range` does, else a
    block each."""
    n = out.size
    if _consecutive(indices, n):
        _fill_bits_range(out, k0, k1, stream, step, site, indices[0])
        return
    step, site, zero = np.uint64(step), np.uint64(site), np.uint64(0)
    for q in range(n):
        out[q] = bits(k0, k1, stream, step, site, zero, np.uint64(indices[q]))


@cached
@njit
def _consecutive(indices, n):
    """Whether ``indices[:n]`` (n > 0) are consecutive increasing numbers."""
    gaps = 0
    for q in range(1, n):
        gaps += indices[q] != indices[q - 1] + 1
    return n > 0 and gaps == 0


@cached
@njit
def _to_uniforms(out, b):
    for q in range(b.size):
        out[q] = unit(b[q])


@cached
@njit(inline="always")
def fast_normal(w):
    """The ziggurat's fast path for the 64 random bits ``w``: ``hz * wn[iz]`` of
    :func:`split` and whether that is rejected.

    ``hz`` is made from two int32 (the top 32 bits less 2**31, times 2**20, plus the next
    20), which convert to float in one instruction each (int64 takes several without
    AVX-512): the same value, exact, sooner.
    """
    hz = np.float64(np.int32((w >> _S32) ^ _SIGN)) * 1048576.0 + \
        np.float64(np.int32((w >> _S12) & _LOW20))
    iz = w & _LAYER
    return hz * _WN[iz], not abs(hz) < _KN[iz]


_NO_INDICES = np.zeros(0, dtype=np.int64)

# Byte j of this number, counted from the top, is j: (1 << 8j) * _BYTE_INDEX >> 56 == j.
_BYTE_INDEX = np.uint64(0x0001020304050607)
_S56 = np.uint64(56)


@cached
@njit
def _fast_paths(out, flags, w):
    """The fast path of every word ``w[q]``: ``out[q]``, and ``flags[q]`` 1 where it
    rejects (no branch and no running count, so that LLVM vectorises the loop)."""
    for q in range(w.size):
        out[q], flags[q] = fast_normal(w[q])


@cached
@njit
def _note_rejected(flags, at):
    """The positions of the nonzero ``flags`` (from :func:`_fast_paths`; their number a
    multiple of 8, zero past the elements) into ``at``; their count.

    The flags are read eight at a time, as one 64-bit number, and its lowest set byte
    noted without a branch (written always, kept when there is one): a branch per
    element or per number mispredicts about once per rejection, which come at random. A
    second rejection among eight (2% of the numbers) takes a loop.
    """
    v = flags.view(np.uint64)
    rejected = 0
    for i in range(v.size):
        f = v[i]
        low = f & (~f + _ONE)
        at[rejected] = 8 * i + np.int64((low * _BYTE_INDEX) >> _S56)
        rejected += f != 0
        f ^= low
        while f:
            low = f & (~f + _ONE)
            at[rejected] = 8 * i + np.int64((low * _BYTE_INDEX) >> _S56)
            rejected += 1
            f ^= low
    return rejected


@cached
@njit
def _normals_into(out, k0, k1, stream, step, site, lo, indices):
    """``out[q]`` = :func:`normal` of element ``lo + q``, or of
    ``indices[q]`` when ``indices`` is not empty.

    In passes without a branch per element: the first words (:func:`_fill_bits_range`
    or :func:`_fill_bits_at`), the fast path of each (:func:`_fast_paths`, which LLVM
    vectorises), the positions of the rejected (0.12%, :func:`_note_rejected`); then the
    rejection steps of those (:func:`_rejected_normals`).
    """
    n = out.size
    w = np.empty(n, dtype=np.uint64)
    if indices.size == 0:
        _fill_bits_range(w, k0, k1, stream, step, site, lo)
    else:
        _fill_bits_at(w, k0, k1, stream, step, site, indices)
    flags = np.empty((n + 7) & ~7, dtype=np.uint8)
    flags[n:] = 0
    _fast_paths(out, flags[:n], w)
    at = np.empty(n + 1, dtype=np.int64)  # (+1: the place after the last is written)
    rejected = _note_rejected(flags, at)
    if rejected:
        _rejected_normals(out, at[:rejected], w, k0, k1, stream, step, site, lo, indices)


@cached
@njit
def _rejected_normals(out, at, w, k0, k1, stream, step, site, lo, indices):
    """The rejection steps of the normals ``out[q]``, ``q`` in ``at``, whose fast path
    rejected their first word ``w[q]`` (elements as in :func:`_normals_into`)."""
    step, site = np.uint64(step), np.uint64(site)
    for q in at:
        element = np.uint64(lo + q) if indices.size == 0 else np.uint64(indices[q])
        hz, iz = split(w[q])
        out[q] = _normal_rejected(k0, k1, stream, step, site, element, hz, iz, _ONE)


# A kernel draws its elements' numbers before its loop (``*_range``, ``*_at``) or, when
# its elements run in parallel blocks, each block those of its elements (``*_span``,
# ``*_span_at``, into an array of the block, which stays in the cache); either way each
# element gets the same bits.
@cached
@njit
def uniforms_span(out, k0, k1, stream, step, site, lo, hi):
    """``out[:hi-lo]`` = :func:`uniform` of elements ``lo .. hi-1``."""
    b = np.empty(hi - lo, dtype=np.uint64)
    _fill_bits_range(b, k0, k1, stream, step, site, lo)
    _to_uniforms(out, b)


@cached
@njit
def uniforms_span_at(out, k0, k1, stream, step, site, indices, lo, hi):
    """``out[:hi-lo]`` = :func:`uniform` of elements ``indices[lo:hi]``."""
    b = np.empty(hi - lo, dtype=np.uint64)
    _fill_bits_at(b, k0, k1, stream, step, site, indices[lo:hi])
    _to_uniforms(out, b)


@cached
@njit
def normals_span(out, k0, k1, stream, step, site, lo, hi):
    """``out[:hi-lo]`` = :func:`normal` of elements ``lo .. hi-1``."""
    _normals_into(out[:hi - lo], k0, k1, stream, step, site, lo, _NO_INDICES)


@cached
@njit
def normals_span_at(out, k0, k1, stream, step, site, indices, lo, hi):
    """``out[:hi-lo]`` = :func:`normal` of elements ``indices[lo:hi]``."""
    _normals_into(out[:hi - lo], k0, k1, stream, step, site, 0, indices[lo:hi])


@cached
@njit
def uniforms_range(k0, k1, stream, step, site, n):
    """:func:`uniform` of elements ``0 .. n-1``, drawn before a kernel's loop."""
    out = np.empty(n)
    uniforms_span(out, k0, k1, stream, step, site, 0, n)
    return out


@cached
@njit
def uniforms_at(k0, k1, stream, step, site, indices, n):
    """:func:`uniform` of elements ``indices[:n]``."""
    out = np.empty(n)
    uniforms_span_at(out, k0, k1, stream, step, site, indices, 0, n)
    return out


@cached
@njit
def normals_range(k0, k1, stream, step, site, n):
    """:func:`normal` of elements ``0 .. n-1``."""
    out = np.empty(n)
    normals_span(out, k0, k1, stream, step, site, 0, n)
    return out


@cached
@njit
def normals_at(k0, k1, stream, step, site, indices, n):
    """:func:`normal` of elements ``indices[:n]``."""
    out = np.empty(n)
    normals_span_at(out, k0, k1, stream, step, site, indices, 0, n)
    return out

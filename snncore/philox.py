"""Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011,
"Parallel random numbers: as easy as 1, 2, 3"). The paper reports 7 rounds as the
fewest that pass TestU01's BigCrush and recommends 10 for a margin of safety; 10 it is
(a round is a tenth of a block's cost, and fewer would change every stream).

A draw is a pure function of a key (from the seed) and a counter. The counter names the
draw: the stream (which kernel of which object), the time step, the element (neuron or
synapse), the draw site (the k-th ``rand()``/``randn()``/``poisson()``/``xi`` of the
kernel) and an attempt number (rejection methods need more than one number). No state
advances, so a draw is the same whatever order the elements are visited in, however a
run is cut into segments, and whichever backend computes it.

The bit-level core (:func:`philox`, :func:`bits`, :func:`word`, :func:`split`) is
compiled by Numba for the kernels (scalars); the numpy backend runs the same arithmetic
on arrays of uint64, Philox's rounds in place (:func:`_philox_into`: in numpy each
operation and each temporary array costs). The rejection loops, which branch per
element, exist twice: a scalar one for Numba (:func:`normal` with
:func:`rejection_round`, :func:`poisson`; a kernel's fill takes the first round of all
its rejected normals together) and a masked vector one for numpy (:func:`normals`,
:func:`poissons`), taking their numbers from the same counters in the same order, so
they return the same bits. Conversions to float are written so that AVX2 vectorises
them (from int32, exact), the same values as numpy's. Transcendental functions whose
result becomes a returned value (the normal tail) are taken from the C library on both
sides (``math.log`` per element in numpy), those that only decide an acceptance test
from numpy's vector functions.

Counter layout (four 32-bit words): ``(element >> 1, step, site << 16 | attempt,
stream)``; each Philox block gives two 64-bit halves, element ``e`` takes half
``e & 1``. The first draw of a normal needs only 32 bits: four elements share the
block ``(element >> 2, step, site << 16, stream)``, element ``e`` taking word ``e & 3``
(attempts from 1 on use the 64-bit layout). Steps count up to 2**32 (five days at
dt = 0.1 ms), sites and attempts up to 2**16 each.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

from .backends.kernel_cache import cached
from .random import BAD, BAD_MEAN, BAD_STEP, POISSON_MAX

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
_LOW = np.uint64(0xFFFFFFFF)
_ONE, _TWO, _THREE, _S11, _S16, _S32 = (np.uint64(k) for k in (1, 2, 3, 11, 16, 32))
_127 = np.uint64(127)
_HALF31 = np.int64(2147483648)
_SIGN = np.uint64(0x80000000)
_EPS53 = 1.0 / 9007199254740992.0


@cached
@njit(inline="always")
def philox(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 of the counter ``(c0, c1, c2, c3)`` under the key ``(k0, k1)``.

    Every argument is a uint64 below 2**32 (a scalar, or in numpy an array); so are the
    four results. Salmon et al.'s known answers are checked in the tests.
    """
    for _ in range(10):
        p0 = c0 * _M0
        p1 = c2 * _M1
        c0, c1, c2, c3 = (p1 >> _S32) ^ c1 ^ k0, p1 & _LOW, (p0 >> _S32) ^ c3 ^ k1, p0 & _LOW
        k0 = (k0 + _W0) & _LOW
        k1 = (k1 + _W1) & _LOW
    return c0, c1, c2, c3


@cached
@njit(inline="always")
def bits(k0, k1, stream, step, site, attempt, element):
    """The 64 random bits of one counter (all arguments uint64)."""
    lane = element & _ONE
    w0, w1, w2, w3 = philox(element >> _ONE, step & _LOW, ((site << _S16) | attempt) & _LOW,
                            stream, k0, k1)
    # The half ``lane`` of the block, without a branch (so that loops vectorise).
    hi = w0 + (w2 - w0) * lane
    lo = w1 + (w3 - w1) * lane
    return (hi << _S32) | lo


@cached
@njit(inline="always")
def word(k0, k1, stream, step, site, element):
    """The 32 random bits of a normal's first draw: four elements share a block (a
    normal's fast path needs 32 bits, and the block is the cost of a draw)."""
    w0, w1, w2, w3 = philox(element >> _TWO, step & _LOW, (site << _S16) & _LOW, stream,
                            k0, k1)
    half = (element >> _ONE) & _ONE
    hi = w0 + (w2 - w0) * half
    lo = w1 + (w3 - w1) * half
    return hi + (lo - hi) * (element & _ONE)


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


def _squeeze_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lines below and above ``exp(t)`` on the range of ``t = -x*x/2`` that the wedge
    test of each layer ``iz`` >= 1 meets (``|hz|`` from ``kn[iz]`` to ``2**31``): ``exp``
    is convex, so its tangent at the middle of the range lies below it and its chord
    above. A test ``y < exp(t)`` whose ``y`` lies below the one or above the other is
    decided without computing ``exp``. Each line is moved away from ``exp`` by 1e-12, far
    more than the rounding of the tables, of the lines' evaluation and of any ``exp``
    (a few units in 1e-16 of values below 1), so the decision is the one ``exp`` would
    give. Returns ``(below0, below1, above0, above1)``: lines ``a0 + a1 * t``.
    """
    margin = 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):  # (layer 0 is the tail)
        near = -0.5 * (_KN * _WN) ** 2 + 1e-9
        far = -0.5 * (2.0**31 * _WN) ** 2 - 1e-9
        mid = 0.5 * (near + far)
        chord = (np.exp(near) - np.exp(far)) / (near - far)
        below0, below1 = np.exp(mid) * (1.0 - mid) - margin, np.exp(mid)
        above0, above1 = np.exp(far) - chord * far + margin, chord
    return below0, below1, above0, above1


_BELOW0, _BELOW1, _ABOVE0, _ABOVE1 = _squeeze_tables()


@cached
@njit(inline="always")
def split(w):
    """The ziggurat's signed 32-bit ``hz`` and layer ``iz`` (its low seven bits, as in
    Marsaglia & Tsang's RNOR) from 32 random bits."""
    return np.int64(w) - _HALF31, np.int64(w & _127)


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

    The fast path (97.2% of draws: one block, a multiplication and a comparison) is
    small enough for LLVM to inline into a kernel; the rejection steps are a separate
    function.
    """
    step, site, element = np.uint64(step), np.uint64(site), np.uint64(element)
    hz, iz = split(word(k0, k1, stream, step, site, element))
    if abs(hz) < _KN[iz]:
        return hz * _WN[iz]
    return _normal_rejected(k0, k1, stream, step, site, element, hz, iz, _ONE)


@cached
@njit
def _normal_rejected(k0, k1, stream, step, site, element, hz, iz, attempt):
    """The rejection steps of :func:`normal` from attempt ``attempt`` (1 after the fast
    path) on: rounds of :func:`rejection_round` until one accepts."""
    while True:
        done, x, hz, iz = rejection_round(
            hz, iz, bits(k0, k1, stream, step, site, attempt, element),
            bits(k0, k1, stream, step, site, attempt + _ONE, element))
        attempt += _TWO
        if done:
            return x


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
    y = _FN[iz] + unit(b) * (_FN[iz - 1] - _FN[iz])
    t = -0.5 * x * x
    # exp (10 ns) only where the lines of _squeeze_tables do not decide (a few percent).
    if y < _BELOW0[iz] + _BELOW1[iz] * t or \
            (y < _ABOVE0[iz] + _ABOVE1[iz] * t and y < math.exp(t)):
        return True, x, hz, iz
    hz, iz = split(c >> _S32)
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
# numpy's cost is per call (about a microsecond) plus per element, and a temporary the
# size of a large group lives in main memory, not in the cache: so the numpy functions
# draw in passes of _CHUNK Philox blocks, each pass in place on arrays that stay in the
# cache, and ask Philox for many counters per call rather than a few per call.
_CHUNK = 8192
# numpy takes a 0-d array as an operand sooner than a numpy scalar (by 0.7 us a call).
_CONSTANTS = tuple(np.array(k) for k in (_S32, _LOW))
_MULTIPLIERS = np.array([[_M0], [_M1]])
_split_np = split.py_func


@functools.lru_cache(maxsize=64)
def _schedule(k0: int, k1: int) -> tuple:
    """The multipliers and keys of :func:`_philox_into`'s rounds for the key ``(k0,
    k1)``: 2 x 1 arrays, in the order in which the round holds its halves."""
    rounds = []
    for r in range(10):
        if r % 2 == 0:  # (c0, c2) times (M0, M1); the keys go into the swapped result
            rounds.append((_MULTIPLIERS, np.array([[k1], [k0]], dtype=np.uint64)))
        else:  # (c2, c0)
            rounds.append((_MULTIPLIERS[::-1], np.array([[k0], [k1]], dtype=np.uint64)))
        k0, k1 = (k0 + int(_W0)) & 0xFFFFFFFF, (k1 + int(_W1)) & 0xFFFFFFFF
    return tuple(rounds)


def _philox_into(w: np.ndarray, key, c0, c1, c2) -> tuple:
    """:func:`philox` of the counters ``(c0, c1, c2, stream)`` under ``key`` (``(k0, k1,
    stream)``; ``c0`` m numbers, ``c1`` and ``c2`` m numbers or one), computed in the
    buffer ``w`` (uint64, 4 x m) in passes of :data:`_CHUNK` counters; returns its
    four words (rows of ``w``).

    The arithmetic of :func:`philox` with each operation written into an array it has
    finished with (``out=``, no temporaries), and its two symmetric halves, (c0, c1)
    with the product of c2 and (c2, c3) with that of c0, done together: the rows of
    ``w`` hold ``(c0, c2)``, then ``(c1, c3)``, and as a round swaps the halves, odd
    rounds hold them swapped: five numpy calls a round, not ten.
    """
    w[0], w[1], w[2], w[3] = c0, c2, c1, key[2]
    m = w.shape[1]
    product = np.empty((2, min(m, _CHUNK)), dtype=np.uint64)
    rounds = _schedule(int(key[0]), int(key[1]))
    s32, low = _CONSTANTS
    for lo in range(0, m, _CHUNK):
        a, b = w[:2, lo:lo + _CHUNK], w[2:, lo:lo + _CHUNK]
        p = product[:, :a.shape[1]]
        for multipliers, keys in rounds:
            np.multiply(a, multipliers, p)
            # The new (c0, c2), swapped: hi(p) ^ (c3, c1) ^ (k1, k0); (c1, c3) swapped: lo(p).
            np.bitwise_xor(np.bitwise_xor(np.right_shift(p, s32, a), b[::-1], a), keys, a)
            np.bitwise_and(p, low, b)
    return w[0], w[2], w[1], w[3]


def _halves(w: tuple, lane: np.ndarray) -> np.ndarray:
    """The 64 bits of half ``lane`` (0 or 1 each) of the blocks ``w`` (four words)."""
    hi = np.where(lane, w[2], w[0])
    return np.bitwise_or(np.left_shift(hi, _S32, hi), np.where(lane, w[3], w[1]), hi)


def _bits_of(key, step: int, site: int, attempt, elements: np.ndarray) -> np.ndarray:
    """:func:`bits` of ``elements`` (uint64) at ``attempt`` (a number or one per
    element), a block for each."""
    c2 = ((np.uint64(site) << _S16) | np.asarray(attempt, dtype=np.uint64)) & _LOW
    w = _philox_into(np.empty((4, elements.size), dtype=np.uint64), key, elements >> _ONE,
                     np.uint64(step) & _LOW, c2)
    return _halves(w, elements & _ONE)


def _u64(value) -> np.ndarray:
    return np.asarray(value).astype(np.uint64)


def _contiguous(elements: np.ndarray) -> int | None:
    """The first element if ``elements`` are consecutive and increasing, else None."""
    n = elements.size
    if n < 8 or int(elements[-1]) - int(elements[0]) != n - 1:
        return None
    # n increasing integers spanning n - 1 are consecutive.
    return int(elements[0]) if np.all(elements[1:] > elements[:-1]) else None


def uniforms(key, step: int, site: int, elements: np.ndarray) -> np.ndarray:
    """Uniform numbers in [0, 1) for ``elements``, equal to :func:`uniform`'s.

    ``key`` is ``(k0, k1, stream)``.
    """
    elements = np.asarray(elements)
    first = _contiguous(elements)
    if first is None:
        return _unit(_bits_of(key, step, site, 0, _u64(elements)))
    # A range of elements (the common case): each block computed once, for two; the
    # top 53 bits of the halves (w0, w1) and (w2, w3) are w0 << 21 | w1 >> 11, ...
    lo, hi = first >> 1, (first + elements.size + 1) >> 1
    out = np.empty((hi - lo, 2))
    w = np.empty((4, min(hi - lo, _CHUNK)), dtype=np.uint64)
    s11, s21 = _S11, np.uint64(21)
    for b in range(lo, hi, _CHUNK):
        m = min(_CHUNK, hi - b)
        w0, w1, w2, w3 = _philox_into(w[:, :m], key, np.arange(b, b + m, dtype=np.uint64),
                                      np.uint64(step) & _LOW, (np.uint64(site) << _S16) & _LOW)
        np.multiply(np.bitwise_or(np.left_shift(w0, s21, w0), np.right_shift(w1, s11, w1), w0),
                    _EPS53, out[b - lo:b - lo + m, 0])
        np.multiply(np.bitwise_or(np.left_shift(w2, s21, w2), np.right_shift(w3, s11, w3), w2),
                    _EPS53, out[b - lo:b - lo + m, 1])
    return out.ravel()[first & 1:][:elements.size]


def normals(key, step: int, site: int, elements: np.ndarray) -> np.ndarray:
    """Standard normal numbers for ``elements``, equal to :func:`normal`'s."""
    elements = np.asarray(elements)
    first = _contiguous(elements)
    step_word, site_word = np.uint64(step) & _LOW, (np.uint64(site) << _S16) & _LOW
    if first is None:
        e = _u64(elements)
        w = np.empty((4, e.size), dtype=np.uint64)
        words = np.choose((e & _THREE).astype(np.intp),
                          _philox_into(w, key, e >> _TWO, step_word, site_word))
        out = np.empty(e.size)
        todo = _fast_normals(words, out, _scratch(e.size))
        if todo.size:
            out[todo] = _normals_rejected(key, step, site, e[todo], words[todo])
        return out
    # A range: each block computed once, for four elements. The words of a pass are
    # (c0, c2; c1, c3) as _philox_into leaves them, element 4 j + 2 h + g of block j
    # in [g, h, j], and the values go through a view of ``out`` in that order.
    lo, hi = first >> 2, (first + elements.size + 3) >> 2
    out = np.empty(4 * (hi - lo))
    w = np.empty((4, min(hi - lo, _CHUNK)), dtype=np.uint64)
    scratch = _scratch(w.size)
    rejected, their_words = [], []
    for b in range(lo, hi, _CHUNK):
        m = min(_CHUNK, hi - b)
        _philox_into(w[:, :m], key, np.arange(b, b + m, dtype=np.uint64), step_word,
                     site_word)
        words = w[:, :m].reshape(2, 2, m)
        todo = _fast_normals(words, out[4 * (b - lo):4 * (b - lo + m)].reshape(m, 2, 2).T,
                             scratch)
        g, h, j = np.unravel_index(todo, words.shape)
        rejected.append(4 * (b - lo + j) + 2 * h + g)
        their_words.append(words[g, h, j])
    todo = np.concatenate(rejected)
    if todo.size:
        out[todo] = _normals_rejected(key, step, site, (todo + 4 * lo).astype(np.uint64),
                                      np.concatenate(their_words))
    return out[first & 3:][:elements.size]


def _fast_normals(words: np.ndarray, out: np.ndarray, scratch: tuple) -> np.ndarray:
    """The ziggurat's fast path (:func:`split`, then ``hz * wn[iz]``) of the 32-bit
    ``words`` into ``out`` (of their shape); returns the flat indices of the rejected
    ones. ``scratch`` is arrays of float64, int64, float64 and bool at least that large,
    reused from pass to pass: the first write to a new large array costs more than the
    arithmetic (the system maps its pages in)."""
    hz, iz, table, rejected = (a.ravel()[:words.size].reshape(words.shape) for a in scratch)
    signed = words.view(np.int64)
    # hz as a float (exact): numpy would convert it for the product and the comparison.
    np.subtract(signed, 2147483648.0, hz)
    np.bitwise_and(signed, 127, iz)
    np.take(_WN, iz, out=table, mode="clip")  # (iz is below 128: no check needed)
    np.multiply(hz, table, out)
    # |hz| >= kn[iz]: not |hz| < kn[iz] (kn is never nan)
    np.take(_KN, iz, out=table, mode="clip")
    return np.flatnonzero(np.greater_equal(np.abs(hz, hz), table, rejected))


def _scratch(n: int) -> tuple:
    """The scratch arrays of :func:`_fast_normals` for ``n`` words."""
    return np.empty(n), np.empty(n, dtype=np.int64), np.empty(n), np.empty(n, dtype=bool)


# A Philox call costs about as much as 1500 blocks (its fifty numpy operations): the
# bits of two rejection rounds are drawn together while that is cheaper than a second
# call. One round settles 98.6% of the rejected elements, two 99.97%.
_TWO_ROUNDS = 750


def _normals_rejected(key, step, site, elements, words) -> np.ndarray:
    """:func:`_normal_rejected` from attempt 1 for ``elements`` (uint64) whose first
    ``words`` the fast path rejected, as masked vectors.

    Every element not yet done takes round r (attempts 2r - 1 and 2r) with the others,
    so the bits of a round (or two) of all of them come from one Philox call.
    """
    hz, iz = _split_np(words)
    out = np.empty(elements.size)
    todo = np.arange(elements.size)
    attempt = 1
    while todo.size:
        rounds = 2 if todo.size < _TWO_ROUNDS else 1
        bits_of = _attempt_bits(key, step, site, elements[todo], attempt, 2 * rounds)
        attempt += 2 * rounds
        for r in range(rounds):
            if not todo.size:
                break
            done, value, hz, iz = _rejection_rounds(hz, iz, bits_of[:, 2 * r],
                                                    bits_of[:, 2 * r + 1])
            out[todo[done]] = value[done]
            keep = ~done
            todo, hz, iz, bits_of = todo[keep], hz[keep], iz[keep], bits_of[keep]
    return out


# _FN[iz - 1] - _FN[iz] of the wedge test by layer; the tail (layer 0) has none: nan
# fails the test.
_DFN = np.r_[np.nan, _FN[:-1] - _FN[1:]]


def _rejection_rounds(hz, iz, b, c) -> tuple:
    """:func:`rejection_round` of arrays: ``(done, value, hz, iz)``.

    The wedge's steps are taken for every element (numpy's cost is per call), the tail's
    (one element in fifty) for those in layer 0, whose wedge results are dropped.
    """
    x = hz * np.take(_WN, iz)
    ok = np.take(_FN, iz) + _unit(b) * np.take(_DFN, iz) < np.exp(-0.5 * x * x)
    signed = (c >> _S32).view(np.int64)  # split(c >> 32)
    nhz, niz = signed - _HALF31, signed & 127
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


def _attempt_bits(key, step: int, site: int, elements: np.ndarray, first: int,
                  count: int) -> np.ndarray:
    """The 64 bits of attempts ``first .. first + count - 1`` of ``elements`` (uint64),
    one row per element, from one Philox call; consecutive elements two to a block."""
    start = _contiguous(elements)
    attempts = np.arange(first, first + count, dtype=np.uint64)
    if start is None:
        return _bits_of(key, step, site, np.tile(attempts, elements.size),
                        np.repeat(elements, count)).reshape(-1, count)
    lo, hi = start >> 1, (start + elements.size + 1) >> 1
    w = _philox_into(np.empty((4, (hi - lo) * count), dtype=np.uint64), key,
                     np.repeat(np.arange(lo, hi, dtype=np.uint64), count),
                     np.uint64(step) & _LOW,
                     np.tile(((np.uint64(site) << _S16) | attempts) & _LOW, hi - lo))
    table = np.empty((hi - lo, 2, count), dtype=np.uint64)
    for half in (0, 1):
        hi_word, lo_word = w[2 * half].reshape(-1, count), w[2 * half + 1].reshape(-1, count)
        np.bitwise_or(np.left_shift(hi_word, _S32, hi_word), lo_word, table[:, half])
    return table.reshape(-1, count)[start & 1:][:elements.size]


# Poisson numbers are drawn for slices of this many elements times attempts (the bits of
# a slice's attempts stay in the cache, and a large group needs no huge table).
_POISSON_SLICE = 1 << 16


def _by_slices(draw, key, step, site, elements, lam, count):
    """``draw`` of slices of ``elements`` (and their ``lam``) of ``_POISSON_SLICE //
    count`` elements (an even number: pairs share their blocks)."""
    size = max(2, _POISSON_SLICE // count) & ~1
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
@njit
def _fill_bits_range(out, k0, k1, stream, step, site, lo):
    """The 64 bits of the draws of elements ``lo .. lo + out.size - 1`` (``lo`` even),
    two per Philox block (a loop LLVM vectorises)."""
    c1 = np.uint64(step) & _LOW
    c2 = (np.uint64(site) << _S16) & _LOW
    first = lo >> 1
    n = out.size
    for b in range(n >> 1):
        w0, w1, w2, w3 = philox(np.uint64(first + b), c1, c2, stream, k0, k1)
        out[2 * b] = (w0 << _S32) | w1
        out[2 * b + 1] = (w2 << _S32) | w3
    if n & 1:
        out[n - 1] = bits(k0, k1, stream, np.uint64(step), np.uint64(site), np.uint64(0),
                          np.uint64(lo + n - 1))


@cached
@njit
def _fill_bits_at(out, k0, k1, stream, step, site, indices):
    """The 64 bits of the draws of elements ``indices[:out.size]``: of a run of
    consecutive elements (a threshold's, a subgroup's) as :func:`_fill_bits_range` does,
    a block for two (after an odd first element), else a block each."""
    step, site, zero = np.uint64(step), np.uint64(site), np.uint64(0)
    n = out.size
    head = n
    if _consecutive(indices, n):
        head = min(indices[0] & 1, n)
        _fill_bits_range(out[head:], k0, k1, stream, step, site, indices[0] + head)
    for q in range(head):
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
def _fill_words_range(out, k0, k1, stream, step, site, lo):
    """The 32 bits of the first draws of normals ``lo .. lo + out.size - 1`` (``lo`` a
    multiple of 4), four per block."""
    c1 = np.uint64(step) & _LOW
    c2 = (np.uint64(site) << _S16) & _LOW
    first = lo >> 2
    n = out.size
    for b in range(n >> 2):
        w0, w1, w2, w3 = philox(np.uint64(first + b), c1, c2, stream, k0, k1)
        out[4 * b] = w0
        out[4 * b + 1] = w1
        out[4 * b + 2] = w2
        out[4 * b + 3] = w3
    for e in range(n & ~3, n):
        out[e] = word(k0, k1, stream, np.uint64(step), np.uint64(site), np.uint64(lo + e))


@cached
@njit
def _fill_words_at(out, k0, k1, stream, step, site, indices):
    """The 32 bits of the first draws of normals ``indices[:out.size]``: of a run of
    consecutive elements as :func:`_fill_words_range` does (after the first elements up
    to a multiple of 4), else a block each."""
    step, site = np.uint64(step), np.uint64(site)
    n = out.size
    head = n
    if _consecutive(indices, n):
        head = min(-indices[0] & 3, n)
        _fill_words_range(out[head:], k0, k1, stream, step, site, indices[0] + head)
    for q in range(head):
        out[q] = word(k0, k1, stream, step, site, np.uint64(indices[q]))


@cached
@njit
def _to_uniforms(out, b):
    for q in range(b.size):
        out[q] = unit(b[q])


@cached
@njit(inline="always")
def fast_normal(w):
    """The ziggurat's fast path for the 32 random bits ``w``: ``hz * wn[iz]`` of
    :func:`split` and whether that is rejected.

    ``hz`` is made as an int32 (``w ^ 2**31`` read as signed is ``w - 2**31``), which
    converts to float in one instruction (int64 takes several without AVX-512): the same
    value, sooner.
    """
    hz = np.float64(np.int32(w ^ _SIGN))
    iz = w & _127
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
    """``out[q]`` = :func:`normal` of element ``lo + q`` (``lo`` a multiple of 4), or of
    ``indices[q]`` when ``indices`` is not empty.

    In passes without a branch per element, which LLVM vectorises: the first words
    (:func:`_fill_words_range` or :func:`_fill_words_at`), the fast path of each
    (:func:`_fast_paths`), the positions of the rejected (2.8%,
    :func:`_note_rejected`); then the rejection steps of those
    (:func:`_rejected_normals`). 12-15% faster (4000 normals) than noting the rejected
    in the fast path's loop (which then does not vectorise) from words of 64 bits.
    """
    n = out.size
    w = np.empty(n, dtype=np.uint32)  # (half the memory of 64 bits, loads 8 at a time)
    if indices.size == 0:
        _fill_words_range(w, k0, k1, stream, step, site, lo)
    else:
        _fill_words_at(w, k0, k1, stream, step, site, indices)
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
    rejected their first word ``w[q]`` (elements as in :func:`_normals_into`).

    The bits of the two attempts of their first round are drawn in a loop LLVM
    vectorises (one by one, each waits for 20 dependent multiplications); the rare rest
    (a tail, or a round that did not accept) by :func:`_normal_rejected`.
    """
    rejected = at.size
    step, site = np.uint64(step), np.uint64(site)
    elements = at + lo if indices.size == 0 else \
        indices[at].astype(np.int64)  # (synapses' indices are int32)
    b1 = np.empty(rejected, dtype=np.uint64)
    b2 = np.empty(rejected, dtype=np.uint64)
    for r in range(rejected):
        b1[r] = bits(k0, k1, stream, step, site, _ONE, np.uint64(elements[r]))
        b2[r] = bits(k0, k1, stream, step, site, _TWO, np.uint64(elements[r]))
    for r in range(rejected):
        q = at[r]
        hz, iz = split(np.uint64(w[q]))
        done, x, hz, iz = rejection_round(hz, iz, b1[r], b2[r])
        if not done:
            x = _normal_rejected(k0, k1, stream, step, site, np.uint64(elements[r]), hz,
                                 iz, _THREE)
        out[q] = x


# A kernel draws its elements' numbers before its loop (``*_range``, ``*_at``) or, when
# its elements run in parallel blocks, each block those of its elements (``*_span``,
# ``*_span_at``, into an array of the block, which stays in the cache); either way each
# element gets the same bits.
@cached
@njit
def uniforms_span(out, k0, k1, stream, step, site, lo, hi):
    """``out[:hi-lo]`` = :func:`uniform` of elements ``lo .. hi-1`` (``lo`` even)."""
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
    """``out[:hi-lo]`` = :func:`normal` of elements ``lo .. hi-1`` (``lo`` a multiple
    of 4)."""
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


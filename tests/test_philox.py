"""The counter-based generator (snncore.philox): known answers, the same bits from the
Numba scalars and the numpy vectors, and the distributions of its uniforms, normals and
Poisson numbers."""

import numpy as np
import pytest
from numba import njit
from scipy import special, stats

from snncore import philox

U = np.uint64
KEY = (U(0x1234567), U(0x89ABCDEF), U(5))


@pytest.mark.parametrize(("counter", "key", "expected"), [
    # Salmon et al.'s known-answer vectors for Philox4x64-10 (Random123, kat_vectors).
    ((0, 0, 0, 0), (0, 0),
     (0x16554D9ECA36314C, 0xDB20FE9D672D0FDC, 0xD7E772CEE186176B, 0x7E68B68AEC7BA23B)),
    ((2**64 - 1,) * 4, (2**64 - 1,) * 2,
     (0x87B092C3013FE90B, 0x438C3C67BE8D0224, 0x9CC7D7C69CD777B6, 0xA09CAEBF594F0BA0)),
])
def test_philox4x64_10_known_answers(counter, key, expected):
    numba_out = philox.philox(*(U(c) for c in counter + key))
    assert tuple(int(w) for w in numba_out) == expected
    # The numpy backend's arithmetic on arrays, for several counters at once.
    rows = philox._philox_rows((*key, counter[3]), np.full(3, U(counter[0])), counter[1],
                               U(counter[2]))
    assert {tuple(int(w) for w in column) for column in rows.T} == {expected}


def test_numpy_c_philox_gives_the_blocks_of_consecutive_counters():
    """numpy's own Philox (which the numpy backend asks for ranges of counters) and the
    Numba and array arithmetic agree on random counters and keys, carries included."""
    rng = np.random.default_rng(7)
    for c0, c1, c2, c3, k0, k1 in rng.integers(0, 2**64, (20, 6), dtype=U, endpoint=False):
        c0 = U(2**64 - 1) if c1 % 4 == 0 else c0  # the first word carries into the second
        key = (k0, k1, c3)
        c_words = philox._c_words(key, int(c0), int(c1), int(c2), 8).reshape(2, 4)
        for b in range(2):
            block, carry = divmod(int(c0) + b, 2**64)[::-1]
            expected = philox.philox(U(block), U((int(c1) + carry) % 2**64), c2, c3, k0, k1)
            assert tuple(int(w) for w in c_words[b]) == tuple(int(w) for w in expected)
        rows = philox._philox_rows(key, np.array([c0], dtype=U), int(c1), c2)
        assert tuple(int(w) for w in rows[:, 0]) == \
            tuple(int(w) for w in philox.philox(c0, c1, c2, c3, k0, k1))


@njit
def _scalars(kind, k0, k1, stream, step, site, elements, lam):
    out = np.empty(elements.size)
    for q in range(elements.size):
        if kind == 0:
            out[q] = philox.uniform(k0, k1, stream, step, site, elements[q])
        elif kind == 1:
            out[q] = philox.normal(k0, k1, stream, step, site, elements[q])
        else:
            out[q] = philox.poisson(k0, k1, stream, step, site, elements[q], lam[q])
    return out


@njit
def _over_steps(k0, k1, stream, n):
    return np.array([philox.uniform(k0, k1, stream, step, 0, 7) for step in range(n)])


ELEMENTS = np.arange(300_000)
# Enough normals for about 46 in the tail beyond r = 4.39 (P = 1.15e-5).
MANY = np.arange(4_000_000)


@pytest.fixture(scope="module")
def normals():
    return philox.normals(KEY, 17, 2, MANY)


def test_numba_and_numpy_give_the_same_uniforms():
    elements = np.r_[ELEMENTS[:50_000], 2**33 - 1, 12345678901]
    vector = philox.uniforms(KEY, 3, 1, elements)
    scalar = _scalars(0, *KEY, 3, 1, elements, np.zeros(0))
    np.testing.assert_array_equal(vector, scalar)


def test_numba_and_numpy_give_the_same_normals_tails_included(normals):
    scalar = _scalars(1, *KEY, 17, 2, MANY, np.zeros(0))
    np.testing.assert_array_equal(normals, scalar)
    # The rejection steps were taken: wedges (0.12% of draws) and the tail beyond r.
    assert np.count_nonzero(np.abs(normals) > philox._R) > 20


def test_a_few_rejected_normals_take_the_scalar_code_in_numpy_with_the_same_bits():
    """A small group has a few rejected normals a step, which numpy takes through the
    Python code of the Numba rejection steps: the same numbers as Numba's."""
    elements = ELEMENTS[:3000]
    rejected = 0
    for step in range(60):
        words = philox._first_bits(KEY, step, 4, elements)
        few = philox._fast_normals(words, np.empty(elements.size),
                                   philox._scratch(elements.size)).size
        assert few <= philox._FEW_REJECTED
        rejected += few
        np.testing.assert_array_equal(philox.normals(KEY, step, 4, elements),
                                      _scalars(1, *KEY, step, 4, elements, np.zeros(0)))
    assert rejected > 100  # (3.6 a step expected)


@pytest.mark.parametrize("start", [0, 1, 2, 3])
def test_kernel_fills_give_the_same_numbers(normals, start):
    """The vectorised fills a Numba kernel draws before its loop (a range, a run of
    consecutive elements from any start, scattered and far-apart elements; normals with
    their batched rejections, tails included) give numpy's numbers."""
    k0, k1, stream = KEY
    n = 60_001
    run = ELEMENTS[start:start + n]
    scattered = np.sort(np.random.default_rng(start).choice(4 * n, n, replace=False))
    scattered = scattered.astype(np.int32)  # as synapses index their elements
    # Far apart (numpy computes their counters itself, not from a range of them).
    sparse = np.arange(start, 5000 * 1_000_003, 1_000_003)
    for idx in (run, scattered, sparse):
        np.testing.assert_array_equal(philox.uniforms_at(k0, k1, stream, 3, 1, idx, idx.size),
                                      philox.uniforms(KEY, 3, 1, idx))
        np.testing.assert_array_equal(philox.normals_at(k0, k1, stream, 17, 2, idx, idx.size),
                                      philox.normals(KEY, 17, 2, idx))
    np.testing.assert_array_equal(philox.normals_at(k0, k1, stream, 17, 2, run, n),
                                  normals[start:start + n])
    np.testing.assert_array_equal(philox.normals_range(k0, k1, stream, 17, 2, n),
                                  normals[:n])
    np.testing.assert_array_equal(philox.uniforms_range(k0, k1, stream, 3, 1, n),
                                  philox.uniforms(KEY, 3, 1, ELEMENTS[:n]))


def test_numba_and_numpy_give_the_same_poisson_numbers():
    elements = ELEMENTS[:100_000]
    lam = np.r_[0.0, -1.0, np.nan, (elements[3:] % 60) * 0.5]
    vector = philox.poissons(KEY, 9, 4, elements, lam)
    scalar = _scalars(2, *KEY, 9, 4, elements, lam)
    np.testing.assert_array_equal(vector, scalar)
    assert np.all(vector[:3] == 0)  # no mean, no events


@pytest.mark.parametrize(("layers", "r", "v"), [
    (philox._LAYERS, philox._R, philox._V),
    # Marsaglia & Tsang's (2000) published constants for 128 layers.
    (128, 3.442619855899, 9.91256303526217e-3),
])
def test_ziggurat_layers_have_equal_areas_and_close_at_the_top(layers, r, v):
    """Layer i >= 1 is the rectangle of width x_i from f(x_i) to f(x_(i-1)) (f(x_0) = 1);
    every one, the top one included, has the area v of the base layer with its tail."""
    kn, wn, fn = philox._ziggurat_tables(layers, r, v, 2.0**51)
    x = wn * 2.0**51
    heights = np.r_[1.0, fn[1:-1]] - fn[1:]
    np.testing.assert_allclose(x[1:] * heights, v, rtol=1e-8)  # (the 128: 13 digits)
    # The base: v / f(r) wide and f(r) high, for the rectangle to r and the tail beyond.
    np.testing.assert_allclose(x[0] * fn[-1], v, rtol=1e-12)
    tail = np.sqrt(np.pi / 2) * special.erfc(r / np.sqrt(2))
    np.testing.assert_allclose(r * np.exp(-r * r / 2) + tail, v, rtol=1e-9)
    assert np.isclose(x[-1], r)


def test_the_fast_path_takes_the_fraction_the_tables_give(normals):
    """A draw's fast path accepts |hz| < kn[iz] of a uniform |hz| up to 2**51: on average
    mean(kn) / 2**51 (99.88% for 4096 layers); the rest take the rejection steps."""
    expected = np.mean(philox._KN) / 2.0**51
    assert 0.998 < expected < 0.9995
    words = philox._first_bits(KEY, 17, 2, MANY)
    out = np.empty(MANY.size)
    rejected = philox._fast_normals(words, out, philox._scratch(MANY.size)).size
    n = MANY.size
    assert abs(rejected / n - (1 - expected)) < 4 * np.sqrt(expected * (1 - expected) / n)


def test_a_draw_depends_on_every_part_of_its_counter():
    base = philox.uniforms(KEY, 3, 1, ELEMENTS[:1000])
    for other in (philox.uniforms((KEY[0] + U(1), KEY[1], KEY[2]), 3, 1, ELEMENTS[:1000]),
                  philox.uniforms((KEY[0], KEY[1], KEY[2] + U(1)), 3, 1, ELEMENTS[:1000]),
                  philox.uniforms(KEY, 4, 1, ELEMENTS[:1000]),
                  philox.uniforms(KEY, 3, 2, ELEMENTS[:1000]),
                  philox.uniforms(KEY, 3, 1, ELEMENTS[1000:2000])):
        assert np.count_nonzero(base == other) == 0
    # The same counter gives the same number, in whatever order elements are asked for.
    np.testing.assert_array_equal(philox.uniforms(KEY, 3, 1, ELEMENTS[999::-1]), base[::-1])


def test_uniforms_fill_the_unit_interval_evenly():
    u = philox.uniforms(KEY, 0, 0, ELEMENTS)
    n = u.size
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 4 * np.sqrt(1 / 180 / n)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # Neighbours (the two halves of one block, and consecutive blocks) are uncorrelated.
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / np.sqrt(n)
    # Steps of one element: a different counter word, still independent.
    steps = _over_steps(*KEY, 20_000)
    assert stats.kstest(steps, "uniform").pvalue > 1e-3


def test_normal_moments_and_kolmogorov_smirnov(normals):
    n = normals.size
    assert abs(normals.mean()) < 4 / np.sqrt(n)
    assert abs(normals.var() - 1) < 4 * np.sqrt(2 / n)
    assert abs(stats.skew(normals)) < 4 * np.sqrt(6 / n)
    assert abs(stats.kurtosis(normals)) < 4 * np.sqrt(24 / n)
    assert stats.kstest(normals, "norm").pvalue > 1e-3


def test_normal_tail_frequency(normals):
    expected = 2 * stats.norm.sf(philox._R) * normals.size
    observed = np.count_nonzero(np.abs(normals) > philox._R)
    assert abs(observed - expected) < 4 * np.sqrt(expected)


@pytest.mark.parametrize("lam", [0.05, 3.0, 25.0, 400.0])
def test_poisson_mean_and_variance(lam):
    k = philox.poissons(KEY, 1, 0, ELEMENTS[:100_000], lam)
    n = k.size
    assert abs(k.mean() - lam) < 4 * np.sqrt(lam / n)
    assert abs(k.var() - lam) < 4 * lam * np.sqrt(2 / n) + 4 * np.sqrt(lam / n)
    if lam >= 3:
        # Chi-square against the Poisson probabilities, over the bulk of the distribution.
        lo, hi = int(stats.poisson.ppf(0.005, lam)), int(stats.poisson.ppf(0.995, lam))
        observed = np.array([np.count_nonzero(k == v) for v in range(lo, hi + 1)])
        expected = stats.poisson.pmf(np.arange(lo, hi + 1), lam) * n
        chi2 = ((observed - expected) ** 2 / expected).sum()
        assert stats.chi2.sf(chi2, observed.size - 1) > 1e-3

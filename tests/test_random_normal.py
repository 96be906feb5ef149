"""The ziggurat normal sampler behind ``randn()`` and ``xi`` in Numba kernels."""

import numpy as np
import pytest
from numba import njit
from scipy import stats

from snncore.backends.numba_helpers import _randn, seed


@njit
def _draw(n):
    out = np.empty(n)
    for k in range(n):
        out[k] = _randn()
    return out


@pytest.fixture(scope="module")
def sample():
    seed(12345)
    return _draw(1_000_000)


def test_moments_are_standard_normal(sample):
    n = sample.size
    # Standard errors of mean, variance, skewness and excess kurtosis for n normal draws.
    assert abs(sample.mean()) < 4 / np.sqrt(n)
    assert abs(sample.var() - 1) < 4 * np.sqrt(2 / n)
    assert abs(stats.skew(sample)) < 4 * np.sqrt(6 / n)
    assert abs(stats.kurtosis(sample)) < 4 * np.sqrt(24 / n)


def test_distribution_passes_kolmogorov_smirnov(sample):
    assert stats.kstest(sample, "norm").pvalue > 1e-3


def test_tails_beyond_the_ziggurat_base(sample):
    # |x| > 3.44 comes from the tail algorithm; its frequency must match the normal's.
    expected = 2 * stats.norm.sf(3.442619855899) * sample.size
    observed = np.count_nonzero(np.abs(sample) > 3.442619855899)
    assert abs(observed - expected) < 4 * np.sqrt(expected)


def test_seed_repeats_the_stream():
    seed(7)
    a = _draw(1000)
    seed(7)
    assert np.array_equal(a, _draw(1000))

"""The random numbers of Numba kernels: xoshiro256+ uniforms behind ``rand()`` and the
ziggurat normal sampler behind ``randn()`` and ``xi``."""

import numpy as np
import pytest
from numba import njit
from scipy import stats

from snncore import Network, NeuronGroup, SpikeMonitor, ms, second, set_backend
from snncore.backends.numba_helpers import _next4, _rand4, _randn4
from snncore.random import numba_state, seed


@njit
def _draw(n, state, normal=True):
    """n normal (or uniform) numbers drawn as a kernel draws them."""
    out = np.empty(n)
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for k in range(n):
        if normal:
            out[k], s0, s1, s2, s3 = _randn4(s0, s1, s2, s3)
        else:
            out[k], s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return out


@pytest.fixture(scope="module")
def sample():
    seed(12345)
    return _draw(1_000_000, numba_state())


def test_xoshiro256plus_matches_the_reference_implementation():
    # The first outputs of Blackman & Vigna's xoshiro256plus.c from the state
    # {1, 2, 3, 4}, as published in the test vectors of its ports (rand_xoshiro).
    expected = [5, 211106232532999, 211106635186183, 9223759065350669058,
                9250833439874351877, 13862484359527728515, 2346507365006083650,
                1168864526675804870, 34095955243042024, 3466914240207415127]
    state = tuple(np.uint64(k) for k in (1, 2, 3, 4))
    outputs = []
    for _ in expected:
        out, *rest = _next4(*state)
        state = tuple(np.uint64(k) for k in rest)  # returned as Python ints
        outputs.append(int(out))
    assert outputs == expected


def test_uniforms_fill_the_unit_interval_evenly():
    seed(99)
    u = _draw(1_000_000, numba_state(), normal=False)
    assert u.min() >= 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # serial correlation of neighbours: zero within a few standard errors
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / np.sqrt(u.size)


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
    a = _draw(1000, numba_state())
    seed(7)
    assert np.array_equal(a, _draw(1000, numba_state()))
    seed(8)
    assert not np.array_equal(a, _draw(1000, numba_state()))


def test_kernels_continue_one_stream_across_elements_and_steps():
    set_backend("numba")  # the autouse fixture restores the backend
    # Kernels keep the generator state in local variables and store it back on exit:
    # a threshold drawing rand() per neuron and step must consume exactly the stream.
    seed(3)
    expected = _draw(10 * 3, numba_state().copy(), normal=False).reshape(10, 3) < 0.5
    G = NeuronGroup(3, "", threshold="rand() < 0.5", dt=0.1 * ms)
    M = SpikeMonitor(G)
    Network(G, M).run(1 * ms)
    fired = np.zeros((10, 3), dtype=bool)
    fired[np.round(M.t / (0.1 * ms)).astype(int), M.i] = True
    assert np.array_equal(fired, expected)


def test_noise_term_draws_one_normal_per_neuron_and_step():
    set_backend("numba")  # the autouse fixture restores the backend
    # Euler-Maruyama for dv/dt = -v/tau + xi/sqrt(tau), from the same draws by hand.
    seed(4)
    z = _draw(5 * 2, numba_state().copy()).reshape(5, 2)
    dt, tau = 1e-4, 0.01
    G = NeuronGroup(2, "dv/dt = -v/tau + xi/sqrt(tau) : 1", method="euler",
                    namespace={"tau": tau * second}, dt=dt * second)
    G.v = 1
    Network(G).run(5 * dt * second)
    v = np.ones(2)
    for k in range(5):
        v = v + dt * (-v / tau) + np.sqrt(dt) * z[k] / np.sqrt(tau)
    assert np.allclose(G.v, v, rtol=1e-12, atol=0)


def test_seed_also_seeds_numpys_global_stream_as_brian2():
    brian2 = pytest.importorskip("brian2")
    brian2.seed(11)
    expected = np.random.rand(3)  # noqa: NPY002
    seed(11)
    np.testing.assert_array_equal(np.random.rand(3), expected)  # noqa: NPY002

"""``connect(p=...)`` picks each source's targets by geometric skips (Brian 2's
``sample``): its cost grows with the synapses made, and the synapses are independent
draws of probability ``p``.

Counts are checked against their binomial distribution (5 standard deviations), and
the spread of synapses over the source and target indices with a chi-square test at
level 1e-6, so that a correct implementation fails with negligible probability while
a biased one (a skipped or repeated index, a drift along a row) fails for sure.
"""

import time

import numpy as np
import pytest
from scipy import stats

import snncore.connect
from snncore import NeuronGroup, Synapses, seed
from snncore.connect import bernoulli_positions


def _binomial_ok(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) < 5 * np.sqrt(n * p * (1 - p))


def _uniform_ok(indices: np.ndarray, size: int, weights=None) -> bool:
    """A chi-square test that ``indices`` are spread over ``0..size-1`` in proportion
    to ``weights`` (uniformly by default)."""
    observed = np.bincount(indices, minlength=size)
    expected = np.ones(size) if weights is None else np.asarray(weights, dtype=float)
    expected = expected / expected.sum() * indices.size
    keep = expected > 0
    assert observed[~keep].sum() == 0
    return stats.chisquare(observed[keep], expected[keep]).pvalue > 1e-6


def _connect(n_pre, n_post, **kwargs):
    seed(kwargs.pop("seed", 1))
    S = Synapses(NeuronGroup(n_pre, "v : 1"), NeuronGroup(n_post, "v : 1"))
    S.connect(**kwargs)
    return np.asarray(S.i), np.asarray(S.j)


def _assert_sorted_unique(pre, post, n_post):
    key = pre.astype(np.int64) * n_post + post
    assert np.all(np.diff(key) > 0)


def test_cost_grows_with_the_synapses_made(monkeypatch):
    """100k x 100k neurons at p = 1e-4: about 1e6 synapses from 1e10 candidate pairs,
    in well under a second, drawing about one number per synapse."""
    drawn = []
    generator = snncore.connect.generator

    def counting():
        rng = generator()

        class Counting:
            def __getattr__(self, name):
                method = getattr(rng, name)

                def draw(*args, **kwargs):
                    out = method(*args, **kwargs)
                    drawn.append(np.size(out))
                    return out

                return draw

        return Counting()

    monkeypatch.setattr(snncore.connect, "generator", counting)
    n, p = 100_000, 1e-4
    start = time.process_time()
    pre, post = _connect(n, n, p=p)
    elapsed = time.process_time() - start
    assert _binomial_ok(pre.size, n * n, p)
    assert sum(drawn) < 1.01 * pre.size + 1000
    # 0.04 s of CPU on an idle machine; the bound leaves room for a busy one.
    assert elapsed < 0.2, elapsed


@pytest.mark.parametrize("p", [0.01, 0.3, 0.9])
def test_constant_probability_is_unbiased(backend, p):
    n_pre, n_post = 300, 700
    pre, post = _connect(n_pre, n_post, p=p, seed=7)
    _assert_sorted_unique(pre, post, n_post)
    assert _binomial_ok(pre.size, n_pre * n_post, p)
    assert _uniform_ok(pre, n_pre)
    assert _uniform_ok(post, n_post)
    # No drift along the flattened sequence of pairs: the gaps between synapses are
    # geometric (tested on the first 20 gap values, lumped beyond).
    gaps = np.diff(pre.astype(np.int64) * n_post + post) - 1
    k = np.arange(20)
    expected = np.r_[p * (1 - p) ** k, (1 - p) ** 20] * gaps.size
    observed = np.bincount(np.minimum(gaps, 20), minlength=21)
    mask = expected > 5
    observed = np.r_[observed[mask], observed[~mask].sum()]
    expected = np.r_[expected[mask], expected[~mask].sum()]
    keep = expected > 0
    assert stats.chisquare(observed[keep], expected[keep]).pvalue > 1e-6


def test_condition_and_probability(backend):
    n = 400
    pre, post = _connect(n, n, condition="i != j", p=0.1, seed=3)
    assert not np.any(pre == post)
    _assert_sorted_unique(pre, post, n)
    assert _binomial_ok(pre.size, n * (n - 1), 0.1)
    assert _uniform_ok(pre, n)
    assert _uniform_ok(post, n)
    # A condition on both indices and the target group's variables.
    pre, post = _connect(n, n, condition="abs(i - j) < 50 and v_post == 0", p=0.2, seed=4)
    assert np.all(np.abs(pre - post) < 50)
    band = sum(min(n, i + 50) - max(0, i - 49) for i in range(n))
    assert _binomial_ok(pre.size, band, 0.2)


def test_probability_of_the_source(backend):
    """p as an expression of i: each row samples its targets at its own rate."""
    n_pre, n_post = 200, 2000
    pre, post = _connect(n_pre, n_post, p="0.1*i/(N_pre - 1)", seed=5)
    _assert_sorted_unique(pre, post, n_post)
    rates = 0.1 * np.arange(n_pre) / (n_pre - 1)
    spread = np.sqrt(n_post * (rates * (1 - rates)).sum())
    assert abs(pre.size - n_post * rates.sum()) < 5 * spread
    assert _uniform_ok(pre, n_pre, weights=rates)
    assert _uniform_ok(post, n_post)


def test_probability_of_the_target(backend):
    """p as an expression of j draws for every pair (as in Brian 2)."""
    n_pre, n_post = 300, 300
    pre, post = _connect(n_pre, n_post, p="0.2*j/(N_post - 1)", seed=6)
    _assert_sorted_unique(pre, post, n_post)
    rates = 0.2 * np.arange(n_post) / (n_post - 1)
    assert _uniform_ok(post, n_post, weights=rates)
    assert _uniform_ok(pre, n_pre)


def test_sample_generator(backend):
    n = 500
    seed(8)
    S = Synapses(NeuronGroup(n, "v : 1"), NeuronGroup(n, "v : 1"))
    S.connect(j="k for k in sample(N_post, p=0.05)")
    pre, post = np.asarray(S.i), np.asarray(S.j)
    _assert_sorted_unique(pre, post, n)
    assert _binomial_ok(pre.size, n * n, 0.05)
    assert _uniform_ok(pre, n)
    assert _uniform_ok(post, n)
    # A range with a step and a per-source probability: only its own values.
    S = Synapses(NeuronGroup(n, "v : 1"), NeuronGroup(n, "v : 1"))
    S.connect(j="k for k in sample(1, N_post, 3, p=0.5*i/N_pre)")
    pre, post = np.asarray(S.i), np.asarray(S.j)
    assert np.all(post % 3 == 1)
    assert _uniform_ok(post // 3, len(range(1, n, 3)))


def test_bernoulli_positions_edge_cases(monkeypatch):
    # Small rounds force segments to go on over several rounds.
    monkeypatch.setattr(snncore.connect, "_BLOCK", 64)
    seed(2)
    p = np.array([0.3, 1.0, 0.0, 2.0, np.nan, 0.01, -1.0, 0.5])
    lengths = np.array([1000, 500, 5, 300, 4, 50_000, 5, 0])
    seg, pos = bernoulli_positions(p, lengths)
    key = seg * 10**6 + pos
    assert np.all(np.diff(key) > 0)
    assert np.all((pos >= 0) & (pos < lengths[seg]))
    counts = np.bincount(seg, minlength=p.size)
    assert counts[[1, 3]].tolist() == [500, 300]  # certain successes: every trial
    assert counts[[2, 4, 6, 7]].tolist() == [0, 0, 0, 0]
    assert _binomial_ok(counts[0], 1000, 0.3) and _binomial_ok(counts[5], 50_000, 0.01)
    assert _uniform_ok(pos[seg == 5] // 500, 100)

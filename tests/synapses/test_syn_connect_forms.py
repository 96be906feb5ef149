"""Brian 2's forms of ``Synapses.connect``: deterministic ones give Brian 2's synapses, in
Brian 2's order; random ones (whose draws come from a different generator) give Brian 2's
statistics."""

from __future__ import annotations

import numpy as np
import pytest

from snncore import NeuronGroup, Synapses, seed
from snncore.errors import SnnError
from tests.synapses.synmodels import brian2_run, ints, snn_run

# Every deterministic form of Brian 2's documentation and example corpus.
FORMS = {
    "all": dict(),
    "True": dict(condition=True),
    "True n=2": dict(condition=True, n=2),
    "False": dict(condition=False),
    "i != j": dict(condition="i != j"),
    "ring": dict(condition="abs(((j - i) % N_post) - N_post/2) <= 1"),
    "pre/post": dict(condition="x_pre < x_post and j != 3"),
    "j=i": dict(j="i"),
    "j=i if": dict(j="i if i < 3"),
    "j=i+1 if, skip": dict(j="i+1 if i >= 2", skip_if_invalid=True),
    "range if j": dict(j="k for k in range(i-2, i+3) if j != i", skip_if_invalid=True),
    "range if k": dict(j="k for k in range(i-2, i+3) if k >= 0 and k < N_post"),
    "neighbours": dict(j="i+(-1)**k for k in range(2) if i>0 and i<N_pre-1"),
    "triangle": dict(j="k for k in range(i+1)"),
    "blocks": dict(j="k for k in range((int(i/2)+1)*2, (int(i/2)+2)*2)",
                   skip_if_invalid=True),
    "range x_pre": dict(j="k for k in range(N_post) if x_pre < x_post"),
    "sample p=1": dict(j="k for k in sample(N_post, p=1.0)"),
    "sample p=0": dict(j="k for k in sample(N_post, p=0)"),
    "i=range": dict(i="k for k in range(N_pre) if k != j"),
    "i=j": dict(i="j"),
    "arrays": dict(i=[0, 1, 2, 7], j=[3, 3, 0, 1]),
    "arrays n": dict(i=np.array([4, 0]), j=2, n=3),
    "scalar": dict(i=0, j=0),
    "p expression beyond [0, 1]": dict(condition="i != j", p="i*1.0 - 1"),
}


def connect_form(lib, form):
    G = lib.NeuronGroup(8, "x : 1", threshold="False")
    G.x = "(i*5) % 8"
    S = lib.Synapses(G, G, "w : 1", on_pre="x_post += w")
    S.connect(**FORMS[form])
    return {"i": ints(S.i[:]), "j": ints(S.j[:])}


@pytest.mark.parametrize("form", list(FORMS))
def test_deterministic_form_matches_brian2(backend, form):
    ref = brian2_run(connect_form, form)
    got = snn_run(connect_form, form)
    np.testing.assert_array_equal(got["i"], ref["i"])
    np.testing.assert_array_equal(got["j"], ref["j"])


def test_subgroup_connection_matches_brian2(backend):
    def model(lib):
        G = lib.NeuronGroup(10, "x : 1", threshold="False")
        S = lib.Synapses(G[2:6], G[5:], on_pre="x_post += 1")
        S.connect(j="k for k in range(i, i+3)", skip_if_invalid=True)
        S2 = lib.Synapses(G[:4], G[4:8], on_pre="x_post += 1")
        S2.connect("i != j")
        return {"i": ints(S.i[:]), "j": ints(S.j[:]), "i2": ints(S2.i[:]),
                "j2": ints(S2.j[:])}

    ref, got = brian2_run(model), snn_run(model)
    for name in ref:
        np.testing.assert_array_equal(got[name], ref[name], err_msg=name)


def test_n_as_expression(backend):
    """``n='...'`` per pair (Brian 2 2.9.0's numpy target fails on this form)."""
    G = NeuronGroup(4, "x : 1")
    S = Synapses(G, G, "w : 1")
    S.connect("i < j", n="j - i")
    pairs = list(zip(S.i[:].tolist(), S.j[:].tolist(), strict=True))
    expected = [(i, j) for i in range(4) for j in range(4) if i < j for _ in range(j - i)]
    assert pairs == expected


# ---- random forms: statistics -------------------------------------------------------------

def _counts(S, n_pre):
    return np.bincount(S.i[:], minlength=n_pre)


def test_sample_with_p_statistics(backend):
    """``sample(N_post, p=...)``: Binomial(N_post, p) targets per source, p may depend
    on ``i``."""
    seed(11)
    G = NeuronGroup(400, "x : 1")
    S = Synapses(G, G)
    S.connect(j="k for k in sample(N_post, p=0.05 + 0.2*(i % 2))")
    counts = _counts(S, 400)
    for parity, p in ((0, 0.05), (1, 0.25)):
        c = counts[parity::2]
        mean, sd = 400 * p, np.sqrt(400 * p * (1 - p))
        assert abs(c.mean() - mean) < 4 * sd / np.sqrt(c.size)
        assert abs(c.std() - sd) < 0.25 * sd
    assert np.all(np.diff(S.j[:])[np.diff(S.i[:]) == 0] > 0)  # ascending, no repeats


def test_sample_with_size(backend):
    seed(3)
    G = NeuronGroup(50, "x : 1")
    S = Synapses(G, G)
    S.connect(j="k for k in sample(10, 40, size=i % 7)")
    np.testing.assert_array_equal(_counts(S, 50), np.arange(50) % 7)
    assert S.j[:].min() >= 10 and S.j[:].max() < 40
    assert np.all(np.diff(S.j[:])[np.diff(S.i[:]) == 0] > 0)
    # Every target equally likely: chi-square of the target counts over many draws.
    H = NeuronGroup(2000, "x : 1")
    T = Synapses(H, G)
    T.connect(j="k for k in sample(N_post, size=5)")
    hits = np.bincount(T.j[:], minlength=50)
    chi2 = np.sum((hits - hits.mean()) ** 2 / hits.mean())
    assert chi2 < 100  # 49 degrees of freedom: P(chi2 > 100) < 1e-4


def test_gaussian_generator_matches_brian2_statistics(backend):
    """As in Brian 2's efficient_gaussian_connectivity.py: a condition on ``rand()`` and
    ``j`` after ``sample``; a pair at distance d is kept with probability
    pmax*min(1, exp(-0.1*d**2)/pmax)."""
    seed(5)
    N, w, pmax = 2000, 10, 0.2
    G = NeuronGroup(N, "x : 1")
    S = Synapses(G, G)
    S.connect(j="k for k in sample(i-w, i+w, p=pmax) if rand()<exp(-0.1*(i-j)**2)/pmax",
              skip_if_invalid=True)
    d = S.j[:] - S.i[:]
    inner = (S.i[:] >= w) & (S.i[:] < N - w)
    for dist in range(-w, w):
        expected = (N - 2 * w) * min(pmax, np.exp(-0.1 * dist**2))
        got = np.count_nonzero(d[inner] == dist)
        assert abs(got - expected) <= 5 * np.sqrt(expected) + 1, (dist, got, expected)


def test_explicit_indices_with_p(backend):
    seed(2)
    G = NeuronGroup(2, "x : 1")
    S = Synapses(G, G)
    S.connect(i=np.zeros(20000, dtype=int), j=1, p=0.3)
    assert abs(len(S) - 6000) < 4 * np.sqrt(20000 * 0.3 * 0.7)


# ---- errors ------------------------------------------------------------------------------

@pytest.fixture
def S():
    G = NeuronGroup(5, "x : 1")
    return Synapses(G, NeuronGroup(3, "x : 1"))


@pytest.mark.parametrize("kwargs,message", [
    (dict(condition="k for k in range(3)"),
     r"the condition 'k for k in range\(3\)' is a generator; write "
     r"connect\(j='k for k in range\(3\)'\) instead"),
    (dict(i="j", j="i"), r"give a generator for i or for j, not both"),
    (dict(condition="i > 0", j="i"), r"cannot be combined with a condition"),
    (dict(j="k for k in sample(N_post, size=4)"),
     r"sample\(\.\.\., size=4\) .* more than the 3 candidates .* for i = 0; pass "
     r"skip_if_invalid=True"),
    (dict(j="k for k in sample(N_post)"), r"sample\(\) takes 1 to 3 arguments and one "
                                          r"keyword, p= or size="),
    (dict(j="k for k in range(0, 3, 0)"), r"range\(\) step of zero"),
    (dict(j="k for k in zip(3)"), r"must iterate over range\(\) or sample\(\)"),
    (dict(j="i if i > 1 if i < 3"), r"write 'expr', 'expr if cond'"),
    (dict(j="k for k in range(i, i+2) if x_post > 0"),
     r"j = 3 generated by .* is outside the target \(0 to 2\)"),
    (dict(i="k for k in range(j, j+4)"),
     r"i = 5 generated by .* is outside the source \(0 to 4\)"),
    (dict(condition="i < j", n="0.5"), r"n = '0.5' .* must give integers"),
    (dict(condition="i < j", n="i - 2"), r"n = 'i - 2' .* negative number of synapses "
                                         r"\(-2\)"),
    (dict(i=[0.5], j=[1]), r"i must be an int or a 1-d array of ints"),
    (dict(n=-1), r"n must be a non-negative integer or an expression"),
])
def test_connect_errors(S, kwargs, message):
    with pytest.raises(SnnError, match=message):
        S.connect(**kwargs)


def test_sample_size_skip_if_invalid_takes_all(S):
    S.connect(j="k for k in sample(N_post, size=4)", skip_if_invalid=True)
    assert len(S) == 15

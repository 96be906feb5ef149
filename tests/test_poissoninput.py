"""``PoissonInput``: analytic event statistics, and the target's statistics against Brian 2."""

from __future__ import annotations

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import SnnError


def _z(ours: np.ndarray, ref: np.ndarray, stat) -> float:
    """Two-sample z score of a statistic over elements (mean, or variance)."""
    n1, n2 = ours.size, ref.size
    if stat == "mean":
        return (ours.mean() - ref.mean()) / np.sqrt(ours.var() / n1 + ref.var() / n2)
    se = np.sqrt(2 / (n1 - 1)) * ours.var() + np.sqrt(2 / (n2 - 1)) * ref.var()
    return (ours.var() - ref.var()) / se


def leaky_targets(lib):
    """Exact binomial draws (N*p = 0.2) with a numeric weight, the normal approximation
    (N*p = 40) into a subgroup with a weight expression of ``t``, and a per-neuron weight
    variable, each into a leaky variable."""
    ms, Hz = lib.ms, lib.Hz
    lib.seed(11)
    tau = 10 * ms  # noqa: F841 (found by run() in this frame)
    G = lib.NeuronGroup(2000, "dv/dt = -v/tau : 1", method="exact")
    exact = lib.PoissonInput(G, "v", 50, 40 * Hz, 0.2)  # noqa: F841
    H = lib.NeuronGroup(4000, "dv/dt = -v/tau : 1", method="exact")
    approx = lib.PoissonInput(H[:2000], "v", 2000, 200 * Hz,  # noqa: F841
                              "0.01*(1 + t/(30*ms))")
    K = lib.NeuronGroup(4000, """dv/dt = -v/tau : 1
                                 w : 1""", method="exact")
    K.w = "0.1 + 0.2*(i % 2)"
    per_neuron = lib.PoissonInput(K, "v", 10, 100 * Hz, "w")  # noqa: F841
    lib.run(50 * ms)
    return {"G": si(G.v), "H": si(H.v[:2000]), "H_rest": si(H.v[2000:]),
            "K_even": si(K.v[::2]), "K_odd": si(K.v[1::2])}


def test_target_statistics_match_brian2(backend):
    ours, ref = snn_run(leaky_targets), brian2_reference(leaky_targets)
    for key in ("G", "H", "K_even", "K_odd"):
        assert ref[key].mean() > 0.1, key
        for stat in ("mean", "var"):
            assert abs(_z(ours[key], ref[key], stat)) < 4, (key, stat)
    assert not ours["H_rest"].any()  # the rest of the group gets nothing
    # The stationary mean of a leaky target: N*rate*weight*tau (50 ms = 5 tau).
    np.testing.assert_allclose(ours["G"].mean(), 50 * 40 * 0.2 * 10e-3, rtol=0.03)


@pytest.mark.parametrize("n, rate", [(20, 100.0), (1000, 100.0), (3, 9000.0)])
def test_mean_and_variance_of_the_increments(backend, n, rate):
    """Without dynamics the target sums the weighted counts: mean N*rate*dt*weight per
    step, variance N*p*(1-p)*weight**2 (exact draws and the normal approximation)."""
    from snncore import Hz, NeuronGroup, PoissonInput, ms, run, seed

    seed(5)
    G = NeuronGroup(3000, "v : 1")
    P = PoissonInput(G, "v", n, rate * Hz, 0.5)  # noqa: F841
    run(10 * ms)
    p, steps = rate * 0.1 * ms, 100
    mean, var = steps * n * p * 0.5, steps * n * p * (1 - p) * 0.25
    assert abs(G.v.mean() - mean) < 4 * np.sqrt(var / G.N)
    assert abs(G.v.var() - var) < 4 * var * np.sqrt(2 / G.N)


def test_seeded_runs_repeat(backend):
    from snncore import Hz, NeuronGroup, PoissonInput, ms, run, seed, start_scope

    values = []
    for _ in range(2):
        start_scope()
        seed(7)
        G = NeuronGroup(10, "v : 1")
        P = PoissonInput(G, "v", 5, 500 * Hz, 1.0)  # noqa: F841
        run(2 * ms)
        values.append(G.v.copy())
    np.testing.assert_array_equal(*values)
    assert values[0].sum() > 0


def test_poissoninput_errors():
    from snncore import (
        DimensionMismatchError,
        Hz,
        Network,
        NeuronGroup,
        PoissonInput,
        ms,
        mV,
        run,
    )

    G = NeuronGroup(2, """dv/dt = -v/(10*ms) : volt
                          c : 1 (constant)""")
    with pytest.raises(SnnError, match="has no variable 'vv'.*did you mean 'v'"):
        PoissonInput(G, "vv", 10, 10 * Hz, 1 * mV)
    with pytest.raises(SnnError, match="'c' .* is a constant"):
        PoissonInput(G, "c", 10, 10 * Hz, 1.0)
    with pytest.raises(SnnError, match="N must be an integer >= 1, got 0"):
        PoissonInput(G, "v", 0, 10 * Hz, 1 * mV)
    with pytest.raises(SnnError, match="N must be an integer >= 1, got 2.5"):
        PoissonInput(G, "v", 2.5, 10 * Hz, 1 * mV)
    with pytest.raises(SnnError, match="rate must be a non-negative rate"):
        PoissonInput(G, "v", 10, -10 * Hz, 1 * mV)
    with pytest.raises(SnnError, match="when='later'"):
        PoissonInput(G, "v", 10, 10 * Hz, 1 * mV, when="later")
    P = PoissonInput(G, "v", 10, 10 * Hz, "2*nS")  # noqa: F841
    with pytest.raises(DimensionMismatchError, match="dimensions volt and siemens do not match in "
                       "'v \\+= <Poisson events>\\*\\(2\\*nS\\)'"):
        run(1 * ms)
    H = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt")
    P2 = PoissonInput(H, "v", 10, 20000 * Hz, 1 * mV)
    with pytest.raises(SnnError, match="rate\\*dt = 2 is above 1"):
        Network(H, P2).run(1 * ms)


def test_fused_loop_draws_what_the_python_loop_draws(monkeypatch):
    """Numba backend: the fused loop (checked to be used) and the Python loop over the
    same kernels consume the random stream identically, PoissonInput and run_regularly
    included."""
    import snncore
    from snncore import Hz, NeuronGroup, PoissonInput, ms, run, seed, set_backend, start_scope

    set_backend("numba")
    original, fused = snncore.network.fused_loop, []

    def spy(ops):
        loop = original(ops)
        fused.append(loop is not None)
        return loop

    def model():
        start_scope()
        seed(2)
        G = NeuronGroup(50, """dv/dt = (I - v)/(5*ms) : 1
                               I : 1""", threshold="v > 0.8", reset="v = 0", method="exact")
        G.run_regularly("I = 1 + 0.5*randn()", dt=0.5 * ms)
        P1 = PoissonInput(G, "v", 3, 400 * Hz, 0.1)  # noqa: F841
        P2 = PoissonInput(G[10:], "v", 500, 100 * Hz, "0.002")  # noqa: F841
        run(5 * ms)
        return G.v.copy(), G.I.copy()

    monkeypatch.setattr(snncore.network, "fused_loop", spy)
    in_loop = model()
    monkeypatch.setattr(snncore.network, "fused_loop", lambda ops: None)
    in_python = model()
    assert fused == [True]
    np.testing.assert_allclose(in_loop[0], in_python[0], rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(in_loop[1], in_python[1])

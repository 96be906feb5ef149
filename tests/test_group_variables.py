"""Group variables: read as arrays, set from scalars, arrays and expression strings."""

import numpy as np
import pytest

from snncore import NeuronGroup, SnnError, StateMonitor, ms, mV, nA, run, seed


def test_set_from_scalar_array_and_expression(backend):
    G = NeuronGroup(4, """v : volt
                          I : amp""")
    G.v = -70 * mV
    np.testing.assert_array_equal(G.v, np.full(4, -70 * mV))
    G.v = np.array([1.0, 2.0, 3.0, 4.0]) * mV
    np.testing.assert_array_equal(G.v, np.array([1.0, 2.0, 3.0, 4.0]) * mV)
    G.I = "0.7*nA*i"
    np.testing.assert_allclose(G.I, 0.7 * nA * np.arange(4), rtol=1e-15)
    G.v = "v + 1*mV*N"
    np.testing.assert_allclose(G.v, (np.array([1.0, 2.0, 3.0, 4.0]) + 4) * mV, rtol=1e-15)


def test_expression_with_external_constant(backend):
    G = NeuronGroup(3, "v : volt")
    v0 = -65 * mV  # noqa: F841 - found in this frame
    G.v = "v0 + i*mV"
    np.testing.assert_allclose(G.v, v0 + np.arange(3) * mV, rtol=1e-15)


def test_rand_is_uniform_and_seeded(backend):
    G = NeuronGroup(5000, "v : 1")
    seed(11)
    G.v = "rand()"
    first = G.v.copy()
    assert first.min() >= 0 and first.max() < 1
    assert abs(first.mean() - 0.5) < 3 * np.sqrt(1 / 12 / 5000)
    assert np.unique(first).size == 5000
    seed(11)
    G.v = "rand()"
    np.testing.assert_array_equal(G.v, first)
    G.v = "randn()"
    assert abs(G.v.std() - 1) < 0.05


def test_slices_write_through(backend):
    G = NeuronGroup(4, "dv/dt = -v/(10*ms) : 1", method="exact")
    G.v[1:3] = 1.0
    np.testing.assert_array_equal(G.v, [0, 1, 1, 0])
    run(10 * ms)
    np.testing.assert_allclose(G.v, [0, np.exp(-1), np.exp(-1), 0], rtol=0, atol=1e-12)


def test_subexpression_is_readable(backend):
    G = NeuronGroup(2, """v : volt
                          w = 2*v : volt""")
    G.v = [1 * mV, 2 * mV]
    np.testing.assert_allclose(G.w, [2 * mV, 4 * mV], rtol=1e-15)
    with pytest.raises(SnnError, match=r"subexpression"):
        G.w = 1 * mV


def test_changing_dt_between_runs_keeps_time_continuous(backend):
    import snncore

    G = NeuronGroup(1, "dv/dt = 1/second : 1", method="euler")
    M = StateMonitor(G, "v", record=True)
    run(1 * ms)
    snncore.defaultclock.dt = 0.05 * ms
    run(1 * ms)
    assert M.t.size == 10 + 20
    np.testing.assert_allclose(M.t[10:], 1 * ms + np.arange(20) * 0.05 * ms, rtol=0,
                               atol=1e-15)
    assert G.v[0] == pytest.approx(2 * ms, abs=1e-15)


def test_group_size_may_be_a_whole_float_as_in_brian2():
    assert len(NeuronGroup(10000.0 * 0.2, "v : 1")) == 2000
    for bad in (2.5, -1, True, float("nan"), "3"):
        with pytest.raises(SnnError, match=r"number of elements must be a non-negative"):
            NeuronGroup(bad, "v : 1")


def test_an_integer_index_is_a_one_neuron_subgroup_as_in_brian2():
    G = NeuronGroup(4, "v : 1")
    G.v = [0, 1, 2, 3]
    assert len(G[2]) == 1 and G[2].v[0] == 2 and G[-1].v[0] == 3
    with pytest.raises(SnnError, match=r"index 4 is out of range for NeuronGroup .*size 4"):
        G[4]

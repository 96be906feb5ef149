"""Random streams of models: the same seed gives the same draws, bit for bit, on the
numpy backend, the Numba kernels called from Python and the fused Numba loop, however
a run is cut into segments; seed(), store()/restore() and rebuilt models behave as in
Brian 2; PoissonGroup fires at its rate."""

import numpy as np
import pytest
from scipy import stats

import snncore
from snncore import (
    Hz,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    second,
    seed,
    set_backend,
    start_scope,
)


#: Every kind of draw: xi, rand() in a threshold, randn() and poisson() in a reset,
#: rand() in initial values, in connect(p=...) and in a connect condition, rand() in
#: on_pre with homogeneous and heterogeneous delays, PoissonInput, PoissonGroup.
def _model():
    start_scope()
    G = NeuronGroup(20, """dv/dt = (0.5 - v)/(10*ms) + 0.3*xi/sqrt(10*ms) : 1
                           k : 1""", threshold="v > 1 or rand() < 0.01",
                    reset="v = 0.2*randn(); k += poisson(1.5)", method="euler")
    G.v = "rand()"
    P = PoissonGroup(15, rates=80 * Hz)
    S1 = Synapses(P, G, "w : 1", on_pre="v_post += w*int(rand() < 0.5)")
    S1.connect(p=0.3)
    S1.w = "0.2*rand()"
    S2 = Synapses(G, G, "w : 1", on_pre="v_post += 0.05*randn()")
    S2.connect(condition="i != j and rand() < 0.2")
    S2.delay = "rand()*2*ms"
    inp = PoissonInput(G, "v", 30, 5 * Hz, weight=0.01)
    spikes, sources = SpikeMonitor(G), SpikeMonitor(P)
    trace = StateMonitor(G, ["v", "k"], record=[0, 7, 19])
    return Network(G, P, S1, S2, inp, spikes, sources, trace), G, spikes, sources, trace


def _run(backend, segments, fused=True, monkeypatch=None):
    set_backend(backend)
    if not fused:
        monkeypatch.setattr(snncore.network, "fused_loop", lambda ops: None)
    seed(2024)
    net, G, spikes, sources, trace = _model()
    for duration in segments:
        net.run(duration * ms)
    return {"i": np.asarray(spikes.i), "t": np.asarray(spikes.t),
            "src": np.asarray(sources.i), "v": trace.v.copy(), "k": trace.k.copy(),
            "v_end": np.asarray(G.v).copy(), "k_end": np.asarray(G.k).copy()}


@pytest.fixture(scope="module")
def reference():
    return _run("numpy", [20])


def _same(a, b):
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_the_model_draws_and_spikes(reference):
    assert reference["i"].size > 20 and reference["src"].size > 10
    assert np.unique(reference["k_end"]).size > 2  # poisson() drew different counts


def test_numba_fused_loop_draws_as_numpy(reference, fused_runs):
    _same(reference, _run("numba", [20]))
    assert fused_runs == [True]


def test_numba_python_loop_draws_as_numpy(reference, monkeypatch):
    _same(reference, _run("numba", [20], fused=False, monkeypatch=monkeypatch))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_segments_draw_as_one_run(reference, backend):
    _same(reference, _run(backend, [7.3, 0.1, 12.6]))


def _noise_trace(backend="numpy"):
    set_backend(backend)
    start_scope()
    G = NeuronGroup(3, "dv/dt = -v/(5*ms) + xi/sqrt(5*ms) : 1", method="euler")
    M = StateMonitor(G, "v", record=True)
    net = Network(G, M)
    net.run(2 * ms)
    return net, M


def test_seed_repeats_and_other_seeds_differ():
    seed(1)
    a = _noise_trace()[1].v.copy()
    seed(1)
    b = _noise_trace()[1].v.copy()
    seed(2)
    c = _noise_trace()[1].v.copy()
    np.testing.assert_array_equal(a, b)
    assert not np.any(a[:, 1:] == c[:, 1:])


def test_neurons_and_steps_draw_independent_numbers():
    seed(3)
    v = _noise_trace()[1].v
    increments = np.diff(v, axis=1)
    assert np.all(increments[0] != increments[1])
    assert np.unique(increments).size == increments.size


def test_a_model_built_again_draws_anew_as_in_brian2():
    # Without seed() in between, new objects draw new numbers (Brian 2's stream goes on).
    seed(4)
    a = _noise_trace()[1].v.copy()
    b = _noise_trace()[1].v.copy()
    assert not np.any(a[:, 1:] == b[:, 1:])


def test_restore_draws_anew_unless_the_random_state_is_restored():
    seed(5)
    net, M = _noise_trace()
    net.store()
    net.run(1 * ms)
    first = M.v[:, -10:].copy()
    net.restore()
    net.run(1 * ms)
    # The first sample is the stored state (recorded before the step updates it).
    assert not np.any(M.v[:, -9:] == first[:, 1:])
    net.restore(restore_random_state=True)
    net.run(1 * ms)
    np.testing.assert_array_equal(M.v[:, -10:], first)


def test_seed_also_seeds_numpys_global_stream_as_brian2():
    brian2 = pytest.importorskip("brian2")
    brian2.seed(11)
    expected = np.random.rand(3)  # noqa: NPY002
    seed(11)
    np.testing.assert_array_equal(np.random.rand(3), expected)  # noqa: NPY002


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_poisson_group_fires_at_its_rate(backend):
    set_backend(backend)
    seed(6)
    start_scope()
    P = PoissonGroup(2000, rates=25 * Hz)
    M = SpikeMonitor(P)
    Network(P, M).run(1 * second)
    counts = np.bincount(M.i, minlength=2000)
    # Counts per neuron: Poisson with mean 25 (Bernoulli per step: variance 25*(1-p)).
    assert abs(counts.mean() - 25) < 4 * np.sqrt(25 / 2000)
    assert abs(counts.var() / 25 - 1) < 4 * np.sqrt(2 / 2000)
    # Spike times of the population: uniform over the second.
    assert stats.kstest(np.asarray(M.t) / second, "uniform").pvalue > 1e-3


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_uniform_and_normal_draws_of_a_group_are_standard(backend):
    set_backend(backend)
    seed(7)
    start_scope()
    G = NeuronGroup(50_000, "u : 1\nz : 1")
    G.run_regularly("u = rand()\nz = randn()", dt=1 * ms)
    Network(G).run(1 * ms)
    u, z = np.asarray(G.u), np.asarray(G.z)
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / u.size)
    assert abs(u.var() - 1 / 12) < 4 * np.sqrt(1 / 180 / u.size)
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.var() - 1) < 4 * np.sqrt(2 / z.size)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(np.corrcoef(u, z)[0, 1]) < 4 / np.sqrt(u.size)

"""The compiled (fused) run loop of the Numba backend against the Python step loop.

Both run the same kernels in the same order on the same random stream, so spikes,
times and counts must be identical and state values equal up to one rounding step
(compiled together, the kernels may be optimised into slightly different
instructions). The Python loop is forced by making ``fused_loop`` decline, as it does
for operations with no compiled form.
"""

import numpy as np
import pytest

import snncore.network
from snncore import (
    Function,
    Network,
    NeuronGroup,
    PoissonGroup,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    network_operation,
    run,
    seed,
    set_backend,
    start_scope,
)
from snncore.backends import numba_backend
from snncore.fusion import FusedLoop

EQS = "dv/dt = (I - v)/tau + 0.3*xi/sqrt(tau) : 1\nI : 1\nge : 1"


def _network(w=0.05, delay=1 * ms, tau=5 * ms):
    """Every kind of operation: noise, a subgroup source and target, a periodic
    generator, delays of zero and several steps, a summed variable, Poisson input and
    all three monitors (the spike monitor records a variable)."""
    seed(11)
    w_max = w  # noqa: F841 (read by the expression that sets S1.w)
    G = NeuronGroup(60, EQS, threshold="v > 1", reset="v = 0", method="euler")
    G.I = "0.8 + 0.4*i/N"
    H = SpikeGeneratorGroup(3, [0, 1, 2, 0], [1 * ms, 2 * ms, 2 * ms, 7 * ms], period=9 * ms)
    P = PoissonGroup(20, 200 * 1 / (1000 * ms))
    S1 = Synapses(G[:30], G[30:], "w : 1", on_pre="v += w", delay=delay)
    S1.connect(p=0.3)
    S1.w = "w_max*rand()"
    S2 = Synapses(H, G, on_pre="v += 0.2")
    S2.connect(j="k for k in range(i, N_post, 3)")
    S3 = Synapses(P, G[10:20], on_pre="v += 0.1", delay=2 * ms)
    S3.connect(p=0.5)
    S4 = Synapses(G, G[:5], "ge_post = 0.01*v_pre : 1 (summed)")
    S4.connect(i=np.arange(40), j=np.arange(40) % 5)
    monitors = dict(spikes=SpikeMonitor(G, variables="v"), sub=SpikeMonitor(G[30:]),
                    rate=PopulationRateMonitor(G[:30]),
                    state=StateMonitor(G, ["v", "ge"], record=[0, 31, 59], dt=0.3 * ms),
                    poisson=SpikeMonitor(P, record=False))
    namespace = dict(w_max=w, tau=tau)
    net = Network(G, H, P, S1, S2, S3, S4, monitors)
    net.run(40 * ms, namespace=namespace)
    net.run(13.3 * ms, namespace=namespace)
    return monitors


def _recorded(monitors):
    m = monitors
    return dict(i=m["spikes"].i, t=m["spikes"].t, v=m["spikes"].v, sub_i=m["sub"].i,
                sub_count=m["sub"].count, rate=m["rate"].rate, rate_t=m["rate"].t,
                state_v=m["state"].v, state_ge=m["state"].ge, state_t=m["state"].t,
                poisson=m["poisson"].count)


@pytest.fixture
def numba():
    set_backend("numba")
    start_scope()


def _python_loop(monkeypatch):
    monkeypatch.setattr(snncore.network, "fused_loop", lambda ops: None)


def test_fused_and_python_loops_record_identical_numbers(numba, monkeypatch):
    fused = _recorded(_network())
    assert fused["i"].size > 100 and fused["sub_i"].size > 20
    start_scope()
    _python_loop(monkeypatch)
    python = _recorded(_network())
    for key, value in python.items():
        if value.dtype.kind == "f" and key not in ("t", "rate_t", "state_t", "rate"):
            np.testing.assert_allclose(fused[key], value, rtol=1e-14, atol=0, err_msg=key)
        else:
            np.testing.assert_array_equal(fused[key], value, err_msg=key)


def test_recorded_spikes_outgrow_the_first_buffer(numba, monkeypatch):
    def busy():
        G = NeuronGroup(500, "dv/dt = 1/ms : 1", threshold="v > 0.5", reset="v = 0")
        M = SpikeMonitor(G)
        run(30 * ms)
        return M

    fused = busy()
    # v gains 0.1 per step and first exceeds 0.5 at 0.6: each neuron fires every 6 steps,
    # 50 times in 300 steps; far more rows than the first 2000-row buffer holds
    assert fused.num_spikes == 500 * (300 // 6)
    start_scope()
    _python_loop(monkeypatch)
    python = busy()
    np.testing.assert_array_equal(fused.i, python.i)
    np.testing.assert_array_equal(fused.t, python.t)


def test_store_restore_replays_the_fused_loop_exactly(numba):
    G = NeuronGroup(20, "dv/dt = -v/(5*ms) + xi/sqrt(5*ms) : 1", threshold="v > 1",
                    reset="v = 0", method="euler")
    S = Synapses(G, G, on_pre="v += 0.1", delay=1.5 * ms)
    S.connect(p=0.5)
    M = SpikeMonitor(G)
    net = Network(G, S, M)
    seed(3)
    net.store()
    net.run(20 * ms)
    first = M.t.copy(), M.i.copy()
    net.restore(restore_random_state=True)
    net.run(20 * ms)
    # restore() also rewinds the monitor, so it holds the replayed run only
    assert first[0].size > 5
    np.testing.assert_array_equal(M.t, first[0])
    np.testing.assert_array_equal(M.i, first[1])


def test_new_parameter_values_and_delays_reuse_the_compiled_loop(numba):
    G = NeuronGroup(10, "dv/dt = (1.5 - v)/tau : 1", threshold="v > 1", reset="v = 0")
    S = Synapses(G, G, "w : 1", on_pre="v += w", delay=1 * ms)
    S.connect(p=0.5)
    M = SpikeMonitor(G)
    net = Network(G, S, M)
    net.run(20 * ms, namespace=dict(tau=5 * ms))
    before = numba_backend.compile_count()
    S.delay = 3 * ms
    S.w = 0.2
    net.run(20 * ms, namespace=dict(tau=8 * ms))
    assert numba_backend.compile_count() == before
    assert M.num_spikes > 0


def test_heterogeneous_delays_run_in_the_fused_loop(numba, fused_runs):
    used = fused_runs
    G = NeuronGroup(2, "v : 1", threshold="v > 1", reset="v = 0")
    S = Synapses(G, G, on_pre="v += 0.5")
    S.connect(i=0, j=1)
    run(1 * ms)
    S.delay = [1 * ms]  # one synapse, one delay: homogeneous, still compiled
    run(1 * ms)
    H = SpikeGeneratorGroup(2, [0, 1], [0.1 * ms, 0.2 * ms])
    K = NeuronGroup(1, "v : 1")
    S2 = Synapses(H, K, on_pre="v += 0.5")
    S2.connect(i=[0, 1], j=[0, 0])
    S2.delay = [1 * ms, 2 * ms]
    Network(H, K, S2).run(1 * ms)
    assert used == [True, True, True]


def _python_between(every=0.5 * ms):
    """A network whose step holds Python: a network operation between the threshold and
    the synapses (reading spikes and a monitor's counts, writing a variable, stopping
    the run) and a reset calling the user's Python function."""
    seed(4)
    double = Function(lambda x: 2 * x, arg_units=[1], return_unit=1)  # noqa: F841
    G = NeuronGroup(30, "dv/dt = (1.3 - v)/(4*ms) + 0.2*xi/sqrt(4*ms) : 1",
                    threshold="v > 1", reset="v = -0.1*double(1)", method="euler")
    S = Synapses(G, G, on_pre="v += 0.05", delay=0.4 * ms)
    S.connect(p=0.3)
    M = SpikeMonitor(G)
    V = StateMonitor(G, "v", record=[0, 7])
    seen = []

    @network_operation(dt=every, when="after_thresholds")
    def look(t):
        seen.append((t, G.spikes.copy(), M.count.copy(), M.num_spikes))
        G.v[:5] += 0.02
        if t >= 9.5 * ms:
            net.stop()

    net = Network(G, S, M, V, look)
    net.run(20 * ms)
    return net, seen, M, V


def test_python_operations_run_between_segments_of_the_fused_loop(numba, fused_runs,
                                                                  monkeypatch):
    """A network operation and a Python function in model code no longer send the run to
    the Python loop: the compiled loop returns to Python for them, which sees the spikes
    and the recordings of the step in progress, and the result is the Python loop's."""
    net, seen, M, V = _python_between()
    assert fused_runs == [True]
    assert net.t == pytest.approx(9.6 * ms)  # stop() ends the run after its step
    # Spikes reach the operation (about 10 expected over its 20 steps; the real check
    # is the equality with the Python loop below).
    assert len(seen) == 20 and sum(s[1].size for s in seen) > 0
    for _t, spikes, counts, total in seen:
        assert counts.sum() == total and np.all(counts[spikes] > 0)
    start_scope()
    _python_loop(monkeypatch)
    python_net, python_seen, python_m, python_v = _python_between()
    assert python_net.t == net.t and len(python_seen) == len(seen)
    for got, want in zip(seen, python_seen, strict=True):
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(M.i, python_m.i)
    np.testing.assert_array_equal(M.t, python_m.t)
    np.testing.assert_allclose(V.v, python_v.v, rtol=1e-14, atol=0)


def test_the_loop_source_holds_no_parameter_values():
    loop = FusedLoop()
    name = loop.arg(0.123456, "w")
    loop.emit(f"_x = {name}")
    assert "0.123456" not in loop.source()
    assert "def loop(_step0, _step1, _seg, _dt, _nspk, _w, w_0):" in loop.source()


@pytest.mark.parametrize("values", [[], [3], [0, 1, 1, 4, 9], list(range(0, 40, 3))])
def test_bisect_left_agrees_with_searchsorted(values):
    # The fused loop finds a subgroup's spikes with _bisect_left (cached once), not
    # np.searchsorted (compiled into every loop).
    from snncore.backends.loop_helpers import _bisect_left

    a = np.array(values, dtype=np.int32)
    for value in range(-2, 42):
        assert _bisect_left(a, value) == np.searchsorted(a, value)

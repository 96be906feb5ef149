"""Scope, runs that continue, explicit networks, store/restore, progress and monitors."""

import numpy as np
import pytest

from snncore import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SnnError,
    SpikeMonitor,
    StateMonitor,
    ms,
    restore,
    run,
    seed,
    start_scope,
    store,
)

LIF = """dv/dt = (I - v)/tau : 1
         I : 1"""


def lif(n=3):
    G = NeuronGroup(n, LIF, threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="exact")
    G.I = np.linspace(1.5, 3.0, n)
    return G


# ---- scope --------------------------------------------------------------------------

def test_objects_since_start_scope_take_part(backend):
    tau = 10 * ms  # noqa: F841
    old = NeuronGroup(1, "dv/dt = (1 - v)/tau : 1")
    start_scope()
    new = NeuronGroup(1, "dv/dt = (1 - v)/tau : 1")
    M = StateMonitor(new, "v", record=True)
    run(5 * ms)
    assert old.v[0] == 0.0
    assert new.v[0] > 0.3
    assert M.t[0] == 0.0  # a new scope starts a new network at t = 0


def test_start_scope_releases_old_objects(backend):
    old = NeuronGroup(1, "v : 1")  # noqa: F841  (visible, but of the old scope)
    start_scope()
    M = StateMonitor(NeuronGroup(2, "dv/dt = -v/(10*ms) : 1"), "v", record=True)
    G = M.source  # noqa: F841  (run() takes only objects bound to a name, as Brian 2)
    run(1 * ms)
    assert M.v.shape == (2, 10)


# ---- continuing runs ----------------------------------------------------------------

def _lif_run(durations):
    start_scope()
    tau = 10 * ms  # noqa: F841
    G = lif()
    M = StateMonitor(G, "v", record=True)
    S = SpikeMonitor(G)
    for d in durations:
        run(d)
    return M.t.copy(), M.v.copy(), S.i.copy(), S.t.copy(), G.v.copy()


def test_two_runs_equal_one(backend):
    one = _lif_run([100 * ms])
    two = _lif_run([50 * ms, 50 * ms])
    assert one[2].size > 10
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_changing_a_variable_between_runs(backend):
    tau = 10 * ms
    G = NeuronGroup(1, LIF, method="exact")
    run(10 * ms)
    assert G.v[0] == 0.0
    G.I = 1
    run(10 * ms)
    assert G.v[0] == pytest.approx(1 - np.exp(-10 * ms / tau), abs=1e-12)


def test_changing_an_external_constant_between_runs(backend):
    tau = 10 * ms
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", method="exact")
    G.v = 1
    run(10 * ms)
    tau = 5 * ms  # noqa: F841 - read by run() from this frame
    run(10 * ms)
    assert G.v[0] == pytest.approx(np.exp(-1) * np.exp(-2), abs=1e-12)


# ---- explicit networks ----------------------------------------------------------------

def test_explicit_network_add_and_t(backend):
    tau = 10 * ms  # noqa: F841
    G = lif()
    other = NeuronGroup(1, "dv/dt = (1 - v)/tau : 1")
    net = Network(G)
    M = StateMonitor(G, "v", record=True)
    net.add(M)
    net.add(M)  # adding twice is harmless
    assert net.t == 0.0
    net.run(10 * ms)
    assert net.t == pytest.approx(10 * ms, abs=1e-15)
    net.run(5 * ms)
    assert net.t == pytest.approx(15 * ms, abs=1e-15)
    assert M.v.shape == (3, 150)
    assert other.v[0] == 0.0  # not part of the network


def test_explicit_network_matches_magic_run(backend):
    tau = 10 * ms  # noqa: F841
    G = lif()
    S = SpikeMonitor(G)
    Network(G, S).run(50 * ms)
    start_scope()
    G2 = lif()
    S2 = SpikeMonitor(G2)
    run(50 * ms)
    np.testing.assert_array_equal(S.i, S2.i)
    np.testing.assert_array_equal(S.t, S2.t)


# ---- store / restore ------------------------------------------------------------------

OU = "dv/dt = -v/tau + sigma*sqrt(2/tau)*xi : 1"


def test_store_restore_in_a_loop_repeats_the_random_stream(backend):
    tau, sigma = 10 * ms, 1.0  # noqa: F841
    seed(3)
    G = NeuronGroup(10, OU)
    M = StateMonitor(G, "v", record=[0, 4])
    S = PopulationRateMonitor(G)
    run(2 * ms)
    store()
    results = []
    for _ in range(4):
        restore(restore_random_state=True)
        run(5 * ms)
        results.append((M.t.copy(), M.v.copy(), G.v.copy(), S.rate.copy()))
    assert results[0][1].shape == (2, 70)
    for res in results[1:]:
        for a, b in zip(results[0], res):
            np.testing.assert_array_equal(a, b)
    assert np.all(results[0][1][:, -1] != results[0][1][:, 19])


def test_store_restore_parameter_sweep(backend):
    G = NeuronGroup(1, "dv/dt = (1 - v)/tau : 1", method="exact")
    net = Network(G)
    net.store("initial")
    finals = {}
    for tau in (5 * ms, 10 * ms, 5 * ms):
        net.restore("initial")
        assert net.t == 0.0 and G.v[0] == 0.0
        net.run(10 * ms)
        finals.setdefault(tau, []).append(G.v[0])
    assert finals[5 * ms][0] == finals[5 * ms][1]
    assert finals[5 * ms][0] == pytest.approx(1 - np.exp(-2), abs=1e-12)
    assert finals[10 * ms][0] == pytest.approx(1 - np.exp(-1), abs=1e-12)


def test_restore_unknown_name(backend):
    net = Network(NeuronGroup(1, "v : 1"))
    with pytest.raises(SnnError, match=r"'nope'"):
        net.restore("nope")


# ---- progress ------------------------------------------------------------------------

def test_report_text_prints_progress(backend, capsys):
    NeuronGroup(1, "dv/dt = -v/(10*ms) : 1")
    run(5 * ms, report="text")
    out = capsys.readouterr().out
    assert "simulated" in out


def test_report_callable(backend):
    calls = []
    NeuronGroup(1, "dv/dt = -v/(10*ms) : 1")
    run(5 * ms, report=lambda *args: calls.append(args))
    assert calls and calls[-1][1] == pytest.approx(1.0)


# ---- monitors --------------------------------------------------------------------------

def test_state_monitor_subsampling(backend):
    tau = 10 * ms  # noqa: F841
    G = lif()
    full = StateMonitor(G, "v", record=True)
    sub = StateMonitor(G, "v", record=True, dt=1 * ms)
    run(20 * ms)
    run(5 * ms)
    np.testing.assert_allclose(sub.t, np.arange(25) * 1 * ms, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(sub.v, full.v[:, ::10])


def test_state_monitor_single_trace(backend):
    tau = 10 * ms  # noqa: F841
    G = lif(5)
    M = StateMonitor(G, ("v", "I"), record=[1, 3])
    run(10 * ms)
    assert M.v.shape == (2, 100)
    np.testing.assert_array_equal(M[3].v, M.v[1])
    np.testing.assert_array_equal(M[1].I, np.full(100, G.I[1]))
    np.testing.assert_array_equal(M[3].t, M.t)
    with pytest.raises(SnnError, match=r"element 0"):
        M[0]  # noqa: B018


def test_state_monitor_records_at_the_start_of_each_step(backend):
    G = NeuronGroup(1, "dv/dt = 1/second : 1", method="euler")
    M = StateMonitor(G, "v", record=True)
    run(1 * ms)
    np.testing.assert_allclose(M.v[0], np.arange(10) * 0.1 * ms, rtol=0, atol=1e-15)
    assert G.v[0] == pytest.approx(1 * ms, abs=1e-15)


def test_spike_monitor_without_recording_keeps_counts(backend):
    tau = 10 * ms  # noqa: F841
    G = lif()
    full = SpikeMonitor(G)
    counts = SpikeMonitor(G, record=False)
    run(50 * ms)
    np.testing.assert_array_equal(counts.count, full.count)
    assert counts.num_spikes == full.num_spikes == full.i.size > 0
    with pytest.raises(SnnError, match=r"record=False"):
        counts.i  # noqa: B018
    with pytest.raises(SnnError, match=r"record=False"):
        counts.t  # noqa: B018


def test_spike_trains(backend):
    tau = 10 * ms  # noqa: F841
    G = lif(4)
    G.I = [0.5, 1.5, 2.0, 3.0]  # neuron 0 never fires
    S = SpikeMonitor(G, variables="I")
    run(50 * ms)
    trains = S.spike_trains()
    assert sorted(trains) == [0, 1, 2, 3]
    assert trains[0].size == 0
    for k in range(4):
        np.testing.assert_array_equal(trains[k], S.t[S.i == k])
        assert np.all(np.diff(trains[k]) > 0)
        assert trains[k].size == S.count[k]
    np.testing.assert_array_equal(S.I, G.I[S.i])


def test_population_rate(backend):
    tau = 10 * ms  # noqa: F841
    G = lif(4)
    S = SpikeMonitor(G)
    R = PopulationRateMonitor(G)
    run(50 * ms)
    assert R.rate.shape == R.t.shape == (500,)
    assert R.rate.sum() * 0.1 * ms * 4 == pytest.approx(S.num_spikes)


@pytest.mark.parametrize(("duration", "steps"), [(0.05, 1), (0.25, 3), (0.35, 4), (0.3, 3),
                                                 (0.30000001, 3)])
def test_off_grid_durations_round_like_brian2(duration, steps):
    # Brian 2's clock: the nearest step within 1e-4 dt, else the next step.
    net = Network(NeuronGroup(1, "v : 1"))
    net.run(duration * ms)
    assert net.t == pytest.approx(steps * 0.1 * ms)

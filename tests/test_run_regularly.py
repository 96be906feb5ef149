"""``run_regularly`` on neuron groups and synapses, against Brian 2 (numpy target)."""

from __future__ import annotations

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import SnnError


def regular_model(lib):
    """Kicks every 1 ms (in 'start'), a counter at 'end', a synaptic weight ramp every
    0.5 ms, and a run cut between two ticks (the next tick stays on the 1 ms grid)."""
    ms = lib.ms
    tau = 5 * ms  # noqa: F841 (found by run() in this frame)
    G = lib.NeuronGroup(3, """dv/dt = -v/tau : 1
                              k : 1
                              kick : 1
                              elapsed : second""", threshold="v > 2.5", reset="v = 0",
                        method="exact")
    G.kick = [0.5, 1.0, 1.5]
    G.run_regularly("v += kick", dt=1 * ms)
    # dt in the code is the group's time step, not the interval (as in Brian 2).
    G.run_regularly("elapsed += dt", dt=2 * ms, name="clock_reader")
    G.run_regularly("k = k + 1 + t/ms", dt=0.7 * ms, when="end", name="counter")
    S = lib.Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(i=[0, 1, 2], j=[1, 2, 0])
    S.run_regularly("w = w + 0.1*(j + 1)", dt=0.5 * ms, when="after_groups")
    M = lib.StateMonitor(G, ["v", "k"], record=True)
    MS = lib.StateMonitor(S, "w", record=True)
    lib.run(2.55 * ms)
    lib.run(7 * ms)
    return {"t": si(M.t), "v": si(M.v), "k": si(M.k), "w": si(MS.w),
            "elapsed": si(G.elapsed)}


def test_run_regularly_matches_brian2(backend):
    ours, ref = snn_run(regular_model), brian2_reference(regular_model)
    assert np.ptp(ref["w"]) > 0 and np.ptp(ref["k"]) > 0
    np.testing.assert_allclose(ref["elapsed"], 5 * 0.1e-3)  # ticks at 0, 2, 4, 6, 8 ms
    for key, value in ref.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-6, atol=1e-9, err_msg=key)


def subgroup_model(lib):
    """run_regularly on two subgroups (Izhikevich 2003 sets its noise this way)."""
    ms = lib.ms
    G = lib.NeuronGroup(4, "dv/dt = -v/(5*ms) : 1", method="exact")
    G[:2].run_regularly("v += 1 + i", dt=1 * ms)
    G[2:].run_regularly("v += 10*(i + 1)", dt=1.5 * ms, when="end")
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(5 * ms)
    return {"v": si(M.v)}


def test_run_regularly_on_subgroups_matches_brian2(backend):
    ours, ref = snn_run(subgroup_model), brian2_reference(subgroup_model)
    np.testing.assert_allclose(ours["v"], ref["v"], rtol=1e-6, atol=1e-9)


def test_run_regularly_writes_a_parameter_of_an_exact_update(backend):
    """Izhikevich-style noise: the written current must reach the linear update."""
    from snncore import NeuronGroup, StateMonitor, ms, run, seed

    seed(3)
    G = NeuronGroup(200, """dv/dt = (I - v)/(2*ms) : 1
                            I : 1""", method="exact")
    G.run_regularly("I = 2*randn()", dt=1 * ms)
    M = StateMonitor(G, "I", record=True)
    run(5 * ms)
    # I is constant within a tick and changes at each tick.
    assert np.all(M.I[:, 1:10] == M.I[:, :1]) and np.all(M.I[:, 10] != M.I[:, 9])
    assert 1.7 < np.std(M.I[:, ::10]) < 2.3
    assert np.std(G.v) > 0.5


def test_run_regularly_errors():
    from snncore import NeuronGroup, ms, run

    G = NeuronGroup(2, "v : 1")
    with pytest.raises(SnnError, match="when='middle' of run_regularly .* is not a slot"):
        G.run_regularly("v = 1", when="middle")
    with pytest.raises(SnnError, match="positive duration"):
        G.run_regularly("v = 1", dt=-1 * ms)
    G.run_regularly("u += 1")  # 'u = 1' would declare a temporary, as in Brian 2
    with pytest.raises(SnnError, match="'u' is not a variable .*assigned with '='"):
        run(1 * ms)


def test_run_regularly_dt_must_be_a_multiple():
    from snncore import NeuronGroup, ms, run

    G = NeuronGroup(2, "v : 1")
    G.run_regularly("v = 1", dt=0.1003 * ms)
    with pytest.raises(SnnError, match=r"0.0001 s and 0.0001003 s \(run_regularly .*"
                                       r"whole multiple of the smallest"):
        run(1 * ms)


def test_run_regularly_with_an_explicit_network(backend):
    from snncore import Network, NeuronGroup, ms

    G = NeuronGroup(1, "v : 1")
    runner = G.run_regularly("v += 1", dt=2 * ms)
    assert runner.name == f"{G.name}_run_regularly"
    net = Network(G)  # the runner comes with its group
    net.run(5 * ms)
    assert G.v[0] == 3.0

"""The time between runs: ``G.t``, ``defaultclock.t``, string assignments using ``t``,
and Brian 2's clock API (``Clock``, ``clock=``, ``timestep``)."""

from __future__ import annotations

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import SnnError


def test_string_assignment_after_a_run_sees_the_current_time(backend):
    from snncore import NeuronGroup, defaultclock, ms, run

    G = NeuronGroup(3, "v : 1")
    G.v = "t/ms + 1"
    assert G.t == 0.0 and np.all(G.v == 1.0)
    run(1 * ms)
    G.v = "sin(2*pi*t/ms) + t/ms + i"
    np.testing.assert_allclose(G.v, np.sin(2 * np.pi) + 1.0 + np.arange(3), atol=1e-12)
    G[1:].v = "t/ms*10"
    np.testing.assert_allclose(G.v[1:], 10.0)
    assert G.t == pytest.approx(1 * ms) and G.t_ == G.t
    assert defaultclock.t == pytest.approx(1 * ms) and defaultclock.t_ == defaultclock.t
    assert defaultclock.timestep == 10 and defaultclock.timestep[:] == 10


def test_brian2_agrees_on_t_between_runs():
    def model(lib):
        G = lib.NeuronGroup(2, "v : volt")
        lib.run(2.5 * lib.ms)
        G.v = "t*1000*volt/second + i*mV"
        first = si(G.v)
        lib.run(0.5 * lib.ms)
        G.v = "v + t*volt/second"
        return {"first": first, "second": si(G.v), "t": si(G.t),
                "clock": si(lib.defaultclock.t)}

    ours, ref = snn_run(model), brian2_reference(model)
    for key, value in ref.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-12, err_msg=key)


def test_group_time_is_read_only():
    from snncore import NeuronGroup

    G = NeuronGroup(1, "v : 1")
    with pytest.raises(SnnError, match="'t' of NeuronGroup .* is the simulation time"):
        G.t = 1.0


def test_clock_objects(backend):
    from snncore import Clock, NeuronGroup, StateMonitor, ms, run

    slow = Clock(dt=0.5 * ms)
    assert slow.dt == slow.dt_ == 0.5 * ms and slow.t == 0.0
    G = NeuronGroup(1, "dv/dt = 1/ms : 1")
    M = StateMonitor(G, "v", record=0, clock=slow)
    run(2 * ms)
    np.testing.assert_allclose(M.t, np.arange(4) * 0.5 * ms, atol=1e-15)
    np.testing.assert_allclose(M[0].v, np.arange(4) * 0.5, atol=1e-12)
    with pytest.raises(SnnError, match="give dt or clock, not both"):
        StateMonitor(G, "v", record=0, dt=1 * ms, clock=slow)
    with pytest.raises(SnnError, match="must be a positive duration"):
        Clock(dt=0)


def coarse_recording(lib):
    """StateMonitor and run_regularly on coarser clocks, across runs that end between
    their ticks."""
    ms = lib.ms
    G = lib.NeuronGroup(2, """dv/dt = k/(10*ms) : 1
                              k : 1""", method="euler")
    G.k = [1, 2]
    G.run_regularly("v = v/2", clock=lib.Clock(dt=0.7 * ms))
    M = lib.StateMonitor(G, "v", record=True, dt=0.3 * ms)
    lib.run(1.05 * ms)
    lib.run(1 * ms)
    return {"t": si(M.t), "v": si(M.v)}


def test_coarse_clocks_match_brian2(backend):
    ours, ref = snn_run(coarse_recording), brian2_reference(coarse_recording)
    assert ref["t"].size == 7
    for key, value in ref.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-9, atol=1e-15, err_msg=key)

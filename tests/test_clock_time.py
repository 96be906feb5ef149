"""The time between runs: ``G.t``, ``defaultclock.t``, string assignments using ``t``,
and Brian 2's clock API (``Clock``, ``clock=``, ``timestep``)."""

from __future__ import annotations

import numpy as np
import pytest
from models import brian2_reference, brian2_run, si, snn_run

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


def _change_dt(lib, first, new_dt, group_dt=False):
    """Run ``first`` ms at dt = 0.1 ms, then 0.6 ms at ``new_dt`` (defaultclock's, or the
    group's own clock's); the final state and time, and the recorded times."""
    ms = lib.ms
    G = lib.NeuronGroup(1, "dv/dt = 1/ms : 1", method="euler",
                        dt=0.1 * ms if group_dt else None)
    # A monitor on defaultclock would not follow the group's own clock in Brian 2.
    M = None if group_dt else lib.StateMonitor(G, "v", record=0)
    net = lib.Network(G) if M is None else lib.Network(G, M)
    net.run(first * ms)
    if not group_dt:
        lib.defaultclock.dt = new_dt * ms
    elif lib.__name__ == "brian2":
        G.clock.dt = new_dt * ms
    else:
        G.dt = new_dt * ms
    net.run(0.6 * ms)
    return {"v": si(G.v), "t_end": si(G.t), **({} if M is None else {"t": si(M.t)})}


# (time when dt changes, new dt), in ms: multiples, non-multiples, both sides of Brian 2's
# tolerance of 1e-4 new dt, and a dt that does not divide the old one.
DT_CHANGES = [(1.2, 0.3), (1.0, 0.3), (1.0, 0.25), (1.0, 0.05), (0.3, 0.2),
              (1.0, 0.25 * (1 + 2e-5)), (1.0, 0.25 * (1 + 3e-5)), (1.0, 0.7)]
_BRIAN2_DT_CHANGES: dict = {}


@pytest.mark.parametrize("group_dt", [False, True], ids=["defaultclock", "group"])
@pytest.mark.parametrize(("first", "new_dt"), DT_CHANGES)
def test_a_dt_that_does_not_divide_t_is_refused_as_in_brian2(backend, first, new_dt,
                                                              group_dt):
    key = (first, new_dt, group_dt)
    if key not in _BRIAN2_DT_CHANGES:  # run once for both backends
        try:
            _BRIAN2_DT_CHANGES[key] = brian2_run(lambda lib: _change_dt(lib, *key))
        except ValueError as error:
            _BRIAN2_DT_CHANGES[key] = str(error)
    ref = _BRIAN2_DT_CHANGES[key]
    if isinstance(ref, str):
        assert "is not a multiple of" in ref
        with pytest.raises(SnnError, match=(
                rf"cannot change dt from 0\.1 ms to {new_dt:g} ms at t = {first:g} ms: "
                r"t is not a multiple of the new dt; change dt at a time that is one, or "
                rf"choose a dt that divides {first:g} ms")):
            snn_run(lambda lib: _change_dt(lib, *key))
    else:
        ours = snn_run(lambda lib: _change_dt(lib, *key))
        assert ours.keys() == ref.keys()
        for name, value in ref.items():
            np.testing.assert_allclose(ours[name], value, rtol=1e-9, atol=1e-12,
                                       err_msg=name)

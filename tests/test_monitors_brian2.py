"""Monitors as Brian 2 scripts use them: ``it``, ``values``, ``all_values``, the unitless
``t_``/``v_`` forms, ``M[5].v``, rates, and arrays that cannot change a monitor."""

from __future__ import annotations

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import SnnError


def spiking_model(lib):
    """Five neurons driven to regular spiking, with every monitor."""
    G = lib.NeuronGroup(5, """dv/dt = (I - v)/(10*ms) : 1
                              I : 1""", threshold="v > 1", reset="v = 0", method="exact")
    G.I = np.array([1.5, 2.0, 3.0, 0.5, 4.0])
    M = lib.StateMonitor(G, ["v", "I"], record=[0, 2, 4])
    S = lib.SpikeMonitor(G, variables="v")
    R = lib.PopulationRateMonitor(G)
    lib.run(60 * lib.ms)
    i, t = S.it
    values = S.values("v")
    every = S.all_values()
    return {
        "M.t": si(M.t), "M.t_": si(M.t_), "M.v": si(M.v), "M.v_": si(M.v_),
        "M[2].v": si(M[2].v), "M[4].I": si(M[4].I),
        "i": np.asarray(i, dtype=float), "t": si(t), "S.t_": si(S.t_),
        "S.v": si(S.v), "S.v_": si(S.v_), "count": si(S.count),
        "num_spikes": np.array([S.num_spikes], dtype=float),
        **{f"values[{k}]": si(values[k]) for k in range(5)},
        **{f"all_values[t][{k}]": si(every["t"][k]) for k in range(5)},
        **{f"all_values[v][{k}]": si(every["v"][k]) for k in range(5)},
        **{f"trains[{k}]": si(S.spike_trains()[k]) for k in range(5)},
        "rate": si(R.rate), "R.t": si(R.t),
        "gauss": si(R.smooth_rate(window="gaussian", width=0.73 * lib.ms)),
        "flat": si(R.smooth_rate(window="flat", width=1.1 * lib.ms)),
        "flat_even": si(R.smooth_rate(window="flat", width=0.4 * lib.ms)),
        "array_window": si(R.smooth_rate(window=np.array([1.0, 2.0, 1.0]))),
    }


def test_monitor_api_matches_brian2(backend):
    ours = snn_run(spiking_model)
    ref = brian2_reference(spiking_model)
    assert set(ours) == set(ref)
    assert ref["num_spikes"][0] > 20  # the model spikes enough to test something
    for key, value in ref.items():
        assert ours[key].shape == value.shape, key
        np.testing.assert_allclose(ours[key], value, rtol=1e-6, atol=1e-9, err_msg=key)


def test_binned_rates(backend):
    """``binned_rate`` (Brian 2 after 2.9): bin means of the rate, per-neuron histograms."""
    from snncore import NeuronGroup, PopulationRateMonitor, SpikeMonitor, ms, run

    G = NeuronGroup(3, "dv/dt = (i + 1)/(3*ms) : 1", threshold="v > 1", reset="v = 0")
    S, R = SpikeMonitor(G), PopulationRateMonitor(G)
    run(10.5 * ms)
    starts, rates = R.binned_rate(2 * ms)
    np.testing.assert_allclose(starts, np.arange(5) * 2 * ms, atol=1e-15)
    np.testing.assert_allclose(rates, R.rate[:100].reshape(5, 20).mean(axis=1))
    starts, per_neuron = S.binned_rate(5 * ms)
    assert per_neuron.shape == (3, 2)
    for k in range(3):
        counts = np.histogram(S.t[S.i == k], bins=[0, 5 * ms - 1e-9, 10 * ms - 1e-9])[0]
        np.testing.assert_allclose(per_neuron[k], counts / (5 * ms))
    smooth = S.smooth_rate(window="flat", width=1 * ms)
    assert smooth.shape == (3, 105)
    np.testing.assert_allclose(smooth.sum(axis=1) * 0.1 * ms, S.count, rtol=1e-12)


def test_monitor_arrays_cannot_change_the_monitor(backend):
    from snncore import NeuronGroup, PopulationRateMonitor, SpikeMonitor, StateMonitor, ms, run

    G = NeuronGroup(2, "dv/dt = 2/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    M = StateMonitor(G, "v", record=True)
    S = SpikeMonitor(G, variables="v")
    R = PopulationRateMonitor(G)
    run(5 * ms)
    before = M.v.copy()
    arrays = (M.v, M[0].v, M.t, M.v_, S.t, S.i, S.v, S.count, S.t_, R.rate, R.t,
              S.values("v")[0], S.spike_trains()[1])
    for array in arrays:
        with pytest.raises(ValueError, match="read-only"):
            array[:] = 7
    # What indexing returns is a copy, the user's to change, as in Brian 2
    # (Brette & Gerstner 2005 writes spikes into `vm = M[0].vm[:]`).
    for array in arrays:
        mine = array[:]
        mine[:] = 7
    row = M.v[0]
    row[0] = 7
    M[0].v[:][1] = 7
    np.testing.assert_array_equal(M.v, before)
    # A later run still records into the monitor.
    run(1 * ms)
    assert M.v.shape == (2, 60)


def test_several_elements_and_errors(backend):
    from snncore import NeuronGroup, SpikeMonitor, StateMonitor, ms, run

    G = NeuronGroup(4, "dv/dt = (i + 1)/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    M = StateMonitor(G, "v", record=[1, 3])
    S = SpikeMonitor(G, record=False)
    run(2 * ms)
    np.testing.assert_array_equal(M[[3, 1]].v, M.v[::-1])
    with pytest.raises(SnnError, match="does not record element 2 .it records 1, 3"):
        M[2]
    with pytest.raises(SnnError, match="indexed by element indices"):
        M["v"]
    with pytest.raises(SnnError, match="record=False"):
        _ = S.it
    S2 = SpikeMonitor(G)
    with pytest.raises(SnnError, match="does not record 'v'"):
        S2.values("v")
    run(1 * ms)
    R_window = S2.smooth_rate  # needs no width for an array window, refuses one otherwise
    with pytest.raises(SnnError, match="width only with a named window"):
        R_window(window=np.ones(3), width=1 * ms)
    with pytest.raises(SnnError, match="odd number of values"):
        R_window(window=np.ones(4))
    with pytest.raises(SnnError, match="multiple of dt"):
        S2.binned_rate(0.15 * ms)


def dt_change_model(lib):
    """Spikes recorded before and after a change of the time step between runs."""
    ms = lib.ms
    G = lib.NeuronGroup(2, "dv/dt = (I - v)/(5*ms) : 1\nI : 1", threshold="v > 1",
                        reset="v = 0", method="exact")
    G.I = [1.5, 2.5]
    S = lib.SpikeMonitor(G)
    lib.run(10 * ms)
    lib.defaultclock.dt = 0.05 * ms
    lib.run(10 * ms)
    return {"t": si(S.t), "i": si(S.i)}


def test_spike_times_survive_a_change_of_dt(backend):
    ours, ref = snn_run(dt_change_model), brian2_reference(dt_change_model)
    assert ref["t"].max() > 10e-3 and ref["t"].min() < 10e-3
    for key, value in ref.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-9, atol=1e-12, err_msg=key)

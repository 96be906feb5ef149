"""Brian 2's spike-source API: SpikeGeneratorGroup (period, set_spikes between runs,
dt/clock, when), PoissonGroup with a rate expression of t."""

from __future__ import annotations

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import SnnError


def generator_model(lib):
    ms = lib.ms
    G = lib.SpikeGeneratorGroup(3, [0, 1, 2], [0, 1, 2.5] * ms, period=5 * ms)
    S = lib.SpikeMonitor(G)
    Z = lib.SpikeGeneratorGroup(2, [1, 0], [0.5, 0.7] * ms, period=0 * ms)
    SZ = lib.SpikeMonitor(Z)
    lib.run(12 * ms)
    G.set_spikes([0, 1, 2], [13, 14, 3] * ms)  # the spike at 3 ms is in the past
    lib.run(5 * ms)
    G.set_spikes([0, 2], [1, 2] * ms, period=4 * ms)
    lib.run(10 * ms)
    return {"i": si(S.i), "t": si(S.t), "zi": si(SZ.i), "zt": si(SZ.t)}


def test_spike_generator_matches_brian2(backend):
    ours, ref = snn_run(generator_model), brian2_reference(generator_model)
    assert ref["t"].size == 16
    for key, value in ref.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-12, atol=1e-15, err_msg=key)


def test_poisson_group_rate_expression_of_t(backend):
    from snncore import Hz, PoissonGroup, SpikeMonitor, ms, run, seed

    seed(4)
    P = PoissonGroup(400, rates="200*Hz*(t >= 5*ms)")
    S = SpikeMonitor(P)
    run(15 * ms)
    assert S.t.min() >= 5 * ms
    expected = 400 * 200 * Hz * 10 * ms  # 800
    assert abs(S.num_spikes - expected) < 4 * np.sqrt(expected)


def test_spike_source_arguments(backend):
    from snncore import Clock, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, ms, run

    G = SpikeGeneratorGroup(1, [0], [1 * ms], clock=Clock(dt=0.5 * ms), when="start")
    S = SpikeMonitor(G)
    run(2 * ms)
    assert G.dt == 0.5 * ms and list(S.t) == [1 * ms]
    with pytest.raises(SnnError, match="give dt or clock, not both"):
        SpikeGeneratorGroup(1, [0], [1 * ms], dt=0.1 * ms, clock=Clock(dt=0.5 * ms))
    with pytest.raises(SnnError, match="is not supported"):
        PoissonGroup(2, 10 * ms, when="start")
    with pytest.raises(SnnError, match="period .* must be positive and longer"):
        SpikeGeneratorGroup(1, [0], [1 * ms], period=-1 * ms)


def test_period_must_be_a_multiple_of_dt():
    from snncore import SpikeGeneratorGroup, ms, run

    G = SpikeGeneratorGroup(1, [0], [0.1 * ms], period=0.25 * ms)  # noqa: F841
    with pytest.raises(SnnError, match=r"period \(0.00025 s\) must be a whole multiple"):
        run(1 * ms)

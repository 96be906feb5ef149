"""Writes to ``(unless refractory)`` variables while refractory, against Brian 2.

Brian 2 drops every write to such a variable from code other than the reset while the
neuron is refractory: synaptic ``on_pre``/``on_post`` code, ``PoissonInput`` and
``run_regularly`` (its "conditional write"). The reset itself writes. Brunel (2000) relies
on it: input arriving during the refractory period is lost.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.models import brian2_run, si, snn_run


def _deterministic(lib):
    """The same gates with input that is certain (a Poisson input at one event per step):
    equal to Brian 2 to rounding."""
    ms, mV, kHz = lib.ms, lib.mV, lib.kHz
    tau, theta, v_reset = 10 * ms, 20 * mV, 5 * mV  # noqa: F841 (read by run())
    eqs = "dv/dt = -v/tau : volt (unless refractory)"
    post = lib.NeuronGroup(1, eqs, threshold="v > theta", reset="v = v_reset",
                           refractory=3 * ms, method="exact")
    post.v = 25 * mV
    pre = lib.NeuronGroup(1, eqs, threshold="v > theta", reset="v = v_reset",
                          refractory=4 * ms, method="exact")
    pre.v = 25 * mV
    times = np.array([0.5, 1.0, 2.0, 3.5, 5.0, 6.0]) * ms
    drive = lib.SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), times)
    syn = lib.Synapses(drive, post, on_pre="v_post += 12*mV")
    syn.connect()
    back = lib.Synapses(pre, post, on_post="v_pre += 3*mV")
    back.connect()
    certain = lib.PoissonInput(post, "v", 1, 10 * kHz, 0.2 * mV)  # noqa: F841 (collected)
    post.run_regularly("v = v + 1*mV", dt=1 * ms)
    spikes = lib.SpikeMonitor(post)
    trace = lib.StateMonitor(post, "v", record=0)
    pre_trace = lib.StateMonitor(pre, "v", record=0)
    lib.run(10 * ms)
    return {"t": si(spikes.t), "v": si(trace.v), "v_pre": si(pre_trace.v)}


@pytest.fixture(scope="module")
def brian2_deterministic():
    return brian2_run(_deterministic)


def test_writes_while_refractory_are_dropped_as_in_brian2(backend, brian2_deterministic):
    ours = snn_run(_deterministic)
    np.testing.assert_allclose(ours["t"], brian2_deterministic["t"], rtol=0, atol=1e-12)
    for key in ("v", "v_pre"):
        np.testing.assert_allclose(ours[key], brian2_deterministic[key], rtol=1e-9,
                                   atol=1e-15, err_msg=key)
    # The spike at 0 ms makes the neuron refractory until 3 ms: the synaptic input at
    # 0.5, 1 and 2 ms, the Poisson input of every step and run_regularly's writes leave v
    # at the reset value; so do the back-propagated writes to the presynaptic neuron.
    assert np.all(ours["v"][0][1:30] == 5e-3)
    assert np.all(ours["v_pre"][0][1:40] == 5e-3)
    assert len(ours["t"]) > 1


def test_reset_still_writes():
    import snncore

    snncore.start_scope()
    group = snncore.NeuronGroup(1, "dv/dt = -v/(10*ms) : volt (unless refractory)",
                                threshold="v > 20*mV", reset="v = 5*mV",
                                refractory=3 * snncore.ms, method="exact")
    group.v = 25 * snncore.mV
    snncore.run(0.2 * snncore.ms)
    assert float(group.v[0]) == 5e-3

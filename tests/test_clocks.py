"""Objects on clocks of different dt in one network, against Brian 2.

Brian 2 runs each object on its clock: a group on its ``dt`` (or defaultclock), a monitor,
``PoissonInput`` or ``run_regularly`` on its group's clock unless given its own ``dt``, a
synaptic pathway on its source's clock and a summed variable on its target's.
"""

from __future__ import annotations

import numpy as np
import pytest

from snncore.errors import SnnError
from tests.models import brian2_run, si, snn_run


def _clocks(lib):
    ms, mV, kHz = lib.ms, lib.mV, lib.kHz
    tau = 10 * ms  # noqa: F841 (read by run())
    drive = lib.TimedArray([0.0, 30.0, 10.0, 25.0] * mV, dt=2.5 * ms)  # noqa: F841
    fine = lib.NeuronGroup(3, "dv/dt = (drive(t) + 25*mV*i - v)/tau : volt",
                           threshold="v > 20*mV", reset="v = 0*mV", method="exact")
    coarse = lib.NeuronGroup(2, """dv/dt = (I - v)/tau : volt (unless refractory)
                                   I : volt""",
                             threshold="v > 15*mV", reset="v = 2*mV", refractory=1 * ms,
                             method="exact", dt=0.5 * ms)
    coarse.I = [40, 26] * mV
    slow = lib.NeuronGroup(2, "dw/dt = (s - w)/(5*ms) : volt\ns : volt", dt=0.25 * ms,
                           method="exact")
    down = lib.Synapses(fine, coarse, on_pre="v_post += 1*mV", delay=0.7 * ms)
    down.connect()
    up = lib.Synapses(coarse, fine, "k : 1", on_pre="v_post += k*mV")
    up.connect()
    up.k = "1 + i + j"
    up.delay = "j * 0.4*ms"
    into_slow = lib.Synapses(fine, slow, "s_post = v_pre : volt (summed)")  # noqa: F841
    into_slow.connect(j="0")
    certain = lib.PoissonInput(coarse, "v", 1, 2 * kHz, 0.3 * mV)  # noqa: F841
    coarse.run_regularly("v = v + 0.5*mV", dt=1.5 * ms)
    # Brian 2's run() collects the objects named in this frame, not those in a dict.
    m_fine = lib.StateMonitor(fine, "v", record=True)
    m_coarse = lib.StateMonitor(coarse, "v", record=True)
    m_slow = lib.StateMonitor(slow, "w", record=True, dt=0.75 * ms)
    s_fine, s_coarse = lib.SpikeMonitor(fine), lib.SpikeMonitor(coarse)
    rate = lib.PopulationRateMonitor(coarse)
    lib.run(4.2 * ms)
    lib.run(5.95 * ms)
    return {"fine.t": si(m_fine.t), "fine": si(m_fine.v), "coarse.t": si(m_coarse.t),
            "coarse": si(m_coarse.v), "slow.t": si(m_slow.t), "slow": si(m_slow.w),
            "spikes_fine.t": si(s_fine.t), "spikes_fine.i": si(s_fine.i),
            "spikes_coarse.t": si(s_coarse.t), "spikes_coarse.i": si(s_coarse.i),
            "rate.t": si(rate.t), "rate": si(rate.rate)}


@pytest.fixture(scope="module")
def brian2_clocks():
    return brian2_run(_clocks)


def test_several_clocks_agree_with_brian2(backend, brian2_clocks):
    ours = snn_run(_clocks)
    assert ours.keys() == brian2_clocks.keys()
    for key, theirs in brian2_clocks.items():
        assert ours[key].shape == theirs.shape, key
        np.testing.assert_allclose(ours[key], theirs, rtol=1e-9, atol=1e-15, err_msg=key)
    # The coarse group is sampled every 0.5 ms, the slow monitor every 0.75 ms (on a
    # base step of 0.05 ms).
    assert np.allclose(np.diff(ours["coarse.t"]), 0.5e-3)
    assert np.allclose(np.diff(ours["slow.t"]), 0.75e-3)
    assert len(ours["spikes_coarse.t"]) > 2 and len(ours["spikes_fine.t"]) > 2


def test_clocks_without_a_practical_common_step_are_refused():
    import snncore

    snncore.start_scope()
    first = snncore.NeuronGroup(1, "dv/dt = -v/(10*ms) : 1")  # noqa: F841 (collected)
    second = snncore.NeuronGroup(  # noqa: F841
        1, "dv/dt = -v/(10*ms) : 1", dt=0.1003 * snncore.ms)
    with pytest.raises(SnnError, match=r"dt = 0\.0001 s and 0\.0001003 s.*1000 times"):
        snncore.run(1 * snncore.ms)

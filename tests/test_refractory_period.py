"""The end of a refractory period: Brian 2's ``timestep(t - lastspike, dt) >=
timestep(refractory, dt)``, which the state update computes in floats (a loop that
vectorises), must give the same answer at every step on the boundary."""

from __future__ import annotations

import numpy as np
import pytest

import snncore
from snncore.functions import timestep

MS = 1e-3
DT = 0.1 * MS


def _since_last_spike() -> np.ndarray:
    """Times since a last spike around the boundaries of a few steps: whole steps, a
    step's 1/1000 tolerance either side, halves, and a spike in the future."""
    steps = np.arange(-3, 25)
    offsets = np.array([0.0, 0.5, -0.5, 1e-3, -1e-3, 0.999e-3, 1.001e-3, 1e-9, -1e-9])
    return np.concatenate([(steps[:, None] + offsets[None, :]).ravel() * DT, [1e4]])


def _not_refractory_after_one_step(refractory: float) -> np.ndarray:
    since = _since_last_spike()
    group = snncore.NeuronGroup(since.size, "dv/dt = 1/second : 1 (unless refractory)",
                                threshold="False", refractory=refractory)
    group.lastspike = -since  # the first step runs at t = 0
    snncore.run(DT)
    return np.asarray(group.not_refractory[:], dtype=bool)


@pytest.mark.parametrize("refractory", [2 * MS, 0.15 * MS, 1.0001 * DT, 0.0, 0.5 * DT])
def test_end_of_refractoriness_is_brian2s_integer_test(backend, refractory):
    # 0 and half a step: refractory for no step (k = 0), the integer form is kept.
    expected = timestep(_since_last_spike(), DT) >= timestep(refractory, DT)
    got = _not_refractory_after_one_step(refractory)
    np.testing.assert_array_equal(got, expected)


def test_a_new_dt_changes_the_test(backend):
    # 0.15 ms is one step at dt = 0.1 ms (the float test) and none at 0.2 ms (the
    # integer test, k = 0): the second run must not reuse the first run's kernel.
    since = np.array([-0.15, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2]) * MS
    group = snncore.NeuronGroup(since.size, "dv/dt = 1/second : 1 (unless refractory)",
                                threshold="False", refractory=0.15 * MS)
    net = snncore.Network(group)
    for dt, steps in ((0.1 * MS, 2), (0.2 * MS, 1)):
        snncore.defaultclock.dt = dt
        last = float(net.t) + (steps - 1) * dt  # the time of the run's last step
        lastspike = last - since
        group.lastspike = lastspike
        net.run(steps * dt)
        expected = timestep(last - lastspike, dt) >= timestep(0.15 * MS, dt)
        np.testing.assert_array_equal(np.asarray(group.not_refractory[:], dtype=bool),
                                      expected, err_msg=f"dt = {dt}")

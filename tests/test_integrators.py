"""Explicit integrators: order of accuracy on dv/dt = -v/tau, and agreement with Brian 2.

The global error at a fixed time of a method of order p scales as dt**p, so halving dt
divides it by 2**p. Brian 2's 'heun' is the stochastic Heun scheme (Euler drift, Heun
diffusion): on a deterministic equation it is Euler, of order 1, and so is ours.
"""

import models
import numpy as np
import pytest
from models import assert_same_traces, brian2_reference, snn_run

import snncore
from snncore import NeuronGroup, ms, run, start_scope

ORDERS = {"euler": 1, "heun": 1, "rk2": 2, "rk4": 4}
TAU = 10 * ms
T_END = 10 * ms


def _error(method, dt):
    start_scope()
    snncore.defaultclock.dt = dt
    tau = TAU  # noqa: F841
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", method=method)
    G.v = 1
    run(T_END)
    return abs(G.v[0] - np.exp(-T_END / TAU))


@pytest.mark.parametrize("method", sorted(ORDERS))
def test_order_of_accuracy(backend, method):
    dts = [TAU / 20, TAU / 40, TAU / 80]
    errors = [_error(method, dt) for dt in dts]
    order = ORDERS[method]
    for coarse, fine in zip(errors, errors[1:]):
        observed = np.log2(coarse / fine)
        assert abs(observed - order) < 0.1, (method, errors, observed)


def test_exponential_euler_is_exact_on_a_linear_equation(backend):
    for dt in (TAU / 20, TAU / 40):
        assert _error("exponential_euler", dt) < 1e-14


def test_exact_is_exact(backend):
    assert _error("exact", TAU / 20) < 1e-14


@pytest.mark.parametrize("method", sorted(models.FHN_MODELS))
def test_nonlinear_time_dependent_system_matches_brian2(backend, method):
    model = models.FHN_MODELS[method]
    ref = brian2_reference(model)
    got = snn_run(model)
    assert np.ptp(ref["v"]) > 1  # it oscillates
    assert_same_traces(got, ref, ["v", "w"], atol=1e-9)

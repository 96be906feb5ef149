"""The 'exact' method (numerical matrix-exponential propagators) and the default method choice."""

import numpy as np
import pytest

from snncore import (
    IntegrationMethodError,
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    StateMonitor,
    Synapses,
    ms,
    run,
)

DT = 0.1 * ms


def test_damped_oscillator_matches_closed_form(backend):
    """dx/dt = -x/tau + w*y, dy/dt = -w*x - y/tau: a decaying rotation, complex eigenvalues."""
    tau, w = 20 * ms, 2 * np.pi * 50  # noqa: F841 - 50 Hz rotation
    G = NeuronGroup(2, """dx/dt = -x/tau + w*y : 1
                          dy/dt = -w*x - y/tau : 1""", method="exact")
    G.x = [1.0, 0.3]
    G.y = [0.0, -0.7]
    M = StateMonitor(G, ("x", "y"), record=True)
    run(100 * ms)
    t = M.t
    assert np.allclose(t, np.arange(1000) * DT, rtol=0, atol=1e-15)
    for k, (x0, y0) in enumerate([(1.0, 0.0), (0.3, -0.7)]):
        decay = np.exp(-t / tau)
        x = decay * (x0 * np.cos(w * t) + y0 * np.sin(w * t))
        y = decay * (y0 * np.cos(w * t) - x0 * np.sin(w * t))
        np.testing.assert_allclose(M.x[k], x, rtol=0, atol=1e-10)
        np.testing.assert_allclose(M.y[k], y, rtol=0, atol=1e-10)


def test_alpha_function_pair_matches_closed_form(backend):
    """dg/dt = (h - g)/tau, dh/dt = -h/tau: a repeated eigenvalue (Jordan block)."""
    tau = 5 * ms
    G = NeuronGroup(1, """dg/dt = (h - g)/tau : 1
                          dh/dt = -h/tau : 1""", method="exact")
    G.h = 1
    M = StateMonitor(G, ("g", "h"), record=True)
    run(50 * ms)
    t = M.t
    np.testing.assert_allclose(M.h[0], np.exp(-t / tau), rtol=0, atol=1e-10)
    np.testing.assert_allclose(M.g[0], t / tau * np.exp(-t / tau), rtol=0, atol=1e-10)


def test_constant_input_and_per_neuron_tau(backend):
    """dv/dt = (I - v)/tau with tau and I different for every neuron."""
    G = NeuronGroup(4, """dv/dt = (I - v)/tau : 1
                          I : 1
                          tau : second""", method="exact")
    taus = np.array([2.0, 5.0, 10.0, 40.0]) * ms
    inputs = np.array([1.0, -2.0, 0.5, 3.0])
    G.tau = taus
    G.I = inputs
    G.v = 0.25
    M = StateMonitor(G, "v", record=True)
    run(30 * ms)
    t = M.t
    for k in range(4):
        expected = inputs[k] + (0.25 - inputs[k]) * np.exp(-t / taus[k])
        np.testing.assert_allclose(M.v[k], expected, rtol=0, atol=1e-10)


def test_per_neuron_tau_in_a_coupled_system(backend):
    """The propagator differs per neuron when a coefficient is a per-neuron parameter."""
    G = NeuronGroup(3, """dg/dt = (h - g)/tau : 1
                          dh/dt = -h/tau : 1
                          tau : second""", method="exact")
    taus = np.array([1.0, 3.0, 9.0]) * ms
    G.tau = taus
    G.h = 1
    M = StateMonitor(G, "g", record=True)
    run(20 * ms)
    t = M.t
    for k in range(3):
        expected = t / taus[k] * np.exp(-t / taus[k])
        np.testing.assert_allclose(M.g[k], expected, rtol=0, atol=1e-10)


def test_linear_is_an_alias_of_exact(backend):
    tau = 10 * ms
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", method="linear")
    assert G.method == "exact"
    G.v = 1
    M = StateMonitor(G, "v", record=True)
    run(10 * ms)
    np.testing.assert_allclose(M.v[0], np.exp(-M.t / tau), rtol=0, atol=1e-12)


def test_exact_refuses_nonlinear_equations(backend):
    with pytest.raises(IntegrationMethodError, match=r"'exact'.*not linear.*v ?\*\* ?2"):
        NeuronGroup(1, "dv/dt = -v**2/(10*ms) : 1", method="exact")


def test_exact_refuses_products_of_state_variables(backend):
    with pytest.raises(IntegrationMethodError, match=r"not linear"):
        NeuronGroup(1, """dv/dt = -v*w/(10*ms) : 1
                          dw/dt = -w/(10*ms) : 1""", method="exact")


def test_exact_refuses_noise(backend):
    with pytest.raises(IntegrationMethodError, match=r"'exact'.*stochastic"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) + xi/sqrt(10*ms) : 1", method="exact")


def test_exact_refuses_explicit_time_dependence(backend):
    with pytest.raises(IntegrationMethodError, match=r"time"):
        NeuronGroup(1, "dv/dt = (sin(2*pi*t/(10*ms)) - v)/(10*ms) : 1", method="exact")


@pytest.mark.parametrize("model, expected", [
    ("dv/dt = -v/(10*ms) : 1", "exact"),
    ("""dv/dt = (g - v)/(10*ms) : 1
        dg/dt = -g/(5*ms) : 1""", "exact"),
    ("dv/dt = -v**3/(10*ms) : 1", "euler"),
    ("dv/dt = -v/(10*ms) + 0.1*xi/sqrt(10*ms) : 1", "euler"),
    ("dv/dt = -v/(10*ms) + v*xi/sqrt(10*ms) : 1", "heun"),
], ids=["linear", "linear-system", "nonlinear", "additive-noise", "multiplicative-noise"])
def test_default_method_choice(backend, model, expected):
    assert NeuronGroup(1, model).method == expected


def test_coupled_variables_with_different_units(backend):
    """A current-based synapse: dv/dt = (R*I - v)/tau (volt), dI/dt = -I/tau_s (amp)."""
    from snncore import Mohm, nA

    tau, tau_s, R = 10 * ms, 5 * ms, 100 * Mohm
    G = NeuronGroup(1, """dv/dt = (R*I - v)/tau : volt
                          dI/dt = -I/tau_s : amp""", method="exact")
    G.I = 0.1 * nA
    M = StateMonitor(G, ("v", "I"), record=True)
    run(30 * ms)
    t = M.t
    amplitude = R * 0.1 * nA * tau_s / (tau_s - tau)
    expected = amplitude * (np.exp(-t / tau_s) - np.exp(-t / tau))
    np.testing.assert_allclose(M.I[0], 0.1 * nA * np.exp(-t / tau_s), rtol=0, atol=1e-10 * nA)
    np.testing.assert_allclose(M.v[0], expected, rtol=0, atol=1e-10 * 1e-3)


def test_restore_to_a_snapshot_taken_before_the_propagators_existed(backend):
    """A run adds the propagators of a synapse's clock-driven 'exact' update as hidden
    variables; restoring a snapshot stored before the first run (as Brian 2's example of
    Maass et al. 2002 does in every trial) must not look for them in it."""
    source = SpikeGeneratorGroup(1, [0], [1 * ms])
    target = NeuronGroup(1, "")
    S = Synapses(source, target, "dy/dt = -y/(3*ms) : 1 (clock-driven)", on_pre="y += 1",
                 method="exact")
    S.connect()
    net = Network(source, target, S)
    net.store()
    first = []
    for _ in range(2):
        net.restore()
        net.run(2 * ms)
        first.append(S.y[0])
    # The spike arrives in the step of t = 1 ms and decays for 9 steps until t = 2 ms.
    np.testing.assert_allclose(first, [np.exp(-0.9 / 3)] * 2, rtol=1e-12)

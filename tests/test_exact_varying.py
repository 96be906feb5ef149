"""'exact' on linear equations whose coefficients model code changes during the run.

Brian 2 solves such systems symbolically and evaluates the solution every step from the
current parameter values; snncore does the same with closed forms per block of coupled
variables. The models come from Stimberg et al. (2018), Brian 2's example 3 (a
synapse whose receptor kinetics depend on a gliotransmitter concentration written by a
summed variable), and from a reset, an ``on_pre`` and a ``run_regularly`` that change
time constants.
"""

import numpy as np
import pytest
from models import assert_same_traces, brian2_reference, snn_run

from snncore import IntegrationMethodError, NeuronGroup, StateMonitor, ms, run


def gliotransmission(lib):
    """Stimberg et al. (2018), Fig. 3 reduced: G_A, summed from two astrocytes into two of
    three synapses, sets the rate of the receptors' activation Gamma_S."""
    O_G = 1.5 / lib.ms  # noqa: F841 - read by the model strings
    Omega_G = 0.1 / lib.ms  # noqa: F841
    astro = lib.NeuronGroup(2, """dG_A/dt = -G_A/tau_A : 1
                                  dx/dt = (1 - x)/(4*ms) : 1
                                  tau_A : second""",
                            threshold="x > 0.9", reset="G_A += 0.8*x\nx = 0.2",
                            method="exact")
    astro.tau_A = [3 * lib.ms, 7 * lib.ms]
    source = lib.SpikeGeneratorGroup(1, [0, 0, 0, 0], [1, 4, 6, 11] * lib.ms)
    target = lib.NeuronGroup(1, "")
    syn = lib.Synapses(source, target, """
        dGamma_S/dt = O_G*G_A*(1 - Gamma_S) - Omega_G*Gamma_S : 1 (clock-driven)
        dY_S/dt = -Y_S/(2*ms) : 1 (clock-driven)
        G_A : 1
        """, on_pre="Y_S += 1 - Gamma_S", method="exact")
    syn.connect(True, n=3)
    ecs = lib.Synapses(astro, syn, "G_A_post = G_A_pre : 1 (summed)")
    ecs.connect(j="i + 1")
    M = lib.StateMonitor(syn, ["Gamma_S", "Y_S", "G_A"], record=[0, 1, 2])
    lib.run(15 * lib.ms)
    return {name: np.asarray(getattr(M, name), dtype=float)
            for name in ("t", "Gamma_S", "Y_S", "G_A")}


def changing_time_constants(lib):
    """A conductance driving a membrane (a 2-variable triangular block) and a decoupled
    trace with a constant propagator; on_pre, a reset and run_regularly change tau,
    tau_g and the input."""
    G = lib.NeuronGroup(2, """dv/dt = (g + I - v)/tau : 1
                              dg/dt = -g/tau_g : 1
                              dw/dt = -w/(10*ms) : 1
                              tau : second
                              tau_g : second
                              I : 1""", threshold="v > 0.6", reset="v = 0\ntau_g = 2*ms",
                        method="exact")
    G.tau = [10 * lib.ms, 4 * lib.ms]
    G.tau_g = [3 * lib.ms, 4 * lib.ms]
    G.w = 1
    G.run_regularly("tau = tau*1.3\nI = 0.2 - I", dt=2 * lib.ms)
    source = lib.SpikeGeneratorGroup(1, [0, 0, 0], [1, 5, 9] * lib.ms)
    S = lib.Synapses(source, G, on_pre="g_post += 1.5\ntau_g_post = tau_g_post*1.7")
    S.connect()
    M = lib.StateMonitor(G, ["v", "g", "w", "tau", "tau_g"], record=True)
    lib.run(20 * lib.ms)
    return {name: np.asarray(getattr(M, name), dtype=float)
            for name in ("t", "v", "g", "w", "tau", "tau_g")}


@pytest.mark.parametrize("model, coefficient", [(gliotransmission, "G_A"),
                                                (changing_time_constants, "tau_g")])
def test_varying_coefficients_match_brian2(backend, model, coefficient):
    ref = brian2_reference(model)
    got = snn_run(model)
    # The coefficient does change during the run, in every recorded element.
    assert (np.ptp(ref[coefficient][-2:], axis=1) > 0).all()
    assert_same_traces(got, ref, [name for name in ref if name != "t"], atol=1e-9)


def test_equal_rates_keep_the_exact_limit(backend):
    """When the driving and the driven rate coincide, the closed form reaches its limit
    (t/tau exp(-t/tau), the alpha function) instead of dividing by zero."""
    G = NeuronGroup(1, """dg/dt = (h - g)/tau : 1
                          dh/dt = -h/tau : 1
                          tau : second""", method="exact")
    G.tau = 5 * ms
    G.h = 1
    G.run_regularly("tau = 5*ms", dt=1 * ms)  # tau is written, so it varies
    M = StateMonitor(G, ("g", "h"), record=True)
    run(30 * ms)
    t = M.t
    np.testing.assert_allclose(M.h[0], np.exp(-t / (5 * ms)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(M.g[0], t / (5 * ms) * np.exp(-t / (5 * ms)), rtol=0,
                               atol=1e-12)


@pytest.mark.parametrize("model, chain", [
    ("dv/dt = (g - v)/tau : 1\ndg/dt = (h - g)/tau : 1\ndh/dt = -h/tau : 1",
     "h drives g, which drives v"),
    ("dv/dt = (g - v)/tau : 1\ndg/dt = (0.5 - g)/tau : 1",
     "a constant input drives g, which drives v"),
])
def test_a_chain_of_varying_coefficients_is_refused(backend, model, chain):
    G = NeuronGroup(1, model + "\ntau : second", method="exact")
    G.tau = 5 * ms
    G.run_regularly("tau = tau*2", dt=1 * ms)
    with pytest.raises(IntegrationMethodError,
                       match=rf"\(tau\).*{chain}; use method='euler'"):
        run(1 * ms)

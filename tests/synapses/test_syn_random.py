"""Random draws in synaptic code: stochastic release with ``rand()`` in ``on_pre`` and
``randn()`` in ``on_post``, on both backends (the numba one fused and in its Python step
loop) and in Brian 2 (numpy target).

Every spike of the model is deterministic, so the number of release trials is known
exactly; the fraction of trials that release must lie within 5 binomial standard
deviations of its probability, in snncore and in Brian 2 alike.
"""

# Model constants are local variables found by name from the model strings:
# ruff: noqa: F841
import math

import numpy as np
import pytest
import synmodels as m

import snncore.network

P_RELEASE = 0.3
Z = 0.5
P_NORMAL = 0.5 * (1 + math.erf(Z / math.sqrt(2)))  # P(randn() < Z)


def stochastic_release(lib):
    """20 neurons firing every 1.1 ms, connected all to all: each spike is a release
    trial on every outgoing synapse (rand) and, backwards, on every incoming one
    (randn)."""
    G = lib.NeuronGroup(20, """dv/dt = (1 + 0.01*i)/ms : 1
                               forward : 1
                               backward : 1""",
                        threshold="v > 1", reset="v = 0", method="euler")
    S = lib.Synapses(G, G, "p : 1", on_pre="forward_post += int(rand() < p)",
                     on_post="backward_pre += int(randn() < z)")
    S.connect()
    S.p = P_RELEASE
    z = Z
    M = lib.SpikeMonitor(G)
    lib.run(60 * lib.ms)
    return dict(spikes=m.ints(M.count), forward=m.si(G.forward), backward=m.si(G.backward))


def _assert_binomial(out: dict) -> None:
    trials = 20 * int(out["spikes"].sum())  # every neuron has 20 synapses each way
    assert trials > 10000
    for key, p in (("forward", P_RELEASE), ("backward", P_NORMAL)):
        fraction = out[key].sum() / trials
        bound = 5 * math.sqrt(p * (1 - p) / trials)
        assert abs(fraction - p) < bound, (key, fraction, p, bound)


@pytest.fixture(scope="module")
def brian2_release():
    return m.brian2_run(stochastic_release, seed=3)


def test_brian2_releases_at_the_given_probability(brian2_release):
    _assert_binomial(brian2_release)


def test_random_draws_in_synaptic_code(backend, brian2_release):
    out = m.snn_run(stochastic_release, seed=3)
    _assert_binomial(out)
    # The spikes do not depend on the draws: the same trials as in Brian 2.
    np.testing.assert_array_equal(out["spikes"], brian2_release["spikes"])
    trials = 20 * int(out["spikes"].sum())
    for key in ("forward", "backward"):
        # Two independent estimates of one probability (p <= 0.7).
        gap = abs(out[key].sum() - brian2_release[key].sum()) / trials
        assert gap < 5 * math.sqrt(2 * 0.25 / trials), key
    # The releases are spread over the targets, not all drawn once per spike.
    assert len(np.unique(out["forward"])) > 3


def test_fused_and_python_loops_draw_the_same_releases(monkeypatch):
    fused = m.snn_run(stochastic_release, backend="numba", seed=5)
    monkeypatch.setattr(snncore.network, "fused_loop", lambda ops: None)
    python = m.snn_run(stochastic_release, backend="numba", seed=5)
    for key in fused:
        np.testing.assert_array_equal(fused[key], python[key], err_msg=key)

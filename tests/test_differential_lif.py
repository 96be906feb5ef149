"""Leaky integrate-and-fire, 'exact' integration: snncore agrees with Brian 2.

Spike times are step times (``t = step*dt`` of the step whose update crossed the
threshold), so they must be the same floats; traces agree to 1e-9 (dimensionless v ~ 1).
"""

import models
import pytest
from models import assert_same_spikes, assert_same_traces, brian2_reference, snn_run


@pytest.mark.parametrize("model", [models.lif_parameters,
                                   models.lif_parameters_unless_refractory],
                         ids=["refractory-spiking-only", "unless-refractory"])
def test_lif_per_neuron_parameters(backend, model):
    ref = brian2_reference(model)
    got = snn_run(model)
    assert ref["spike_i"].size > 10  # the model does spike, on every neuron
    assert set(ref["spike_i"]) == {0, 1, 2}
    assert_same_spikes(got, ref)
    assert_same_traces(got, ref, ["v"], atol=1e-9)


def test_refractory_clamps_v_only_with_the_flag(backend):
    """Without '(unless refractory)' v keeps integrating during the 5 ms after a spike."""
    free = snn_run(models.lif_parameters)
    clamped = snn_run(models.lif_parameters_unless_refractory)
    step = round(free["spike_t"][0] / 1e-4)
    neuron = free["spike_i"][0]
    assert clamped["v"][neuron, step + 5] == 0.0
    assert free["v"][neuron, step + 5] > 0.0


@pytest.mark.parametrize("model", [models.lif_external, models.lif_explicit_namespace,
                                   models.lif_run_namespace],
                         ids=["caller-frame", "group-namespace", "run-namespace"])
def test_lif_external_constants(backend, model):
    ref = brian2_reference(model)
    got = snn_run(model)
    assert ref["spike_i"].size > 10
    assert_same_spikes(got, ref)
    assert_same_traces(got, ref, ["v"], atol=1e-9)

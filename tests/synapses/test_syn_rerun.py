"""Networks with synapses run again: reused kernels get fresh arguments."""

import numpy as np

from snncore import NeuronGroup, Synapses, ms, run


def test_summed_variable_runs_twice(backend):
    G = NeuronGroup(2, "dv/dt = (-v + I_a)/(10*ms) : 1\nI_a : 1", method="exact")
    S = Synapses(G, G, "w : 1\nI_a_post = w : 1 (summed)")
    S.connect(p=1)
    S.w = 0.1
    run(1 * ms)
    run(1 * ms)
    # I_a = 0.2 (two synapses of 0.1 each), so v relaxes towards 0.2 with tau = 10 ms.
    assert np.allclose(G.v, 0.2 * (1 - np.exp(-2 * ms / (10 * ms))), rtol=1e-12)

"""Subexpressions of the source and target named with _pre/_post in synaptic code."""

import numpy as np
from models import brian2_reference, si, snn_run


def pre_post_subexpressions(lib):
    ms = lib.ms
    G = lib.NeuronGroup(3, """dv/dt = (1 + 0.5*i - v)/(10*ms) : 1
                              F = 2*v + 0.1*i : 1
                              I_E : 1""", threshold="v > 0.6", reset="v = 0",
                        method="exact", name="cells")
    S = lib.Synapses(G, G, """w : 1
                              I_E_post = w*F_pre : 1 (summed)""",
                     on_pre="w += 0.01*F_post", name="links")
    S.connect(condition="i != j")
    S.w = "0.1*(i + 1)"
    M = lib.StateMonitor(G, "I_E", record=True)
    lib.run(5 * ms)
    return {"I_E": si(M.I_E), "w": si(S.w[:])}


def test_pre_and_post_subexpressions_match_brian2(backend):
    ours, ref = snn_run(pre_post_subexpressions), brian2_reference(pre_post_subexpressions)
    assert np.ptp(ref["w"]) > 0 and np.ptp(ref["I_E"]) > 0
    for key, value in ref.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-9, atol=1e-12, err_msg=key)

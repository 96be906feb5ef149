"""Linked variables (``v : volt (linked)`` and ``linked_var``) match Brian 2 on both
backends: reads go to the other group's array through an index, writes in code reach
it, and a direct assignment is an error."""

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import Hz, NeuronGroup, StateMonitor, linked_var, ms, mV, run
from snncore.errors import DimensionMismatchError, SnnError


def linked_model(lib):
    """Three ways to link: the same size (``linked_var(G1.v)``), many-to-one with an
    index array, and with the name of an integer parameter; one linked variable is a
    coefficient of the equations, one is written by a reset. Names fix the order of the
    state updates (Brian 2 orders by name within a slot)."""
    G1 = lib.NeuronGroup(3, "dv/dt = (I - v)/(10*ms) : volt\nI : volt", name="a")
    G1.I = [12, 20, 30] * lib.mV
    G2 = lib.NeuronGroup(6, """v : volt (linked)
                               dx/dt = (v - x)/(5*ms) : volt""",
                         threshold="x > 8*mV", reset="x = 0*mV", name="b")
    G2.v = lib.linked_var(G1, "v", index=[0, 0, 1, 1, 2, 2])
    G3 = lib.NeuronGroup(3, """v : volt (linked)
                               dy/dt = -y*v/(mV*ms) + 1/ms : 1""", method="euler",
                         name="c")
    G3.v = lib.linked_var(G1.v)
    G4 = lib.NeuronGroup(2, """u : volt (linked)
                               k : integer""", threshold="u > 15*mV", reset="u = 1*mV",
                         name="d")
    G4.k = [2, 1]
    G4.u = lib.linked_var(G1, "v", index="k")
    M1 = lib.StateMonitor(G1, "v", record=True)
    M2 = lib.StateMonitor(G2, ("x", "v"), record=True)
    M3 = lib.StateMonitor(G3, "y", record=True)
    S4 = lib.SpikeMonitor(G4)
    lib.run(30 * lib.ms)
    return {"v1": si(M1.v), "x2": si(M2.x), "v2": si(M2.v), "y3": si(M3.y),
            "spike_i": si(S4.i), "spike_t": si(S4.t), "G2.v": si(G2.v[:])}


def test_linked_variables_match_brian2(backend):
    ref = brian2_reference(linked_model)
    got = snn_run(linked_model)
    assert ref["spike_i"].size >= 2  # the reset through the link happens
    for key, value in ref.items():
        assert got[key].shape == value.shape, key
        np.testing.assert_allclose(got[key], value, rtol=0, atol=1e-12, err_msg=key)


def test_linked_variable_from_python():
    """``G2.v`` reads the target through the index; ``G2.v[k] = x`` writes the target's
    element, as Brian 2 does."""
    G1 = NeuronGroup(3, "v : volt")
    G1.v = [1, 2, 3] * mV
    G2 = NeuronGroup(3, "v : volt (linked)")
    G2.v = linked_var(G1[1:].v, index=[0, 1, 1])
    np.testing.assert_allclose(G2.v, [2e-3, 3e-3, 3e-3])
    G2.v[0] = 7 * mV
    G2.v[2] = 9 * mV
    np.testing.assert_allclose(G1.v, [1e-3, 7e-3, 9e-3])
    G3 = NeuronGroup(3, "v : volt (linked)")
    G3.v = linked_var(G1, "v")
    G3.v["i == 0"] = 5 * mV
    np.testing.assert_allclose(G1.v, [5e-3, 7e-3, 9e-3])


@pytest.mark.parametrize("link,error,message", [
    (lambda G1, G2: setattr(G2, "v", 3 * mV), SnnError,
     r"cannot set the linked variable 'v' .* directly.*linked_var"),
    (lambda G1, G2: setattr(G2, "v", linked_var(G1, "w")), DimensionMismatchError,
     r"cannot link 'v' .*\(dimension volt\) to 'w' .*\(dimension second\)"),
    (lambda G1, G2: setattr(G2, "v", linked_var(G1, "vv")), SnnError,
     r"to 'vv' .*no such variable; did you mean 'v'"),
    (lambda G1, G2: setattr(G2, "v", linked_var(G1, "v")), SnnError,
     r"\(3 elements\) to 'v' .*\(2 elements\); give linked_var an index="),
    (lambda G1, G2: setattr(G2, "v", linked_var(G1, "v", index=[0, 1, 2])), SnnError,
     r"contains 2, outside 0 to 1"),
    (lambda G1, G2: setattr(G2, "v", linked_var(G1, "v", index=[0, 1])), SnnError,
     r"integer array of length 3, got shape \(2,\)"),
    (lambda G1, G2: setattr(G1, "w", linked_var(G2, "v")), SnnError,
     r"cannot link 'w' .*declare it as a linked variable with 'w : unit \(linked\)'"),
    (lambda G1, G2: linked_var(np.zeros(3)), SnnError,
     r"cannot tell which group .*linked_var\(H, 'v'\)"),
])
def test_link_errors(link, error, message):
    G1 = NeuronGroup(2, "v : volt\nw : second")
    G2 = NeuronGroup(3, "v : volt (linked)")
    with pytest.raises(error, match=message):
        link(G1, G2)


def test_unlinked_variable_at_run(backend):
    G = NeuronGroup(2, "v : volt (linked)\ndx/dt = (v - x)/ms : volt")
    StateMonitor(G, "x", record=True)
    with pytest.raises(SnnError, match=r"linked variable 'v' .* is not linked yet"):
        run(1 * ms)


def test_linked_flag_alone():
    with pytest.raises(SnnError, match=r"'linked' flag cannot be combined"):
        NeuronGroup(2, "v : volt (linked, constant)")


def homeostatic_synapse(lib, factor):
    """Two spike sources and an STDP synapse between them whose updates scale with ``G``
    linked to ``factor.G`` (as in Brian 2's example
    synapses/homeostatic_stdp_at_inhibitory_synapes.py); ``tau_stdp`` and ``eta`` are
    found in the frame that calls ``run()``, as in Brian 2."""
    pre = lib.SpikeGeneratorGroup(1, [0, 0, 0], [5, 15, 25] * lib.ms)
    post = lib.SpikeGeneratorGroup(1, [0, 0, 0], [6, 16, 26] * lib.ms)
    S = lib.Synapses(pre, post, """G : Hz (linked)
                                   wij : siemens
                                   dzi/dt = -zi / tau_stdp : 1 (event-driven)
                                   dzj/dt = -zj / tau_stdp : 1 (event-driven)""",
                     on_pre="zi += 1.\nwij += eta * G * zj",
                     on_post="zj += 1.\nwij += eta * G * (zi + 1)")
    S.connect(i=0, j=0)
    S.G = lib.linked_var(factor, "G")
    return pre, post, S


def linked_in_synapses(lib):
    """A synaptic variable linked to a one-neuron group (Brian 2's example
    synapses/homeostatic_stdp_at_inhibitory_synapes.py, shortened)."""
    tau_stdp = 20 * lib.ms  # noqa: F841 - found in this frame
    eta = 1 * lib.nsiemens * lib.second  # noqa: F841
    factor = lib.NeuronGroup(1, "dG/dt = -G/(10*ms) + 5/ms/second : Hz")
    pre, post, S = homeostatic_synapse(lib, factor)  # all visible to run()
    M = lib.StateMonitor(S, ["G", "wij"], record=True, dt=1 * lib.ms)
    lib.run(30 * lib.ms)
    return {"G": si(M.G), "wij": si(M.wij)}


def test_linked_variable_of_synapses_matches_brian2(backend):
    ref = brian2_reference(linked_in_synapses)
    got = snn_run(linked_in_synapses)
    assert ref["wij"][0, -1] > 1e-7
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-9, atol=0, err_msg=key)


def linked_subexpressions(lib):
    """Links to subexpressions, as Brian 2 makes them: a synaptic variable linked to a
    one-neuron group's ``G = H - gamma`` (Brian 2's example
    synapses/homeostatic_stdp_at_inhibitory_synapes.py, shortened), and neurons linked
    through an index array and to a subgroup, to a subexpression that reads another
    subexpression, the target's ``i`` and ``N`` and an external constant."""
    tau_stdp = 20 * lib.ms  # noqa: F841 - found in this frame
    eta = 1 * lib.nsiemens * lib.second  # noqa: F841
    gamma = 5 * lib.Hz  # noqa: F841
    k = 3.0  # noqa: F841
    factor = lib.NeuronGroup(1, "G = H - gamma : Hz\ndH/dt = -H/(10*ms) : Hz", name="f")
    factor.H = 30 * lib.Hz
    pre, post, S = homeostatic_synapse(lib, factor)  # all visible to run()
    A = lib.NeuronGroup(4, """dv/dt = (I - v)/(10*ms) : volt
                              I : volt
                              drive = I + k*i*mV/N : volt
                              F = 2*drive - v : volt""", name="a")
    A.I = [12, 20, 30, 40] * lib.mV
    B = lib.NeuronGroup(6, """F : volt (linked)
                              dx/dt = (F - x)/(5*ms) : volt""", name="b")
    B.F = lib.linked_var(A, "F", index=[0, 0, 1, 2, 3, 3])
    C = lib.NeuronGroup(2, """F : volt (linked)
                              dy/dt = (F - y)/(3*ms) : volt""", name="c")
    upper = A[2:]  # Brian 2 holds links to a subgroup weakly: keep it alive
    C.F = lib.linked_var(upper, "F")
    MS = lib.StateMonitor(S, ["G", "wij"], record=True, dt=1 * lib.ms)
    MB = lib.StateMonitor(B, ["x", "F"], record=True)
    MC = lib.StateMonitor(C, ["y", "F"], record=True)
    lib.run(30 * lib.ms)
    # Read here: the values depend on gamma and k, found in this frame. A value linked
    # to a one-element group is one number: Brian 2's view of it reads it with [:].
    B_F = B.F[:]
    S_G = S.G[:] if lib.__name__ == "brian2" else S.G
    return {"G": si(MS.G), "wij": si(MS.wij), "xB": si(MB.x), "FB": si(MB.F),
            "yC": si(MC.y), "FC": si(MC.F), "B.F": si(B_F), "S.G": si(S_G)}


def test_linked_subexpressions_match_brian2(backend):
    ref = brian2_reference(linked_subexpressions)
    got = snn_run(linked_subexpressions)
    assert ref["wij"][0, -1] > 1e-9 and ref["G"].min() < 0  # G falls below 0 in the run
    for key, value in ref.items():
        assert got[key].shape == value.shape, key
        np.testing.assert_allclose(got[key], value, rtol=1e-9, atol=1e-15, err_msg=key)


def test_linked_subexpression_checks():
    """A link to a subexpression is checked for its dimension, read as the target's
    values, left out of get_states() as a subexpression, and cannot be written."""
    gamma = 5 * Hz  # noqa: F841 - found in this frame
    F = NeuronGroup(3, "G = H - gamma : Hz\nH : Hz")
    F.H = [1, 2, 3] * Hz
    with pytest.raises(DimensionMismatchError, match=r"\(dimension second\) to 'G' .*"
                       r"\(dimension 1/second\)"):
        NeuronGroup(3, "x : second (linked)").x = linked_var(F, "G")
    B = NeuronGroup(3, "G : Hz (linked)")
    B.G = linked_var(F, "G")
    np.testing.assert_allclose(B.G, [-4, -3, -2])
    assert "G" not in B.get_states() and "G" in B.get_states(subexpressions=True)
    B.run_regularly("G = 1*Hz")
    with pytest.raises(SnnError, match=r"cannot write 'G' .*subexpression"):
        run(1 * ms)


def test_a_reset_may_name_a_link_made_later_and_is_checked_at_run(backend):
    """The reset is checked for writes to shared variables when the group is made, but a
    linked variable's target is set afterwards: a link that makes it one value for the
    whole group (a one-element target) is refused at run(), as Brian 2 refuses it."""
    source = NeuronGroup(1, "v : volt")
    group = NeuronGroup(2, "u : volt (linked)", threshold="True", reset="u = 1*mV")
    group.u = linked_var(source, "v")
    with pytest.raises(SnnError, match=r"cannot write the shared variable 'u'.*'u = 1\*mV'"):
        run(1 * ms)

"""One unit check on every assignment path, and the flags each owner allows.

Assignments are evaluated in Python whatever the backend, so these tests need no
``backend`` fixture. Plain numbers and arrays are SI floats with no dimension: only
expression strings can be checked.
"""

from __future__ import annotations

import numpy as np
import pytest

from snncore import NeuronGroup, Synapses, ms, mV
from snncore.errors import DimensionMismatchError, ModelSyntaxError

V_NOT_SECOND = (r"cannot set 'v' of {where} to '3\*second': 'v' has dimension volt, the "
                r"expression has dimension second")
DELAY_NOT_VOLT = (r"cannot set 'delay' of Synapses '\w+' to '1\*mV': 'delay' has dimension "
                  r"second, the expression has dimension volt")


@pytest.fixture
def group():
    return NeuronGroup(4, """dv/dt = (I - v)/(10*ms) : volt
                            I : volt
                            k : 1 (shared)""", threshold="v > 1*volt")


@pytest.fixture
def synapses(group):
    S = Synapses(group, group, "w : 1", on_pre="v += w*mV")
    S.connect()
    return S


@pytest.mark.parametrize("assign, where", [
    (lambda G: setattr(G, "v", "3*second"), r"NeuronGroup '\w+'"),
    (lambda G: setattr(G[:2], "v", "3*second"), r"subgroup \[0:2\] of NeuronGroup '\w+'"),
    (lambda G: G.v.__setitem__(slice(0, 2), "3*second"), r"NeuronGroup '\w+'"),
    (lambda G: G.v.__setitem__("i < 2", "3*second"), r"NeuronGroup '\w+'"),
    (lambda G: G[:2].v.__setitem__(slice(None), "3*second"),
     r"subgroup \[0:2\] of NeuronGroup '\w+'"),
    (lambda G: G[1:3].set_states({"v": "3*second"}), r"subgroup \[1:3\] of NeuronGroup '\w+'"),
    (lambda G: G.set_states({"v": "3*second"}), r"NeuronGroup '\w+'"),
], ids=["group", "subgroup", "group view", "group condition", "subgroup view",
        "subgroup set_states", "group set_states"])
def test_every_group_path_checks_the_unit(group, assign, where):
    group.v = 1 * mV
    with pytest.raises(DimensionMismatchError, match=V_NOT_SECOND.format(where=where)):
        assign(group)
    np.testing.assert_array_equal(group.v, 1 * mV)  # nothing written


def test_subgroup_shared_variable_checks_the_unit(group):
    with pytest.raises(DimensionMismatchError,
                       match=r"cannot set 'k' of subgroup \[0:2\] .* 'k' has dimension 1, "
                             r"the expression has dimension volt"):
        group[:2].k = "3*mV"


def test_subgroup_values_are_checked_like_the_group(group):
    group[:2].v = "3*mV"
    group[2:].v = np.array([1.0, 2.0]) * mV
    group[:2].k = 5
    np.testing.assert_allclose(group.v, [3 * mV, 3 * mV, 1 * mV, 2 * mV])
    assert group.k == 5
    with pytest.raises(Exception, match=r"cannot set 'v' of subgroup \[0:2\] .*: got 3 "
                                        r"values for 2 element\(s\)"):
        group[:2].v = np.zeros(3)
    with pytest.raises(Exception, match=r"cannot set 'v' of subgroup \[0:2\] .*not numeric"):
        group[:2].v = np.array(["a", "b"])


@pytest.mark.parametrize("assign", [
    lambda S: setattr(S, "delay", "1*mV"),
    lambda S: S.delay.__setitem__(slice(None), "1*mV"),
    lambda S: S.delay.__setitem__((0, slice(None)), "1*mV"),
    lambda S: Synapses(S.source, S.target, on_pre="v += 1*mV", delay="1*mV"),
    lambda S: Synapses(S.source, S.target, on_pre="v += 1*mV", delay={"pre": "1*mV"}),
], ids=["attribute", "view", "view (i, j)", "constructor", "constructor dict"])
def test_delay_string_must_be_a_duration(synapses, assign):
    with pytest.raises(DimensionMismatchError, match=DELAY_NOT_VOLT):
        assign(synapses)
    synapses.delay = "(i + 1)*ms"  # a duration is fine
    np.testing.assert_allclose(synapses.delay[:], (synapses.i[:] + 1) * ms)


def test_synaptic_variable_string_checks_the_unit(synapses):
    with pytest.raises(DimensionMismatchError,
                       match=r"cannot set 'w' of Synapses '\w+' to '2\*mV': 'w' has "
                             r"dimension 1, the expression has dimension volt"):
        synapses.w = "2*mV"
    with pytest.raises(DimensionMismatchError, match=r"cannot set 'w' of Synapses"):
        synapses.w["i > j"] = "2*mV"


# ---- flags: each owner allows Brian 2's and refuses the rest by name ----------------


@pytest.mark.parametrize("model, flag, kind, allowed", [
    ("dv/dt = -v/ms : 1 (event-driven)", "event-driven", "differential equation",
     "unless refractory"),
    ("dv/dt = -v/ms : 1 (clock-driven)", "clock-driven", "differential equation",
     "unless refractory"),
    ("v : 1\nx = v : 1 (summed)", "summed", "subexpression", "constant over dt, shared"),
    ("v : 1 (unless refractory)", "unless refractory", "parameter",
     "constant, linked, shared"),
])
def test_neurongroup_refuses_flags_it_does_not_allow(model, flag, kind, allowed):
    with pytest.raises(ModelSyntaxError,
                       match=rf"flag '{flag}' is not allowed for a {kind} in a NeuronGroup "
                             rf"\(allowed: {allowed}\)"):
        NeuronGroup(2, model)


def test_neurongroup_accepts_its_flags():
    G = NeuronGroup(2, """dv/dt = (I - v)/tau : 1 (unless refractory)
                          I = c*2 : 1 (constant over dt)
                          s = k : 1 (shared)
                          c : 1 (constant)
                          k : 1 (shared)
                          tau : second""", threshold="v > 1", refractory=1 * ms)
    assert G._eqs["v"].flags == {"unless refractory"}


@pytest.mark.parametrize("model, message", [
    ("dw/dt = -w/ms : 1 (unless refractory)",
     r"flag 'unless refractory' is not allowed for a differential equation in Synapses "
     r"\(allowed: clock-driven, event-driven\)"),
    ("w : 1 (summed)", r"flag 'summed' is not allowed for a parameter in Synapses"),
    ("dw/dt = -w/ms : 1 (clock-driven, event-driven)",
     r"the flags 'clock-driven' and 'event-driven' cannot be combined"),
    ("v_post = 1 : 1 (summed, shared)", r"the flags 'shared' and 'summed' cannot be combined"),
])
def test_synapses_refuse_flags_they_do_not_allow(group, model, message):
    with pytest.raises(ModelSyntaxError, match=message):
        Synapses(group, group, model)


def test_synapses_accept_their_flags(group):
    S = Synapses(group, group, """dx/dt = -x/ms : 1 (clock-driven)
                                  dy/dt = -y/ms : 1 (event-driven)
                                  c : 1 (constant, shared)
                                  I_post = x*mV : volt (summed)""", on_pre="y += 1")
    assert S._eqs["c"].flags == {"constant", "shared"}

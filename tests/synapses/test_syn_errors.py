"""Bad input to Synapses, connect() and spike sources: an SnnError naming the problem."""

import numpy as np
import pytest

from snncore import (
    NeuronGroup,
    SpikeGeneratorGroup,
    Synapses,
    ms,
    run,
)
from snncore.errors import SnnError


@pytest.fixture
def groups():
    G = NeuronGroup(5, "v : 1", threshold="v > 1")
    H = NeuronGroup(3, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1")
    return G, H


@pytest.mark.parametrize("kwargs,message", [
    (dict(i=5, j=0), r"presynaptic index 5\b.*0 to 4"),
    (dict(i=[0, 1, 7], j=[0, 1, 2]), r"presynaptic index 7\b.*0 to 4"),
    (dict(i=0, j=3), r"postsynaptic index 3\b.*0 to 2"),
    (dict(i=-1, j=0), r"presynaptic index -1\b"),
    (dict(i=[0, 1], j=[2, -2]), r"postsynaptic index -2\b"),
])
def test_connect_index_out_of_range(backend, groups, kwargs, message):
    G, H = groups
    S = Synapses(G, H, on_pre="v_post += 1")
    with pytest.raises(SnnError, match=message):
        S.connect(**kwargs)


def test_connect_generator_out_of_range_without_skip(backend, groups):
    G, H = groups
    S = Synapses(G, G)
    with pytest.raises(SnnError, match=r"j = -1 .*outside the target \(0 to 4\).*skip_if_invalid"):
        S.connect(j="k for k in range(i-1, i+2)")


def test_connect_condition_not_boolean(backend, groups):
    G, _H = groups
    S = Synapses(G, G)
    with pytest.raises(SnnError, match=r"(?i)i\+j|i \+ j.*bool|bool.*i ?\+ ?j"):
        S.connect(condition="i+j")


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), float("inf")])
def test_connect_p_outside_unit_interval(backend, groups, p):
    G, _H = groups
    S = Synapses(G, G)
    with pytest.raises(SnnError, match=r"p must be a probability in \[0, 1\]"):
        S.connect(p=p)


@pytest.mark.parametrize("value", [-1 * ms, np.array([1 * ms, -0.5 * ms, 0.0]),
                                   float("nan"), float("inf"), "-j*ms"])
def test_negative_or_non_finite_delay(backend, groups, value):
    G, H = groups
    S = Synapses(G, H, on_pre="v_post += 1")
    S.connect(i=[0, 1, 2], j=[0, 1, 2])
    with pytest.raises(SnnError, match=r"delays? .*must be finite and non-negative"):
        S.delay = value


def test_negative_delay_keyword(backend, groups):
    G, H = groups
    with pytest.raises(SnnError, match=r"must be finite and non-negative"):
        Synapses(G, H, on_pre="v_post += 1", delay=-2 * ms)


def test_on_pre_updates_unknown_variable(backend, groups):
    """``g = w`` would declare a temporary (Brian 2's rule); ``+=`` needs a variable."""
    G, H = groups
    with pytest.raises(SnnError, match=r"'vv_post' is not a variable.*'v_post'.*"
                                       r"assigned with '='"):
        Synapses(G, H, on_pre="vv_post += 1")
    with pytest.raises(SnnError, match=r"'g' is not a variable.*assigned with '='"):
        Synapses(G, H, "w : 1", on_pre="g += w")


@pytest.mark.parametrize("code,side,name", [("v_post += x_pre", "source", "x"),
                                             ("v_post += I_pre", "source", "I"),
                                             ("v_post += y_post", "target", "y")])
def test_suffix_on_a_name_the_group_lacks(backend, groups, code, side, name):
    """As in Brian 2, such a name is an external constant; when there is none, the
    message says which group lacks the variable."""
    G, H = groups
    S = Synapses(G, H, on_pre=code)
    S.connect()
    with pytest.raises(SnnError, match=rf"unknown identifier '{name}_(pre|post)'.*{side} group "
                                       rf".* has no variable '{name}'"):
        run(0.1 * ms)


def test_suffix_in_weight_expression(backend, groups):
    G, H = groups
    S = Synapses(G, H, "w : 1")
    S.connect()
    with pytest.raises(SnnError, match=r"q_post|'q'"):
        S.w = "q_post*2"


def test_summed_target_is_a_state_variable(backend, groups):
    G, H = groups
    with pytest.raises(SnnError, match=r"summed variable 'v_post'.*must be a parameter"):
        Synapses(G, H, "v_post = 1.0 : 1 (summed)")


def test_summed_target_missing(backend, groups):
    G, H = groups
    with pytest.raises(SnnError, match=r"summed variable 'J_post'.*must be a parameter"):
        Synapses(G, H, "J_post = 1.0 : 1 (summed)")


def test_summed_expression_dimension_checked(backend, groups):
    """``I_post = mV*y : 1 (summed)``: the expression has dimension volt, the declared
    unit is 1 (Brian 2 raises a DimensionMismatchError naming both units)."""
    G, H = groups
    with pytest.raises(SnnError, match=r"(?i)dimension.*(volt|\bV\b)|(volt|\bV\b).*dimension"):
        S = Synapses(G, H, "y : 1\nI_post = mV*y : 1 (summed)")
        S.connect()
        run(0.2 * ms)


def test_two_summed_writers_of_one_variable(backend, groups):
    G, H = groups
    S1 = Synapses(G, H, "I_post = 0.5 : 1 (summed)")
    S1.connect()
    S2 = Synapses(G, H, "I_post = 0.25 : 1 (summed)")
    S2.connect()
    with pytest.raises(SnnError, match=r"'I' of .* written by two summed variables"):
        run(0.2 * ms)


def test_two_summed_writers_through_subgroups(backend):
    """Two Synapses summing into the same variable of two subgroups of one group is
    fine in Brian 2 when the subgroups do not overlap; onto overlapping ones it is not."""
    G = NeuronGroup(4, "v : 1")
    H = NeuronGroup(4, "I : 1")
    S1 = Synapses(G, H[:3], "I_post = 1.0 : 1 (summed)")
    S1.connect()
    S2 = Synapses(G, H[2:], "I_post = 2.0 : 1 (summed)")
    S2.connect()
    with pytest.raises(SnnError, match=r"written by two summed variables"):
        run(0.2 * ms)


def test_spike_generator_two_spikes_in_one_step(backend):
    G = SpikeGeneratorGroup(3, [0, 1, 1], [1 * ms, 2 * ms, 2.05 * ms])  # noqa: F841
    with pytest.raises(SnnError, match=r"neuron 1 has more than one spike in the time step"):
        run(3 * ms)


def test_spike_generator_index_out_of_range(backend):
    with pytest.raises(SnnError, match=r"spike index 3 is outside 0 to 2"):
        SpikeGeneratorGroup(3, [0, 3], [1 * ms, 2 * ms])


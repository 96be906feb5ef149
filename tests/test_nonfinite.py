"""State that becomes inf or nan during a run: an error naming the variable, the group,
the element and the time, with a hint; ``prefs.snncore.nonfinite`` makes it a warning or
turns it off. Variables that hold inf on purpose are left alone."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import snncore
from snncore import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    prefs,
    second,
)
from snncore.errors import NonFiniteError, PreferenceError


@pytest.fixture(autouse=True)
def _default_mode():
    yield
    prefs.snncore.nonfinite = "error"


FOUND = r"found at t = [\d.]+ ms, the end of a run chunk"


def test_exponential_growth_is_an_error(backend):
    G = NeuronGroup(3, "dv/dt = v/ms : 1")
    G.v = 1
    M = StateMonitor(G, "v", record=0)
    net = Network(G, M)
    with pytest.raises(NonFiniteError,
                       match=rf"'v' of NeuronGroup '\w+' became inf at neuron 0 \(3 elements "
                             rf"in all\); {FOUND} .* v grows exponentially \(dv/dt has the "
                             r"time constant \+1 ms at this element\)"):
        net.run(1 * second)
    # The network stays at the end of the chunk: its time, state and monitor agree.
    assert 709 * ms < net.t <= 1 * second
    assert np.isinf(G.v[0])
    assert M.t.size == round(net.t / (0.1 * ms))
    np.testing.assert_allclose(M.t[-1], net.t - 0.1 * ms)
    # A fixed state runs on from there.
    G.v = 0
    net.run(1 * ms)
    assert M.t.size == round(net.t / (0.1 * ms))


def test_sqrt_of_a_negative_value_names_the_first_element(backend):
    G = NeuronGroup(4, "dv/dt = sqrt(v)/ms : 1", method="euler")
    G.v = [1, 1, -1, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw numpy RuntimeWarning either
        with pytest.raises(NonFiniteError,
                           match=rf"'v' of NeuronGroup '\w+' became nan at neuron 2 \(2 "
                                 rf"elements in all\); {FOUND} .*'v' is integrated with "
                                 r"'euler' at dt = 0.1 ms: .*square root"):
            Network(G).run(1 * ms)


def test_euler_with_dt_above_the_time_constant(backend):
    tau = 0.01 * ms  # noqa: F841 - read by the model
    G = NeuronGroup(2, "dv/dt = -v/tau : 1", method="euler")
    G.v = 1
    with pytest.raises(NonFiniteError,
                       match=rf"'v' of NeuronGroup '\w+' became (inf|nan) at neuron 0 .*"
                             rf"{FOUND} .*The time constant of v at this element is 0.01 ms, "
                             r"shorter than dt = 0.1 ms: the 'euler' method is unstable"):
        Network(G).run(100 * ms)


def test_synaptic_variable_names_the_synapse(backend):
    G = NeuronGroup(2, "v : 1")
    S = Synapses(G, G, "dx/dt = x/(0.01*ms) : 1 (clock-driven)")
    S.connect()
    S.x = "1.0*(i == 1)"
    with pytest.raises(NonFiniteError,
                       match=r"'x' of Synapses '\w+' became inf at synapse 2 \(i=1, j=0\) "
                             r"\(2 elements in all\)"):
        Network(G, S).run(10 * ms)


def test_value_written_by_a_reset(backend):
    G = NeuronGroup(2, "dv/dt = 1/ms : 1\nw : 1", threshold="v > 0.5", reset="v = 0\nw = "
                                                                             "log(w - 1)")
    with pytest.raises(NonFiniteError,
                       match=rf"'w' of NeuronGroup '\w+' became nan at neuron 0 .*{FOUND} .*"
                             r"'w' is set by model code \(a reset"):
        Network(G).run(2 * ms)


def test_variables_holding_inf_on_purpose_are_left_alone(backend):
    # A time of last event starting at -inf and written by the reset, a parameter at
    # inf that no code writes, a refractory group (lastspike), and an integrated
    # variable that starts at -inf and stays there: none is an error.
    G = NeuronGroup(3, """dv/dt = (2 - v)/(10*ms) : 1 (unless refractory)
                          dz/dt = 0/ms : 1
                          tlast : second
                          limit : 1""",
                    threshold="v > 1", reset="v = 0\ntlast = t", refractory=2 * ms)
    G.tlast = -np.inf
    G.limit = np.inf
    G.z = [-np.inf, 0, np.inf]
    G.v = [0, 0.5, -np.inf]  # neuron 2 never reaches threshold
    mon = SpikeMonitor(G)
    Network(G, mon).run(50 * ms)
    assert mon.num_spikes > 0
    assert np.isneginf(G.v[2]) and np.isneginf(G.tlast[2]) and np.isinf(G.limit).all()


def test_only_values_that_become_non_finite_count(backend):
    G = NeuronGroup(3, "dz/dt = z/ms : 1")
    G.z = [-np.inf, 1, 0]  # neuron 0 is -inf from the start and stays so
    with pytest.raises(NonFiniteError,
                       match=rf"'z' of NeuronGroup '\w+' became inf at neuron 1; {FOUND}"):
        Network(G).run(1 * second)


def test_warn_mode_goes_on_and_warns_once(backend):
    prefs.snncore.nonfinite = "warn"
    G = NeuronGroup(3, "dv/dt = v/ms : 1")
    G.v = 1
    net = Network(G)
    with pytest.warns(RuntimeWarning, match=r"'v' of NeuronGroup '\w+' became inf at "
                                            r"neuron 0") as record:
        net.run(1 * second)
        net.run(10 * ms)
    assert net.t == pytest.approx(1.01 * second)
    assert len([w for w in record if "became" in str(w.message)]) == 1


def test_ignore_mode_is_silent(backend):
    prefs.snncore.nonfinite = "ignore"
    G = NeuronGroup(3, "dv/dt = sqrt(v)/ms : 1", method="euler")
    G.v = -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Network(G).run(1 * ms)
    assert np.isnan(G.v).all()


def test_the_preference_takes_three_values():
    with pytest.raises(PreferenceError, match=r"prefs.snncore.nonfinite cannot be 'loud'; "
                                              r"choose 'error', 'warn', 'ignore'"):
        prefs.snncore.nonfinite = "loud"
    assert prefs["snncore.nonfinite"] == "error"
    assert snncore.errors.NonFiniteError.__mro__[1] is snncore.errors.SnnError

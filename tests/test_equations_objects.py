"""Brian 2's ``Equations`` objects: substitution, concatenation, str(), the mapping
interface, and groups that take them; results compared with Brian 2."""

import numpy as np
import pytest

import snncore
from snncore import Equations
from snncore.errors import ModelSyntaxError
from tests.models import brian2_reference, si, snn_run

_BASE = """dv/dt = (I - v)/tau : volt (unless refractory)
           I : volt"""


def two_populations(lib):
    """One model string renamed twice: by name (tau='tau_e') and by value (tau=5*ms)."""
    tau_e = 10 * lib.ms  # noqa: F841 - found in this frame
    eqs = (lib.Equations(_BASE, v="ve", I="Ie", tau="tau_e")
           + lib.Equations(_BASE, v="vi", I="Ii", tau=5 * lib.ms)
           + "w = ve - vi : volt")
    G = lib.NeuronGroup(2, eqs, threshold="ve > 15*mV", reset="ve = 0*mV",
                        refractory=2 * lib.ms, method="exact")
    G.Ie = [20, 12] * lib.mV
    G.Ii = 8 * lib.mV
    M = lib.StateMonitor(G, ["ve", "vi", "w"], record=True)
    lib.run(30 * lib.ms)
    return {name: si(getattr(M, name)) for name in ("ve", "vi", "w")}


def test_substituted_equations_give_brian2_results(backend):
    ours, ref = snn_run(two_populations), brian2_reference(two_populations)
    for name in ("ve", "vi", "w"):
        np.testing.assert_allclose(ours[name], ref[name], rtol=1e-9, atol=1e-15)
    assert ours["ve"].max() > 14e-3  # the threshold is reached: the reset took part


def test_names_and_sets_as_in_brian2():
    import brian2

    text = "dv/dt = (El - v + x)/tau + sigma*xi/sqrt(tau) : volt\nx = g*v : volt\ng : 1"
    eqs = brian2.Equations(text, v="u", El="E_L") + "y : 1"
    snn = Equations(text, v="u", El="E_L") + "y : 1"
    assert list(snn) == list(eqs) == ["u", "x", "g", "y"] and len(snn) == 4
    assert snn.names == eqs.names
    assert snn.diff_eq_names == eqs.diff_eq_names == {"u"}
    assert snn.subexpr_names == eqs.subexpr_names
    assert snn.parameter_names == eqs.parameter_names
    assert snn.eq_names == eqs.eq_names
    assert snn.identifiers == eqs.identifiers - {"sqrt"}  # functions are not names here
    assert snn.is_stochastic and snn.stochastic_variables == eqs.stochastic_variables
    assert Equations(text)["v"].kind == "differential"


def test_str_shows_values_and_parses_back():
    eqs = Equations("dv/dt = -v/tau : volt (unless refractory)\nI : amp", tau=10 * snncore.ms)
    assert str(eqs) == "dv/dt = -v / 0.01 : volt (unless refractory)\nI : amp"
    again = Equations(str(eqs))
    assert again.dimensions == eqs.dimensions and again.diff_eq_names == {"v"}
    assert repr(eqs) == "<Equations object consisting of 2 equations>"


def test_synapses_take_equations(backend):
    def model(lib):
        source = lib.SpikeGeneratorGroup(1, [0], [1 * lib.ms])
        target = lib.NeuronGroup(1, "v : 1")
        eqs = lib.Equations("dx/dt = -x/tau : 1 (clock-driven)", tau=2 * lib.ms) + "w : 1"
        S = lib.Synapses(source, target, eqs, on_pre="x += w", method="exact")
        S.connect()
        S.w = 0.5
        M = lib.StateMonitor(S, "x", record=True)
        lib.run(5 * lib.ms)
        return si(M.x)[0]

    np.testing.assert_allclose(snn_run(model), brian2_reference(model), rtol=1e-9)


@pytest.mark.parametrize("build, match", [
    (lambda: Equations("v : 1") + "v : volt", "'v' is defined twice"),
    (lambda: Equations("dv/dt = -v/tau : 1", v=3.0), "cannot replace the model variable 'v'"),
    (lambda: Equations("dv/dt = -v/tau : 1", tau="2*tau0"), "must be a name"),
    (lambda: Equations("dv/dt = -v/tau : 1", tau=[1, 2]), "give a name .* or a number"),
    (lambda: Equations("dv/dt = -v/tau : 1\nw : 1", v="w"), "'w' is defined twice"),
    (lambda: snncore.NeuronGroup(1, Equations("x : 1 (constant, linear)")),
     "flag 'linear' is not allowed"),  # Equations keeps flags; the group checks them
])
def test_bad_equations_are_clear_errors(build, match):
    with pytest.raises(ModelSyntaxError, match=match):
        build()

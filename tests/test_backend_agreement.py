"""Where the numpy and Numba backends used to disagree silently, both now follow Brian 2
(numpy target), checked against Brian 2 itself where it runs the model:

* a ``(shared)`` variable written by code run once per element (a reset, code run on
  an event, synaptic code) is an error when the code is given, on both backends (Brian 2
  refuses these models when it runs them);
* arithmetic on booleans: numpy's in statements (``b + b`` is ``b or b``), numbers in
  differential equations (Brian 2 passes them through sympy: ``b + b`` is ``2*b``);
* a division by zero gives inf or nan, as numpy computes it, on both backends, never an
  exception on one of them.
"""

import warnings

import numpy as np
import pytest
from models import brian2_run, snn_run

from snncore import NeuronGroup, SnnError, SpikeGeneratorGroup, Synapses, ms, prefs, run

# ---- writes to shared variables ---------------------------------------------------------

NEURONS = "dv/dt = 1/ms : 1\nc : 1 (shared)"
SHARED_WRITE = (r"cannot write the shared variable '{}' in {} .*\(line '{}'\): this code "
                "runs once per element")


@pytest.mark.parametrize("reset", ["v = 0; c += 1", "c += 1; v = 0", "c = v"])
def test_reset_writing_a_shared_variable_is_refused_when_given(backend, reset):
    line = reset.split("; ")[1] if reset.startswith("v") else reset.split("; ")[0]
    message = SHARED_WRITE.format("c", "NeuronGroup 'g'", line.replace("+", r"\+"))
    with pytest.raises(SnnError, match=message):
        NeuronGroup(4, NEURONS, threshold="v > 0.5", reset=reset, name="g")
    G = NeuronGroup(4, NEURONS, threshold="v > 0.5", name="h")
    with pytest.raises(SnnError, match=SHARED_WRITE.format("c", "NeuronGroup 'h'", "c = 1")):
        G.run_on_event("spike", "c = 1")


@pytest.mark.parametrize("model,pathway,line", [
    ("w : 1\ncs : 1 (shared)", "on_pre", "cs += w"),
    ("w : 1\ncs : 1 (shared)", "on_post", "cs += 1"),
    ("w : 1", "on_pre", "c_post += w"),
    ("w : 1", "on_post", "c_pre += 1"),
])
def test_synaptic_code_writing_a_shared_variable_is_refused_when_given(backend, model,
                                                                      pathway, line):
    G = NeuronGroup(4, NEURONS, threshold="v > 0.5", reset="v = 0")
    name = line.split()[0]
    with pytest.raises(SnnError, match=SHARED_WRITE.format(name, "Synapses 's'",
                                                           line.replace("+", r"\+"))):
        Synapses(G, G, model, name="s", **{pathway: line})


@pytest.mark.parametrize("code", ["reset", "on_pre"])
def test_brian2_refuses_these_models_too(code):
    def model(b2):
        G = b2.NeuronGroup(4, NEURONS, threshold="v > 0.5",
                           reset="v = 0; c += 1" if code == "reset" else "v = 0")
        objects = [G]
        if code == "on_pre":
            S = b2.Synapses(G, G, "w : 1", on_pre="c_post += w")
            S.connect()
            objects.append(S)
        b2.Network(objects).run(1 * b2.ms, namespace={})

    with pytest.raises(Exception, match="Error encountered with object") as info:
        brian2_run(model)
    assert "scalar variable" in str(info.value.__cause__)  # the error Brian 2 wraps


# ---- boolean arithmetic -------------------------------------------------------------------


def booleans(lib):
    """``b + b`` and friends in every kind of code, with ``b`` true."""
    G = lib.NeuronGroup(2, """dv/dt = 1/ms : 1
                              dx_sum/dt = (b + b)/ms : 1
                              dx_poly/dt = (b*b + b)/ms : 1
                              b : boolean
                              reset_sum : 1
                              pre_sum : 1
                              regular : 1""",
                        threshold="v > 0.5", reset="reset_sum = b + b; v = 0",
                        method="euler")
    G.b = True
    S = lib.Synapses(G, G, "c : boolean", on_pre="pre_sum_post = c + c*c")
    S.connect(j="i")
    S.c = True
    G.run_regularly("regular = 3*(b + b)")
    lib.run(1 * lib.ms, namespace={})
    return {name: np.asarray(getattr(G, name)[:], dtype=float)
            for name in ("x_sum", "x_poly", "reset_sum", "pre_sum", "regular")}


def test_boolean_arithmetic_as_in_brian2(backend):
    ref = brian2_run(booleans)
    got = snn_run(booleans)
    # Brian 2's numpy target: numbers in equations (2 per ms), numpy in statements.
    np.testing.assert_allclose(ref["x_sum"], 2.0)
    np.testing.assert_allclose(ref["x_poly"], 2.0)
    assert ref["reset_sum"].tolist() == ref["pre_sum"].tolist() == [1.0, 1.0]
    assert ref["regular"].tolist() == [3.0, 3.0]
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-12, err_msg=key)


def test_comparisons_in_equations_are_numbers(backend):
    """Brian 2 refuses a comparison inside a sum of an equation (sympy cannot add
    relationals); snncore takes it as a number, as for a boolean variable."""
    G = NeuronGroup(2, "dx/dt = ((v > 0) + (v > 0))/ms : 1\nv : 1", method="euler")
    G.v = [1, -1]
    run(1 * ms, namespace={})
    np.testing.assert_allclose(G.x, [2.0, 0.0])


# ---- division by zero ---------------------------------------------------------------------


@pytest.fixture
def nonfinite_allowed():
    """inf and nan are the point of these runs, not a divergence to report."""
    prefs.snncore.nonfinite = "ignore"
    yield
    prefs.snncore.nonfinite = "error"


@pytest.mark.parametrize("where", ["reset", "equation", "exact", "regular", "power",
                                   "literal", "on_pre", "time", "initial"])
def test_division_by_zero_gives_numpy_values(backend, nonfinite_allowed, where):
    q, tau = 0.0, 0.0  # noqa: F841 (read by the model code)
    expected = {"reset": np.inf, "equation": np.inf, "exact": np.nan, "regular": np.inf,
                "power": np.inf, "literal": np.inf, "on_pre": np.inf, "time": np.inf,
                "initial": np.inf}[where]
    eqs = "dv/dt = 1/ms : 1\nx : 1\nw : 1"
    kwargs = dict(threshold="v > 0.5", reset="v = 0")
    if where == "reset":
        kwargs["reset"] = "v = 0; x = 1/q"
    if where == "equation":
        eqs = "dv/dt = 1/ms : 1\ndx/dt = 1/tau : 1\nw : 1"
    if where == "exact":
        eqs = "dv/dt = 1/ms : 1\ndx/dt = -x/tau : 1\nw : 1"
    G = NeuronGroup(2, eqs, method="exact" if where == "exact" else "euler", **kwargs)
    G.x = 1
    if where in ("regular", "power", "literal", "time"):
        code = {"regular": "x = w // q", "power": "x = q**-1", "literal": "x = 1.0/0.0",
                "time": "x = ms/t"}[where]
        G.run_regularly(code, when="start")
        G.w = 1
    if where == "on_pre":
        source = SpikeGeneratorGroup(1, [0], [0.2 * ms])
        S = Synapses(source, G, "ws : 1", on_pre="x_post += ws/q")
        S.connect()
        S.ws = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's "divide by zero"
        if where == "initial":
            G.x = "1/q"
        else:
            # One step for 'time' (t = 0); the others reach their code within 1 ms.
            run(0.1 * ms if where == "time" else 1 * ms)
    got = np.asarray(G.x)
    if np.isnan(expected):
        assert np.all(np.isnan(got)), got
    else:
        np.testing.assert_array_equal(got, [expected, expected])

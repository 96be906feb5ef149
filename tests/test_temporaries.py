"""Names in model code as Brian 2 resolves them, on both backends: temporary variables
in reset, synaptic, event and run_regularly code (``x = expr`` where ``x`` is no
variable), shared variables written once per step, external constants whose names end
in ``_pre``/``_post``; and the errors around them."""

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, ms, mV, run
from snncore.errors import DimensionMismatchError, SnnError


def temporaries_model(lib):
    """Temporaries in a reset and in on_pre/on_post code: defined, read, reassigned,
    with dimensions (volt), and one named like an external constant (which it hides)."""
    x = 100 * lib.mV  # noqa: F841 - hidden by the temporary 'x' of the reset
    G = lib.NeuronGroup(3, """dv/dt = (I - v)/(10*ms) : volt
                              I : volt
                              a : volt""",
                        threshold="v > 10*mV",
                        reset="x = v - 10*mV\nv = 2*x\nx = x + 1*mV\na += x")
    G.I = [15, 20, 30] * lib.mV
    inp = lib.SpikeGeneratorGroup(2, [0, 1, 0, 1], [2, 3, 7, 11] * lib.ms)
    S = lib.Synapses(inp, G, """w : volt
                                dapre/dt = -apre/(5*ms) : 1 (event-driven)""",
                     on_pre="""step = w*(1 + apre)
                               v_post += step
                               apre += 0.5
                               step = 0.5*step
                               w = w + step""",
                     on_post="boost = apre*0.1\nw += boost*mV")
    S.connect(i=[0, 0, 1], j=[0, 2, 1])
    S.w = "(1 + i + j)*mV"
    M = lib.StateMonitor(G, ("v", "a"), record=True)
    lib.run(40 * lib.ms)
    return {"v": si(M.v), "a": si(M.a), "w": si(S.w)}


def test_temporaries_match_brian2(backend):
    ref = brian2_reference(temporaries_model)
    got = snn_run(temporaries_model)
    assert np.ptp(ref["w"]) > 1e-3 and ref["a"].max() > 0  # the code ran
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=0, atol=1e-12, err_msg=key)


def _run(**kwargs):
    G = NeuronGroup(2, "dv/dt = 1*volt/ms : volt\nw : volt\ns : volt (shared)",
                    threshold="v > 1*volt", **kwargs)
    run(2 * ms)
    return G


@pytest.mark.parametrize("reset,error,message", [
    ("x = 2*ms\nv = x", DimensionMismatchError,
     r"'v = x': 'v' has dimension volt, but the expression has dimension second"),
    ("x = v\nx = 3*ms", DimensionMismatchError,
     r"temporary 'x' was defined with dimension volt, but the expression has dimension second"),
    ("x = v + y\ny = v", SnnError, r"'y' is not a variable .*assigned with '='.*'x = v \+ y'"),
    ("t = 0*ms", SnnError, r"cannot write 't' .*read-only"),
    ("s = 0*volt", SnnError, r"cannot write the shared variable 's' .*once per element"),
])
def test_reset_code_errors(backend, reset, error, message):
    with pytest.raises(error, match=message):
        _run(reset=reset)


def test_temporary_cannot_shadow_a_subexpression():
    with pytest.raises(SnnError, match=r"cannot write 'u' .*it is a subexpression"):
        NeuronGroup(1, "v : 1\nu = 2*v : 1", threshold="v > 1", reset="u = 0")


def test_synaptic_code_cannot_write_a_shared_variable(backend):
    G = SpikeGeneratorGroup(1, [0], [0.5 * ms])
    H = NeuronGroup(2, "v : volt\ns : volt (shared)")
    with pytest.raises(SnnError, match=r"cannot write the shared variable 's_post'"):
        Synapses(G, H, on_pre="s_post += 1*mV")


def test_temporary_does_not_leak_between_neurons(backend):
    """Each neuron starts the code afresh: a temporary of one neuron is not seen by the
    next (a read-before-assignment would be an error, so check values instead)."""
    G = NeuronGroup(3, "v : volt\nk : 1", threshold="v > 0*volt",
                    reset="d = k*mV\nv = -d")
    G.k = [1, 2, 3]
    G.v = [1, -1, 1] * mV
    run(0.1 * ms)
    np.testing.assert_allclose(G.v, [-1e-3, -1e-3, -3e-3])


def regular_shared(lib):
    """run_regularly code that writes shared variables (once per tick, before the
    per-element code) and uses scalar and per-element temporaries."""
    G = lib.NeuronGroup(3, """x : 1
                              s : 1 (shared)
                              c : 1 (shared)""")
    G.run_regularly("""a = s + 1
                       s = a*2
                       c = c + 1
                       tmp = x + s
                       x = tmp + i*c""", dt=1 * lib.ms)
    M = lib.StateMonitor(G, ("x", "s", "c"), record=True)
    lib.run(5 * lib.ms)
    return {"x": si(M.x), "s": si(M.s), "c": si(M.c)}


def test_run_regularly_shared_writes_match_brian2(backend):
    ref = brian2_reference(regular_shared)
    got = snn_run(regular_shared)
    assert ref["s"][0, -1] == 62  # ((0 + 1)*2 + 1)*2 ... five ticks
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=0, atol=1e-12, err_msg=key)


def test_run_regularly_shared_random_draw_is_one_number(backend):
    """``s = rand()`` writes one draw (Brian 2: a scalar statement), which every element
    then reads; each tick draws anew."""
    G = NeuronGroup(4, "x : 1\ns : 1 (shared)")
    G.run_regularly("s = rand()\nx = s")
    M = StateMonitor(G, ("x", "s"), record=True)
    run(1 * ms)
    assert np.all(M.x[:, 1:] == M.s[0, 1:]) and np.all((0 < M.s) & (M.s < 1))
    assert np.unique(M.s[0, 1:]).size == 9


@pytest.mark.parametrize("code,message", [
    ("s = x", r"cannot write the shared variable 's' .*per-element 'x'"),
    ("y = x\ns = y", r"cannot write the shared variable 's' .*per-element 'y'"),
    ("x = 1\ns = 2", r"write to the shared variable 's' .*must come before writes to "
                     r"per-element variables"),
])
def test_run_regularly_shared_write_errors(backend, code, message):
    G = NeuronGroup(2, "x : 1\ns : 1 (shared)")
    G.run_regularly(code)
    with pytest.raises(SnnError, match=message):
        run(0.1 * ms)


def suffixed_constants(lib):
    """External constants named ``w_post`` and ``tau_pre``: the groups have no ``w`` or
    ``tau``, so Brian 2 looks the names up as constants."""
    w_post = 0.25  # noqa: F841 - found in this frame
    tau_pre = 5 * lib.ms  # noqa: F841
    inp = lib.SpikeGeneratorGroup(1, [0, 0], [1, 4] * lib.ms)
    G = lib.NeuronGroup(1, "dv/dt = -v/(10*ms) : 1")
    S = lib.Synapses(inp, G, "dx/dt = -x/tau_pre : 1 (clock-driven)",
                     on_pre="x += 1\nv_post += w_post*x")
    S.connect()
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(8 * lib.ms)
    return {"v": si(M.v)}


def test_constants_ending_in_pre_post_match_brian2(backend):
    ref = brian2_reference(suffixed_constants)
    got = snn_run(suffixed_constants)
    assert ref["v"].max() > 0.4
    np.testing.assert_allclose(got["v"], ref["v"], rtol=0, atol=1e-12)

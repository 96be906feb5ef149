"""Brian 2's default functions and users' own functions in model code: the same numbers as
Brian 2 (numpy target) on both backends, Brian 2's dimension checks, numpy's boolean
arithmetic, random functions, and ``(constant over dt)`` subexpressions."""

import numpy as np
import pytest
from models import brian2_run, si, snn_run

import snncore
from snncore import (
    DimensionMismatchError,
    Function,
    ModelSyntaxError,
    NeuronGroup,
    SnnError,
    StateMonitor,
    check_units,
    exprel,
    ms,
    mV,
    run,
    volt,
)

X = np.array([-800, -30, -1, -1e-5, -1e-10, -1e-17, 0, 1e-17, 1e-10, 1e-5, 0.3, 1, 2.5,
              30, 700, 800])
Y = np.linspace(-0.99, 0.99, 13)

FUNCTIONS_OF_X = """x : 1
e1 = exprel(x) : 1
e2 = expm1(x) : 1
e3 = log1p(abs(x)) : 1
e4 = exp(-abs(x)) : 1
e5 = log(abs(x) + 1e-300) : 1
e6 = log10(abs(x) + 1e-300) : 1
e7 = sign(x) : 1
e8 = floor(x) + ceil(-x/3) : 1
e9 = int(x) + int(-x/7) : 1
e10 = clip(x, -1.5, 2) : 1
e11 = sqrt(abs(x)) : 1
e12 = int(x < inf) + int(True) - int(False) + pi + e : 1
e13 = x % 3 + x // 3 : 1
"""
FUNCTIONS_OF_Y = """y : 1
f1 = sin(y) + 2*cos(y) + 4*tan(y) : 1
f2 = sinh(y) + 2*cosh(y) + 4*tanh(y) : 1
f3 = arcsin(y) + 2*arccos(y) + 4*arctan(y) : 1
f4 = abs(y)*volt : volt
"""


def default_functions(lib):
    G = lib.NeuronGroup(len(X), FUNCTIONS_OF_X)
    G.x = X
    H = lib.NeuronGroup(len(Y), FUNCTIONS_OF_Y)
    H.y = Y
    names_x = [f"e{k}" for k in range(1, 14)]
    names_y = [f"f{k}" for k in range(1, 5)]
    M = lib.StateMonitor(G, names_x, record=True)
    N = lib.StateMonitor(H, names_y, record=True)
    with np.errstate(all="ignore"):
        lib.run(lib.defaultclock.dt)
    out = {name: si(getattr(M, name))[:, 0] for name in names_x}
    out.update({name: si(getattr(N, name))[:, 0] for name in names_y})
    return out


def test_default_functions_match_brian2(backend):
    ref = brian2_run(default_functions)
    got = snn_run(default_functions)
    for name, value in ref.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-14, atol=0, err_msg=name)


def test_exprel_is_accurate_near_zero(backend):
    G = NeuronGroup(len(X), "x : 1\nr = exprel(x) : 1")
    G.x = X
    M = StateMonitor(G, "r", record=True)
    run(0.1 * ms)
    small = np.abs(X) < 1e-3
    # (exp(x) - 1)/x = 1 + x/2 + x**2/6 + ... near 0, to double precision.
    expected = 1 + X[small] / 2 + X[small] ** 2 / 6
    np.testing.assert_allclose(M.r[small, 0], expected, rtol=1e-15)
    assert exprel(0.0) == 1.0
    np.testing.assert_allclose(exprel(X[small]), expected, rtol=1e-15)
    assert M.r[X == 800, 0] == np.inf and M.r[X == -800, 0] == 1 / 800


def test_int_truncates_toward_zero(backend):
    G = NeuronGroup(4, "x : 1\nk = int(x) : 1")
    G.x = [-2.7, -0.5, 0.5, 2.7]
    assert list(G.k) == [-2, 0, 0, 2]


def boolean_arithmetic(lib):
    """Brian 2's numpy target adds boolean arrays as numpy does: True + True is True."""
    G = lib.NeuronGroup(3, "y : 1\nz : 1\nw : 1\nb : boolean\nc : boolean",
                        threshold="True", reset="y = b + c; z = b*c + b*2 + b/2; w = b + c + 1")
    G.b = [True, False, True]
    G.c = [True, True, False]
    lib.run(lib.defaultclock.dt)
    return {"y": si(G.y), "z": si(G.z), "w": si(G.w)}


def test_boolean_arithmetic_as_brian2(backend):
    ref = brian2_run(boolean_arithmetic)
    got = snn_run(boolean_arithmetic)
    assert list(ref["y"]) == [1, 1, 1]
    for key, value in ref.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)
    G = NeuronGroup(3, "x : 1\nb : boolean\nc : boolean")
    G.b, G.c = [True, False, True], [True, True, False]
    for code in ("b - c", "-b"):  # numpy and Brian 2 refuse these
        with pytest.raises(ModelSyntaxError, match=r"boolean"):
            G.x = code
    G.x = "(b > 0) + (c > 0)"  # Brian 2 refuses comparisons in arithmetic; numpy's sum
    assert list(G.x) == [1, 1, 1]


@pytest.mark.parametrize("code", [
    "exp(v)", "log(v)", "sin(v)", "exprel(v)", "int(v)", "clip(v, 0*mV, 1)",
    "timestep(t, 1)", "poisson(v)", "sqrt(v)*1", "floor(v) + 1", "sign(v) + 1*mV",
])
def test_dimension_errors_as_brian2(code):
    """Each of these is refused by Brian 2 too (it is checked in the test)."""
    import brian2

    model = f"v : volt\nx = {code} : 1" + (" (constant over dt)" if "poisson" in code else "")
    with pytest.raises(Exception) as refused:
        brian2.Network(brian2.NeuronGroup(1, model)).run(0 * ms)
    causes = [refused.value]
    while causes[-1].__cause__ is not None:
        causes.append(causes[-1].__cause__)
    assert any(isinstance(c, brian2.DimensionMismatchError) for c in causes), causes
    with pytest.raises(DimensionMismatchError, match=r"dimension|must be"):
        G = NeuronGroup(1, model)  # noqa: F841 - run() finds it by name
        run(0.1 * ms)


@pytest.mark.parametrize("code", ["abs(v)", "floor(v)", "ceil(v)", "clip(v, -mV, mV)",
                                  "sqrt(v*v)", "sign(v)*mV"])
def test_dimensions_that_pass_through(code):
    G = NeuronGroup(1, f"v : volt\nx = {code} : volt")
    G.v = -2.5 * mV
    assert np.isfinite(G.x[0])


def test_timestep_in_model_code(backend):
    def model(lib):
        G = lib.NeuronGroup(1, "", threshold="timestep(t, dt) % 3 == 0")
        M = lib.SpikeMonitor(G)
        lib.run(2 * lib.ms)
        return {"t": si(M.t)}

    np.testing.assert_allclose(snn_run(model)["t"], brian2_run(model)["t"], atol=1e-15)


def test_poisson(backend):
    snncore.seed(11)
    G = NeuronGroup(40000, "k : 1\nlam : 1", threshold="True", reset="k = poisson(lam)")
    G.lam = "2.5 + 27.5*(i % 2)"
    run(0.1 * ms)
    for lam, k in ((2.5, G.k[0::2]), (30.0, G.k[1::2])):
        # mean and variance are both lam; 5 standard errors
        assert abs(k.mean() - lam) < 5 * np.sqrt(lam / k.size)
        assert abs(k.var() - lam) < 5 * lam * np.sqrt(2 / k.size)
        assert np.all(k == np.round(k)) and k.min() >= 0


# ---- users' functions ----------------------------------------------------------------


def user_functions(lib):
    ms, mV = lib.ms, lib.mV

    @lib.check_units(v=lib.volt, result=1)
    def squash(v):
        return np.tanh(v / (10 * mV))

    boltz = lib.Function(lambda v: 1 / (1 + np.exp(-v / (5 * mV))),  # noqa: F841
                         arg_units=[lib.volt], return_unit=1)

    @lib.implementation("cpp", "double usersin(double x) { return sin(x); }")
    @lib.check_units(x=1, result=1)
    def usersin(x):
        return np.sin(x)

    tau = 5 * ms  # noqa: F841
    G = lib.NeuronGroup(3, """dv/dt = (squash(v)*10*mV - v + boltz(v)*mV)/tau : volt
                              s = usersin(v/mV) : 1""",
                        threshold="squash(v) > 0.6", reset="v = -boltz(v)*20*mV",
                        method="euler")
    G.v = [-5, 3, 12] * mV
    M = lib.StateMonitor(G, ["v", "s"], record=True)
    spikes = lib.SpikeMonitor(G)
    lib.run(10 * ms)
    return {"v": si(M.v), "s": si(M.s), "t": si(spikes.t)}


def test_user_functions_match_brian2(backend):
    ref = brian2_run(user_functions)
    got = snn_run(user_functions)
    assert ref["t"].size > 0
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=1e-15, err_msg=key)


def test_user_function_is_called_with_arrays(backend):
    seen = []

    @check_units(x=1, result=1)
    def record(x):
        seen.append(np.shape(x))
        return x * 2

    G = NeuronGroup(5, "x : 1\ny = record(x) : 1")
    G.x = np.arange(5)
    M = StateMonitor(G, "y", record=True)
    run(0.3 * ms)
    np.testing.assert_array_equal(M.y[:, -1], 2 * np.arange(5))
    assert seen and all(shape == (5,) for shape in seen)


def test_function_with_a_string_unit_and_auto_vectorise():
    f = Function(lambda a, b, idx: a / b + 0 * idx, arg_units=["mV", "ms"],  # noqa: F841
                 return_unit="mV/ms", auto_vectorise=True)
    G = NeuronGroup(2, "dv/dt = f(2*mV, 4*ms) : volt")
    run(1 * ms)
    np.testing.assert_allclose(G.v, 0.5 * 1e-3 * np.ones(2))
    snncore.start_scope()
    G = NeuronGroup(1, "dv/dt = f(2*mV, 4*ms) : 1")  # noqa: F841
    with pytest.raises(DimensionMismatchError, match=r"dv/dt has dimension 1/second"):
        run(0.1 * ms)


def test_user_function_errors():
    with pytest.raises(SnnError, match=r"'<lambda>' does not say how it deals with units"):
        Function(lambda x: x)
    with pytest.raises(SnnError, match=r"does not give the unit of its result"):
        Function(check_units(x=1)(lambda x: x))
    f = Function(lambda v: v, arg_units=[mV], return_unit=volt)  # noqa: F841
    G = NeuronGroup(1, "v : volt\nw : 1")
    with pytest.raises(DimensionMismatchError, match=r"argument of f\(\) must be of "
                                                     r"dimension volt, got 1"):
        G.v = "f(w)"
    with pytest.raises(ModelSyntaxError, match=r"'f' takes 1 argument\(s\), got 2"):
        G.v = "f(v, v)"
    with pytest.raises(ModelSyntaxError, match=r"'v' is a variable, but it is called like "
                                               r"a function"):
        G.v = "v(t)"
    with pytest.raises(ModelSyntaxError, match=r"function 'exq' is not allowed .* did you "
                                               r"mean 'exp'"):
        G.w = "exq(1)"
    g = np.tanh  # noqa: F841
    with pytest.raises(ModelSyntaxError, match=r"'g' .* without units; wrap it as Function"):
        G.w = "g(1)"
    h = Function(lambda x: "text", arg_units=[1], return_unit=1)  # noqa: F841
    with pytest.raises(SnnError, match=r"function 'h' .* returned 'text', not numbers"):
        G.w = "h(1)"


def test_numba_runs_python_functions_vectorised():
    """On the Numba backend a kernel calling a Python function runs as numpy code; the
    run gives the numpy backend's numbers (and no fused loop is built)."""
    results = {}
    for backend in ("numpy", "numba"):
        snncore.set_backend(backend)
        results[backend] = snn_run(user_functions)
    for key in results["numpy"]:
        np.testing.assert_array_equal(results["numba"][key], results["numpy"][key])


# ---- (constant over dt) --------------------------------------------------------------


def constant_over_dt(lib):
    """Brian 2's own test: a (constant over dt) subexpression is held over the step."""
    G = lib.NeuronGroup(10, """dv1/dt = -v1**2 / (10*ms) : 1
                               dv2/dt = -v_const**2 / (10*ms) : 1
                               dv3/dt = -v_var**2 / (10*ms) : 1
                               v_const = v2 : 1 (constant over dt)
                               v_var = v3 : 1
                               s1 = v1 : 1 (constant over dt)
                               s2 = 2*s3 : 1 (constant over dt)
                               s3 = 1 + s1 : 1 (constant over dt)""", method="rk2")
    for name in ("v1", "v2", "v3"):
        setattr(G, name, "1.0*i/N")
    M = lib.StateMonitor(G, ["v1", "v2", "v3", "s2", "v_const"], record=True)
    lib.run(10 * lib.ms)
    return {k: si(getattr(M, k)) for k in ("v1", "v2", "v3", "s2", "v_const")}


def test_constant_over_dt_matches_brian2(backend):
    ref = brian2_run(constant_over_dt)
    got = snn_run(constant_over_dt)
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=1e-15, err_msg=key)
    np.testing.assert_allclose(got["v3"], got["v1"], rtol=1e-14)
    assert np.sum((got["v2"] - got["v1"]) ** 2) > 1e-10
    np.testing.assert_allclose(got["s2"], 2 * (1 + got["v1"]), rtol=1e-14)


def test_random_subexpression_needs_the_flag(backend):
    with pytest.raises(SnnError, match=r"'y' draws random numbers.*\(constant over dt\)"):
        NeuronGroup(1, "dv/dt = y/ms : 1\ny = rand() : 1")
    snncore.start_scope()
    G = NeuronGroup(50, "dv/dt = y/ms : 1\ny = rand() : 1 (constant over dt)",
                    method="euler")
    M = StateMonitor(G, ["v", "y"], record=True)
    run(1 * ms)
    # what the monitor saw at the start of a step is what the step integrated
    np.testing.assert_allclose(np.diff(M.v, axis=1), M.y[:, :-1] * 0.1, rtol=1e-9, atol=1e-15)
    assert 0.3 < M.y.mean() < 0.7


def test_a_function_added_to_default_functions_is_seen_everywhere(backend):
    snncore.DEFAULT_FUNCTIONS["double"] = Function(lambda x: 2 * x, arg_units=[1],
                                                   return_unit=1)
    try:
        G = NeuronGroup(3, "x = double(i) + 0*exp(0) : 1")
        assert list(G.x) == [0, 2, 4]
        assert snncore.DEFAULT_FUNCTIONS["exprel"](0.0) == 1.0
    finally:
        del snncore.DEFAULT_FUNCTIONS["double"]

"""Integration methods as Brian 2 chooses and applies them: exponential Euler on
conditionally linear equations (Morris-Lecar, Wang-Buzsaki), Milstein, and the default
choice with its errors."""

import numpy as np
import pytest
from models import brian2_run, si, snn_run

import snncore
from snncore import IntegrationMethodError, NeuronGroup, StateMonitor, ms, run
from snncore.equations import parse_equations
from snncore.expressions import NonLinear, conditionally_linear, parse_expression, unparse
from snncore.integration import build_system, choose_method, update_plan


def morris_lecar(lib):
    """Brian 2's example frompapers/Morris_Lecar_1981.py (5 of its currents, 40 ms)."""
    ms, mV, uA, mS, uF = lib.ms, lib.mV, lib.uA, lib.mS, lib.uF
    lib.defaultclock.dt = 0.02 * ms
    g_L, g_Ca, g_K = 2 * mS, 4 * mS, 8 * mS  # noqa: F841 - found by name
    V_L, V_Ca, V_K = -50 * mV, 100 * mV, -70 * mV  # noqa: F841
    lambda_n__max = 1.0 / (15 * ms)  # noqa: F841
    V_1, V_2, V_3, V_4 = 10 * mV, 15 * mV, -1 * mV, 14.5 * mV  # noqa: F841
    C = 20 * uF  # noqa: F841
    eqs = """
    dV/dt = (-g_L*(V - V_L) - g_Ca*m_inf*(V - V_Ca) - g_K*n*(V - V_K) + I)/C : volt
    dn/dt = lambda_n*(n_inf - n) : 1
    m_inf = 0.5*(1 + tanh((V - V_1)/V_2)) : 1
    n_inf = 0.5*(1 + tanh((V - V_3)/V_4)) : 1
    lambda_n = lambda_n__max*cosh((V - V_3)/(2*V_4)) : Hz
    I : amp
    """
    neuron = lib.NeuronGroup(5, eqs, method="exponential_euler")
    neuron.I = (np.arange(5) * 100 + 100) * uA
    neuron.V = V_L
    neuron.n = "n_inf"
    mon = lib.StateMonitor(neuron, ["V", "n"], record=True)
    lib.run(40 * ms)
    return {"V": si(mon.V), "n": si(mon.n)}


def wang_buzsaki(lib):
    """Brian 2's example frompapers/Wang_Buszaki_1996.py (20 ms at dt = 0.02 ms)."""
    ms, mV, uA, uF, msiemens = lib.ms, lib.mV, lib.uA, lib.uF, lib.msiemens
    lib.defaultclock.dt = 0.02 * ms
    Cm, Iapp = 1 * uF, 2 * uA  # noqa: F841 - found by name
    gL, EL, ENa, EK = 0.1 * msiemens, -65 * mV, 55 * mV, -90 * mV  # noqa: F841
    gNa, gK = 35 * msiemens, 9 * msiemens  # noqa: F841
    eqs = """
    dv/dt = (-gNa*m**3*h*(v-ENa)-gK*n**4*(v-EK)-gL*(v-EL)+Iapp)/Cm : volt
    m = alpha_m/(alpha_m+beta_m) : 1
    alpha_m = 0.1/mV*10*mV/exprel(-(v+35*mV)/(10*mV))/ms : Hz
    beta_m = 4*exp(-(v+60*mV)/(18*mV))/ms : Hz
    dh/dt = 5*(alpha_h*(1-h)-beta_h*h) : 1
    alpha_h = 0.07*exp(-(v+58*mV)/(20*mV))/ms : Hz
    beta_h = 1./(exp(-0.1/mV*(v+28*mV))+1)/ms : Hz
    dn/dt = 5*(alpha_n*(1-n)-beta_n*n) : 1
    alpha_n = 0.01/mV*10*mV/exprel(-(v+34*mV)/(10*mV))/ms : Hz
    beta_n = 0.125*exp(-(v+44*mV)/(80*mV))/ms : Hz
    """
    neuron = lib.NeuronGroup(1, eqs, method="exponential_euler")
    neuron.v = -70 * mV
    neuron.h = 1
    M = lib.StateMonitor(neuron, "v", record=0)
    lib.run(20 * ms)
    return {"v": si(M.v)}


@pytest.mark.parametrize("model", [morris_lecar, wang_buzsaki])
def test_exponential_euler_examples_match_brian2(backend, model):
    ref = brian2_run(model)
    got = snn_run(model)
    for key, value in ref.items():
        assert np.ptp(value) > 0.02 if key != "n" else np.ptp(value) > 0.1  # they spike
        np.testing.assert_allclose(got[key], value, rtol=1e-9, atol=1e-12, err_msg=key)


# Brian 2 collects the powers of the variable after expanding (sympy's expand and
# collect): every term must hold it to the power 0 or 1 outside functions.
CONDITIONALLY_LINEAR = ["V/(V + a)", "exp(V)", "V*exp(V)", "a*exp(V) + V", "V*tanh(V/a)",
                        "(V + a)**-1", "(tanh(V) + 1)**2", "V*V/V", "abs(V)*V"]
NOT_CONDITIONALLY_LINEAR = {"V**2 + V": "V\\*\\*2", "1/V": "V\\*\\*-1", "sqrt(V)": "V\\*\\*0.5",
                            "(V/(V + a))**3*V": "V\\*\\*4", "(V + a)**2": "V\\*\\*2"}


@pytest.mark.parametrize("expr", CONDITIONALLY_LINEAR)
def test_conditionally_linear_as_brian2(expr):
    import sympy

    a, b = conditionally_linear(parse_expression(expr), "V")
    V, a_sym = sympy.symbols("V a", real=True)
    names = {"V": V, "a": a_sym, "exp": sympy.exp, "tanh": sympy.tanh, "abs": sympy.Abs}
    collected = sympy.collect(sympy.sympify(expr, locals=names).expand(), V, evaluate=False)
    assert set(collected) <= {V, sympy.S.One}
    # A*V + B is the expression itself (checked at a few points)
    for value in (0.3, -1.7, 2.2):
        env = {"V": value, "a": 0.9, "exp": np.exp, "tanh": np.tanh, "abs": abs, "sqrt": np.sqrt}
        total = sum(eval(unparse(part), env) * factor  # checked: test expressions only
                    for part, factor in ((a, value), (b, 1)) if part is not None)
        assert total == pytest.approx(eval(expr, env), rel=1e-12)  # checked: as above


@pytest.mark.parametrize("expr", sorted(NOT_CONDITIONALLY_LINEAR))
def test_not_conditionally_linear_as_brian2(expr):
    import sympy

    V, a_sym = sympy.symbols("V a", real=True)
    collected = sympy.collect(sympy.sympify(expr, locals={"V": V, "a": a_sym}).expand(), V,
                              evaluate=False)
    assert not set(collected) <= {V, sympy.S.One}
    with pytest.raises(NonLinear, match=NOT_CONDITIONALLY_LINEAR[expr]):
        conditionally_linear(parse_expression(expr), "V")
    with pytest.raises(IntegrationMethodError, match=r"'exponential_euler' needs each equation "
                                                     r"linear in its own variable.* has the term"):
        NeuronGroup(1, f"dV/dt = ({expr})/ms : 1\na : 1", method="exponential_euler")


def gbm(lib):
    """Geometric Brownian motion dX = mu X dt + sigma X o dW (Stratonovich), many
    neurons: log X(T) is normal with mean mu T and variance sigma**2 T."""
    G = lib.NeuronGroup(4000, "dX/dt = mu*X + sigma*X*xi : 1", method="milstein",
                        namespace={"mu": -20 / lib.second, "sigma": 3 / lib.second**0.5})
    G.X = 1
    lib.run(100 * lib.ms)
    return {"logX": np.log(si(G.X))}


def test_milstein_geometric_brownian_motion(backend):
    """Mean and variance of log X(T) against the exact solution (5 standard errors), and
    against Brian 2's Milstein on the same model (its draws differ)."""
    snncore.seed(2)
    got = snn_run(gbm)["logX"]
    T, mu, sigma, n = 0.1, -20.0, 3.0, 4000
    assert abs(got.mean() - mu * T) < 5 * sigma * np.sqrt(T / n)
    assert abs(got.var() - sigma**2 * T) < 5 * sigma**2 * T * np.sqrt(2 / n)
    ref = brian2_run(gbm)["logX"]
    assert abs(got.mean() - ref.mean()) < 5 * sigma * np.sqrt(2 * T / n)


STOCHASTIC = """dv/dt = -v/tau + sigma*w*v*xi_1/sqrt(tau) + sin(w)/tau : 1
dw/dt = (v - w)/tau + sigma*(1 + w**2)*xi_2/sqrt(tau) : 1"""


@pytest.mark.parametrize("method", ["milstein", "heun", "euler"])
def test_one_step_with_fixed_draws_is_brian2_s(method):
    """The scheme itself: one step from the same state with the same normal draws gives
    Brian 2's numbers (its abstract code evaluated with those draws)."""
    import math

    import brian2

    model = STOCHASTIC if method != "euler" else STOCHASTIC.replace("w*v*xi_1", "xi_1") \
        .replace("(1 + w**2)*xi_2", "xi_2")
    draws = {"xi_1": 0.7, "xi_2": -1.3}
    env = {"v": 0.4, "w": -0.2, "tau": 0.01, "sigma": 0.5, "dt": 1e-4, "t": 0.0,
           "sin": math.sin, "sqrt": math.sqrt, "exp": math.exp}
    brian_env = dict(env)
    for line in brian2.StateUpdateMethod.stateupdaters[method](
            brian2.Equations(model)).split("\n"):
        name, expr = (part.strip() for part in line.split("=", 1))
        if name in draws:
            expr = f"dt**.5 * {draws[name]}"
        brian_env[name] = eval(expr, brian_env)  # checked: Brian 2's generated code
    plan = update_plan(method, build_system(parse_equations(model)))
    ours = dict(env)
    for target, expr in plan.statements:
        if target.startswith("_dW_"):
            ours[target] = math.sqrt(env["dt"]) * draws[target[4:]]
        else:
            ours[target] = eval(unparse(expr), ours)  # checked: our generated code
    for name in ("v", "w"):
        assert ours[name] == pytest.approx(brian_env[name], rel=1e-13), name
        assert ours[name] != env[name]


def test_milstein_needs_diagonal_noise():
    with pytest.raises(IntegrationMethodError, match=r"'milstein' needs diagonal noise, but "
                                                     r"dv/dt has 2 noise terms"):
        NeuronGroup(1, "dv/dt = -v/ms + v*xi_1/sqrt(ms) + xi_2/sqrt(ms) : 1",
                    method="milstein")
    with pytest.raises(IntegrationMethodError, match=r"xi enters both dv/dt and dw/dt"):
        NeuronGroup(1, "dv/dt = v*xi/sqrt(ms) : 1\ndw/dt = w*xi/sqrt(ms) : 1",
                    method="milstein")


@pytest.mark.parametrize("model, expected", [
    ("dv/dt = -v/(10*ms) : 1", "exact"),
    ("dv/dt = -v**2/(10*ms) : 1", "euler"),
    ("dv/dt = -v/(10*ms) + xi/sqrt(ms) : 1", "euler"),
    ("dv/dt = -v/(10*ms) + v*xi/sqrt(ms) : 1", "heun"),
    ("dv/dt = -v/(10*ms) + t/ms**2 : 1", "euler"),
    ("dv/dt = -v/(10*ms) + rand()/ms : 1", "euler"),
])
def test_default_choice_as_brian2(model, expected):
    import brian2
    from brian2.stateupdaters.base import UnsupportedEquationsException

    assert NeuronGroup(1, model).method == expected
    G = brian2.NeuronGroup(1, model)
    # what Brian 2's StateUpdater does at run time: resolve the names, try the methods
    variables = G.resolve_all(G.equations.identifiers | {"dt"}, {})
    for name in ("exact", "euler", "heun"):
        try:
            brian2.StateUpdateMethod.stateupdaters[name](G.equations, variables)
        except UnsupportedEquationsException:
            continue
        assert name == expected
        break


def test_method_names_and_lists():
    eqs = parse_equations("dv/dt = -v**2/(10*ms) : 1")
    assert choose_method("Euler", build_system(eqs)) == "euler"
    assert choose_method("linear", build_system(parse_equations("dv/dt = -v/ms : 1"))) == \
        "exact"
    assert choose_method(["exact", "rk4"], build_system(eqs)) == "rk4"
    with pytest.raises(IntegrationMethodError, match=r"method 'exact' does not apply: 'exact' "
                                                     r"needs linear equations.*v \*\* 2"):
        NeuronGroup(1, "dv/dt = -v**2/(10*ms) : 1", method="exact")
    with pytest.raises(IntegrationMethodError, match=r"unknown integration method 'rk5'; "
                                                     r"choose one of .*milstein"):
        NeuronGroup(1, "dv/dt = -v/ms : 1", method="rk5")
    with pytest.raises(IntegrationMethodError, match=r"no integration method applies.*exact: "
                                                     r".*rk2: 'rk2' cannot integrate stochastic"):
        NeuronGroup(1, "dv/dt = v*xi/sqrt(ms) : 1", method=["exact", "rk2"])


def test_exact_with_a_time_dependent_coefficient(backend):
    """ta(t) in the decay rate of a single equation: the closed form with the rate of
    each step."""
    ta = snncore.TimedArray([1.0, 3.0], dt=1 * ms)  # noqa: F841
    G = NeuronGroup(1, "dv/dt = -ta(t)*v/(10*ms) : 1")
    assert G.method == "exact"
    G.v = 1
    M = StateMonitor(G, "v", record=True)
    run(2 * ms)
    assert G.v[0] == pytest.approx(np.exp(-0.1 - 0.3), rel=1e-12)
    assert M.v[0, 10] == pytest.approx(np.exp(-0.1), rel=1e-12)

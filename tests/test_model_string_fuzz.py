"""Property tests of every place that takes a model string.

Random model strings, malformed (token soup, mutations of valid models) and
well-formed (random dimensionless expressions), are given to each entry point:
equations, threshold, reset, refractory, custom events, ``run_regularly`` code,
assignment strings (``G.v = '...'``, subgroups, string indices), Synapses models,
``on_pre``/``on_post``, ``connect`` (condition, ``p``, ``j``, ``n``), synaptic and delay
assignments, and :class:`~snncore.Equations`. A string either builds and runs a few
steps or raises an :class:`~snncore.SnnError`; nothing else may escape. Malformed
strings are also checked to be refused before any code runs (the injection tests of
``test_errors.py`` cover the targeted attempts).

Every example runs on the numpy backend (a Numba compile per example would take
minutes); the fixed regression cases below run on both backends.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_strategies import NEURON_NAMES, PAIR_NAMES, SYN_NAMES
from model_strategies import condition as _condition
from model_strategies import expression as _expression

from snncore import (
    Equations,
    ModelSyntaxError,
    Network,
    NeuronGroup,
    SnnError,
    Synapses,
    defaultclock,
    set_backend,
)

SETTINGS = settings(derandomize=True, deadline=None, max_examples=45, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
#: Well-formed strings build and run whole networks: fewer examples.
SETTINGS_RUN = settings(SETTINGS, max_examples=20)

# ---- building blocks -------------------------------------------------------------------

NAMES = ["v", "w", "x", "u", "tau", "i", "j", "N", "t", "dt", "xi", "xi_1", "lastspike",
         "not_refractory", "v_pre", "v_post", "w_pre", "x_post", "N_pre", "N_incoming",
         "foo", "_x", "__class__", "True", "False", "mV", "ms", "second", "volt", "k",
         "lastupdate", "rand", "exp"]
FUNCS = ["exp", "sqrt", "clip", "int", "rand", "randn", "abs", "sin", "log", "foo",
         "exprel", "timestep", "poisson", "range", "sample", "print", "open", "__import__",
         "eval"]
NUMBERS = ["0", "1", "2.5", "1e400", "1e-400", "0x1f", "1_000", "1j", "10**400", "9" * 30,
           ".5", "1.", "0b1", "-1", "nan", "inf", "0.0", "3", "1e308*10", "0777", "00"]
OPS = [" + ", " - ", " * ", " / ", " ** ", " % ", " // ", " < ", " <= ", " == ", " != ",
       " > ", " and ", " or ", " & ", " | ", " ^ ", " @ ", " << ", " is ", " in ", " not in ",
       "+", "-", "*", "/", "**"]
PUNCT = ["(", ")", "(", ")", ",", ":", ";", "=", " = ", "+=", "-=", "*=", "/=", "%=", "**=",
         "\n", "#", "'", '"', "[", "]", "{", "}", ".", "\\", "not ", "lambda ", " for ",
         " if ", " else ", " in ", "range(", "sample(", "\t", "  ", "$", "?", "!", "dv/dt",
         "d", "/dt", "\x00", "é", "\u2212", " : ", ": 1", ": volt", " (", ")", "...",
         "\r", "`", "@", ":=", "yield ", "await ", "f'", "b'", "*", "**"]
UNITS = ["1", "volt", "mV", "second", "ms", "Hz", "siemens", "amp/metre**2", "boolean",
         "integer", "volt/second", "metre**-2", "foo", "1/ms", "volt**0.5", "volt**x",
         "volt**1e400", "second**(1/2)", "2", "mV*mV", "", "volt volt", "(volt)"]
FLAGS = ["constant", "shared", "summed", "clock-driven", "event-driven", "unless refractory",
         "linked", "constant over dt", "foo", "", "constant, shared", "shared,", ",", "(", ")"]
TOKENS = NAMES + FUNCS + NUMBERS + OPS + PUNCT

# Valid strings of each kind, mutated into malformed ones.
VALID_MODELS = [
    "dv/dt = (x - v)/(10*ms) : 1\nx : 1\nu = 2*v : 1",
    "dv/dt = -v/tau + xi*tau**-0.5 : volt\ntau : second (constant)",
    "dv/dt = (-v + clip(w, 0, 1))/(5*ms) : 1 (unless refractory)\nw : 1 (shared)",
]
VALID_SYN_MODELS = ["w : 1", "dx/dt = -x/(5*ms) : 1 (event-driven)\nw : 1",
                    "y = w*v_pre : 1 (summed)\nw : 1"]
VALID_CODE = ["v = 0", "v += 0.1*rand()", "v = clip(v, 0, 1); x = int(v > 0.5)",
              "v_post += w", "w = clip(w + x, 0, 1)"]
VALID_EXPR = ["v > 0.5", "i != j", "0.5", "exp(-abs(i - j)/2.0)", "rand() < 0.1",
              "i % 2 == 0 and v > 0", "k for k in range(i - 1, i + 2) if k >= 0",
              "i", "0.5*ms + 0.1*ms*j"]


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for kind, pos, token in edits:
        pos = pos % (len(text) + 1)
        if kind == 0:
            text = text[:pos] + token + text[pos:]
        elif kind == 1:
            text = text[:pos] + text[pos + 1:]
        else:
            text = text[:pos] + token + text[pos + len(token):]
    return text


_edits = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 200), st.sampled_from(TOKENS)),
                  min_size=1, max_size=4)
_soup = st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)


def _odd_expression() -> st.SearchStrategy[str]:
    """Syntactically plausible expressions of odd names, numbers, operators and calls."""
    leaf = st.sampled_from(NAMES + NUMBERS)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(OPS), inner).map("".join),
        st.tuples(st.sampled_from(FUNCS), st.lists(inner, max_size=3)).map(
            lambda p: f"{p[0]}({', '.join(p[1])})"),
        st.tuples(st.sampled_from(["-", "not ", "~", "+", ""]), inner).map(
            lambda p: f"{p[0]}({p[1]})"),
        st.tuples(inner, inner, inner).map(lambda p: f"{p[0]} if {p[1]} else {p[2]}"),
    ), max_leaves=6)


def _odd_code() -> st.SearchStrategy[str]:
    statement = st.tuples(
        st.sampled_from(NAMES[:12] + ["v_post", "w", "x_post", "lastupdate", "y"]),
        st.sampled_from([" = ", " += ", " -= ", " *= ", " /= ", " %= ", " **= ", " //= ",
                         " >>= ", " == ", " : "]),
        _odd_expression()).map("".join)
    return st.lists(statement, min_size=1, max_size=3).map(
        lambda parts: "\n".join(parts) if len(parts) % 2 else "; ".join(parts))


def malformed(valid: list[str]) -> st.SearchStrategy[str]:
    """Token soup, odd expressions and code, mutated valid strings, and random text."""
    return st.one_of(
        _soup,
        _odd_expression(),
        _odd_code(),
        st.tuples(st.sampled_from(valid), _edits).map(lambda a: _mutate(*a)),
        st.text(max_size=30),
    )


def _model_lines() -> st.SearchStrategy[str]:
    lhs = st.sampled_from(["dv/dt", "v", "dx/dt", "x", "w", "dw/dt", "d/dt", "dt", "xi",
                           "v_post", "lastspike", "d v/dt", "dv / dt", "", "dxi_1/dt", "N",
                           "dv/dt", "v", "dv/dt", "y", "xinh", "dx/dtau"])
    line = st.tuples(lhs, st.sampled_from([" = ", " : ", "=", " == ", " = ", " = "]),
                     st.one_of(_soup, _odd_expression(), _odd_expression()),
                     st.sampled_from([" : ", ":", " ", "::"]), st.sampled_from(UNITS),
                     st.sampled_from(FLAGS)).map(
        lambda p: f"{p[0]}{p[1]}{p[2]}{p[3]}{p[4]}" + (f" ({p[5]})" if p[5] else ""))
    return st.lists(line, min_size=1, max_size=3).map("\n".join)


# ---- the check -------------------------------------------------------------------------


def _builds_or_snnerror(build) -> bool:
    """Run ``build``; True if it built and ran, False for an SnnError; anything else fails."""
    set_backend("numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's overflow warnings on wild values
        try:
            objects = build()
            Network(*objects).run(3 * defaultclock.dt)
        except SnnError as exc:
            assert str(exc).strip(), f"empty message from {type(exc).__name__}"
            return False
    return True


def _neurons(model="dv/dt = (x - v)/(10*ms) : 1\nx : 1\nu = 2*v : 1", **kwargs):
    return NeuronGroup(3, model, **kwargs)


def _synapses(model="w : 1", connect=None, **kwargs):
    G = _neurons()
    S = Synapses(G, G, model, **kwargs)
    S.connect(**(connect or {"condition": "i != j"}))
    return G, S


# ---- malformed strings: an SnnError, never a raw exception ------------------------------


@SETTINGS
@given(model=st.one_of(malformed(VALID_MODELS), _model_lines()))
def test_neurongroup_model(model):
    _builds_or_snnerror(lambda: [_neurons(model)])


@SETTINGS
@given(where=st.sampled_from(["threshold", "reset", "refractory", "event", "regularly"]),
       text=malformed(VALID_CODE + VALID_EXPR))
def test_neurongroup_code(where, text):
    def build():
        if where == "threshold":
            return [_neurons(threshold=text)]
        if where == "reset":
            return [_neurons(threshold="v > 0.5", reset=text)]
        if where == "refractory":
            return [_neurons(threshold="v > 0.5", refractory=text)]
        if where == "event":
            return [_neurons(events={"custom": text})]
        G = _neurons()
        G.run_regularly(text, dt=defaultclock.dt)
        return [G]

    _builds_or_snnerror(build)


@SETTINGS
@given(where=st.sampled_from(["group", "subgroup", "index", "synapse", "delay", "synindex"]),
       text=malformed(VALID_EXPR + VALID_CODE))
def test_assignment_strings(where, text):
    def build():
        G, S = _synapses()
        if where == "group":
            G.v = text
        elif where == "subgroup":
            G[:2].v = text
        elif where == "index":
            G.v[text] = 0.5
        elif where == "synapse":
            S.w = text
        elif where == "delay":
            S.delay = text
        else:
            S.w[text] = 0.5
        return [G, S]

    _builds_or_snnerror(build)


@SETTINGS
@given(where=st.sampled_from(["model", "on_pre", "on_post"]),
       text=st.one_of(malformed(VALID_SYN_MODELS + VALID_CODE), _model_lines()))
def test_synapses_model_and_code(where, text):
    def build():
        G = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1\nx : 1", threshold="True")
        kwargs = {"model": "w : 1"}
        kwargs[where] = text
        S = Synapses(G, G, **kwargs)
        S.connect()
        return [G, S]

    _builds_or_snnerror(build)


@SETTINGS
@given(where=st.sampled_from(["condition", "p", "j", "i", "n"]),
       text=malformed(VALID_EXPR))
def test_connect_strings(where, text):
    def build():
        G = _neurons()
        S = Synapses(G, G, "w : 1")
        S.connect(**{where: text})
        return [G, S]

    _builds_or_snnerror(build)


@SETTINGS
@given(text=st.one_of(malformed(VALID_MODELS), _model_lines()),
       renames=st.dictionaries(st.sampled_from(["v", "x", "tau", "foo"]),
                               st.sampled_from(["y", "x", "1x", "v w", "", "tau"]),
                               max_size=2))
def test_equations_object(text, renames):
    def build():
        eqs = Equations(text, **renames)
        str(eqs)
        return [NeuronGroup(2, eqs + "q : 1")]

    _builds_or_snnerror(build)


# ---- well-formed strings: they build and run --------------------------------------------


@SETTINGS_RUN
@given(rhs=_expression(NEURON_NAMES), cond=_condition(NEURON_NAMES),
       reset=_expression(NEURON_NAMES), init=_expression(["i", "N", "rand()"]))
def test_wellformed_neuron_strings_run(rhs, cond, reset, init):
    def build():
        G = NeuronGroup(4, f"dv/dt = ({rhs} - v)/(10*ms) : 1\nx : 1\n"
                        f"u = {rhs} : 1 (constant over dt)",
                        threshold=cond, reset=f"v = {reset}", refractory=cond,
                        events={"custom": cond}, method="euler")
        G.x = init
        G[:2].v = init
        G.run_regularly(f"x = {reset}", dt=defaultclock.dt)
        return [G]

    assert _builds_or_snnerror(build), (rhs, cond, reset, init)


@SETTINGS_RUN
@given(expr=_expression(SYN_NAMES), cond=_condition(PAIR_NAMES),
       p=_expression(["i", "j"]))
def test_wellformed_synapse_strings_run(expr, cond, p):
    def build():
        G = NeuronGroup(4, "dv/dt = -v/(10*ms) : 1\nx : 1", threshold="True")
        S = Synapses(G, G, f"w : 1\ny = {expr} : 1", on_pre=f"v_post += {expr}",
                     on_post=f"w = {expr}")
        S.connect(condition=cond, p=f"abs({p})/(1 + abs({p}))")
        S.w = expr
        S.delay = f"abs({expr})*ms"
        return [G, S]

    assert _builds_or_snnerror(build), (expr, cond, p)



# ---- regression cases (minimised failures of the fuzzer and of the report) ---------------

REGRESSIONS = {
    # raw NameError: 'inf' in generated code
    "dv/dt = 1e400/second : 1": r"'1e400' is too large for a 64-bit float",
    # raw OverflowError converting a Python int
    "dv/dt = 99999999999999999999/second : 1": r"does not fit in 64 bits",
    # 10,000 nested parentheses, unary minus, powers: raw SyntaxError / MemoryError
    "dv/dt = " + "(" * 10000 + "v" + ")" * 10000 + "/second : 1": r"nested too deeply",
    "dv/dt = " + "-" * 10000 + "v/second : 1": r"nested too deeply \(at most 100 levels",
    "dv/dt = v" + "**v" * 10000 + "/second : 1": r"nested too deeply",
    "dv/dt = " + "-" * 150 + "v/second : 1": r"nested too deeply",
    "dv/dt = v : volt ((constant)": r"cannot parse the model line",
    "x : (constant)": r"cannot parse the model line",
    "dv/dt = v\x00/second : 1": r"invalid character|null",
}


@pytest.mark.parametrize("model", list(REGRESSIONS), ids=range(len(REGRESSIONS)))
def test_regression_models(model):
    with pytest.raises(ModelSyntaxError, match=REGRESSIONS[model]):
        NeuronGroup(1, model)


DEEP = "(" * 10000 + "1" + ")" * 10000
UNARY = "-" * 10000 + "1"


@pytest.mark.parametrize("text", [DEEP, UNARY], ids=["parentheses", "unary"])
@pytest.mark.parametrize("where", ["model", "threshold", "reset", "assignment", "subgroup",
                                   "condition", "p", "j", "synapse", "delay", "on_pre",
                                   "regularly", "event", "unit"])
def test_deep_nesting_is_a_clear_error_everywhere(where, text):
    G = NeuronGroup(3, "v : 1", threshold="v > 1")
    S = Synapses(G, G, "w : 1")
    with pytest.raises(ModelSyntaxError, match=r"nested too deeply \(at most 100 levels"):
        if where == "model":
            NeuronGroup(1, f"dv/dt = {text}/second : 1")
        elif where == "threshold":
            NeuronGroup(1, "v : 1", threshold=f"v > {text}")
        elif where == "reset":
            NeuronGroup(1, "v : 1", threshold="v > 1", reset=f"v = {text}")
        elif where == "assignment":
            G.v = text
        elif where == "subgroup":
            G[:2].v = text
        elif where in ("condition", "p", "j"):
            S.connect(**{where: text})
        elif where == "synapse":
            S.connect()
            S.w = text
        elif where == "delay":
            S.connect()
            S.delay = f"{text}*ms"
        elif where == "on_pre":
            Synapses(G, G, "w : 1", on_pre=f"v_post += {text}")
        elif where == "regularly":
            G.run_regularly(f"v = {text}")
        elif where == "event":
            NeuronGroup(1, "v : 1", events={"e": f"v > {text}"})
        else:
            NeuronGroup(1, "v : volt**" + UNARY)


def test_nesting_below_the_limit_works():
    G = NeuronGroup(2, "v : 1")
    G.v = "(" * 40 + "-" * 40 + "2" + ")" * 40
    assert np.allclose(G.v, 2)


@pytest.mark.parametrize("size", [100_000])
@pytest.mark.parametrize("line", ["dv/dt = {} : 1", "v = {}", "{} : 1", "dv/dt = -v/ms : {}"])
def test_long_malformed_line_is_rejected_in_linear_time(line, size):
    """A line of 100 kB that once took minutes (a backtracking regular expression)."""
    bad = line.format(" " * size + "x y")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with pytest.raises(ModelSyntaxError) as info:
            NeuronGroup(1, bad)
        best = min(best, time.perf_counter() - start)
    assert best < 0.1, best
    assert len(str(info.value)) < 1000  # the message shows a window of the line


def test_long_flat_sums_work_everywhere():
    """Sums once failed at 200 terms (nested parentheses in generated code) and at 400
    terms (recursion). Every place that takes a string, on the numpy backend."""
    set_backend("numpy")
    terms = 1000
    rhs = " + ".join(f"{k % 7}*v" for k in range(terms))
    total = sum(k % 7 for k in range(terms))
    G = NeuronGroup(2, f"dv/dt = -({rhs})/(1000*second) : 1\nu = {rhs} - v : 1",
                    threshold=f"{rhs} > 1e9", reset=f"v = {rhs}", method="euler")
    G.v = f"1 + 0*({rhs})"
    S = Synapses(G, G, "w : 1", on_pre=f"v_post += w*({' - '.join(['1'] * terms)})")
    S.connect(condition=f"{' + '.join(['i'] * terms)} >= 0")
    Network(G, S).run(3 * defaultclock.dt)
    expected = (1 - total * defaultclock.dt / 1000) ** 3
    assert np.allclose(G.v, expected, rtol=1e-12)
    assert np.allclose(G.u, (total - 1) * expected, rtol=1e-9)


def test_long_flat_sum_in_the_fused_loop():
    """1000 terms in a kernel of the Numba backend's fused loop (compiling it takes
    Numba about 10 s)."""
    set_backend("numba")
    terms = 1000
    G = NeuronGroup(2, f"dv/dt = -({' + '.join(['v'] * terms)})/(1000*second) : 1",
                    method="euler")
    G.v = 1
    Network(G).run(3 * defaultclock.dt)
    assert np.allclose(G.v, (1 - terms * defaultclock.dt / 1000) ** 3, rtol=1e-12)


def test_long_chains_keep_their_meaning():
    G = NeuronGroup(1, "v : 1")
    G.v = " - ".join(["2"] * 100) + " + 3 * " + " / ".join(["2"] * 60)
    assert np.isclose(G.v[0], 2 - 2 * 99 + 3 * 2 / 2**59)


@pytest.mark.parametrize("code", ["int(v)**(-i)", "int(v)**-int(v + 1)"])
def test_arithmetic_errors_of_numpy_kernels_name_the_code(code):
    set_backend("numpy")
    G = NeuronGroup(2, "v : 1", threshold="True", reset=f"v = {code}")
    with pytest.raises(SnnError, match=r"arithmetic error .* in the model code 'v = "):
        Network(G).run(defaultclock.dt)


def test_constant_powers_compute_in_64_bits(backend):
    """(-1)**0.5 was a complex number (a raw TypeError, or a Numba typing error)."""
    G = NeuronGroup(2, "v : 1\nu : 1", threshold="True", reset="u = 2**10")
    Network(G).run(defaultclock.dt)
    assert (G.u == 1024).all()
    H = NeuronGroup(2, "v : 1", threshold="True", reset="v = (-1)**0.5")
    with pytest.raises(SnnError, match=r"'v' of NeuronGroup .* became nan"):
        Network(H).run(defaultclock.dt)


@pytest.mark.parametrize("code", ["w = rand()", "w = poisson(2)", "w = poisson(v_pre + 1)"])
def test_random_draws_in_synaptic_code(backend, code):
    """numpy drew one number per spiking row instead of per synapse (a raw ValueError)."""
    G = NeuronGroup(3, "v : 1", threshold="True")
    S = Synapses(G, G, "w : 1", on_pre=code)
    S.connect()
    S.w = -1
    Network(G, S).run(defaultclock.dt)
    assert len(S.w[:]) == 9 and (S.w[:] >= 0).all()

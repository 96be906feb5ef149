"""Invariant hoisting and shared calls in generated Numba kernels."""

import ast

import numpy as np

from snncore import NeuronGroup, StateMonitor, ms, mV, run, seed, set_backend
from snncore.backends.hoisting import hoist_invariants, share_calls
from snncore.backends.numba_backend import _LOADED


def _parse(text):
    return ast.parse(text, mode="eval").body


def _unparse(statements):
    return [(t, ast.unparse(e)) for t, e in statements]


def test_invariant_subexpressions_leave_the_loop():
    pre, (new,) = hoist_invariants([_parse("v*exp(-dt/tau) + I*mV**-1")], {"v", "I"})
    assert [ast.unparse(e) for _, e in pre] == ["exp(-dt / tau)", "mV ** (-1)"]
    assert ast.unparse(new) == "v * _inv0 + I * _inv1"


def test_random_draws_stay_in_the_loop():
    pre, (new,) = hoist_invariants([_parse("sigma*sqrt(dt)*randn()")], set())
    assert [ast.unparse(e) for _, e in pre] == ["sigma * sqrt(dt)"]
    assert ast.unparse(new) == "_inv0 * randn()"
    shared = share_calls([("a", _parse("randn() + randn()"))])
    assert _unparse(shared) == [("a", "randn() + randn()")]


def test_a_repeated_call_is_computed_once_until_its_argument_changes():
    shared = share_calls([
        ("a", _parse("exp(v) + 1")),
        ("b", _parse("2*exp(v)")),
        ("v", _parse("v + 1")),
        ("c", _parse("exp(v)")),
        ("d", _parse("exp(v)")),
    ])
    assert _unparse(shared) == [
        ("_cse0", "exp(v)"), ("a", "_cse0 + 1"), ("b", "2 * _cse0"), ("v", "v + 1"),
        ("_cse1", "exp(v)"), ("c", "_cse1"), ("d", "_cse1")]


def test_hodgkin_huxley_kernel_computes_each_rate_once():
    set_backend("numba")
    seed(2)
    eqs = """
    dv/dt = (-(v + 65*mV)*0.3*msiemens - gna*m**3*h*(v - 50*mV))/(1*ufarad) : volt
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dh/dt = 0.07/ms*exp(-(v + 65*mV)/(20*mV))*(1 - h) - h/ms/(1 + exp(-(v + 35*mV)/(10*mV))) : 1
    alpha_m = 0.1/mV*10*mV/exprel(-(v + 40*mV)/(10*mV))/ms : Hz
    beta_m = 4/ms*exp(-(v + 65*mV)/(18*mV)) : Hz
    """
    gna = 120e-3  # siemens (per cm2 of the 1 uF membrane)
    G = NeuronGroup(3, eqs, method="exponential_euler")
    G.v = [-70 * mV, -65 * mV, -50 * mV]
    G.m, G.h = 0.05, 0.6
    M = StateMonitor(G, ["v", "m"], record=True)
    run(2 * ms, namespace=dict(gna=gna, mV=mV, ms=ms))
    assert np.all(np.isfinite(M.v)) and np.ptp(M.v[2]) > 0
    sources = [m.kernel.source for m in _LOADED.values()
               if hasattr(m, "kernel") and "_exprel(" in m.kernel.source]
    source = sources[-1]
    loop = source[source.index("for _k"):]
    # alpha_m appears in the propagator's A and B/A; its exprel is evaluated once per
    # element, and 0.1/mV (no neuron variable) once, before the loop
    assert loop.count("_exprel(") == 1
    assert "0.1 / mV" in source[:source.index("for _k")] and "0.1 / mV" not in loop

"""Hypothesis strategies of well-formed model strings, shared by the property tests
(``test_model_string_fuzz.py``: every entry point; ``test_differential_fuzz.py``: the
numpy and Numba backends against each other)."""

from __future__ import annotations

from hypothesis import strategies as st

#: Functions of :func:`expression` (bounded ones: the expressions stay finite).
BOUNDED = ("sin", "cos", "tanh", "abs")


def expression(names: list[str], functions=BOUNDED) -> st.SearchStrategy[str]:
    """Well-formed dimensionless expressions of ``names``, numbers and ``functions``."""
    leaf = st.one_of(st.sampled_from(names), st.integers(0, 4).map(str),
                     st.floats(0.1, 2.0).map(lambda f: f"{f:.3g}"))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
            lambda p: f"({p[0]} {p[1]} {p[2]})"),
        st.tuples(st.sampled_from(functions), inner).map(
            lambda p: f"{p[0]}({p[1]})"),
        inner.map(lambda s: f"clip({s}, -1, 1)"),
        inner.map(lambda s: f"-{s}"),
        inner.map(lambda s: f"{s}/3"),
    ), max_leaves=10)


def condition(names: list[str], functions=BOUNDED) -> st.SearchStrategy[str]:
    """Boolean expressions: comparisons of two expressions, combined or negated."""
    cmp = st.tuples(expression(names, functions), st.sampled_from(["<", ">", "<=", ">=", "!="]),
                    expression(names, functions)).map(lambda p: f"{p[0]} {p[1]} {p[2]}")
    return st.one_of(cmp, st.tuples(cmp, st.sampled_from(["and", "or"]), cmp).map(
        lambda p: f"({p[0]}) {p[1]} ({p[2]})"), cmp.map(lambda s: f"not ({s})"))


NEURON_NAMES = ["v", "x", "t/ms", "i", "N", "dt/ms", "rand()"]
SYN_NAMES = ["w", "v_pre", "v_post", "i", "j", "N_pre", "x_post"]
PAIR_NAMES = ["v_pre", "v_post", "i", "j", "N_pre", "x_post"]

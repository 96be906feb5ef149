"""parse_equations: the three kinds of lines, flags, comments, continuation lines."""

import ast

import pytest

from snncore.equations import parse_equations
from snncore.errors import ModelSyntaxError
from snncore.units import AMP, DIMENSIONLESS, SECOND, SIEMENS, VOLT


def test_three_kinds_of_lines():
    eqs = parse_equations("""
        dv/dt = (El - v + I_syn/gl)/tau : volt
        I_syn = g*(E - v) : amp
        g : siemens
        """)
    assert eqs.names == ["v", "I_syn", "g"]
    v, i_syn, g = eqs["v"], eqs["I_syn"], eqs["g"]
    assert (v.kind, v.dim) == ("differential", VOLT)
    assert (i_syn.kind, i_syn.dim) == ("subexpression", AMP)
    assert (g.kind, g.dim, g.expr) == ("parameter", SIEMENS, None)
    assert ast.unparse(v.expr) == "(El - v + I_syn / gl) / tau"
    assert ast.unparse(i_syn.expr) == "g * (E - v)"
    assert [eq.name for eq in eqs.of_kind("differential")] == ["v"]
    assert "g" in eqs and "w" not in eqs
    assert [eq.name for eq in eqs] == ["v", "I_syn", "g"]


def test_compact_spacing():
    eqs = parse_equations("dv/dt=-v/tau:1\nI=g*(z+1):1\nx:second")
    assert eqs["v"].kind == "differential" and eqs["v"].dim == DIMENSIONLESS
    assert eqs["I"].kind == "subexpression"
    assert eqs["x"].dim == SECOND


def test_flags():
    eqs = parse_equations("""
        dv/dt = -v/tau : 1 (unless refractory)
        tau : second (constant)
        w : 1 (shared)
        c : 1 (constant, shared)
        """)
    assert eqs["v"].flags == {"unless refractory"}
    assert eqs["tau"].flags == {"constant"}
    assert eqs["w"].flags == {"shared"}
    assert eqs["c"].flags == {"constant", "shared"}


def test_flag_not_allowed_for_the_kind():
    with pytest.raises(ModelSyntaxError, match=r"flag 'unless refractory'.*parameter"):
        parse_equations("v : 1 (unless refractory)")


def test_extra_flags_from_the_caller():
    eqs = parse_equations("w_post = w : 1 (summed)", allowed_flags={"subexpression": {"summed"}})
    assert eqs["w_post"].flags == {"summed"}


def test_boolean_and_integer_types():
    eqs = parse_equations("flag : boolean\ncount : integer\nx : 1")
    assert (eqs["flag"].dtype, eqs["count"].dtype, eqs["x"].dtype) == ("bool", "int", "float")


def test_comments_and_blank_lines():
    eqs = parse_equations("""
        # membrane
        dv/dt = -v/tau : volt  # leak only

        tau : second   # a parameter
        """)
    assert eqs.names == ["v", "tau"]
    assert ast.unparse(eqs["v"].expr) == "-v / tau"


def test_continuation_lines():
    eqs = parse_equations("""
        dv/dt = (gl*(El - v)
                 - g_na*(m*m*m)*h*(v - ENa)
                 + I)/Cm : volt
        dm/dt = a*(1 - m) -
                b*m : 1
        """)
    assert eqs.names == ["v", "m"]
    assert ast.unparse(eqs["v"].expr) == \
        "(gl * (El - v) - g_na * (m * m * m) * h * (v - ENa) + I) / Cm"
    assert ast.unparse(eqs["m"].expr) == "a * (1 - m) - b * m"


def test_empty_model():
    assert parse_equations("").names == []
    assert parse_equations("# nothing\n\n").names == []


@pytest.mark.parametrize("line, fragment", [
    ("dv/dt = (1-v/tau : 1", "invalid syntax"),
    ("dv/dt = -v/tau", "missing ': unit'"),
    ("dv/dt = -v/tau : furlong", "unknown unit 'furlong'"),
    ("dv/dt = -v/tau : 1 (sometimes)", "flag 'sometimes'"),
    ("dv/dt = v.real : 1", "attribute access"),
    ("t : second", "'t' is a reserved name"),
    ("xi : 1", "'xi' is a reserved name"),
    ("_x : 1", "'_x' is a reserved name"),
    ("v : 1\nv : volt", "'v' is defined twice"),
    ("d v/dt x : 1", "cannot parse the model line"),
])
def test_malformed_lines_name_the_problem_and_the_line(line, fragment):
    with pytest.raises(ModelSyntaxError) as info:
        parse_equations(line)
    message = str(info.value)
    assert fragment in message
    assert line.splitlines()[-1].strip() in message

"""Model strings in Brian 2 syntax, parsed into typed equations, and Brian 2's
``Equations`` objects.

Three kinds of lines, each ending in ``: unit (flags)``::

    dv/dt = (I - v)/tau : volt (unless refractory)   # differential equation
    I_syn = g*(E - v) : amp                          # subexpression
    tau : second (constant)                          # parameter

:func:`parse_equations` turns a model into :class:`ParsedEquations` (what groups use);
:class:`Equations` is the public object of Brian 2 (substitution, concatenation), which
groups take wherever they take a model string.
"""

from __future__ import annotations

import ast
import itertools
import numbers
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from .errors import ModelSyntaxError
from .expressions import RESERVED, identifiers, parse_expression, substitute, unparse
from .units import Dimension, parse_unit

#: The flags a NeuronGroup allows, by kind of line (Brian 2's); every other flag, such
#: as the synapses' ``event-driven`` or ``summed``, is refused by name.
NEURON_FLAGS = {
    "differential": {"unless refractory"},
    "subexpression": {"shared", "constant over dt"},
    "parameter": {"constant", "shared", "linked"},
}
_KIND_NAMES = {"differential": "differential equation", "subexpression": "subexpression",
               "parameter": "parameter"}

# The left-hand sides of the three kinds of lines. Each is matched at the start of the
# text before the last ':' and has no nested quantifiers, so matching is linear in the
# length of the line (one regular expression for the whole line backtracked for seconds
# on a long malformed line).
_DIFF_LHS = re.compile(r"\s*d([A-Za-z_]\w*)\s*/\s*dt\s*=(?!=)")
_SUB_LHS = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)")
_PARAM_LHS = re.compile(r"\s*([A-Za-z_]\w*)\s*")


@dataclass(frozen=True)
class _Line:
    """The parts of one model line: ``lhs = expr : unit (flags)``."""

    kind: str
    name: str
    expr: str | None
    unit: str
    flags: str | None


def _split_line(line: str) -> _Line | None:
    """Split a model line into its parts, None when it has none of the three forms."""
    head, colon, tail = line.rpartition(":")
    if not colon:
        return None
    tail, flags = tail.strip(), None
    if tail.endswith(")"):
        start = tail.rfind("(")
        flags, tail = tail[start + 1:-1], tail[:start].strip()
    if not tail or "(" in tail or ")" in tail or (flags is not None and "(" in flags):
        return None
    if match := _DIFF_LHS.match(head):
        kind, expr = "differential", head[match.end():]
    elif match := _SUB_LHS.match(head):
        kind, expr = "subexpression", head[match.end():]
    elif match := _PARAM_LHS.fullmatch(head):
        kind, expr = "parameter", None
    else:
        return None
    if expr is not None and not expr.strip():
        return None
    return _Line(kind, match[1], expr, tail, flags)


@dataclass
class Equation:
    """One line of a model string."""

    name: str
    kind: str  # 'differential', 'subexpression', 'parameter'
    dim: Dimension
    dtype: str  # 'float', 'bool', 'int'
    expr: ast.expr | None
    flags: set[str] = field(default_factory=set)
    source: str = ""


@dataclass
class ParsedEquations:
    """A parsed model string: an ordered mapping from names to :class:`Equation`."""

    equations: dict[str, Equation] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Equation]:
        return [eq for eq in self.equations.values() if eq.kind == kind]

    @property
    def names(self) -> list[str]:
        return list(self.equations)

    def __iter__(self):
        return iter(self.equations.values())

    def __contains__(self, name: str) -> bool:
        return name in self.equations

    def __getitem__(self, name: str) -> Equation:
        return self.equations[name]


def _join_continuations(model: str) -> list[str]:
    """Lines without their comments, continuation lines (no ':' yet) joined to the next."""
    lines: list[str] = []
    pending = ""
    for raw in model.split("\n"):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        pending = f"{pending} {line.strip()}" if pending else line.strip()
        if ":" in line:
            lines.append(pending)
            pending = ""
    if pending:
        lines.append(pending)
    return lines


def parse_equations(model: str | Equations,
                    allowed_flags: dict[str, set[str]] | None = None,
                    check_flags: bool = True, owner: str = "a NeuronGroup") -> ParsedEquations:
    """Parse a Brian 2-style model string.

    Parameters
    ----------
    model : str or Equations
        The model, one equation per line.
    allowed_flags : dict, optional
        The flags the owner accepts, by kind of line; a NeuronGroup's
        (:data:`NEURON_FLAGS`) by default.
    check_flags : bool
        False accepts any flag (an :class:`Equations` object does not know yet which
        group will take it; the group checks).
    owner : str
        What takes the equations (``'a NeuronGroup'``), named when a flag is refused.

    Returns
    -------
    ParsedEquations

    Raises
    ------
    ModelSyntaxError
        Naming the offending line, for a malformed line, an unknown flag, a reserved
        or duplicated name.
    """
    if isinstance(model, Equations):
        model = model.model_text()
    flags_ok = NEURON_FLAGS if allowed_flags is None else allowed_flags
    out = ParsedEquations()
    for line in _join_continuations(model or ""):
        parts = _split_line(line)
        if parts is None:
            if ":" not in line:
                raise ModelSyntaxError("missing ': unit' at the end of the model line", line,
                                       len(line))
            raise ModelSyntaxError(
                "cannot parse the model line; expected 'dx/dt = expr : unit', "
                "'x = expr : unit' or 'x : unit'", line, 0,
            )
        name, kind, expr_text = parts.name, parts.kind, parts.expr
        if name in RESERVED or name.startswith("_") or name in ("xi",) or \
                re.fullmatch(r"xi_\w+", name):
            raise ModelSyntaxError(f"'{name}' is a reserved name and cannot be defined", line,
                                   line.find(name))
        if name in out:
            raise ModelSyntaxError(f"'{name}' is defined twice", line, line.find(name))
        unit_text = parts.unit
        dtype = {"boolean": "bool", "integer": "int"}.get(unit_text, "float")
        dim = parse_unit(unit_text, line)
        flags = {f.strip() for f in (parts.flags or "").split(",") if f.strip()}
        for flag in flags:
            allowed = flags_ok.get(kind, set())
            if check_flags and flag not in allowed:
                raise ModelSyntaxError(
                    f"flag '{flag}' is not allowed for a {_KIND_NAMES[kind]} in {owner} "
                    f"(allowed: {', '.join(sorted(allowed)) or 'none'})", line,
                    line.find(flag),
                )
        expr = None
        if expr_text is not None:
            try:
                expr = parse_expression(expr_text)
            except ModelSyntaxError as exc:
                col = line.find(expr_text.strip())
                raise ModelSyntaxError(exc.snn_message, line, col if col >= 0 else None) from None
        out.equations[name] = Equation(name, kind, dim, dtype, expr, flags, line)
    return out


# Names of substituted values: unique in the process, so concatenated Equations never
# clash, and never a name a user writes (Brian 2 names do not contain '__').
_VALUE_IDS = itertools.count(1)


class Equations(Mapping):
    """Brian 2's equations object: a model string that can be substituted and concatenated.

    ``Equations('dv/dt = -v/tau : volt', v='ve', tau='tau_e')`` renames ``v`` and ``tau``;
    ``tau=10*ms`` substitutes a value. ``eqs1 + eqs2`` and ``eqs + 'x : 1'`` concatenate.
    NeuronGroup and Synapses take it wherever they take a model string. As a mapping it
    goes from each defined name to its :class:`Equation`.

    Parameters
    ----------
    eqns : str or Equations
        The model.
    **replacements
        ``name=str`` renames ``name`` (a defined variable or an external name) to another
        name; ``name=number`` replaces an external name by a value. Names that do not occur
        are ignored, as in Brian 2.

    Notes
    -----
    Values are plain SI floats without a dimension, so a substituted value is not
    unit-checked (a name in its place would be, when a unit): snncore keeps it as an
    internal constant named ``<name>__<k>`` that the group receives in its namespace,
    and ``str()`` shows the value.
    """

    def __init__(self, eqns: str | Equations = "", **replacements):
        if isinstance(eqns, Equations):
            self._eqs = dict(eqns._eqs)
            self.values: dict[str, float] = dict(eqns.values)
        elif isinstance(eqns, str):
            parsed = parse_equations(eqns, check_flags=False)
            self._eqs = dict(parsed.equations)
            self.values = {}
        else:
            raise ModelSyntaxError(f"Equations takes a model string, got {eqns!r}")
        if replacements:
            self._substitute(replacements)

    def _substitute(self, replacements: dict) -> None:
        mapping: dict[str, ast.expr] = {}
        used = set().union(*(identifiers(eq.expr) for eq in self._eqs.values()
                             if eq.expr is not None))
        for name, new in replacements.items():
            if isinstance(new, str):
                if not re.fullmatch(r"[A-Za-z]\w*", new):
                    raise ModelSyntaxError(
                        f"cannot replace '{name}' by '{new}': a string replacement must be "
                        "a name (give a number to substitute a value)")
                mapping[name] = ast.Name(new, ast.Load())
            elif isinstance(new, numbers.Real | np.number) and np.ndim(new) == 0:
                if name in self._eqs:
                    raise ModelSyntaxError(
                        f"cannot replace the model variable '{name}' by a value; give a "
                        "new name as a string")
                if name not in used:
                    continue
                value_name = f"{name}__{next(_VALUE_IDS)}"
                self.values[value_name] = float(new)
                mapping[name] = ast.Name(value_name, ast.Load())
            else:
                raise ModelSyntaxError(
                    f"cannot replace '{name}' by {new!r}: give a name (string) or a number")
        renamed: dict[str, Equation] = {}
        for eq in self._eqs.values():
            target = mapping[eq.name].id if eq.name in mapping else eq.name
            if target in renamed or (target != eq.name and target in self._eqs
                                     and target not in mapping):
                raise ModelSyntaxError(
                    f"cannot replace '{eq.name}' by '{target}': '{target}' is defined twice")
            expr = substitute(eq.expr, mapping) if eq.expr is not None else None
            renamed[target] = Equation(target, eq.kind, eq.dim, eq.dtype, expr,
                                       set(eq.flags), _line(eq, target, expr))
        self._eqs = renamed

    # ---- Brian 2's mapping interface --------------------------------------------------

    def __getitem__(self, name: str) -> Equation:
        return self._eqs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._eqs)

    def __len__(self) -> int:
        return len(self._eqs)

    def _names(self, *kinds: str) -> set[str]:
        return {eq.name for eq in self._eqs.values() if eq.kind in kinds}

    @property
    def names(self) -> set[str]:
        """Every name the equations define."""
        return set(self._eqs)

    @property
    def diff_eq_names(self) -> set[str]:
        return self._names("differential")

    @property
    def subexpr_names(self) -> set[str]:
        return self._names("subexpression")

    @property
    def eq_names(self) -> set[str]:
        """Names defined by differential equations and subexpressions."""
        return self._names("differential", "subexpression")

    @property
    def parameter_names(self) -> set[str]:
        return self._names("parameter")

    @property
    def dimensions(self) -> dict:
        """Name -> :class:`~snncore.units.Dimension`."""
        return {name: eq.dim for name, eq in self._eqs.items()}

    @property
    def identifiers(self) -> set[str]:
        """Names the expressions use that the equations do not define."""
        used = set().union(*(identifiers(eq.expr) for eq in self._eqs.values()
                             if eq.expr is not None))
        return used - self.names - set(self.values)

    @property
    def stochastic_variables(self) -> set[str]:
        return {name for name in self.identifiers if name == "xi" or name.startswith("xi_")}

    @property
    def is_stochastic(self) -> bool:
        return bool(self.stochastic_variables)

    def substitute(self, **replacements) -> Equations:
        """A copy with names or values replaced (see the class docstring)."""
        return Equations(self, **replacements)

    def __add__(self, other: Equations | str) -> Equations:
        if isinstance(other, str):
            other = Equations(other)
        if not isinstance(other, Equations):
            return NotImplemented
        for name in other._eqs:
            if name in self._eqs:
                raise ModelSyntaxError(f"'{name}' is defined twice", other._eqs[name].source)
        out = Equations(self)
        out._eqs.update(other._eqs)
        out.values.update(other.values)
        return out

    def __radd__(self, other: str) -> Equations:
        if not isinstance(other, str):
            return NotImplemented
        return Equations(other) + self

    def model_text(self) -> str:
        """The model string groups parse (substituted values under their internal names)."""
        return "\n".join(eq.source for eq in self._eqs.values())

    def __str__(self) -> str:
        shown = {name: ast.Constant(value) for name, value in self.values.items()}
        return "\n".join(
            _line(eq, eq.name, substitute(eq.expr, shown) if eq.expr is not None else None)
            for eq in self._eqs.values())

    def __repr__(self) -> str:
        return f"<Equations object consisting of {len(self)} equations>"


def _line(eq: Equation, name: str, expr: ast.expr | None) -> str:
    """A model line for ``eq`` under ``name`` with ``expr``, keeping its unit and flags."""
    parts = _split_line(eq.source)
    unit, flags = parts.unit, parts.flags
    lhs = {"differential": f"d{name}/dt = ", "subexpression": f"{name} = "}.get(eq.kind, name)
    rhs = unparse(expr) if expr is not None else ""
    return f"{lhs}{rhs} : {unit}" + (f" ({flags.strip()})" if flags else "")


def substituted_namespace(model: object, namespace: dict | None) -> dict | None:
    """A group's namespace with the values an :class:`Equations` model substituted."""
    if isinstance(model, Equations) and model.values:
        return {**model.values, **(namespace or {})}
    return namespace

"""Model strings in Brian 2 syntax, parsed into typed equations.

Three kinds of lines, each ending in ``: unit (flags)``::

    dv/dt = (I - v)/tau : volt (unless refractory)   # differential equation
    I_syn = g*(E - v) : amp                          # subexpression
    tau : second (constant)                          # parameter
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .errors import ModelSyntaxError
from .expressions import RESERVED, parse_expression
from .units import Dimension, parse_unit

_FLAGS = {
    "differential": {"unless refractory", "clock-driven", "event-driven"},
    "subexpression": {"shared", "summed", "constant over dt"},
    "parameter": {"constant", "shared"},
}

_LINE_RE = re.compile(
    r"""^\s*(?:
        d(?P<diff>[A-Za-z_]\w*)\s*/\s*dt\s*=\s*(?P<diff_expr>.+?)
      | (?P<sub>[A-Za-z_]\w*)\s*=\s*(?P<sub_expr>.+?)
      | (?P<param>[A-Za-z_]\w*)
    )\s*:\s*(?P<unit>[^()]+?)\s*(?:\((?P<flags>[^()]*)\))?\s*$""",
    re.VERBOSE,
)


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
class Equations:
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


def parse_equations(model: str, allowed_flags: dict[str, set[str]] | None = None) -> Equations:
    """Parse a Brian 2-style model string.

    Parameters
    ----------
    model : str
        The model, one equation per line.
    allowed_flags : dict, optional
        Extra flags a caller accepts, by kind (synapses add ``summed`` etc.).

    Returns
    -------
    Equations

    Raises
    ------
    ModelSyntaxError
        Naming the offending line, for a malformed line, an unknown flag, a reserved
        or duplicated name.
    """
    flags_ok = {k: set(v) for k, v in _FLAGS.items()}
    for kind, extra in (allowed_flags or {}).items():
        flags_ok[kind] |= extra
    out = Equations()
    for line in _join_continuations(model or ""):
        match = _LINE_RE.match(line)
        if match is None:
            if ":" not in line:
                raise ModelSyntaxError("missing ': unit' at the end of the model line", line,
                                       len(line))
            raise ModelSyntaxError(
                "cannot parse the model line; expected 'dx/dt = expr : unit', "
                "'x = expr : unit' or 'x : unit'", line, 0,
            )
        if match["diff"]:
            name, kind, expr_text = match["diff"], "differential", match["diff_expr"]
        elif match["sub"]:
            name, kind, expr_text = match["sub"], "subexpression", match["sub_expr"]
        else:
            name, kind, expr_text = match["param"], "parameter", None
        if name in RESERVED or name.startswith("_") or name in ("xi",) or \
                re.fullmatch(r"xi_\w+", name):
            raise ModelSyntaxError(f"'{name}' is a reserved name and cannot be defined", line,
                                   line.find(name))
        if name in out:
            raise ModelSyntaxError(f"'{name}' is defined twice", line, line.find(name))
        unit_text = match["unit"].strip()
        dtype = {"boolean": "bool", "integer": "int"}.get(unit_text, "float")
        dim = parse_unit(unit_text, line)
        flags = {f.strip() for f in (match["flags"] or "").split(",") if f.strip()}
        for flag in flags:
            if flag not in flags_ok[kind]:
                raise ModelSyntaxError(
                    f"flag '{flag}' is not allowed for a {kind} (allowed: "
                    f"{', '.join(sorted(flags_ok[kind])) or 'none'})", line, line.find(flag),
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

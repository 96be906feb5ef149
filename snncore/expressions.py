"""Safe parsing, checking and rendering of the expressions and statements in model code.

Model code is parsed with :mod:`ast` and accepted only if every node, name and call is on
a whitelist: no attribute access, subscripts, lambdas, comprehensions, imports or dunder
names ever reach generated code. The same trees are used to infer physical dimensions,
to decompose right-hand sides into affine forms (for exact and exponential-Euler
integration) and to render vectorized numpy or scalar Numba source.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import DimensionMismatchError, ModelSyntaxError, UnknownIdentifierError
from .units import DIMENSIONLESS, Dimension

# name -> (number of arguments, dimension rule)
#   'dimensionless': argument(s) and result dimensionless
#   'same': result has the dimension of the first argument, all arguments alike
#   'sqrt': result is the argument's dimension to the power 1/2
#   'nullary': random numbers, dimensionless
#   'int': any argument, dimensionless integer result
FUNCTIONS: dict[str, tuple[int, str]] = {
    "exp": (1, "dimensionless"),
    "log": (1, "dimensionless"),
    "log10": (1, "dimensionless"),
    "expm1": (1, "dimensionless"),
    "exprel": (1, "dimensionless"),
    "sin": (1, "dimensionless"),
    "cos": (1, "dimensionless"),
    "tan": (1, "dimensionless"),
    "sinh": (1, "dimensionless"),
    "cosh": (1, "dimensionless"),
    "tanh": (1, "dimensionless"),
    "arcsin": (1, "dimensionless"),
    "arccos": (1, "dimensionless"),
    "arctan": (1, "dimensionless"),
    "sqrt": (1, "sqrt"),
    "abs": (1, "same"),
    "floor": (1, "same"),
    "ceil": (1, "same"),
    "sign": (1, "int"),
    "clip": (3, "same"),
    "int": (1, "int"),
    "rand": (0, "nullary"),
    "randn": (0, "nullary"),
    # Internal helpers used by generated code only.
    "timestep": (2, "int"),
}
_INTERNAL_FUNCTIONS = {"timestep"}

# Names that always mean something in model code.
RESERVED = {"t", "dt", "xi", "i", "j", "N", "True", "False", "lastspike", "not_refractory"}

_BINOPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.Mod: "%", ast.FloorDiv: "//",
}
_CMPOPS = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_AUGOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}

_FORBIDDEN_NAMES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.Starred: "starred expression",
    ast.NamedExpr: "assignment expression",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.JoinedStr: "f-string",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
}


@dataclass(frozen=True)
class Statement:
    """One assignment of model code: ``target op= expr``."""

    target: str
    op: str  # '=', '+=', '-=', '*=', '/='
    expr: ast.expr
    source: str  # the original line, for messages

    def as_assignment(self) -> ast.expr:
        """The right-hand side with an augmented operator folded in (``v += w`` -> ``v + w``)."""
        if self.op == "=":
            return self.expr
        op = {"+=": ast.Add(), "-=": ast.Sub(), "*=": ast.Mult(), "/=": ast.Div()}[self.op]
        return ast.BinOp(left=ast.Name(id=self.target, ctx=ast.Load()), op=op, right=self.expr)


def _check_node(node: ast.AST, source: str, internal: bool) -> None:
    """Reject everything that is not on the whitelist."""
    for sub in ast.walk(node):
        for bad, what in _FORBIDDEN_NAMES.items():
            if isinstance(sub, bad):
                raise ModelSyntaxError(
                    f"{what} is not allowed in model code", source, getattr(sub, "col_offset", None)
                )
        if isinstance(sub, ast.Name):
            if sub.id.startswith("__") or (sub.id.startswith("_") and not internal):
                raise ModelSyntaxError(
                    f"names starting with an underscore are reserved: '{sub.id}'",
                    source, sub.col_offset,
                )
        elif isinstance(sub, ast.Call):
            if not isinstance(sub.func, ast.Name):
                raise ModelSyntaxError("only plain function calls are allowed", source,
                                       sub.col_offset)
            name = sub.func.id
            if name not in FUNCTIONS or (name in _INTERNAL_FUNCTIONS and not internal):
                hint = did_you_mean(name, set(FUNCTIONS) - _INTERNAL_FUNCTIONS)
                raise ModelSyntaxError(f"function '{name}' is not allowed in model code{hint}",
                                       source, sub.col_offset)
            if sub.keywords:
                raise ModelSyntaxError(f"keyword arguments are not allowed in '{name}()'",
                                       source, sub.col_offset)
            nargs = FUNCTIONS[name][0]
            if len(sub.args) != nargs:
                raise ModelSyntaxError(
                    f"'{name}' takes {nargs} argument(s), got {len(sub.args)}", source,
                    sub.col_offset,
                )
        elif isinstance(sub, ast.Constant):
            if not isinstance(sub.value, bool | int | float):
                raise ModelSyntaxError(f"constant {sub.value!r} is not a number", source,
                                       sub.col_offset)
        elif isinstance(sub, ast.BinOp) and type(sub.op) not in _BINOPS:
            raise ModelSyntaxError("operator not allowed in model code", source, sub.col_offset)
        elif isinstance(sub, ast.Compare):
            for op in sub.ops:
                if type(op) not in _CMPOPS:
                    raise ModelSyntaxError("comparison not allowed in model code", source,
                                           sub.col_offset)
        elif isinstance(sub, ast.IfExp) and not internal:
            raise ModelSyntaxError("conditional expressions are not allowed; use int(cond)",
                                   source, sub.col_offset)
        elif not isinstance(
            sub,
            ast.Expression | ast.expr_context | ast.BinOp | ast.UnaryOp | ast.BoolOp
            | ast.operator | ast.unaryop | ast.boolop | ast.cmpop | ast.IfExp | ast.Compare,
        ):
            raise ModelSyntaxError(f"'{type(sub).__name__}' is not allowed in model code",
                                   source, getattr(sub, "col_offset", None))


def parse_expression(text: str, internal: bool = False) -> ast.expr:
    """Parse and whitelist-check one expression.

    Parameters
    ----------
    text : str
        The expression, e.g. ``'(I - v)/tau'``.
    internal : bool
        Allow the names and helpers that only generated code may use.
    """
    source = " ".join(str(text).split("\n")).strip()
    if not source:
        raise ModelSyntaxError("empty expression")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ModelSyntaxError(f"invalid syntax ({exc.msg})", source,
                               (exc.offset or 1) - 1) from None
    _check_node(tree.body, source, internal)
    return tree.body


def parse_statements(code: str, internal: bool = False) -> list[Statement]:
    """Parse model code made of assignments (resets, ``on_pre`` code), one per line or ``;``."""
    statements = []
    for raw_line in str(code).replace(";", "\n").split("\n"):
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            tree = ast.parse(line, mode="exec")
        except SyntaxError as exc:
            raise ModelSyntaxError(f"invalid syntax ({exc.msg})", line,
                                   (exc.offset or 1) - 1) from None
        if len(tree.body) != 1:
            raise ModelSyntaxError("one statement per line", line)
        node = tree.body[0]
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                raise ModelSyntaxError("the target of an assignment must be one name", line)
            target, op, value = node.targets[0].id, "=", node.value
        elif isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name) or type(node.op) not in _AUGOPS:
                raise ModelSyntaxError("only +=, -=, *=, /= on a name are allowed", line)
            target, op, value = node.target.id, _AUGOPS[type(node.op)] + "=", node.value
        else:
            raise ModelSyntaxError("model code may only contain assignments", line,
                                   getattr(node, "col_offset", 0))
        if target.startswith("_") and not internal:
            raise ModelSyntaxError(f"names starting with an underscore are reserved: '{target}'",
                                   line)
        _check_node(value, line, internal)
        statements.append(Statement(target, op, value, line))
    return statements


def assignments(code: str | None, internal: bool = False) -> list[tuple[str, ast.expr, str]]:
    """Model code as ``(target, value, source line)`` triples, ``v += w`` as ``v = v + w``."""
    if code is None:
        return []
    return [(s.target, s.as_assignment(), s.source) for s in parse_statements(code, internal)]


def identifiers(node: ast.AST) -> set[str]:
    """Every variable name read by an expression (function names excluded)."""
    called = {id(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)}
    return {sub.id for sub in ast.walk(node)
            if isinstance(sub, ast.Name) and id(sub) not in called
            and sub.id not in ("True", "False")}


def uses_random(node: ast.AST) -> bool:
    """Whether an expression draws random numbers."""
    return any(isinstance(s, ast.Call) and s.func.id in ("rand", "randn") for s in ast.walk(node))


def substitute(node: ast.AST, mapping: Mapping[str, ast.expr]) -> ast.expr:
    """Replace names by expressions (returns a new tree)."""

    class _Sub(ast.NodeTransformer):
        def visit_Name(self, n: ast.Name) -> ast.AST:
            if n.id in mapping:
                return _copy(mapping[n.id])
            return n

        def visit_Call(self, n: ast.Call) -> ast.AST:
            n.args = [self.visit(a) for a in n.args]
            return n

    return _Sub().visit(_copy(node))


def _copy(node: ast.AST) -> ast.expr:
    return ast.parse(ast.unparse(node), mode="eval").body


def unparse(node: ast.AST) -> str:
    """Source text of a tree."""
    return ast.unparse(node)


# --------------------------------------------------------------------------------------
# Dimension and type inference
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeInfo:
    """What inference knows about a value: its dimension (None = unknown) and its kind."""

    dim: Dimension | None
    kind: str  # 'bool', 'int', 'float'
    is_zero: bool = False


def _fmt(dim: Dimension | None) -> str:
    return "unknown" if dim is None else str(dim)


def infer(node: ast.expr, names: Mapping[str, TypeInfo], source: str = "") -> TypeInfo:
    """Infer the dimension and kind of an expression.

    Names with an unknown dimension (external constants, which are plain floats) match
    any dimension; all other mismatches raise :class:`DimensionMismatchError` naming
    both dimensions.
    """

    def mismatch(what: str, a: TypeInfo, b: TypeInfo) -> DimensionMismatchError:
        return DimensionMismatchError(
            f"{what}: dimensions {_fmt(a.dim)} and {_fmt(b.dim)} do not match in '{source}'"
        )

    def same(a: TypeInfo, b: TypeInfo, what: str) -> Dimension | None:
        if a.dim is None or b.dim is None:
            return a.dim if b.dim is None else b.dim
        if a.is_zero or b.is_zero:
            return b.dim if a.is_zero else a.dim
        if a.dim != b.dim:
            raise mismatch(what, a, b)
        return a.dim

    def kind_of(*kinds: str) -> str:
        return "float" if "float" in kinds else "int"

    def visit(n: ast.expr) -> TypeInfo:
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool):
                return TypeInfo(DIMENSIONLESS, "bool")
            kind = "int" if isinstance(n.value, int) else "float"
            return TypeInfo(DIMENSIONLESS, kind, is_zero=(n.value == 0))
        if isinstance(n, ast.Name):
            if n.id in ("True", "False"):
                return TypeInfo(DIMENSIONLESS, "bool")
            if n.id not in names:
                raise UnknownIdentifierError(f"unknown identifier '{n.id}' in '{source}'")
            return names[n.id]
        if isinstance(n, ast.UnaryOp):
            operand = visit(n.operand)
            if isinstance(n.op, ast.Not):
                return TypeInfo(DIMENSIONLESS, "bool")
            return TypeInfo(operand.dim, "int" if operand.kind == "bool" else operand.kind,
                            operand.is_zero)
        if isinstance(n, ast.BoolOp):
            for value in n.values:
                info = visit(value)
                if info.kind != "bool":
                    raise DimensionMismatchError(
                        f"'and'/'or' need boolean operands, got '{ast.unparse(value)}' "
                        f"in '{source}'"
                    )
            return TypeInfo(DIMENSIONLESS, "bool")
        if isinstance(n, ast.Compare):
            left = visit(n.left)
            for comparator in n.comparators:
                right = visit(comparator)
                same(left, right, "comparison")
                left = right
            return TypeInfo(DIMENSIONLESS, "bool")
        if isinstance(n, ast.IfExp):
            visit(n.test)
            a, b = visit(n.body), visit(n.orelse)
            return TypeInfo(same(a, b, "conditional"), kind_of(a.kind, b.kind))
        if isinstance(n, ast.BinOp):
            a, b = visit(n.left), visit(n.right)
            kind = kind_of(a.kind, b.kind)
            if isinstance(n.op, ast.Add | ast.Sub | ast.Mod):
                zero = a.is_zero and b.is_zero
                return TypeInfo(same(a, b, "addition" if not isinstance(n.op, ast.Mod)
                                     else "modulo"), kind, zero)
            if isinstance(n.op, ast.Mult):
                dim = None if a.dim is None or b.dim is None else a.dim * b.dim
                return TypeInfo(dim, kind, a.is_zero or b.is_zero)
            if isinstance(n.op, ast.Div | ast.FloorDiv):
                dim = None if a.dim is None or b.dim is None else a.dim / b.dim
                return TypeInfo(dim, "float" if isinstance(n.op, ast.Div) else kind, a.is_zero)
            if isinstance(n.op, ast.Pow):
                if b.dim is not None and not b.dim.is_dimensionless:
                    raise DimensionMismatchError(
                        f"exponent must be dimensionless, got {b.dim} in '{source}'")
                if a.dim is None or a.dim.is_dimensionless:
                    return TypeInfo(a.dim, "float")
                try:
                    power = float(ast.literal_eval(n.right))
                except ValueError:
                    raise DimensionMismatchError(
                        f"a quantity with dimension {a.dim} can only be raised to a constant "
                        f"power, in '{source}'") from None
                return TypeInfo(a.dim**power, "float")
        if isinstance(n, ast.Call):
            name = n.func.id
            args = [visit(a) for a in n.args]
            rule = FUNCTIONS[name][1]
            if rule == "nullary":
                return TypeInfo(DIMENSIONLESS, "float")
            if rule == "int":
                return TypeInfo(DIMENSIONLESS, "int")
            if rule == "dimensionless":
                if args[0].dim is not None and not args[0].dim.is_dimensionless:
                    raise DimensionMismatchError(
                        f"the argument of {name}() must be dimensionless, got {args[0].dim} "
                        f"in '{source}'")
                return TypeInfo(DIMENSIONLESS, "float")
            if rule == "sqrt":
                return TypeInfo(None if args[0].dim is None else args[0].dim**0.5, "float")
            dim = args[0].dim
            for other in args[1:]:
                dim = same(TypeInfo(dim, "float"), other, f"arguments of {name}()")
            return TypeInfo(dim, args[0].kind)
        raise ModelSyntaxError(f"cannot interpret '{ast.unparse(n)}'", source)

    return visit(node)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``'; did you mean 'a', 'b'?'`` for the candidates close to ``name``, else ``''``."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def unknown_identifier(name: str, candidates: Iterable[str], where: str) -> UnknownIdentifierError:
    """An error for an unknown name, listing close matches."""
    return UnknownIdentifierError(f"unknown identifier '{name}' in {where}"
                                  f"{did_you_mean(name, candidates)}")


# --------------------------------------------------------------------------------------
# Affine decomposition
# --------------------------------------------------------------------------------------


class NonLinear(Exception):
    """An expression is not affine in the given variables."""


_ONE = ast.Constant(value=1.0)


def affine(node: ast.expr, variables: set[str]) -> dict[str | None, ast.expr]:
    """Decompose ``node`` as ``sum(coef[v] * v) + coef[None]`` in ``variables``.

    Coefficients are expression trees free of ``variables``. Raises :class:`NonLinear`
    when the expression is not affine in them.
    """

    def const_only(form: dict[str | None, ast.expr]) -> bool:
        return set(form) <= {None}

    def scale(form: dict, factor: ast.expr, divide: bool = False) -> dict:
        op = ast.Div() if divide else ast.Mult()
        return {k: ast.BinOp(left=c, op=op, right=factor) for k, c in form.items()}

    def neg(form: dict) -> dict:
        return {k: ast.UnaryOp(op=ast.USub(), operand=c) for k, c in form.items()}

    def add(a: dict, b: dict) -> dict:
        out = dict(a)
        for k, c in b.items():
            out[k] = ast.BinOp(left=out[k], op=ast.Add(), right=c) if k in out else c
        return out

    def visit(n: ast.expr) -> dict:
        if isinstance(n, ast.Name) and n.id in variables:
            return {n.id: _ONE}
        if not (identifiers(n) & variables):
            return {None: n}
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub | ast.UAdd):
            inner = visit(n.operand)
            return neg(inner) if isinstance(n.op, ast.USub) else inner
        if isinstance(n, ast.BinOp):
            if isinstance(n.op, ast.Add | ast.Sub):
                right = visit(n.right)
                return add(visit(n.left), neg(right) if isinstance(n.op, ast.Sub) else right)
            if isinstance(n.op, ast.Mult):
                left, right = visit(n.left), visit(n.right)
                if const_only(left):
                    return scale(right, left[None])
                if const_only(right):
                    return scale(left, right[None])
            if isinstance(n.op, ast.Div):
                right = visit(n.right)
                if const_only(right):
                    return scale(visit(n.left), right[None], divide=True)
        raise NonLinear(ast.unparse(n))

    return visit(node)


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

_NUMPY_FUNCS = {
    "exp": "np.exp", "log": "np.log", "log10": "np.log10", "expm1": "np.expm1",
    "sin": "np.sin", "cos": "np.cos", "tan": "np.tan", "sinh": "np.sinh", "cosh": "np.cosh",
    "tanh": "np.tanh", "arcsin": "np.arcsin", "arccos": "np.arccos", "arctan": "np.arctan",
    "sqrt": "np.sqrt", "abs": "np.abs", "floor": "np.floor", "ceil": "np.ceil",
    "sign": "np.sign", "clip": "np.clip", "int": "_int", "exprel": "_exprel",
    "timestep": "_timestep",
}
_NUMBA_FUNCS = dict(_NUMPY_FUNCS, abs="abs", int="_int", clip="_clip", exprel="_exprel",
                    timestep="_timestep")


def render(node: ast.expr, flavor: str) -> str:
    """Render an expression as numpy (vectorized) or numba (scalar) source.

    Parameters
    ----------
    node : ast.expr
        A checked expression.
    flavor : {'numpy', 'numba'}
        ``numpy`` code operates on whole arrays (``_n`` elements), ``numba`` code on
        one element of a loop.
    """
    vector = flavor == "numpy"
    funcs = _NUMPY_FUNCS if vector else _NUMBA_FUNCS

    def r(n: ast.expr) -> str:
        if isinstance(n, ast.Constant):
            return repr(float(n.value)) if isinstance(n.value, float) else repr(n.value)
        if isinstance(n, ast.Name):
            return n.id
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.Not):
                return f"np.logical_not({r(n.operand)})" if vector else f"(not {r(n.operand)})"
            return f"({'-' if isinstance(n.op, ast.USub) else '+'}{r(n.operand)})"
        if isinstance(n, ast.BinOp):
            return f"({r(n.left)} {_BINOPS[type(n.op)]} {r(n.right)})"
        if isinstance(n, ast.BoolOp):
            if vector:
                fn = "np.logical_and" if isinstance(n.op, ast.And) else "np.logical_or"
                out = r(n.values[0])
                for v in n.values[1:]:
                    out = f"{fn}({out}, {r(v)})"
                return out
            word = " and " if isinstance(n.op, ast.And) else " or "
            return "(" + word.join(r(v) for v in n.values) + ")"
        if isinstance(n, ast.Compare):
            parts = []
            left = n.left
            for op, right in zip(n.ops, n.comparators, strict=True):
                parts.append(f"({r(left)} {_CMPOPS[type(op)]} {r(right)})")
                left = right
            if len(parts) == 1:
                return parts[0]
            return ("np.logical_and(" + ", ".join(parts) + ")") if vector and len(parts) == 2 \
                else "(" + (" & " if vector else " and ").join(parts) + ")"
        if isinstance(n, ast.IfExp):
            if vector:
                return f"np.where({r(n.test)}, {r(n.body)}, {r(n.orelse)})"
            return f"({r(n.body)} if {r(n.test)} else {r(n.orelse)})"
        if isinstance(n, ast.Call):
            name = n.func.id
            if name == "rand":
                return "_rng.random(_n)" if vector else "_rand(_rng)"
            if name == "randn":
                return "_rng.standard_normal(_n)" if vector else "_randn(_rng)"
            return f"{funcs[name]}({', '.join(r(a) for a in n.args)})"
        raise ModelSyntaxError(f"cannot render '{ast.unparse(n)}'")

    return r(node)

"""State updaters: turn differential equations into update statements for one time step.

Each method returns abstract statements (``target = expression`` trees) that the backends
compile like any other model code. ``exact`` integrates linear systems with a propagator
computed numerically from the matrix exponential of the system, so no computer algebra
is needed (see :func:`propagators`); coupled variables whose coefficients model code
changes during a run get a closed form evaluated every step instead (see
:func:`_varying_block`).
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .equations import ParsedEquations
from .errors import DimensionMismatchError, IntegrationMethodError, SnnError
from .expressions import (
    NonLinear,
    TypeInfo,
    affine,
    conditionally_linear,
    external_calls,
    identifiers,
    infer,
    parse_expression,
    substitute,
    unparse,
    uses_random,
)
from .functions import DEFAULT_SIGNATURES
from .units import SECOND

METHODS = ("exact", "euler", "rk2", "rk4", "heun", "milstein", "exponential_euler")
#: Brian 2's default choice, in order (``NeuronGroup(method=None)``).
DEFAULT_METHODS = ("exact", "euler", "heun")
_ALIASES = {"linear": "exact"}
_XI = re.compile(r"^xi(_\w+)?$")


def _e(text: str) -> ast.expr:
    return parse_expression(text, internal=True)


def _num(x: float) -> ast.expr:
    return ast.Constant(value=float(x))


def _bin(left: ast.expr, op: ast.operator, right: ast.expr) -> ast.expr:
    return ast.BinOp(left=left, op=op, right=right)


CONSTANT_OVER_DT = "constant over dt"


def inline_subexpressions(expr: ast.expr, eqs: ParsedEquations) -> ast.expr:
    """Replace every subexpression name by its definition, recursively (except those
    flagged ``(constant over dt)``, which are variables set once per step)."""
    subs = {eq.name: eq.expr for eq in eqs.of_kind("subexpression")
            if CONSTANT_OVER_DT not in eq.flags}
    for _ in range(len(subs) + 1):
        used = identifiers(expr) & set(subs)
        if not used:
            return expr
        expr = substitute(expr, {name: subs[name] for name in used})
    raise IntegrationMethodError("subexpressions refer to each other in a cycle")


def constant_over_dt(eqs: ParsedEquations) -> list[tuple[str, ast.expr, str]]:
    """The subexpressions flagged ``(constant over dt)`` as statements (name, expression,
    model line), each after the flagged ones it reads, as Brian 2 orders them.

    Brian 2 stores each in a variable, set at the start of every step (before the
    monitors and the integration), so that multi-step integrators and monitors see
    one value per step.
    """
    flagged = {eq.name: eq for eq in eqs.of_kind("subexpression")
               if CONSTANT_OVER_DT in eq.flags}
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path:
            raise IntegrationMethodError(
                "subexpressions flagged (constant over dt) refer to each other in a cycle: "
                + " -> ".join((*path, name)))
        reads = identifiers(inline_subexpressions(flagged[name].expr, eqs)) & set(flagged)
        for other in sorted(reads):
            visit(other, (*path, name))
        order.append(name)

    for name in flagged:
        visit(name, ())
    return [(name, flagged[name].expr, flagged[name].source) for name in order]


def check_subexpressions(eqs: ParsedEquations) -> None:
    """Brian 2's rule: a subexpression that draws random numbers must be flagged
    ``(constant over dt)`` (else each use, and a monitor, would see another draw)."""
    for eq in eqs.of_kind("subexpression"):
        if CONSTANT_OVER_DT not in eq.flags and uses_random(inline_subexpressions(eq.expr, eqs)):
            raise SnnError(
                f"the subexpression '{eq.name}' draws random numbers, so each use would see "
                f"another value; add the flag (constant over dt): '{eq.source}'")


def check_calls(eqs: ParsedEquations, types: Mapping, resolver) -> None:
    """The dimension checks of the model lines that call TimedArrays or users' functions,
    made when a run has resolved them (before, their dimensions are not known)."""
    for eq in eqs:
        if eq.expr is None:
            continue
        rhs = inline_subexpressions(eq.expr, eqs)
        names = external_calls(rhs)
        if not names:
            continue
        known = _Lenient(types)
        known.update({name: resolver.function(name).signature(name) for name in names})
        check_line_units(eq, rhs, known)


def check_line_units(eq, rhs: ast.expr, types: dict) -> None:
    """Raise DimensionMismatchError if the right-hand side ``rhs`` (subexpressions
    inlined) of a model line has not the dimension its left-hand side asks for; noise
    terms (``xi``, ``xi_1``, ...) count as 1/sqrt(second). ``types`` gains their types."""
    types.update({n: TypeInfo(SECOND**-0.5, "float") for n in identifiers(rhs)
                  if _XI.match(n)})
    info = infer(rhs, types, eq.source)
    expected = eq.dim / SECOND if eq.kind == "differential" else eq.dim
    if info.dim is not None and not info.is_zero and info.dim != expected:
        lhs = f"d{eq.name}/dt" if eq.kind == "differential" else eq.name
        raise DimensionMismatchError(
            f"inconsistent units in '{eq.source}': {lhs} has dimension {expected}, but "
            f"the right-hand side has dimension {info.dim}")


class _Lenient(dict):
    """``types`` and more; a name known to neither (an external constant) has an unknown
    dimension."""

    def __init__(self, types: Mapping):
        super().__init__()
        self.types = types

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> TypeInfo:
        return self.types[name] if name in self.types else TypeInfo(None, "float")


@dataclass
class System:
    """Differential equations ready to integrate: ``dx/dt = f(x, t) + sum g_k(x, t) xi_k``."""

    names: list[str]
    f: dict[str, ast.expr]
    g: dict[str, dict[str, ast.expr]]
    unless_refractory: set[str] = field(default_factory=set)
    #: The method the user asked for (None: Brian 2's default choice), set by
    #: :func:`choose_method`; a run may revise a default choice (:func:`method_for_run`).
    requested: str | None = None

    @property
    def noise_names(self) -> list[str]:
        return sorted({xi for terms in self.g.values() for xi in terms})

    @property
    def stochastic(self) -> bool:
        return bool(self.noise_names)

    def additive_noise(self) -> bool:
        return all(not (identifiers(c) & set(self.names) or "t" in identifiers(c))
                   for terms in self.g.values() for c in terms.values())


def build_system(eqs: ParsedEquations, names: list[str] | None = None) -> System:
    """Collect the differential equations of a model (optionally a subset of them)."""
    check_subexpressions(eqs)
    diff = [eq for eq in eqs.of_kind("differential") if names is None or eq.name in names]
    f, g = {}, {}
    for eq in diff:
        rhs = inline_subexpressions(eq.expr, eqs)
        xis = {n for n in identifiers(rhs) if _XI.match(n)}
        if xis:
            try:
                form = affine(rhs, xis)
            except NonLinear:
                raise IntegrationMethodError(
                    f"the noise term must enter linearly: '{eq.source}'") from None
            f[eq.name] = form.get(None, _num(0.0))
            g[eq.name] = {xi: c for xi, c in form.items() if xi is not None}
        else:
            f[eq.name] = rhs
            g[eq.name] = {}
    unless = {eq.name for eq in diff if "unless refractory" in eq.flags}
    return System([eq.name for eq in diff], f, g, unless)


# --------------------------------------------------------------------------------------
# Linear systems and their propagators
# --------------------------------------------------------------------------------------


@dataclass
class LinearSystem:
    """``dx/dt = A x + b`` with coefficient trees, and where they are non-zero."""

    names: list[str]
    A: dict[tuple[int, int], ast.expr]
    b: dict[int, ast.expr]

    def reach(self) -> np.ndarray:
        """Boolean pattern of the non-zero entries of the propagator exp(A dt)."""
        n = len(self.names)
        pattern = np.eye(n, dtype=bool)
        for (k, m) in self.A:
            pattern[k, m] = True
        for _ in range(n):
            pattern = pattern | ((pattern.astype(int) @ pattern.astype(int)) > 0)
        return pattern

    def coefficient_names(self, block: Sequence[int] | None = None) -> set[str]:
        """The names the coefficient matrix reads (of the rows in ``block`` only)."""
        out: set[str] = set()
        for (k, _), c in self.A.items():
            if block is None or k in block:
                out |= identifiers(c)
        return out

    def blocks(self) -> list[list[int]]:
        """The indices of the variables, split into groups that no coefficient couples
        (the connected components of the coupling graph), each in ascending order."""
        owner = list(range(len(self.names)))

        def root(k: int) -> int:
            while owner[k] != k:
                k = owner[k]
            return k

        for (k, m) in self.A:
            owner[root(k)] = root(m)
        groups: dict[int, list[int]] = {}
        for k in range(len(self.names)):
            groups.setdefault(root(k), []).append(k)
        return list(groups.values())

    def restrict(self, keep: Sequence[int]) -> LinearSystem:
        """The subsystem of the variables ``keep`` (a union of :meth:`blocks`),
        renumbered in that order."""
        index = {k: n for n, k in enumerate(keep)}
        return LinearSystem([self.names[k] for k in keep],
                            {(index[k], index[m]): c for (k, m), c in self.A.items()
                             if k in index},
                            {index[k]: c for k, c in self.b.items() if k in index})


def time_dependence(expr: ast.expr, functions: Mapping | None = None,
                    dt: float | None = None) -> str | None:
    """What makes ``expr`` vary within a time step, or None (Brian 2's
    ``is_constant_over_dt``).

    The time ``t`` is allowed only as a direct argument of a function that is constant
    over a step (a TimedArray whose dt is a multiple of ``dt``); a random number or a
    stateful function is never constant. ``functions`` maps the external functions'
    names to their objects; before they are known (None), such a call is assumed
    constant, and :func:`method_for_run` checks again.
    """
    parents = {id(child): node for node in ast.walk(expr)
               for child in ast.iter_child_nodes(node)}
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and node.func.id in DEFAULT_SIGNATURES and \
                not DEFAULT_SIGNATURES[node.func.id].stateless:
            return f"{unparse(node)} changes from call to call"
        if isinstance(node, ast.Call) and functions is not None and \
                node.func.id in functions and not functions[node.func.id].stateless:
            return f"{unparse(node)} is a stateful function"
        if isinstance(node, ast.Name) and node.id == "t":
            call = parents.get(id(node))
            if not isinstance(call, ast.Call) or call.func.id in DEFAULT_SIGNATURES or \
                    node not in call.args:
                return "it depends on the time t"
            if functions is None:
                continue
            function = functions.get(call.func.id)
            if function is None or dt is None or not function.is_locally_constant(dt):
                return (f"{unparse(call)} is not constant over a time step of {dt!r} s "
                        "(a TimedArray must have a dt that is a multiple of it)")
    return None


def linear_system(system: System, functions: Mapping | None = None,
                  dt: float | None = None) -> LinearSystem:
    """Decompose a deterministic system as ``A x + b``; raise if that is impossible.

    ``functions`` and ``dt``: see :func:`time_dependence`.
    """
    if system.stochastic:
        raise IntegrationMethodError("'exact' cannot integrate stochastic equations (xi)")
    names = system.names
    A, b = {}, {}
    for k, name in enumerate(names):
        rhs = system.f[name]
        reason = time_dependence(rhs, functions, dt)
        if reason is not None:
            raise IntegrationMethodError(
                f"'exact' needs coefficients constant over a time step, but in d{name}/dt "
                f"{reason}")
        try:
            form = affine(rhs, set(names))
        except NonLinear as exc:
            raise IntegrationMethodError(
                f"'exact' needs linear equations, but d{name}/dt = {unparse(rhs)} is not "
                f"linear in the state variables (term '{exc}')") from None
        for var, coef in form.items():
            if var is None:
                b[k] = coef
            else:
                A[(k, names.index(var))] = coef
    return LinearSystem(names, A, b)


#: Recent propagators by their coefficients and time step (least recently used first).
_PROPAGATORS: OrderedDict = OrderedDict()


def propagators(lin: LinearSystem, coefficients: dict[tuple[int, int], np.ndarray],
                dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Numerical propagators of ``dx/dt = A x + b`` over one step, for every neuron.

    ``Phi = exp(A dt)`` advances the state, ``Psi = int_0^dt exp(A s) ds`` integrates a
    constant inhomogeneous term: ``x(t+dt) = Phi x(t) + Psi b``. Both come from one
    matrix exponential of the augmented matrix ``[[A, I], [0, 0]] dt``, computed only
    for the distinct coefficient sets among the neurons.

    Parameters
    ----------
    lin : LinearSystem
    coefficients : dict
        ``(k, m) -> array`` of the values of ``A[k, m]`` (scalars or one per neuron).
    dt : float

    Returns
    -------
    Phi, Psi : ndarray
        Shape ``(n_sets, n, n)`` and the index of each neuron's set, folded in: the
        arrays are ``(N, n, n)`` or ``(1, n, n)`` when all neurons share them.
    """
    n = len(lin.names)
    size = max((np.size(v) for v in coefficients.values()), default=1)
    mats = np.zeros((size, n, n))
    for (k, m), value in coefficients.items():
        mats[:, k, m] = value
    # A network rebuilt after a slider move, or run again, has the same coefficients:
    # hashing them costs a fraction of the exponentials of thousands of synapses.
    key = (hashlib.blake2b(mats.tobytes(), digest_size=16).digest(), mats.shape, dt)
    known = _PROPAGATORS.get(key)
    if known is not None:
        _PROPAGATORS.move_to_end(key)
        return known
    flat = mats.reshape(size, n * n)
    unique, inverse = np.unique(flat, axis=0, return_inverse=True)
    aug = np.zeros((len(unique), 2 * n, 2 * n))
    aug[:, :n, :n] = unique.reshape(-1, n, n) * dt
    aug[:, :n, n:] = np.eye(n) * dt
    expo = expm_batch(aug)
    phi, psi = expo[:, :n, :n], expo[:, :n, n:]
    inverse = inverse.reshape(-1)
    result = phi[inverse], psi[inverse]
    if 2 * result[0].nbytes <= 1 << 22:  # kept only when small (4 MB: 100k elements)
        for array in result:
            array.flags.writeable = False  # shared by later calls
        _PROPAGATORS[key] = result
        if len(_PROPAGATORS) > 32:
            _PROPAGATORS.popitem(last=False)
    return result


_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def expm_batch(mats: np.ndarray) -> np.ndarray:
    """Matrix exponentials of a stack of small matrices, all at once.

    Higham's (2005) scaling and squaring with the degree-13 Padé approximant, vectorized
    over the stack (matrices that need the same number of squarings are done together):
    per-matrix library calls cost a Python round trip each, which dominates for
    thousands of synapses with their own time constants. Small stacks go to scipy.

    Parameters
    ----------
    mats : ndarray, shape (k, n, n)
    """
    if len(mats) <= 64:
        # Few matrices: scipy's per-matrix algorithm, which also copes with entries of
        # very different scales (coupled variables in different units). Imported here:
        # scipy.linalg takes 0.2 s to import, which only exact integration needs.
        import scipy.linalg

        return np.array([scipy.linalg.expm(m) for m in mats]).reshape(mats.shape)
    out = np.empty_like(mats)
    norms = np.abs(mats).sum(axis=1).max(axis=1)
    with np.errstate(divide="ignore"):
        squarings = np.maximum(0, np.ceil(np.log2(norms / _THETA13))).astype(int)
    for count in np.unique(squarings):
        pick = squarings == count
        out[pick] = _pade13(mats[pick] / 2.0**count, count)
    return out


def _pade13(a: np.ndarray, squarings: int) -> np.ndarray:
    b = _PADE13
    ident = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4
             + b[3] * a2 + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * ident
    result = np.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        result = result @ result
    return result


# --------------------------------------------------------------------------------------
# The methods
# --------------------------------------------------------------------------------------


@dataclass
class UpdatePlan:
    """Statements of one step, plus, for ``exact``, the propagators they read."""

    method: str
    statements: list[tuple[str, ast.expr]]
    linear: LinearSystem | None = None
    # Hidden variables holding propagator entries: name -> (kind, k, m), kind 'phi'/'psi'
    propagator_vars: dict[str, tuple[str, int, int]] = field(default_factory=dict)


def _finish(system: System, new: dict[str, ast.expr]) -> list[tuple[str, ast.expr]]:
    """Assign the new values, keeping variables flagged ``unless refractory`` fixed."""
    out = []
    for name in system.names:
        tmp = f"_new_{name}"
        out.append((tmp, new[name]))
    for name in system.names:
        value: ast.expr = ast.Name(id=f"_new_{name}", ctx=ast.Load())
        if name in system.unless_refractory:
            value = ast.IfExp(test=ast.Name(id="not_refractory", ctx=ast.Load()), body=value,
                              orelse=ast.Name(id=name, ctx=ast.Load()))
        out.append((name, value))
    return out


def _shift(system: System, increments: dict[str, ast.expr], factor: float,
           time_shift: float) -> dict[str, ast.expr]:
    """Substitution ``x -> x + factor*increment_x`` and ``t -> t + time_shift*dt``."""
    mapping: dict[str, ast.expr] = {
        name: _bin(ast.Name(id=name, ctx=ast.Load()), ast.Add(),
                   _bin(_num(factor), ast.Mult(), increments[name])
                   if factor != 1 else increments[name])
        for name in system.names
    }
    if time_shift:
        mapping["t"] = _e(f"t + {time_shift}*dt")
    return mapping


def _xi_names(system: System) -> list[tuple[str, ast.expr]]:
    """One standard normal draw per noise name and step, scaled by sqrt(dt)."""
    return [(f"_dW_{xi}", _e("sqrt(dt)*randn()")) for xi in system.noise_names]


def _noise_term(system: System, name: str, g: dict[str, ast.expr] | None = None) -> ast.expr:
    """The sum of ``g * dW`` over the noise terms of ``name`` (there is at least one)."""
    terms = [_bin(coef, ast.Mult(), _e(f"_dW_{xi}"))
             for xi, coef in (g if g is not None else system.g[name]).items()]
    total = terms[0]
    for term in terms[1:]:
        total = _bin(total, ast.Add(), term)
    return total


def _euler(system: System) -> UpdatePlan:
    new = {}
    for name in system.names:
        step = _bin(_e("dt"), ast.Mult(), system.f[name])
        if system.g[name]:
            step = _bin(step, ast.Add(), _noise_term(system, name))
        new[name] = _bin(ast.Name(id=name, ctx=ast.Load()), ast.Add(), step)
    return UpdatePlan("euler", _xi_names(system) + _finish(system, new))


def _rk(system: System, stages: str) -> UpdatePlan:
    statements: list[tuple[str, ast.expr]] = []
    names = system.names

    def k_of(label: str, mapping: dict[str, ast.expr] | None) -> dict[str, ast.expr]:
        ks = {}
        for name in names:
            rhs = system.f[name] if mapping is None else substitute(system.f[name], mapping)
            statements.append((f"_{label}_{name}", _bin(_e("dt"), ast.Mult(), rhs)))
            ks[name] = _e(f"_{label}_{name}")
        return ks

    k1 = k_of("k1", None)
    if stages == "rk2":
        k2 = k_of("k2", _shift(system, k1, 0.5, 0.5))
        new = {n: _bin(ast.Name(id=n, ctx=ast.Load()), ast.Add(), k2[n]) for n in names}
    else:
        k2 = k_of("k2", _shift(system, k1, 0.5, 0.5))
        k3 = k_of("k3", _shift(system, k2, 0.5, 0.5))
        k_of("k4", _shift(system, k3, 1.0, 1.0))
        new = {n: _e(f"{n} + (_k1_{n} + 2*_k2_{n} + 2*_k3_{n} + _k4_{n})/6") for n in names}
    return UpdatePlan(stages, statements + _finish(system, new))


def _heun(system: System) -> UpdatePlan:
    """Stochastic Heun (Stratonovich), Brian 2's formulation: Euler drift, Heun diffusion::

        x_support = x + g(x,t) * dW
        g_support = g(x_support,t+dt)
        x_new = x + dt*f(x,t) + .5*dW*(g(x,t)+g_support)

    with one support point per noise term, where every variable moves by that noise only.
    """
    names = system.names
    statements = _xi_names(system)
    for xi in system.noise_names:
        for name in names:
            support: ast.expr = ast.Name(id=name, ctx=ast.Load())
            if xi in system.g[name]:
                support = _bin(support, ast.Add(),
                               _bin(system.g[name][xi], ast.Mult(), _e(f"_dW_{xi}")))
            statements.append((f"_sup_{name}_{xi}", support))
    new = {}
    for name in names:
        expr = _bin(ast.Name(id=name, ctx=ast.Load()), ast.Add(),
                    _bin(_e("dt"), ast.Mult(), system.f[name]))
        for xi, coef in system.g[name].items():
            mapping: dict[str, ast.expr] = {n: _e(f"_sup_{n}_{xi}") for n in names}
            mapping["t"] = _e("t + dt")
            both = _bin(coef, ast.Add(), substitute(coef, mapping))
            expr = _bin(expr, ast.Add(),
                        _bin(_num(0.5), ast.Mult(), _bin(_e(f"_dW_{xi}"), ast.Mult(), both)))
        new[name] = expr
    return UpdatePlan("heun", statements + _finish(system, new))


def _exponential_euler(system: System) -> UpdatePlan:
    """Brian 2's exponential Euler: ``x' = A x + B`` with ``A`` and ``B`` taken at the start
    of the step, for equations linear in their own variable (see
    :func:`~snncore.expressions.conditionally_linear`)."""
    if system.stochastic:
        raise IntegrationMethodError(
            "'exponential_euler' cannot integrate stochastic equations (xi)")
    statements: list[tuple[str, ast.expr]] = []
    new = {}
    for name in system.names:
        try:
            a, b = conditionally_linear(system.f[name], name)
        except NonLinear as exc:
            raise IntegrationMethodError(
                f"'exponential_euler' needs each equation linear in its own variable, but "
                f"d{name}/dt = {unparse(system.f[name])} has the term '{exc}'") from None
        x = ast.Name(id=name, ctx=ast.Load())
        if a is None:  # no decay term: the exponential step reduces to Euler
            new[name] = _bin(x, ast.Add(), _bin(_e("dt"), ast.Mult(), b or _num(0.0)))
            continue
        statements.append((f"_A_{name}", a))
        if b is None:
            new[name] = _e(f"{name}*exp(_A_{name}*dt)")
            continue
        statements.append((f"_BA_{name}", _bin(b, ast.Div(), _e(f"_A_{name}"))))
        new[name] = _e(f"-_BA_{name} + ({name} + _BA_{name})*exp(_A_{name}*dt)")
    return UpdatePlan("exponential_euler", statements + _finish(system, new))


def _exact(system: System, varying: set[str]) -> UpdatePlan:
    """Brian 2's exact integration. Decoupled blocks of variables are solved apart: a
    block whose coefficients stay constant during the run reads a propagator computed
    once per run (:func:`propagators`); a block whose coefficients model code changes
    (or a TimedArray) gets a closed form evaluated every step from the current values,
    as Brian 2's symbolic solution is (see :func:`_varying_block`)."""
    lin = linear_system(system)
    names = lin.names
    statements: list[tuple[str, ast.expr]] = []
    for k, coef in lin.b.items():
        statements.append((f"_b_{k}", coef))
    # A coefficient read from a TimedArray (ta(t)) changes from step to step too.
    varying = varying | {"t"}
    constant: list[int] = []
    new: dict[str, ast.expr] = {}
    for block in lin.blocks():
        if lin.coefficient_names(block) & varying:
            new.update(_varying_block(lin, block, varying, statements))
        else:
            constant.extend(block)
    if not constant:
        return UpdatePlan("exact", statements + _finish(system, new), lin)
    constant.sort()
    sub = lin.restrict(constant)
    pattern = sub.reach()
    prop_vars: dict[str, tuple[str, int, int]] = {}
    for k_sub, k in enumerate(constant):
        terms = []
        for m_sub, m in enumerate(constant):
            if pattern[k_sub, m_sub]:
                # Named by the indices in the whole system, so that a group's hidden
                # propagator variables keep their names whatever else varies.
                prop_vars[f"_phi_{k}_{m}"] = ("phi", k_sub, m_sub)
                terms.append(f"_phi_{k}_{m}*{names[m]}")
                if m in lin.b:
                    prop_vars[f"_psi_{k}_{m}"] = ("psi", k_sub, m_sub)
                    terms.append(f"_psi_{k}_{m}*_b_{m}")
        new[names[k]] = _e(" + ".join(terms))
    return UpdatePlan("exact", statements + _finish(system, new), sub, prop_vars)


def _varying_block(lin: LinearSystem, block: list[int], varying: set[str],
                   statements: list[tuple[str, ast.expr]]) -> dict[str, ast.expr]:
    """The closed-form step of a block of coupled variables whose coefficients change
    during the run, evaluated every step (its statements appended to ``statements``).

    With the diagonal ``a_k`` and the inhomogeneous terms ``b_k`` held over the step:
    ``x_k' = exp(a_k dt) x_k + dt exprel(a_k dt) b_k``, plus, for a variable ``m`` that
    drives ``k`` (``A[k, m]``) and is driven by no other variable and has no ``b_m``,
    ``A[k, m] dt exp(a_k dt) exprel((a_m - a_k) dt) x_m``: the exact propagator entry
    ``A[k, m] (exp(a_m dt) - exp(a_k dt))/(a_m - a_k)``, which exprel keeps exact when
    the two rates are equal. Longer chains need divided differences of higher order, which
    have no such safe form; they raise an error.
    """
    names = lin.names
    drivers = {k: [m for m in block if m != k and (k, m) in lin.A] for k in block}
    for k in block:
        for m in drivers[k]:
            if drivers[m] or m in lin.b:
                upstream = names[drivers[m][0]] if drivers[m] else "a constant input"
                raise IntegrationMethodError(
                    "'exact' with coefficients that model code changes during the run "
                    f"({', '.join(sorted(lin.coefficient_names(block) & varying))}) "
                    "solves a variable driven by another one only if that one is not "
                    f"driven itself, but {upstream} drives {names[m]}, which drives "
                    f"{names[k]}; use method='euler' or 'rk4'")
    for k in block:
        statements.append((f"_a_{k}", lin.A.get((k, k), _num(0.0))))
    out = {}
    for k in block:
        x = names[k]
        terms = [f"{x}*exp(_a_{k}*dt)"]
        if k in lin.b:
            terms.append(f"dt*exprel(_a_{k}*dt)*_b_{k}")
        for m in drivers[k]:
            statements.append((f"_c_{k}_{m}", lin.A[(k, m)]))
            terms.append(f"_c_{k}_{m}*dt*exp(_a_{k}*dt)*exprel((_a_{m} - _a_{k})*dt)"
                         f"*{names[m]}")
        out[x] = _e(" + ".join(terms))
    return out


def _diagonal_noise(system: System) -> str | None:
    """None if every equation has at most one noise term and every noise enters only one
    equation (Brian 2's condition for 'milstein'), else what breaks it."""
    seen: dict[str, str] = {}
    for name in system.names:
        terms = sorted(system.g[name])
        if len(terms) > 1:
            return f"d{name}/dt has {len(terms)} noise terms ({', '.join(terms)})"
        for xi in terms:
            if xi in seen:
                return f"{xi} enters both d{seen[xi]}/dt and d{name}/dt"
            seen[xi] = name
    return None


def _milstein(system: System) -> UpdatePlan:
    """Brian 2's derivative-free Milstein scheme (Stratonovich, diagonal noise)::

        x_support = x + dt*f(x, t) + dt**.5 * g(x, t)
        g_support = g(x_support, t)
        k = 1/(2*dt**.5)*(g_support - g(x, t))*(dW**2)
        x_new = x + dt*f(x,t) + g(x, t) * dW + k

    The support values of all variables are taken with the same noise, so ``g`` may
    depend on any of them.
    """
    names = system.names
    statements = _xi_names(system)
    for xi in system.noise_names:
        for name in names:
            support = _bin(ast.Name(id=name, ctx=ast.Load()), ast.Add(),
                           _bin(_e("dt"), ast.Mult(), system.f[name]))
            if xi in system.g[name]:
                support = _bin(support, ast.Add(),
                               _bin(_e("sqrt(dt)"), ast.Mult(), system.g[name][xi]))
            statements.append((f"_xs_{name}_{xi}", support))
    new = {}
    for name in names:
        expr = _bin(ast.Name(id=name, ctx=ast.Load()), ast.Add(),
                    _bin(_e("dt"), ast.Mult(), system.f[name]))
        if system.g[name]:
            expr = _bin(expr, ast.Add(), _noise_term(system, name))
        for xi, coef in system.g[name].items():
            mapping = {n: _e(f"_xs_{n}_{xi}") for n in names}
            statements.append((f"_gs_{name}_{xi}", substitute(coef, mapping)))
            correction = _bin(_bin(_e(f"_gs_{name}_{xi}"), ast.Sub(), coef), ast.Mult(),
                              _e(f"_dW_{xi}**2/(2*sqrt(dt))"))
            expr = _bin(expr, ast.Add(), correction)
        new[name] = expr
    return UpdatePlan("milstein", statements + _finish(system, new))


def applicable(method: str, system: System, functions: Mapping | None = None,
               dt: float | None = None) -> str | None:
    """None if ``method`` applies to ``system``, else the reason it does not.

    ``functions`` and ``dt`` (known during a run) refine the check of 'exact': see
    :func:`time_dependence`.
    """
    if method == "exact":
        try:
            linear_system(system, functions, dt)
        except IntegrationMethodError as exc:
            return str(exc)
        return None
    if method in ("rk2", "rk4") and system.stochastic:
        return f"'{method}' cannot integrate stochastic equations (xi)"
    if method == "euler" and system.stochastic and not system.additive_noise():
        return ("'euler' (Euler-Maruyama) needs additive noise, but a noise coefficient "
                "depends on a state variable or on t; use 'heun' or 'milstein'")
    if method == "milstein":
        reason = _diagonal_noise(system)
        if reason is not None:
            return f"'milstein' needs diagonal noise, but {reason}; use 'heun'"
    if method == "exponential_euler":
        try:
            _exponential_euler(system)
        except IntegrationMethodError as exc:
            return str(exc)
    return None


def choose_method(method: str | Sequence[str] | None, system: System,
                  functions: Mapping | None = None, dt: float | None = None) -> str:
    """Resolve ``method`` as Brian 2 does.

    None tries Brian 2's default order (exact, euler, heun); a list of names tries them
    in its order; a name (any case; 'linear' is 'exact') must apply, or the error says
    why it does not.
    """
    system.requested = method
    candidates = _candidates(method)
    if candidates is not None:
        return _first_applicable(candidates, system, functions, dt)
    name = _name(method)
    reason = applicable(name, system, functions, dt)
    if reason is not None:
        raise IntegrationMethodError(f"method '{method}' does not apply: {reason}")
    return name


def _candidates(method) -> list[str] | None:
    """The methods to try in order for a default choice or a list, else None."""
    if method is None:
        return list(DEFAULT_METHODS)
    if isinstance(method, Sequence) and not isinstance(method, str):
        return [_name(m) for m in method]
    return None


def _first_applicable(candidates: Sequence[str], system: System, functions: Mapping | None,
                      dt: float | None) -> str:
    reasons = []
    for candidate in candidates:
        reason = applicable(candidate, system, functions, dt)
        if reason is None:
            return candidate
        reasons.append(f"{candidate}: {reason}")
    raise IntegrationMethodError("no integration method applies to these equations ("
                                 + "; ".join(reasons) + ")")


def _name(method) -> str:
    if not isinstance(method, str):
        raise IntegrationMethodError(
            f"the integration method must be a name such as 'euler', got {method!r}")
    name = _ALIASES.get(method.lower(), method.lower())
    if name not in METHODS:
        raise IntegrationMethodError(
            f"unknown integration method '{method}'; choose one of {', '.join(METHODS)}")
    return name


def method_for_run(method: str, system: System, resolver, dt: float) -> str:
    """The method a run uses: ``method`` (chosen when the group was made, before the
    external functions were known), checked again now that they are.

    'exact' on ``ta(t)`` holds only if the TimedArray's dt is a multiple of ``dt``;
    otherwise a default choice moves on to the next method (as Brian 2 chooses at run
    time) and an explicit 'exact' raises an error saying why.
    """
    if method != "exact":
        return method
    names = set()
    for expr in [*system.f.values(), *(c for g in system.g.values() for c in g.values())]:
        names |= external_calls(expr)
    if not names:
        return method
    functions = {name: resolver.function(name) for name in names}
    reason = applicable("exact", system, functions, dt)
    if reason is None:
        return method
    candidates = _candidates(system.requested)
    if candidates is None:
        raise IntegrationMethodError(f"method '{system.requested}' does not apply: {reason}")
    later = candidates[candidates.index("exact") + 1:]
    return _first_applicable(later, system, functions, dt)


def update_plan(method: str, system: System, varying: set[str] = frozenset()) -> UpdatePlan:
    """The statements of one integration step of ``system`` with ``method``.

    Parameters
    ----------
    method : str
        An already resolved method name (see :func:`choose_method`).
    system : System
    varying : set of str
        Names that model code changes during the run (for ``exact``: coefficients that
        depend on them cannot use a precomputed propagator).
    """
    if not system.names:
        return UpdatePlan(method, [])
    if method == "exact":
        return _exact(system, set(varying))
    if method == "euler":
        return _euler(system)
    if method in ("rk2", "rk4"):
        return _rk(system, method)
    if method == "heun":
        return _heun(system)
    if method == "milstein":
        return _milstein(system)
    return _exponential_euler(system)

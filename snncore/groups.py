"""Groups of neurons: variables, model code, and the per-step operations they run."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import numpy as np

from . import scope
from .backends import ArrayRef
from .codeobject import Bound, bind, fresh_rng
from .equations import Equations, ParsedEquations, parse_equations, substituted_namespace
from .errors import IndexingError, SnnError
from .expressions import (
    TypeInfo,
    assignments,
    did_you_mean,
    identifiers,
    infer,
    parse_expression,
)
from .integration import (
    build_system,
    choose_method,
    inline_subexpressions,
    propagators,
    update_plan,
)
from .namespace import Resolver, caller_namespace
from .units import DIMENSIONLESS, SECOND, UNITS, Dimension
from .views import VariableView, checked_values, condition_indices, flat_indices

_DTYPES = {"float": np.float64, "bool": np.bool_, "int": np.int64, "int32": np.int32}


@dataclass
class Variable:
    """One named array of a group."""

    name: str
    dim: Dimension
    dtype: str
    array: np.ndarray
    shared: bool = False
    constant: bool = False

    @property
    def typeinfo(self) -> TypeInfo:
        return TypeInfo(self.dim, self.dtype)


class _LenientTypes(dict):
    """Types for checking model code before external names are known: unknown dimension."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> TypeInfo:
        if name in UNITS:
            return TypeInfo(UNITS[name][1], "float")
        return TypeInfo(None, "float")


@dataclass
class Operation:
    """One piece of per-step work, placed in Brian 2's schedule."""

    slot: str
    order: int
    name: str
    run: object  # callable(t: float) -> None
    #: callable(loop: FusedLoop) -> None emitting this work into a network's compiled
    #: loop (:mod:`snncore.fusion`); None where only ``run`` exists (numpy backend,
    #: heterogeneous delays).
    fuse: object = None


#: Brian 2's schedule, with its ``before_`` and ``after_`` slots around each main slot.
SCHEDULE = tuple(f"{prefix}{slot}"
                 for slot in ("start", "groups", "thresholds", "synapses", "resets", "end")
                 for prefix in ("before_", "", "after_"))


class Group:
    """Base of everything that holds per-element variables (groups, later synapses).

    Variables are read as numpy arrays in SI units (``G.v``, ``G.v[3:5]``) and written
    with a scalar, an array of the right length or an expression string evaluated per
    element (``G.v = 'rand()*mV'``).
    """

    _base_name = "group"
    #: The name that means an element's own index in this group's code.
    _element_index: str | None = "i"
    _plain_attributes = frozenset({"N", "name", "namespace", "dt", "method", "active"})

    def __init__(self, N: int, name: str | None, namespace: dict | None, dt: float | None):
        # Whole floats (10000.0, N*0.8 in Brian 2 scripts) are accepted as Brian 2 does.
        whole = isinstance(N, int | np.integer) or (
            isinstance(N, float | np.floating) and np.isfinite(N) and N == int(N))
        if not whole or isinstance(N, bool) or N < 0:
            raise SnnError(f"the number of elements must be a non-negative integer, got {N!r}")
        if dt is not None and not (isinstance(dt, int | float) and np.isfinite(dt) and dt > 0):
            raise SnnError(f"dt must be a positive duration in seconds, got {dt!r}")
        object.__setattr__(self, "_vars", {})
        self.N = int(N)
        self.name = name or scope.unique_name(self._base_name)
        self.namespace = namespace
        self.dt = dt
        self._subexpressions: dict[str, tuple[ast.expr, Dimension]] = {}
        self._eqs = ParsedEquations()
        scope.register(self)

    # ---- variables ------------------------------------------------------------------

    def _add_variable(self, name: str, dim: Dimension, dtype: str = "float", shared=False,
                      constant=False, value=0) -> Variable:
        array = np.full(1 if shared else self.N, value, dtype=_DTYPES[dtype])
        var = Variable(name, dim, dtype, array, shared, constant)
        self._vars[name] = var
        return var

    def _add_equations(self, eqs: ParsedEquations) -> None:
        self._eqs = eqs
        for eq in eqs:
            if eq.kind == "subexpression":
                self._subexpressions[eq.name] = (eq.expr, eq.dim)
            else:
                self._add_variable(eq.name, eq.dim, eq.dtype, shared="shared" in eq.flags,
                                   constant="constant" in eq.flags)

    def variable_names(self) -> list[str]:
        return [n for n in self._vars if not n.startswith("_")] + list(self._subexpressions)

    def variable_ref(self, name: str):
        var = self._vars.get(name)
        if var is None:
            return None
        ref = ArrayRef(f"_a_{name}", "shared" if var.shared else None)
        return ref, var.array, var.typeinfo, var.constant

    def index_array(self, name: str) -> np.ndarray:
        raise KeyError(name)

    def inline(self, expr: ast.expr) -> ast.expr:
        return inline_subexpressions(expr, self._eqs) if self._subexpressions else expr

    def special_scalars(self) -> dict:
        return {"N": (self.N, TypeInfo(DIMENSIONLESS, "int"))}

    @property
    def where(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _static_types(self) -> _LenientTypes:
        types = _LenientTypes({"t": TypeInfo(SECOND, "float"), "dt": TypeInfo(SECOND, "float"),
                               "i": TypeInfo(DIMENSIONLESS, "int"),
                               "N": TypeInfo(DIMENSIONLESS, "int"),
                               "xi": TypeInfo(SECOND**-0.5, "float")})
        for name, var in self._vars.items():
            types[name] = var.typeinfo
        for name, (_expr, dim) in self._subexpressions.items():
            types[name] = TypeInfo(dim, "float")
        return types

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        vars_ = self.__dict__.get("_vars", {})
        base = name[:-1] if name.endswith("_") and name[:-1] in vars_ else name
        if base in vars_ and not base.startswith("_"):
            var = vars_[base]
            return var.array[0] if var.shared else VariableView(self, base)
        if name in self.__dict__.get("_subexpressions", {}):
            return self._evaluate(parse_expression(name), caller_namespace(0))
        raise AttributeError(self._no_such(name))

    def _no_such(self, name: str) -> str:
        return f"{self.where} has no variable '{name}'{did_you_mean(name, self.variable_names())}"

    def __setattr__(self, name: str, value) -> None:
        self._set(name, value, caller_namespace(0))

    def _set(self, name: str, value, namespace) -> None:
        vars_ = self.__dict__.get("_vars", {})
        base = name[:-1] if name.endswith("_") and name[:-1] in vars_ else name
        if base in vars_ and not base.startswith("_"):
            self._assign(base, value, namespace)
            return
        if name.startswith("_") or name in self._plain_attributes:
            object.__setattr__(self, name, value)
            return
        if base in self.__dict__.get("_subexpressions", {}):
            raise SnnError(f"'{base}' of {self.where} is a subexpression and cannot be set")
        if name in ("t", "t_"):
            raise SnnError(f"'t' of {self.where} is the simulation time and cannot be set")
        raise SnnError(f"cannot set '{name}': " + self._no_such(name))

    def _assign(self, name: str, value, namespace) -> None:
        var = self._vars[name]
        if isinstance(value, str):
            expr = parse_expression(value)
            info = infer(expr, self._static_types(), value)
            if not info.is_zero and None not in (info.dim, var.dim) and info.dim != var.dim:
                from .errors import DimensionMismatchError

                raise DimensionMismatchError(
                    f"cannot set '{name}' of {self.where} to '{value}': '{name}' has "
                    f"dimension {var.dim}, the expression has dimension {info.dim}")
            value = self._evaluate(expr, namespace, shared=var.shared)
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise SnnError(f"cannot set '{name}' of {self.where} to {value!r}: not numeric")
        size = var.array.size
        if array.ndim > 1 or (array.ndim == 1 and array.size not in (1, size)):
            raise SnnError(
                f"cannot set '{name}' of {self.where}: got {array.size} values for "
                f"{size} element(s)")
        var.array[:] = array

    # ---- indexed access: G.v[...] (snncore/views.py) -----------------------------------

    def _view_array(self, name: str) -> np.ndarray:
        return self._vars[name].array

    def _view_indices(self, key, namespace, name: str):
        what = f"'{name}' of {self.where}"
        if isinstance(key, str):
            return condition_indices(self, key, namespace, what)
        if isinstance(key, tuple):
            raise IndexingError(f"{what} has one index, got {len(key)}: {key!r}")
        return flat_indices(key, len(self), what)

    def _view_write(self, name: str, indices, value) -> None:
        target = self._view_array(name)
        count = np.arange(target.size)[indices].size
        target[indices] = checked_values(value, count, f"'{name}' of {self.where}",
                                         target.dtype)

    def _evaluate(self, expr: ast.expr, namespace, shared: bool = False) -> np.ndarray:
        """Value of an expression for every element (numpy, no compile step)."""
        resolver = Resolver(self.namespace, namespace, self.where)
        text = ast.unparse(expr)
        bound = bind(self, "evaluate", [], resolver, "numpy", condition=(expr, text),
                     cache_key=("evaluate", text))
        n = 1 if shared else self.N
        bound.set("_n", n)
        bound.set("_indices", np.arange(n))
        bound.set("t", _network_time(self))
        bound.set("dt", 0.0)
        fresh_rng(bound)
        return np.array(bound())

    @property
    def t(self) -> float:
        """The time (seconds) of the network this group last ran in, 0 before its first
        run; read-only, as Brian 2's ``G.t``."""
        return _network_time(self)

    t_ = t

    def __len__(self) -> int:
        return self.N

    def __getitem__(self, item: slice) -> Subgroup:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise SnnError(f"{self.where} can only be sliced with a contiguous slice, "
                           f"e.g. G[:100], got {item!r}")
        start, stop, _ = item.indices(self.N)
        if stop <= start:
            raise SnnError(f"empty subgroup {item!r} of {self.where} (size {self.N})")
        return Subgroup(self, start, stop)

    # ---- running --------------------------------------------------------------------

    def run_regularly(self, code: str, dt: float | None = None, clock=None,
                      when: str = "start", order: int = 0, name: str | None = None,
                      codeobj_class=None):
        """Run statements for every element every ``dt`` (Brian 2's ``run_regularly``).

        Parameters
        ----------
        code : str
            Statements, as in a reset (``'v = rand()'``).
        dt : float, optional
            Interval (seconds), a whole multiple of the simulation time step; every step
            by default. Ticks are aligned to t = 0.
        clock : Clock, optional
            Run every step of this clock (its ``dt``), instead of giving ``dt``.
        when : str
            Schedule slot (``'start'``, ``'groups'``, ..., ``'before_thresholds'``, ...).
        order : int
            Order within the slot.
        name : str, optional
            ``<group name>_run_regularly`` by default.
        codeobj_class
            Accepted for Brian 2 code and ignored.

        Returns
        -------
        RunRegularly
            The object, part of any network this group runs in.
        """
        from .regular import RunRegularly  # regular builds on this module

        if clock is not None:
            if dt is not None:
                raise SnnError(f"run_regularly of {self.where}: give dt or clock, not both")
            dt = clock.dt
        runner = RunRegularly(self, code, dt=dt, when=when, order=order, name=name)
        # A subgroup's code runs with its parent, the object that takes part in networks.
        owner = getattr(self, "parent", self)
        owner.__dict__.setdefault("contained_objects", []).append(runner)
        return runner

    def _plan(self, system, varying: frozenset):
        """The integration statements, built once per set of externally written names."""
        plans = self.__dict__.setdefault("_plans", {})
        if varying not in plans:
            plans[varying] = update_plan(self.method, system, varying)
        return plans[varying]

    def _prepare_propagators(self, plan, resolver, dt: float) -> None:
        """Fill the hidden propagator variables of an ``exact`` update for this run."""
        if not plan.propagator_vars:
            return
        lin = plan.linear
        per_neuron = any(
            name in self._vars and not self._vars[name].shared
            for name in lin.coefficient_names()
        )
        coefficients = {}
        for key, coef in lin.A.items():
            coefficients[key] = self._evaluate(coef, resolver.run_namespace)
        phi, psi = propagators(lin, coefficients, dt)
        for name, (kind, k, m) in plan.propagator_vars.items():
            if name not in self._vars or self._vars[name].shared == per_neuron:
                # Psi integrates over the step, so it carries a time dimension.
                self._add_variable(name, SECOND if kind == "psi" else DIMENSIONLESS,
                                   shared=not per_neuron)
            values = (phi if kind == "phi" else psi)[:, k, m]
            self._vars[name].array[:] = values if per_neuron or values.size == 1 else values[0]

    def _state_updater(self, ctx, system, prefix=()) -> Operation | None:
        """The integration step of ``system`` (after the ``prefix`` statements) for a run."""
        varying = frozenset(ctx.written.get(self.name, set()))
        plan = self._plan(system, varying)
        self._prepare_propagators(plan, ctx.resolver(self), ctx.dt)
        statements = list(prefix) + [(target, expr, "") for target, expr in plan.statements]
        if not statements:
            return None
        bound = ctx.bind(self, "all", statements, internal=True,
                         cache_key=("stateupdater", varying, len(self)))
        return Operation("groups", 0, self.name + "_stateupdater",
                         _caller(bound, len(self), np.arange(len(self))), fuse=call_fuser(bound))

    def _state(self) -> dict:
        return {name: var.array.copy() for name, var in self._vars.items()}

    def _set_state(self, state: dict) -> None:
        for name, array in state.items():
            self._vars[name].array[:] = array

    def _written_by_code(self) -> dict:
        """{group: names} that this object's code writes during a run."""
        return {}

    def _operations(self, ctx) -> list[Operation]:
        return []


@dataclass
class RunContext:
    """What objects need to know to prepare a run."""

    backend: str
    dt: float
    n_steps: int
    start_step: int
    run_namespace: object
    written: dict = field(default_factory=dict)  # group name -> set of names

    def resolver(self, obj) -> Resolver:
        return Resolver(obj.namespace, self.run_namespace, obj.where)

    def bind(self, owner, mode: str, statements, **kwargs) -> Bound:
        """:func:`~snncore.codeobject.bind` for this run: backend, dt and random stream set."""
        bound = bind(owner, mode, statements, self.resolver(owner), self.backend, **kwargs)
        bound.set("dt", self.dt)
        fresh_rng(bound)
        return bound


class NeuronGroup(Group):
    """A group of neurons defined by a Brian 2-style model string.

    Parameters
    ----------
    N : int
        Number of neurons.
    model : str or Equations
        Equations, one per line: ``dv/dt = expr : unit (flags)``, ``x = expr : unit``,
        ``x : unit (flags)``.
    threshold : str, optional
        Boolean expression; a neuron spikes in a step where it holds.
    reset : str, optional
        Statements run for each neuron that spiked.
    refractory : float, str or False
        Duration (seconds), or an expression giving a duration or a boolean condition.
    method : str, optional
        Integration method; None chooses like Brian 2.
    namespace : dict, optional
        External constants, looked up before the caller's frame.
    dt : float, optional
        Time step; the network's (``defaultclock.dt``) by default.
    name : str, optional
    """

    _base_name = "neurongroup"

    def __init__(self, N: int, model: str | Equations, threshold: str | None = None,
                 reset: str | None = None, refractory: float | str | bool = False,
                 method: str | None = None, namespace: dict | None = None,
                 dt: float | None = None, name: str | None = None):
        super().__init__(N, name, substituted_namespace(model, namespace), dt)
        eqs = parse_equations(model)
        self._add_equations(eqs)
        self._refractory = refractory
        self._refractory_expr = None
        if refractory is not False and refractory is not None:
            self._add_variable("lastspike", SECOND, value=-1e4)
            self._add_variable("not_refractory", DIMENSIONLESS, "bool", value=True)
            if isinstance(refractory, str):
                self._refractory_expr = parse_expression(refractory)
            elif not np.isfinite(refractory) or refractory < 0:
                raise SnnError(f"refractory period must be a non-negative duration, "
                               f"got {refractory!r}")
        elif any("unless refractory" in eq.flags for eq in eqs):
            raise SnnError("equations are flagged '(unless refractory)' but the group has "
                           "no refractory period")
        self._system = build_system(eqs)
        self._check_model()
        self.method = choose_method(method, self._system)
        self._threshold = None
        if threshold is not None:
            self._threshold = parse_expression(threshold)
            info = infer(self.inline(self._threshold), self._static_types(), threshold)
            if info.kind != "bool":
                raise SnnError(f"the threshold of {self.where} must be a boolean expression "
                               f"such as 'v > 1', got '{threshold}'")
        self._threshold_source = threshold
        self._reset = assignments(reset)
        if self._reset and threshold is None:
            raise SnnError(f"{self.where} has a reset but no threshold")
        types = self._static_types()
        for target, expr, source in self._reset:
            if target not in self._vars or target.startswith("_"):
                hint = did_you_mean(target, self.variable_names())
                raise SnnError(f"cannot assign to '{target}' in the reset of {self.where}: "
                               f"no such variable{hint} (line '{source}')")
            infer(self.inline(expr), types, source)
        self._spikes = np.zeros(self.N, dtype=np.int64)
        self._nspikes = 0
        self._all = np.arange(self.N, dtype=np.int64)

    def _check_model(self) -> None:
        """Dimension checks that need no external values (those have unknown dimensions)."""
        from .errors import DimensionMismatchError

        types = self._static_types()
        for eq in self._eqs:
            if eq.expr is None:
                continue
            rhs = inline_subexpressions(eq.expr, self._eqs)
            names = {n for n in identifiers(rhs) if n.startswith("xi")}
            for n in names:
                types[n] = TypeInfo(SECOND**-0.5, "float")
            info = infer(rhs, types, eq.source)
            expected = eq.dim / SECOND if eq.kind == "differential" else eq.dim
            if info.dim is not None and not info.is_zero and info.dim != expected:
                lhs = f"d{eq.name}/dt" if eq.kind == "differential" else eq.name
                raise DimensionMismatchError(
                    f"inconsistent units in '{eq.source}': {lhs} has dimension {expected}, "
                    f"but the right-hand side has dimension {info.dim}")

    # ---- running --------------------------------------------------------------------

    def _written_by_code(self) -> dict:
        names = {t for t, _e, _s in self._reset}
        return {self.name: names} if names else {}

    def _refractory_statements(self) -> list[tuple[str, ast.expr, str]]:
        if self._refractory is False or self._refractory is None:
            return []
        if self._refractory_expr is None:
            code = "not_refractory = timestep(t - lastspike, dt) >= timestep(_refractory, dt)"
        else:
            info = infer(self.inline(self._refractory_expr), self._static_types(),
                         self._refractory)
            if info.kind == "bool":
                code = f"not_refractory = not_refractory or not ({self._refractory})"
            elif info.dim in (None, SECOND):
                code = (f"not_refractory = timestep(t - lastspike, dt) >= "
                        f"timestep({self._refractory}, dt)")
            else:
                raise SnnError(f"refractory expression '{self._refractory}' of {self.where} "
                               f"must be a duration or a boolean, got dimension {info.dim}")
        return assignments(code, internal=True)

    def special_scalars(self) -> dict:
        out = super().special_scalars()
        if self._refractory is not False and self._refractory is not None \
                and self._refractory_expr is None:
            out["_refractory"] = (float(self._refractory), TypeInfo(SECOND, "float"))
        return out

    def _operations(self, ctx: RunContext) -> list[Operation]:
        update = self._state_updater(ctx, self._system, self._refractory_statements())
        ops = [update] if update is not None else []
        if self._threshold is not None:
            condition = self._threshold
            spike_code = []
            if "not_refractory" in self._vars:
                condition = ast.BoolOp(op=ast.And(), values=[
                    condition, ast.Name(id="not_refractory", ctx=ast.Load())])
                spike_code = assignments("lastspike = t\nnot_refractory = False")
            thresholder = ctx.bind(self, "threshold", spike_code,
                                   condition=(condition, self._threshold_source),
                                   cache_key=("thresholder",))
            thresholder.set("_spikes", self._spikes)
            ops.append(Operation("thresholds", 0, self.name + "_thresholder",
                                 self._threshold_op(thresholder),
                                 fuse=self._threshold_fuser(thresholder)))
        if self._reset:
            resetter = ctx.bind(self, "subset", self._reset, cache_key=("resetter",))
            ops.append(Operation("resets", 0, self.name + "_resetter",
                                 self._reset_op(resetter), fuse=self._reset_fuser(resetter)))
        return ops

    def _threshold_fuser(self, bound: Bound):
        def fuse(loop) -> None:
            count = loop.spike_count(self)
            loop.emit(f"{count} = " + loop.call(bound))

        return fuse

    def _reset_fuser(self, bound: Bound):
        def fuse(loop) -> None:
            spikes = loop.spikes(self)
            loop.emit(f"if {spikes}.size:")
            loop.emit("    " + loop.call(bound, _n=f"{spikes}.size", _indices=spikes))

        return fuse

    def _spike_buffer(self) -> tuple[np.ndarray, int]:
        """The array the threshold writes spike indices into, and the current count."""
        return self._spikes, self._nspikes

    def _spike_buffer_done(self, buffer: np.ndarray, count: int) -> None:
        self._nspikes = count

    def _threshold_op(self, bound: Bound):
        bound.set("_n", self.N)
        bound.set("_indices", self._all)
        args, t_pos, kernel = bound.args, bound.positions["t"], bound.kernel
        state = self.__dict__  # bypasses __setattr__, which checks variable names

        def run(t: float) -> None:
            args[t_pos] = t
            state["_nspikes"] = kernel(*args)

        return run

    def _reset_op(self, bound: Bound):
        args, pos, kernel = bound.args, bound.positions, bound.kernel
        n_pos, idx_pos, t_pos = pos["_n"], pos["_indices"], pos["t"]

        def run(t: float) -> None:
            n = self._nspikes
            if n:
                args[n_pos] = n
                args[idx_pos] = self._spikes[:n]
                args[t_pos] = t
                kernel(*args)

        return run

    @property
    def spikes(self) -> np.ndarray:
        """Indices of the neurons that spiked in the last step."""
        return self._spikes[: self._nspikes]


def _network_time(group) -> float:
    """The current time of the network ``group`` (or a subgroup's parent) last ran in:
    what ``t`` means in an expression assigned between runs (Brian 2's rule)."""
    network = getattr(group, "parent", group).__dict__.get("_network")
    return network.t if network is not None else 0.0


def _caller(bound: Bound, n: int, indices: np.ndarray):
    """A per-step callable for a kernel over all elements."""
    bound.set("_n", n)
    bound.set("_indices", indices)
    args, t_pos, kernel = bound.args, bound.positions["t"], bound.kernel

    def run(t: float) -> None:
        args[t_pos] = t
        kernel(*args)

    return run


def call_fuser(bound: Bound):
    """The fused-loop form of a kernel called with fixed arguments every step."""

    def fuse(loop) -> None:
        loop.emit(loop.call(bound))

    return fuse


class Subgroup:
    """A contiguous slice of a group (``G[:3200]``), usable as a source, target or monitored.

    Its variables are views of the parent's arrays, so indices inside it (``i``) count
    from zero, as in Brian 2.
    """

    _element_index = "i"

    run_regularly = Group.run_regularly

    def __init__(self, parent: Group, start: int, stop: int):
        self.parent, self.start, self.stop = parent, start, stop
        self.N = stop - start
        self.name = f"{parent.name}_subgroup_{start}_{stop}"
        self.namespace = parent.namespace
        self.dt = None

    @property
    def where(self) -> str:
        return f"subgroup [{self.start}:{self.stop}] of {self.parent.where}"

    def __len__(self) -> int:
        return self.N

    def variable_names(self) -> list[str]:
        return self.parent.variable_names()

    def variable_ref(self, name: str):
        ref = self.parent.variable_ref(name)
        if ref is None or ref[0].index == "shared":
            return ref
        return ref[0], ref[1][self.start:self.stop], ref[2], ref[3]

    def index_array(self, name: str) -> np.ndarray:
        raise KeyError(name)

    def inline(self, expr: ast.expr) -> ast.expr:
        return self.parent.inline(expr)

    def special_scalars(self) -> dict:
        return {"N": (self.N, TypeInfo(DIMENSIONLESS, "int"))}

    def _static_types(self):
        return self.parent._static_types()

    @property
    def spikes(self) -> np.ndarray:
        """Indices (within the subgroup) of its neurons that spiked in the last step."""
        spikes = self.parent.spikes
        if not spikes.size:
            return spikes
        # Spikes come out of a threshold sorted by index, so the subgroup's are a slice.
        lo, hi = spikes.searchsorted(self.start), spikes.searchsorted(self.stop)
        return spikes[lo:hi] - self.start if self.start else spikes[lo:hi]

    _evaluate = Group._evaluate
    _view_indices = Group._view_indices
    _view_write = Group._view_write

    def _view_array(self, name: str) -> np.ndarray:
        return self.parent._vars[name].array[self.start:self.stop]

    def _absolute_range(self) -> tuple[int, int]:
        """As an index of the parent's variables (``G.v[G[:10]]``)."""
        return self.start, self.stop

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.parent, name)
        if isinstance(value, VariableView):
            return VariableView(self, value._name)
        if isinstance(value, np.ndarray) and value.shape == (self.parent.N,):
            return value[self.start:self.stop]
        return value

    def __setattr__(self, name: str, value) -> None:
        if name in ("parent", "start", "stop", "N", "name", "namespace", "dt"):
            object.__setattr__(self, name, value)
            return
        if name not in self.parent._vars or name.startswith("_"):
            raise SnnError(f"cannot set '{name}': " + self.parent._no_such(name))
        var = self.parent._vars[name]
        if isinstance(value, str):
            value = Group._evaluate(self, parse_expression(value), caller_namespace(0),
                                    shared=var.shared)
        view = var.array if var.shared else var.array[self.start:self.stop]
        array = np.asarray(value)
        if array.ndim > 1 or (array.ndim == 1 and array.size not in (1, view.size)):
            raise SnnError(f"cannot set '{name}' of {self.where}: got {array.size} values "
                           f"for {view.size} element(s)")
        view[:] = array

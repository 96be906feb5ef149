"""Groups of neurons: variables, model code, and the per-step operations they run."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

import numpy as np

from . import scope
from .backends import ArrayRef
from .clocks import ticks_between
from .codeobject import (
    Bound,
    VariableRef,
    bind,
    check_per_element_writes,
    fresh_rng,
    temporaries,
)
from .equations import Equations, ParsedEquations, parse_equations, substituted_namespace
from .errors import DimensionMismatchError, IndexingError, SnnError
from .expressions import (
    RESERVED,
    TypeInfo,
    assignments,
    did_you_mean,
    external_calls,
    identifiers,
    infer,
    parse_expression,
    substitute,
)
from .functions import timestep
from .integration import (
    CONSTANT_OVER_DT,
    build_system,
    check_calls,
    check_line_units,
    choose_method,
    constant_over_dt,
    inline_subexpressions,
    method_for_run,
    propagators,
    update_plan,
)
from .memory import ensure_fits
from .namespace import Resolver, caller_namespace
from .operations import KernelCall, OnEvent, Operation, Threshold, over_elements
from .states import StateAccess
from .units import DIMENSIONLESS, SECOND, UNITS, Dimension
from .views import (
    VariableView,
    assigned_values,
    checked_values,
    condition_indices,
    flat_indices,
)

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


class _NoSuchVariable(AttributeError):
    """A group has no attribute ``name``; the message (with its did-you-mean search)
    is made only when shown: code probing attributes (``getattr(G, name, None)``,
    ``hasattr``) raises many of these, and the search cost milliseconds per run."""

    def __init__(self, owner, name: str) -> None:
        super().__init__(name)
        self.owner = owner

    def __str__(self) -> str:
        return self.owner._no_such(self.args[0])



class _LenientTypes(dict):
    """Types for checking model code before external names are known: unknown dimension."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> TypeInfo:
        if name in UNITS:
            return TypeInfo(UNITS[name][1], "float")
        return TypeInfo(None, "float")


@dataclass(frozen=True)
class LinkedVariable:
    """A link target made by :func:`linked_var`: variable ``name`` of ``group``."""

    group: object
    name: str
    index: object = None  # None, an integer array, or the name of an integer parameter


def linked_var(group_or_variable, name: str | None = None, index=None) -> LinkedVariable:
    """The target of a linked variable, as in Brian 2: ``G.v = linked_var(H, 'v')``.

    Parameters
    ----------
    group_or_variable : group, subgroup, or a variable's array (``H.v``)
    name : str, optional
        The target variable; needed when a group is given.
    index : array of int or str, optional
        For each element of the linked group, the element of the target to read (many
        neurons may read one); or the name of an integer parameter holding it.

    Returns
    -------
    LinkedVariable
    """
    if hasattr(group_or_variable, "variable_ref"):
        if name is None:
            raise SnnError("linked_var(group, name): give the name of the target variable")
        return LinkedVariable(group_or_variable, name, index)
    if name is not None:
        raise SnnError("linked_var: give a group and a variable name, or a variable "
                       "(H.v) alone, not a variable and a name")
    if not isinstance(group_or_variable, VariableView) or group_or_variable._owner is None:
        raise SnnError("linked_var(H.v): cannot tell which group this value belongs to; "
                       "use linked_var(H, 'v')")
    return LinkedVariable(group_or_variable._owner, group_or_variable._name, index)


#: Brian 2's schedule, with its ``before_`` and ``after_`` slots around each main slot.
SCHEDULE = tuple(f"{prefix}{slot}"
                 for slot in ("start", "groups", "thresholds", "synapses", "resets", "end")
                 for prefix in ("before_", "", "after_"))


def check_slot(when: str, where: str) -> str:
    """``when`` if it names a slot of the schedule, else a clear error."""
    if when not in SCHEDULE:
        raise SnnError(f"when='{when}' of {where} is not a slot of the schedule"
                       f"{did_you_mean(str(when), SCHEDULE)} (the slots: "
                       f"{', '.join(SCHEDULE)})")
    return when


class Group(StateAccess):
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
        #: ``(linked)`` parameters: name -> its link (None until set with linked_var)
        self._links: dict[str, LinkedVariable | None] = {}
        #: Links to subexpressions: name -> the target's definition in this group's terms,
        #: its variables renamed to hidden links (see :meth:`_link_subexpression`), and
        #: the names of those hidden links.
        self._linked_subexpressions: dict[str, tuple[ast.expr, list[str]]] = {}
        #: The hidden links those definitions read: hidden name -> link.
        self._hidden_links: dict[str, LinkedVariable] = {}
        self._eqs = ParsedEquations()
        #: Whether a model line calls a TimedArray or a user's function, whose dimensions
        #: a run checks (:func:`check_calls`); set once, so that a run of a model without
        #: them does not inline its subexpressions again (milliseconds, in every run: a
        #: widget that runs a model in many short segments paid it in each).
        self._calls_functions = False
        scope.register(self)

    def __getstate__(self) -> dict:
        # Built kernels are rebuilt when needed; they cannot be pickled (a process pool).
        state = dict(self.__dict__)
        state.pop("_bound_cache", None)
        return state

    # ---- variables ------------------------------------------------------------------

    def _add_variable(self, name: str, dim: Dimension, dtype: str = "float", shared=False,
                      constant=False, value=0) -> Variable:
        size = 1 if shared else self.N
        if size > 1 << 24:  # the estimate itself costs a little: only for large arrays
            ensure_fits(size * np.dtype(_DTYPES[dtype]).itemsize,
                        f"variable '{name}' of {self.where} ({size} elements)",
                        "use fewer elements")
        array = np.full(size, value, dtype=_DTYPES[dtype])
        var = Variable(name, dim, dtype, array, shared, constant)
        self._vars[name] = var
        return var

    def _add_equations(self, eqs: ParsedEquations) -> None:
        self._eqs = eqs
        self._calls_functions = any(external_calls(eq.expr) for eq in eqs
                                    if eq.expr is not None)
        for eq in eqs:
            # A subexpression flagged (constant over dt) is a variable set once per step.
            if eq.kind == "subexpression" and CONSTANT_OVER_DT not in eq.flags:
                self._subexpressions[eq.name] = (eq.expr, eq.dim)
            elif "linked" in eq.flags:
                if eq.flags != {"linked"}:
                    raise SnnError(f"the 'linked' flag cannot be combined with other flags "
                                   f"(line '{eq.source}')")
                self._links[eq.name] = None
            else:
                self._add_variable(eq.name, eq.dim, eq.dtype, shared="shared" in eq.flags,
                                   constant="constant" in eq.flags)

    def variable_names(self) -> list[str]:
        return [n for n in self._vars if not n.startswith("_")] + list(self._links) + \
            list(self._subexpressions)

    def variable_ref(self, name: str) -> VariableRef | None:
        var = self._vars.get(name)
        if var is None:
            # A link to a subexpression has no array: inline() substitutes its definition.
            if name in self._links and name not in self._linked_subexpressions or \
                    name in self._hidden_links:
                return self._linked_ref(name)
            return None
        return VariableRef(ArrayRef(f"_a_{name}", "shared" if var.shared else None), var.array,
                           var.typeinfo, var.constant)

    def write_condition(self, name: str) -> str | None:
        """The boolean variable that gates writes to ``name`` from code other than the
        reset (Brian 2's conditional write), or None. Only neuron groups have one."""
        return None

    def index_array(self, name: str) -> np.ndarray:
        if name.startswith("_link_") and (name[6:] in self._links
                                          or name[6:] in self._hidden_links):
            return self._link_index(name[6:])[1]
        raise KeyError(name)

    # ---- events -----------------------------------------------------------------------

    @property
    def events(self) -> dict[str, str]:
        """Brian 2's ``events``: a group that makes spikes (a spike generator) has the
        event ``'spike'``; neuron groups define theirs."""
        return {"spike": ""} if hasattr(type(self), "spikes") else {}

    def event_source(self, event: str):
        """What code triggered by ``event`` reads the indices of the current step from."""
        if event in self.events:
            return self
        raise _no_event(self, event)

    # ---- linked variables -------------------------------------------------------------

    def is_unlinked(self, name: str) -> bool:
        """Whether ``name`` is a ``(linked)`` variable not yet given its target."""
        return name in self._links and self._links[name] is None

    def _link(self, name: str) -> LinkedVariable:
        if name in self._hidden_links:
            return self._hidden_links[name]
        link = self._links[name]
        if link is None:
            raise SnnError(f"the linked variable '{name}' of {self.where} is not linked yet: "
                           f"set it with {self.name}.{name} = linked_var(group, 'name')")
        return link

    def _link_index(self, name: str) -> tuple[object, np.ndarray | None]:
        """The target's reference, and the index into its array of each element here
        (None: the element's own index)."""
        link = self._link(name)
        target = link.group.variable_ref(link.name)
        if target is None and link.name == "i":
            # The element index read by a linked subexpression: a subgroup's
            # subexpressions are its parent's, so this is the parent's index (Brian 2).
            start = getattr(link.group, "start", 0)
            target = VariableRef(ArrayRef("_a_i", None),
                                 np.arange(start, start + len(link.group)),
                                 TypeInfo(DIMENSIONLESS, "int"), True)
        index = link.index
        if isinstance(index, str):
            index = self._vars[index].array
        if target.ref.index not in (None, "shared"):
            # The target is itself read through an index (a linked variable, a subgroup).
            own = link.group.index_array(target.ref.index)
            index = own if index is None else own[index]
        return target, index

    def _scalar_link(self, size: int) -> bool:
        """Whether a link to a variable of ``size`` elements reads its one value for every
        element here (Brian 2: unless this group has one element too)."""
        return size == 1 and self.N != 1

    def _linked_ref(self, name: str):
        target, index = self._link_index(name)
        if target.ref.index == "shared" or self._scalar_link(target.array.size):
            return VariableRef(ArrayRef(f"_a_{name}", "shared"), target.array, target.type,
                               False)
        return VariableRef(ArrayRef(f"_a_{name}", None if index is None else f"_link_{name}"),
                           target.array, target.type, False)

    def _set_link(self, name: str, value) -> None:
        """``G.v = linked_var(H, 'v', index=...)``, checked as Brian 2 checks it."""
        if not isinstance(value, LinkedVariable):
            raise SnnError(f"cannot set the linked variable '{name}' of {self.where} directly;"
                           f" link it to another variable with "
                           f"{self.name}.{name} = linked_var(group, 'name')")
        group, target_name = value.group, value.name
        target = group.variable_ref(target_name)
        subexpressions = getattr(group, "parent", group).__dict__.get("_subexpressions", {})
        if target is None and target_name not in subexpressions:
            names = group.variable_names()
            raise SnnError(f"cannot link '{name}' of {self.where} to '{target_name}' of "
                           f"{group.where}: no such variable{did_you_mean(target_name, names)}")
        dim = self._eqs[name].dim
        target_dim = subexpressions[target_name][1] if target is None else target.type.dim
        if target_dim != dim:
            raise DimensionMismatchError(
                f"cannot link '{name}' of {self.where} (dimension {dim}) to '{target_name}' of "
                f"{group.where} (dimension {target_dim})")
        size = 1 if target is not None and target.ref.index == "shared" else len(group)
        index = value.index
        if isinstance(index, str):
            var = self._vars.get(index)
            if var is None or index.startswith("_") or var.shared or var.dtype == "float":
                raise SnnError(f"the index of linked variable '{name}' of {self.where} must "
                               f"name an integer parameter of that group, got '{index}'")
        elif index is not None:
            index = np.asarray(index)
            if index.dtype.kind not in "iu" or index.shape != (self.N,):
                raise SnnError(f"the index of linked variable '{name}' of {self.where} must be "
                               f"an integer array of length {self.N}, got shape {index.shape} "
                               f"of {index.dtype}")
            bad = index[(index < 0) | (index >= size)]
            if bad.size:
                raise SnnError(f"the index of linked variable '{name}' of {self.where} "
                               f"contains {int(bad[0])}, outside 0 to {size - 1} "
                               f"({group.where})")
            index = index.astype(np.int64)
        elif size not in (1, self.N):
            raise SnnError(f"cannot link '{name}' of {self.where} ({self.N} elements) to "
                           f"'{target_name}' of {group.where} ({size} elements); give "
                           "linked_var an index= to link groups of different sizes")
        link = LinkedVariable(group, target_name, index)
        self._forget_subexpression_link(name)
        self._links[name] = link
        if target is None:
            self._link_subexpression(name, link)

    def _forget_subexpression_link(self, name: str) -> None:
        """Drop what an earlier link of ``name`` to a subexpression made."""
        _expr, hidden = self._linked_subexpressions.pop(name, (None, []))
        for hidden_name in hidden:
            del self._hidden_links[hidden_name]

    def _link_subexpression(self, name: str, link: LinkedVariable) -> None:
        """A link to a subexpression, as Brian 2 makes it: the target's definition (its
        own subexpressions substituted), each of its variables read through the link's
        index as a hidden linked variable, its ``i`` and ``N`` those of the group that
        defines it (a subgroup's parent), and external constants looked up for this
        group's code."""
        group = link.group
        definition = group.inline(ast.Name(id=link.name, ctx=ast.Load()))
        renames: dict[str, ast.expr] = {}
        hidden = []
        for ident in sorted(identifiers(definition)):
            if ident == "N":
                renames[ident] = ast.Constant(len(getattr(group, "parent", group)))
            elif ident == "i" or group.variable_ref(ident) is not None:
                hidden.append(f"_lnk{len(self._hidden_links)}_{name}_{ident}")
                self._hidden_links[hidden[-1]] = LinkedVariable(group, ident, link.index)
                renames[ident] = ast.Name(id=hidden[-1], ctx=ast.Load())
        self._linked_subexpressions[name] = (substitute(definition, renames), hidden)

    def inline(self, expr: ast.expr) -> ast.expr:
        if self._subexpressions:
            expr = inline_subexpressions(expr, self._eqs)
        if self._linked_subexpressions:
            expr = substitute(expr, {name: definition for name, (definition, _hidden)
                                     in self._linked_subexpressions.items()})
        return expr

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
        for name in self._links:
            types[name] = TypeInfo(self._eqs[name].dim, self._eqs[name].dtype)
        return types

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._attribute(name, 1)

    def _attribute(self, name: str, level: int):
        """``G.name`` for a variable; ``level`` counts the frames between this method and
        the user's code, whose names a subexpression may read."""
        vars_ = self.__dict__.get("_vars", {})
        base = name[:-1] if name.endswith("_") and name[:-1] in vars_ else name
        if base in vars_ and not base.startswith("_"):
            var = vars_[base]
            return var.array[0] if var.shared else VariableView(self, base)
        if name in ("i", "i_") and self._element_index == "i":
            return VariableView(self, "i")
        if base in self.__dict__.get("_links", {}):
            if base in self._linked_subexpressions:
                values = self._evaluate(parse_expression(base), caller_namespace(level))
                # One value when everything it reads is (Brian 2: a scalar subexpression).
                scalar = all(self._linked_ref(h)[0].index == "shared"
                             for h in self._linked_subexpressions[base][1])
                return values[0] if scalar and values.size else values
            return self._linked_values(base)
        if name in self.__dict__.get("_subexpressions", {}):
            return self._evaluate(parse_expression(name), caller_namespace(level))
        raise _NoSuchVariable(self, name)

    def _linked_values(self, name: str):
        """A linked variable read from Python: its one value if it links to a shared
        variable, else a view whose reads and writes reach the target, as in Brian 2."""
        (ref, array, _info, _c), _index = self._link_index(name)
        if ref.index == "shared" or self._scalar_link(array.size):
            return array[0]
        return VariableView(self, name)

    def _no_such(self, name: str) -> str:
        return f"{self.where} has no variable '{name}'{did_you_mean(name, self.variable_names())}"

    def __setattr__(self, name: str, value) -> None:
        self._set(name, value, caller_namespace(0))

    def _set(self, name: str, value, namespace) -> None:
        vars_ = self.__dict__.get("_vars", {})
        base = name[:-1] if name.endswith("_") and name[:-1] in vars_ else name
        if base in self.__dict__.get("_links", {}):
            self._set_link(base, value)
            return
        if isinstance(value, LinkedVariable):
            raise SnnError(f"cannot link '{name}' of {self.where}: declare it as a linked "
                           f"variable with '{name} : unit (linked)' in the model")
        if base in vars_ and not base.startswith("_"):
            self._assign(base, value, namespace)
            return
        if name.startswith("_") or name in self._plain_attributes:
            object.__setattr__(self, name, value)
            return
        if base in self.__dict__.get("_subexpressions", {}):
            raise SnnError(f"'{base}' of {self.where} is a subexpression and cannot be set")
        if name in ("t", "t_", "i", "i_"):
            what = "simulation time" if name[0] == "t" else "element index"
            raise SnnError(f"'{name[0]}' of {self.where} is the {what} and cannot be set")
        raise SnnError(f"cannot set '{name}': " + self._no_such(name))

    def _assign(self, name: str, value, namespace) -> None:
        var = self._vars[name]
        value = assigned_values(self, name, value, namespace, shared=var.shared)
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise SnnError(f"cannot set '{name}' of {self.where} to {value!r}: not numeric")
        size = var.array.size
        if array.ndim > 1 or (array.ndim == 1 and array.size not in (1, size)):
            raise SnnError(
                f"cannot set '{name}' of {self.where}: got {array.size} values for "
                f"{size} element(s)")
        var.array[:] = array

    def _dimension_of(self, name: str) -> Dimension | None:
        """The dimension of a variable (None: unknown, not checked)."""
        if name in self._vars:
            return self._vars[name].dim
        if name in self._links:
            return self._eqs[name].dim
        return DIMENSIONLESS if name == "i" else None

    # ---- indexed access: G.v[...] (snncore/views.py) -----------------------------------

    def _view_array(self, name: str) -> np.ndarray:
        if name == "i":
            return np.arange(self.N)
        if name in self._links:
            (_ref, array, _info, _c), index = self._link_index(name)
            return array if index is None else array[index]
        return self._vars[name].array

    def _view_indices(self, key, namespace, name: str):
        what = f"'{name}' of {self.where}"
        if isinstance(key, str):
            return condition_indices(self, key, namespace, what)
        return self._key_indices(key, what)

    def _key_indices(self, key, what: str):
        """Indices of a non-string key (synapses also take ``(i, j)`` tuples)."""
        if isinstance(key, tuple):
            raise IndexingError(f"{what} has one index, got {len(key)}: {key!r}")
        return flat_indices(key, len(self), what)

    def _view_write(self, name: str, indices, value) -> None:
        if name == "i":
            raise SnnError(f"'i' of {self.where} is the element index and is read-only")
        target = self._view_array(name)
        if name in getattr(self, "_links", {}):
            # Through the link's index into the target's array (G.v[:] = ... reaches H.v).
            (_ref, target, _info, _c), index = self._link_index(name)
            if index is not None:
                indices = index[indices]
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
        bound.set("_indices", None)  # it evaluates every element: no index array kept
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

    def __getitem__(self, item: slice | int) -> Subgroup:
        if isinstance(item, int | np.integer) and not isinstance(item, bool):
            # G[3] is the one-neuron subgroup G[3:4], as in Brian 2.
            if not -self.N <= item < self.N:
                raise IndexingError(f"index {item} is out of range for {self.where} "
                                    f"(size {self.N})")
            item = slice(item % self.N, item % self.N + 1)
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

    def _plan(self, system, varying: frozenset, method: str):
        """The integration statements, built once per set of externally written names."""
        plans = self.__dict__.setdefault("_plans", {})
        if (varying, method) not in plans:
            plans[(varying, method)] = update_plan(method, system, varying)
        return plans[(varying, method)]

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
        # A linked variable is another group's state: it may change in every step.
        varying = frozenset(ctx.written.get(self.name, set()) | set(self._links))
        if self._calls_functions:
            check_calls(self._eqs, self._static_types(), ctx.resolver(self))
        method = method_for_run(self.method, system, ctx.resolver(self), ctx.dt)
        plan = self._plan(system, varying, method)
        self._prepare_propagators(plan, ctx.resolver(self), ctx.dt)
        statements = list(prefix) + [(target, expr, "") for target, expr in plan.statements]
        if not statements:
            return None
        # The prefix (the refractoriness test) depends on dt: part of the key.
        bound = ctx.bind(self, "all", statements, internal=True,
                         cache_key=("stateupdater", varying, len(self),
                                    tuple(line for _target, _expr, line in prefix)))
        return KernelCall("groups", 0, self.name + "_stateupdater",
                          over_elements(bound, len(self)))

    def _constant_over_dt_updater(self, ctx) -> list[Operation]:
        """Brian 2's subexpression updater: the subexpressions flagged (constant over dt)
        evaluated before everything else in each step."""
        code = constant_over_dt(self._eqs)
        if not code:
            return []
        bound = ctx.bind(self, "all", code, cache_key=("constant over dt", len(self)))
        return [KernelCall("before_start", 0, self.name + "_subexpression_update",
                           over_elements(bound, len(self)))]

    def _state(self) -> dict:
        return {name: var.array.copy() for name, var in self._vars.items()}

    def _set_state(self, state: dict) -> None:
        for name, array in state.items():
            # Internal arrays a run derives (propagators) may not exist yet in a group
            # restored from a file before its first run: the run makes them again.
            if name.startswith("_") and name not in self._vars:
                continue
            self._vars[name].array[:] = array

    def _written_by_code(self) -> dict:
        """{group: names} that this object's code writes during a run."""
        return {}

    def _operations(self, ctx) -> list[Operation]:
        return []


@dataclass
class RunContext:
    """What objects need to know to prepare a run, on the clock they run on.

    ``dt``, ``start_step`` and ``n_steps`` are in ticks of that clock, which ticks every
    ``every`` base steps of the network (see :mod:`snncore.clocks`).
    """

    backend: str
    dt: float
    n_steps: int
    start_step: int
    run_namespace: object
    written: dict = field(default_factory=dict)  # group name -> set of names
    every: int = 1
    base: tuple[float, int, int] | None = None  # the network's (dt, start step, steps)

    def resolver(self, obj) -> Resolver:
        return Resolver(obj.namespace, self.run_namespace, obj.where)

    def on_clock(self, dt: float) -> RunContext:
        """This run seen from a clock of ``dt`` (a whole multiple of the base step)."""
        base_dt, start, n = self.base or (self.dt, self.start_step, self.n_steps)
        every = max(int(round(dt / base_dt)), 1)
        first, count = ticks_between(start, start + n, every)
        return replace(self, dt=dt if every > 1 else base_dt, n_steps=count,
                       start_step=first, every=every, base=(base_dt, start, n))

    def bind(self, owner, mode: str, statements, **kwargs) -> Bound:
        """:func:`~snncore.codeobject.bind` for this run: backend, dt and random stream set."""
        bound = bind(owner, mode, statements, self.resolver(owner), self.backend, **kwargs)
        bound.set("dt", self.dt)
        # The stream is named by the code, so that the same code draws the same numbers
        # on both backends and in every run of a network.
        condition = kwargs.get("condition")
        fresh_rng(bound, getattr(owner, "_stream_owner", owner),
                  (kwargs.get("cache_key"), mode == "threshold",
                   tuple((t, ast.dump(e)) for t, e, _s in statements),
                   ast.dump(condition[0]) if condition else None,
                   tuple(ast.dump(e) for e in kwargs.get("record", ()))))
        return bound


def _count_arrays(eqs: ParsedEquations) -> int:
    """How many per-element arrays :meth:`Group._add_equations` makes for ``eqs``."""
    return sum(1 for eq in eqs if "linked" not in eq.flags and "shared" not in eq.flags
               and (eq.kind != "subexpression" or CONSTANT_OVER_DT in eq.flags))


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
    events : dict of str, optional
        Custom events, as in Brian 2: ``{'name': 'boolean condition'}``, checked in the
        ``'after_thresholds'`` slot of every step (refractoriness does not apply). Code
        runs on an event with :meth:`run_on_event`; synapses are triggered by it with
        ``on_event=``, and :class:`~snncore.monitors.EventMonitor` records it. The
        ``threshold`` defines the event ``'spike'``, and the ``reset`` runs on it.
    """

    _base_name = "neurongroup"

    def __init__(self, N: int, model: str | Equations, threshold: str | None = None,
                 reset: str | None = None, refractory: float | str | bool = False,
                 method: str | None = None, namespace: dict | None = None,
                 dt: float | None = None, name: str | None = None,
                 events: dict[str, str] | None = None):
        super().__init__(N, name, substituted_namespace(model, namespace), dt)
        eqs = parse_equations(model)
        # 8 bytes per variable per neuron, and 16 for the spike and index buffers
        per_neuron = 8 * (_count_arrays(eqs) + 2 * (refractory not in (False, None))) + 16
        if self.N * per_neuron > 1 << 24:  # the estimate itself costs a little: only when large
            ensure_fits(self.N * per_neuron, f"{self.where} of {self.N} neurons "
                        f"({per_neuron} bytes per neuron)", "use fewer neurons (a smaller N), "
                        "or fewer variables in the model")
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
        events = dict(events or {})
        if "spike" in events:
            if threshold is not None:
                raise SnnError(f"{self.where} defines both a threshold and a 'spike' event")
            threshold = events.pop("spike")
        self._threshold = None
        if threshold is not None:
            self._threshold = self._check_condition(threshold, "the threshold")
        self._threshold_source = threshold
        #: every event: name -> (condition source, slot, order); 'spike' is the threshold's
        self._events: dict[str, list] = {}
        if threshold is not None:
            self._events["spike"] = [threshold, "thresholds", 0]
        self._event_spaces: dict[str, EventSpace] = {}
        for event, condition in events.items():
            if not isinstance(event, str) or not event.isidentifier() or \
                    event.startswith("_"):
                raise SnnError(f"{event!r} cannot be the name of an event of {self.where}: "
                               "use a name such as 'burst'")
            if not isinstance(condition, str):
                raise SnnError(f"the condition of event '{event}' of {self.where} must be a "
                               f"string such as 'v > 1', got {condition!r}")
            self._check_condition(condition, f"the condition of event '{event}'")
            self._events[event] = [condition, "after_thresholds", 0]
            self._event_spaces[event] = EventSpace(self, event)
        #: code run on events: name -> (statements, slot, order); the reset is 'spike''s
        self._event_code: dict[str, tuple[list, str, int]] = {}
        if reset is not None:
            if threshold is None:
                raise SnnError(f"{self.where} has a reset but no threshold")
            self._event_code["spike"] = (self._check_code(reset, "the reset"), "resets", 0)
        self._spikes = np.zeros(self.N, dtype=np.int64)
        self._nspikes = 0

    def _check_condition(self, condition: str, what: str) -> ast.expr:
        expr = parse_expression(condition)
        info = infer(self.inline(expr), self._static_types(), condition)
        if info.kind != "bool":
            raise SnnError(f"{what} of {self.where} must be a boolean expression such as "
                           f"'v > 1', got '{condition}'")
        return expr

    def _check_code(self, code: str, what: str) -> list[tuple[str, ast.expr, str]]:
        """Statements run on an event, checked as far as possible before the run: the
        names they write, temporaries used before assignment, dimensions."""
        if not isinstance(code, str):
            raise SnnError(f"{what} of {self.where} must be a string of statements such as "
                           f"'v = 0', got {code!r}")
        statements = assignments(code)
        known = set(self._vars) | set(self._links) | set(RESERVED)
        types = self._static_types()
        declared = temporaries(statements, known.__contains__, self)
        check_per_element_writes(self, statements)
        for target, expr, source in statements:
            info = infer(self.inline(expr), types, source)
            if target in declared:
                declared.discard(target)  # the first assignment gives the dimension
                types[target] = TypeInfo(info.dim, info.kind)
        return statements

    @property
    def events(self) -> dict[str, str]:
        """The events of the group and their conditions (``'spike'``: the threshold)."""
        return {name: spec[0] for name, spec in self._events.items()}

    def run_on_event(self, event: str, code: str, when: str = "after_resets",
                     order: int = 0) -> None:
        """Run ``code`` for each neuron in which ``event`` happened, as in Brian 2.

        Parameters
        ----------
        event : str
            The name of an event (``'spike'`` or one given in ``events=``).
        code : str
            Statements, as in a reset; ``x = expr`` with ``x`` not a variable declares a
            temporary.
        when : str
            Schedule slot, ``'after_resets'`` by default.
        order : int
            Order within the slot.
        """
        self._event_space_of(event)
        if event in self._event_code:
            raise SnnError(f"code for event '{event}' of {self.where} was already added"
                           + (" (the reset)" if event == "spike" else ""))
        what = "the reset" if event == "spike" else f"the code run on event '{event}'"
        self._event_code[event] = (self._check_code(code, what),
                                   check_slot(when, self.where), int(order))

    def set_event_schedule(self, event: str, when: str = "after_thresholds",
                           order: int = 0) -> None:
        """Change the slot in which the condition of ``event`` is checked."""
        self._event_space_of(event)
        self._events[event][1:] = [check_slot(when, self.where), int(order)]

    def _event_space_of(self, event: str):
        if event in self._events:
            return self if event == "spike" else self._event_spaces[event]
        raise _no_event(self, event)

    def event_source(self, event: str):
        """The group itself for ``'spike'``, an :class:`EventSpace` for a custom event."""
        return self._event_space_of(event)

    def event_slot(self, event: str) -> tuple[str, int]:
        """(slot, order) in which the condition of ``event`` is checked."""
        self._event_space_of(event)
        return self._events[event][1], self._events[event][2]

    def _check_model(self) -> None:
        """Dimension checks that need no external values (those have unknown dimensions)."""
        types = self._static_types()
        for eq in self._eqs:
            if eq.expr is None:
                continue
            check_line_units(eq, inline_subexpressions(eq.expr, self._eqs), types)

    # ---- running --------------------------------------------------------------------

    def _written_by_code(self) -> dict:
        out: dict[str, set] = {}
        for statements, _when, _order in self._event_code.values():
            for target, _e, _s in statements:
                if target in self._vars:
                    out.setdefault(self.name, set()).add(target)
                elif target in self._links and self._links[target] is not None:
                    link = self._links[target]
                    group = getattr(link.group, "parent", link.group)
                    out.setdefault(group.name, set()).add(link.name)
        constant = {n for n, _e, _s in constant_over_dt(self._eqs)}
        if constant:
            out.setdefault(self.name, set()).update(constant)
        return out

    def write_condition(self, name: str) -> str | None:
        # Brian 2 leaves a '(unless refractory)' variable untouched while refractory,
        # whatever writes it (synaptic code, inputs, run_regularly), except the reset.
        if name in self._system.unless_refractory and "not_refractory" in self._vars:
            return "not_refractory"
        return None

    def _refractory_statements(self, dt: float) -> list[tuple[str, ast.expr, str]]:
        if self._refractory is False or self._refractory is None:
            return []
        if self._refractory_expr is None:
            if timestep(float(self._refractory), dt) >= 1:
                # Brian 2's test, timestep(t - lastspike, dt) >= k, computed without the
                # conversion to an integer, which AVX2 cannot do for a vector of doubles:
                # with it the state update's loop ran element by element (a tenth of
                # Brunel-Hakim's step). For an integer k >= 1, int(y) >= k (int truncates
                # towards zero) is floor(y) >= k, from the same y: the same answer (except
                # where int(y) overflowed: a lastspike of -inf, never integrated before).
                # For k = 0 the two differ for a lastspike in the future: kept below.
                code = ("not_refractory = floor((t - lastspike + 0.001*dt)/dt) >= "
                        "timestep(_refractory, dt)")
            else:
                code = ("not_refractory = timestep(t - lastspike, dt) >= "
                        "timestep(_refractory, dt)")
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
        update = self._state_updater(ctx, self._system, self._refractory_statements(ctx.dt))
        ops = self._constant_over_dt_updater(ctx) + ([update] if update is not None else [])
        for event, (source, when, order) in self._events.items():
            condition = self._threshold if event == "spike" else parse_expression(source)
            space = self._event_space_of(event)
            code = []
            if event == "spike" and "not_refractory" in self._vars:
                condition = ast.BoolOp(op=ast.And(), values=[
                    condition, ast.Name(id="not_refractory", ctx=ast.Load())])
                code = assignments("lastspike = t\nnot_refractory = False")
            bound = ctx.bind(self, "threshold", code, condition=(condition, source),
                             cache_key=("thresholder", event))
            bound.set("_spikes", space._spike_buffer()[0])
            over_elements(bound, self.N)
            name = f"{self.name}_{event}_thresholder"  # Brian 2's name
            ops.append(Threshold(when, order, name, bound, space))
        for event, (statements, when, order) in self._event_code.items():
            space = self._event_space_of(event)
            bound = ctx.bind(self, "subset", statements, cache_key=("on_event", event),
                             conditional_write=False)
            name = f"{self.name}_{event}_resetter"
            ops.append(OnEvent(when, order, name, bound, space))
        return ops

    def _spike_buffer(self) -> tuple[np.ndarray, int]:
        """The array the threshold writes spike indices into, and the current count."""
        return self._spikes, self._nspikes

    def _spike_buffer_done(self, buffer: np.ndarray, count: int) -> None:
        self.__dict__["_nspikes"] = count  # bypasses __setattr__, which checks names

    @property
    def spikes(self) -> np.ndarray:
        """Indices of the neurons that spiked in the last step."""
        return self._spikes[: self._nspikes]


def _network_time(group) -> float:
    """The current time of the network ``group`` (or a subgroup's parent) last ran in:
    what ``t`` means in an expression assigned between runs (Brian 2's rule)."""
    network = getattr(group, "parent", group).__dict__.get("_network")
    return network.t if network is not None else 0.0


class EventSpace:
    """The neurons of a group in which a custom event happened in the current step
    (Brian 2's ``_<event>space``): what synapses and monitors triggered by it read.

    The ``'spike'`` event's space is the group itself.
    """

    def __init__(self, group: NeuronGroup, event: str):
        self.group, self.event = group, event
        self.N = group.N
        self.where = f"event '{event}' of {group.where}"
        self._buffer = np.zeros(max(group.N, 1), dtype=np.int64)
        self._count = 0

    def __len__(self) -> int:
        return self.N

    @property
    def spikes(self) -> np.ndarray:
        """Indices of the neurons in which the event happened in the last step."""
        return self._buffer[: self._count]

    def _spike_buffer(self) -> tuple[np.ndarray, int]:
        return self._buffer, self._count

    def _spike_buffer_done(self, buffer: np.ndarray, count: int) -> None:
        self._count = count


class _EventSlice:
    """The events of a subgroup: the parent's, restricted and renumbered from zero."""

    def __init__(self, parent: EventSpace, start: int, stop: int):
        self.parent, self.start, self.stop = parent, start, stop
        self.N = stop - start

    def __len__(self) -> int:
        return self.N

    @property
    def spikes(self) -> np.ndarray:
        return _slice_sorted(self.parent.spikes, self.start, self.stop)


def _slice_sorted(spikes: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The indices in ``[start, stop)`` of sorted indices, counted from ``start``."""
    if not spikes.size:
        return spikes
    lo, hi = spikes.searchsorted(start), spikes.searchsorted(stop)
    return spikes[lo:hi] - start if start else spikes[lo:hi]


def _no_event(group, event: str) -> SnnError:
    hint = "; did you forget to set a threshold?" if event == "spike" else \
        did_you_mean(event, getattr(group, "events", {}))
    return SnnError(f"{group.where} does not define an event '{event}'{hint}")


class Subgroup(StateAccess):
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

    def variable_ref(self, name: str) -> VariableRef | None:
        ref = self.parent.variable_ref(name)
        if ref is None or ref.ref.index is not None:
            return ref  # shared, or read through an index array (sliced below)
        return ref._replace(array=ref.array[self.start:self.stop])

    def index_array(self, name: str) -> np.ndarray:
        return self.parent.index_array(name)[self.start:self.stop]

    def write_condition(self, name: str) -> str | None:
        return self.parent.write_condition(name)

    @property
    def events(self) -> dict[str, str]:
        return getattr(self.parent, "events", {})

    def event_source(self, event: str):
        """The subgroup's share of an event of its parent (see NeuronGroup.event_source)."""
        space = self.parent.event_source(event)
        return self if space is self.parent else _EventSlice(space, self.start, self.stop)

    def inline(self, expr: ast.expr) -> ast.expr:
        return self.parent.inline(expr)

    def special_scalars(self) -> dict:
        return {"N": (self.N, TypeInfo(DIMENSIONLESS, "int"))}

    def _static_types(self):
        return self.parent._static_types()

    @property
    def spikes(self) -> np.ndarray:
        """Indices (within the subgroup) of its neurons that spiked in the last step."""
        # Spikes come out of a threshold sorted by index, so the subgroup's are a slice.
        return _slice_sorted(self.parent.spikes, self.start, self.stop)

    _evaluate = Group._evaluate
    _view_indices = Group._view_indices

    def _dimension_of(self, name: str):
        return self.parent._dimension_of(name)
    _key_indices = Group._key_indices
    _view_write = Group._view_write

    def _view_array(self, name: str) -> np.ndarray:
        if name == "i":
            return np.arange(self.N)  # a subgroup counts its elements from zero
        return self.parent._view_array(name)[self.start:self.stop]

    def _absolute_range(self) -> tuple[int, int]:
        """As an index of the parent's variables (``G.v[G[:10]]``)."""
        return self.start, self.stop

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in ("i", "i_"):
            return VariableView(self, "i")
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
        value = assigned_values(self, name, value, caller_namespace(0), shared=var.shared)
        if var.shared:
            self.parent._assign(name, value, None)
        else:
            self._view_write(name, slice(None), value)

"""Synapses: connectivity, per-synapse variables, spike propagation with delays, plasticity.

Synapses are stored in creation order (as in Brian 2) with 32-bit pre- and postsynaptic
indices. Spike propagation walks compressed rows (CSR) of the spiking neurons only;
a homogeneous delay uses a ring buffer of spiking neurons, heterogeneous delays a ring
buffer of synapse indices. Event-driven variables are advanced exactly at each event;
clock-driven ones are integrated every step; ``(summed)`` variables are reduced into
the target before the target's state update, as Brian 2 orders them.
"""

from __future__ import annotations

import ast
import uuid
from dataclasses import dataclass

import numpy as np

from .backends import ArrayRef
from .clocks import clock_dt, set_clock
from .codeobject import VariableRef, check_per_element_writes, temporaries
from .connect import connect_pairs
from .equations import Equations, parse_equations, substituted_namespace
from .errors import DimensionMismatchError, IndexingError, ModelSyntaxError, SnnError
from .expressions import (
    RESERVED,
    TypeInfo,
    assignments,
    identifiers,
    infer,
    parse_expression,
    substitute,
)
from .groups import Group, RunContext
from .integration import build_system, choose_method, constant_over_dt, linear_system
from .namespace import caller_namespace
from .operations import KernelCall, Operation, Propagate, PropagateQueued, over_elements
from .units import DIMENSIONLESS, SECOND
from .views import VariableView, assigned_values, checked_values, flat_indices

#: The flags Synapses allow, by kind of line (Brian 2's), and the sets of them that
#: exclude each other.
_SYN_FLAGS = {"differential": {"clock-driven", "event-driven"},
              "subexpression": {"summed", "shared", "constant over dt"},
              "parameter": {"constant", "shared", "linked"}}
_EXCLUSIVE_FLAGS = ({"clock-driven", "event-driven"}, {"summed", "shared"},
                    {"summed", "constant over dt"})


@dataclass
class Pathway:
    """One direction of spike transmission: ``pre`` (source spikes) or ``post``."""

    name: str
    direction: str  # 'pre' or 'post'
    statements: list  # (target, expr, source)
    order: int
    event: str = "spike"  # the event of the source group that triggers it


class Synapses(Group):
    """Connections between two groups, with Brian 2-style model code.

    Parameters
    ----------
    source, target : group or subgroup
    model : str or Equations
        Per-synapse equations; flags ``clock-driven``, ``event-driven`` and, for
        ``x_post = expr : unit (summed)``, ``summed``.
    on_pre, on_post : str or dict of str, optional
        Statements run for each synapse when a presynaptic (postsynaptic) spike
        arrives; a dict defines several named pathways.
    delay : float or dict, optional
        Transmission delay of the ``pre`` pathway (seconds), or ``{pathway: delay}`` for
        named pathways; per-synapse delays are set later with ``S.delay = ...``.
    multisynaptic_index : str, optional
        Name of an integer variable numbering the synapses of each (pre, post) pair in
        creation order (0, 1, ...), for ``S.w[i, j, k]``.
    method : str, optional
        Integration method of clock-driven equations.
    namespace : dict, optional
    name : str, optional
    on_event : str or dict of str
        The event of the source (``pre``) or target (``post``) group that triggers each
        pathway, ``'spike'`` by default: one name for all pathways, or a dict from
        pathway names to event names (see ``events=`` of NeuronGroup).
    """

    _base_name = "synapses"
    _element_index = None
    _plain_attributes = Group._plain_attributes | {"source", "target", "multisynaptic_index"}

    def __init__(self, source, target=None, model: str | Equations | None = "", on_pre=None,
                 on_post=None, delay: float | dict | None = None,
                 multisynaptic_index: str | None = None, method: str | None = None,
                 namespace: dict | None = None, name: str | None = None, dt=None,
                 on_event: str | dict = "spike"):
        target = source if target is None else target
        for role, group in (("source", source), ("target", target)):
            if not hasattr(group, "variable_ref"):
                raise SnnError(f"the {role} of Synapses must be a group, got {group!r}")
        super().__init__(0, name, substituted_namespace(model, namespace), dt)
        self.source, self.target = source, target
        model = model or ""
        if multisynaptic_index is not None:
            if not isinstance(multisynaptic_index, str) or not multisynaptic_index.isidentifier():
                raise SnnError(f"multisynaptic_index of {self.where} must be a variable name, "
                               f"got {multisynaptic_index!r}")
            line = f"{multisynaptic_index} : integer"
            model = model + line if isinstance(model, Equations) else f"{model}\n{line}"
        self.multisynaptic_index = multisynaptic_index
        eqs = parse_equations(model, _SYN_FLAGS, owner="Synapses")
        for eq in eqs:
            for exclusive in _EXCLUSIVE_FLAGS:
                if exclusive <= eq.flags:
                    first, second = sorted(exclusive)
                    raise ModelSyntaxError(f"the flags '{first}' and '{second}' cannot be "
                                           f"combined (line of {self.where})", eq.source)
        for eq in eqs:
            if eq.name in _RESERVED:
                raise SnnError(f"'{eq.name}' is a reserved name in Synapses and cannot be a "
                               f"variable of {self.where} (line '{eq.source}')")
        summed = [eq for eq in eqs if "summed" in eq.flags]
        for eq in summed:
            del eqs.equations[eq.name]
        self._add_equations(eqs)
        self._add_variable("_synaptic_pre", DIMENSIONLESS, "int32")
        self._add_variable("_synaptic_post", DIMENSIONLESS, "int32")
        self._summed = [self._check_summed(eq) for eq in summed]
        types = self._static_types()
        for suffix, group in (("_pre", source), ("_post", target)):
            for name, info in group._static_types().items():
                types[name + suffix] = info
        for eq in summed:
            info = infer(self.inline(eq.expr), types, eq.source)
            if info.dim is not None and not info.is_zero and info.dim != eq.dim:
                raise DimensionMismatchError(
                    f"inconsistent units in '{eq.source}' of {self.where}: declared "
                    f"{eq.dim}, but the expression has dimension {info.dim}")
        event = [eq.name for eq in eqs.of_kind("differential") if "event-driven" in eq.flags]
        clock = [eq.name for eq in eqs.of_kind("differential") if eq.name not in event]
        self._event_system = build_system(eqs, event) if event else None
        if event:
            self._add_variable("lastupdate", SECOND)
            lin = linear_system(self._event_system)
            if any(k != m for (k, m) in lin.A):
                raise SnnError(f"event-driven equations of {self.where} must each depend "
                               "only on their own variable")
        self._clock_system = build_system(eqs, clock)
        self.method = choose_method(method, self._clock_system) if clock else None
        self._pathways: list[Pathway] = []
        events = {} if isinstance(on_event, str) else dict(on_event)
        default_event = on_event if isinstance(on_event, str) else "spike"
        for direction, code in (("pre", on_pre), ("post", on_post)):
            if code is None:
                continue
            items = code.items() if isinstance(code, dict) else [(direction, code)]
            for order, (pname, text) in enumerate(items):
                statements = assignments(text)
                temporaries(statements, self._writable, self)
                check_per_element_writes(self, statements)
                event = events.get(pname, default_event)
                group, role = (source, "source") if direction == "pre" else (target, "target")
                try:
                    group.event_source(event)
                except SnnError as exc:
                    raise SnnError(f"pathway '{pname}' of {self.where}: the {role} {exc}") \
                        from None
                self._pathways.append(Pathway(pname, direction, statements, order, event))
        unknown = set(events) - {p.name for p in self._pathways}
        if unknown:
            raise SnnError(f"on_event of {self.where} names no pathway: "
                           f"{', '.join(sorted(unknown))} (pathways: "
                           f"{', '.join(p.name for p in self._pathways) or 'none'})")
        #: Delay of each pathway by name: one value in seconds when all synapses have
        #: it (stored once), else one per synapse.
        self._delays: dict[str, float | np.ndarray] = {}
        #: Pathways whose delay was given before any synapse (here, usually): one value
        #: for every synapse, those made later too; a delay set with ``S.delay = ...``
        #: is per synapse, and synapses made after it start at 0, as in Brian 2.
        self._shared_delays: set[str] = set()
        if isinstance(delay, dict):
            names = [p.name for p in self._pathways]
            for pname, value in delay.items():
                if pname not in names:
                    raise SnnError(f"delay given for the pathway '{pname}' of {self.where}, "
                                   f"which has the pathways {names}")
                self._set_delay(value, pathway=pname)
        elif delay is not None:
            self._set_delay(delay)
        self._csr_cache: dict[str, tuple] = {}
        self._queues: dict[tuple, list] = {}
        #: Names the synapses as connected now (a new name whenever synapses are added):
        #: a snapshot of the same connections need not copy them back on restore().
        self._connections = uuid.uuid4().hex

    # ---- variables --------------------------------------------------------------------

    def _writable(self, name: str) -> bool:
        """Whether ``name`` is a variable that code may write (else ``x = ...`` declares a
        temporary)."""
        if name in RESERVED:
            return True
        try:
            return self.variable_ref(name) is not None
        except SnnError:  # a linked variable of the source or target, not linked yet
            return True

    def explain_unknown(self, name: str) -> str:
        """Why a ``_pre``/``_post`` name that is no variable was looked up as a constant."""
        for suffix, group in (("_pre", self.source), ("_post", self.target)):
            if name.endswith(suffix):
                role = "source" if suffix == "_pre" else "target"
                return (f" (the {role} group {group.where} has no variable "
                        f"'{name[: -len(suffix)]}', so '{name}' was looked up as an "
                        "external constant)")
        return ""

    def inline(self, expr: ast.expr) -> ast.expr:
        """Own subexpressions, and those of the source and target named with ``_pre`` and
        ``_post`` (``F_pre``), written in the synapse's terms (their variables suffixed,
        their ``i`` the synapse's ``i`` or ``j``), as Brian 2 substitutes them."""
        expr = super().inline(expr)
        mapping = {}
        for suffix, group, index in (("_pre", self.source, "i"), ("_post", self.target, "j")):
            base = getattr(group, "parent", group)
            subexpressions = base.__dict__.get("_subexpressions", {})
            for name in identifiers(expr):
                own = name[: -len(suffix)]
                if not name.endswith(suffix) or own not in subexpressions \
                        or own in base._vars or name in self._vars:
                    continue
                definition = base.inline(ast.Name(id=own, ctx=ast.Load()))
                renames = {n: ast.Name(id=n + suffix, ctx=ast.Load())
                           for n in identifiers(definition) if n in base._vars or n == "N"}
                if "i" in identifiers(definition):
                    renames["i"] = ast.Name(id=index, ctx=ast.Load())
                mapping[name] = substitute(definition, renames)
        return substitute(expr, mapping) if mapping else expr

    def _check_summed(self, eq):
        if not eq.name.endswith(("_post", "_pre")):
            raise SnnError(f"summed variable '{eq.name}' of {self.where} must end in _post or "
                           f"_pre to name its target (line '{eq.source}')")
        direction = "post" if eq.name.endswith("_post") else "pre"
        base = eq.name[: -len(direction) - 1]
        group = self.target if direction == "post" else self.source
        parent = getattr(group, "parent", group)
        var = parent._vars.get(base)
        is_param = var is not None and base not in {
            e.name for e in parent._eqs.of_kind("differential")} and not base.startswith("_")
        if not is_param:
            raise SnnError(f"the target of the summed variable '{eq.name}' of {self.where} "
                           f"must be a parameter of {group.where} (declare '{base} : unit' "
                           f"there); line '{eq.source}'")
        if var.dim != eq.dim:
            raise DimensionMismatchError(
                f"summed variable '{eq.name}' of {self.where} is declared in {eq.dim}, but "
                f"its target '{base}' has dimension {var.dim}; line '{eq.source}'")
        return direction, base, eq

    def _count_variable(self, name: str) -> None:
        """Create ``N_incoming`` or ``N_outgoing`` when first used (they cost 4 bytes per
        synapse each, so large networks that never use them do not carry them)."""
        if name not in self._vars:
            self._add_variable(name, DIMENSIONLESS, "int32", constant=True)
            self._update_count(name)

    def _update_count(self, name: str) -> None:
        index, group = (("_synaptic_post", self.target) if name == "N_incoming"
                        else ("_synaptic_pre", self.source))
        values = self.index_array(index)
        self._vars[name].array[:] = np.bincount(values, minlength=len(group))[values]

    def variable_names(self) -> list[str]:
        own = super().variable_names() + [n for n in _COUNTS if n not in self._vars] + ["i", "j"]
        # An unsuffixed name of the target's is its postsynaptic variable (Brian 2's rule),
        # so StateMonitor(S, 'g') records g_post through each synapse.
        post = [n for n in self.target.variable_names()
                if n not in own and self.target.variable_ref(n) is not None]
        return own + [f"{n}_pre" for n in self.source.variable_names()] + \
            [f"{n}_post" for n in self.target.variable_names()] + post

    def variable_ref(self, name: str) -> VariableRef | None:
        if name == "i":
            return self._index_ref("_synaptic_pre")
        if name == "j":
            return self._index_ref("_synaptic_post")
        if name in _COUNTS:
            self._count_variable(name)
        own = super().variable_ref(name)
        if own is not None:
            return own
        for suffix, group, index in (("_pre", self.source, "_synaptic_pre"),
                                     ("_post", self.target, "_synaptic_post")):
            if name.endswith(suffix):
                ref = group.variable_ref(name[: -len(suffix)])
                if ref is None:
                    return None
                return self._through(ref, suffix[1:], index)
        ref = self.target.variable_ref(name)  # unsuffixed: the postsynaptic variable
        return None if ref is None else self._through(ref, "post", "_synaptic_post")

    def write_condition(self, name: str) -> str | None:
        if name in self._vars:
            return None
        for suffix, group in (("_pre", self.source), ("_post", self.target)):
            if name.endswith(suffix):
                condition = group.write_condition(name[: -len(suffix)])
                return None if condition is None else condition + suffix
        condition = self.target.write_condition(name)
        return None if condition is None else condition + "_post"

    def _index_ref(self, name: str) -> VariableRef:
        return VariableRef(ArrayRef(f"_a_{name}", None), self._vars[name].array,
                           TypeInfo(DIMENSIONLESS, "int"), True)

    def _through(self, var: VariableRef, side: str, index: str) -> VariableRef:
        """A variable of the pre- or postsynaptic group, read through ``index``."""
        shared = var.ref.index == "shared"
        return var._replace(ref=ArrayRef(f"_a_{side}{var.ref.array}",
                                         "shared" if shared else index))

    def _scalar_link(self, size: int) -> bool:
        return size == 1  # Brian 2: synapses, whose number may change, have no fixed size

    def index_array(self, name: str) -> np.ndarray:
        if name in self._vars:
            return self._vars[name].array
        return super().index_array(name)  # the index of a linked variable

    def special_scalars(self) -> dict:
        return {"N": (len(self), TypeInfo(DIMENSIONLESS, "int")),
                "N_pre": (len(self.source), TypeInfo(DIMENSIONLESS, "int")),
                "N_post": (len(self.target), TypeInfo(DIMENSIONLESS, "int"))}

    def __len__(self) -> int:
        return self._vars["_synaptic_pre"].array.size

    @property
    def i(self) -> VariableView:
        """Presynaptic index of each synapse (read-only)."""
        return VariableView(self, "i")

    @property
    def j(self) -> VariableView:
        """Postsynaptic index of each synapse (read-only)."""
        return VariableView(self, "j")

    @property
    def N_incoming_post(self) -> np.ndarray:
        """Number of synapses onto each neuron of the target."""
        return np.bincount(self.index_array("_synaptic_post"),
                           minlength=len(self.target)).astype(np.int32)

    @property
    def N_outgoing_pre(self) -> np.ndarray:
        """Number of synapses from each neuron of the source."""
        return np.bincount(self.index_array("_synaptic_pre"),
                           minlength=len(self.source)).astype(np.int32)

    @property
    def indices(self) -> _SynapseIndices:
        """``S.indices[i, j]``, ``S.indices['i > j']``: synapse indices, as in Brian 2."""
        return _SynapseIndices(self)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ("delay", "delay_"):
            self._pre_pathway()
            return VariableView(self, "delay")
        if name in _COUNTS:
            self._count_variable(name)
        vars_ = self.__dict__.get("_vars", {})
        base = name[:-1] if name.endswith("_") and name[:-1] in vars_ else name
        if base in vars_ and not base.startswith("_"):
            var = vars_[base]
            if var.shared:
                return var.array[0]
            return VariableView(self, base)
        for suffix, group, index in (("_pre", "source", "_synaptic_pre"),
                                     ("_post", "target", "_synaptic_post")):
            if name.endswith(suffix) and "_vars" in self.__dict__:
                values = getattr(self.__dict__[group], name[: -len(suffix)])
                return np.asarray(values)[vars_[index].array] if np.ndim(values) else values
        return self._attribute(name, 1)

    def __setattr__(self, name: str, value) -> None:
        if name in ("delay", "delay_"):
            self._set_delay(value, caller_namespace(0), self._pre_pathway())
            return
        if name in _READ_ONLY or name == self.__dict__.get("multisynaptic_index"):
            raise SnnError(f"'{name}' of {self.where} is set by connect() and is read-only")
        self._set(name, value, caller_namespace(0))

    # ---- delays -------------------------------------------------------------------------

    def _pre_pathway(self) -> str:
        """The pathway ``S.delay`` means (Brian 2's rule: the one named 'pre')."""
        if self._pathways and "pre" not in (p.name for p in self._pathways):
            names = [p.name for p in self._pathways]
            raise SnnError(f"{self.where} has no pathway named 'pre' (it has {names}), so "
                           "'delay' means nothing; give delays per pathway with "
                           "delay={name: value}")
        return "pre"

    def _set_delay(self, value, namespace=None, pathway: str = "pre") -> None:
        if isinstance(value, dict):
            raise SnnError(f"the delay of {self.where} is a dict {value!r}: give it as "
                           "Synapses(..., delay={pathway: value}), not as S.delay")
        value = assigned_values(self, "delay", value, namespace or caller_namespace(1))
        array = np.asarray(value, dtype=float)
        if array.ndim > 1 or (array.ndim == 1 and array.size not in (1, len(self))):
            raise SnnError(f"cannot set the delay of {self.where}: got {array.size} values for "
                           f"{len(self)} synapses")
        _check_delays(array, self.where)
        if not len(self):
            # Brian 2 refuses this; snncore has always taken it for every synapse to come.
            self._shared_delays.add(pathway)
        self._store_delay(pathway, array)

    def _store_delay(self, pathway: str, array: np.ndarray) -> None:
        """One value when every synapse has the same delay, else a copy per synapse."""
        if array.size and np.all(array == array.flat[0]):
            self._delays[pathway] = float(array.flat[0])
        else:
            self._delays[pathway] = np.array(array, dtype=float)

    def _delay_values(self, pathway: str) -> np.ndarray:
        """The delay of every synapse along a pathway (a new array)."""
        delay = self._delays.get(pathway, 0.0)
        if isinstance(delay, np.ndarray):
            return delay.copy()
        return np.full(len(self), delay)

    def _dimension_of(self, name: str):
        return SECOND if name == "delay" else super()._dimension_of(name)

    # ---- indexed access: S.w[i, j], S.w['i > j'] (snncore/views.py) ---------------------

    def _view_array(self, name: str) -> np.ndarray:
        if name == "delay":
            return self._delay_values("pre")
        if name in ("i", "j"):
            return self._vars["_synaptic_pre" if name == "i" else "_synaptic_post"].array
        if name in self._links:
            return super()._view_array(name)
        return self._vars[name].array

    def __getitem__(self, item) -> SynapticSubgroup:
        """``S[i, :]``, ``S['i > j']``, ``S[10:20]``: the synapses a key of ``S.w[...]``
        selects, as an object usable as ``record=`` of a StateMonitor, to index a
        StateMonitor (``M[S[i, :]]``) and the synapses' variables (``S.w[S[i, :]]``), as
        Brian 2's synaptic subgroups are."""
        indices = self._view_indices(item, caller_namespace(0), "the synapses")
        return SynapticSubgroup(self, np.atleast_1d(np.arange(len(self))[indices]))

    def _key_indices(self, key, what: str):
        if isinstance(key, tuple):
            return self._synapse_indices(key, what)
        if isinstance(key, SynapticSubgroup):
            return key._indices_of(self, what)
        if hasattr(key, "_absolute_range"):
            raise IndexingError(f"{what} is indexed by synapse; for the synapses of a group "
                                "of neurons write S.w[G, :] or S.w[:, G]")
        return flat_indices(key, len(self), what)

    def _synapse_indices(self, key: tuple, what: str) -> np.ndarray:
        """The synapses matching ``(i, j)`` or ``(i, j, k)``, in creation order."""
        if len(key) not in (2, 3):
            raise IndexingError(f"{what} takes 1, 2 (i, j) or 3 (i, j, k) indices, got "
                                f"{len(key)}: {key!r}")
        mask = _matches(self.index_array("_synaptic_pre"), key[0], self.source,
                        f"the presynaptic index of {what}")
        mask &= _matches(self.index_array("_synaptic_post"), key[1], self.target,
                         f"the postsynaptic index of {what}")
        if len(key) == 3 and not (isinstance(key[2], slice) and key[2] == slice(None)):
            if self.multisynaptic_index is None:
                raise IndexingError(f"the third index of {what} needs a multisynaptic index: "
                                    "create the Synapses with multisynaptic_index='k'")
            numbers = self._vars[self.multisynaptic_index].array
            mask &= _matches(numbers, key[2], int(numbers.max(initial=-1)) + 1,
                             f"the multisynaptic index of {what}", bounded=False)
        return np.flatnonzero(mask)

    def _view_write(self, name: str, indices, value) -> None:
        if name in ("i", "j") or name in _READ_ONLY or name == self.multisynaptic_index:
            raise SnnError(f"'{name}' of {self.where} is set by connect() and is read-only")
        if name != "delay":
            super()._view_write(name, indices, value)
            return
        delays = self._delay_values("pre")
        count = np.arange(delays.size)[indices].size
        values = checked_values(value, count, f"the delay of {self.where}", float)
        _check_delays(values, self.where)
        delays[indices] = values
        self._store_delay("pre", delays)

    # ---- connecting -----------------------------------------------------------------

    def connect(self, condition: str | bool | None = None, i=None, j=None, p=1.0,
                n: int | str = 1, skip_if_invalid: bool = False,
                namespace: dict | None = None, level: int = 0) -> None:
        """Create synapses (the forms of Brian 2's ``Synapses.connect``).

        Parameters
        ----------
        condition : str or bool, optional
            Boolean expression of ``i``, ``j`` and pre/post variables; ``True`` connects
            all pairs, ``False`` none.
        i, j : int, array or str, optional
            Explicit indices, or for one of them an expression (``j='i'``,
            ``j='i+1 if i < N_pre-1'``) or a generator over ``range(...)`` or
            ``sample(..., p=...)`` / ``sample(..., size=...)``
            (``j='k for k in range(i-3, i+4) if j != i'``; the ``if`` may use the
            generated index and its group's variables).
        p : float or str
            Connection probability, a number in [0, 1] or an expression. A number, or
            an expression of ``i`` and presynaptic variables, picks each source's
            targets by geometric skips from one target to the next, as Brian 2's
            ``sample`` does, so the cost grows with the synapses made, not with
            ``N_pre * N_post``; the condition is then tested on the picked pairs
            only. An expression of ``j`` or postsynaptic variables draws for every
            pair.
        n : int or str
            Number of synapses per connected pair, or an expression of ``i`` and ``j``.
        skip_if_invalid : bool
            Drop generated indices outside their group instead of failing.
        """
        ns = namespace if namespace is not None else caller_namespace(level)
        pre, post = connect_pairs(self, condition, i, j, p, n, skip_if_invalid, ns)
        self._append(pre, post)

    def _append(self, pre: np.ndarray, post: np.ndarray) -> None:
        if len(self) + pre.size > np.iinfo(np.int32).max:
            raise SnnError(f"{self.where} would have more than 2**31 - 1 synapses")
        old = len(self)
        new = old + pre.size
        # The first connection keeps connect()'s index arrays (new, int32) as they are:
        # no second copy of them at the peak.
        adopt = {"_synaptic_pre": pre, "_synaptic_post": post} if old == 0 and \
            pre is not post and all(a.dtype == np.int32 and a.flags.owndata and
                                    a.flags.writeable for a in (pre, post)) else {}
        for name, var in self._vars.items():
            if var.shared:
                continue
            if name in adopt:
                var.array = adopt[name]
                continue
            grown = np.zeros(new, dtype=var.array.dtype)
            grown[:old] = var.array
            if name == "lastupdate":
                grown[old:] = 0.0
            var.array = grown
        all_pre, all_post = self._vars["_synaptic_pre"].array, self._vars["_synaptic_post"].array
        if not adopt:
            all_pre[old:], all_post[old:] = pre, post
        for pname, delay in self._delays.items():
            if pname in self._shared_delays or isinstance(delay, float) and delay == 0.0:
                continue
            # A per-synapse delay: the new synapses' start at 0.
            grown = np.zeros(new)
            grown[:old] = delay
            self._store_delay(pname, grown)
        for name in _COUNTS:
            if name in self._vars:
                self._update_count(name)
        if self.multisynaptic_index is not None:
            self._vars[self.multisynaptic_index].array[:] = _pair_counts(all_pre, all_post)
        self.N = new
        self._csr_cache.clear()
        self._connections = uuid.uuid4().hex

    # ---- running --------------------------------------------------------------------

    def _written_by_code(self) -> dict:
        out: dict[str, set] = {}
        constant = {name for name, _e, _s in constant_over_dt(self._eqs)}
        if constant:
            out[self.name] = constant
        for pathway in self._pathways:
            for target, _e, _s in pathway.statements:
                for suffix, group in (("_pre", self.source), ("_post", self.target)):
                    if target.endswith(suffix):
                        parent = getattr(group, "parent", group)
                        out.setdefault(parent.name, set()).add(target[: -len(suffix)])
                if self.variable_ref(target) is not None and target not in self._vars and \
                        not target.endswith(("_pre", "_post")):
                    parent = getattr(self.target, "parent", self.target)
                    out.setdefault(parent.name, set()).add(target)
            out.setdefault(self.name, set()).update(t for t, _e, _s in pathway.statements
                                                    if t in self._vars)
        for group_name, base in self.summed_targets():
            out.setdefault(group_name, set()).add(base)
        return out

    def summed_targets(self) -> list[tuple[str, str]]:
        """(group name, variable) of every summed variable's target."""
        out = []
        for direction, base, _eq in self._summed:
            group = self.target if direction == "post" else self.source
            out.append((getattr(group, "parent", group).name, base))
        return out

    def _csr(self, direction: str) -> tuple[np.ndarray, np.ndarray | None]:
        """Row pointers over the pre (or post) index and, unless already sorted, the order."""
        if direction not in self._csr_cache:
            index = self._vars["_synaptic_pre" if direction == "pre" else "_synaptic_post"].array
            size = len(self.source if direction == "pre" else self.target)
            ptr = np.zeros(size + 1, dtype=np.int64)
            np.cumsum(np.bincount(index, minlength=size), out=ptr[1:])
            perm = None
            if index.size > 1 and np.any(index[1:] < index[:-1]):
                perm = np.argsort(index, kind="stable").astype(np.int32)
            self._csr_cache[direction] = (ptr, perm)
        return self._csr_cache[direction]

    def _event_statements(self) -> list:
        """Exact advance of event-driven variables from ``lastupdate`` to ``t``."""
        if self._event_system is None:
            return []
        lin = linear_system(self._event_system)
        out = [("_dt_event", parse_expression("t - lastupdate", internal=True), "")]
        for k, name in enumerate(lin.names):
            a = lin.A.get((k, k))
            b = lin.b.get(k)
            if a is not None:
                out.append((f"_a_{k}", a, ""))
            if b is not None:
                out.append((f"_b_{k}", b, ""))
            if a is None:
                text = f"{name} + _dt_event*_b_{k}" if b is not None else name
            else:
                text = f"{name}*exp(_a_{k}*_dt_event)"
                if b is not None:
                    text += f" + _dt_event*exprel(_a_{k}*_dt_event)*_b_{k}"
            out.append((name, parse_expression(text, internal=True), ""))
        return out

    def _operations(self, ctx: RunContext) -> list[Operation]:
        ops: list[Operation] = []
        if not len(self):
            return ops
        ops += self._constant_over_dt_updater(ctx)
        for direction, base, eq in self._summed:
            group = self.target if direction == "post" else self.source
            on_target = ctx.on_clock(clock_dt(group))  # Brian 2: the target's clock
            ops.append(set_clock(self._summed_op(on_target, direction, base, eq), on_target))
        update = self._state_updater(ctx, self._clock_system)
        if update is not None:
            ops.append(update)
        event = self._event_statements()
        tail = [("lastupdate", parse_expression("t"), "")] if event else []
        for pathway in self._pathways:
            statements = event + pathway.statements + tail
            side = self.source if pathway.direction == "pre" else self.target
            on_source = ctx.on_clock(clock_dt(side))  # Brian 2: the source's clock
            ops.append(set_clock(self._pathway_op(on_source, pathway, statements), on_source))
        return ops

    def _summed_op(self, ctx: RunContext, direction: str, base: str, eq) -> Operation:
        group = self.target if direction == "post" else self.source
        target_array = group.variable_ref(base).array
        index = "_synaptic_post" if direction == "post" else "_synaptic_pre"
        bound = ctx.bind(self, "summed", [], condition=(eq.expr, eq.source),
                         summed=(target_array, index), cache_key=("summed", base, len(self)))
        parent = getattr(group, "parent", group)
        return KernelCall("groups", -1, f"{self.name}_summed_variable_{base}_{parent.name}",
                          over_elements(bound, len(self)))

    def _pathway_op(self, ctx: RunContext, pathway: Pathway, statements) -> Operation:
        source = (self.source if pathway.direction == "pre" else self.target) \
            .event_source(pathway.event)
        ptr, perm = self._csr(pathway.direction)
        delay = self._delays.get(pathway.name, 0.0)
        if isinstance(delay, np.ndarray):
            steps = _delay_steps(delay, ctx.dt)
            homogeneous = None if steps.size and np.any(steps != steps[0]) else \
                (int(steps[0]) if steps.size else 0)
            if homogeneous is None and steps.max() < 1 << 31:
                steps = steps.astype(np.int32)  # 4 bytes per synapse, not 8
        else:
            steps, homogeneous = None, int(_delay_steps(np.asarray(delay), ctx.dt))
        length = (homogeneous if homogeneous is not None else int(steps.max(initial=0))) + 1
        key = (pathway.name, homogeneous is None)
        ring = self._queues.get(key)
        if ring is None or len(ring) != length:
            # Without a delay, spikes are delivered at once and the ring holds none.
            ring = self._queues[key] = (SpikeRing(length, len(source) if length > 1 else 0)
                                        if homogeneous is not None
                                        else DelayQueue(length, len(self)))
        name = f"{self.name}_{pathway.name}"
        if homogeneous is not None:
            bound = ctx.bind(self, "rows", statements, rows=(ptr, perm),
                             cache_key=("rows", pathway.name, len(self)))
            return Propagate("synapses", pathway.order, name, bound, source, homogeneous, ring)
        bound = ctx.bind(self, "subset", statements,
                         cache_key=("queued", pathway.name, len(self)))
        return PropagateQueued("synapses", pathway.order, name, bound, source, steps, ptr, perm,
                             ring)

    def _state(self) -> dict:
        state = super()._state()
        state["_queues"] = {key: ring.copy() for key, ring in self._queues.items()}
        state["_size"] = len(self)
        state["_connections"] = self._connections
        return state

    def _set_state(self, state: dict) -> None:
        if state["_size"] != len(self):
            raise SnnError(f"{self.where} gained synapses after store() and cannot be restored")
        skip = {"_queues", "_size", "_connections"}
        if state.get("_connections") == self._connections:
            # The same connections: their read-only index arrays are as stored, and
            # copying them back (8 bytes a synapse) was half of restoring Brunel-Hakim.
            skip |= {"_synaptic_pre", "_synaptic_post", *_COUNTS}
        # As for groups (Group._set_state): the propagators a run adds after store()
        # are not in the snapshot, and the next run makes them again.
        super()._set_state({name: array for name, array in state.items()
                            if name not in skip})
        self._queues = {key: ring.copy() for key, ring in state["_queues"].items()}


_RESERVED = {"i", "j", "delay", "N", "N_incoming", "N_outgoing", "lastupdate"}
_COUNTS = ("N_incoming", "N_outgoing")
_READ_ONLY = {"i", "j", *_COUNTS}


class SynapticSubgroup:
    """Some synapses of a :class:`Synapses` object, in the order a key selected them
    (``S[i, :]``); they stand for their indices where Brian 2 takes a synaptic
    subgroup. Adding synapses afterwards makes the subgroup invalid, as in Brian 2."""

    def __init__(self, synapses: Synapses, indices: np.ndarray):
        self.synapses = synapses
        self._stored = indices.astype(np.int32)
        self._count = len(synapses)

    def _indices(self) -> np.ndarray:
        """The synapse indices (a new array)."""
        if len(self.synapses) != self._count:
            raise SnnError(f"synapses were added to {self.synapses.where} after this "
                           f"subgroup of {self._count} synapses was created; index again")
        return self._stored.copy()

    def _indices_of(self, synapses, what: str) -> np.ndarray:
        """The indices, when used for ``what`` of ``synapses`` (the same object)."""
        if synapses is not self.synapses:
            raise IndexingError(f"{what} is indexed with a subgroup of "
                                f"{self.synapses.where}, not of {synapses.where}")
        return self._indices()

    def __len__(self) -> int:
        return self._stored.size

    def __repr__(self) -> str:
        return f"<SynapticSubgroup, storing {len(self)} indices of {self.synapses.name}>"


class _SynapseIndices:
    """``S.indices[...]``: the synapse numbers a key of ``S.w[...]`` selects."""

    def __init__(self, synapses: Synapses):
        self._synapses = synapses

    def __getitem__(self, key) -> np.ndarray:
        syn = self._synapses
        indices = syn._view_indices(key, caller_namespace(0), "indices")
        return np.arange(len(syn), dtype=np.int32)[indices]


def _matches(values: np.ndarray, key, group, what: str, bounded: bool = True) -> np.ndarray:
    """Which of ``values`` (neuron indices of each synapse) a key of ``S.w[i, j]`` selects.

    The key is an int, a slice, an int array or sequence, a subgroup or a boolean mask of
    the neurons of ``group`` (or a number of elements), as in Brian 2; an index outside
    ``0..size-1`` is an error. A subgroup selects by its place in the parent group.
    """
    size = group if isinstance(group, int) else len(group)
    if isinstance(key, slice):
        if key == slice(None):
            return np.ones(values.size, dtype=bool)
        return np.isin(values, np.arange(*key.indices(size)))
    if hasattr(key, "_absolute_range"):
        start, stop = key._absolute_range()
        offset = group._absolute_range()[0] if hasattr(group, "_absolute_range") else 0
        return (values + offset >= start) & (values + offset < stop)
    array = np.asarray(key)
    if array.dtype == bool:
        if array.shape != (size,):
            raise IndexingError(f"a boolean mask as {what} must have {size} elements, got "
                                f"shape {array.shape}")
        return array[values]
    if array.ndim > 1 or (array.size and array.dtype.kind not in "iu"):
        raise IndexingError(f"{what} must be an int, a slice or an int array, got {key!r}")
    array = array.reshape(-1)
    bad = array[(array < 0) | (array >= size)] if bounded else array[array < 0]
    if bad.size:
        raise IndexingError(f"{what} is {int(bad[0])}, outside the valid range 0 to "
                            f"{size - 1}")
    return np.isin(values, array)


def _pair_counts(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """For each synapse, how many earlier synapses join the same (pre, post) pair."""
    pair = pre.astype(np.int64) * (int(post.max(initial=0)) + 1) + post
    order = np.argsort(pair, kind="stable")
    sorted_pairs = pair[order]
    starts = np.r_[0, np.flatnonzero(sorted_pairs[1:] != sorted_pairs[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, pair.size]))
    counts = np.empty(pair.size, dtype=np.int32)
    counts[order] = np.arange(pair.size) - run_start
    return counts


def _check_delays(array: np.ndarray, where: str) -> None:
    bad = array[~np.isfinite(array) | (array < 0)]
    if bad.size:
        raise SnnError(f"delays of {where} must be finite and non-negative, got "
                       f"{float(bad.flat[0])!r} s")


class SpikeRing:
    """Spikes in flight along a pathway with one delay of ``D`` steps.

    Row ``s`` of ``buf`` holds the source neurons whose spikes are due at the steps
    ``k`` with ``k % length == s``, and ``counts[s]`` how many there are.
    """

    def __init__(self, length: int, n_source: int):
        self.buf = np.zeros((length, max(n_source, 1)), dtype=np.int64)
        self.counts = np.zeros(length, dtype=np.int64)

    def __len__(self) -> int:
        return self.counts.size

    def copy(self) -> SpikeRing:
        ring = SpikeRing.__new__(SpikeRing)
        ring.buf, ring.counts = self.buf.copy(), self.counts.copy()
        return ring


class DelayQueue:
    """Synapses in flight along a pathway with per-synapse delays.

    Row ``s`` of ``buf`` holds the synapses due at the steps ``k`` with
    ``k % length == s`` (``counts[s]`` of them), in the order they were queued: spike
    by spike, each neuron's synapses in CSR order. Both renderings keep this order
    (:func:`snncore.backends.numpy_step.propagate_queued`,
    :func:`snncore.backends.loop_helpers._queue_step`), so effects summed into one
    target neuron add up in the same order and agree to the last bit. Rows grow
    (columns double) when one is full.
    """

    def __init__(self, length: int, n_synapses: int):
        # A start for spread-out delays; a row rarely holds more than its share. Synapse
        # indices are below 2**31 (connect() refuses more synapses).
        self.buf = np.zeros((length, max(16, n_synapses // length)), dtype=np.int32)
        self.counts = np.zeros(length, dtype=np.int64)

    def __len__(self) -> int:
        return self.counts.size

    def copy(self) -> DelayQueue:
        queue = DelayQueue.__new__(DelayQueue)
        queue.buf, queue.counts = self.buf.copy(), self.counts.copy()
        return queue


def _delay_steps(delays: np.ndarray, dt: float) -> np.ndarray:
    """Delays in steps, halves rounded up as Brian 2's spike queue does."""
    return np.floor(delays / dt + 0.5).astype(np.int64)

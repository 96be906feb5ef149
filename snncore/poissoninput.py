"""Poisson input added straight to a target variable: Brian 2's ``PoissonInput``.

Each step, every element of the target receives the events of ``N`` independent
Poisson sources of rate ``rate``: a Binomial(N, rate*dt) count (drawn as Brian 2 draws
it, see :mod:`snncore.binomial`), times ``weight``, is added to ``target_var``. This
costs one draw per element and step, however many sources there are, and stores no
spikes.
"""

from __future__ import annotations

import ast

import numpy as np

from . import scope
from .backends import ArrayRef
from .codeobject import VariableRef
from .errors import SnnError
from .expressions import TypeInfo, did_you_mean, parse_expression
from .groups import RunContext
from .operations import Operation, PoissonDraws, over_elements
from .random import stream_key
from .regular import check_slot
from .units import DIMENSIONLESS

_COUNT = "_poisson_count"
_WEIGHT = "_poisson_weight"


def use_normal(n: int, p: float) -> bool:
    """Whether Brian 2 approximates Binomial(n, p) by a normal distribution."""
    return n * p > 5 and n * (1 - p) > 5


class PoissonInput:
    """Independent Poisson input to a variable of every element of a group.

    Parameters
    ----------
    target : group or subgroup
    target_var : str
        The variable that each event increases by ``weight``.
    N : int
        Number of Poisson sources per element.
    rate : float
        Rate of each source (Hz).
    weight : float or str
        The increment per event, in the unit of ``target_var``: a number, or an
        expression evaluated for each element (it may use the target's variables,
        ``t`` and external constants).
    when : str
        Schedule slot, ``'synapses'`` as in Brian 2.
    order : int
    name : str, optional
    """

    def __init__(self, target, target_var: str, N: int, rate: float, weight: float | str,
                 when: str = "synapses", order: int = 0, name: str | None = None):
        self.name = name or scope.unique_name("poissoninput")
        self.where = f"PoissonInput '{self.name}'"
        if not hasattr(target, "variable_ref"):
            raise SnnError(f"the target of {self.where} must be a group, got {target!r}")
        ref = target.variable_ref(target_var) if isinstance(target_var, str) else None
        if ref is None or target_var.startswith("_"):
            raise SnnError(f"{self.where}: {target.where} has no variable '{target_var}'"
                           f"{did_you_mean(str(target_var), target.variable_names())}")
        if ref.constant:
            raise SnnError(f"{self.where}: '{target_var}' of {target.where} is a constant")
        if isinstance(N, bool) or not isinstance(N, int | np.integer) and \
                not (isinstance(N, float) and N.is_integer()) or N < 1:
            raise SnnError(f"{self.where}: N must be an integer >= 1, got {N!r}")
        if isinstance(rate, str) or not isinstance(rate, int | float | np.number) or \
                not np.isfinite(rate) or rate < 0:
            raise SnnError(f"{self.where}: rate must be a non-negative rate in Hz, "
                           f"got {rate!r}")
        if not isinstance(weight, str | int | float | np.number):
            raise SnnError(f"{self.where}: weight must be a number or an expression "
                           f"string, got {weight!r}")
        self.target, self.target_var = target, target_var
        self.N, self.rate, self.weight = int(N), float(rate), weight
        self.when, self.order = check_slot(when, self.where), int(order)
        self.namespace = target.namespace
        self._owner = _CountOwner(self, ref.type)
        self._counts = np.zeros(len(target))
        scope.register(self)

    def _written_by_code(self) -> dict:
        return {getattr(self.target, "parent", self.target).name: {self.target_var}}

    def _statement(self) -> tuple[str, ast.expr, str]:
        """``target_var = target_var + count*(weight)``, checked like any model code."""
        if isinstance(self.weight, str):
            weight, text = parse_expression(self.weight), self.weight
        else:
            weight, text = ast.Name(id=_WEIGHT, ctx=ast.Load()), repr(self.weight)
        expr = ast.BinOp(ast.Name(id=self.target_var, ctx=ast.Load()), ast.Add(),
                         ast.BinOp(ast.Name(id=_COUNT, ctx=ast.Load()), ast.Mult(), weight))
        return self.target_var, expr, f"{self.target_var} += <Poisson events>*({text})"

    def _operations(self, ctx: RunContext) -> list[Operation]:
        p = self.rate * ctx.dt
        if p > 1:
            raise SnnError(f"{self.where}: rate*dt = {p:g} is above 1; a source cannot fire "
                           "more than once per step (use a smaller dt)")
        normal = use_normal(self.N, p)
        counts = self._counts
        bound = ctx.bind(self._owner, "all", [self._statement()],
                         cache_key=("poissoninput", self.target_var,
                                    self.weight if isinstance(self.weight, str) else None))
        return [PoissonDraws(self.when, self.order, self.name,
                             over_elements(bound, counts.size), counts, self.N, p, normal,
                             ctx.backend, stream_key(self, "counts"), ctx.dt)]

    def _state(self) -> dict:
        return {}

    def _set_state(self, state: dict) -> None:
        pass


class _CountOwner:
    """The target seen by the input's code: its variables, plus this step's event counts
    and the numeric weight (an argument, so a new weight needs no new kernel)."""

    def __init__(self, source: PoissonInput, target_type: TypeInfo):
        self._source, self._target_type = source, target_type
        self._element_index = source.target._element_index
        self._stream_owner = source  # a weight expression's draws are the input's
        self.namespace = source.namespace
        self.where = source.where

    def variable_ref(self, name: str) -> VariableRef | None:
        if name == _COUNT:
            return VariableRef(ArrayRef("_a" + _COUNT), self._source._counts,
                               TypeInfo(DIMENSIONLESS, "float"), True)
        return self._source.target.variable_ref(name)

    def index_array(self, name: str) -> np.ndarray:
        return self._source.target.index_array(name)

    def write_condition(self, name: str) -> str | None:
        return self._source.target.write_condition(name)

    def inline(self, expr: ast.expr) -> ast.expr:
        return self._source.target.inline(expr)

    def special_scalars(self) -> dict:
        out = dict(self._source.target.special_scalars())
        if not isinstance(self._source.weight, str):
            out[_WEIGHT] = (float(self._source.weight), self._target_type)
        return out

    def variable_names(self) -> list[str]:
        return self._source.target.variable_names()

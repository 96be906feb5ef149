"""Finding state that became inf or nan during a run.

A model that diverges (``dv/dt = v/ms``, euler with dt above a time constant, the square
root of a negative number) fills its state with inf and nan, and the run would go on
silently. The network checks, at the end of each chunk of steps it runs (the fused
Numba loop and the Python loop both run in chunks), the variables that model code
integrates or writes: differential variables, and what resets, synaptic pathways,
summed variables, ``run_regularly`` and ``(constant over dt)`` subexpressions assign.
Other variables may hold inf on purpose (a ``lastspike`` set to ``-inf``), and so may
elements of a checked variable that were already non-finite when the run started: only
elements that become non-finite during the run are reported.

``prefs.snncore.nonfinite`` says what happens: ``'error'`` (the default) raises
:class:`~snncore.errors.NonFiniteError`, ``'warn'`` warns once per variable and element
and goes on, ``'ignore'`` does not check. The error leaves the network at the end of the
chunk: its time, state and monitors are those of that moment.

A check costs one sum per checked array (inf and nan propagate through a sum), and it is
skipped while the time since the last check is under 50 times what the last check took,
so it stays under 2 % of the run time; the last chunk of a run is always checked.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .errors import NonFiniteError, SnnError
from .expressions import NonLinear, affine

#: The values of ``prefs.snncore.nonfinite``.
MODES = ("error", "warn", "ignore")
#: A check runs when at least this many times its own cost has passed since the last one.
_BUDGET = 50
#: Methods that are unstable for a time constant shorter than dt.
_EXPLICIT = {"euler", "heun", "rk2", "rk4", "milstein"}


@dataclass
class _Watched:
    owner: object
    name: str
    array: np.ndarray
    known: np.ndarray | None  # elements already non-finite (not reported)
    integrated: bool
    written: bool  # by a reset, a pathway, a summed variable, run_regularly


class NonFiniteCheck:
    """The check of one run.

    Parameters
    ----------
    objects : list
        The network's objects.
    written : dict
        ``{group name: names}`` written by model code during the run.
    dt : float
        The run's time step (for the hint).
    namespace : mapping
        The run's namespace (for the hint's time constant).
    mode : {'error', 'warn'}
    """

    def __init__(self, objects, written: dict, dt: float, namespace, mode: str):
        self.dt, self.namespace, self.mode = dt, namespace, mode
        self.watched: list[_Watched] = []
        with np.errstate(over="ignore", invalid="ignore"):
            self._watch(objects, written)
        self._cost = 0.0
        self._last = time.perf_counter()

    def _watch(self, objects, written: dict) -> None:
        for obj in objects:
            variables = obj.__dict__.get("_vars")
            eqs = obj.__dict__.get("_eqs")
            if not variables or eqs is None:
                continue
            integrated = {eq.name for eq in eqs.of_kind("differential")}
            by_code = written.get(obj.name, set())
            for name in sorted(integrated | by_code):
                var = variables.get(name)
                if var is None or name.startswith("_") or var.array.dtype.kind != "f":
                    continue
                known = None
                if not _all_finite(var.array):
                    known = ~np.isfinite(var.array)
                self.watched.append(_Watched(obj, name, var.array, known,
                                             name in integrated, name in by_code))

    def after_chunk(self, t: float, final: bool) -> None:
        """Check unless the last check was too recent for the budget (a final chunk is
        always checked)."""
        began = time.perf_counter()
        if not final and began - self._last < _BUDGET * self._cost:
            return
        try:
            self.check(t)
        finally:
            self._last = time.perf_counter()
            self._cost = self._last - began

    def check(self, t: float) -> None:
        """Raise or warn (per the mode) for the first variable with new non-finite values."""
        for watched in self.watched:
            if _all_finite(watched.array):
                continue
            bad = ~np.isfinite(watched.array)
            if watched.known is not None:
                bad &= ~watched.known
            if not bad.any():
                continue  # already non-finite at the start, or a sum that overflowed
            message = self._message(watched, np.flatnonzero(bad), t)
            if self.mode == "error":
                raise NonFiniteError(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            watched.known = bad if watched.known is None else watched.known | bad

    def _message(self, watched: _Watched, bad: np.ndarray, t: float) -> str:
        owner, name = watched.owner, watched.name
        first = int(bad[0])
        value = watched.array[first]
        element = _element(owner, first, watched.array.size)
        others = f" ({bad.size} elements in all)" if bad.size > 1 else ""
        return (f"'{name}' of {owner.where} became {value} at {element}{others}; found at "
                f"t = {t * 1e3:g} ms, the end of a run chunk (it became non-finite at or "
                f"before that time). {self._hint(watched, first)} To go on with non-finite "
                "values, set prefs.snncore.nonfinite = 'warn' (or 'ignore').")

    def _hint(self, watched: _Watched, index: int) -> str:
        owner, name = watched.owner, watched.name
        dt = f"dt = {self.dt * 1e3:g} ms"
        by_code = (f"'{name}' is set by model code (a reset, on_pre/on_post, a summed "
                   "variable or run_regularly)")
        if not watched.integrated:
            return (f"{by_code}: look for a division by zero or a value that grows without "
                    "bound there.")
        method = owner.__dict__.get("method") or "the default method"
        rate = _self_rate(owner, name, index, self.namespace)
        if rate is not None and rate > 0:
            return (f"{name} grows exponentially (d{name}/dt has the time constant "
                    f"+{1e3 / rate:g} ms at this element) and overflows; check the sign of "
                    "the equation.")
        if rate is not None and rate < 0 and method in _EXPLICIT and -1 / rate < self.dt:
            return (f"The time constant of {name} at this element is {-1e3 / rate:g} ms, "
                    f"shorter than {dt}: the '{method}' method is unstable there; use a "
                    "smaller dt, or method='exact' (linear) or 'exponential_euler'.")
        also = f", and {by_code}" if watched.written else ""
        return (f"'{name}' is integrated with '{method}' at {dt}{also}: look for a time "
                "constant shorter than dt (explicit methods such as euler are unstable "
                "there), a square root or logarithm of a negative value, a division by zero "
                "or an exponential that overflows.")


def _all_finite(array: np.ndarray) -> bool:
    """True when every value is finite; usually one sum, as inf and nan propagate.

    Called under ``np.errstate(over='ignore', invalid='ignore')`` (a sum of inf and -inf
    is nan): the run sets it once, not each check, which would allocate objects that
    trigger Python's garbage collector inside the check.
    """
    if math.isfinite(np.add.reduce(array)):  # 1-D: no keywords, no dict to allocate
        return True
    return bool(np.isfinite(array).all())


def _element(owner, index: int, size: int) -> str:
    """'neuron 3', 'synapse 12 (i=3, j=5)' or 'the shared value'."""
    if size == 1 and len(owner) != 1:
        return "the shared value"
    variables = owner.__dict__["_vars"]
    if "_synaptic_pre" in variables:
        i = int(variables["_synaptic_pre"].array[index])
        j = int(variables["_synaptic_post"].array[index])
        return f"synapse {index} (i={i}, j={j})"
    return f"neuron {index}" if type(owner).__name__ == "NeuronGroup" else f"element {index}"


def _self_rate(owner, name: str, index: int, namespace) -> float | None:
    """The coefficient of ``name`` in ``d<name>/dt`` (1/s) at one element, when the
    equation is linear in ``name`` and the coefficient can be evaluated; else None."""
    for system in (owner.__dict__.get(key) for key in
                   ("_system", "_clock_system", "_event_system")):
        if system is None or name not in system.f:
            continue
        try:
            coef = affine(system.f[name], {name}).get(name)
            if coef is None:
                return None
            values = np.broadcast_to(owner._evaluate(coef, namespace), (len(owner),))
        except (NonLinear, SnnError, ArithmeticError, ValueError):
            return None
        rate = float(values[index]) if len(owner) else math.nan
        return rate if math.isfinite(rate) else None
    return None

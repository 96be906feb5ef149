"""``TimedArray``: a function of time (and of an index) given by an array of values.

``ta = TimedArray(values, dt=0.1*ms)`` makes ``ta(t)`` the value of the time step that
contains ``t``: ``values[k]`` for ``k*dt <= t < (k+1)*dt``, the first value before the
start and the last one after the end. ``TimedArray(values2d, dt)`` is called as
``ta(t, i)``: row ``k`` as above, column ``i``. Model code calls it like any function
(``I = ta(t) : amp``, ``v = ta2d(t, i % 2) : volt``), and Python code too
(``ta(0.5*ms)``).

Indexing follows Brian 2 (``brian2/input/timedarray.py``) exactly, so that both
simulators read the same value at every step: time is divided into ``K`` sub-steps of
the calling group's ``dt`` (``K``, a power of two, is at least 8 per step of the calling
group), ``t`` is rounded to the nearest sub-step (half to even) and the row is that
sub-step divided by ``K``, truncated, then clipped to the array. This places every
``t = k*dt`` in row ``k`` despite rounding. Called from Python, the grid is
``defaultclock.dt``'s. A column index outside the array gives NaN (as Brian 2's compiled
targets; its numpy target raises or wraps around).

The values reach kernels as an array argument, never as code: giving a ``TimedArray``
new values (``ta.values = ...``, or a new ``TimedArray`` under the same name) and running
again reuses the compiled kernels.

Units: values are SI floats, so their dimension is not known unless stated with
``unit=`` (a unit such as ``nA``, or a string such as ``'nA'``). A ``TimedArray``
without a unit matches any dimension in model code, as an external constant does.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import SnnError
from .functions import Function, Signature, unit_dimension
from .units import DIMENSIONLESS, SECOND

__all__ = ["TimedArray"]


def upsampling(group_dt: float, dt: float) -> int:
    """Brian 2's ``K``: sub-steps per step of the TimedArray, at least 8 per group step."""
    return max(int(2 ** math.ceil(math.log2(8 / group_dt * dt))), 1)


def row_index(t, dt: float, n_rows: int, group_dt: float):
    """The row of a TimedArray with step ``dt`` and ``n_rows`` rows read at time ``t``
    (scalar or array) by code running with step ``group_dt``."""
    k = upsampling(group_dt, dt)
    epsilon = dt / k
    return np.clip(np.int_(np.round(np.asarray(t) / epsilon) / k), 0, n_rows - 1)


class TimedArray(Function):
    """Values on a regular time grid, callable as ``ta(t)`` (1-D) or ``ta(t, i)`` (2-D).

    Parameters
    ----------
    values : array-like
        1-D (one value per time step) or 2-D (time steps x indices), in SI units;
        booleans become 0 and 1.
    dt : float
        The time between successive values (seconds).
    name : str, optional
    unit : unit or str, optional
        The unit of the values (``nA``, ``'nA'``, ``1``), for dimension checking in model
        code; without it their dimension is unknown and not checked.
    """

    def __init__(self, values, dt: float, name: str | None = None, unit=None):
        if not isinstance(dt, int | float | np.number) or not np.isfinite(dt) or dt <= 0:
            raise SnnError(f"the dt of a TimedArray must be a positive duration in seconds, "
                           f"got {dt!r}")
        self.dt = float(dt)
        self.name = name or "timedarray"
        self.values = values
        self.dim = unit_dimension(unit, f"the unit of TimedArray '{self.name}'") \
            if unit is not None else None
        if self.dim == "bool":
            raise SnnError(f"the unit of TimedArray '{self.name}' cannot be bool")
        self.stateless = True
        self.auto_vectorise = False
        self.implementations = {}
        self.pyfunc = self.__call__

    @property
    def values(self) -> np.ndarray:
        """The values (float64, C order); assigning new ones keeps compiled kernels."""
        return self._values

    @values.setter
    def values(self, values) -> None:
        try:
            array = np.ascontiguousarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise SnnError(f"the values of TimedArray '{self.name}' must be numbers, got "
                           f"{values!r}") from None
        if array.ndim not in (1, 2):
            raise SnnError(f"TimedArray '{self.name}' needs 1-D or 2-D values, got "
                           f"{array.ndim}-D")
        if array.shape[0] == 0 or array.size == 0:
            raise SnnError(f"TimedArray '{self.name}' has no values")
        if getattr(self, "_values", None) is not None and array.ndim != self._values.ndim:
            raise SnnError(f"TimedArray '{self.name}' is {self._values.ndim}-D; new values "
                           f"must be too, got {array.ndim}-D")
        self._values = array

    @property
    def ndim(self) -> int:
        return self._values.ndim

    def __repr__(self) -> str:
        return f"<TimedArray '{self.name}' {self._values.shape}, dt={self.dt!r}>"

    def __call__(self, t, i=None):
        """The value at time ``t`` (and index ``i`` for a 2-D array), on the grid of
        ``defaultclock.dt``, as in Brian 2."""
        from .network import defaultclock

        if (i is None) != (self.ndim == 1):
            raise SnnError(f"TimedArray '{self.name}' is {self.ndim}-D: call it as "
                           + ("ta(t)" if self.ndim == 1 else "ta(t, i)"))
        rows = row_index(t, self.dt, len(self._values), float(defaultclock.dt))
        if i is None:
            out = self._values[rows]
        else:
            out = column_values(self._values, rows, i)
        return float(out) if np.ndim(out) == 0 else out

    def is_locally_constant(self, dt: float) -> bool:
        """Whether values stay constant over a step of ``dt`` (``self.dt`` a multiple of it)."""
        if dt > self.dt:
            return False
        ratio = self.dt / float(dt)
        return float(np.floor(ratio)) == ratio

    def signature(self, name: str) -> Signature:
        args = (SECOND,) if self.ndim == 1 else (SECOND, DIMENSIONLESS)
        return Signature(name, args, self.dim)


def column_values(values: np.ndarray, rows, i) -> np.ndarray:
    """``values[rows, i]`` with ``i`` truncated to an integer, NaN where it is outside."""
    cols = np.trunc(np.asarray(i, dtype=float))
    rows, cols = np.broadcast_arrays(rows, cols)
    inside = (cols >= 0) & (cols < values.shape[1])
    out = np.full(rows.shape, np.nan)
    out[inside] = values[rows[inside], cols[inside].astype(np.int64)]
    return out

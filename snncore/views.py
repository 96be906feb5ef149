"""``G.v`` and ``S.w``: arrays with Brian 2's indexing, read and write.

A :class:`VariableView` is a numpy array (so ``plot(G.v)``, ``G.v * 2``, ``G.v.mean()``
work unchanged) that reads and writes through its owner when indexed:

- ``G.v[idx]`` with an int, a slice, an int array or a boolean mask; ``G.v['v > 5*mV']``
  with a condition on the owner's variables (and on ``i``, ``j``, pre/post variables for
  synapses); ``S.w[i, j]`` and ``S.w[i, j, k]`` for the synapses between ``i`` and ``j``;
- ``G.v[...] = value`` with a scalar, an array of the selection's size or an expression
  string, after checking it.

Indexing returns a copy, never a window into the simulator's buffers: keeping
``x = S.w[:]`` and changing it leaves the synapses alone. Arrays derived from a view
(``G.v * 2``, ``np.sort(G.v)``) are plain numpy arrays. Only a numpy-style key that
adds axes (``S.w[:, None]``, as matplotlib does) is read with numpy's own semantics.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import DimensionMismatchError, IndexingError, SnnError
from .expressions import infer, parse_expression
from .namespace import caller_namespace


class VariableView(np.ndarray):
    """One variable of a group, synapses or subgroup, indexed as in Brian 2.

    Parameters
    ----------
    owner : group
        Provides ``_view_array(name)`` (the current values), ``_view_indices(key,
        namespace)`` (flat indices of a key), ``_view_write(name, indices, values)`` and
        ``where``.
    name : str
        The variable.
    """

    _owner = None
    _name = ""

    def __new__(cls, owner, name: str) -> VariableView:
        view = np.asarray(owner._view_array(name)).view(cls)
        view._owner, view._name = owner, name
        return view

    def __array_finalize__(self, obj) -> None:
        self._owner = None  # arrays derived from a view hold data, not a variable

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = _plain(inputs)
        if "out" in kwargs:
            kwargs["out"] = _plain(kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __str__(self) -> str:
        return str(self.view(np.ndarray))

    def __hash__(self) -> int:
        # Brian 2 code uses variables as dict keys ({G.tau: value} in device.run's
        # run_args); a view names one variable of one owner.
        return hash((id(self._owner), self._name))

    def __reduce__(self):  # pickles (and deep copies) as a plain array
        return self.view(np.ndarray).copy().__reduce__()

    def __getitem__(self, key):
        owner = self._owner
        if owner is None:
            return super().__getitem__(key)
        values = np.asarray(owner._view_array(self._name))
        if _adds_axes(key):
            return np.array(values[key])
        indices = owner._view_indices(key, caller_namespace(0), self._name)
        return values[indices].copy() if isinstance(indices, slice) else values[indices]

    def __setitem__(self, key, value) -> None:
        owner = self._owner
        if owner is None:
            super().__setitem__(key, value)
            return
        namespace = caller_namespace(0)
        indices = owner._view_indices(key, namespace, self._name)
        if isinstance(value, str):
            values = assigned_values(owner, self._name, value, namespace)
            value = np.broadcast_to(values, (len(owner),))[indices]
        owner._view_write(self._name, indices, value)


def _plain(obj):
    """``obj`` with every VariableView in it (or in a tuple or list of it) as ndarray."""
    if isinstance(obj, VariableView):
        return obj.view(np.ndarray)
    if isinstance(obj, tuple | list):
        return type(obj)(_plain(o) for o in obj)
    return obj


def _adds_axes(key) -> bool:
    """A numpy-style key (``[:, None]``, ``[..., 0]``, ``(3,)``), read as numpy reads it."""
    return isinstance(key, tuple) and (len(key) == 1 or
                                       any(k is None or k is Ellipsis for k in key))


def flat_indices(key, size: int, what: str):
    """Indices into ``size`` elements from an int, a slice, an int array or a bool mask.

    Returns a slice or an int array; raises :class:`IndexingError` naming the offending
    index and the valid range.
    """
    if isinstance(key, slice):
        return key
    if hasattr(key, "_absolute_range"):  # a Subgroup of the same group
        return slice(*key._absolute_range())
    if isinstance(key, bool | np.bool_):
        raise IndexingError(f"cannot index {what} with the boolean {key!r}")
    if isinstance(key, numbers.Integral):
        _check_bounds(np.asarray([key]), size, what)
        return int(key)
    array = np.asarray(key)
    if array.dtype == bool:
        if array.shape != (size,):
            raise IndexingError(f"a boolean index of {what} must have {size} elements, got "
                                f"shape {array.shape}")
        return np.flatnonzero(array)
    if array.ndim > 1 or (array.size and array.dtype.kind not in "iu"):
        raise IndexingError(f"cannot index {what} with {key!r}: use an int, a slice, an "
                            "int array, a boolean mask or a condition string")
    array = array.reshape(-1).astype(np.int64)
    _check_bounds(array, size, what)
    return array


def _check_bounds(array: np.ndarray, size: int, what: str) -> None:
    bad = array[(array < -size) | (array >= size)]
    if bad.size:
        raise IndexingError(f"index {int(bad[0])} is out of range for {what}: valid indices "
                            f"are 0 to {size - 1}" if size else
                            f"index {int(bad[0])} is out of range for {what}: it is empty")


def condition_indices(owner, condition: str, namespace, what: str) -> np.ndarray:
    """Indices of the elements of ``owner`` where a condition string holds."""
    expr = parse_expression(condition)
    result = np.asarray(owner._evaluate(expr, namespace))
    if result.dtype != bool:
        raise SnnError(f"cannot index {what} with '{condition}': it is not a boolean "
                       "condition such as 'v > 5*mV' or 'i != j'")
    return np.flatnonzero(np.broadcast_to(result, (len(owner),)))


def assigned_values(owner, name: str, value, namespace, shared: bool = False):
    """What assigning ``value`` to variable ``name`` of ``owner`` writes: an expression
    string is evaluated per element after checking its dimension against the variable's.

    Every assignment path (``G.v = ...``, ``G[:2].v = ...``, ``G.v[idx] = ...``,
    ``S.w = ...``, ``S.delay = ...``, ``set_states``) comes through here, so they all
    check alike. A number or an array is returned as it is: plain SI floats carry no
    dimension to check.
    """
    if not isinstance(value, str):
        return value
    expr = parse_expression(value)
    dim = owner._dimension_of(name)
    info = infer(expr, owner._static_types(), value)
    if not info.is_zero and None not in (info.dim, dim) and info.dim != dim:
        raise DimensionMismatchError(
            f"cannot set '{name}' of {owner.where} to '{value}': '{name}' has dimension "
            f"{dim}, the expression has dimension {info.dim}")
    return owner._evaluate(expr, namespace, shared=shared)


def checked_values(value, count: int, what: str, dtype) -> np.ndarray:
    """``value`` as an array for ``count`` elements of a variable of ``dtype``."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise SnnError(f"cannot set {what} to {value!r}: not numeric")
    if array.ndim > 1 or (array.ndim == 1 and array.size not in (1, count)):
        raise SnnError(f"cannot set {what}: got {array.size} values for {count} element(s)")
    if np.dtype(dtype).kind in "iu" and array.dtype.kind == "f" and \
            np.any(array != np.round(array)):
        raise SnnError(f"cannot set {what} to {value!r}: the variable holds integers")
    return array

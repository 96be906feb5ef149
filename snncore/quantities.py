"""Brian 2's quantity helpers, for values that are plain SI floats.

Brian 2 attaches a dimension to every value; snncore's values are floats (``10*mV`` is
``0.01``) and dimensions are checked in model strings only. The helpers that still make
sense are here: ``check_units`` passes functions through, ``Quantity(x)`` is an array
or float in SI, and a unit constant itself (``mV``, ``faraday_constant``) still knows its
dimension. Asking for the dimension of a computed float raises a clear error instead.
``check_units`` (in :mod:`snncore.functions`) records the units for model code.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import SnnError
from .functions import check_units  # noqa: F401 - Brian 2 has it with the quantities
from .units import (
    _BASE,
    ALL_UNITS,
    CONSTANTS,
    DIMENSIONLESS,
    PHYSICAL_CONSTANTS,
    UNITS,
    Dimension,
    UnitConstant,
)

# The constants live as long as CONSTANTS does, so their ids are stable.
_NAME_OF_CONSTANT = {id(value): name for name, value in CONSTANTS.items()}
_DIM_OF_CONSTANT = {id(CONSTANTS[name]): dim
                    for name, (_value, dim) in (ALL_UNITS | PHYSICAL_CONSTANTS).items()}

#: Brian 2's ``DEFAULT_UNITS``: the unit names model code always sees.
DEFAULT_UNITS = {name: CONSTANTS[name] for name in UNITS}
#: Brian 2's ``DEFAULT_CONSTANTS``.
DEFAULT_CONSTANTS = {"pi": np.pi, "e": np.e, "inf": np.inf}


def _no_dimension(what: str, value: object) -> SnnError:
    return SnnError(
        f"{what} cannot tell the dimension of {value!r}: snncore's values are plain SI "
        "floats, whose dimensions are checked in model strings only (a unit constant such "
        "as mV itself still knows its dimension)")


def get_dimensions(value: object) -> Dimension:
    """The dimension of a unit constant: ``get_dimensions(mV)`` is volt's.

    A computed float (``3*mV``) has no dimension to report: SnnError.
    """
    if isinstance(value, Dimension):
        return value
    dim = _DIM_OF_CONSTANT.get(id(value))
    if dim is None:
        raise _no_dimension("get_dimensions", value)
    return dim


def have_same_dimensions(a: object, b: object) -> bool:
    """Whether two unit constants (or dimensions) have the same dimension."""
    return get_dimensions(a) == get_dimensions(b)


def is_dimensionless(value: object) -> bool:
    """Whether a unit constant (or dimension) is dimensionless."""
    return get_dimensions(value) == DIMENSIONLESS


def get_unit(value: object) -> float:
    """The SI base unit of a dimension or unit constant: ``get_unit(mV)`` is ``volt``."""
    dim = get_dimensions(value)
    for name, (scale, unit_dim) in ALL_UNITS.items():
        if scale == 1.0 and unit_dim == dim and not name[-1].isdigit():
            return CONSTANTS[name]
    return UnitConstant(1.0)


def get_or_create_dimension(*args, **exponents) -> Dimension:
    """A dimension from seven exponents (m, kg, s, A, K, mol, cd), given as a sequence, as
    keywords (``m=1, s=-1``) or by Brian 2's long names (``length=1, time=-1``)."""
    long = {"length": "m", "mass": "kg", "time": "s", "current": "A",
            "temperature": "K", "substance": "mol", "luminosity": "cd"}
    if args:
        if exponents or len(args) != 1 or len(args[0]) != len(_BASE):
            raise SnnError("get_or_create_dimension takes a sequence of 7 exponents "
                           "(m, kg, s, A, K, mol, cd) or keywords")
        return Dimension(tuple(float(x) for x in args[0]))
    exps = dict.fromkeys(_BASE, 0.0)
    for key, power in exponents.items():
        base = long.get(key, key)
        if base not in exps:
            raise SnnError(f"unknown base dimension '{key}'; use one of "
                           f"{', '.join(_BASE)} or {', '.join(long)}")
        exps[base] = float(power)
    return Dimension(tuple(exps.values()))


def in_unit(value, unit: float, precision: int | None = None) -> str:
    """The value as a string in a unit: ``in_unit(0.003, mV)`` is ``'3.0 mV'``.

    ``unit`` must be one of snncore's unit constants (its name is printed).
    """
    name = _NAME_OF_CONSTANT.get(id(unit))
    if name is None:
        raise SnnError(f"in_unit needs a unit constant such as mV or nS, got {unit!r}")
    scaled = np.asarray(value, dtype=float) / float(unit)
    if scaled.ndim == 0:
        number = float(scaled)
        text = repr(number) if precision is None else f"{number:.{precision}g}"
    else:
        text = np.array2string(scaled, precision=precision)
    return f"{text} {name}"


def in_best_unit(value, precision: int | None = None) -> str:
    """Brian 2 picks a unit from the value's dimension, which a plain float does not have."""
    raise _no_dimension("in_best_unit", value)


def is_scalar_type(value: object) -> bool:
    """Whether ``value`` is a single number (as in Brian 2: not an array of several)."""
    return isinstance(value, numbers.Number | np.number) or (
        isinstance(value, np.ndarray) and value.ndim == 0)


class _NumberType(type):
    """``isinstance(x, Quantity)`` is true for every number and array, as every value in
    snncore is a quantity in SI."""

    def __instancecheck__(cls, value: object) -> bool:
        return isinstance(value, numbers.Number | np.number | np.ndarray)


class Quantity(metaclass=_NumberType):
    """Brian 2's array with a unit: here the values themselves, in SI.

    ``Quantity(x)`` returns ``x`` as a float (scalar) or a float array; ``dim`` is accepted
    and ignored, since values carry no dimension.
    """

    def __new__(cls, arr, dim=None, dtype=None, copy: bool = False,
                force_quantity: bool = False):
        out = np.array(arr, dtype=dtype or float, copy=True if copy else None)
        return out.item() if out.ndim == 0 and not force_quantity else out


class _UnitType(type):
    def __instancecheck__(cls, value: object) -> bool:
        return isinstance(value, UnitConstant)


class Unit(metaclass=_UnitType):
    """Brian 2's unit class: ``Unit(value)`` is a unit constant of that SI value, and
    ``isinstance(mV, Unit)`` holds for snncore's unit constants."""

    def __new__(cls, arr=1.0, dim=None, name=None, dispname=None, latexname=None,
                scale=0, iscompound=False):
        return UnitConstant(float(arr))

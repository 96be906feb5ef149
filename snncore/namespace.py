"""Resolution of external names in model code, the way Brian 2 does it.

A name that is not a variable of the object is looked up in the object's explicit
``namespace``, then in the ``namespace`` given to ``run()``, then in the locals and
globals of the frame that called ``run()``. Unit names (``ms``, ``mV``) and ``pi``,
``e``, ``inf`` are always available. Values reach kernels as scalar arguments.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections import ChainMap
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import ModelSyntaxError, SnnError
from .expressions import TypeInfo, did_you_mean, unknown_identifier
from .functions import DEFAULT_FUNCTIONS, DEFAULT_SIGNATURES, Function, as_function
from .units import DIMENSIONLESS, UNITS

CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf}


def caller_namespace(level: int) -> Mapping[str, Any]:
    """Locals then globals of the frame ``level`` levels above the caller of this function."""
    frame = sys._getframe(level + 2)
    return ChainMap(frame.f_locals, frame.f_globals)


class Resolver:
    """Looks up external constants for one object during one ``run()``.

    Parameters
    ----------
    explicit : mapping or None
        The object's own ``namespace=`` argument.
    run_namespace : mapping or None
        ``namespace=`` given to ``run()``, or the caller's locals and globals.
    where : str
        Description of the object, for error messages.
    """

    def __init__(self, explicit: Mapping | None, run_namespace: Mapping | None, where: str):
        self.explicit = explicit
        self.run_namespace = run_namespace
        self.where = where

    def _lookup(self, name: str) -> Any:
        for ns in (self.explicit, self.run_namespace):
            if ns is not None and name in ns:
                return ns[name]
        raise KeyError(name)

    def typeinfo(self, name: str, candidates=()) -> TypeInfo:
        """Dimension and kind of an external name (dimensions of plain floats are unknown)."""
        if name in UNITS and (self.explicit is None or name not in self.explicit):
            return TypeInfo(UNITS[name][1], "float")
        if name in CONSTANTS:
            return TypeInfo(DIMENSIONLESS, "float")
        value = self.value(name, candidates)
        kind = "bool" if isinstance(value, bool | np.bool_) else "float"
        return TypeInfo(None, kind)

    def value(self, name: str, candidates=()) -> float | bool:
        """The numerical value of an external name, checked to be a scalar."""
        if name in UNITS and (self.explicit is None or name not in self.explicit):
            return UNITS[name][0]
        try:
            value = self._lookup(name)
        except KeyError:
            if name in CONSTANTS:
                return CONSTANTS[name]
            names = list(candidates)
            for ns in (self.explicit, self.run_namespace):
                if ns is not None:
                    names += [k for k in ns if isinstance(k, str) and not k.startswith("_")]
            raise unknown_identifier(name, names, self.where) from None
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, Function):
            raise SnnError(f"'{name}' used in {self.where} is a {type(value).__name__}, a "
                           f"function: call it, e.g. {name}(t)")
        if not isinstance(value, numbers.Real):
            raise SnnError(
                f"'{name}' used in {self.where} is a {type(value).__name__}, but external "
                "names in model code must be numbers")
        return float(value)

    def function(self, name: str) -> Function:
        """The function a called name refers to (a TimedArray, a :class:`Function`, or a
        Python function decorated with ``@check_units``)."""
        if name in DEFAULT_FUNCTIONS:  # added by the user; Brian 2 looks there first
            return as_function(DEFAULT_FUNCTIONS[name], name)
        try:
            value = self._lookup(name)
        except KeyError:
            names = set(DEFAULT_SIGNATURES)
            for ns in (self.explicit, self.run_namespace):
                if ns is not None:
                    names |= {k for k, v in ns.items() if isinstance(k, str)
                              and not k.startswith("_") and isinstance(v, Function)}
            raise ModelSyntaxError(
                f"function '{name}' is not allowed in model code of {self.where}: it is "
                "neither one of Brian 2's functions nor a TimedArray or Function in the "
                f"namespace{did_you_mean(name, names)}") from None
        return as_function(value, name)


def get_local_namespace(level: int = 0) -> dict[str, Any]:
    """Brian 2's helper: the globals and locals of the frame ``level`` levels above the
    caller (level 0 is the caller itself), locals winning."""
    frame = sys._getframe(level + 1)
    return {**frame.f_globals, **frame.f_locals}

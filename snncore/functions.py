"""Functions callable from model code: Brian 2's default functions and users' own.

Model code may call three kinds of function:

* Brian 2's default functions (``exp``, ``exprel``, ``clip``, ``int``, ``timestep``,
  ``rand``, ``poisson``, ...; :data:`DEFAULT_SIGNATURES`), whose dimensions are checked as
  Brian 2 checks them and which both backends compile;
* a :class:`~snncore.timedarray.TimedArray`, whose values reach kernels as an array
  argument;
* a user's :class:`Function`, or a Python function decorated with :func:`check_units`,
  found in the namespace like an external constant.

A user's Python function is called with whole arrays of SI floats, as Brian 2's numpy
target calls it. The Numba backend cannot compile an arbitrary Python function, so a
kernel whose code calls one runs vectorised in Python instead (the compiled loop of the
network returns to Python for it in each step): the script runs unchanged and gives the
numpy backend's numbers.

snncore's units are plain floats, so a unit given to ``arg_units`` or ``return_unit``
is recognised by identity (``mV``, ``second``: the unit constants themselves), as a
string (``'mV/ms'``), or as ``1``; a product such as ``mV/ms`` is a plain float whose
dimension is unknown, and is then not checked.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import units
from .errors import ModelSyntaxError, SnnError
from .units import DIMENSIONLESS, SECOND, Dimension, parse_unit

__all__ = ["Function", "implementation", "check_units", "declare_types", "exprel",
           "DEFAULT_FUNCTIONS", "DEFAULT_SIGNATURES", "Signature"]

#: An argument of any dimension (``None`` in Brian 2's ``arg_units``).
ANY = None


@dataclass(frozen=True)
class Signature:
    """How model code type-checks a call.

    Attributes
    ----------
    name : str
    args : tuple
        Per argument: a :class:`Dimension` it must have, ``None`` for any dimension,
        ``'bool'`` for a boolean, or an int ``k`` for "the dimension of argument k".
    result : Dimension, callable or None
        The result's dimension, a function of the arguments' dimensions, or None
        (unknown: matches any dimension).
    kind : {'float', 'int', 'bool', 'highest'}
        The result's type; 'highest' is the highest of the arguments' types.
    stateless : bool
        False for functions whose result changes between calls (random numbers).
    """

    name: str
    args: tuple
    result: Dimension | Callable | None
    kind: str = "float"
    stateless: bool = True


def _defaults() -> dict[str, Signature]:
    table = {}
    for name in ("exp", "log", "log10", "expm1", "exprel", "log1p", "sin", "cos", "tan",
                 "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan"):
        table[name] = Signature(name, (DIMENSIONLESS,), DIMENSIONLESS)
    same = lambda u, *_: u  # noqa: E731 - the dimension of the first argument
    table.update({
        "sqrt": Signature("sqrt", (ANY,), lambda u: u**0.5),
        "ceil": Signature("ceil", (ANY,), same),
        "floor": Signature("floor", (ANY,), same),
        "abs": Signature("abs", (ANY,), same, "highest"),
        "sign": Signature("sign", (ANY,), DIMENSIONLESS, "highest"),
        "clip": Signature("clip", (ANY, 0, 0), same, "highest"),
        "int": Signature("int", (DIMENSIONLESS,), DIMENSIONLESS, "int"),
        "timestep": Signature("timestep", (SECOND, SECOND), DIMENSIONLESS, "int"),
        "rand": Signature("rand", (), DIMENSIONLESS, stateless=False),
        "randn": Signature("randn", (), DIMENSIONLESS, stateless=False),
        "poisson": Signature("poisson", (DIMENSIONLESS,), DIMENSIONLESS, "int",
                             stateless=False),
    })
    return table


#: Brian 2's default functions (``brian2.core.functions.DEFAULT_FUNCTIONS``), by name.
DEFAULT_SIGNATURES: dict[str, Signature] = _defaults()


# --------------------------------------------------------------------------------------
# Units of user functions
# --------------------------------------------------------------------------------------


def _unit_dimensions() -> dict[int, Dimension]:
    """The dimension of each unit constant, by identity (its value alone is ambiguous)."""
    table = units.ALL_UNITS | units.PHYSICAL_CONSTANTS
    return {id(value): table[name][1] for name, value in units.CONSTANTS.items()}


def unit_dimension(unit, what: str) -> Dimension | None | str:
    """The dimension a unit stands for in ``arg_units``/``return_unit``.

    Returns a :class:`Dimension`, None (any dimension, or unknown), or ``'bool'``.
    """
    if unit is None:
        return None
    if unit is bool:
        return "bool"
    if isinstance(unit, Dimension):
        return unit
    if isinstance(unit, str):
        try:
            return parse_unit(unit)
        except ModelSyntaxError:
            raise SnnError(f"{what}: cannot read the unit {unit!r}") from None
    dim = getattr(unit, "dim", None)
    if isinstance(dim, Dimension):
        return dim
    dim = _unit_dimensions().get(id(unit))
    if dim is not None:
        return dim
    if isinstance(unit, int | np.integer) and not isinstance(unit, bool) and unit == 1:
        return DIMENSIONLESS
    if isinstance(unit, float | int | np.number):
        # A product of units (mV/ms) is a plain float: its dimension is not known.
        return None
    raise SnnError(f"{what}: {unit!r} is not a unit")


_KINDS = {"float": "float", "integer": "int", "boolean": "bool", "highest": "highest",
          "any": "any"}


class Function:
    """A Python function usable in model code, with the units of its arguments and result.

    Parameters
    ----------
    pyfunc : callable
        Called with arrays of SI floats (one value per element) on the numpy backend.
    arg_units : list, optional
        Per argument: a unit (``mV``, ``'mV/ms'``, ``1``), ``None`` for any unit,
        ``bool`` for a boolean, or the name of another argument (given in
        ``arg_names``) whose unit it must share. Taken from ``@check_units`` if omitted.
    return_unit : unit, bool or callable, optional
        The result's unit, or a function of the arguments' dimensions.
    arg_types, return_type : optional
        Brian 2's types (``'float'``, ``'integer'``, ``'boolean'``, ``'any'``,
        ``'highest'``).
    stateless : bool
        False if the function returns different values for the same arguments.
    auto_vectorise : bool
        Call the function with an extra last argument: an array of element indices.
    arg_names : list of str, optional
    sympy_func : ignored
        Accepted for compatibility with Brian 2.
    """

    def __init__(self, pyfunc: Callable, sympy_func=None, arg_units: Sequence | None = None,
                 arg_names: Sequence[str] | None = None, return_unit=None,
                 arg_types: Sequence[str] | None = None, return_type: str | None = None,
                 stateless: bool = True, auto_vectorise: bool = False):
        if not callable(pyfunc):
            raise SnnError(f"Function needs a callable, got {pyfunc!r}")
        self.pyfunc = pyfunc
        self.name = getattr(pyfunc, "__name__", "function")
        if arg_units is None:
            arg_units = getattr(pyfunc, "_arg_units", None)
            if not hasattr(pyfunc, "_arg_units"):
                raise SnnError(
                    f"the Python function '{self.name}' does not say how it deals with "
                    "units: give 'arg_units' or decorate it with '@check_units'")
            if arg_units is None:
                raise SnnError(f"the Python function '{self.name}' does not give the units "
                               "of all of its arguments")
        if return_unit is None:
            return_unit = getattr(pyfunc, "_return_unit", None)
            if return_unit is None:
                raise SnnError(
                    f"the Python function '{self.name}' does not give the unit of its "
                    "result: give 'return_unit' or 'result=' in '@check_units'")
        self._arg_units = list(arg_units)
        self._return_unit = return_unit
        self._arg_names = list(arg_names) if arg_names is not None else \
            getattr(pyfunc, "_orig_arg_names", None)
        if arg_types is None:
            arg_types = getattr(pyfunc, "_arg_types", None) or ["any"] * len(self._arg_units)
        if return_type is None:
            return_type = getattr(pyfunc, "_return_type", "float")
        for kind in [*arg_types, return_type]:
            if kind not in _KINDS:
                raise SnnError(f"type '{kind}' of function '{self.name}' is not one of "
                               f"{', '.join(sorted(_KINDS))}")
        self._arg_types = list(arg_types)
        self._return_type = return_type
        self.stateless = stateless
        self.auto_vectorise = auto_vectorise
        #: Implementations by target: 'numpy' (a Python function) is the one used; the
        #: code of Brian 2's other targets ('cpp', 'cython') is kept but never used.
        self.implementations: dict[str, object] = {"numpy": pyfunc}

    def __call__(self, *args):
        return self.pyfunc(*args)

    def __repr__(self) -> str:
        return f"<Function {self.name}>"

    def is_locally_constant(self, dt: float) -> bool:
        """Whether ``f(t)`` may be taken as constant over a step of ``dt`` (never, here)."""
        return False

    # ---- what model code needs ------------------------------------------------------

    def signature(self, name: str) -> Signature:
        """The :class:`Signature` of calls of this function under the name ``name``."""
        where = f"function '{name}'"
        args: list = []
        names = self._arg_names or []
        for k, unit in enumerate(self._arg_units):
            if isinstance(unit, str) and unit in names:
                args.append(names.index(unit))
            else:
                args.append(unit_dimension(unit, f"{where}, argument {k + 1}"))
        result = self._return_unit
        if result is bool:
            result_dim, kind = DIMENSIONLESS, "bool"
        elif callable(result) and not isinstance(result, float | int):
            result_dim, kind = result, _KINDS[self._return_type]
        else:
            result_dim, kind = unit_dimension(result, f"{where}, result"), \
                _KINDS[self._return_type]
        return Signature(name, tuple(args), result_dim, "float" if kind == "any" else kind,
                         self.stateless)

    def numpy_callable(self, name: str) -> Callable:
        """The function as vectorised kernels call it (checks that it returns numbers)."""
        func = self.implementations.get("numpy") or self.pyfunc

        def call(*args):
            raw = func(*args)
            result = np.asarray(raw)
            if result.dtype.kind not in "biuf":
                raise SnnError(f"function '{name}' called from model code returned "
                               f"{raw!r:.80}, not numbers")
            return result

        return call


def as_function(value, name: str) -> Function:
    """``value`` (found in a namespace under ``name``) as a :class:`Function`.

    A plain Python function decorated with :func:`check_units` (with ``result=``) is
    accepted, as in Brian 2; anything else raises an error saying what to do.
    """
    if isinstance(value, Function):
        return value
    if inspect.isfunction(value) and getattr(value, "_arg_units", None) is not None and \
            getattr(value, "_return_unit", None) is not None:
        return Function(value)
    what = type(value).__name__
    if callable(value):
        raise ModelSyntaxError(
            f"function '{name}' is not allowed in model code: it is a {what} without units; "
            f"wrap it as Function({name}, arg_units=[...], return_unit=...) or decorate it "
            "with @check_units(..., result=...)")
    raise ModelSyntaxError(f"function '{name}' is not allowed in model code: '{name}' is a "
                           f"{what}, not a function")


# --------------------------------------------------------------------------------------
# Decorators
# --------------------------------------------------------------------------------------


def _arg_names(func) -> list[str]:
    if hasattr(func, "_orig_arg_names"):
        return list(func._orig_arg_names)
    code = func.__code__
    return list(code.co_varnames[:code.co_argcount])


def check_units(**au):
    """Declare the units of a function's arguments and result, as Brian 2's decorator.

    ``@check_units(v=mV, result=1)``. snncore's values are plain floats, so the units
    are not checked when the function is called from Python; they are checked, like
    every unit in model code, when model code calls the function.
    """

    def decorator(func):
        names = _arg_names(func)
        for key in au:
            if key != "result" and key not in names:
                raise SnnError(f"@check_units of '{func.__name__}' names '{key}', which is "
                               "not one of its arguments")

        @functools.wraps(func)
        def wrapper(*args, **kwds):
            return func(*args, **kwds)

        wrapper._orig_func = getattr(func, "_orig_func", func)
        wrapper._orig_arg_names = names
        wrapper._arg_units = [au[n] for n in names] if all(n in au for n in names) else None
        wrapper._return_unit = au.get("result")
        for attr in ("_arg_types", "_return_type"):
            if hasattr(func, attr):
                setattr(wrapper, attr, getattr(func, attr))
        return wrapper

    return decorator


def declare_types(**types):
    """Declare the types (``'boolean'``, ``'integer'``, ``'float'``, ``'any'``; result also
    ``'highest'``) of a function's arguments, as Brian 2's decorator."""

    def decorator(func):
        names = _arg_names(func)
        for key, kind in types.items():
            if key != "result" and key not in names:
                raise SnnError(f"declare_types of '{func.__name__}' names '{key}', which is "
                               "not one of its arguments")
            if kind not in _KINDS or (key != "result" and kind == "highest"):
                raise SnnError(f"type '{kind}' of '{key}' in declare_types is not valid")
        func._arg_types = [types.get(n, "any") for n in names]
        func._return_type = types.get("result", "float")
        func._orig_arg_names = names
        return func

    return decorator


def implementation(target: str, code=None, namespace=None, dependencies=None,
                   discard_units=None, name=None, **compiler_kwds):
    """Add a target's implementation to a function, as Brian 2's decorator.

    ``'numpy'``: ``code`` (default: the decorated function) is what kernels call, with
    arrays. Implementations for Brian 2's other targets (``'cpp'``, ``'cython'``: code
    strings) are accepted and kept, but snncore never uses them: a function without a
    compiled implementation makes the kernels that call it run vectorised in Python.
    """

    def decorator(func):
        function = func if isinstance(func, Function) else Function(func)
        base = function.pyfunc
        base = getattr(base, "_orig_func", base)
        if target == "numpy":
            impl = base if code is None else code
            if not callable(impl):
                raise SnnError(f"the numpy implementation of '{function.name}' must be a "
                               f"Python function, got {type(impl).__name__}")
            function.implementations[target] = impl
        else:
            function.implementations[target] = code
        return function

    return decorator


# --------------------------------------------------------------------------------------
# Python versions of Brian 2's functions that numpy lacks
# --------------------------------------------------------------------------------------


def exprel(x):
    """``(exp(x) - 1)/x``, accurate near 0 (1 at 0), as Brian 2's ``exprel``."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.where(np.abs(x) < 1e-16, 1.0, np.expm1(x) / x)
    return float(result) if result.ndim == 0 else result


def timestep(t, dt):
    """Brian 2's ``timestep``: the step of time ``t`` (a small tolerance, dt/1000, so that
    ``t = k*dt`` maps to step ``k``)."""
    return np.asarray((np.asarray(t) + 1e-3 * dt) / dt).astype(np.int64)[()]


def _python_defaults() -> dict[str, Function]:
    python = {"exprel": exprel, "abs": np.abs, "int": lambda x: np.trunc(x).astype(np.int64),
              "timestep": timestep, "rand": np.random.rand, "randn": np.random.randn,
              "poisson": np.random.poisson}
    out = {}
    for name, sig in DEFAULT_SIGNATURES.items():
        func = python.get(name, getattr(np, name, None))
        out[name] = Function(func, arg_units=[None] * len(sig.args), return_unit=1,
                             stateless=sig.stateless)
    return out


#: Brian 2's ``DEFAULT_FUNCTIONS``: the functions all model code sees, callable from Python
#: too. Its own entries compile into kernels as :data:`DEFAULT_SIGNATURES` says; a
#: :class:`Function` added to it (``DEFAULT_FUNCTIONS['f'] = Function(...)``) is found in
#: every model code before the namespaces, as in Brian 2.
DEFAULT_FUNCTIONS: dict[str, Function] = _python_defaults()

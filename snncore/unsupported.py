"""Brian 2 names that snncore does not provide, as placeholders that explain themselves.

``from snncore import *`` exports one placeholder per name below, so Brian 2 code that uses
one fails with "X is a Brian 2 feature snncore does not support" (and why, or what to use
instead) at the point of use, never with a bare ``NameError``. Any use raises
:class:`~snncore.errors.UnsupportedFeatureError`: calling it, reading an attribute,
arithmetic, ``isinstance``, subclassing.

``PENDING`` lists names that are being added to snncore: an entry goes when the real
object lands in ``snncore/__init__.py`` (``tests/test_star_import.py`` checks that no name
is both).
"""

from __future__ import annotations

from .errors import UnsupportedFeatureError

_INTERNAL = "one of Brian 2's internal classes; snncore's objects are built differently"
_GSL = "GSL integration needs Brian 2's C++ code generation; use method='rk4' or 'heun'"
_SPATIAL = "multicompartment neurons (SpatialNeuron, morphologies) are out of snncore's scope"

#: Brian 2 name -> why snncore does not provide it (or what to use instead).
UNSUPPORTED: dict[str, str] = {
    "Trackable": _INTERNAL,
    "Nameable": _INTERNAL,
    "SpikeSource": _INTERNAL,
    "BrianObject": _INTERNAL,
    "Group": _INTERNAL,
    "VariableOwner": _INTERNAL,
    "CodeRunner": _INTERNAL,
    "BrianPreference": "snncore's preferences are fixed; new ones cannot be registered",
    "Expression": "pass model code as a string",
    "Statements": "pass model code as a string",
    "StateUpdateMethod": "custom integration methods are not supported; use method='euler', "
                         "'heun', 'milstein', 'rk2', 'rk4', 'exponential_euler' or 'exact'",
    "ExplicitStateUpdater": "custom integration methods are not supported; use method='euler', "
                            "'heun', 'milstein', 'rk2', 'rk4', 'exponential_euler' or "
                            "'exact'",
    "gsl_rk2": _GSL,
    "gsl_rk4": _GSL,
    "gsl_rkf45": _GSL,
    "gsl_rkck": _GSL,
    "gsl_rk8pd": _GSL,
    "NumpyCodeObject": "snncore generates its own kernels; choose the backend with "
                       "prefs.codegen.target or set_backend()",
    "CythonCodeObject": "snncore generates its own kernels; choose the backend with "
                        "prefs.codegen.target or set_backend()",
    "ImportExport": "custom import/export formats are not supported",
    "BinomialFunction": "binomial draws in model code are not supported",
    "Morphology": _SPATIAL,
    "Soma": _SPATIAL,
    "Cylinder": _SPATIAL,
    "Section": _SPATIAL,
    "SpatialNeuron": _SPATIAL,
    "register_new_unit": "units are plain SI floats in snncore; define a constant instead",
    "celsius": "Brian 2 refuses it too: use kelvin for temperature differences and add "
               "zero_celsius to convert a temperature from Celsius to kelvin",
    "test": "this runs Brian 2's own test suite",
    "scheduling_summary": "snncore follows Brian 2's default schedule (start, groups, "
                          "thresholds, synapses, resets, end); it has no summary table",
}

#: Brian 2 names being added to snncore right now (issue 14); each goes when it lands.
PENDING: dict[str, str] = {
    name: "not yet available in snncore"
    for name in (
    )
}


class _UnsupportedAttribute(UnsupportedFeatureError, AttributeError):
    """An attribute of a placeholder: the same message, and hasattr() is False."""


class Unsupported:
    """Stands in for a Brian 2 name snncore lacks; every use raises UnsupportedFeatureError.

    Parameters
    ----------
    name : str
        The Brian 2 name.
    reason : str
        Why snncore does not provide it, or what to use instead.
    """

    def __init__(self, name: str, reason: str):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_reason", reason)

    def _fail(self, *args, **kwargs):
        raise UnsupportedFeatureError(
            f"{self._name} is a Brian 2 feature snncore does not support: {self._reason}")

    __call__ = __getitem__ = __setitem__ = __iter__ = __len__ = __float__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __pow__ = __neg__ = __enter__ = _fail
    __instancecheck__ = __subclasscheck__ = __mro_entries__ = _fail

    def __getattr__(self, attr: str):
        if attr.startswith("_"):  # protocol probes of Python and IPython (copy, _repr_html_)
            raise AttributeError(attr)
        try:
            self._fail()
        except UnsupportedFeatureError as exc:
            # Also an AttributeError, so that hasattr() probes of namespace scans say False.
            raise _UnsupportedAttribute(str(exc)) from None

    def __setattr__(self, attr: str, value) -> None:
        self._fail()

    def __repr__(self) -> str:
        return f"<{self._name}: a Brian 2 feature snncore does not support>"


#: One placeholder per name, for ``from snncore import *``.
PLACEHOLDERS: dict[str, Unsupported] = {
    name: Unsupported(name, reason) for name, reason in (UNSUPPORTED | PENDING).items()
}

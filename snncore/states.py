"""Brian 2's state export and import: ``G.get_states()``, ``G.set_states()``, ``G.state()``.

Values are SI floats, so ``units=True`` and ``units=False`` give the same numbers (Brian 2
returns quantities for the first). Every value is a copy: keeping the exported dict and
running on leaves it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .errors import SnnError
from .expressions import did_you_mean
from .namespace import caller_namespace

#: Read-only names that every group exports besides its variables, as Brian 2 does.
_READ_ONLY = ("N", "i", "t", "dt", "t_in_timesteps")
#: Read-only names that synapses add.
_SYNAPTIC_READ_ONLY = ("j", "N_incoming", "N_outgoing")
_FORMATS = ("dict", "pandas")


def _group_dt(group) -> float:
    from .network import defaultclock

    network = getattr(group, "parent", group).__dict__.get("_network")
    return float(getattr(group, "dt", None) or getattr(network, "_dt", None)
                 or defaultclock.dt)


def read_only_names(group) -> list[str]:
    """The read-only names exported by :func:`get_states` (index, size, time)."""
    synaptic = [n for n in _SYNAPTIC_READ_ONLY if n in group.variable_names()]
    return [*_READ_ONLY, *synaptic]


def _stored_names(group, subexpressions: bool) -> list[str]:
    owner = getattr(group, "parent", group).__dict__
    subexprs = {*owner.get("_subexpressions", {}), *owner.get("_linked_subexpressions", {})}
    own = {*owner.get("_vars", {}), *owner.get("_links", {}), *subexprs}
    # Synapses also read their source's and target's variables (v_post, v): not theirs.
    names = [n for n in group.variable_names()
             if n not in read_only_names(group) and (subexpressions or n not in subexprs)
             and n in own]
    return list(dict.fromkeys(names))


def state(group, name: str, use_units: bool = True, level: int = 0):
    """Brian 2's ``G.state(name)``: the values of one variable, as ``G.<name>`` reads them.

    ``use_units`` is accepted (values are SI floats either way); a name ending in ``_``
    reads the same values.
    """
    base = name[:-1] if name.endswith("_") else name
    if base == "N":
        return len(group)
    if base == "t":
        return float(group.t)
    if base == "dt":
        return _group_dt(group)
    if base == "t_in_timesteps":
        return int(round(float(group.t) / _group_dt(group)))
    if base not in (*group.variable_names(), *read_only_names(group)):
        raise SnnError(f"{group.where} has no variable '{name}'"
                       f"{did_you_mean(base, group.variable_names())}")
    owner = group.__dict__
    if hasattr(group, "_attribute") and (base in owner.get("_subexpressions", {}) or
                                         base in owner.get("_linked_subexpressions", {})):
        # Evaluated with the names of the caller's frame, as Brian 2 does.
        value = group._attribute(base, level + 1)
    else:
        value = getattr(group, base)
    return np.array(value) if np.ndim(value) else value


def get_states(group, vars: Iterable[str] | None = None, units: bool = True,
               format: str = "dict", subexpressions: bool = False,
               read_only_variables: bool = True, level: int = 0):
    """Brian 2's ``G.get_states()``: a dict (or a pandas DataFrame) of copies of the
    group's variables; by default every stored variable and the read-only ``N``, ``i``,
    ``t``, ``dt``, ``t_in_timesteps`` (``j``, ``N_incoming``, ``N_outgoing`` for synapses).
    """
    _check_format(format, group)
    if vars is None:
        vars = _stored_names(group, subexpressions)
        if read_only_variables:
            vars = [*vars, *read_only_names(group)]
    elif isinstance(vars, str):
        raise SnnError(f"get_states of {group.where} takes a list of variable names, got "
                       f"the string {vars!r}: write [{vars!r}]")
    data = {}
    for name in vars:  # a loop, not a comprehension: its frame would hide the caller's
        data[name] = state(group, name, units, level + 1)
    if format == "pandas":
        import pandas  # only checked to be importable by _check_format

        return pandas.DataFrame(data)
    return data


def set_states(group, values: Mapping, units: bool = True, format: str = "dict",
               level: int = 0) -> None:
    """Brian 2's ``G.set_states(values)``: set each variable named in ``values`` (a dict
    or a pandas DataFrame) as ``G.<name> = value`` would, the read-only ones refused."""
    _check_format(format, group)
    if format == "pandas":
        values = {name: values[name].to_numpy() for name in values.columns}
    if not isinstance(values, Mapping):
        raise SnnError(f"set_states of {group.where} takes a dict of variable values, got "
                       f"{type(values).__name__}")
    for name in values:
        if name.rstrip("_") in read_only_names(group):
            raise SnnError(f"'{name}' of {group.where} is read-only and cannot be set")
    namespace = caller_namespace(level)
    for name, value in values.items():
        if hasattr(group, "_set"):
            group._set(name, value, namespace)
        else:
            setattr(group, name, value)


def _check_format(format: str, group) -> None:
    if format not in _FORMATS:
        raise SnnError(f"unknown format {format!r} for the states of {group.where}: "
                       f"use 'dict' or 'pandas'")
    if format == "pandas":
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise SnnError("format='pandas' needs pandas, which is not installed") from None


class StateAccess:
    """``get_states``, ``set_states`` and ``state`` as methods of a group."""

    def get_states(self, vars: Iterable[str] | None = None, units: bool = True,
                   format: str = "dict", subexpressions: bool = False,
                   read_only_variables: bool = True, level: int = 0):
        """See :func:`snncore.states.get_states`."""
        return get_states(self, vars, units, format, subexpressions, read_only_variables,
                          level + 1)

    def set_states(self, values: Mapping, units: bool = True, format: str = "dict",
                   level: int = 0) -> None:
        """See :func:`snncore.states.set_states`."""
        set_states(self, values, units, format, level + 1)

    def state(self, name: str, use_units: bool = True, level: int = 0):
        """See :func:`snncore.states.state`."""
        return state(self, name, use_units, level + 1)

"""Python functions called during a run: Brian 2's ``network_operation``.

A network operation runs arbitrary Python: the Numba backend's compiled loop returns to
Python for it when it is due, and goes on from there (see :mod:`snncore.fusion`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from . import scope
from .errors import SnnError
from .operations import Operation, PythonCall
from .regular import check_slot


class NetworkOperation:
    """A Python function called every ``dt`` of a run, at a slot of the schedule.

    Parameters
    ----------
    function : callable
        Called as ``function()`` or, if it takes one argument, ``function(t)`` with the
        current time in seconds.
    dt : float, optional
        Seconds between calls, a whole multiple of the network's time step (default:
        every step). Calls fall on t = 0, dt, 2 dt, ...
    clock : Clock, optional
        Alternative to ``dt``: use this clock's ``dt``.
    when : str
        Schedule slot, ``'start'`` by default, as in Brian 2.
    order : int
        Order among operations of the same slot.
    name : str, optional
    """

    invalidates_magic_network = True

    def __init__(self, function: Callable, dt: float | None = None, clock=None,
                 when: str = "start", order: int = 0, name: str | None = None):
        if not callable(function):
            raise SnnError(f"a network operation needs a function, got {function!r}")
        if dt is not None and clock is not None:
            raise SnnError("give a network operation either dt or clock, not both")
        self.function = function
        self.dt = clock.dt if clock is not None else dt
        self.when, self.order = when, order
        self.name = name or scope.unique_name("networkoperation")
        check_slot(when, f"network operation '{self.name}'")
        self._has_arg = _takes_time(function)
        scope.register(self)

    def __call__(self, *args):
        return self.function(*args)

    def _operations(self, ctx) -> list[Operation]:
        # Called on this operation's own clock (snncore.clocks).
        return [PythonCall(self.when, self.order, self.name, self.function, self._has_arg)]

    def _state(self) -> dict:
        return {}

    def _set_state(self, state: dict) -> None:
        pass


def _takes_time(function: Callable) -> bool:
    try:
        params = [p for p in inspect.signature(function).parameters.values()
                  if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                          p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return False
    if len(params) > 1:
        raise SnnError(f"'{getattr(function, '__name__', function)}' cannot be a network "
                       f"operation: it must take no argument or only 't', but takes "
                       f"{len(params)}")
    return len(params) == 1


def network_operation(*args, **kwargs):
    """Decorator that makes a function a :class:`NetworkOperation`.

    Use as ``@network_operation`` or ``@network_operation(dt=1*ms, when='end')``.
    """
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return NetworkOperation(args[0])
    if args:
        raise SnnError("network_operation takes only keyword arguments (dt, clock, when, "
                       "order, name)")

    def decorate(function: Callable) -> NetworkOperation:
        return NetworkOperation(function, **kwargs)

    return decorate

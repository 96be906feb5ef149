"""Which clock each object runs on, and how a network steps several clocks.

Brian 2 gives every object a clock: a group its own ``dt`` or ``defaultclock``; a monitor,
a ``PoissonInput`` or a ``run_regularly`` the clock of the group it reads or writes, unless
given its own ``dt``; a synaptic pathway its source's clock; a summed variable its
target's. snncore steps a network on a base step, the largest step that every clock's dt
is a whole multiple of (0.05 ms for clocks of 0.1 and 0.25 ms), and runs an operation
every ``k`` base steps where its clock's dt is ``k`` base steps. Each object prepares its
operations with a :class:`~snncore.groups.RunContext` of its own clock, so time steps,
step counts and delays are in its clock's ticks, exactly as if the network ran at that
``dt``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .errors import SnnError


def clock_dt(obj) -> float:
    """The ``dt`` of the clock ``obj`` runs on (seconds), following Brian 2."""
    from .groups import Group
    from .network import defaultclock

    own = getattr(obj, "dt", None)
    if own is not None:
        return float(own)
    parent = getattr(obj, "parent", None)
    if parent is not None:  # a subgroup
        return clock_dt(parent)
    if isinstance(obj, Group):
        return float(defaultclock.dt)
    for attr in ("source", "target", "group"):  # monitors, PoissonInput, run_regularly
        other = getattr(obj, attr, None)
        if other is not None:
            return clock_dt(other)
    return float(defaultclock.dt)


def clocks_of(obj) -> list[tuple[float, str]]:
    """Every clock ``(dt, what runs on it)`` that ``obj`` has operations on (a synapse
    pathway runs on its source's clock, a summed variable on its target's)."""
    where = getattr(obj, "where", None) or f"'{obj.name}'"
    out = [(clock_dt(obj), where)]
    for attr in ("source", "target"):
        other = getattr(obj, attr, None)
        if other is not None and hasattr(obj, "_pathways"):
            out.append((clock_dt(other), where))
    return out


def ticks_between(begin: int, end: int, every: int) -> tuple[int, int]:
    """(first tick, number of ticks) of a clock ticking every ``every`` base steps, over
    base steps ``begin`` to ``end - 1``."""
    first = -(-begin // every)
    return first, -(-end // every) - first


#: Clock dts are compared on a grid of this many seconds (1 ps) to find their common step.
_QUANTUM = 1e-12
#: A base step finer than this fraction of the smallest dt would mostly run empty steps.
_MAX_SPLIT = 100


def base_step(clocks: list[tuple[float, str]]) -> float:
    """The base step of a network whose objects run on the given clocks (``(dt, what
    runs on it)``): the largest step that every dt is a whole multiple of.

    Brian 2 steps each clock on its own; stepping all of them on a common grid gives the
    same order of operations, as long as such a grid exists and is not much finer than
    the clocks themselves.
    """
    for dt, what in clocks:
        if not (math.isfinite(dt) and dt > 0):
            raise SnnError(f"the dt of {what} must be a positive duration, got {dt!r} s")
    smallest = min(dt for dt, _what in clocks)
    grid = 0
    for dt, what in clocks:
        ticks = round(dt / _QUANTUM)
        if not math.isclose(ticks * _QUANTUM, dt, rel_tol=1e-9):
            raise SnnError(f"the dt of {what} ({dt:g} s) is not a whole number of "
                           "picoseconds; snncore needs clocks on a common grid")
        grid = math.gcd(grid, ticks)
    split = round(smallest / _QUANTUM) // grid
    if split > _MAX_SPLIT:
        slow = [what for dt, what in clocks if dt != smallest][:1] or ["another object"]
        raise SnnError(
            f"objects of this network run on clocks of dt = {smallest:g} s and "
            f"{[dt for dt, w in clocks if w == slow[0]][0]:g} s ({slow[0]}): stepping them "
            f"together needs a step {split} times smaller than {smallest:g} s; make each dt "
            "a whole multiple of the smallest")
    return smallest / split


def set_clock(op, ctx) -> object:
    """``op`` marked as running on the clock of ``ctx`` (a :class:`RunContext`)."""
    op.clock_every, op.clock_dt = ctx.every, ctx.dt
    return op


def clocked(run: Callable[[int, float], None], op) -> Callable[[int, float], None]:
    """``run(step, t)`` of ``op`` called with base steps: it runs on the steps where
    ``op``'s clock ticks, and sees that clock's tick and time."""
    every, dt = op.clock_every, op.clock_dt
    if every == 1:
        return run

    def on_clock(step: int, _t: float) -> None:
        if step % every == 0:
            tick = step // every
            run(tick, tick * dt)

    return on_clock

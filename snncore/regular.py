"""Code run at regular intervals on a group's elements: ``G.run_regularly(code, dt=...)``.

As in Brian 2, the code runs for every element of its group (neurons or synapses) at
every ``dt`` of its own clock, aligned to t = 0 (so after a run that ended between two
ticks, the next tick is the next multiple of ``dt``), in the given slot of the schedule.
"""

from __future__ import annotations

import numpy as np

from . import scope
from .clocks import clock_dt
from .errors import SnnError
from .expressions import assignments
from .groups import RunContext, check_slot
from .operations import KernelCall, Operation, over_elements


class RunRegularly:
    """Statements run for every element of a group every ``dt`` (see
    :meth:`snncore.groups.Group.run_regularly`)."""

    def __init__(self, group, code: str, dt: float | None = None, when: str = "start",
                 order: int = 0, name: str | None = None):
        if not isinstance(code, str):
            raise SnnError(f"run_regularly needs a code string, got {code!r}")
        if dt is not None and not (isinstance(dt, int | float) and np.isfinite(dt)
                                   and dt > 0):
            raise SnnError(f"the dt of run_regularly must be a positive duration in seconds, "
                           f"got {dt!r}")
        self.group = group
        self.code = code
        self.name = name or scope.unique_name(f"{group.name}_run_regularly")
        self.where = f"run_regularly '{self.name}' of {group.where}"
        self.when, self.order, self.dt = check_slot(when, self.where), int(order), dt
        self._statements = assignments(code)
        self.namespace = group.namespace
        scope.register(self)

    def _written_by_code(self) -> dict:
        names = {target for target, _e, _s in self._statements
                 if target in self.group.variable_names()}
        parent = getattr(self.group, "parent", self.group)
        return {parent.name: names} if names else {}

    def _operations(self, ctx: RunContext) -> list[Operation]:
        group = self.group
        bound = ctx.bind(group, "all", self._statements, shared_writes=True,
                         cache_key=("run_regularly", self.name))
        bound.set("dt", ctx.on_clock(clock_dt(group)).dt)  # Brian 2: the group's dt
        return [KernelCall(self.when, self.order, self.name, over_elements(bound, len(group)))]

    def _state(self) -> dict:
        return {}

    def _set_state(self, state: dict) -> None:
        pass

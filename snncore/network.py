"""Networks: the schedule of a time step, the run loop, progress, store and restore."""

from __future__ import annotations

import itertools
import math
import os
import pickle
import sys
import time
import warnings
from collections.abc import Callable, Iterable

import numpy as np

from . import devices, scope
from . import random as snnrandom
from .backends import available_backends
from .backends.numpy_step import step_function
from .backends.threads import run_threads
from .clocks import base_step, clock_dt, clocked, clocks_of, set_clock
from .errors import MagicError, SnnError
from .expressions import did_you_mean
from .fusion import fused_loop
from .groups import SCHEDULE, RunContext
from .interrupts import DeferredInterrupt
from .namespace import caller_namespace
from .nonfinite import NonFiniteCheck
from .operations import Operation
from .prefs import prefs
from .states import StateAccess
from .units import ms, second


class Clock:
    """The simulation time step shared by objects that do not set their own ``dt``.

    ``t`` (and ``timestep``) is the time of the network that last ran on this clock,
    also while it runs (what a network operation sees), 0 before any run.
    """

    def __init__(self, dt: float, name: str | None = None):
        self.dt = dt
        self.name = name or scope.unique_name("clock")
        self._network = None

    @property
    def dt(self) -> float:
        return self._dt

    @dt.setter
    def dt(self, value: float) -> None:
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise SnnError(f"dt must be a positive duration in seconds, got {value!r}")
        self._dt = float(value)

    @property
    def dt_(self) -> float:
        return self._dt

    @property
    def t(self) -> float:
        """Current time (seconds)."""
        return self._network.t if self._network is not None else 0.0

    t_ = t

    @property
    def timestep(self) -> _Step:
        """Current time step (an int; ``clock.timestep[:]`` works as in Brian 2)."""
        return _Step(round(self.t / self._dt))


class _Step(int):
    """An int that also answers Brian 2's ``timestep[:]``."""

    def __getitem__(self, item):
        return int(self)


defaultclock = Clock(0.1 * ms, name="defaultclock")
_backend = available_backends()[-1]


def set_backend(name: str) -> None:
    """Choose the backend of networks that do not name one: ``'numpy'`` or ``'numba'``."""
    global _backend
    if name not in ("numpy", "numba"):
        raise SnnError(f"unknown backend '{name}'; choose 'numpy' or 'numba'")
    if name not in available_backends():
        raise SnnError(f"backend '{name}' is not available (is numba installed?)")
    _backend = name


def get_backend() -> str:
    """The current default backend."""
    return _backend


def _flatten(objects: Iterable) -> list:
    out = []
    for obj in objects:
        if isinstance(obj, list | tuple | set):
            out += _flatten(obj)
        elif isinstance(obj, dict):
            out += _flatten(obj.values())
        elif hasattr(obj, "_operations"):
            out.append(obj)
            # What runs with an object (its run_regularly code) joins the network with it.
            out += _flatten(obj.__dict__.get("contained_objects", []))
        else:
            raise SnnError(f"cannot add {obj!r} to a network: not a snncore object")
    return out


#: The one profiling entry of a run of the Numba backend's compiled loop.
FUSED_LOOP = "all objects (one compiled loop)"


class Network:
    """A set of objects simulated together.

    Parameters
    ----------
    *objects
        Groups, synapses and monitors (or containers of them).
    backend : {'numpy', 'numba'}, optional
        Overrides :func:`set_backend`.
    """

    _globally_stopped = False

    def __init__(self, *objects, name: str | None = None, backend: str | None = None):
        self.name = name or scope.unique_name("network")
        self.objects: list = []
        self.backend = backend
        self._step = 0
        self._dt: float | None = None
        self._stored: dict[str, dict] = {}
        self._stopped = False
        #: Seconds spent in each operation in the last run with profile=True, else None.
        self._profiling_info: dict[str, float] | None = None
        self.add(*objects)

    def add(self, *objects) -> None:
        """Add objects (or containers of them); an object run in another network is
        refused, as in Brian 2."""
        for obj in _flatten(objects):
            if any(obj is known for known in self.objects):
                continue
            if obj._network is not None and obj._network is not self:
                raise SnnError(
                    f"'{obj.name}' has already been simulated in another network and cannot "
                    "be added to this one; to leave an object out of a run for a while, set "
                    "its 'active' attribute to False instead")
            self.objects.append(obj)

    def remove(self, *objects) -> None:
        """Remove objects (or containers of them) from the network."""
        for obj in _flatten(objects):
            if all(obj is not known for known in self.objects):
                raise SnnError(f"'{obj.name}' is not part of network '{self.name}'")
            self.objects = [known for known in self.objects if known is not obj]

    def __getitem__(self, name: str):
        if not isinstance(name, str):
            raise SnnError(f"objects of a network are looked up by name, got {name!r}")
        for obj in self.objects:
            if obj.name == name:
                return obj
        names = [obj.name for obj in self.objects]
        raise KeyError(f"network '{self.name}' has no object named '{name}'"
                       f"{did_you_mean(name, names)}")

    def __delitem__(self, name: str) -> None:
        self.remove(self[name])

    def __contains__(self, item) -> bool:
        return any(obj is item or obj.name == item for obj in self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    def __iter__(self):
        return iter(list(self.objects))

    def __repr__(self) -> str:
        names = ", ".join(obj.name for obj in self.objects)
        return f"<Network '{self.name}' at t={self.t:g} s, containing: {names}>"

    def stop(self) -> None:
        """End the current run after the step in progress (for network operations)."""
        self._stopped = True

    @property
    def profiling_info(self) -> list[tuple[str, float]]:
        """``(name, seconds)`` of the time spent in each operation (state updater,
        thresholder, pathway, monitor, ...) during the last run, longest first, as Brian 2
        gives it after ``run(..., profile=True)``.

        The times are wall-clock time around each operation's call in every step. The
        Numba backend runs a network in one compiled loop (:mod:`snncore.fusion`), inside
        which objects cannot be timed apart: that run has one entry, ``'all objects (one
        compiled loop)'``, the time spent in the loop, and one for each operation run in
        Python between its segments (a network operation). On the numpy backend, each
        operation is timed.
        """
        return self.get_profiling_info()

    def get_profiling_info(self) -> list[tuple[str, float]]:
        """See :attr:`profiling_info`."""
        if self._profiling_info is None:
            raise SnnError(f"no profiling information for network '{self.name}': its last "
                           "run was not profiled; run it with run(..., profile=True)")
        return sorted(self._profiling_info.items(), key=lambda item: item[1], reverse=True)

    @property
    def t(self) -> float:
        """Current simulation time (seconds)."""
        return self._step * (self._dt if self._dt is not None else defaultclock.dt)

    def _active_objects(self) -> list:
        return [obj for obj in self.objects if obj.active]

    def _missing_dependencies(self) -> list[tuple[object, object]]:
        """(object, group it reads) for objects whose source or target is not here."""
        missing = []
        for obj in self._active_objects():
            for dep in _dependencies(obj):
                if all(dep is not known for known in self.objects):
                    missing.append((obj, dep))
        return missing

    def _check_dependencies(self) -> None:
        for obj, dep in self._missing_dependencies():
            raise SnnError(f"'{obj.name}' is part of network '{self.name}' but '{dep.name}', "
                           "on which it depends, is not; add it to the network")

    def _dt_for_run(self) -> float:
        """The base step: the common grid of the clocks the active objects run on."""
        clocks = [clock for obj in self._active_objects() for clock in clocks_of(obj)]
        return base_step(clocks) if clocks else float(defaultclock.dt)

    def run(self, duration: float, report: str | Callable | None = None,
            report_period: float = 10 * second, namespace: dict | None = None,
            level: int = 0, profile: bool | None = None) -> None:
        """Advance the simulation by ``duration`` seconds.

        Parameters
        ----------
        duration : float
            Seconds; rounded to a whole number of steps.
        report : {None, 'text', 'stdout', 'stderr'} or callable
            Progress reports; a callable gets ``(elapsed, completed, start, duration)``.
        report_period : float
            Wall-clock seconds between reports.
        namespace : dict, optional
            External constants; by default the caller's locals and globals.
        level : int
            How many frames above the caller to look for external constants.
        profile : bool, optional
            Time each operation, for :attr:`profiling_info` (off by default).
        """
        if not (isinstance(duration, int | float) and math.isfinite(duration)
                and duration >= 0):
            raise SnnError(f"run() needs a non-negative duration in seconds, got {duration!r}")
        run_ns = namespace if namespace is not None else caller_namespace(level)
        self._check_dependencies()
        for obj in self.objects:
            if obj._network is not None and obj._network is not self:
                raise SnnError(
                    f"'{obj.name}' has already been run in another network; change the "
                    "objects of one network with add() and remove() instead of making a new "
                    "one")
        for obj in self.objects:
            obj._network = self
        if devices.get_device().defers():
            # The values of this moment, as a standalone program would hold them.
            devices.get_device().record_run(self, duration, dict(
                report=report, report_period=report_period, namespace=dict(run_ns),
                profile=profile))
            return
        self._stopped = False
        Network._globally_stopped = False
        dt = self._dt_for_run()
        if dt == defaultclock.dt:
            defaultclock._network = self  # whose time defaultclock.t reports
        if self._dt is not None and self._step and dt != self._dt:
            self._step = _step_at_new_dt(self._step, self._dt, dt)
        self._dt = dt
        n_steps = _end_step(self._step * dt + duration, dt) - self._step
        summed: dict[tuple[str, str], str] = {}
        for obj in self.objects:
            for key in getattr(obj, "summed_targets", lambda: [])():
                if key in summed:
                    raise SnnError(
                        f"'{key[1]}' of '{key[0]}' is written by two summed variables "
                        f"({summed[key]} and {obj.where}); sum into separate variables and "
                        "add them in the target's equations")
                summed[key] = obj.where
        written: dict[str, set] = {}
        for obj in self.objects:
            # Monitors write nothing; groups and synapses say what their code writes.
            for group, names in getattr(obj, "_written_by_code", dict)().items():
                written.setdefault(group, set()).update(names)
        ctx = RunContext(self.backend or _backend, dt, n_steps, self._step, run_ns, written)
        ops: list[Operation] = []
        for obj in self._active_objects():
            own = ctx.on_clock(clock_dt(obj))
            for op in obj._operations(own):
                if "clock_every" not in vars(op):
                    set_clock(op, own)
                ops.append(op)
        ops.sort(key=lambda op: (SCHEDULE.index(op.slot), op.order, op.name))
        fused = fused_loop(ops) if ctx.backend == "numba" else None
        guard = DeferredInterrupt()
        if fused is None:
            advance = self._python_steps(ops, dt, guard)
        else:
            undo = _step_undo(self.objects, ops)

            def stop() -> bool:
                return self._stopped or Network._globally_stopped or guard.pending

            def advance(begin: int, end: int) -> None:
                try:
                    fused.advance(begin, end, dt, stop, undo)
                finally:  # a recording that cannot grow stops the run after fused.step
                    self._step = fused.step
        # Erased when a run is not profiled, as Brian 2 does, so it never describes an
        # earlier run.
        self._profiling_info = None
        if profile:
            self._profiling_info = {}
            advance = self._profiled(ops, fused, dt, advance)
        mode = prefs["snncore.nonfinite"]
        check = None if mode == "ignore" else \
            NonFiniteCheck(self.objects, written, dt, run_ns, mode)
        # Ctrl-C waits for the end of the step (or compiled chunk) in progress, and for
        # the recorded data to be handed back, so the run stops between whole steps.
        with guard:
            try:
                # Non-finite values are reported by the check, not by numpy's warnings.
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                        run_threads():
                    self._loop(advance, n_steps, dt, report, report_period, check, guard)
            finally:
                if fused is not None:
                    fused.finish()

    def _python_steps(self, ops: list[Operation], dt: float,
                      guard: DeferredInterrupt) -> Callable[[int, int], None]:
        """The step loop in Python: whole steps, or none (see :func:`_step_undo`)."""
        funcs = [clocked(step_function(op), op) for op in ops]
        undo = _step_undo(self.objects, ops)

        def advance(begin: int, end: int) -> None:
            for step in range(begin, end):
                t = step * dt
                restore = undo() if undo is not None else None
                try:
                    for func in funcs:
                        func(step, t)
                except BaseException:
                    if restore is not None:
                        restore()
                    raise
                self._step = step + 1
                if self._stopped or Network._globally_stopped or guard.pending:
                    return

        return advance

    def _profiled(self, ops: list[Operation], fused, dt: float,
                  advance: Callable[[int, int], None]) -> Callable[[int, int], None]:
        """``advance`` with the time of each operation added to the profiling info."""
        totals = self._profiling_info
        clock = time.perf_counter
        if fused is not None:
            # One compiled function steps every object: only the whole can be timed,
            # apart from the operations it returns to Python for.
            totals[FUSED_LOOP] = 0.0
            fused.python_times = totals
            totals.update((name, 0.0) for name in fused.python_names)

            def in_python() -> float:
                return sum(totals[name] for name in fused.python_names)

            def timed_loop(begin: int, end: int) -> None:
                began, before = clock(), in_python()
                advance(begin, end)
                totals[FUSED_LOOP] += clock() - began - (in_python() - before)
            return timed_loop
        timed = [(op.name, clocked(step_function(op), op)) for op in ops]
        for name, _func in timed:
            totals[name] = 0.0

        def timed_steps(begin: int, end: int) -> None:
            for step in range(begin, end):
                t = step * dt
                for name, func in timed:
                    began = clock()
                    func(step, t)
                    totals[name] += clock() - began
                self._step = step + 1
                if self._stopped or Network._globally_stopped:
                    return
        return timed_steps

    def _loop(self, advance: Callable[[int, int], None], n_steps: int, dt: float, report,
              report_period: float, check: NonFiniteCheck | None,
              guard: DeferredInterrupt) -> None:
        reporter = _reporter(report, n_steps * dt, self.t)
        start_wall = time.perf_counter()
        next_report = start_wall + report_period
        first, end = self._step, self._step + n_steps
        chunk = 64
        if reporter is not None and n_steps:
            reporter(0.0, 0.0)  # Brian 2 reports the start too
        try:
            while self._step < end and not (self._stopped or Network._globally_stopped
                                             or guard.pending):
                began = time.perf_counter()
                advance(self._step, min(self._step + chunk, end))
                snnrandom.raise_bad_means(dt)
                if check is not None:
                    check.after_chunk(self.t, final=self._step >= end or self._stopped
                                      or Network._globally_stopped)
                now = time.perf_counter()
                # Calls of at most about 0.1 s keep progress reports and Ctrl-C responsive.
                if now - began < 0.05:
                    chunk *= 2
                elif now - began > 0.1 and chunk > 1:
                    chunk //= 2
                if reporter is not None and now >= next_report:
                    reporter(now - start_wall, (self._step - first) / n_steps)
                    next_report = now + report_period
        finally:
            if reporter is not None and n_steps:
                reporter(time.perf_counter() - start_wall, (self._step - first) / n_steps)

    def store(self, name: str = "default", filename: str | None = None) -> None:
        """Snapshot the state of every object, the time and the random streams.

        With ``filename``, the snapshot goes to that file (pickled, as Brian 2's; one file
        holds several names) instead of memory, with the objects known by name.
        """
        snapshot = {
            "step": self._step,
            "dt": self._dt,
            "objects": {id(obj): obj._state() for obj in self.objects},
            "random": snnrandom.get_state(),
        }
        if filename is None:
            self._stored[name] = snapshot
            return
        snapshot["objects"] = {obj.name: snapshot["objects"][id(obj)] for obj in self.objects}
        stored = _read_snapshots(filename) if os.path.exists(filename) else {}
        stored[name] = snapshot
        with open(filename, "wb") as f:
            pickle.dump(stored, f, protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, name: str = "default", filename: str | None = None,
                restore_random_state: bool = False) -> None:
        """Return to a snapshot made by :meth:`store` (may be done any number of times).

        With ``filename``, from that file, matching objects by name (as Brian 2 does).
        As in Brian 2, the random streams go on where they are, so trials repeated from
        one snapshot draw new numbers; ``restore_random_state=True`` rewinds them too, so
        that a restored run repeats exactly.
        """
        if filename is None:
            if name not in self._stored:
                raise SnnError(f"no stored state named '{name}' (stored: "
                               f"{', '.join(self._stored) or 'none'})")
            snapshot, key = self._stored[name], id
        else:
            stored = _read_snapshots(filename)
            if name not in stored:
                raise SnnError(f"no stored state named '{name}' in '{filename}' (stored: "
                               f"{', '.join(stored) or 'none'})")
            snapshot, key = stored[name], (lambda obj: obj.name)
        for obj in self.objects:
            if key(obj) not in snapshot["objects"]:
                raise SnnError(f"{obj.where} was added after store('{name}') and cannot be "
                               "restored" + (" (objects in a file are found by their "
                                             "names)" if filename else ""))
        for obj in self.objects:
            obj._set_state(snapshot["objects"][key(obj)])
        self._step, self._dt = snapshot["step"], snapshot["dt"]
        if restore_random_state:
            snnrandom.set_state(snapshot["random"])
        else:  # time went back: the same steps draw new numbers
            snnrandom.new_epoch()

    def get_states(self, units: bool = True, format: str = "dict",
                   subexpressions: bool = False, read_only_variables: bool = True,
                   level: int = 0) -> dict:
        """Brian 2's ``net.get_states()``: ``{name: obj.get_states(...)}`` for every object
        with variables (see :func:`snncore.states.get_states`)."""
        return {obj.name: obj.get_states(units=units, format=format,
                                         subexpressions=subexpressions,
                                         read_only_variables=read_only_variables,
                                         level=level + 1)
                for obj in self.objects if isinstance(obj, StateAccess)}

    def set_states(self, values: dict, units: bool = True, format: str = "dict",
                   level: int = 0) -> None:
        """Brian 2's ``net.set_states(values)``: ``values`` as :meth:`get_states` gives it,
        each object found by name."""
        for name, states in values.items():
            self[name].set_states(states, units=units, format=format, level=level + 1)


def _read_snapshots(filename: str) -> dict:
    """The snapshots that :meth:`Network.store` wrote to ``filename``."""
    try:
        with open(filename, "rb") as f:
            # A file written by store(): the user's own data, as with Brian 2's pickles.
            stored = pickle.load(f)  # checked: the user's own snapshot file
    except (OSError, pickle.UnpicklingError, EOFError) as err:
        raise SnnError(f"cannot read stored states from '{filename}': {err}") from None
    if not isinstance(stored, dict):
        raise SnnError(f"'{filename}' does not hold states written by store()")
    return stored


def _dependencies(obj) -> list:
    """The groups an object reads from: its source and target (subgroups' parents)."""
    deps = []
    for role in ("source", "target"):
        group = obj.__dict__.get(role)
        group = getattr(group, "parent", group)
        if group is not None and group is not obj and hasattr(group, "_operations"):
            deps.append(group)
    return deps


def _step_at_new_dt(step: int, old_dt: float, new_dt: float) -> int:
    """The step that continues time ``step * old_dt`` at ``new_dt``.

    As Brian 2's clock (``check_dt``): the time must be a multiple of the new dt to within
    1e-4 of it; anything else would move the clock (and the recorded times) backwards or
    forwards while the state stays where it is.
    """
    t = step * old_dt
    new_step = round(t / new_dt)
    if abs(new_step * new_dt - t) / new_dt > 1e-4:
        raise SnnError(
            f"cannot change dt from {old_dt / ms:g} ms to {new_dt / ms:g} ms at "
            f"t = {t / ms:g} ms: t is not a multiple of the new dt; change dt at a time "
            f"that is one, or choose a dt that divides {t / ms:g} ms")
    return int(new_step)


def _step_undo(objects: list, ops: list[Operation]) -> Callable[[], Callable[[], None]] | None:
    """What lets a step that raised be undone, or None when nothing needs undoing.

    The engine's own operations do not raise during a run (bad models are refused
    before it starts); a network operation, the user's Python code, may. When one runs
    after other operations of the step, the step's start is noted (each object's state,
    a cheap mark for monitors, the random streams) so that an exception leaves the
    network at the last completed step. A user function's own changes before it raised
    are its own.
    """
    if not any(op.user_code for op in ops[1:]):
        return None

    def note() -> Callable[[], None]:
        marks = [(obj, obj._mark()) if hasattr(obj, "_mark") else (obj, obj._state())
                 for obj in objects]
        stream = snnrandom.get_state()

        def restore() -> None:
            for obj, mark in marks:
                (obj._rollback if hasattr(obj, "_rollback") else obj._set_state)(mark)
            snnrandom.set_state(stream)

        return restore

    return note


def _end_step(t_end: float, dt: float) -> int:
    """The step at which a run ending at ``t_end`` stops, as Brian 2's clock computes it:
    the nearest step when within 1e-4 dt, else the next one (a run never ends early)."""
    nearest = round(t_end / dt)
    if abs(nearest * dt - t_end) <= 1e-4 * dt:
        return int(nearest)
    return int(math.ceil(t_end / dt))


def _reporter(report, duration: float, start: float):
    if report is None:
        return None
    if callable(report):
        return lambda elapsed, frac: report(elapsed, frac, start, duration)
    if report not in ("text", "stdout", "stderr"):
        raise SnnError(f"report must be None, 'text', 'stdout', 'stderr' or a callable, "
                       f"got {report!r}")
    stream = sys.stderr if report == "stderr" else sys.stdout

    def text(elapsed: float, frac: float) -> None:
        if frac >= 1:
            print(f"{duration:g} s simulated in {elapsed:.2f} s", file=stream)
        elif frac == 0:
            print(f"Starting simulation at t={start:g} s for a duration of {duration:g} s",
                  file=stream)
        else:
            remaining = elapsed / frac * (1 - frac) if frac else float("nan")
            print(f"{frac:6.1%} of {duration:g} s simulated after {elapsed:.1f} s, "
                  f"about {remaining:.1f} s remaining", file=stream)
        stream.flush()

    return text


# ---- the magic network: what run() simulates ------------------------------------------


def collect(level: int = 0) -> list:
    """The objects that ``run()`` would simulate if called here.

    As in Brian 2: the simulation objects bound to a name among the caller's locals and
    globals that were created in the current scope (since the last ``start_scope()``).
    Objects reachable only through containers, attributes or other objects are not
    collected; pass them to a :class:`Network` instead.

    Parameters
    ----------
    level : int
        How many frames above the caller to look (for functions that call ``collect``
        on behalf of their caller).

    Returns
    -------
    list
        The objects, in creation order.
    """
    frame = sys._getframe(level + 1)
    found: dict[int, object] = {}
    for value in itertools.chain(frame.f_globals.values(), frame.f_locals.values()):
        if getattr(type(value), "_operations", None) is not None and \
                getattr(value, "_scope_key", None) == scope.current_key:
            found[id(value)] = value
    del frame
    return sorted(found.values(), key=lambda obj: obj._creation_index)


class _MagicRun(Network):
    """One simulation of the magic network: from its first run() to the next restart."""

    def _check_dependencies(self) -> None:
        # As Brian 2's magic network: an object whose source is not visible is left out,
        # with a warning, rather than stopping the run.
        for obj, dep in self._missing_dependencies():
            warnings.warn(f"'{obj.name}' is visible to run() but '{dep.name}', on which it "
                          f"depends, is not; '{obj.name}' is left out of the run",
                          stacklevel=5)
            obj.active = False


class MagicNetwork:
    """The network of :func:`run`: the visible objects of the current scope.

    Brian 2's rule for continuing or restarting: when every collected object is new
    (monitors aside), a new simulation starts at t = 0; when all have run in the
    current simulation, it continues; a mix is an error, because it is not clear which
    was meant. Objects of an earlier simulation cannot join a later one. There is one
    instance, :data:`magic_network`.
    """

    def __init__(self) -> None:
        self._current = _MagicRun(name="magicnetwork")

    @property
    def t(self) -> float:
        """Time of the current simulation (seconds)."""
        return self._current.t

    @property
    def objects(self) -> list:
        """The objects of the current simulation's last run."""
        return list(self._current.objects)

    def _update(self, level: int) -> Network:
        objects = list({id(obj): obj for obj in _flatten(collect(level + 1))}.values())
        known = [obj for obj in objects if obj._network is self._current]
        new = [obj for obj in objects if obj._network is None and
               getattr(obj, "invalidates_magic_network", True)]
        if known and new:
            raise MagicError(
                "run() sees objects that have run before ("
                + ", ".join(f"'{obj.name}'" for obj in known) + ") and new ones ("
                + ", ".join(f"'{obj.name}'" for obj in new) + "): it cannot tell whether "
                "to continue the old simulation or start a new one. Build a "
                "Network(...) of the objects to simulate and call its run(), or call "
                "start_scope() before creating the new objects; collect() shows what "
                "run() would take")
        if new:
            self._current = _MagicRun(name="magicnetwork")
        self._current.objects = objects
        return self._current

    def run(self, duration: float, report: str | Callable | None = None,
            report_period: float = 10 * second, namespace: dict | None = None,
            level: int = 0, profile: bool | None = None) -> None:
        """Simulate the visible objects (see :func:`run`)."""
        net = self._update(level + 1)
        try:
            net.run(duration, report=report, report_period=report_period,
                    namespace=namespace, level=level + 1, profile=profile)
        finally:
            net.objects = []

    @property
    def profiling_info(self) -> list[tuple[str, float]]:
        """The profiling information of the last run (see :attr:`Network.profiling_info`)."""
        return self._current.get_profiling_info()

    def get_profiling_info(self) -> list[tuple[str, float]]:
        """See :attr:`Network.profiling_info`."""
        return self._current.get_profiling_info()

    def store(self, name: str = "default", filename: str | None = None,
              level: int = 0) -> None:
        """Store the visible objects' state (see :meth:`Network.store`)."""
        net = self._update(level + 1)
        for obj in net.objects:
            obj._network = net
        net.store(name, filename)
        net.objects = []

    def restore(self, name: str = "default", filename: str | None = None,
                restore_random_state: bool = False, level: int = 0) -> None:
        """Restore the visible objects' state (see :meth:`Network.restore`)."""
        net = self._update(level + 1)
        net.restore(name, filename, restore_random_state)
        net.objects = []

    def stop(self) -> None:
        """End the current run after the step in progress."""
        self._current.stop()

    def __repr__(self) -> str:
        return "MagicNetwork()"


#: The network behind :func:`run`, :func:`store` and :func:`restore`.
magic_network = MagicNetwork()


def run(duration: float, report: str | Callable | None = None,
        report_period: float = 10 * second, namespace: dict | None = None,
        level: int = 0, profile: bool | None = None) -> None:
    """Simulate the objects visible here for ``duration`` seconds.

    The objects are those :func:`collect` finds: bound to a name in the caller's locals or
    globals and created since the last :func:`start_scope`. If all are new, time starts
    at 0; if all ran in the previous ``run()``, it continues. See :meth:`Network.run`
    for the arguments; ``level`` also says where to look for the objects.
    """
    magic_network.run(duration, report=report, report_period=report_period,
                      namespace=namespace, level=level + 1, profile=profile)


def store(name: str = "default", filename: str | None = None, level: int = 0) -> None:
    """Store the state of the visible objects (see :meth:`Network.store`)."""
    magic_network.store(name, filename, level=level + 1)


def restore(name: str = "default", filename: str | None = None,
            restore_random_state: bool = False, level: int = 0) -> None:
    """Restore the visible objects to a stored state (see :meth:`Network.restore`)."""
    magic_network.restore(name, filename, restore_random_state, level=level + 1)


def stop() -> None:
    """End the current run after the step in progress, whichever network it is."""
    Network._globally_stopped = True


def start_scope() -> None:
    """Start afresh: objects created before are no longer part of ``run()``."""
    scope.start_scope()

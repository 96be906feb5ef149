"""One compiled loop per network run (Numba backend).

Calling a Numba kernel from Python costs microseconds of argument checking, and a
network runs several kernels per time step, so a Python loop over steps spends most of
a small model's time outside compiled code. Instead, each operation of a run emits the
Numba source of its per-step work (a kernel call, the spike ring of a pathway, a
monitor's bookkeeping) into a :class:`FusedLoop`, which compiles it into one function
stepping the whole network. The source names no parameter values (they are
arguments), so a changed parameter reuses the compiled loop, which Numba caches on
disk like every kernel.

The loop runs the same kernels in the same order on the same random stream as the
Python loop, so both give the same spikes; state values agree to the last bit or one
rounding step, as the compiler optimises the kernels together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .backends.numba_backend import load_module
from .errors import SnnError
from .memory import ensure_fits

_HEADER = """\
import sys
import numpy as np
from numba import njit
from snncore.backends.numba_helpers import _bisect_left
"""


@dataclass
class GrowingBuffer:
    """Arrays that take a variable number of rows per step (recorded spikes).

    The loop stops before a step that might overflow them; :meth:`FusedLoop.advance`
    then doubles them and goes on.
    """

    loop: FusedLoop
    rows_per_step: int
    owner: str  # what records into it, and what to change when it cannot grow
    way_out: str
    names: dict[str, str] = field(default_factory=dict)  # field -> argument name
    count_name: str = ""

    def grow_if_needed(self) -> None:
        count = int(self.loop.values[self.count_name][0])
        first = self.loop.values[next(iter(self.names.values()))]
        if count + self.rows_per_step <= first.size:
            return
        size = 2 * max(first.size, count + self.rows_per_step)
        row = sum(self.loop.values[name].itemsize for name in self.names.values())
        if size * row > 1 << 24:  # the estimate itself costs a little: only when large
            ensure_fits(size * row, f"{self.owner}, holding {count} events, would grow to "
                        f"{size} ({row} bytes each)", self.way_out)
        for name in self.names.values():
            old = self.loop.values[name]
            grown = np.zeros(size, dtype=old.dtype)
            grown[:count] = old[:count]
            self.loop.values[name] = grown

    def take(self) -> dict[str, np.ndarray]:
        """The filled rows of each field (copies); the buffer is emptied."""
        counter = self.loop.values[self.count_name]
        out = {key: self.loop.values[name][: counter[0]].copy()
               for key, name in self.names.items()}
        counter[0] = 0
        return out


class FusedLoop:
    """Collects the per-step source of a run's operations and compiles it.

    Operations call :meth:`emit` with lines of the step body, in schedule order, and
    use :meth:`arg`, :meth:`call`, :meth:`spikes` to name what those lines use. In the
    step body, ``_step`` is the step number and ``_t`` the time.
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self._array_names: dict[int, str] = {}
        self._lines: list[str] = []
        self._checks: list[str] = []
        self._kernels: dict[str, str] = {}
        self._functions: dict[tuple[str, str], str] = {}
        self._sources: dict[int, tuple[object, int, str]] = {}
        self._exits: list[Callable[[], None]] = []
        self._buffers: list[GrowingBuffer] = []
        self._replaceable: list[str] = []
        self._views = 0
        self._counts: np.ndarray | None = None
        self.step = 0  # the next step to run (see advance)
        self._loop = None

    # ---- what operations use while emitting
    def emit(self, line: str) -> None:
        """Append a line to the step body (indent nested blocks by four spaces)."""
        self._lines.append(line)

    def arg(self, value, hint: str) -> str:
        """Make ``value`` an argument of the loop; the same array gets one name."""
        if isinstance(value, np.ndarray):
            known = self._array_names.get(id(value))
            if known is not None:
                return known
        elif not isinstance(value, int | float | np.number):
            raise SnnError(f"internal error: cannot pass {type(value).__name__} to the "
                           "compiled loop")
        name = f"{hint}_{len(self.values)}"
        self.values[name] = value
        if isinstance(value, np.ndarray):
            self._array_names[id(value)] = name
        return name

    def call(self, bound, **overrides: str) -> str:
        """The call of ``bound``'s kernel; ``overrides`` give per-step arguments."""
        if bound.backend != "numba":
            # Code calling a user's Python function runs vectorised in Python.
            raise _NotCompiled
        kernel = bound.kernel
        local = self._kernels.setdefault(kernel.module_name, f"_k{len(self._kernels)}")
        parts = []
        for name, pos in sorted(bound.positions.items(), key=lambda item: item[1]):
            if name == "t":
                parts.append("_t")
            elif name in overrides:
                parts.append(overrides[name])
            else:
                parts.append(self.arg(bound.args[pos], "a"))
        return f"{local}({', '.join(parts)})"

    def function(self, func) -> str:
        """The local name of an ``@njit`` function defined at the top level of a module
        (the loop imports it), for work that is no kernel (drawing input counts)."""
        key = (func.py_func.__module__, func.py_func.__name__)
        return self._functions.setdefault(key, f"_f{len(self._functions)}")

    def _source(self, base) -> tuple[int, str]:
        entry = self._sources.get(id(base))
        if entry is None:
            buffer, _count = base._spike_buffer()
            entry = (base, len(self._sources), self.arg(buffer, "spk"))
            self._sources[id(base)] = entry
        return entry[1], entry[2]

    def spike_count(self, base) -> str:
        """Where the loop keeps the number of spikes of ``base`` in the current step."""
        return f"_nspk[{self._source(base)[0]}]"

    def spike_array(self, base) -> str:
        """The array holding the spike indices of ``base``."""
        return self._source(base)[1]

    def spikes(self, source) -> str:
        """Emit lines binding a new name to the current spikes of ``source`` (a group or
        a subgroup, whose spikes are taken from its parent's sorted spikes)."""
        base = getattr(source, "parent", source)
        slot, array = self._source(base)
        name = f"_s{self._views}"
        self._views += 1
        self.emit(f"{name} = {array}[:_nspk[{slot}]]")
        if base is not source:
            start, stop = self.arg(source.start, "lo"), self.arg(source.stop, "hi")
            scratch = self.arg(np.zeros(max(len(source), 1), dtype=np.int64), "sub")
            self.emit(f"_lo = _bisect_left({name}, {start})")
            self.emit(f"_hi = _bisect_left({name}, {stop})")
            self.emit("for _q in range(_hi - _lo):")
            self.emit(f"    {scratch}[_q] = {name}[_lo + _q] - {start}")
            self.emit(f"{name} = {scratch}[:_hi - _lo]")
        return name

    def buffer(self, rows_per_step: int, fields: dict[str, type], owner: str,
               way_out: str) -> GrowingBuffer:
        """Growing arrays, one per field, with a shared row count, filled by ``owner``
        (``way_out`` says what to change when they would not fit in memory)."""
        grown = GrowingBuffer(self, rows_per_step, owner, way_out)
        size = max(4 * rows_per_step, 1024)
        for key, dtype in fields.items():
            grown.names[key] = self.arg(np.zeros(size, dtype=dtype), "buf")
        grown.count_name = self.arg(np.zeros(1, dtype=np.int64), "nbuf")
        first = next(iter(grown.names.values()))
        self._checks.append(f"if {grown.count_name}[0] + {rows_per_step} > {first}.size:")
        self._buffers.append(grown)
        return grown

    def replaceable(self, array: np.ndarray, hint: str) -> str:
        """Make ``array`` an argument that the step body may bind to a new array (a
        helper growing it, e.g. ``q = _queue_push(q, ...)``): the loop returns the
        arrays last bound and :attr:`values` holds them after each call."""
        name = self.arg(array, hint)
        self._replaceable.append(name)
        return name

    def on_exit(self, done: Callable[[], None]) -> None:
        """Call ``done`` after the run (also after an interrupted one)."""
        self._exits.append(done)

    # ---- compiling and running
    def source(self) -> str:
        """The Numba module source of the loop."""
        args = ", ".join(["_step0", "_step1", "_dt", "_nspk", *self.values])
        lines = [_HEADER]
        for module, local in self._kernels.items():
            lines.append(f"{local} = sys.modules[{module!r}].kernel")
        for (module, name), local in self._functions.items():
            lines.append(f"from {module} import {name} as {local}")
        replaced = "".join(f"{name}, " for name in self._replaceable)
        done = (lambda step: f"{step}, ({replaced})") if replaced else (lambda step: step)
        lines += ["", "", "@njit(error_model='numpy', nogil=True)",
                  f"def loop({args}):",
                  "    for _step in range(_step0, _step1):"]
        for check in self._checks:
            lines += [f"        {check}", f"            return {done('_step')}"]
        lines.append("        _t = _step * _dt")
        lines += [f"        {line}" for line in self._lines]
        lines.append(f"    return {done('_step1')}")
        return "\n".join(lines) + "\n"

    def compile(self) -> None:
        """Build (or load from the disk cache) the compiled loop."""
        self._loop = load_module(self.source(), "loop").loop
        self._counts = np.array([base._spike_buffer()[1] for base, _s, _a in
                                 sorted(self._sources.values(), key=lambda e: e[1])]
                                or [0], dtype=np.int64)
        # An empty range compiles (or loads from the cache) now, not in the first step.
        self._call(0, 0, 0.0)

    def _call(self, begin: int, end: int, dt: float) -> int:
        """One call of the compiled loop; the arrays it replaced go into :attr:`values`."""
        out = self._loop(begin, end, dt, self._counts, *self.values.values())
        if not self._replaceable:
            return out
        step, arrays = out
        for name, array in zip(self._replaceable, arrays, strict=True):
            self.values[name] = array
        return step

    def advance(self, begin: int, end: int, dt: float) -> int:
        """Run steps ``begin`` to ``end - 1``; returns ``end``. :attr:`step` is the next
        step to run, also when a buffer cannot grow and this raises."""
        self.step = begin
        while self.step < end:
            self.step = self._call(self.step, end, dt)
            for grown in self._buffers:
                grown.grow_if_needed()
        return end

    def finish(self) -> None:
        """Hand spikes and recorded data back to the objects."""
        for base, slot, array in self._sources.values():
            base._spike_buffer_done(self.values[array], int(self._counts[slot]))
        for done in self._exits:
            done()


def fused_loop(operations) -> FusedLoop | None:
    """A compiled loop for ``operations`` (in schedule order), or None if one of them
    has no compiled form."""
    if not operations or any(op.fuse is None for op in operations):
        return None
    loop = FusedLoop()
    try:
        for op in operations:
            op.fuse(loop)
    except _NotCompiled:
        return None
    loop.compile()
    return loop


class _NotCompiled(Exception):
    """An operation's kernel is not a Numba kernel, so the run cannot be fused."""

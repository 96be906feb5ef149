"""One compiled loop per network run (Numba backend).

Calling a Numba kernel from Python costs microseconds of argument checking, and a
network runs several kernels per time step, so a Python loop over steps spends most of
a small model's time outside compiled code. Instead, the operations of a run
(:mod:`snncore.operations`) are rendered (:mod:`snncore.backends.fused_step`) into a
:class:`FusedLoop`, which compiles them into one function stepping the whole network.
The source names no parameter values (they are arguments), so a changed parameter
reuses the compiled loop, which Numba caches on disk like every kernel.

Operations that are Python code (a network operation, a kernel calling the user's
Python function) split each step into segments: the loop returns to Python before such
an operation when it is due, which runs it (:mod:`snncore.backends.numpy_step`) and
calls the loop again to go on from there. Around those calls, the loop hands its spike
counts and recordings to the objects and takes the spike counts back, so the Python
code sees (and may change) the network as it is at that point of the step.

The loop runs the same kernels in the same order on the same random stream as the
Python loop, so both give the same spikes; state values agree to the last bit or one
rounding step, as the compiler optimises the kernels together.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .backends import fused_step
from .backends.numba_backend import load_module
from .backends.numpy_step import step_function
from .clocks import clocked
from .errors import SnnError
from .memory import ensure_fits

_HEADER = """\
import numpy as np
from numba import njit
from snncore.backends.loop_compiler import LoopCompiler, call as _call, call_packed as _packed
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

    Renderers call :meth:`emit` with lines of the step body, in schedule order, and
    use :meth:`arg`, :meth:`call`, :meth:`spikes` to name what those lines use;
    :meth:`split` places an operation run in Python. In the step body, ``_step`` is the
    step number and ``_t`` the time.
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self._array_names: dict[object, str] = {}
        #: The kernels' constant arguments, as int64 words (see call); the loop's ``_w``.
        self._words: list[int] = []
        self._word_of: dict[object, int] = {}  # an array's id -> the word of its address
        self._kept: list[np.ndarray] = []  # the arrays passed as addresses
        #: The lines of each segment of the step body; a Python operation between two.
        self._segments: list[list[str]] = [[]]
        #: The Python operations in order: name, ``run(step, t)``, every how many steps,
        #: the loop's test of that, and whether it is the user's code.
        self._python: list[tuple[str, Callable[[int, float], None], int, str, bool]] = []
        self._undo_check = False
        self._checks: list[str] = []
        self._functions: dict[tuple[str, str], str] = {}
        self._sources: dict[int, tuple[object, int, str]] = {}
        self._exits: list[Callable[[], None]] = []
        self._buffers: list[GrowingBuffer] = []
        self._replaceable: list[str] = []
        self._views = 0
        self._counts: np.ndarray | None = None
        self._packed: np.ndarray | None = None  # the words, as the loop receives them
        self.step = 0  # the next step to run (see advance)
        self.dt: float | None = None
        #: Seconds spent in each Python operation, when a run is profiled (else None).
        self.python_times: dict[str, float] | None = None
        self._loop = None
        self._abandoned = False

    # ---- what renderers use while emitting
    def emit(self, line: str) -> None:
        """Append a line to the step body (indent nested blocks by four spaces)."""
        self._segments[-1].append(line)

    def split(self, op, undo: bool) -> None:
        """Run ``op`` in Python at this point of the step, when its clock ticks. With
        ``undo``, the loop also returns at the start of each step in which a user's
        operation is due, so that the network can note the state a failing one restores
        (see :meth:`advance`)."""
        every = op.clock_every
        due = "" if every == 1 else f" and _step % {self.arg(every, 'every')} == 0"
        self._python.append((op.name, clocked(step_function(op), op), every, due,
                             op.user_code))
        self._segments.append([])
        self._undo_check = self._undo_check or undo

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

    def call(self, bound, **overrides: str | np.ndarray) -> str:
        """The call of ``bound``'s kernel; ``overrides`` give per-step arguments (an
        expression of the step body) or other values.

        Its numbers (int64, float64) and the addresses of the arrays it only indexes go
        into the loop's words (:func:`~snncore.backends.loop_compiler.call_packed`), the
        rest are arguments of the loop."""
        kernel = bound.kernel
        layout, extra = [], []
        for name in kernel.parameters:
            value = overrides.get(name, bound.args[bound.positions[name]])
            if name == "t":
                layout.append("x")
                extra.append("_t")
            elif isinstance(overrides.get(name), str):
                layout.append("x")
                extra.append(overrides[name])
            elif name in kernel.indexed and _POINTABLE.get(_dtype_of(value)):
                layout.append(f"{_POINTABLE[value.dtype]}*{self._address(value)}")
            elif type(value) in _WORD_KINDS and -2**63 <= value < 2**63:
                kind = _WORD_KINDS[type(value)]
                self._words.append(int(np.array(value, dtype=kind).view(np.int64)))
                layout.append(f"{kind[0]}{len(self._words) - 1}")
            else:
                layout.append("x")
                extra.append(self.arg(value, "a"))
        parts = [repr(f"{kernel.module_name}:kernel"), "_w", repr(" ".join(layout)), *extra]
        return f"_packed({', '.join(parts)})"

    def _address(self, array: np.ndarray) -> int:
        """The word holding the address of ``array``'s data (kept alive by the loop),
        for a kernel that only indexes it: an array argument costs a compile several
        milliseconds (its Python wrapper takes the array apart, its calls pass seven
        fields), a pointer far less."""
        k = self._word_of.get(id(array))
        if k is None:
            k = self._word_of[id(array)] = len(self._words)
            self._words.append(array.ctypes.data)
            self._kept.append(array)
        return k

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
        """The local name of the number of spikes of ``base`` in the current step (set
        it with :meth:`set_spike_count`)."""
        return f"_n{self._source(base)[0]}"

    def set_spike_count(self, base, expr: str) -> None:
        """Emit lines setting the number of spikes of ``base`` to ``expr``. (The loop
        keeps it in a local, read from ``_nspk`` once per call: each read of an array
        element is a statement for Numba to lower.)"""
        slot = self._source(base)[0]
        self.emit(f"_n{slot} = {expr}")
        self.emit(f"_nspk[{slot}] = _n{slot}")

    def spike_array(self, base) -> str:
        """The array holding the spike indices of ``base``."""
        return self._source(base)[1]

    def spikes(self, source) -> str:
        """Emit lines binding a new name to the current spikes of ``source`` (a group or
        a subgroup, whose spikes are taken from its parent's sorted spikes)."""
        base = getattr(source, "parent", source)
        from .backends.loop_helpers import _subgroup_spikes

        slot, array = self._source(base)
        name = f"_s{self._views}"
        self._views += 1
        self.emit(f"{name} = {array}[:_n{slot}]")
        if base is not source:
            scratch = self.arg(np.zeros(max(len(source), 1), dtype=np.int64), "sub")
            self.emit(f"{name} = {self.function(_subgroup_spikes)}({name}, "
                      f"{self.arg(source.start, 'lo')}, {self.arg(source.stop, 'hi')}, "
                      f"{scratch})")
        return name

    def on_spikes(self, bound, source) -> None:
        """Emit the call of ``bound``'s kernel for the current spikes of ``source`` (as
        its ``_n`` and ``_indices``), in a step with any. A kernel that only indexes
        ``_indices`` gets the spike array of a group itself, no slice of it (a slice is
        several statements for Numba to lower)."""
        base = getattr(source, "parent", source)
        if base is source and "_indices" in bound.kernel.indexed:
            count = self.spike_count(base)
            indices = self.values[self.spike_array(base)]
        else:
            indices = self.spikes(source)
            count = f"{indices}.size"
        self.emit(f"if {count}:")
        self.emit("    " + self.call(bound, _n=count, _indices=indices))

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
        helper growing it, e.g. ``q, n = _queue_step(q, ...)``): the loop returns the
        arrays last bound and :attr:`values` holds them after each call."""
        name = self.arg(array, hint)
        self._replaceable.append(name)
        return name

    def on_clock(self, emit: Callable[[FusedLoop], None], op) -> None:
        """``emit(self)``, its lines run only where ``op``'s clock ticks: inside them
        ``_step`` counts that clock's ticks and ``_t`` is its time (:mod:`snncore.clocks`)."""
        segment = self._segments[-1]
        start = len(segment)
        emit(self)
        if op.clock_every == 1 or len(segment) == start:
            return
        k = self.arg(int(op.clock_every), "every")
        dt = self.arg(float(op.clock_dt), "clockdt")
        segment[start:] = [f"if _step % {k} == 0:", "    _base_step = _step",
                           f"    _step = _base_step // {k}", f"    _t = _step * {dt}",
                           *("    " + line for line in segment[start:]),
                           "    _step = _base_step", "    _t = _step * _dt"]

    def on_exit(self, done: Callable[[], None]) -> None:
        """Call ``done`` after the run (also after an interrupted one)."""
        self._exits.append(done)

    # ---- compiling and running
    def source(self) -> str:
        """The Numba module source of the loop.

        ``loop(_step0, _step1, _seg, ...)`` runs from segment ``_seg`` of step
        ``_step0`` (0: its start) until step ``_step1`` or a Python operation that is
        due, and returns ``(step, segment)`` where to go on: before segment ``k`` > 0,
        the Python operation ``k - 1`` is to run first. With replaceable arguments, a
        tuple of their last arrays follows.
        """
        args = ", ".join(["_step0", "_step1", "_seg", "_dt", "_nspk", "_w", *self.values])
        lines = [_HEADER]
        lines += sorted({f"import {module}" for module, _name in self._functions})
        replaced = "".join(f"{name}, " for name in self._replaceable)
        done = (lambda at: f"    return {at}, ({replaced})") if replaced else \
            (lambda at: f"    return {at}")
        first = []
        counts = [f"    _n{slot} = _nspk[{slot}]" for _b, slot, _a in self._sources.values()]
        for check in self._checks:
            first += [check, done("_step, 0")]
        if self._undo_check:
            user = [f"(True{due})" for _n, _r, _e, due, user_code in self._python if user_code]
            first += [f"if _step != _step0 and ({' or '.join(user)}):", done("_step, 0")]
        body = first + self._segments[0]
        if self._python and body:
            body = ["if _seg == 0:"] + [f"    {line}" for line in body]
        for k, segment in enumerate(self._segments[1:], 1):
            body += [f"if _seg <= {k}:", f"    if _seg < {k}{self._python[k - 1][3]}:",
                     "    " + done(f"_step, {k}")]
            body += [f"    {line}" for line in segment]
        if self._python:
            body.append("_seg = 0")
        lines += ["", "", "@njit(error_model='numpy', nogil=True, no_cfunc_wrapper=True, "
                  "pipeline_class=LoopCompiler)",
                  f"def loop({args}):", *counts,
                  "    for _step in range(_step0, _step1):",
                  "        _t = _step * _dt"]
        lines += [f"        {line}" for line in body]
        lines.append(done("_step1, 0"))
        # Helpers are called as kernels are (see call): `_f0(a, b)` is `_call('m:f', a, b)`.
        where = {local: f"{module}:{name}" for (module, name), local in self._functions.items()}
        return re.sub(r"\b(_f\d+)\(", lambda m: f"_call({where[m.group(1)]!r}, ",
                      "\n".join(lines) + "\n")

    def compile(self) -> None:
        """Build (or load from the disk cache) the compiled loop."""
        self._loop = load_module(self.source(), "loop").loop
        self._counts = np.array([base._spike_buffer()[1] for base, _s, _a in
                                 sorted(self._sources.values(), key=lambda e: e[1])]
                                or [0], dtype=np.int64)
        self._packed = np.array(self._words or [0], dtype=np.int64)  # the loop's _w
        # An empty range compiles (or loads from the cache) now, not in the first step.
        self._call(0, 0, 0, 0.0)

    def _call(self, begin: int, end: int, segment: int, dt: float) -> tuple[int, int]:
        """One call of the compiled loop; the arrays it replaced go into :attr:`values`."""
        out = self._loop(begin, end, segment, dt, self._counts, self._packed.ctypes.data,
                         *self.values.values())
        if not self._replaceable:
            return out
        step, segment, arrays = out
        for name, array in zip(self._replaceable, arrays, strict=True):
            self.values[name] = array
        return step, segment

    def advance(self, begin: int, end: int, dt: float, stop: Callable[[], bool],
                undo: Callable[[], Callable[[], None]] | None = None) -> None:
        """Run steps ``begin`` to ``end - 1``, the Python operations included, and
        :attr:`step` is ``end``; or fewer, when a Python operation made ``stop()`` true
        (the step in progress is completed). :attr:`step` is the next step to run, also
        when a buffer cannot grow and this raises.

        ``undo`` (see :func:`snncore.network._step_undo`) notes the network's state at
        the start of each step in which a user's operation is due; if one raises, the
        network goes back there, and the loop hands nothing more back.
        """
        self.dt = dt
        self.step, segment, restore = begin, 0, None
        while self.step < end:
            if segment == 0 and undo is not None and self._user_due(self.step):
                self._hand_back()
                restore = undo()
            self.step, segment = self._call(self.step, end, segment, dt)
            for grown in self._buffers:
                grown.grow_if_needed()
            if segment == 0:
                continue
            name, run = self._python[segment - 1][:2]
            self._hand_back()
            began = time.perf_counter()
            try:
                run(self.step, self.step * dt)
            except BaseException:
                if restore is not None:
                    self._abandoned = True
                    restore()
                raise
            if self.python_times is not None:
                self.python_times[name] += time.perf_counter() - began
            self._take_back()
            if stop():
                end = self.step + 1

    @property
    def python_names(self) -> list[str]:
        """The names of the operations run in Python between the loop's segments."""
        return [name for name, *_rest in self._python]

    def _user_due(self, step: int) -> bool:
        return any(user and step % every == 0 for _n, _r, every, _d, user in self._python)

    def _hand_back(self) -> None:
        """Hand spikes and recorded data to the objects."""
        for base, slot, array in self._sources.values():
            base._spike_buffer_done(self.values[array], int(self._counts[slot]))
        for done in self._exits:
            done()

    def _take_back(self) -> None:
        """Take the objects' spikes back (Python code may have changed them)."""
        for base, slot, array in self._sources.values():
            spikes = base.spikes
            self.values[array][:spikes.size] = spikes
            self._counts[slot] = spikes.size

    def finish(self) -> None:
        """Hand spikes and recorded data back to the objects (nothing after a Python
        operation failed and the network went back to the start of its step)."""
        if not self._abandoned:
            self._hand_back()


#: The types of numbers that go into the loop's words, and the dtype of their word.
_WORD_KINDS = {int: "int64", np.int64: "int64", float: "float64", np.float64: "float64"}

#: The dtypes of arrays that kernels may receive as pointers, and their Numba names.
_POINTABLE = {np.dtype(np.float64): "float64", np.dtype(np.int64): "int64",
              np.dtype(np.int32): "int32"}


def _dtype_of(value) -> np.dtype | None:
    """The dtype of a one-dimensional contiguous array (a pointer reaches its elements
    as the array does), else None."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.flags.c_contiguous:
        return value.dtype
    return None


def fused_loop(operations: list) -> FusedLoop | None:
    """A compiled loop for ``operations`` (in schedule order), or None if none of them
    compiles (:func:`~snncore.backends.fused_step.compiles`)."""
    if not any(fused_step.compiles(op) for op in operations):
        return None
    loop = FusedLoop()
    for k, op in enumerate(operations):
        if fused_step.compiles(op):
            loop.on_clock(lambda into, op=op: fused_step.emit(op, into), op)
        else:
            # A user's operation after others may fail mid-step (see _step_undo).
            loop.split(op, undo=op.user_code and k > 0)
    loop.compile()
    return loop

"""Operations rendered into the compiled run loop of the Numba backend.

:func:`emit` writes an operation's (:mod:`snncore.operations`) work for one step into a
:class:`~snncore.fusion.FusedLoop`: kernel calls, and calls of the loop's algorithms
(:mod:`snncore.backends.loop_helpers`). The functions below mirror, name for name and
in the same order, those of :mod:`snncore.backends.numpy_step`, which renders the same
operations as Python callables; :class:`~snncore.operations.PythonCall`, the user's
Python code, has no form here (the loop returns to Python to run it, as it does for any
operation that does not :func:`compile <compiles>`). In the step body, ``_step`` is the
step and ``_t`` the time.
"""

from __future__ import annotations

import numpy as np

from ..operations import (
    GenerateSpikes,
    KernelCall,
    OnEvent,
    Operation,
    PoissonDraws,
    Propagate,
    PropagateQueued,
    RecordRate,
    RecordSpikes,
    RecordState,
    Threshold,
)
from . import loop_helpers


def compiles(op: Operation) -> bool:
    """Whether ``op`` runs inside the loop: not the user's Python code, and no kernel
    calling a Python function (such a kernel is numpy code: the loop returns to Python
    to run it)."""
    kernel = getattr(op, "kernel", None)
    return not op.user_code and (kernel is None or kernel.backend == "numba")


def emit(op: Operation, loop) -> None:
    """Write ``op``'s work for one step into ``loop`` (``op`` :func:`compiles`)."""
    _RENDERERS[type(op)](op, loop)


def kernel_call(op: KernelCall, loop) -> None:
    loop.emit(loop.call(op.kernel))


def threshold(op: Threshold, loop) -> None:
    loop.set_spike_count(op.events, loop.call(op.kernel))


def on_event(op: OnEvent, loop) -> None:
    loop.on_spikes(op.kernel, op.events)


def propagate(op: Propagate, loop) -> None:
    if op.delay == 0:
        on_event(OnEvent(op.slot, op.order, op.name, op.kernel, op.events), loop)
        return
    spikes = loop.spikes(op.events)
    buf, counts = loop.arg(op.ring.buf, "ring"), loop.arg(op.ring.counts, "ringn")
    loop.emit(f"_m = {loop.function(loop_helpers._ring_step)}({buf}, {counts}, {spikes}, "
              f"_step, {loop.arg(op.delay, 'delay')})")
    loop.emit("if _m:")
    loop.emit("    " + loop.call(op.kernel, _n="_m",
                                 _indices=f"{buf}[_step % {counts}.size, :_m]"))


def propagate_queued(op: PropagateQueued, loop) -> None:
    spikes = loop.spikes(op.events)
    queue = op.queue
    buf, counts = loop.replaceable(queue.buf, "queue"), loop.arg(queue.counts, "queuen")
    perm = op.perm if op.perm is not None else np.zeros(0, dtype=np.int32)
    loop.emit(f"{buf}, _m = {loop.function(loop_helpers._queue_step)}({buf}, {counts}, "
              f"{spikes}, {loop.arg(op.ptr, 'ptr')}, {loop.arg(perm, 'perm')}, "
              f"{loop.arg(op.delays, 'steps')}, _step)")
    loop.emit("if _m:")
    loop.emit("    " + loop.call(op.kernel, _n="_m",
                                 _indices=f"{buf}[_step % {counts}.size, :_m]"))

    def done() -> None:
        queue.buf = loop.values[buf]

    loop.on_exit(done)


def record_state(op: RecordState, loop) -> None:
    col = loop.arg(np.array([op.times.count]), "col")
    loop.emit(loop.call(op.kernel, _col=f"{col}[0]"))
    loop.emit(f"{loop.arg(op.times.data, 'times')}[{col}[0], 0] = _t")
    loop.emit(f"{col}[0] += 1")
    column = loop.values[col]

    def done() -> None:
        for grown in op.grown:
            grown.count = int(column[0])

    loop.on_exit(done)


def record_spikes(op: RecordSpikes, loop) -> None:
    spikes, counts = loop.spikes(op.events), loop.arg(op.counts, "counts")
    call, sink = loop.function, op.sink
    if sink is None:
        loop.emit(f"{call(loop_helpers._count_spikes)}({counts}, {spikes})")
        return
    grown = loop.buffer(len(op.counts), {
        "i": np.int64, "step": np.int64,
        **{f"v_{name}": array.dtype for name, array in op.variables.items()}},
        sink.where, sink.way_out)
    filled, names = grown.count_name, grown.names
    loop.emit(f"{call(loop_helpers._record_spikes)}({counts}, {names['i']}, "
              f"{names['step']}, {filled}, {spikes}, _step)")
    for name, array in op.variables.items():
        loop.emit(f"{call(loop_helpers._append_values)}({names['v_' + name]}, {filled}, "
                  f"{loop.arg(array, 'src')}, {spikes})")
    loop.emit(f"{filled}[0] += {spikes}.size")

    def done() -> None:
        data = grown.take()
        if data["i"].size:
            sink._add_events(data["i"], data["step"] * (op.clock_dt or loop.dt),
                             {name: data["v_" + name] for name in op.variables})

    loop.on_exit(done)


def record_rate(op: RecordRate, loop) -> None:
    spikes, col = loop.spikes(op.events), loop.arg(np.array([op.rate.count]), "col")
    loop.emit(f"{loop.arg(op.rate.data, 'rate')}[{col}[0], 0] = "
              f"{spikes}.size * {loop.arg(op.scale, 'scale')}")
    loop.emit(f"{loop.arg(op.times.data, 'times')}[{col}[0], 0] = _t")
    loop.emit(f"{col}[0] += 1")
    column = loop.values[col]

    def done() -> None:
        op.rate.count = op.times.count = int(column[0])

    loop.on_exit(done)


def generate_spikes(op: GenerateSpikes, loop) -> None:
    step = "_step" if op.period is None else f"_step % {loop.arg(op.period, 'period')}"
    loop.set_spike_count(op.holder, f"{loop.function(loop_helpers._generated_spikes)}("
                         f"{loop.spike_array(op.holder)}, {loop.arg(op.ptr, 'ptr')}, "
                         f"{loop.arg(op.indices, 'gen')}, {step})")


def poisson_draws(op: PoissonDraws, loop) -> None:
    from ..binomial import draw_counts

    loop.emit(f"{loop.function(draw_counts)}({loop.arg(op.counts, 'counts')}, "
              f"{loop.arg(op.n, 'n')}, {loop.arg(op.p, 'p')}, {loop.arg(op.normal, 'normal')}, "
              f"{loop.arg(op.rng, 'rng')}, _t, {loop.arg(op.dt, 'dt')})")
    loop.emit(loop.call(op.kernel))


_RENDERERS = {KernelCall: kernel_call, Threshold: threshold, OnEvent: on_event,
              Propagate: propagate, PropagateQueued: propagate_queued, RecordState: record_state,
              RecordSpikes: record_spikes, RecordRate: record_rate,
              GenerateSpikes: generate_spikes, PoissonDraws: poisson_draws}

"""Operations rendered as Python callables, for time steps run from Python.

:func:`step_function` turns an operation (:mod:`snncore.operations`) into a callable
``run(step, t)`` doing its work for one step; a network calls them in schedule order.
Their kernels are numpy or Numba ones alike: this is the numpy backend's step, and the
Numba backend's for a profiled run. The functions below mirror, name for name and in
the same order, those of :mod:`snncore.backends.fused_step`, which renders the same
operations into the compiled loop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..operations import (
    GenerateSpikes,
    KernelCall,
    OnEvent,
    Operation,
    PoissonDraws,
    Propagate,
    PropagateQueued,
    PythonCall,
    RecordRate,
    RecordSpikes,
    RecordState,
    Threshold,
)

Step = Callable[[int, float], None]


def step_function(op: Operation) -> Step:
    """The callable ``run(step, t)`` doing ``op``'s work in step ``step`` (time ``t``)."""
    return _RENDERERS[type(op)](op)


def _deliver(kernel) -> Callable[[np.ndarray, float], None]:
    """Run ``kernel`` over the listed elements (or CSR rows) at time ``t``."""
    args, pos, call = kernel.args, kernel.positions, kernel.kernel
    n_pos, idx_pos, t_pos = pos["_n"], pos["_indices"], pos["t"]

    def deliver(indices: np.ndarray, t: float) -> None:
        args[n_pos] = indices.size
        args[idx_pos] = indices
        args[t_pos] = t
        call(*args)

    return deliver


def kernel_call(op: KernelCall) -> Step:
    args, t_pos, call = op.kernel.args, op.kernel.positions["t"], op.kernel.kernel

    def run(step: int, t: float) -> None:
        args[t_pos] = t
        call(*args)

    return run


def threshold(op: Threshold) -> Step:
    args, t_pos, call = op.kernel.args, op.kernel.positions["t"], op.kernel.kernel
    events = op.events
    buffer = events._spike_buffer()[0]

    def run(step: int, t: float) -> None:
        args[t_pos] = t
        events._spike_buffer_done(buffer, call(*args))

    return run


def on_event(op: OnEvent) -> Step:
    deliver, events = _deliver(op.kernel), op.events

    def run(step: int, t: float) -> None:
        spikes = events.spikes
        if spikes.size:
            deliver(spikes, t)

    return run


def propagate(op: Propagate) -> Step:
    deliver, events, delay = _deliver(op.kernel), op.events, op.delay
    if delay == 0:
        return on_event(OnEvent(op.slot, op.order, op.name, op.kernel, events))
    buf, counts, length = op.ring.buf, op.ring.counts, len(op.ring)

    def run(step: int, t: float) -> None:
        spikes = events.spikes
        if spikes.size:
            slot = (step + delay) % length
            buf[slot, :spikes.size] = spikes
            counts[slot] = spikes.size
        due = step % length
        if counts[due]:
            n, counts[due] = counts[due], 0
            deliver(buf[due, :n], t)

    return run


def propagate_queued(op: PropagateQueued) -> Step:
    deliver, events, queue = _deliver(op.kernel), op.events, op.queue
    ptr, perm, delays = op.ptr, op.perm, op.delays

    def run(step: int, t: float) -> None:
        spikes = events.spikes
        if spikes.size:
            starts, stops = ptr[spikes], ptr[spikes + 1]
            rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=True)])
            if rows.size:
                _queue_push(queue, step, rows if perm is None else perm[rows], delays)
        due = step % len(queue)
        n, queue.counts[due] = queue.counts[due], 0
        if n:
            deliver(queue.buf[due, :n], t)

    return run


def _queue_push(queue, step: int, ids: np.ndarray, delays: np.ndarray) -> None:
    """Queue the synapses ``ids`` (in order) in ``queue`` (a DelayQueue), each due
    ``delays[id]`` steps after ``step``."""
    # step first reduced: delays may be int32, and step + delay must not overflow them
    slots = (step % len(queue) + delays[ids]) % len(queue)
    order = np.argsort(slots, kind="stable")  # grouped by row, queued order kept
    slots, ids = slots[order], ids[order]
    first = np.r_[0, np.flatnonzero(slots[1:] != slots[:-1]) + 1]
    sizes = np.diff(np.r_[first, slots.size])
    rows = slots[first]
    columns = queue.counts[slots] + np.arange(slots.size) - np.repeat(first, sizes)
    need = int(columns.max()) + 1
    if need > queue.buf.shape[1]:
        grown = np.zeros((len(queue), max(2 * queue.buf.shape[1], need)),
                         dtype=queue.buf.dtype)
        grown[:, :queue.buf.shape[1]] = queue.buf
        queue.buf = grown
    queue.buf[slots, columns] = ids
    queue.counts[rows] += sizes


def record_state(op: RecordState) -> Step:
    args, pos, call = op.kernel.args, op.kernel.positions, op.kernel.kernel
    col_pos, t_pos, times = pos["_col"], pos["t"], op.times

    def run(step: int, t: float) -> None:
        col = times.count
        args[col_pos] = col
        args[t_pos] = t
        call(*args)
        times.data[col, 0] = t
        for grown in op.grown:
            grown.count += 1

    return run


def record_spikes(op: RecordSpikes) -> Step:
    events, counts, variables, sink = op.events, op.counts, op.variables, op.sink

    def run(step: int, t: float) -> None:
        spikes = events.spikes
        if spikes.size:
            if sink is not None:
                sink._make_room(spikes.size)  # may refuse the step: nothing counted yet
            counts[spikes] += 1
            if sink is not None:
                sink._add_events(spikes.copy(), t,
                                 {name: array[spikes] for name, array in variables.items()})

    return run


def record_rate(op: RecordRate) -> Step:
    events, scale, rate, times = op.events, op.scale, op.rate, op.times

    def run(step: int, t: float) -> None:
        col = rate.count
        rate.data[col, 0] = events.spikes.size * scale
        times.data[col, 0] = t
        rate.count += 1
        times.count += 1

    return run


def generate_spikes(op: GenerateSpikes) -> Step:
    holder, ptr, indices, period = op.holder, op.ptr, op.indices, op.period
    empty = np.zeros(0, dtype=np.int64)

    def run(step: int, t: float) -> None:
        if period is not None:
            step %= period
        holder._spikes = indices[ptr[step]:ptr[step + 1]] if step + 1 < ptr.size else empty

    return run


def poisson_draws(op: PoissonDraws) -> Step:
    args, t_pos, call = op.kernel.args, op.kernel.positions["t"], op.kernel.kernel
    counts, n, p, normal, rng, dt = op.counts, op.n, op.p, op.normal, op.rng, op.dt
    # Both draw the same numbers; the Numba backend's compiled loop is the faster.
    if op.stream == "numba":
        from ..binomial import draw_counts as draw
    else:
        from ..binomial import counts as draw

    def run(step: int, t: float) -> None:
        draw(counts, n, p, normal, rng, t, dt)
        args[t_pos] = t
        call(*args)

    return run


def python_call(op: PythonCall) -> Step:
    function, takes_time = op.function, op.takes_time

    def run(step: int, t: float) -> None:
        if takes_time:
            function(t)
        else:
            function()

    return run


_RENDERERS = {KernelCall: kernel_call, Threshold: threshold, OnEvent: on_event,
              Propagate: propagate, PropagateQueued: propagate_queued, RecordState: record_state,
              RecordSpikes: record_spikes, RecordRate: record_rate,
              GenerateSpikes: generate_spikes, PoissonDraws: poisson_draws,
              PythonCall: python_call}

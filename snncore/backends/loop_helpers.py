"""The algorithms of the compiled run loop (:mod:`snncore.fusion`), written once.

The loop's generated source only calls kernels and these functions; each is compiled
once and kept in the disk cache, so a new network's loop does not compile them again
(a loop body written out as source is compiled into every loop that holds it).
Elements are copied one by one: a slice assignment makes Numba compile its
shape-mismatch message (string formatting), about a second of a first run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernel_cache import cached


@cached
@njit
def _bisect_left(a, value):
    """The first position of sorted ``a`` whose element is not below ``value``
    (``np.searchsorted``, whose implementation Numba would compile into every loop)."""
    lo, hi = 0, a.size
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@cached
@njit
def _subgroup_spikes(spikes, start, stop, out):
    """The spikes of a subgroup ``[start, stop)`` of a group, counted from ``start``:
    a slice of the group's sorted ``spikes``, shifted into ``out``; returns the filled
    part of ``out``."""
    lo, hi = _bisect_left(spikes, start), _bisect_left(spikes, stop)
    for q in range(hi - lo):
        out[q] = spikes[lo + q] - start
    return out[:hi - lo]


@cached
@njit
def _ring_step(buf, counts, spikes, step, delay):
    """One step of a pathway with one delay: the ``spikes`` of step ``step`` join the
    ring, due ``delay`` (>= 1) steps later, and the number of spikes due now (in row
    ``step % counts.size`` of ``buf``) is returned, their row emptied.

    Row ``s`` holds the spikes due at the steps ``k`` with ``k % counts.size == s``
    (:class:`snncore.synapses.SpikeRing`).
    """
    length = counts.size
    if spikes.size:
        slot = (step + delay) % length
        for q in range(spikes.size):
            buf[slot, q] = spikes[q]
        counts[slot] = spikes.size
    due = step % length
    n = counts[due]
    counts[due] = 0
    return n


@cached
@njit
def _queue_step(buf, counts, spikes, ptr, perm, delays, step):
    """One step of a pathway with a delay per synapse: the synapses of the neurons in
    ``spikes`` are queued by the step they are due, and ``(buf, n)`` returned, ``n``
    synapses being due now (in row ``step % counts.size`` of ``buf``, emptied).

    Row ``s`` of ``buf`` holds the synapses due at the steps ``k`` with
    ``k % counts.size == s``, ``counts[s]`` of them, in the order they were queued:
    spike by spike, each neuron's synapses in CSR order (``perm`` maps a CSR row to its
    synapse; empty when they coincide), as :class:`snncore.synapses.DelayQueue` does.
    ``buf`` is replaced by a copy with twice the columns when a row is full: the loop
    keeps the returned array and hands the last one back after the run.
    """
    length = counts.size
    for s in spikes:
        for row in range(ptr[s], ptr[s + 1]):
            syn = perm[row] if perm.size else row
            slot = (step + delays[syn]) % length
            count = counts[slot]
            if count == buf.shape[1]:
                buf = _queue_grown(buf, counts)
            buf[slot, count] = syn
            counts[slot] = count + 1
    due = step % length
    n = counts[due]
    counts[due] = 0
    return buf, n


@cached
@njit
def _queue_grown(buf, counts):
    """``buf`` with twice the columns (at least one), the queued entries kept."""
    grown = np.zeros((buf.shape[0], max(2 * buf.shape[1], 1)), dtype=buf.dtype)
    for slot in range(buf.shape[0]):
        for q in range(counts[slot]):
            grown[slot, q] = buf[slot, q]
    return grown


@cached
@njit
def _count_spikes(counts, spikes):
    """One more spike for each element in ``spikes``."""
    for s in spikes:
        counts[s] += 1


@cached
@njit
def _record_spikes(counts, out_i, out_step, filled, spikes, step):
    """One more spike for each element in ``spikes``, and each spike's index and step
    after the ``filled[0]`` rows of ``out_i`` and ``out_step`` (the caller adds the
    count once the spikes' values are in too)."""
    start = filled[0]
    for q in range(spikes.size):
        counts[spikes[q]] += 1
        out_i[start + q] = spikes[q]
        out_step[start + q] = step


@cached
@njit
def _append_values(out, filled, values, spikes):
    """``values`` at each spiking element, after the ``filled[0]`` rows of ``out``."""
    start = filled[0]
    for q in range(spikes.size):
        out[start + q] = values[spikes[q]]


@cached
@njit
def _generated_spikes(out, ptr, indices, step):
    """The spikes of a generator at its step ``step`` (``indices[ptr[step]:ptr[step+1]]``,
    none past the end) copied into ``out``; returns their number."""
    if step + 1 >= ptr.size:
        return 0
    n = ptr[step + 1] - ptr[step]
    for q in range(n):
        out[q] = indices[ptr[step] + q]
    return n

"""The per-step work of a run, as data.

Each class here describes one kind of per-step work: the kernel it calls (a
:class:`~snncore.codeobject.Bound`, its arguments named in one place), the spikes it
reads, the arrays it fills, and its place in Brian 2's schedule. An operation holds
no code of its own. Two renderers turn one list of operations into a time step:
:mod:`snncore.backends.numpy_step` (steps in Python, each operation's kernel called
from Python, numpy or Numba alike) and :mod:`snncore.backends.fused_step` (one compiled
Numba loop stepping the whole network, :mod:`snncore.fusion`). Both define one
function per class, named after it (``KernelCall`` -> ``kernel_call``), in the order of
this module, so that the two forms of each operation are read side by side.

What the objects that own the data must provide:

* a *spike holder* (a group, an :class:`~snncore.groups.EventSpace`, a spike
  generator) has ``_spike_buffer()`` (the array of spike indices and their count) and
  ``_spike_buffer_done(buffer, count)``;
* *events* (what an operation reads spikes from) are a spike holder, or a slice of one
  (a subgroup: ``parent``, ``start``, ``stop``), with ``spikes`` (the current indices);
* a *spike sink* (a recording spike monitor) has ``where``, ``way_out`` and
  ``_add_events(indices, times, values)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .backends.codegen import ALL_ELEMENTS
from .codeobject import Bound

#: ``_indices`` of a kernel over all elements, which does not read it.
NO_INDICES = np.zeros(0, dtype=np.int64)


@dataclass
class Operation:
    """One piece of per-step work, placed in Brian 2's schedule (``slot``, ``order``;
    ``name`` is Brian 2's name of the object, shown in profiling)."""

    slot: str
    order: int
    name: str
    #: True for the user's Python code (a network operation), which may raise mid-run.
    user_code: ClassVar[bool] = False
    #: The clock it runs on (:mod:`snncore.clocks`): every how many base steps of the
    #: network it ticks, and its dt; set by the network (or by :func:`set_clock`).
    clock_every: ClassVar[int] = 1
    clock_dt: ClassVar[float | None] = None


def over_elements(kernel: Bound, n: int) -> Bound:
    """``kernel`` set to run over elements ``0 .. n-1`` (what :class:`KernelCall` runs)."""
    kernel.set("_n", n)
    # A kernel over every element counts them itself: an index array would be 8 bytes
    # per element (per synapse) kept for nothing.
    kernel.set("_indices", NO_INDICES if kernel.spec.mode in ALL_ELEMENTS
               else np.arange(n, dtype=np.int64))
    return kernel


@dataclass
class KernelCall(Operation):
    """A kernel over fixed elements each tick of its clock: state updates,
    subexpressions constant over dt, summed variables, run_regularly."""

    kernel: Bound


@dataclass
class Threshold(Operation):
    """A threshold kernel; the indices of the elements that crossed it go into the spike
    buffer of ``events``, and their count becomes its count."""

    kernel: Bound
    events: object


@dataclass
class OnEvent(Operation):
    """A kernel over the elements of ``events`` that spiked in this step (a reset, code
    run on a custom event, synaptic code without delay of a pathway)."""

    kernel: Bound
    events: object


@dataclass
class Propagate(Operation):
    """Synaptic code on the CSR rows of the neurons of ``events`` that spiked ``delay``
    steps ago (one delay for the whole pathway), held in ``ring`` meanwhile."""

    kernel: Bound
    events: object
    delay: int
    ring: object  # snncore.synapses.SpikeRing


@dataclass
class PropagateQueued(Operation):
    """Synaptic code on each synapse ``delays[syn]`` steps after its presynaptic neuron
    spiked: the synapses of the spiking neurons' CSR rows (``ptr``; ``perm`` maps a row
    to its synapse, or is None) wait in ``queue`` by due step."""

    kernel: Bound
    events: object
    delays: np.ndarray
    ptr: np.ndarray
    perm: np.ndarray | None
    queue: object  # snncore.synapses.DelayQueue


@dataclass
class RecordState(Operation):
    """A record kernel writing column ``times.count`` of each recorded array; the time
    goes into ``times`` and every array in ``grown`` gains a column (StateMonitor)."""

    kernel: Bound
    times: object  # snncore.monitors._Grown
    grown: list


@dataclass
class RecordSpikes(Operation):
    """Spike counts per element of ``events`` into ``counts``; with a ``sink``, also each
    spike's index, time and ``variables`` (name -> the array read at the spiking
    element) (SpikeMonitor, EventMonitor)."""

    events: object
    counts: np.ndarray
    variables: dict
    sink: object | None


@dataclass
class RecordRate(Operation):
    """The number of spikes of ``events`` times ``scale`` into ``rate``, the time into
    ``times``, each step (PopulationRateMonitor)."""

    events: object
    scale: float
    rate: object  # snncore.monitors._Grown
    times: object


@dataclass
class GenerateSpikes(Operation):
    """The spikes of step ``s`` (``s`` modulo ``period``, if given) are
    ``indices[ptr[s]:ptr[s + 1]]``, set as the spikes of ``holder``
    (SpikeGeneratorGroup)."""

    holder: object
    ptr: np.ndarray
    indices: np.ndarray
    period: int | None


@dataclass
class PoissonDraws(Operation):
    """Binomial(n, p) event counts into ``counts`` (their normal approximation when
    ``normal``), computed by the ``stream`` backend from the random stream ``rng`` (see
    :mod:`snncore.random`) at the step of each time ``t`` (clock ``dt``), then ``kernel``
    adds their effect (PoissonInput)."""

    kernel: Bound
    counts: np.ndarray
    n: int
    p: float
    normal: bool
    stream: str
    rng: np.ndarray
    dt: float


@dataclass
class PythonCall(Operation):
    """The user's Python ``function``, given the time if ``takes_time``
    (network_operation)."""

    function: Callable
    takes_time: bool
    user_code: ClassVar[bool] = True

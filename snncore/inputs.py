"""Spike sources: generated spike trains and Poisson processes."""

from __future__ import annotations

import numpy as np

from .errors import SnnError
from .groups import Group, NeuronGroup, RunContext
from .operations import GenerateSpikes, Operation
from .regular import check_slot


class SpikeGeneratorGroup(Group):
    """Neurons that spike at given times.

    Parameters
    ----------
    N : int
        Number of neurons.
    indices : array of int
        Neuron of each spike.
    times : array of float
        Time of each spike (seconds), rounded to the time step as Brian 2 does.
    dt : float, optional
        Time step; the network's by default.
    clock : Clock, optional
        Instead of ``dt``: the time step of this clock.
    period : float, optional
        Repeat the pattern with this period (seconds); 0 or None: no repetition.
    when, order : optional
        Schedule slot (``'thresholds'``) and order.
    sorted : bool
        Accepted for Brian 2 code (snncore sorts the spikes itself).
    name : str, optional
    codeobj_class
        Accepted for Brian 2 code and ignored.
    """

    _base_name = "spikegeneratorgroup"

    def __init__(self, N: int, indices, times, dt: float | None = None, clock=None,
                 period: float | None = None, when: str = "thresholds", order: int = 0,
                 sorted: bool = False, name: str | None = None, codeobj_class=None):
        super().__init__(N, name, None, _clock_dt(dt, clock, "SpikeGeneratorGroup"))
        self._when, self._order = check_slot(when, self.where), int(order)
        self._set_spikes(indices, times, period)
        self._spikes = np.zeros(0, dtype=np.int64)

    def set_spikes(self, indices, times, period: float | None = None,
                   sorted: bool = False) -> None:
        """Replace the spike pattern (spikes before the current time are ignored)."""
        self._set_spikes(indices, times, period)

    def _set_spikes(self, indices, times, period) -> None:
        indices = np.atleast_1d(np.asarray(indices))
        times = np.atleast_1d(np.asarray(times, dtype=float))
        if indices.shape != times.shape:
            raise SnnError(f"{self.where}: {indices.size} indices but {times.size} times")
        # Whole floats (np.zeros(n) as indices) are taken as Brian 2 takes them.
        if indices.size and indices.dtype.kind == "f" and np.all(indices == np.round(indices)):
            indices = indices.astype(np.int64)
        if indices.size and indices.dtype.kind not in "iu":
            raise SnnError(f"{self.where}: spike indices must be integers, got {indices!r}")
        bad = indices[(indices < 0) | (indices >= self.N)]
        if bad.size:
            raise SnnError(f"{self.where}: spike index {int(bad[0])} is outside 0 to "
                           f"{self.N - 1}")
        if np.any(~np.isfinite(times) | (times < 0)):
            raise SnnError(f"{self.where}: spike times must be finite and non-negative")
        if period is not None and period == 0:
            period = None  # Brian 2's 0*second: no repetition
        if period is not None and (period < 0 or (times.size and times.max() >= period)):
            raise SnnError(f"{self.where}: the period ({period} s) must be positive and longer "
                           "than the last spike time")
        order = np.lexsort((indices, times))
        self._indices = indices[order].astype(np.int64)
        self._times = times[order]
        self._period = period

    @property
    def spikes(self) -> np.ndarray:
        """Indices of the neurons that spiked in the last step."""
        return self._spikes

    def _operations(self, ctx: RunContext) -> list[Operation]:
        dt = ctx.dt
        # Brian 2's binning: a small shift keeps spikes at exact multiples of dt in place.
        bins = ((self._times + 1e-3 * dt) / dt).astype(np.int64)
        same = (np.diff(bins) == 0) & (np.diff(self._indices) == 0)
        if same.any():
            k = int(np.flatnonzero(same)[0])
            raise SnnError(
                f"{self.where}: neuron {int(self._indices[k])} has more than one spike in the "
                f"time step at {bins[k] * dt:g} s (dt = {dt:g} s); use a smaller dt or "
                "remove the duplicates")
        period = None if self._period is None else int(round(self._period / dt))
        if period is not None and abs(period * dt - self._period) > 1e-9 * self._period:
            raise SnnError(f"{self.where}: the period ({self._period:g} s) must be a whole "
                           f"multiple of the time step ({dt:g} s)")
        ptr = np.searchsorted(bins, np.arange((bins.max() + 2) if bins.size else 1))
        # Named as Brian 2's object (its profiling entry, its order within the slot).
        return [GenerateSpikes(self._when, self._order, self.name, self, ptr, self._indices,
                               period)]

    def _spike_buffer(self) -> tuple[np.ndarray, int]:
        """A buffer for the fused loop, holding the current spikes."""
        buffer = np.zeros(max(self.N, 1), dtype=np.int64)
        buffer[:self._spikes.size] = self._spikes
        return buffer, self._spikes.size

    def _spike_buffer_done(self, buffer: np.ndarray, count: int) -> None:
        self._spikes = buffer[:count].copy()

    def _state(self) -> dict:
        return {}

    def _set_state(self, state: dict) -> None:
        self._spikes = np.zeros(0, dtype=np.int64)


class PoissonGroup(NeuronGroup):
    """Independent Poisson spike trains.

    Parameters
    ----------
    N : int
    rates : float, array or str
        Rate in Hz: one for all, one per neuron, or an expression of ``t`` and ``i``.
    dt : float, optional
    clock : Clock, optional
        Instead of ``dt``: the time step of this clock.
    when, order
        Only Brian 2's default (``'thresholds'``, 0) is supported.
    namespace : dict, optional
    name : str, optional
    codeobj_class
        Accepted for Brian 2 code and ignored.
    """

    _base_name = "poissongroup"

    def __init__(self, N: int, rates, dt: float | None = None, clock=None,
                 when: str = "thresholds", order: int = 0, namespace: dict | None = None,
                 name: str | None = None, codeobj_class=None):
        if (when, order) != ("thresholds", 0):
            raise SnnError("PoissonGroup draws its spikes in the 'thresholds' slot (order 0); "
                           f"when={when!r}, order={order!r} is not supported")
        model = f"rates = {rates} : Hz" if isinstance(rates, str) else "rates : Hz"
        super().__init__(N, model, threshold="rand() < rates*dt",
                         dt=_clock_dt(dt, clock, "PoissonGroup"), name=name,
                         namespace=namespace)
        if not isinstance(rates, str):
            values = np.asarray(rates, dtype=float)
            if np.any(values < 0) or not np.all(np.isfinite(values)):
                raise SnnError(f"{self.where}: rates must be finite and non-negative")
            self.rates = values


def _clock_dt(dt: float | None, clock, what: str) -> float | None:
    """The time step given as ``dt=`` or as ``clock=`` (Brian 2 takes either)."""
    if clock is None:
        return dt
    if dt is not None:
        raise SnnError(f"{what}: give dt or clock, not both")
    return clock.dt

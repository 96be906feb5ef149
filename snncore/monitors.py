"""Monitors: recorded state traces, spikes and population rates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import scope
from .errors import SnnError
from .expressions import did_you_mean, parse_expression
from .groups import RunContext
from .memory import ensure_fits
from .operations import Operation, RecordRate, RecordSpikes, RecordState
from .regular import check_slot


def _element_indices(key, source, what: str):
    """The indices of ``source``'s elements that a subgroup of it stands for (Brian 2
    takes a neuron subgroup ``G[10:20]`` or synaptic subgroup ``S[i, :]`` as indices);
    other keys unchanged."""
    if hasattr(key, "_indices_of"):  # synapses S[i, :]
        return key._indices_of(source, what)
    if hasattr(key, "_absolute_range"):  # neurons G[10:20]
        parent = getattr(source, "parent", source)
        if key.parent is not parent:
            raise SnnError(f"{what} is {key.where}, not a part of {source.where}")
        start, stop = key._absolute_range()
        offset = source._absolute_range()[0] if hasattr(source, "_absolute_range") else 0
        return np.arange(start, stop) - offset
    return key


def _check_indices(record, source, where: str) -> np.ndarray:
    n = len(source)
    if record is True:
        return np.arange(n, dtype=np.int64)
    if record is False or record is None:
        return np.zeros(0, dtype=np.int64)
    indices = np.atleast_1d(np.asarray(_element_indices(record, source, f"record= of {where}")))
    if indices.dtype.kind not in "iu":
        raise SnnError(f"record= of {where} must be True, False or integer indices, "
                       f"got {record!r}")
    bad = indices[(indices < 0) | (indices >= n)]
    if bad.size:
        raise SnnError(f"cannot record index {int(bad[0])} of {where}: valid indices are "
                       f"0 to {n - 1}")
    return indices.astype(np.int64)


class RecordedArray(np.ndarray):
    """Recorded data as a monitor hands it out: a read-only view of the recording whose
    elements and slices are writable copies.

    Brian 2 returns copies, so scripts edit what they read (``vm = M[0].v[:]`` then
    ``vm[k] = 0``); a copy of a large recording at every attribute access would cost its
    whole size, so the attribute is a view that cannot be written (the monitor cannot
    change through it) and indexing it copies only what was indexed.
    """

    def __getitem__(self, key):
        item = super().__getitem__(key)
        return np.array(item) if isinstance(item, np.ndarray) else item


def _readonly(array: np.ndarray) -> RecordedArray:
    view = array.view(RecordedArray)
    view.flags.writeable = False
    return view


def _unitless(name: str, known) -> str | None:
    """The recorded name behind ``name`` or its unitless form ``name_`` (units are plain
    floats, so both give the same array)."""
    if name in known:
        return name
    if name.endswith("_") and name[:-1] in known:
        return name[:-1]
    return None


_FEWER_EVENTS = ("record fewer events: SpikeMonitor(..., record=False) counts them only; "
                 "monitor a subgroup, or run for a shorter time")


def _ensure_recording_fits(nbytes: int, what: str, way_out: str) -> None:
    if nbytes > 1 << 24:  # the estimate itself costs a little: only for large recordings
        ensure_fits(nbytes, what, way_out)


class _Grown:
    """A 2-D array of ``rows`` values per recorded step that grows by one step at a time.

    Held step-major, ``(steps, rows)``: a step's values are written side by side. Held
    the other way round, as it is shown, each recorded value of a step would be written
    to a cache line (and a memory page) of its own: the Tsodyks network's 2000 recorded
    synapses over 4200 steps spent about 30 ms more per run that way.
    """

    def __init__(self, rows: int, dtype=np.float64):
        self.data = np.zeros((0, rows), dtype=dtype)
        self.count = 0

    def reserve(self, extra: int) -> None:
        need = self.count + extra
        if need > self.data.shape[0]:
            grown = np.zeros((need, self.data.shape[1]), dtype=self.data.dtype)
            grown[: self.count] = self.data[: self.count]
            self.data = grown

    def snapshot(self) -> np.ndarray:
        """A copy of the recorded values, ``(rows, steps)`` as shown (for store())."""
        return self.data[: self.count].T.copy()

    def set_snapshot(self, columns: np.ndarray) -> None:
        """Hold exactly ``columns`` (from :meth:`snapshot`), for restore()."""
        self.data = np.array(np.asarray(columns).T, dtype=self.data.dtype, order="C")
        self.count = self.data.shape[0]

    @property
    def values(self) -> np.ndarray:
        """The recorded values, ``(rows, steps)``, read-only."""
        return _readonly(self.data[: self.count].T)

    @property
    def first_row(self) -> np.ndarray:
        """The recorded values of the first row (times, rates), read-only."""
        return _readonly(self.data[: self.count, 0])


class StateMonitor:
    """Record variables of a group at every step (or every ``dt``).

    Parameters
    ----------
    source : Group
    variables : str, sequence of str, or True
        Names of variables or subexpressions; True records every variable.
    record : bool, int or sequence of int
        Which elements: all (True), none (False) or the given indices.
    dt : float, optional
        Recording interval, a whole multiple of the simulation time step.
    clock : Clock, optional
        Record at every step of this clock (its ``dt``), instead of giving ``dt``.
    when : str
        Schedule slot, ``'start'`` as in Brian 2 (values at the start of each step).
    name : str, optional
    codeobj_class
        Accepted for Brian 2 code and ignored.

    Attributes
    ----------
    t : ndarray
        Recording times (seconds).
    <variable> : ndarray
        Shape ``(n_recorded, n_times)``; ``M[i].v`` is the trace of element ``i``.
    """

    #: New monitors join a running simulation (Brian 2's rule).
    invalidates_magic_network = False

    def __init__(self, source, variables: str | Sequence[str] | bool, record=True,
                 dt: float | None = None, clock=None, when: str = "start", order: int = 0,
                 name: str | None = None, codeobj_class=None):
        self.source = source
        self.name = name or scope.unique_name("statemonitor")
        self.where = f"StateMonitor '{self.name}'"
        if clock is not None:
            if dt is not None:
                raise SnnError(f"{self.where}: give dt or clock, not both")
            dt = clock.dt
        check_slot(when, self.where)
        if variables is True:
            variables = source.variable_names()
        elif isinstance(variables, str):
            variables = [variables]
        self.record_variables = list(variables)
        known = source.variable_names()
        for var in self.record_variables:
            if var not in known:
                raise SnnError(f"{source.where} has no variable '{var}' to record"
                               f"{did_you_mean(var, known)}")
        self.record = _check_indices(record, source, self.where)
        self._row = {int(k): r for r, k in enumerate(self.record)}
        self.dt = dt
        self.when, self.order = when, order
        self.namespace = None
        self._data = {var: _Grown(len(self.record)) for var in self.record_variables}
        self._t = _Grown(1)
        scope.register(self)

    def _operations(self, ctx: RunContext) -> list[Operation]:
        n_new = ctx.n_steps  # ticks of this monitor's clock (snncore.clocks)
        n_values = len(self.record) * len(self.record_variables) + 1  # + the time
        _ensure_recording_fits(
            8 * n_values * (self._t.count + n_new),
            f"{self.where}, recording {len(self.record_variables)} variable(s) of "
            f"{len(self.record)} element(s) at {self._t.count + n_new} times",
            "record fewer elements (record=[...]) or variables, give the monitor a coarser "
            "dt, or run for a shorter time")
        for grown in [*self._data.values(), self._t]:
            grown.reserve(n_new)
        exprs = [parse_expression(v) for v in self.record_variables]
        bound = ctx.bind(self.source, "record", [], record=exprs,
                         cache_key=("record", self.name, tuple(self.record_variables)),
                         elements=len(self.record))
        for r, var in enumerate(self.record_variables):
            bound.set(f"_buf_{r}", self._data[var].data)
        bound.set("_n", len(self.record))
        bound.set("_indices", self.record)
        return [RecordState(self.when, self.order, self.name, bound, self._t,
                            [*self._data.values(), self._t])]

    @property
    def t(self) -> np.ndarray:
        """Recording times (seconds), read-only."""
        return self._t.first_row

    t_ = t

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        data = self.__dict__.get("_data", {})
        base = _unitless(name, data)
        if base is not None:
            return data[base].values
        raise AttributeError(f"{self.__dict__.get('where', 'StateMonitor')} does not record "
                             f"'{name}' (it records {', '.join(data)})")

    def __getitem__(self, index) -> _Trace:
        """The traces of the element ``index`` (``M[5].v``, shape ``(n_times,)``) or of
        several elements (``M[[1, 3]].v``, shape ``(2, n_times)``), by group index; a
        subgroup of the source (``M[S[i, :]]``) means its elements."""
        indices = np.asarray(_element_indices(index, self.source, f"the index of {self.where}"))
        if indices.dtype.kind not in "iu" or indices.ndim > 1:
            raise SnnError(f"{self.where} is indexed by element indices (M[5].v), "
                           f"got {index!r}")
        missing = [int(k) for k in indices.ravel() if int(k) not in self._row]
        if missing:
            raise SnnError(f"{self.where} does not record element {missing[0]} (it records "
                           f"{_describe(self.record)})")
        rows = np.array([self._row[int(k)] for k in indices.ravel()], dtype=np.int64)
        return _Trace(self, int(rows[0]) if indices.ndim == 0 else rows)

    def _state(self) -> dict:
        # The recorded values themselves: restore() brings back what was recorded by the
        # time of store(), as Brian 2's does (also from a file, in another process).
        return {"t": self._t.snapshot(), **{var: g.snapshot() for var, g in self._data.items()}}

    def _set_state(self, state: dict) -> None:
        self._t.set_snapshot(state["t"])
        for var, grown in self._data.items():
            grown.set_snapshot(state[var])

    def _mark(self) -> int:
        # Columns are only appended during a run: undoing a step forgets the new ones.
        return self._t.count

    def _rollback(self, count: int) -> None:
        for grown in [*self._data.values(), self._t]:
            grown.count = count


class _Trace:
    """The recorded traces of one element: ``M[i].v``."""

    def __init__(self, monitor: StateMonitor, row):
        self._monitor, self._row = monitor, row

    @property
    def t(self) -> np.ndarray:
        return self._monitor.t

    t_ = t

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("__"):
            raise AttributeError(name)
        # Integer indexing gives a view, a list of rows a copy; both read-only.
        return _readonly(getattr(self._monitor, name)[self._row])


def _describe(indices: np.ndarray) -> str:
    if not indices.size:
        return "no elements"
    if indices.size > 6:
        return f"{indices.size} elements from {int(indices.min())} to {int(indices.max())}"
    return ", ".join(str(int(k)) for k in indices)


class SpikeMonitor:
    """Record the spikes of a group: indices, times and optionally variables at spikes.

    Parameters
    ----------
    source : group with spikes
    variables : str or sequence of str, optional
        Variables to record at each spike.
    record : bool
        False keeps only the spike counts (bounded memory).
    when, order : optional
        Schedule slot and order; by default just after the event is detected, as in
        Brian 2.
    name : str, optional
    codeobj_class
        Accepted for Brian 2 code and ignored.
    event : str
        The event recorded: ``'spike'``, or a custom event of the source (see
        :class:`EventMonitor`).
    """

    #: New monitors join a running simulation (Brian 2's rule).
    invalidates_magic_network = False
    _base_name = "spikemonitor"

    def __init__(self, source, variables: str | Sequence[str] | None = None,
                 record: bool = True, when: str | None = None, order: int | None = None,
                 name: str | None = None, codeobj_class=None, event: str = "spike"):
        self.source = source
        self.event = event
        self._events = source.event_source(event)
        self.name = name or scope.unique_name(self._base_name)
        self.where = f"{type(self).__name__} '{self.name}'"
        if when is None:
            when, default_order = _event_slot(source, event)
            order = default_order if order is None else order
        when = check_slot(when, self.where)
        self.record = bool(record)
        if isinstance(variables, str):
            variables = [variables]
        self.record_variables = list(variables or [])
        for var in self.record_variables:
            if var not in source.variable_names():
                raise SnnError(f"{source.where} has no variable '{var}' to record at spikes")
        self.when, self.order = when, order or 0
        self.namespace = None
        self._counts = np.zeros(len(source), dtype=np.int64)
        self._chunks: list[tuple[np.ndarray, int, dict]] = []
        self._dt = None
        self._cache = None
        scope.register(self)

    def _operations(self, ctx: RunContext) -> list[Operation]:
        self._dt = ctx.dt
        variables = {v: np.asarray(getattr(self.source, v)) for v in self.record_variables}
        # events so far, and the count at which to check that as many again fit
        self._recorded = [sum(c[0].size for c in self._chunks), 1 << 21]
        return [RecordSpikes(self.when, self.order, self.name, self._events, self._counts,
                             variables if self.record else {},
                             self if self.record else None)]

    way_out = _FEWER_EVENTS

    def _make_room(self, n: int) -> None:
        """Refuse ``n`` more events if as many again as are recorded would not fit."""
        recorded = self._recorded
        if recorded[0] + n > recorded[1]:
            row = 8 * (2 + len(self.record_variables))  # index, time, values
            ensure_fits(2 * recorded[0] * row, f"{self.where}, holding {recorded[0]} events, "
                        f"would grow to {2 * recorded[0]} ({row} bytes each)", _FEWER_EVENTS)
            recorded[1] = 2 * recorded[0]
        recorded[0] += n

    def _add_events(self, indices: np.ndarray, times, values: dict) -> None:
        """Record events: their indices, times (one for all, or one each) and the values
        of the recorded variables."""
        # Chunks hold times, not steps: dt may change between runs.
        self._chunks.append((indices, times, values))
        self._cache = None

    def _joined(self):
        if self._cache is None:
            if self._chunks:
                i = np.concatenate([c[0] for c in self._chunks])
                # A chunk holds one step (Python steps) or a run's worth (fused loop).
                times = np.concatenate([np.broadcast_to(c[1], c[0].shape)
                                        for c in self._chunks])
                values = {v: np.concatenate([c[2][v] for c in self._chunks])
                          for v in self.record_variables}
            else:
                i, times = np.zeros(0, dtype=np.int64), np.zeros(0)
                values = {v: np.zeros(0) for v in self.record_variables}
            self._cache = (i, times.astype(float), values)
        return self._cache

    @property
    def i(self) -> np.ndarray:
        """Index of the neuron of each spike, read-only."""
        self._need_record("i")
        return _readonly(self._joined()[0])

    @property
    def t(self) -> np.ndarray:
        """Time of each spike (seconds), read-only."""
        self._need_record("t")
        return _readonly(self._joined()[1])

    i_, t_ = i, t

    @property
    def it(self) -> tuple[np.ndarray, np.ndarray]:
        """The pair ``(i, t)``."""
        return self.i, self.t

    it_ = it

    @property
    def count(self) -> np.ndarray:
        """Number of spikes of each neuron, read-only (a copy: it does not change as the
        simulation goes on or is restored)."""
        return _readonly(self._counts.copy())

    count_ = count

    @property
    def num_spikes(self) -> int:
        """Total number of spikes."""
        return int(self._counts.sum())

    def values(self, var: str) -> dict[int, np.ndarray]:
        """The values of a recorded variable at each neuron's spikes, in time order:
        ``{index: values}`` for every neuron of the source (empty arrays included)."""
        return self._per_neuron([var])[var]

    def all_values(self) -> dict[str, dict[int, np.ndarray]]:
        """:meth:`values` of ``t`` and of every recorded variable: ``{name: {index: values}}``."""
        return self._per_neuron(["t", *self.record_variables])

    def spike_trains(self) -> dict[int, np.ndarray]:
        """Spike times of each neuron: ``{index: times}``."""
        return self.values("t")

    event_trains = spike_trains

    def _per_neuron(self, names: list[str]) -> dict[str, dict[int, np.ndarray]]:
        self._need_record("values")
        known = ["t", "i", *self.record_variables]
        for name in names:
            if name not in known:
                raise SnnError(f"{self.where} does not record '{name}' (it records "
                               f"{', '.join(known)}){did_you_mean(name, known)}")
        i, t, recorded = self._joined()
        columns = {"t": t, "i": i, **recorded}
        # Stable: each neuron's values stay in time order.
        order = np.argsort(i, kind="stable")
        bounds = np.cumsum(np.bincount(i, minlength=len(self.source)))[:-1]
        return {name: dict(enumerate(_readonly(part) for part in
                                     np.split(columns[name][order], bounds)))
                for name in names}

    def binned_rate(self, bin_size: float) -> tuple[np.ndarray, np.ndarray]:
        """Spike rates of each neuron in bins of ``bin_size`` (a multiple of dt), as Brian
        2 computes them: ``(bin starts, rates)``, rates of shape ``(N, n_bins)`` in Hz."""
        self._need_record("binned_rate")
        dt = self._dt or 0.0
        every = _bin_steps(bin_size, dt, self.where)
        n_bins = self._steps_done // every
        rates = np.zeros((len(self.source), n_bins))
        i, t, _ = self._joined()
        np.add.at(rates, (i, ((t + 1e-3 * dt) / dt).astype(np.int64) // every), 1.0)
        return np.arange(n_bins) * every * dt, rates / bin_size

    def smooth_rate(self, window: str | np.ndarray = "gaussian",
                    width: float | None = None) -> np.ndarray:
        """Each neuron's rate at every step, convolved with a window as in
        :meth:`PopulationRateMonitor.smooth_rate`: shape ``(N, n_steps)``, Hz."""
        kernel = _window(window, width, self._dt or 0.0)
        _, rates = self.binned_rate(self._dt)
        return np.array([np.convolve(row, kernel, mode="same") for row in rates]).reshape(
            rates.shape)

    @property
    def _steps_done(self) -> int:
        """The steps simulated so far (the time of the network it last ran in)."""
        network = self.__dict__.get("_network")
        if network is None or not self._dt:
            return 0
        return int(round(network.t / self._dt))

    def _need_record(self, what: str) -> None:
        if not self.record:
            raise SnnError(f"{self.where} was created with record=False and keeps only counts; "
                           f"'{what}' is not available")

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        base = _unitless(name, self.__dict__.get("record_variables", []))
        if base is not None:
            return _readonly(self._joined()[2][base])
        raise AttributeError(f"{self.__dict__.get('where', 'SpikeMonitor')} has no attribute "
                             f"'{name}'")

    def _state(self) -> dict:
        # Recorded chunks are never changed once appended: the list of them is a snapshot.
        return {"counts": self._counts.copy(), "chunks": list(self._chunks), "dt": self._dt}

    def _set_state(self, state: dict) -> None:
        self._counts[:] = state["counts"]
        self._chunks[:] = state["chunks"]
        self._dt = state["dt"]
        self._cache = None

    def _mark(self) -> tuple[np.ndarray, int]:
        return self._counts.copy(), len(self._chunks)

    def _rollback(self, mark: tuple[np.ndarray, int]) -> None:
        self._counts[:] = mark[0]
        del self._chunks[mark[1]:]
        self._cache = None


def _event_slot(source, event: str) -> tuple[str, int]:
    """Brian 2's default for recording an event: the slot in which it is detected, one
    order later."""
    if hasattr(source, "parent"):
        # Brian 2 places a subgroup in 'thresholds' after its parent (order 1), and its
        # monitors after that, whatever the event: a custom event detected later in the
        # step is recorded in the next one.
        return "thresholds", 2
    slot = getattr(source, "event_slot", None)
    when, order = slot(event) if slot is not None else ("thresholds", 0)
    return when, order + 1


class EventMonitor(SpikeMonitor):
    """Record a custom event of a group (Brian 2's ``EventMonitor``): indices, times and
    optionally variables at each event.

    Parameters
    ----------
    source : NeuronGroup or subgroup
    event : str
        The event's name (``events=`` of NeuronGroup), or ``'spike'``.
    variables : str or sequence of str, optional
    record : bool
    when, order : optional
        Schedule slot; by default just after the event is detected.
    name : str, optional
    """

    _base_name = "eventmonitor"

    def __init__(self, source, event: str, variables: str | Sequence[str] | None = None,
                 record: bool = True, when: str | None = None, order: int | None = None,
                 name: str | None = None, codeobj_class=None):
        super().__init__(source, variables, record, when, order, name, event=event)

    @property
    def num_events(self) -> int:
        """Total number of events."""
        return self.num_spikes


class PopulationRateMonitor:
    """The instantaneous population rate of a group: spikes per neuron per second, per step.

    Parameters
    ----------
    source : group with spikes
    name : str, optional
    codeobj_class, dtype
        Accepted for Brian 2 code and ignored (rates are float64).
    when, order : keyword-only
        Schedule slot (``'end'``) and order.
    """

    #: New monitors join a running simulation (Brian 2's rule).
    invalidates_magic_network = False

    def __init__(self, source, name: str | None = None, codeobj_class=None, dtype=None, *,
                 when: str = "end", order: int = 0):
        self.source = source
        self.name = name or scope.unique_name("ratemonitor")
        self.where = f"PopulationRateMonitor '{self.name}'"
        check_slot(when, self.where)
        self.when, self.order = when, order
        self.namespace = None
        self._rate = _Grown(1)
        self._t = _Grown(1)
        self._dt = None
        scope.register(self)

    def _operations(self, ctx: RunContext) -> list[Operation]:
        self._dt = ctx.dt
        _ensure_recording_fits(
            16 * (self._t.count + ctx.n_steps),
            f"{self.where}, recording the rate at {self._t.count + ctx.n_steps} steps",
            "run for a shorter time, or use a coarser dt")
        self._rate.reserve(ctx.n_steps)
        self._t.reserve(ctx.n_steps)
        scale = 1.0 / (len(self.source) * ctx.dt) if len(self.source) else 0.0
        return [RecordRate(self.when, self.order, self.name, self.source, scale, self._rate,
                           self._t)]

    @property
    def t(self) -> np.ndarray:
        """Time of each recorded step (seconds), read-only."""
        return self._t.first_row

    @property
    def rate(self) -> np.ndarray:
        """Rate in Hz at each step, read-only."""
        return self._rate.first_row

    t_, rate_ = t, rate

    def binned_rate(self, bin_size: float) -> tuple[np.ndarray, np.ndarray]:
        """The rate averaged over bins of ``bin_size`` (a multiple of dt), as Brian 2
        computes it: ``(bin starts, rates)``; an incomplete last bin is left out."""
        every = _bin_steps(bin_size, self._dt or 0.0, self.where)
        if every == 1:
            return self.t, self.rate
        n_bins = self.rate.size // every
        rates = self.rate[:n_bins * every].reshape(n_bins, every).mean(axis=1)
        start = self.t[0] if self.t.size else 0.0
        return start + np.arange(n_bins) * every * self._dt, rates

    def smooth_rate(self, window: str | np.ndarray = "gaussian",
                    width: float | None = None) -> np.ndarray:
        """The rate convolved with a window, as Brian 2 computes it.

        Parameters
        ----------
        window : {'gaussian', 'flat'} or 1-D array
            ``'gaussian'``: standard deviation ``width``, cut at 2 widths either side;
            ``'flat'``: ``width`` cut down to an odd number of steps; an array with an odd
            number of values is used as it is (normalised to sum 1).
        width : float
            Seconds, for the named windows.

        Returns
        -------
        ndarray
            One value (Hz) per recorded step.
        """
        return np.convolve(self.rate, _window(window, width, self._dt or 0.0), mode="same")

    def _state(self) -> dict:
        return {"t": self._t.snapshot(), "rate": self._rate.snapshot(), "dt": self._dt}

    def _set_state(self, state: dict) -> None:
        self._dt = state["dt"]
        self._t.set_snapshot(state["t"])
        self._rate.set_snapshot(state["rate"])

    def _mark(self) -> int:
        return self._t.count

    def _rollback(self, count: int) -> None:
        self._t.count = self._rate.count = count


def _bin_steps(bin_size: float, dt: float, where: str) -> int:
    """Steps per bin; ``bin_size`` must be a whole multiple of dt (Brian 2's rule)."""
    if not dt:
        raise SnnError(f"{where} has not run yet: there is nothing to bin")
    if not (isinstance(bin_size, int | float) and bin_size > 0) or \
            (bin_size / dt) % 1 > 1e-6:
        raise SnnError(f"the bin size of {where} must be a positive multiple of dt "
                       f"({dt:g} s), got {bin_size!r}")
    return int((bin_size + 1e-3 * dt) / dt)


def _window(window, width: float | None, dt: float) -> np.ndarray:
    """Brian 2's smoothing windows (``RateMonitor.smooth_rate``), normalised to sum 1."""
    if isinstance(window, str):
        if width is None or not width > 0:
            raise SnnError(f"smooth_rate(window='{window}') needs a positive width in seconds")
        if not dt:
            raise SnnError("smooth_rate needs a monitor that has run")
        if window == "gaussian":
            # +- 2 standard deviations; only the window's length is rounded to steps.
            half = int(np.round(2 * width / dt))
            kernel = np.exp(-np.arange(-half, half + 1) ** 2 * 1.0 / (2 * (width / dt) ** 2))
        elif window == "flat":
            # Brian 2.9's rounding (truncation), in its order of operations.
            kernel = np.ones(int(width / 2 / dt) * 2 + 1)
        else:
            raise SnnError(f"unknown window '{window}'; use 'gaussian', 'flat' or an array")
    else:
        if width is not None:
            raise SnnError("smooth_rate takes a width only with a named window "
                           "('gaussian' or 'flat')")
        kernel = np.asarray(window, dtype=float)
        if kernel.ndim != 1 or kernel.size % 2 != 1:
            raise SnnError(f"a smoothing window must be a 1-D array with an odd number of "
                           f"values, got shape {kernel.shape}")
    return kernel / kernel.sum()

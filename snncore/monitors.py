"""Monitors: recorded state traces, spikes and population rates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import scope
from .errors import SnnError
from .expressions import did_you_mean, parse_expression
from .groups import Operation, RunContext


def _check_indices(record, n: int, where: str) -> np.ndarray:
    if record is True:
        return np.arange(n, dtype=np.int64)
    if record is False or record is None:
        return np.zeros(0, dtype=np.int64)
    indices = np.atleast_1d(np.asarray(record))
    if indices.dtype.kind not in "iu":
        raise SnnError(f"record= of {where} must be True, False or integer indices, "
                       f"got {record!r}")
    bad = indices[(indices < 0) | (indices >= n)]
    if bad.size:
        raise SnnError(f"cannot record index {int(bad[0])} of {where}: valid indices are "
                       f"0 to {n - 1}")
    return indices.astype(np.int64)


class _Grown:
    """A 2-D array that grows along its last axis, one column per recorded step."""

    def __init__(self, rows: int, dtype=np.float64):
        self.data = np.zeros((rows, 0), dtype=dtype)
        self.count = 0

    def reserve(self, extra: int) -> None:
        need = self.count + extra
        if need > self.data.shape[1]:
            grown = np.zeros((self.data.shape[0], need), dtype=self.data.dtype)
            grown[:, : self.count] = self.data[:, : self.count]
            self.data = grown

    @property
    def values(self) -> np.ndarray:
        return self.data[:, : self.count]


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
    when : str
        Schedule slot, ``'start'`` as in Brian 2 (values at the start of each step).
    name : str, optional

    Attributes
    ----------
    t : ndarray
        Recording times (seconds).
    <variable> : ndarray
        Shape ``(n_recorded, n_times)``; ``M[i].v`` is the trace of element ``i``.
    """

    def __init__(self, source, variables: str | Sequence[str] | bool, record=True,
                 dt: float | None = None, when: str = "start", order: int = 0,
                 name: str | None = None):
        self.source = source
        self.name = name or scope.unique_name("statemonitor")
        self.where = f"StateMonitor '{self.name}'"
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
        self.record = _check_indices(record, len(source), self.where)
        self._row = {int(k): r for r, k in enumerate(self.record)}
        self.dt = dt
        self.when, self.order = when, order
        self.namespace = None
        self._data = {var: _Grown(len(self.record)) for var in self.record_variables}
        self._t = _Grown(1)
        scope.register(self)

    def _operations(self, ctx: RunContext) -> list[Operation]:
        every = 1
        if self.dt is not None:
            every = int(round(self.dt / ctx.dt))
            if every < 1 or abs(every * ctx.dt - self.dt) > 1e-9 * self.dt:
                raise SnnError(f"the dt of {self.where} ({self.dt} s) must be a whole multiple "
                               f"of the simulation time step ({ctx.dt} s)")
        steps = np.arange(ctx.start_step, ctx.start_step + ctx.n_steps)
        n_new = int(np.count_nonzero(steps % every == 0))
        for grown in [*self._data.values(), self._t]:
            grown.reserve(n_new)
        exprs = [parse_expression(v) for v in self.record_variables]
        bound = ctx.bind(self.source, "record", [], record=exprs,
                         cache_key=("record", self.name, tuple(self.record_variables)))
        for r, var in enumerate(self.record_variables):
            bound.set(f"_buf_{r}", self._data[var].data)
        bound.set("_n", len(self.record))
        bound.set("_indices", self.record)
        args, pos, kernel = bound.args, bound.positions, bound.kernel
        col_pos, t_pos = pos["_col"], pos["t"]
        counter = [ctx.start_step]
        grown_all = [*self._data.values(), self._t]
        t_data = self._t.data

        def run(t: float) -> None:
            step = counter[0]
            counter[0] += 1
            if step % every:
                return
            col = self._t.count
            args[col_pos] = col
            args[t_pos] = t
            kernel(*args)
            t_data[0, col] = t
            for grown in grown_all:
                grown.count += 1

        def fuse(loop) -> None:
            col = loop.arg(np.array([self._t.count]), "col")
            loop.emit(f"if _step % {loop.arg(every, 'every')} == 0:")
            loop.emit("    " + loop.call(bound, _col=f"{col}[0]"))
            loop.emit(f"    {loop.arg(t_data, 'times')}[0, {col}[0]] = _t")
            loop.emit(f"    {col}[0] += 1")

            def done() -> None:
                for grown in grown_all:
                    grown.count = int(col_value[0])

            col_value = loop.values[col]
            loop.on_exit(done)

        return [Operation(self.when, self.order, self.name, run, fuse=fuse)]

    @property
    def t(self) -> np.ndarray:
        return self._t.values[0]

    def __getattr__(self, name: str):
        data = self.__dict__.get("_data", {})
        base = name[:-1] if name.endswith("_") and name[:-1] in data else name
        if base in data:
            return data[base].values
        raise AttributeError(f"{self.__dict__.get('where', 'StateMonitor')} does not record "
                             f"'{name}' (it records {', '.join(data)})")

    def __getitem__(self, index: int) -> _Trace:
        index = int(index)
        if index not in self._row:
            raise SnnError(f"{self.where} does not record element {index}")
        return _Trace(self, self._row[index])

    def _state(self) -> dict:
        return {"count": self._t.count}

    def _set_state(self, state: dict) -> None:
        for grown in [*self._data.values(), self._t]:
            grown.count = state["count"]


class _Trace:
    """The recorded traces of one element: ``M[i].v``."""

    def __init__(self, monitor: StateMonitor, row: int):
        self._monitor, self._row = monitor, row

    @property
    def t(self) -> np.ndarray:
        return self._monitor.t

    def __getattr__(self, name: str) -> np.ndarray:
        return getattr(self._monitor, name)[self._row]


class SpikeMonitor:
    """Record the spikes of a group: indices, times and optionally variables at spikes.

    Parameters
    ----------
    source : group with spikes
    variables : str or sequence of str, optional
        Variables to record at each spike.
    record : bool
        False keeps only the spike counts (bounded memory).
    name : str, optional
    """

    def __init__(self, source, variables: str | Sequence[str] | None = None,
                 record: bool = True, when: str = "thresholds", order: int = 1,
                 name: str | None = None):
        self.source = source
        self.name = name or scope.unique_name("spikemonitor")
        self.where = f"SpikeMonitor '{self.name}'"
        self.record = bool(record)
        if isinstance(variables, str):
            variables = [variables]
        self.record_variables = list(variables or [])
        for var in self.record_variables:
            if var not in source.variable_names():
                raise SnnError(f"{source.where} has no variable '{var}' to record at spikes")
        self.when, self.order = when, order
        self.namespace = None
        self._counts = np.zeros(len(source), dtype=np.int64)
        self._chunks: list[tuple[np.ndarray, int, dict]] = []
        self._dt = None
        self._cache = None
        scope.register(self)

    def _operations(self, ctx: RunContext) -> list[Operation]:
        source, counts, chunks = self.source, self._counts, self._chunks
        self._dt = ctx.dt
        record, variables = self.record, self.record_variables
        counter = [ctx.start_step]
        arrays = {v: getattr(source, v) for v in variables}

        def run(t: float) -> None:
            step = counter[0]
            counter[0] += 1
            spikes = source.spikes
            if spikes.size:
                counts[spikes] += 1
                if record:
                    values = {v: arrays[v][spikes] for v in variables}
                    chunks.append((spikes.copy(), step, values))
                    self._cache = None

        return [Operation(self.when, self.order, self.name, run,
                          fuse=self._fuser(arrays) if record else self._count_fuser())]

    def _count_fuser(self):
        def fuse(loop) -> None:
            spikes, counts = loop.spikes(self.source), loop.arg(self._counts, "counts")
            loop.emit(f"for _q in range({spikes}.size):")
            loop.emit(f"    {counts}[{spikes}[_q]] += 1")

        return fuse

    def _fuser(self, arrays: dict):
        """Counts, and every spike's index, step and variables into growing buffers."""
        def fuse(loop) -> None:
            self._count_fuser()(loop)
            spikes = loop.spikes(self.source)
            grown = loop.buffer(len(self.source), {
                "i": np.int64, "step": np.int64,
                **{f"v_{v}": arrays[v].dtype for v in self.record_variables}})
            n = grown.count_name
            loop.emit(f"for _q in range({spikes}.size):")
            loop.emit(f"    {grown.names['i']}[{n}[0] + _q] = {spikes}[_q]")
            loop.emit(f"    {grown.names['step']}[{n}[0] + _q] = _step")
            for v in self.record_variables:
                loop.emit(f"    {grown.names['v_' + v]}[{n}[0] + _q] = "
                          f"{loop.arg(arrays[v], 'src')}[{spikes}[_q]]")
            loop.emit(f"{n}[0] += {spikes}.size")

            def done() -> None:
                data = grown.take()
                if data["i"].size:
                    self._chunks.append((data["i"], data["step"], {
                        v: data["v_" + v] for v in self.record_variables}))
                    self._cache = None

            loop.on_exit(done)

        return fuse

    def _joined(self):
        if self._cache is None:
            if self._chunks:
                i = np.concatenate([c[0] for c in self._chunks])
                # A chunk holds one step (Python loop) or a run's worth (fused loop).
                steps = np.concatenate([np.broadcast_to(c[1], c[0].shape)
                                        for c in self._chunks])
                values = {v: np.concatenate([c[2][v] for c in self._chunks])
                          for v in self.record_variables}
            else:
                i, steps = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
                values = {v: np.zeros(0) for v in self.record_variables}
            self._cache = (i, steps * (self._dt or 0.0), values)
        return self._cache

    @property
    def i(self) -> np.ndarray:
        """Index of the neuron of each spike."""
        self._need_record("i")
        return self._joined()[0]

    @property
    def t(self) -> np.ndarray:
        """Time of each spike (seconds)."""
        self._need_record("t")
        return self._joined()[1]

    @property
    def count(self) -> np.ndarray:
        """Number of spikes of each neuron."""
        return self._counts

    @property
    def num_spikes(self) -> int:
        """Total number of spikes."""
        return int(self._counts.sum())

    def spike_trains(self) -> dict[int, np.ndarray]:
        """Spike times of each neuron: ``{index: times}``."""
        i, t, _ = self._joined()
        order = np.argsort(i, kind="stable")
        split = np.split(t[order], np.cumsum(np.bincount(i, minlength=len(self.source)))[:-1])
        return dict(enumerate(split))

    def _need_record(self, what: str) -> None:
        if not self.record:
            raise SnnError(f"{self.where} was created with record=False and keeps only counts; "
                           f"'{what}' is not available")

    def __getattr__(self, name: str):
        if name in self.__dict__.get("record_variables", []):
            return self._joined()[2][name]
        raise AttributeError(f"{self.__dict__.get('where', 'SpikeMonitor')} has no attribute "
                             f"'{name}'")

    def _state(self) -> dict:
        return {"counts": self._counts.copy(), "chunks": len(self._chunks)}

    def _set_state(self, state: dict) -> None:
        self._counts[:] = state["counts"]
        del self._chunks[state["chunks"]:]
        self._cache = None


class PopulationRateMonitor:
    """The instantaneous population rate of a group: spikes per neuron per second, per step.

    Parameters
    ----------
    source : group with spikes
    name : str, optional
    """

    def __init__(self, source, when: str = "end", order: int = 0, name: str | None = None):
        self.source = source
        self.name = name or scope.unique_name("ratemonitor")
        self.where = f"PopulationRateMonitor '{self.name}'"
        self.when, self.order = when, order
        self.namespace = None
        self._rate = _Grown(1)
        self._t = _Grown(1)
        self._dt = None
        scope.register(self)

    def _operations(self, ctx: RunContext) -> list[Operation]:
        self._dt = ctx.dt
        self._rate.reserve(ctx.n_steps)
        self._t.reserve(ctx.n_steps)
        source, rate, times = self.source, self._rate, self._t
        scale = 1.0 / (len(source) * ctx.dt) if len(source) else 0.0

        def run(t: float) -> None:
            col = rate.count
            rate.data[0, col] = source.spikes.size * scale
            times.data[0, col] = t
            rate.count += 1
            times.count += 1

        def fuse(loop) -> None:
            spikes, col = loop.spikes(source), loop.arg(np.array([rate.count]), "col")
            loop.emit(f"{loop.arg(rate.data, 'rate')}[0, {col}[0]] = "
                      f"{spikes}.size * {loop.arg(scale, 'scale')}")
            loop.emit(f"{loop.arg(times.data, 'times')}[0, {col}[0]] = _t")
            loop.emit(f"{col}[0] += 1")

            def done() -> None:
                rate.count = times.count = int(col_value[0])

            col_value = loop.values[col]
            loop.on_exit(done)

        return [Operation(self.when, self.order, self.name, run, fuse=fuse)]

    @property
    def t(self) -> np.ndarray:
        return self._t.values[0]

    @property
    def rate(self) -> np.ndarray:
        """Rate in Hz at each step."""
        return self._rate.values[0]

    def smooth_rate(self, window: str = "gaussian", width: float | None = None) -> np.ndarray:
        """The rate convolved with a window, as Brian 2 computes it.

        Parameters
        ----------
        window : {'gaussian', 'flat'}
            Gaussian of standard deviation ``width`` (cut at 2 widths), or a flat window
            of total length ``width``.
        width : float
            Seconds.
        """
        if width is None or width <= 0:
            raise SnnError("smooth_rate needs a positive width in seconds")
        dt = self._dt
        if window == "gaussian":
            half = int(np.round(2 * width / dt))
            kernel = np.exp(-np.arange(-half, half + 1) ** 2 / (2 * (width / dt) ** 2))
        elif window == "flat":
            kernel = np.ones(int(width / 2 / dt) * 2 + 1)
        else:
            raise SnnError(f"unknown window '{window}'; use 'gaussian' or 'flat'")
        return np.convolve(self.rate, kernel / kernel.sum(), mode="same")

    def _state(self) -> dict:
        return {"count": self._rate.count}

    def _set_state(self, state: dict) -> None:
        self._rate.count = self._t.count = state["count"]

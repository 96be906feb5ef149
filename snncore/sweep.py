"""Parameter sweeps: one model function run over a grid of parameter values on
dask.distributed, its results labelled by parameter value in an :class:`xarray.Dataset`.

The same call runs on a laptop (a local cluster of worker processes, one per core) and on
a cluster (any ``distributed.Client``, or a scheduler address in ``SNNCORE_SCHEDULER``).
Each point is seeded from the sweep's seed and the point's index in the grid, so the
results do not depend on where or in which order the points run.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import logging
import math
import os
import pickle
import re
import signal
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import random as snnrandom
from .backends import numba_backend
from .errors import SnnError, SweepError
from .network import defaultclock, get_backend, set_backend
from .prefs import prefs

__all__ = ["sweep", "SCHEDULER_ENV"]

SCHEDULER_ENV = "SNNCORE_SCHEDULER"
# Names of the dataset's own dimensions and variables, which a model's outputs cannot take.
_RESERVED = ("point", "seed", "run_seed", "failed", "error")
# Seeds stay below 2**31 so that they fit netCDF-3's 32-bit integers.
_SEED_LIMIT = 2**31
# Points go out in batches, one dask task each, at most _IN_FLIGHT tasks per worker thread
# at a time (a worker has its next task at hand when one ends). Batches shrink as the sweep
# goes on (guided self-scheduling: a batch holds at most 1/_IN_FLIGHT of a thread's share
# of the points left), so the workers finish together. A task costs the client, the
# scheduler and the worker a few milliseconds of CPU, so a batch takes at least
# _TASK_MIN_SECONDS; and at most _TASK_MAX_SECONDS, the grain at which progress
# shows and at which a lost worker's points are run again.
_IN_FLIGHT = 2
_TASK_MIN_SECONDS = 0.05
_TASK_MAX_SECONDS = 2.0


def sweep(model: Callable[..., Any], grid: Mapping[str, Sequence] | Sequence[Mapping], *,
          seeds: int | Sequence[int] | None = None, seed: int | None = None,
          client: Any = None, scheduler: str | None = None, workers: int | None = None,
          errors: str = "raise", progress: str | bool | Callable[[int, int], None] | None = None,
          batch_size: int | None = None, connect_timeout: float = 10.0):
    """Run ``model(**params)`` at every point of ``grid`` and label the results.

    Parameters
    ----------
    model : callable
        A plain function of keyword parameters returning numbers or numpy arrays: one
        value, a tuple of values, or a dict of named values (the dataset's variables).
        Each call starts from ``snncore.seed(s)`` with the point's own seed ``s``, the
        caller's backend and ``defaultclock.dt``.
    grid : dict or list of dict
        ``{'U': [0.1, 0.2], 'tau': [5*ms, 10*ms]}`` runs every combination (a dimension
        per parameter); a list of dicts runs exactly those points (a dimension ``point``).
    seeds : int or sequence of int, optional
        Run each point this many times (or once per label given) with independent seeds:
        a dimension ``seed``.
    seed : int, optional
        The sweep's seed, from which every point's seed derives (a fresh one if omitted;
        the dataset's ``seed`` attribute repeats the sweep).
    client : distributed.Client, optional
        Run on this client's cluster.
    scheduler : str, optional
        ``'synchronous'`` runs every point in this process, one after the other (for
        debugging); an address such as ``'tcp://host:8786'`` connects to that scheduler.
        Without ``client`` and ``scheduler``: the address in ``$SNNCORE_SCHEDULER``, else
        the process's current dask client, else a local cluster of ``workers`` processes
        (one per core by default, one thread each) started and closed around the sweep.
        The first point then runs in this process before the cluster starts, and more
        while it starts; on Linux the workers are forked from this process, so they start
        with snncore and the model's kernels already imported.
    workers : int, optional
        Worker processes of the local cluster.
    errors : {'raise', 'collect'}
        What a point whose model raises does: stop the sweep with a :class:`SweepError`
        naming its parameters, or be marked in the variables ``failed`` and ``error``
        (its outputs NaN) while the other points complete.
    progress : {'bar', 'text'}, bool or callable, optional
        A progress bar (default in Jupyter), lines of text on stderr (default elsewhere),
        False for none, or a function called with (points done, points in all).
    batch_size : int, optional
        Points per dask task (by default: single points until one has been timed, then
        batches that shrink towards the end of the sweep, each of 0.05 to 2 s).
    connect_timeout : float
        Seconds to wait for a scheduler given by address.

    Returns
    -------
    xarray.Dataset
        One variable per output, over the parameter dimensions (then ``seed``, then the
        output's own axes ``<name>_dim_0``, ...); ``run_seed`` holds each run's seed
        (``snncore.seed(run_seed)`` then ``model(**params)`` repeats a point by hand).
        Attributes: the sweep's ``seed``, ``model``, ``backend``, ``workers``, the points
        run in the calling process while a local cluster started (``points_here``) and
        the Numba kernels each worker process compiled or loaded (``kernels_*``).

    Raises
    ------
    SnnError
        For bad input, before any point runs: no points, a parameter the model does not
        take (or one it needs and the grid lacks), an unreachable scheduler; and, at the
        first point that returns (before a local cluster starts, or before more than two
        points per worker thread are sent), a model that returns something other than
        numbers or arrays.
    SweepError
        A model that raised (``errors='raise'``).
    """
    if not callable(model):
        raise SnnError(f"sweep() needs a model function, got {type(model).__name__}")
    points = _Grid.parse(grid)
    _check_signature(model, points.names)
    labels = _seed_labels(seeds)
    if errors not in ("raise", "collect"):
        raise SnnError(f"errors must be 'raise' or 'collect', got {errors!r}")
    if workers is not None and (client is not None or scheduler is not None):
        raise SnnError("workers= sets the size of the local cluster a sweep starts; with "
                       "client= or scheduler= the cluster has its own workers")
    if workers is not None:
        _local_workers(workers)  # a positive integer
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise SnnError(f"batch_size must be a positive integer, got {batch_size!r}")
    seed = _sweep_seed(seed)
    runs = _runs(points, labels, seed)
    context = _Context(get_backend(), defaultclock.dt, _model_string_constants(model))
    results = _Results(points, labels, runs, errors, _output_base_name(model),
                       _Progress(progress, len(runs)))
    def here(started: threading.Event | None = None,
             free: Callable[[], bool] | None = None, leave: int = 0) -> None:
        """Points run here while a local cluster is not ready: the first before it starts
        (the workers it forks have the model's kernels), then more while it starts and
        ``free()`` (see _local_client), leaving at least ``leave`` to it."""
        nonlocal context
        # One worker process per core: each run on one thread (serial kernels).
        context = replace(context, threads=1)
        while results.here < len(runs) - leave and (
                results.here == 0 if started is None else not started.is_set()):
            if free is not None and not free():
                started.wait(0.005)
                continue
            _run_here(model, context, runs[results.here:results.here + 1], results)
            results.here += 1

    try:
        with _executor(client, scheduler, workers, connect_timeout, here) as (
                executor, where):
            if executor is None:
                _run_here(model, context, runs, results)
            else:
                _run_on(executor, model, context, runs[results.here:], results, batch_size)
    finally:
        results.progress.close()
    return results.dataset(seed, _qualified_name(model), where, context.backend)


# ---- the grid ---------------------------------------------------------------------------


@dataclass
class _Grid:
    """The points of a sweep: a product of axes, or an explicit list."""

    names: list[str]
    axes: dict[str, np.ndarray] | None  # per parameter, for a product grid
    points: list[dict[str, Any]]  # every point, in C order of the axes

    @classmethod
    def parse(cls, grid) -> _Grid:
        if isinstance(grid, Mapping):
            if not grid:
                raise SnnError("the grid has no points: it names no parameters; give "
                               "{'name': [values], ...} or a list of points")
            axes = {_parameter_name(name): _axis(name, values) for name, values in grid.items()}
            points = [dict(zip(axes, (v.item() for v in combo)))
                      for combo in itertools.product(*axes.values())]
            return cls(list(axes), axes, points)
        if isinstance(grid, Sequence) and not isinstance(grid, str | bytes):
            if not grid:
                raise SnnError("the grid has no points: the list of points is empty")
            names = None
            points = []
            for k, point in enumerate(grid):
                if not isinstance(point, Mapping):
                    raise SnnError(f"point {k} of the grid is a {type(point).__name__}, "
                                   "not a dict of parameter values")
                if names is None:
                    names = [_parameter_name(name) for name in point]
                elif set(point) != set(names):
                    raise SnnError(f"point {k} of the grid names the parameters "
                                   f"{sorted(point)}, point 0 names {sorted(names)}")
                points.append({name: _scalar(name, point[name], f"point {k}")
                               for name in names})
            if not names:
                raise SnnError("the grid has no parameters: its points are empty dicts")
            return cls(names, None, points)
        raise SnnError("the grid must be a dict of parameter values or a list of points, "
                       f"got {type(grid).__name__}")

    @property
    def shape(self) -> tuple[int, ...]:
        if self.axes is None:
            return (len(self.points),)
        return tuple(len(values) for values in self.axes.values())


def _parameter_name(name) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise SnnError(f"grid parameter names must be identifiers, got {name!r}")
    return name


def _axis(name: str, values) -> np.ndarray:
    if isinstance(values, str | bytes) or np.ndim(values) != 1:
        raise SnnError(f"the grid's values of '{name}' must be a list or 1-D array, "
                       f"got {values!r}")
    array = np.asarray(values)
    if len(array) == 0:
        raise SnnError(f"the grid has no points: '{name}' has no values")
    if array.dtype.kind not in "biufcU":
        raise SnnError(f"the grid's values of '{name}' must be numbers or strings, "
                       f"got {values!r}")
    unique, counts = np.unique(array, return_counts=True)
    if counts.max() > 1:
        raise SnnError(f"the grid's values of '{name}' repeat: "
                       f"{unique[counts > 1].tolist()}")
    return array


def _scalar(name: str, value, where: str):
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in "biufcU":
        raise SnnError(f"{where} of the grid gives '{name}' = {value!r}; a parameter "
                       "value must be a number or a string")
    return array.item()


def _check_signature(model: Callable, names: list[str]) -> None:
    """The model takes every parameter of the grid, and the grid gives every parameter
    the model needs."""
    try:
        parameters = inspect.signature(model).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: the call will tell
        return
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    takes = [p.name for p in parameters if p.kind in keyword]
    name = _qualified_name(model)
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        unknown = [n for n in names if n not in takes]
        if unknown:
            raise SnnError(f"the model {name}() takes no parameter "
                           f"{', '.join(repr(n) for n in unknown)}; its parameters are "
                           f"{', '.join(takes) or 'none'}")
    needed = [p.name for p in parameters if p.default is inspect.Parameter.empty
              and p.kind not in (inspect.Parameter.VAR_POSITIONAL,
                                 inspect.Parameter.VAR_KEYWORD)
              and p.name not in names]
    if needed:
        raise SnnError(f"the grid gives no value of {', '.join(repr(n) for n in needed)}, "
                       f"which the model {name}() needs")


def _seed_labels(seeds) -> list[int] | None:
    if seeds is None:
        return None
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if seeds < 1:
            raise SnnError(f"seeds must be at least 1 run per point, got {seeds}")
        return list(range(int(seeds)))
    labels = list(seeds) if isinstance(seeds, Sequence | np.ndarray) else None
    if (not labels or any(not isinstance(s, int | np.integer) or isinstance(s, bool)
                          or s < 0 for s in labels)):
        raise SnnError("seeds must be a number of runs per point or a list of distinct "
                       f"non-negative integer labels, got {seeds!r}")
    if len(set(labels)) != len(labels):
        raise SnnError(f"the seed labels repeat: {labels}")
    return [int(s) for s in labels]


def _sweep_seed(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0]) % _SEED_LIMIT
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) \
            or not 0 <= seed < _SEED_LIMIT:
        raise SnnError(f"the sweep's seed must be an integer from 0 to 2**31 - 1, "
                       f"got {seed!r}")
    return int(seed)


# ---- the runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    index: int  # in C order of (grid point, seed label)
    params: dict[str, Any]
    label: int | None  # the seed label, if points repeat
    seed: int  # what snncore.seed() gets


def _runs(grid: _Grid, labels: list[int] | None, seed: int) -> list[_Run]:
    """Every run, seeded from the sweep's seed and its point's index (and seed label)
    through numpy's SeedSequence: independent streams that do not depend on which
    worker runs which point."""
    out = []
    for p, params in enumerate(grid.points):
        for label in ([None] if labels is None else labels):
            key = (p,) if label is None else (p, label)
            state = np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0]
            out.append(_Run(len(out), params, label, int(state) % _SEED_LIMIT))
    return out


@dataclass(frozen=True)
class _Context:
    """What a worker process sets before each point, as the caller's process has it."""

    backend: str
    dt: float
    constants: dict[str, Any]  # see _model_string_constants
    threads: int | None = None  # prefs.snncore.threads, if set

    def apply(self, model: Callable) -> None:
        set_backend(self.backend)
        defaultclock.dt = self.dt
        if self.threads is not None:
            prefs["snncore.threads"] = self.threads
        if self.constants:
            globals_ = inspect.unwrap(model).__globals__
            for name, value in self.constants.items():
                globals_.setdefault(name, value)


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CONSTANT_TYPES = (int, float, complex, np.number, np.ndarray)


def _model_string_constants(model: Callable) -> dict[str, Any]:
    """The notebook constants (``tau``) named only inside model strings.

    A function defined in ``__main__`` (a notebook, a script) reaches workers by value,
    with only the globals its code names; a constant that only a model string names
    (``'dv/dt = -v/tau : volt'``), where ``run()`` looks it up in the caller's frame, would
    be missing there. Numbers and arrays named in the strings of the function, of the
    global strings it uses and of the ``__main__`` functions it calls (a ``simulate()``
    that builds the network) are sent along.
    """
    function = inspect.unwrap(model)
    if not isinstance(function, types.FunctionType) or function.__module__ != "__main__":
        return {}
    globals_ = function.__globals__
    words: set[str] = set()
    seen = {function.__code__}
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        for const in code.co_consts:
            if isinstance(const, str):
                words.update(_IDENTIFIER.findall(const))
            elif isinstance(const, types.CodeType):
                codes.append(const)
        for name in code.co_names:
            value = globals_.get(name)
            if isinstance(value, str):
                words.update(_IDENTIFIER.findall(value))
            elif (isinstance(value, types.FunctionType) and value.__globals__ is globals_
                    and value.__code__ not in seen):
                seen.add(value.__code__)
                codes.append(value.__code__)
    return {name: globals_[name] for name in sorted(words)
            if isinstance(globals_.get(name), _CONSTANT_TYPES)
            and not isinstance(globals_[name], bool)}


# The order in which a worker process runs its points (to tell its first one).
_RUN_ORDER = itertools.count()


def _run_points(model: Callable, context: _Context, runs: list[_Run], base: str) -> list:
    """Run some points (in a worker process, or here); never raises for a model's error.

    Each outcome is ``(index, kind, payload, stats)``: kind ``'ok'`` with the outputs,
    ``'raised'`` with ``(exception, text)``, or ``'bad'`` with a message; stats are
    ``(pid, order, kernels loaded, kernels compiled, seconds)`` during the point (wall
    seconds: a model may wait, and on a busy machine smaller batches balance better).
    """
    out = []
    for run in runs:
        start = time.perf_counter()
        loaded, compiled = numba_backend.loaded_count(), numba_backend.compile_count()
        context.apply(model)
        snnrandom.seed(run.seed)
        try:
            value = model(**run.params)
        except Exception as error:  # noqa: BLE001 - reported with the point's parameters
            outcome = ("raised", (_portable(error), _model_traceback(error)))
        else:
            try:
                outcome = ("ok", _outputs(value, base))
            except SnnError as error:
                outcome = ("bad", str(error))
        stats = (os.getpid(), next(_RUN_ORDER), numba_backend.loaded_count() - loaded,
                 numba_backend.compile_count() - compiled, time.perf_counter() - start)
        out.append((run.index, *outcome, stats))
    return out


# The model and context of the current sweep in this worker process, unpickled at its
# first task (by the pickle's bytes: a new sweep sends new ones).
_SHIPPED: dict[bytes, tuple[Callable, _Context]] = {}


def _ship(model: Callable, context: _Context) -> bytes:
    """The model and context pickled once for all the sweep's tasks (a notebook function
    by value, with its globals; a module's function by reference)."""
    import cloudpickle

    try:
        return cloudpickle.dumps((model, context))
    except Exception as error:  # noqa: BLE001 - whatever stops pickling stops the sweep
        raise SnnError(f"the model {_qualified_name(model)}() cannot be sent to dask "
                       f"workers: {type(error).__name__}: {error}") from error


def _run_shipped(shipped: bytes, runs: list[_Run], base: str) -> list:
    """A task on a worker: some points of the shipped model (see :func:`_run_points`)."""
    if shipped not in _SHIPPED:
        _SHIPPED.clear()
        _SHIPPED[shipped] = pickle.loads(shipped)  # noqa: S301 - our client's own pickle
    model, context = _SHIPPED[shipped]
    return _run_points(model, context, runs, base)


def _portable(error: Exception) -> Exception:
    """The exception itself if it survives pickling (to reach the client), else its text."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to pickle means: send the text
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _model_traceback(error: Exception) -> str:
    # The frames from the model's call on (this module's own frame is left out).
    frames = traceback.extract_tb(error.__traceback__)[1:]
    return "".join(traceback.format_list(frames))


def _outputs(value, base: str) -> dict[str, np.ndarray]:
    if isinstance(value, Mapping):
        items = list(value.items())
        for name, _ in items:
            if not isinstance(name, str) or not name.isidentifier():
                raise SnnError(f"the model returned a dict with the key {name!r}; output "
                               "names must be identifiers")
    elif isinstance(value, tuple):
        items = [(f"{base}_{k}", v) for k, v in enumerate(value)]
    else:
        items = [(base, value)]
    out = {}
    for name, item in items:
        try:
            array = np.asarray(item)
        except ValueError:  # ragged nested lists
            array = np.asarray(item, dtype=object)
        if array.dtype.kind not in "biufc":
            raise SnnError(f"the model returned {_describe(item)} as '{name}'; a sweep "
                           "needs numbers or arrays of numbers (of one shape at every "
                           "point)")
        out[name] = array
    return out


def _describe(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 60 else text[:57] + '...'}"


# ---- executing --------------------------------------------------------------------------


@contextlib.contextmanager
def _executor(client, scheduler: str | None, workers: int | None, timeout: float,
              here: Callable[..., None]) -> Iterator[tuple[Any, str]]:
    """The dask client to run on (None: in this process) and a description of it.
    ``here()`` runs before a local cluster is started, ``here(started, free, leave)``
    while it starts."""
    if scheduler == "synchronous":
        yield None, "synchronous"
        return
    if client is not None:
        yield client, str(client.scheduler.address)
        return
    source = "" if scheduler else f" (from ${SCHEDULER_ENV})"
    address = scheduler or os.environ.get(SCHEDULER_ENV)
    if address:
        with _remote_client(address, source, timeout) as remote:
            yield remote, address
        return
    from distributed import default_client

    try:
        current = default_client()
    except ValueError:  # the process has no dask client
        current = None
    if current is not None:
        yield current, str(current.scheduler.address)
        return
    here()
    workers = _local_workers(workers)
    # Two points per worker at least are left to the cluster (its first tasks).
    with _local_client(workers, meanwhile=lambda started, free: here(
            started, free, 2 * workers)) as local:
        yield local, "local"


@contextlib.contextmanager
def _remote_client(address: str, source: str, timeout: float):
    if not re.fullmatch(r"[a-z][a-z0-9+]*://\S+", address):
        raise SnnError(f"the scheduler address {address!r}{source} is not an address "
                       "such as 'tcp://host:8786'")
    from distributed import Client

    try:
        remote = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise SnnError(f"cannot reach the dask scheduler at {address}{source} within "
                       f"{timeout:g} s: {error}") from None
    try:
        yield remote
    finally:
        remote.close()


def _local_workers(workers: int | None) -> int:
    """The worker processes of a local cluster: ``workers``, else one per core."""
    if workers is None:
        cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                 else os.cpu_count())
        return cores or 1
    if not isinstance(workers, int) or workers < 1:
        raise SnnError(f"workers must be a positive integer, got {workers!r}")
    return workers


@contextlib.contextmanager
def _local_client(workers: int | None,
                  meanwhile: Callable[[threading.Event, Callable[[], bool]], None] | None = None,
                  **options):
    """A client of a new local cluster of ``workers`` processes of one thread each (one
    per core by default), closed at the end; ``options`` go to ``LocalCluster``. The
    cluster starts in a thread of its own while ``meanwhile(started, free)`` runs here:
    ``started`` is set once it has started, ``free()`` tells whether this process may
    compute, that is when every worker has been forked (during a fork, a lock this
    thread held, as Numba's compiler's while it loads a kernel, would stay locked in the
    worker for good)."""
    import dask
    from distributed import Client, LocalCluster

    workers = _local_workers(workers)
    # The workers' statistical profiler samples the running task's stack every 10 ms,
    # taking the GIL from the model each time: a few per cent on idle cores, much more on
    # busy ones. The event loops' ticks (every 20 ms) and the memory and system monitors
    # (0.1 and 0.5 s) cost an idle 2-worker cluster a tenth of a core; at 1 s, 5 s and 1 s
    # under 2 %. On Linux, workers forked from this process start in a fraction of a
    # second with numpy, Numba, snncore and the kernels this process has imported (dask
    # spawns them by default: each then imports everything, about 2 s of CPU, and loads
    # the kernels again). The settings hold while the cluster runs, for the workers the
    # cluster restarts. The workers' log (a heartbeat that meets the closing scheduler,
    # ...) is left out of a reader's output: what fails a sweep reaches it as an error.
    config = {"distributed.worker.profile.enabled": False,
              "distributed.admin.tick.interval": "1s",
              "distributed.admin.system-monitor.interval": "5s",
              "distributed.worker.memory.monitor-interval": "1s"}
    if _fork_safe():
        config["distributed.worker.multiprocessing-method"] = "fork"
    made: dict[str, Any] = {}
    started = threading.Event()
    forking = config.get("distributed.worker.multiprocessing-method") == "fork"
    forks = _FORKS[0]

    def free() -> bool:
        return not forking or _FORKS[0] - forks >= workers

    def start() -> None:
        try:
            made["cluster"] = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=":0", silence_logs=logging.CRITICAL, **options)
            made["client"] = Client(made["cluster"], set_as_default=False)
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            made["error"] = error
        finally:
            started.set()

    with dask.config.set(config):
        starter = threading.Thread(target=start, name="snncore-sweep-cluster", daemon=True)
        starter.start()
        try:
            if meanwhile is not None:
                meanwhile(started, free)
            starter.join()
            if "error" in made:
                raise made["error"]
            yield made["client"]
        finally:
            # A second Ctrl-C while the workers stop would leave them behind.
            with _no_interrupt():
                starter.join()
                if "client" in made:
                    made["client"].close()
                if "cluster" in made:
                    made["cluster"].close()


# Forks of this process so far (see _local_client).
_FORKS = [0]


def _count_fork() -> None:
    _FORKS[0] += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_parent=_count_fork)


def _fork_safe() -> bool:
    """Whether worker processes can be forked from this one: on Linux (macOS's system
    libraries are not fork-safe, Windows has no fork), unless Numba's GNU OpenMP threads
    already run here: a parallel kernel in a child forked from such a process stops it
    ("fork() called from a process already using GNU OpenMP")."""
    if not sys.platform.startswith("linux"):
        return False
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    if parallel is None or not parallel._is_initialized:
        return True
    return parallel.threading_layer() != "omp"


@contextlib.contextmanager
def _no_interrupt():
    """Ctrl-C ignored for the duration (in the main thread, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_here(model: Callable, context: _Context, runs: list[_Run], results: _Results) -> None:
    """The synchronous mode: every point in this process; the caller's random streams,
    backend, dt and threads are left as they were."""
    saved = (snnrandom.get_state(), np.random.get_state(),  # noqa: NPY002 - seed() sets it
             get_backend(), defaultclock.dt, prefs["snncore.threads"])
    try:
        for run in runs:
            results.add(_run_points(model, context, [run], results.base))
    finally:
        snnrandom.set_state(saved[0])
        np.random.set_state(saved[1])  # noqa: NPY002
        set_backend(saved[2])
        defaultclock.dt = saved[3]
        prefs["snncore.threads"] = saved[4]


def _run_on(client, model: Callable, context: _Context, runs: list[_Run], results: _Results,
            batch_size: int | None) -> None:
    """The runs in tasks of a batch of points each, _IN_FLIGHT per worker thread at a
    time: single points until a point that imported no kernels has been timed (each
    worker imports the model's kernels at its first), then batches sized by that time,
    smaller as fewer points are left."""
    from distributed import as_completed

    threads = max(1, sum(client.nthreads().values()))
    shipped = _ship(model, context)
    left = list(reversed(runs))  # popped from the end: in grid order
    futures = []

    def submit():
        size = batch_size or _batch_size(len(left), threads, results.point_seconds())
        batch = [left.pop() for _ in range(min(size, len(left)))]
        futures.append(client.submit(_run_shipped, shipped, batch, results.base,
                                     pure=False))
        return futures[-1]

    try:
        # with_results: each task's outcomes are fetched as it completes, while the others
        # run, rather than one round trip to a worker per task from this thread.
        pending = as_completed([submit() for _ in range(min(len(left), _IN_FLIGHT * threads))],
                               loop=client.loop, with_results=True)
        for outcomes in _outcomes(pending):
            results.add(outcomes)
            while left and pending.count() < _IN_FLIGHT * threads:
                pending.add(submit())
    finally:
        client.cancel(futures)


def _batch_size(left: int, threads: int, seconds: float | None) -> int:
    """Points in the next task, with ``left`` points not sent yet, ``threads`` worker
    threads and points of about ``seconds`` of CPU each (None: not timed yet)."""
    if seconds is None:
        return 1
    seconds = max(seconds, 1e-9)
    guided = math.ceil(left / (_IN_FLIGHT * threads))
    long_enough = math.ceil(_TASK_MIN_SECONDS / seconds)
    short_enough = max(1, math.floor(_TASK_MAX_SECONDS / seconds))
    return max(1, min(left, short_enough, max(guided, long_enough)))


def _outcomes(pending) -> Iterator[list]:
    """The outcomes of the tasks as they complete; a task that failed on the workers
    (not a model's error, which comes back as an outcome) stops the sweep."""
    tasks = iter(pending)
    while True:
        try:
            _, outcomes = next(tasks)
        except StopIteration:
            return
        except Exception as error:
            raise SnnError(f"a task of the sweep failed on the dask workers (are snncore "
                           f"and the model's module installed there?): "
                           f"{type(error).__name__}: {error}") from error
        yield outcomes


# ---- results ----------------------------------------------------------------------------


class _Results:
    """The outcomes as they arrive, checked, and the dataset made of them."""

    def __init__(self, grid: _Grid, labels: list[int] | None, runs: list[_Run],
                 errors: str, base: str, progress: _Progress):
        self.grid, self.labels, self.runs, self.errors, self.base = (
            grid, labels, runs, errors, base)
        self.progress = progress
        self.outputs: dict[int, dict[str, np.ndarray]] = {}
        self.failures: dict[int, str] = {}
        self.stats: list[tuple] = []
        self.here = 0  # points run in this process before a local cluster started
        self.first: int | None = None  # the first run that returned outputs

    def where(self, index: int) -> str:
        run = self.runs[index]
        text = ", ".join(f"{name}={value!r}" for name, value in run.params.items())
        return text if run.label is None else f"{text}, seed label {run.label}"

    def point_seconds(self) -> float | None:
        """The mean seconds of the points that imported no kernels (None if none)."""
        warm = [stats[4] for stats in self.stats if not any(stats[2:4])]
        return sum(warm) / len(warm) if warm else None

    def add(self, outcomes: list) -> None:
        for index, kind, payload, stats in outcomes:
            self.stats.append(stats)
            if kind == "bad":
                raise SnnError(f"{payload} (at {self.where(index)})")
            if kind == "raised":
                self._failed(index, *payload)
            else:
                self._check(index, payload)
                self.outputs[index] = payload
        self.progress.update(len(self.outputs) + len(self.failures))

    def _failed(self, index: int, error: Exception, text: str) -> None:
        message = f"{type(error).__name__}: {error}"
        if self.errors == "collect":
            self.failures[index] = message
            return
        run = self.runs[index]
        failure = SweepError(f"the model raised at {self.where(index)}: {message}",
                             run.params, run.label)
        if text:
            failure.add_note("The model's traceback:\n" + text.rstrip())
        raise failure from error

    def _check(self, index: int, outputs: dict[str, np.ndarray]) -> None:
        if self.first is None:
            clash = sorted(set(outputs) & (set(self.grid.names) | set(_RESERVED)))
            if clash:
                raise SnnError(f"the model's output {clash[0]!r} has the name of a "
                               "parameter or of one of the sweep's variables "
                               f"({', '.join(_RESERVED)})")
            self.first = index
            return
        reference = self.outputs[self.first]
        if set(outputs) != set(reference):
            raise SnnError(f"the model returned the outputs {sorted(outputs)} at "
                           f"{self.where(index)} but {sorted(reference)} at "
                           f"{self.where(self.first)}")
        for name, array in outputs.items():
            if array.shape != reference[name].shape:
                raise SnnError(f"the model's output '{name}' has the shape {array.shape} at "
                               f"{self.where(index)} but {reference[name].shape} at "
                               f"{self.where(self.first)}; return arrays of one shape "
                               "(a histogram, a summary) at every point")

    def dataset(self, seed: int, model: str, where: str, backend: str):
        import xarray as xr

        grid = self.grid
        if grid.axes is None:
            dims = ["point"]
            coords: dict[str, Any] = {"point": np.arange(len(grid.points))}
            coords |= {name: ("point", np.array([p[name] for p in grid.points]))
                       for name in grid.names}
        else:
            dims, coords = list(grid.names), dict(grid.axes)
        shape = grid.shape
        if self.labels is not None:
            dims.append("seed")
            coords["seed"] = np.array(self.labels)
            shape += (len(self.labels),)
        variables = {}
        first = self.outputs.get(self.first, {})
        for name, sample in first.items():
            values = [self.outputs[i][name] for i in sorted(self.outputs)]
            dtype = np.result_type(*values)
            if self.failures and dtype.kind in "biu":
                dtype = np.dtype(float)  # NaN marks the failed points
            data = np.full((len(self.runs), *sample.shape),
                           np.nan if dtype.kind in "fc" else 0, dtype=dtype)
            for i, output in self.outputs.items():
                data[i] = output[name]
            own = [f"{name}_dim_{k}" for k in range(sample.ndim)]
            variables[name] = (dims + own, data.reshape(shape + sample.shape))
        variables["run_seed"] = (dims, np.array([r.seed for r in self.runs]).reshape(shape))
        if self.errors == "collect":
            failed = np.array([r.index in self.failures for r in self.runs])
            variables["failed"] = (dims, failed.reshape(shape))
            text = np.array([self.failures.get(r.index, "") for r in self.runs])
            variables["error"] = (dims, text.reshape(shape))
        return xr.Dataset(variables, coords=coords, attrs={
            "model": model, "seed": seed, "backend": backend, "scheduler": where,
            **self._kernel_attrs()})

    def _kernel_attrs(self) -> dict[str, Any]:
        """Per worker process: the points it ran, the Numba kernels it imported (compiled,
        or loaded from the disk cache) and compiled; and the kernels imported after each
        worker's first point (0 when a model structure compiles once per process)."""
        by_pid: dict[int, list[tuple]] = {}
        for pid, order, loaded, compiled, _ in self.stats[self.here:]:
            by_pid.setdefault(pid, []).append((order, loaded, compiled))
        pids = sorted(by_pid)
        later = sum(loaded + compiled for pid in pids
                    for _, loaded, compiled in sorted(by_pid[pid])[1:])
        return {"workers": len(pids), "points_here": self.here,
                "points_per_worker": [len(by_pid[p]) for p in pids],
                "kernels_loaded_per_worker": [sum(s[1] for s in by_pid[p]) for p in pids],
                "kernels_compiled_per_worker": [sum(s[2] for s in by_pid[p]) for p in pids],
                "kernels_after_first_point": later}


# ---- progress ---------------------------------------------------------------------------


class _Progress:
    """Points done and left: a bar in Jupyter, lines on stderr elsewhere, or a callback."""

    period = 2.0  # seconds between lines of text

    def __init__(self, mode, total: int):
        if mode is None or mode is True:
            mode = "bar" if _in_jupyter() else "text"
        if not (mode is False or callable(mode) or mode in ("bar", "text")):
            raise SnnError(f"progress must be 'bar', 'text', True, False or a function, "
                           f"got {mode!r}")
        self.mode, self.total, self.done = mode, total, 0
        self.start = self.last = time.perf_counter()
        if mode == "bar":
            import ipywidgets as widgets
            from IPython.display import display

            self.bar = widgets.IntProgress(value=0, min=0, max=total, description="sweep")
            self.label = widgets.Label(self._text())
            display(widgets.HBox([self.bar, self.label]))

    def _text(self) -> str:
        return (f"{self.done} of {self.total} points done, {self.total - self.done} left "
                f"({time.perf_counter() - self.start:.1f} s)")

    def update(self, done: int) -> None:
        self.done = done
        if callable(self.mode):
            self.mode(done, self.total)
        elif self.mode == "bar":
            self.bar.value = done
            self.label.value = self._text()
        elif self.mode == "text":
            now = time.perf_counter()
            if now - self.last >= self.period and done < self.total:
                self.last = now
                print(f"sweep: {self._text()}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.mode == "text":
            print(f"sweep: {self._text()}", file=sys.stderr, flush=True)


def _in_jupyter() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _qualified_name(model: Callable) -> str:
    return getattr(model, "__qualname__", None) or type(model).__name__


def _output_base_name(model: Callable) -> str:
    """The variable name of a model's single output: the function's name."""
    name = getattr(model, "__name__", "")
    return name if name.isidentifier() else "output"

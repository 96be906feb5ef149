"""The numpy backend: vectorized kernels, no compile step."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable

import numpy as np

from .. import philox
from ..errors import SnnError
from ..functions import exprel as _exprel
from ..functions import timestep as _timestep
from ..random import POISSON_MAX, bad_mean
from ..source import shorten
from ..timedarray import column_values, row_index
from .codegen import KernelSpec, kernel_source


def _int(x):
    x = np.asarray(x)
    if x.dtype.kind == "f":
        return np.trunc(x).astype(np.int64)
    # Booleans and integers convert exactly: no pass through float (a third of the time
    # of a threshold such as corrgroup's ``int(i >= 500)``).
    return x.astype(np.int64)


def _each(x, n: int) -> np.ndarray:
    """``x`` (an expression's value) as ``n`` values, to be read only: itself when it
    already is an array of them (``np.broadcast_to`` costs about 5 us a call, as much as
    a 1000-neuron threshold's arithmetic)."""
    if type(x) is np.ndarray and x.shape == (n,):
        return x
    return np.broadcast_to(x, (n,))


def _uniforms(rng, step, site, elements):
    return philox.uniforms(rng[:3], step, site, elements)


def _normals(rng, step, site, elements):
    return philox.normals(rng[:3], step, site, elements)


def _poissons(rng, step, site, elements, lam):
    # A bad mean is noted for the run to raise after the step, as philox.poisson_in does
    # in the Numba kernels; setup code (no run to tear) raises now.
    means = np.broadcast_to(np.asarray(lam, dtype=float), np.shape(elements))
    bad = ~((means >= 0.0) & (means <= POISSON_MAX))
    if bad.any():
        value = float(means[bad][0])
        if rng[3]:
            raise bad_mean(value, "in code run before the simulation")
        philox.note_bad_mean.py_func(rng, value, step)
    return philox.poissons(rng[:3], step, site, elements, lam)


def _group_dt(dt):
    # Initial values set from Python (G.v = 'ta(t)') are computed with dt = 0: Brian 2
    # then reads the TimedArray on the grid of the default clock.
    if dt > 0:
        return dt
    from ..network import defaultclock

    return float(defaultclock.dt)


def _timed1(values, tdt, t, dt):
    return values[row_index(t, tdt, values.shape[0], _group_dt(dt))]


def _timed2(values, tdt, t, dt, i):
    return column_values(values, row_index(t, tdt, values.shape[0], _group_dt(dt)), i)


def _rows_to_ids(rows, ptr, perm):
    """Element indices of the given CSR rows, row after row."""
    starts, stops = ptr[rows], ptr[np.asarray(rows) + 1]
    counts = stops - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    ids = np.arange(total) + offsets
    return ids if perm is None else perm[ids].astype(np.int64)


def _unique_rounds(ids, *keys):
    """Split ``ids`` into rounds whose ``key[ids]`` are distinct, keeping their order."""
    if len(keys) > 1:
        return [ids[k:k + 1] for k in range(len(ids))]
    key = keys[0][ids]
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    if first.all():
        return [ids]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - group_start
    return [ids[rank == r] for r in range(int(rank.max()) + 1)]


_HELPERS = {"np": np, "_int": _int, "_each": _each, "_exprel": _exprel, "_timestep": _timestep,
            "_uniforms": _uniforms, "_normals": _normals, "_poissons": _poissons,
            "_draw_step": philox.draw_step.py_func, "_timed1": _timed1, "_timed2": _timed2,
            "_rows_to_ids": _rows_to_ids, "_unique_rounds": _unique_rounds}
_CACHE: dict[str, Callable] = {}


def build(spec: KernelSpec) -> Callable:
    """Compile the numpy flavor of ``spec`` (memoized by source)."""
    source = kernel_source(spec, "numpy")
    kernel = _CACHE.get(source)
    if kernel is None:
        namespace = dict(_HELPERS)
        code = compile(source, "<snncore numpy kernel>", "exec")
        exec(code, namespace)  # checked: source generated from whitelisted model-code trees
        kernel = _naming_arithmetic_errors(namespace["kernel"], spec)
        kernel.source = source
        _CACHE[source] = kernel
    return kernel


def _naming_arithmetic_errors(kernel: Callable, spec: KernelSpec) -> Callable:
    """``kernel``, raising an SnnError that names the model code for an arithmetic error.

    numpy kernels compute the constant parts of model code with Python numbers, where
    ``1/0``, ``10**400`` or ``(-1)**0.5`` raise (or give a complex number) instead of
    the inf or nan that numpy and the Numba backend give; numpy also refuses an integer
    array raised to a negative integer power. The original message is kept.
    """

    @functools.wraps(kernel)
    def run(*args):
        try:
            return kernel(*args)
        except (ArithmeticError, ValueError, TypeError) as exc:
            text = str(exc)
            if not (isinstance(exc, ArithmeticError) or "negative integer powers" in text
                    or "complex" in text):
                raise
            code = [ast.unparse(spec.condition)] if spec.condition is not None else []
            code += [f"{target} = {ast.unparse(expr)}" for target, expr in spec.statements]
            raise SnnError(f"arithmetic error ({type(exc).__name__}: {text}) in the model "
                           f"code '{shorten('; '.join(code), 200)}'") from exc

    return run

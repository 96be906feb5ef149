"""The numpy backend: vectorized kernels, no compile step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .codegen import KernelSpec, kernel_source


def _int(x):
    return np.trunc(np.asarray(x, dtype=float)).astype(np.int64)


def _exprel(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(z == 0, 1.0, np.expm1(z) / np.where(z == 0, 1.0, z))


def _timestep(t, dt):
    # Brian 2's rounding: a small tolerance so that t = k*dt maps to step k.
    return np.asarray((np.asarray(t) + 1e-3 * dt) / dt).astype(np.int64)


_HELPERS = {"np": np, "_int": _int, "_exprel": _exprel, "_timestep": _timestep}
_CACHE: dict[str, Callable] = {}


def build(spec: KernelSpec) -> Callable:
    """Compile the numpy flavor of ``spec`` (memoized by source)."""
    source = kernel_source(spec, "numpy")
    kernel = _CACHE.get(source)
    if kernel is None:
        namespace = dict(_HELPERS)
        # checked: the source is generated from whitelisted model-code trees only
        exec(compile(source, "<snncore numpy kernel>", "exec"), namespace)
        kernel = namespace["kernel"]
        kernel.source = source
        _CACHE[source] = kernel
    return kernel

"""Backends: turn a :class:`~snncore.backends.codegen.KernelSpec` into a callable kernel.

``numpy`` renders vectorized code and needs no compile step; ``numba`` renders loops in
``@njit`` kernels cached on disk. Both share :mod:`snncore.backends.codegen`.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable

from .codegen import ArrayRef, KernelSpec

__all__ = ["ArrayRef", "KernelSpec", "build_kernel", "available_backends"]


def available_backends() -> list[str]:
    """The backends that work in this environment."""
    from . import numba_backend

    return ["numpy", "numba"] if numba_backend.AVAILABLE else ["numpy"]


#: Kernels built in this process, by :func:`_spec_key`.
_BUILT: dict[tuple, Callable] = {}


def build_kernel(spec: KernelSpec, backend: str) -> Callable:
    """A callable for ``spec`` on ``backend`` (memoized by the spec, and by generated
    source).

    A network rebuilt from the same model strings (a widget whose model builds its
    network anew for each slider move) asks for the same kernels again: generating
    their source (hoisting, draws, the threads' estimate) cost more than the rest of
    binding them, so the kernel of an equal spec is reused without generating it.
    """
    key = _spec_key(spec, backend)
    kernel = _BUILT.get(key)
    if kernel is None:
        if backend == "numba":
            from .numba_backend import build
        else:
            from .numpy_backend import build
        kernel = _BUILT[key] = build(spec)
    return kernel


def _spec_key(spec: KernelSpec, backend: str) -> tuple:
    """Everything the generated source of ``spec`` depends on: every field of the spec
    (expressions by their ``ast.dump``), and what decides whether a Numba kernel runs
    in parallel blocks (:func:`~snncore.backends.codegen.runs_parallel`)."""
    from ..prefs import prefs
    from . import threads

    return (backend, prefs["snncore.threads"], threads.MIN_WORK, threads.BLOCK,
            *(_frozen(getattr(spec, f.name)) for f in dataclasses.fields(spec)))


def _frozen(value):
    """``value`` as a hashable key: syntax trees by their dump, containers as tuples."""
    if isinstance(value, ast.AST):
        return ast.dump(value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value

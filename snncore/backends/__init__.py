"""Backends: turn a :class:`~snncore.backends.codegen.KernelSpec` into a callable kernel.

``numpy`` renders vectorized code and needs no compile step; ``numba`` renders loops in
``@njit`` kernels cached on disk. Both share :mod:`snncore.backends.codegen`.
"""

from __future__ import annotations

from collections.abc import Callable

from .codegen import ArrayRef, KernelSpec

__all__ = ["ArrayRef", "KernelSpec", "build_kernel", "available_backends"]


def available_backends() -> list[str]:
    """The backends that work in this environment."""
    from . import numba_backend

    return ["numpy", "numba"] if numba_backend.AVAILABLE else ["numpy"]


def build_kernel(spec: KernelSpec, backend: str) -> Callable:
    """A callable for ``spec`` on ``backend`` (memoized by generated source)."""
    if backend == "numba":
        from .numba_backend import build
    else:
        from .numpy_backend import build
    return build(spec)

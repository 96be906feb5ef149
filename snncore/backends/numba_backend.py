"""The Numba backend: generated loops in ``@njit`` kernels, cached on disk.

Each kernel's source is written once to ``<cache>/k_<hash>.py`` (a network's fused
run loop to ``<cache>/l_<hash>.py``) and imported as a module whose ``@njit`` function
gets a disk cache (:mod:`snncore.backends.kernel_cache`); Numba keeps the compiled machine
code next to it, so a second process running the same model loads it instead of
compiling. The cache folder is ``$SNNCORE_CACHE_DIR``, else ``~/.cache/snncore``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType

from .codegen import KernelSpec, kernel_source, runs_parallel
from .kernel_cache import cached, source_file

try:
    import numba  # noqa: F401

    AVAILABLE = True
except ImportError:  # pragma: no cover - numba is a pinned dependency
    AVAILABLE = False

_HEADER = """\
import math
import numpy as np
from numba import njit
from snncore.backends.numba_helpers import (_clip, _exprel, _int, _timed1, _timed2,
                                            _timestep)
from snncore.philox import draw_step as _draw_step
from snncore.philox import normal as _normal
from snncore.philox import normals_at as _normals_at
from snncore.philox import normals_range as _normals_range
from snncore.philox import poisson_in as _poisson
from snncore.philox import uniform as _uniform
from snncore.philox import uniforms_at as _uniforms_at
from snncore.philox import uniforms_range as _uniforms_range

"""
_LOADED: dict[str, ModuleType] = {}


def compile_count() -> int:
    """Kernels compiled (not loaded from the disk cache) in this process so far."""
    return sum(sum(f.stats.cache_misses.values()) for module in _LOADED.values()
               for f in (getattr(module, "kernel", None), getattr(module, "loop", None))
               if f is not None)


def loaded_count() -> int:
    """Kernels and fused loops imported in this process so far, compiled or loaded from the
    disk cache (a model run again in the same process imports none)."""
    return len(_LOADED)


#: What a kernel running its elements in parallel blocks adds (snncore.backends.threads).
_PARALLEL_HEADER = """\
from numba import prange
from snncore.philox import normals_span as _normals_span
from snncore.philox import normals_span_at as _normals_span_at
from snncore.philox import uniforms_span as _uniforms_span
from snncore.philox import uniforms_span_at as _uniforms_span_at
"""


def _module_source(spec: KernelSpec) -> str:
    body = kernel_source(spec, "numba")
    if runs_parallel(spec):
        return _HEADER + _PARALLEL_HEADER + \
            "\n@njit(error_model='numpy', nogil=True, parallel=True)\n" + body
    return _HEADER + "\n@njit(error_model='numpy', nogil=True)\n" + body


def build(spec: KernelSpec) -> Callable:
    """Import (writing it first if needed) the Numba kernel for ``spec``."""
    return load_module(_module_source(spec), "kernel").kernel


def load_module(source: str, kind: str):
    """Import generated Numba source as a module named by its content.

    The module name (``_snncore_<kind>_<hash>``) is also stored on the module's
    ``kernel`` (or ``loop``) function as ``module_name``, so that generated code can
    refer to it.
    """
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    module = _LOADED.get(digest)
    if module is not None:
        return module
    path = source_file(f"{kind[0]}_{digest}.py", source)
    name = f"_snncore_{kind}_{digest}"
    spec_ = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec_)
    sys.modules[name] = module  # Numba's cache re-imports the module by this name
    spec_.loader.exec_module(module)
    function = cached(getattr(module, kind))
    function.source = source
    function.module_name = name
    _LOADED[digest] = module
    return module

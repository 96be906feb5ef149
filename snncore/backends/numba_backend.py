"""The Numba backend: generated loops in ``@njit`` kernels, cached on disk.

Each kernel's source is written once to ``<cache>/k_<hash>.py`` (a network's fused
run loop to ``<cache>/l_<hash>.py``) and imported as a module whose ``@njit`` function
gets a disk cache (:mod:`snncore.backends.kernel_cache`); Numba keeps the compiled machine
code next to it, so a second process running the same model loads it instead of
compiling. The cache folder is ``$SNNCORE_CACHE_DIR``, else ``~/.cache/snncore``.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import re
import sys
from types import ModuleType

from .codegen import KernelSpec, kernel_source, runs_parallel
from .kernel_cache import cached, source_file

try:
    from numba import njit

    AVAILABLE = True
except ImportError:  # pragma: no cover - numba is a pinned dependency
    AVAILABLE = False

_HEADER = """\
import math
import numpy as np
from numba import njit
from snncore.backends.numba_helpers import (_clip, _exprel, _int, _timed1, _timed2,
                                            _timestep)
from snncore.backends.loop_compiler import call as _call
from snncore.philox import draw_step as _draw_step
from snncore.philox import normal as _normal
from snncore.philox import poisson_in as _poisson
from snncore.philox import uniform as _uniform

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


#: A kernel is called by the fused loop only, by its symbol
#: (:mod:`snncore.backends.loop_compiler`), never from Python: Numba need not build the
#: wrappers that call it from Python or C, which cost about as much compile time as the
#: kernel itself. (Called from Python, such a kernel would crash the process.)
_OPTIONS = "error_model='numpy', nogil=True, no_cpython_wrapper=True, no_cfunc_wrapper=True"


#: The draws of all of a kernel's elements before its loop (snncore.backends.draws),
#: called out of line, by their symbol (:func:`~snncore.backends.loop_compiler.call`):
#: linked into each kernel, their Philox code was optimised again with it, about three
#: quarters of such a kernel's compile (0.5 of 0.65 s for the tuning curve's input
#: group, load 3). Compiled once and cached with snncore's helpers, they run once per
#: kernel call: the cost at run time is one function call, the numbers are the same.
_OUT_OF_LINE = re.compile(r"\b_(normals_range|uniforms_range|normals_at|uniforms_at)\(")


def _module_source(spec: KernelSpec) -> str:
    body = _OUT_OF_LINE.sub(lambda m: f"_call('snncore.philox:{m.group(1)}', ",
                            kernel_source(spec, "numba"))
    if runs_parallel(spec):
        return _HEADER + _PARALLEL_HEADER + f"\n@njit({_OPTIONS}, parallel=True)\n" + body
    return _HEADER + f"\n@njit({_OPTIONS})\n" + body


class Kernel:
    """A generated Numba kernel.

    The fused loop calls the compiled code of :attr:`dispatcher` by its symbol, passing
    the kernel's own arguments (:attr:`parameters`, the names of
    :meth:`~snncore.backends.codegen.KernelSpec.argnames` that its code uses). Called
    from Python with every argument of ``argnames`` (the step loop in Python, which
    tests compare with the fused loop), it compiles a copy with Numba's Python wrapper,
    once per process and not cached.
    """

    def __init__(self, module: ModuleType, argnames: list[str]) -> None:
        self.dispatcher = module.kernel
        self.module_name = module.__name__
        code = self.dispatcher.py_func.__code__
        self.parameters: tuple[str, ...] = code.co_varnames[:code.co_argcount]
        #: The arguments the code only indexes with one integer (``x[i]``, ``x[i] = v``):
        #: the loop may pass them as pointers (not in a parallel kernel, whose blocks
        #: Numba compiles as a function of their own).
        self.indexed: frozenset[str] = frozenset() if \
            self.dispatcher.targetoptions.get("parallel") else _indexed(module.source)
        self._module = module
        self._take = [argnames.index(name) for name in self.parameters]

    def __call__(self, *args):
        python = getattr(self._module, "python_kernel", None)
        if python is None:
            options = {k: v for k, v in self.dispatcher.targetoptions.items()
                       if k not in ("no_cpython_wrapper", "no_cfunc_wrapper", "nopython")}
            python = self._module.python_kernel = njit(**options)(self.dispatcher.py_func)
        return python(*(args[k] for k in self._take))


def _indexed(source: str) -> frozenset[str]:
    """The arguments of ``kernel`` in ``source`` that its body uses only as ``name[i]``
    with ``i`` one index (no slice, no tuple, no attribute, no call argument)."""
    function = next(node for node in ast.parse(source).body
                    if isinstance(node, ast.FunctionDef) and node.name == "kernel")
    names = {arg.arg for arg in function.args.args}
    nodes = [node for statement in function.body for node in ast.walk(statement)]
    indexed = {id(node.value) for node in nodes if isinstance(node, ast.Subscript)
               and isinstance(node.value, ast.Name)
               and not isinstance(node.slice, ast.Slice | ast.Tuple)}
    uses: dict[str, bool] = {}  # name -> every use indexes it
    for node in nodes:
        if isinstance(node, ast.Name):
            uses[node.id] = uses.get(node.id, True) and id(node) in indexed
    return frozenset(name for name, only in uses.items() if only and name in names)


def build(spec: KernelSpec) -> Kernel:
    """Import (writing it first if needed) the Numba kernel for ``spec``."""
    return Kernel(load_module(_module_source(spec), "kernel"), spec.argnames())


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
    function.source = module.source = source
    function.module_name = name
    _LOADED[digest] = module
    return module

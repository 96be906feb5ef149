"""How the fused loop is compiled: its calls are not compiled again, its glue not optimised.

When one ``@njit`` function calls another, Numba links the callee's code into the
caller's and optimises the whole again: a network's fused loop (:mod:`snncore.fusion`)
then recompiles every kernel it calls, which made a first run of the Tsodyks network
spend about three quarters of its compile time on code already compiled (and cached on
disk). ``call(f, *args)`` instead calls ``f``'s compiled code by its symbol: the loop's
compile covers the loop alone, and each kernel is compiled once, by itself, and cached
on its own (shared by every network that uses it).

The cost is a function call per kernel and step (no inlining across kernels), a few
nanoseconds against a kernel's loop over its elements.

A loop loaded from the disk cache finds its callees by name. Numba's symbol names
hold a per-process counter, so the name the loop was compiled against may differ from
the one its callee gets in a later process: before a cached loop is loaded,
:func:`_provide` compiles (or loads) each callee and registers its code under the name
the loop expects.

The loop's own code is glue (kernel calls, counters, slices), and optimising it cost a
second or more for a large network while the work is in the kernels: the loop is
lowered with LLVM's optimisation level :data:`GLUE_OPT` (:class:`LoopCompiler`), and
turned into machine code by a code generator of its own whose target machine does not
optimise either (:func:`_glue_codegen`: instruction selection and register allocation
of a large loop at Numba's level 3 took about 1.4 s of the Tsodyks network's first
run); the kernels and helpers it calls keep Numba's default. The glue code generator
resolves the kernels it calls through the process's symbol table, where :func:`call`
registers them (as :func:`_provide` does before a cached loop is loaded), and a loop it
compiled is cached as any other: its machine code is loaded into Numba's own engine.
"""

from __future__ import annotations

import functools
import importlib

import llvmlite.binding as ll
from numba.core import cgutils, config, types
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import register_pass
from numba.core.imputils import impl_ret_new_ref
from numba.core.typed_passes import NativeLowering
from numba.extending import intrinsic

#: LLVM optimisation level of the loop's own code.
GLUE_OPT = 0


@functools.cache
def _glue_codegen():
    """A Numba JIT code generator (an LLVM engine) whose target machine compiles at
    LLVM's code generation level :data:`GLUE_OPT` (fast instruction selection and
    register allocation); the rest as Numba's own (same CPU, features, data layout)."""
    from numba.core.codegen import JITCPUCodegen

    saved = config.OPT
    config.OPT = config._OptLevel(GLUE_OPT)  # read when the target machine is made
    try:
        return JITCPUCodegen("snncore_glue")
    finally:
        config.OPT = saved


def _provide(module: str, name: str, argtypes: tuple, symbol: str) -> None:
    """Compile (or load) ``module.name`` for ``argtypes`` and make its code known as
    ``symbol`` (run by Numba before a cached loop calling it is loaded)."""
    dispatcher = getattr(importlib.import_module(module), name)
    dispatcher.compile(argtypes)
    result = dispatcher.overloads[argtypes]
    ll.add_symbol(symbol, result.library.get_pointer_to_function(result.fndesc.mangled_name))


@functools.cache
def _provider(module: str, name: str, argtypes: tuple, symbol: str):
    # One object per callee: the loop's set of functions to run on loading holds each once.
    return functools.partial(_provide, module, name, argtypes, symbol)


@intrinsic(prefer_literal=True)
def call(typingctx, where, *args):
    """``f(*args)`` for the ``@njit`` function ``f`` named by ``where``
    (``'module:name'``, a literal), calling its own compiled code (compiled or loaded
    here, for these argument types) instead of linking it in. (A name rather than the
    function itself: a function passed as a value would be its Python object's address
    in the compiled code, which Numba cannot cache.)"""
    if not isinstance(where, types.StringLiteral):
        return None
    module, name = where.literal_value.split(":")
    dispatcher = getattr(importlib.import_module(module), name)
    argtypes = tuple(args)
    dispatcher.compile(argtypes)
    fndesc = dispatcher.overloads[argtypes].fndesc
    provide = _provider(module, name, argtypes, fndesc.mangled_name)
    provide()  # the loop is compiled by another engine: it finds the callee by symbol

    def codegen(context, builder, signature, llargs):
        # Run by Numba before this library is loaded from the disk cache.
        context.active_code_library._reload_init.add(provide)
        callee = context.declare_function(builder.module, fndesc)
        status, value = context.call_conv.call_function(
            builder, callee, fndesc.restype, fndesc.argtypes,
            cgutils.unpack_tuple(builder, llargs[1]))
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return impl_ret_new_ref(context, builder, fndesc.restype, value)

    return fndesc.restype(where, types.StarArgTuple(argtypes)), codegen


@intrinsic(prefer_literal=True)
def pointer(typingctx, address, dtype):
    """A pointer to the data of a one-dimensional array, from their ``address`` (an
    integer) and ``dtype`` (a literal name: ``'float64'``, ``'int64'``, ``'int32'``), for
    a kernel that only reads and writes its elements (see
    :meth:`snncore.fusion.FusedLoop.call`)."""
    if not isinstance(address, types.Integer) or not isinstance(dtype, types.StringLiteral):
        return None
    pointer_type = types.CPointer(getattr(types, dtype.literal_value))

    def codegen(context, builder, signature, llargs):
        return builder.inttoptr(llargs[0], context.get_value_type(pointer_type))

    return pointer_type(address, dtype), codegen


@register_pass(mutates_CFG=True, analysis_only=False)
class _GlueLowering(NativeLowering):
    """Numba's lowering, with LLVM's optimisation level :data:`GLUE_OPT`, into a
    library of :func:`_glue_codegen` (what it calls was compiled before, during type
    inference, at the default level)."""

    _name = "snncore_glue_lowering"

    def run_pass(self, state):
        if state.library is None:
            state.library = _glue_codegen().create_library(state.func_id.func_qualname)
            state.library.enable_object_caching()  # as Numba does: the loop is cached
        saved = config.OPT
        config.OPT = config._OptLevel(GLUE_OPT)
        try:
            return super().run_pass(state)
        finally:
            config.OPT = saved


class LoopCompiler(CompilerBase):
    """Numba's nopython pipeline with :class:`_GlueLowering`."""

    def define_pipelines(self):
        pipeline = DefaultPassBuilder.define_nopython_pipeline(self.state)
        pipeline.passes = [(_GlueLowering if pss is NativeLowering else pss, text)
                           for pss, text in pipeline.passes]
        pipeline.finalize()
        return [pipeline]

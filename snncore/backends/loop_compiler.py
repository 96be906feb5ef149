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


def _callee(where: str, argtypes: tuple):
    """The compiled ``'module:name'`` for ``argtypes`` (compiled or loaded now) and the
    function that makes its code known under the symbol the loop calls."""
    module, name = where.split(":")
    dispatcher = getattr(importlib.import_module(module), name)
    dispatcher.compile(argtypes)
    fndesc = dispatcher.overloads[argtypes].fndesc
    provide = _provider(module, name, argtypes, fndesc.mangled_name)
    provide()  # the loop is compiled by another engine: it finds the callee by symbol
    return fndesc, provide


def _emit_call(context, builder, fndesc, provide, values: list):
    """The call of the callee ``fndesc`` with ``values`` (LLVM values)."""
    # Run by Numba before this library is loaded from the disk cache.
    context.active_code_library._reload_init.add(provide)
    callee = context.declare_function(builder.module, fndesc)
    status, value = context.call_conv.call_function(
        builder, callee, fndesc.restype, fndesc.argtypes, values)
    with cgutils.if_unlikely(builder, status.is_error):
        context.call_conv.return_status_propagate(builder, status)
    return impl_ret_new_ref(context, builder, fndesc.restype, value)


@intrinsic(prefer_literal=True)
def call(typingctx, where, *args):
    """``f(*args)`` for the ``@njit`` function ``f`` named by ``where``
    (``'module:name'``, a literal), calling its own compiled code (compiled or loaded
    here, for these argument types) instead of linking it in. (A name rather than the
    function itself: a function passed as a value would be its Python object's address
    in the compiled code, which Numba cannot cache.)"""
    if not isinstance(where, types.StringLiteral):
        return None
    argtypes = tuple(args)
    fndesc, provide = _callee(where.literal_value, argtypes)

    def codegen(context, builder, signature, llargs):
        return _emit_call(context, builder, fndesc, provide,
                          cgutils.unpack_tuple(builder, llargs[1]))

    return fndesc.restype(where, types.StarArgTuple(argtypes)), codegen


#: The types of the words of :func:`call_packed`'s layout: a number, or a pointer.
_WORDS = {"f": types.float64, "i": types.int64,
          **{f"{name}*": types.CPointer(getattr(types, name))
             for name in ("float64", "int64", "int32")}}


def _layout(layout: str) -> list[tuple[str, int]]:
    """``'f0 x float64*3'`` as ``[('f', 0), ('x', -1), ('float64*', 3)]``."""
    out = []
    for token in layout.split():
        kind = token.rstrip("0123456789")
        out.append((kind, int(token[len(kind):]) if kind != "x" else -1))
    return out


@intrinsic(prefer_literal=True)
def call_packed(typingctx, where, words, layout, *args):
    """:func:`call` of a kernel whose constant arguments are read from ``words`` (the
    address of an int64 array, which the loop receives once). ``layout`` (a literal)
    gives each argument in order: ``f<k>`` (word ``k`` holds a float64's bits),
    ``i<k>`` (an int64), ``float64*<k>``, ``int64*<k>``, ``int32*<k>`` (an array's
    address: a pointer to its data), ``x`` (the next of ``args``).

    A loop's argument costs its compile far more than a word it reads: Numba types it,
    its Python wrapper converts it, each use is a statement Numba lowers. The words
    hold no value in the source, so a network with other parameter values reuses the
    compiled loop."""
    if not (isinstance(where, types.StringLiteral) and isinstance(layout, types.StringLiteral)
            and isinstance(words, types.Integer)):
        return None
    slots = _layout(layout.literal_value)
    extra = iter(args)
    argtypes = tuple(next(extra) if kind == "x" else _WORDS[kind] for kind, _k in slots)
    fndesc, provide = _callee(where.literal_value, argtypes)

    def codegen(context, builder, signature, llargs):
        data = builder.inttoptr(llargs[1], context.get_value_type(types.CPointer(types.int64)))
        extra = iter(cgutils.unpack_tuple(builder, llargs[3]))
        values = []
        for (kind, k), ty in zip(slots, argtypes, strict=True):
            if kind == "x":
                values.append(next(extra))
                continue
            word = builder.load(builder.gep(data, [context.get_constant(types.intp, k)]))
            if kind == "f":
                word = builder.bitcast(word, context.get_value_type(ty))
            elif kind != "i":
                word = builder.inttoptr(word, context.get_value_type(ty))
            values.append(word)
        return _emit_call(context, builder, fndesc, provide, values)

    return fndesc.restype(where, words, layout, types.StarArgTuple(tuple(args))), codegen


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

"""How calls of TimedArrays and users' functions in model code reach kernels.

When code is bound to a run, every called name that is not one of Brian 2's default
functions is resolved like an external constant (the object's namespace, then the run's)
and must be a :class:`~snncore.functions.Function` (a ``TimedArray`` is one). Its calls are
then rewritten into calls that name only kernel arguments, so that the generated source
never depends on the function's values:

* ``ta(t)`` becomes ``_timed1(_tv_ta, _tdt_ta, t, dt)`` (``_timed2(..., i)`` in 2-D):
  the values array and the TimedArray's dt are arguments, the group's ``dt`` is the
  kernel's own;
* ``f(x)`` becomes ``_pyf_f(x)``: the argument holds the Python function, and the kernel
  runs vectorised in Python (a Numba kernel cannot call a Python function).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping

from .expressions import PYFUNC_PREFIX, VECTORISATION_INDEX
from .functions import Function
from .timedarray import TimedArray


def _timed_args(name: str) -> tuple[str, str]:
    return f"_tv_{name}", f"_tdt_{name}"


def kind(function: Function) -> str:
    """How kernels call ``function``: ``'timed1'``, ``'timed2'`` or ``'python'``."""
    if isinstance(function, TimedArray):
        return f"timed{function.ndim}"
    return "python"


def needs_python(functions: Mapping[str, Function]) -> bool:
    """Whether code calling ``functions`` must run in a vectorised (numpy) kernel."""
    return any(kind(f) == "python" for f in functions.values())


def rewrite(expr: ast.expr, functions: Mapping[str, Function]) -> ast.expr:
    """``expr`` with the calls of ``functions`` replaced by calls of kernel arguments."""
    if not functions:
        return expr

    class _Rewrite(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            name = node.func.id
            if name not in functions:
                return node
            how = kind(functions[name])
            if how == "python":
                args = list(node.args)
                if functions[name].auto_vectorise:  # Brian 2's extra argument
                    args.append(ast.Call(func=ast.Name(id=VECTORISATION_INDEX, ctx=ast.Load()),
                                         args=[], keywords=[]))
                return ast.Call(func=ast.Name(id=PYFUNC_PREFIX + name, ctx=ast.Load()),
                                args=args, keywords=[])
            values, tdt = _timed_args(name)
            args = [ast.Name(id=values, ctx=ast.Load()), ast.Name(id=tdt, ctx=ast.Load()),
                    node.args[0], ast.Name(id="dt", ctx=ast.Load()), *node.args[1:]]
            return ast.Call(func=ast.Name(id=f"_{how}", ctx=ast.Load()), args=args,
                            keywords=[])

    return _Rewrite().visit(copy.deepcopy(expr))


def arguments(functions: Mapping[str, Function]) -> tuple[dict[str, object],
                                                          dict[str, object]]:
    """The kernel arguments of ``functions``: (whole values: arrays and callables,
    scalars)."""
    whole: dict[str, object] = {}
    scalars: dict[str, object] = {}
    for name, function in functions.items():
        if isinstance(function, TimedArray):
            values, tdt = _timed_args(name)
            whole[values] = function.values
            scalars[tdt] = function.dt
        else:
            whole[PYFUNC_PREFIX + name] = function.numpy_callable(name)
    return whole, scalars


def signature_of(functions: Mapping[str, Function]) -> dict[str, str]:
    """What the generated source depends on: the kind of each function."""
    return {name: kind(f) for name, f in functions.items()}

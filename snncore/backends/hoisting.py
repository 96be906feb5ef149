"""Loop-invariant hoisting and shared subexpressions for the per-element Numba loops.

Model code is written per element, so its kernels recompute at every element what
does not depend on the element (``mV**-1``, ``exp(-dt/tau)`` of a shared time
constant) and, after integration, the same rate function several times (the
exponential Euler step of a Hodgkin-Huxley gate uses ``alpha_m`` twice). Both are
computed once here: invariant subexpressions before the loop, repeated calls once per
element. The operations and their order within each expression are unchanged, so the
results are bit for bit those of the unoptimised kernel.
"""

from __future__ import annotations

import ast

from ..expressions import identifiers, uses_random


def _key(node: ast.expr) -> str:
    return ast.dump(node, annotate_fields=False)


def _worth_naming(node: ast.expr) -> bool:
    """A node that costs something and is not a bare name or literal."""
    return not isinstance(node, ast.Name | ast.Constant) and \
        any(isinstance(sub, ast.Name) for sub in ast.walk(node))


class _Hoister(ast.NodeTransformer):
    """Replaces maximal invariant subtrees by ``_inv<k>`` names."""

    def __init__(self, varying: set[str], hoisted: dict[str, tuple[str, ast.expr]]):
        self.varying, self.hoisted = varying, hoisted

    def visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.expr) and _worth_naming(node) and \
                not (identifiers(node) & self.varying) and not uses_random(node) and \
                not isinstance(node, ast.BoolOp):
            key = _key(node)
            if key not in self.hoisted:
                self.hoisted[key] = (f"_inv{len(self.hoisted)}", node)
            return ast.Name(id=self.hoisted[key][0], ctx=ast.Load())
        return self.generic_visit(node)


def hoist_invariants(exprs: list[ast.expr], varying: set[str]
                     ) -> tuple[list[tuple[str, ast.expr]], list[ast.expr]]:
    """Move subexpressions that read no ``varying`` name out of the element loop.

    Parameters
    ----------
    exprs : list of ast.expr
        Everything the loop evaluates.
    varying : set of str
        Names that change from element to element (or within the loop).

    Returns
    -------
    (list of (name, expr), list of ast.expr)
        Assignments to run before the loop, and the rewritten expressions.
    """
    hoisted: dict[str, tuple[str, ast.expr]] = {}
    hoister = _Hoister(varying, hoisted)
    rewritten = [hoister.visit(_clone(e)) for e in exprs]
    return list(hoisted.values()), rewritten


def share_calls(statements: list[tuple[str, ast.expr]]) -> list[tuple[str, ast.expr]]:
    """Compute each repeated function call once per element.

    A call seen again before any name it reads is reassigned reuses a temporary
    (``_cse<k>``) assigned just before its first use. Random draws are never shared.
    """
    counts: dict[str, int] = {}
    for _target, expr in statements:
        for sub in ast.walk(expr):
            if isinstance(sub, ast.Call) and not uses_random(sub):
                counts[_key(sub)] = counts.get(_key(sub), 0) + 1
    available: dict[str, tuple[str, set[str]]] = {}
    out: list[tuple[str, ast.expr]] = []
    serial = 0

    class _Share(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            nonlocal serial
            key = _key(node)  # before the arguments' own calls are replaced
            node = self.generic_visit(node)
            if counts.get(key, 0) < 2 or uses_random(node):
                return node
            if key not in available:
                name = f"_cse{serial}"
                serial += 1
                out.append((name, node))
                available[key] = (name, identifiers(node))
            return ast.Name(id=available[key][0], ctx=ast.Load())

    for target, expr in statements:
        out.append((target, _Share().visit(_clone(expr))))
        for key in [k for k, (_n, names) in available.items() if target in names]:
            del available[key]
    return out


def _clone(node: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(node), mode="eval").body

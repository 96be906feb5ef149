"""Python's parser, bounded for model code.

Model strings are parsed with :func:`ast.parse`; this module gives every string a
clear :class:`~snncore.errors.ModelSyntaxError` where Python's parser, or the
recursive passes that follow it, would fail with a raw ``MemoryError``,
``RecursionError`` or ``ValueError``:

* nesting (parentheses, calls, unary operators, powers, comparisons inside
  expressions) deeper than :data:`MAX_DEPTH` levels is refused with a message that
  states the limit;
* long flat chains of ``+``/``-`` or ``*``/``/`` (a sum of 1000 terms) are not nesting:
  they are regrouped into a balanced tree (``((a + b) + (c + d))``), so their depth
  grows with the logarithm of their length and every later pass (dimension checks,
  integration, code generation, Python's compiler) sees a shallow tree. Chains of at
  most :data:`LONG_CHAIN` operands keep Python's left-to-right grouping exactly.
"""

from __future__ import annotations

import ast

from .errors import ModelSyntaxError

#: Deepest nesting of model code, in levels of the syntax tree after long flat sums and
#: products are regrouped (``exp(-(v/(2*w))**2)`` is 6 levels deep).
MAX_DEPTH = 100
#: Chains of ``+``/``-`` or ``*``/``/`` longer than this are regrouped as balanced trees.
LONG_CHAIN = 32

_GROUPS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
_INVERSE = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


def shorten(text: str, limit: int = 80) -> str:
    """``text`` for a message: a long string is cut, with its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def _too_deep(text: str) -> ModelSyntaxError:
    return ModelSyntaxError(
        f"model code nested too deeply (at most {MAX_DEPTH} levels of parentheses, "
        "function calls, unary operators and powers; long flat sums are fine)",
        shorten(text))


def parse(text: str, mode: str = "eval", context: str = "") -> ast.AST:
    """Parse model code with Python's parser, bounded in depth.

    Parameters
    ----------
    text : str
        One expression (``mode='eval'``) or one statement (``mode='exec'``).
    mode : {'eval', 'exec'}
    context : str
        Where the text comes from, for the message (``' in the generator of ...'``).

    Returns
    -------
    ast.AST
        The tree, with long flat chains of ``+``/``-`` and ``*``/``/`` regrouped as
        balanced trees.

    Raises
    ------
    ModelSyntaxError
        For invalid syntax, a character Python does not accept, or nesting deeper than
        :data:`MAX_DEPTH`.
    """
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as exc:
        if "too many nested parentheses" in (exc.msg or ""):
            raise _too_deep(text) from None
        col = (exc.offset or 1) - 1
        shown = text if len(text) <= 200 else shorten(text[max(col - 40, 0):])
        raise ModelSyntaxError(f"invalid syntax{context} ({exc.msg})", shown,
                               col if shown is text else None) from None
    except (MemoryError, RecursionError):
        # Python's parser gives up on deep nesting with one of these (its own limits
        # are about 200 parentheses, 1000 unary operators and 3000 chained terms).
        raise _too_deep(text) from None
    except ValueError as exc:  # a NUL character
        raise ModelSyntaxError(f"invalid character in model code ({exc})", shorten(text)) \
            from None
    return _bounded(tree, 0, text)


def _group(op: ast.operator) -> tuple | None:
    for group in _GROUPS:
        if isinstance(op, group):
            return group
    return None


def _bounded(node: ast.AST, depth: int, text: str) -> ast.AST:
    """``node`` with its children bounded, long chains regrouped; refuses deep nesting."""
    if depth > MAX_DEPTH:
        raise _too_deep(text)
    if isinstance(node, ast.BinOp) and (group := _group(node.op)) is not None:
        # Walk the left spine of the chain without recursion (a + b + c + ... is
        # ((a + b) + c) + ..., as deep as it is long).
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp) and _group(spine[-1].left.op) is group:
            spine.append(spine[-1].left)
        for link in spine:
            link.right = _bounded(link.right, depth + 1, text)
        spine[-1].left = _bounded(spine[-1].left, depth + 1, text)
        if len(spine) < LONG_CHAIN:
            return node
        terms = [(None, spine[-1].left)] + [(link.op, link.right) for link in reversed(spine)]
        return _balance(terms)
    for field, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            setattr(node, field, _bounded(value, depth + 1, text))
        elif isinstance(value, list):
            value[:] = [_bounded(v, depth + 1, text) if isinstance(v, ast.AST) else v
                        for v in value]
    return node


def _balance(terms: list[tuple[ast.operator | None, ast.expr]]) -> ast.expr:
    """``t0 op1 t1 op2 t2 ...`` (``terms[0]`` has no operator) as a balanced tree.

    ``a - b + c - d`` becomes ``(a - b) - (c - d)``: a right half that starts with
    ``-`` (or ``/``) is subtracted (divided) with its operators inverted.
    """
    if len(terms) == 1:
        return terms[0][1]
    mid = len(terms) // 2
    left = _balance(terms[:mid])
    op, first = terms[mid]
    rest = terms[mid + 1:]
    if isinstance(op, ast.Sub | ast.Div):
        rest = [(_INVERSE[type(o)](), t) for o, t in rest]
    right = _balance([(None, first)] + rest)
    return ast.copy_location(ast.BinOp(left=left, op=op, right=right), left)

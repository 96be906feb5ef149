"""Random draws in generated kernels: numbering the draw sites, and turning each site
into its flavour's call of the counter-based generator (:mod:`snncore.philox`).

A draw is named by (stream, step, element, site): the site is the position of the
``rand()``/``randn()``/``poisson()`` call in the kernel (``xi`` arrives as ``randn()``),
numbered on the abstract statements before either flavour renders them, so the numpy
and the Numba kernels of one spec number their draws alike. Rendering leaves a
placeholder ``_draw_<function>(<site>, <arguments>)`` that :func:`numpy_draws` and
:func:`numba_draws` replace.

Numba kernels draw the numbers of a loop's elements before the loop, into one array
per site (``_d<site>``), with helpers whose Philox rounds LLVM vectorises; a draw in
the code of synapses that received a spike (``'rows'``), or in code run once per
kernel call, is one scalar call.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import replace

from ..expressions import RANDOM_FUNCTIONS

_PLACEHOLDER = re.compile(r"_draw_(rand|randn|poisson)\((\d+)(\)|, )")
_NUMPY = {"rand": "_uniforms", "randn": "_normals", "poisson": "_poissons"}
_NUMBA = {"rand": "_uniform", "randn": "_normal", "poisson": "_poisson"}
_NUMBA_FILL = {"rand": "_uniforms", "randn": "_normals"}
#: Lines that start a Numba kernel drawing numbers: the key and the step.
NUMBA_PROLOGUE = ["    _k0, _k1, _ks = _rng[0], _rng[1], _rng[2]",
                  "    _step = _draw_step(_rng, t, dt)"]
NUMPY_PROLOGUE = ["    _step = _draw_step(_rng, t, dt)"]


class _Numberer(ast.NodeTransformer):
    def __init__(self) -> None:
        self.count = 0
        self.kinds: dict[int, str] = {}

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in RANDOM_FUNCTIONS:
            self.kinds[self.count] = node.func.id
            node.args = [ast.Constant(self.count), *node.args]
            self.count += 1
        return node


def number_draws(spec):
    """``spec`` with every draw numbered (its site as first argument), and the sites of
    its scalar statements, statements, condition and record, in this order."""
    numberer = _Numberer()

    def number(expr):
        return numberer.visit(copy.deepcopy(expr)) if expr is not None else None

    scalar = [(t, number(e)) for t, e in spec.scalar_statements]
    scalar_sites = set(numberer.kinds)
    statements = [(t, number(e)) for t, e in spec.statements]
    statement_sites = set(numberer.kinds) - scalar_sites
    condition = number(spec.condition)
    record = [number(e) for e in spec.record]
    loop_sites = set(numberer.kinds) - scalar_sites
    if spec.mode == "rows":
        # Only the synapses of spiking neurons run: their numbers are drawn one by one.
        loop_sites = set()
    if spec.mode == "threshold":
        # Statements of a threshold run on the elements that crossed it only.
        loop_sites -= statement_sites
    numbered = replace(spec, scalar_statements=scalar, statements=statements,
                       condition=condition, record=record)
    return numbered, Sites(numberer.kinds, scalar_sites, loop_sites)


class Sites:
    """The draw sites of a kernel: their function, those in scalar statements, and
    those whose numbers a Numba kernel draws for all its elements before the loop."""

    def __init__(self, kinds: dict[int, str], scalar: set[int], loop: set[int]):
        self.kinds, self.scalar = kinds, scalar
        self.before_loop = {s for s in loop if kinds[s] in _NUMBA_FILL}

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def numba_fills(self, all_elements: bool) -> list[str]:
        """Lines drawing the pre-drawn sites' numbers before the element loop (of the
        elements ``0.._n-1``, or else of those listed in ``_indices``)."""
        lines = []
        for site in sorted(self.before_loop):
            fill = _NUMBA_FILL[self.kinds[site]]
            if all_elements:
                lines.append(f"    _d{site} = {fill}_range(_k0, _k1, _ks, _step, {site}, _n)")
            else:
                lines.append(f"    _d{site} = {fill}_at(_k0, _k1, _ks, _step, {site}, "
                             "_indices, _n)")
        return lines


    def numba_block_fills(self, all_elements: bool, indent: str) -> list[str]:
        """Lines drawing the numbers of a parallel block (elements ``_lo`` to ``_hi``) into
        arrays of the block, read at ``_k - _lo``."""
        lines = []
        for site in sorted(self.before_loop):
            fill = _NUMBA_FILL[self.kinds[site]]
            at = "_span(" if all_elements else "_span_at("
            where = "" if all_elements else "_indices, "
            lines += [f"{indent}_d{site} = np.empty(_hi - _lo)",
                      f"{indent}{fill}{at}_d{site}, _k0, _k1, _ks, _step, {site}, "
                      f"{where}_lo, _hi)"]
        return lines


def numba_draws(line: str, sites: Sites, element: str, pre_drawn: str) -> str:
    """``line`` with its placeholders replaced by Numba draws of ``element`` (the
    pre-drawn arrays read at ``pre_drawn``)."""

    def draw(match: re.Match) -> str:
        kind, site, end = match.group(1), int(match.group(2)), match.group(3)
        if site in sites.before_loop:
            return f"_d{site}[{pre_drawn}]"
        at = "0" if site in sites.scalar else element
        # poisson() takes the whole stream, to note a mean it cannot draw from.
        stream = "_rng" if kind == "poisson" else "_k0, _k1, _ks"
        call = f"{_NUMBA[kind]}({stream}, _step, {site}, {at}"
        return call + (")" if end == ")" else ", ")

    return _PLACEHOLDER.sub(draw, line)


def numpy_draws(line: str) -> str:
    """``line`` with its placeholders replaced by vectorised draws of ``_elem``."""

    def draw(match: re.Match) -> str:
        kind, site, end = match.groups()
        call = f"{_NUMPY[kind]}(_rng, _step, {site}, _elem"
        return call + (")" if end == ")" else ", ")

    return _PLACEHOLDER.sub(draw, line)

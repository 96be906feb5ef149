"""Creating synapses: explicit indices, conditions with probabilities, generator syntax.

Conditions are evaluated on blocks of presynaptic rows (about a million candidate pairs
at a time), so connecting 5000 x 5000 neurons never builds a 25M-element temporary.
"""

from __future__ import annotations

import ast

import numpy as np

from .backends import ArrayRef
from .codeobject import bind, fresh_rng
from .errors import ModelSyntaxError, SnnError
from .expressions import TypeInfo, identifiers, infer, parse_expression
from .namespace import Resolver
from .random import generator
from .units import DIMENSIONLESS

_BLOCK = 1 << 20


class _PairOwner:
    """Model-code view of candidate pairs: ``i``, ``j`` (or a loop variable) and
    pre/post variables through them."""

    _element_index = None

    def __init__(self, syn, block: dict[str, np.ndarray]):
        self.syn, self.block = syn, block
        self.where = f"connect() of {syn.where}"
        self.namespace = syn.namespace

    def variable_ref(self, name: str):
        if name in self.block:
            return (ArrayRef(f"_a_{name}", None), self.block[name],
                    TypeInfo(DIMENSIONLESS, "int"), True)
        for suffix, group, key in (("_pre", self.syn.source, "i"),
                                   ("_post", self.syn.target, "j")):
            if name.endswith(suffix) and key in self.block:
                ref = group.variable_ref(name[: -len(suffix)])
                if ref is None:
                    return None
                index = "shared" if ref[0].index == "shared" else f"_ix{suffix}"
                return ArrayRef(f"_a{suffix}{ref[0].array}", index), ref[1], ref[2], True
        return None

    def index_array(self, name: str) -> np.ndarray:
        return self.block["i" if name == "_ix_pre" else "j"]

    def inline(self, expr: ast.expr) -> ast.expr:
        return expr

    def special_scalars(self) -> dict:
        info = TypeInfo(DIMENSIONLESS, "int")
        return {"N_pre": (len(self.syn.source), info), "N_post": (len(self.syn.target), info)}

    def variable_names(self) -> list[str]:
        return list(self.block) + [f"{n}_pre" for n in self.syn.source.variable_names()] + \
            [f"{n}_post" for n in self.syn.target.variable_names()]


def _evaluate(syn, block: dict[str, np.ndarray], expr: ast.expr, source: str,
              namespace) -> np.ndarray:
    owner = _PairOwner(syn, block)
    resolver = Resolver(syn.namespace, namespace, owner.where)
    bound = bind(owner, "evaluate", [], resolver, "numpy", condition=(expr, source))
    n = len(next(iter(block.values())))
    bound.set("_n", n)
    bound.set("_indices", None)
    bound.set("t", 0.0)
    bound.set("dt", 0.0)
    fresh_rng(bound)
    return np.asarray(bound())


def _check_range(values: np.ndarray, size: int, what: str, where: str) -> None:
    bad = values[(values < 0) | (values >= size)]
    if bad.size:
        raise SnnError(f"cannot connect {what} index {int(bad[0])} in {where}: valid indices "
                       f"are 0 to {size - 1}")


def _probability(p, where: str):
    if isinstance(p, str):
        return parse_expression(p)
    if not isinstance(p, int | float | np.floating | np.integer) or not 0 <= p <= 1:
        raise SnnError(f"p must be a probability in [0, 1] in {where}, got {p!r}")
    return float(p)


def connect_pairs(syn, condition, i, j, p, n, skip_if_invalid: bool,
                  namespace) -> tuple[np.ndarray, np.ndarray]:
    """The (pre, post) index pairs a ``connect`` call creates, in Brian 2's order."""
    where = f"connect() of {syn.where}"
    n_pre, n_post = len(syn.source), len(syn.target)
    if not isinstance(n, int | np.integer) or n < 0:
        raise SnnError(f"n must be a non-negative integer in {where}, got {n!r}")
    prob = _probability(p, where)
    if isinstance(i, str):
        raise SnnError(f"{where}: only j may be given as an expression or generator")
    if j is not None and not isinstance(j, str):
        if condition is not None or i is None:
            raise SnnError(f"{where}: give both i and j as indices, without a condition")
        pre, post = np.broadcast_arrays(np.atleast_1d(np.asarray(i, dtype=np.int64)),
                                        np.atleast_1d(np.asarray(j, dtype=np.int64)))
        _check_range(pre, n_pre, "presynaptic", where)
        _check_range(post, n_post, "postsynaptic", where)
        return _repeat(pre, post, n)
    sources = np.arange(n_pre, dtype=np.int64)
    if i is not None:
        sources = np.atleast_1d(np.asarray(i, dtype=np.int64))
        _check_range(sources, n_pre, "presynaptic", where)
    if isinstance(j, str):
        pre, post = _generate(syn, sources, j, skip_if_invalid, namespace, where)
        if prob != 1.0:
            keep = _keep(syn, {"i": pre, "j": post}, prob, namespace)
            pre, post = pre[keep], post[keep]
        return _repeat(pre, post, n)
    cond = None
    if isinstance(condition, str):
        cond = parse_expression(condition)
        types = {"i": TypeInfo(DIMENSIONLESS, "int"), "j": TypeInfo(DIMENSIONLESS, "int")}
        _check_boolean(syn, cond, condition, types, namespace, where)
    elif condition is False:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    elif condition not in (None, True):
        raise SnnError(f"condition must be a string or a bool in {where}, got {condition!r}")
    pres, posts = [], []
    rows = max(1, _BLOCK // max(n_post, 1))
    targets = np.arange(n_post, dtype=np.int64)
    # A constant probability alone needs no pair arrays: index only the kept pairs.
    p_only = cond is None and isinstance(prob, float) and prob != 1.0
    for start in range(0, sources.size, rows):
        count = min(rows, sources.size - start)
        if p_only:
            kept = np.flatnonzero(_uniforms_below(prob, count * n_post))
            pres.append(sources[start + kept // n_post])
            posts.append(kept % n_post)
            continue
        block_i = np.repeat(sources[start:start + count], n_post)
        block_j = np.tile(targets, count)
        block = {"i": block_i, "j": block_j}
        keep = np.ones(block_i.size, dtype=bool)
        if cond is not None:
            keep &= np.broadcast_to(_evaluate(syn, block, cond, condition, namespace),
                                    keep.shape)
        if prob != 1.0:
            keep &= _keep(syn, block, prob, namespace)
        pres.append(block_i[keep])
        posts.append(block_j[keep])
    pre = np.concatenate(pres) if pres else np.zeros(0, np.int64)
    post = np.concatenate(posts) if posts else np.zeros(0, np.int64)
    return _repeat(pre, post, n)


def _check_boolean(syn, expr, source, types, namespace, where) -> None:
    owner = _PairOwner(syn, {"i": np.zeros(0), "j": np.zeros(0)})
    resolver = Resolver(syn.namespace, namespace, where)
    known = dict(types)
    for name in identifiers(expr):
        ref = owner.variable_ref(name)
        if ref is not None:
            known[name] = ref[2]
        elif name not in known:
            known[name] = resolver.typeinfo(name, owner.variable_names())
    if infer(expr, known, source).kind != "bool":
        raise SnnError(f"the condition '{source}' of {where} is not a boolean expression")


def _uniforms_below(p, size: int) -> np.ndarray:
    """One uniform draw per candidate pair, in order: which ones fall below ``p``."""
    return generator().random(size) < p


def _keep(syn, block, prob, namespace) -> np.ndarray:
    size = len(block["i"])
    if isinstance(prob, float):
        return _uniforms_below(prob, size)
    values = np.broadcast_to(_evaluate(syn, block, prob, ast.unparse(prob), namespace), (size,))
    if np.any((values < 0) | (values > 1)):
        raise SnnError(f"p = '{ast.unparse(prob)}' in connect() of {syn.where} evaluates "
                       "outside [0, 1]")
    return _uniforms_below(values, size)


def _repeat(pre: np.ndarray, post: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    if n != 1:
        pre, post = np.repeat(pre, n), np.repeat(post, n)
    return pre.astype(np.int32), post.astype(np.int32)


def _generate(syn, sources: np.ndarray, text: str, skip_if_invalid: bool, namespace,
              where: str) -> tuple[np.ndarray, np.ndarray]:
    """Targets from ``j='expr'`` or ``j='k for k in range(a, b[, c]) if cond'``."""
    try:
        tree = ast.parse(f"({text.strip()})", mode="eval").body
    except SyntaxError as exc:
        raise ModelSyntaxError(f"invalid syntax in j of {where} ({exc.msg})", text) from None
    n_post = len(syn.target)
    if isinstance(tree, ast.GeneratorExp):
        if len(tree.generators) != 1 or not isinstance(tree.generators[0].target, ast.Name):
            raise ModelSyntaxError(f"j of {where} must have one 'for NAME in range(...)'", text)
        gen = tree.generators[0]
        var = gen.target.id
        it = gen.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id == "range" and 1 <= len(it.args) <= 3 and not it.keywords):
            raise ModelSyntaxError(f"the generator in j of {where} must iterate over range()",
                                   text)
        args = [parse_expression(ast.unparse(a)) for a in it.args]
        block = {"i": sources}
        values = [np.broadcast_to(_evaluate(syn, block, a, ast.unparse(a), namespace),
                                  sources.shape).astype(np.int64) for a in args]
        if len(values) == 1:
            values = [np.zeros_like(values[0]), values[0]]
        lo, hi = values[0], values[1]
        step = values[2] if len(values) == 3 else np.ones_like(lo)
        if np.any(step == 0):
            raise SnnError(f"range() step of zero in j of {where}")
        counts = np.maximum(0, -((lo - hi) // step))
        pre = np.repeat(sources, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        k = np.repeat(lo, counts) + np.repeat(step, counts) * offsets
        block = {"i": pre, var: k}
        keep = np.ones(pre.size, dtype=bool)
        for cond in gen.ifs:
            expr = parse_expression(ast.unparse(cond))
            keep &= np.broadcast_to(_evaluate(syn, block, expr, ast.unparse(cond), namespace),
                                    keep.shape).astype(bool)
        elt = parse_expression(ast.unparse(tree.elt))
        pre = pre[keep]
        post = np.broadcast_to(_evaluate(syn, {"i": pre, var: k[keep]}, elt, text, namespace),
                               pre.shape).astype(np.int64)
    else:
        expr = parse_expression(text)
        pre = sources
        post = np.broadcast_to(_evaluate(syn, {"i": pre}, expr, text, namespace),
                               pre.shape).astype(np.int64)
    valid = (post >= 0) & (post < n_post)
    if not valid.all():
        if not skip_if_invalid:
            bad = post[~valid][0]
            raise SnnError(f"j = {int(bad)} generated by '{text}' in {where} is outside the "
                           f"target (0 to {n_post - 1}); pass skip_if_invalid=True to drop "
                           "such targets")
        pre, post = pre[valid], post[valid]
    return pre, post

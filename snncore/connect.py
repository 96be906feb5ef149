"""Creating synapses: explicit indices, conditions with probabilities, generator syntax.

Conditions are evaluated on blocks of presynaptic rows (about a million candidate pairs
at a time), so connecting 5000 x 5000 neurons never builds a 25M-element temporary.
"""

from __future__ import annotations

import ast
import re

import numpy as np

from .backends import ArrayRef
from .codeobject import VariableRef, bind, fresh_rng
from .errors import ModelSyntaxError, SnnError
from .expressions import TypeInfo, identifiers, infer, parse_expression
from .memory import ensure_fits
from .namespace import Resolver
from .random import generator
from .source import parse
from .units import DIMENSIONLESS

#: Candidate pairs above which the kept share is estimated from a sample of _SAMPLE.
_SAMPLED, _SAMPLE = 1 << 24, 1 << 16
#: The way out of a connection too large for the memory.
_SMALLER = ("connect fewer pairs: a smaller p, a condition or generator that keeps fewer "
            "pairs, or fewer neurons")

_BLOCK = 1 << 20


class _PairOwner:
    """Model-code view of candidate pairs: ``i``, ``j`` (or a loop variable) and
    pre/post variables through them."""

    _element_index = None

    def __init__(self, syn, block: dict[str, np.ndarray]):
        self.syn, self.block = syn, block
        self.where = f"connect() of {syn.where}"
        self.namespace = syn.namespace

    def variable_ref(self, name: str) -> VariableRef | None:
        if name in self.block:
            return VariableRef(ArrayRef(f"_a_{name}", None), self.block[name],
                               TypeInfo(DIMENSIONLESS, "int"), True)
        for suffix, group, key in (("_pre", self.syn.source, "i"),
                                   ("_post", self.syn.target, "j")):
            if name.endswith(suffix) and key in self.block:
                ref = group.variable_ref(name[: -len(suffix)])
                if ref is None:
                    return None
                index = "shared" if ref.ref.index == "shared" else f"_ix{suffix}"
                return ref._replace(ref=ArrayRef(f"_a{suffix}{ref.ref.array}", index),
                                    constant=True)
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
    if not values.size or 0 <= values.min() and values.max() < size:
        return  # no mask of the size of the connection when all are valid
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
    if not (isinstance(n, str) or isinstance(n, int | np.integer) and n >= 0):
        raise SnnError(f"n must be a non-negative integer or an expression in {where}, "
                       f"got {n!r}")
    prob = _probability(p, where)
    if isinstance(condition, str) and re.search(r"\bfor\b", condition):
        raise SnnError(f"{where}: the condition '{condition}' is a generator; write "
                       f"connect(j='{condition}') instead")
    if isinstance(i, str) and isinstance(j, str):
        raise SnnError(f"{where}: give a generator for i or for j, not both")
    if isinstance(i, str) or isinstance(j, str):
        if condition is not None:
            raise SnnError(f"{where}: a generator for i or j cannot be combined with a "
                           "condition; put the condition in the generator's 'if'")
        outer = "j" if isinstance(i, str) else "i"
        given = j if outer == "j" else i
        size = n_post if outer == "j" else n_pre
        sources = np.arange(size, dtype=np.int64)
        if given is not None:
            sources = np.atleast_1d(np.asarray(given, dtype=np.int64))
            _check_range(sources, size, "postsynaptic" if outer == "j" else "presynaptic",
                         where)
        pre, post = _generate(syn, sources, i if outer == "j" else j, outer,
                              skip_if_invalid, namespace, where)
        if prob != 1.0:
            keep = _keep(syn, {"i": pre, "j": post}, prob, namespace)
            pre, post = pre[keep], post[keep]
        return _repeat(syn, pre, post, n, namespace)
    if j is not None or (i is not None and condition is None):
        if condition is not None or i is None or j is None:
            raise SnnError(f"{where}: give both i and j as indices, without a condition")
        pre, post = np.broadcast_arrays(np.atleast_1d(_indices(i, "i", where)),
                                        np.atleast_1d(_indices(j, "j", where)))
        _check_range(pre, n_pre, "presynaptic", where)
        _check_range(post, n_post, "postsynaptic", where)
        if prob != 1.0:
            keep = _keep(syn, {"i": pre, "j": post}, prob, namespace)
            pre, post = pre[keep], post[keep]
        return _repeat(syn, pre, post, n, namespace)
    sources = np.arange(n_pre, dtype=np.int64)
    if i is not None:
        sources = np.atleast_1d(_indices(i, "i", where))
        _check_range(sources, n_pre, "presynaptic", where)
    cond = None
    if isinstance(condition, str):
        cond = parse_expression(condition)
        types = {"i": TypeInfo(DIMENSIONLESS, "int"), "j": TypeInfo(DIMENSIONLESS, "int")}
        _check_boolean(syn, cond, condition, types, namespace, where)
    elif condition is False:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    elif condition not in (None, True):
        raise SnnError(f"condition must be a string or a bool in {where}, got {condition!r}")
    per_pair = n if isinstance(n, int) else 1
    if cond is None and isinstance(prob, float):
        # Known before any pair is drawn (a mean, for p < 1): refuse before allocating.
        _ensure_fit(syn, sources.size * n_post * prob * per_pair, where)
    elif sources.size * n_post > _SAMPLED:
        _ensure_fit(syn, _fewest_kept(syn, sources, n_post, cond, condition, prob,
                                      namespace) * per_pair, where)
    if prob != 1.0 and not _depends_on_post(syn, prob):
        pre, post = _sampled_pairs(syn, sources, n_post, prob, namespace)
        if cond is not None:
            keep = np.zeros(pre.size, dtype=bool)
            for start in range(0, pre.size, _BLOCK):
                # int64 in model code, as everywhere in connect()
                block = {"i": pre[start:start + _BLOCK].astype(np.int64),
                         "j": post[start:start + _BLOCK].astype(np.int64)}
                keep[start:start + _BLOCK] = _evaluate(syn, block, cond, condition, namespace)
            pre, post = pre[keep], post[keep]
        return _repeat(syn, pre, post, n, namespace)
    pres, posts = [], []
    kept = 0
    rows = max(1, _BLOCK // max(n_post, 1))
    targets = np.arange(n_post, dtype=np.int64)
    for start in range(0, sources.size, rows):
        count = min(rows, sources.size - start)
        block_i = np.repeat(sources[start:start + count], n_post)
        block_j = np.tile(targets, count)
        block = {"i": block_i, "j": block_j}
        keep = np.ones(block_i.size, dtype=bool)
        if cond is not None:
            keep &= np.broadcast_to(_evaluate(syn, block, cond, condition, namespace),
                                    keep.shape)
        if prob != 1.0:
            keep &= _keep(syn, block, prob, namespace)
        pres.append(block_i[keep].astype(np.int32))  # what is stored: 8 bytes a pair
        posts.append(block_j[keep].astype(np.int32))
        kept += pres[-1].size
        if kept > _BLOCK:  # a condition: what is kept so far must fit
            _ensure_fit(syn, kept, where)
    pre = np.concatenate(pres) if pres else np.zeros(0, np.int32)
    post = np.concatenate(posts) if posts else np.zeros(0, np.int32)
    del pres, posts
    return _repeat(syn, pre, post, n, namespace)


def _depends_on_post(syn, prob) -> bool:
    """Whether a connection probability names ``j`` or a postsynaptic variable: then, as
    in Brian 2, every candidate pair draws; otherwise each row samples its targets."""
    if isinstance(prob, float):
        return False
    owner = _PairOwner(syn, {"i": np.zeros(0), "j": np.zeros(0)})
    return any(name == "j" or name.endswith("_post") and owner.variable_ref(name) is not None
               for name in identifiers(prob))


def _sampled_pairs(syn, sources: np.ndarray, n_post: int, prob,
                   namespace) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (each source with every target) that a probability of the source alone
    selects, by Brian 2's ``sample``: only the selected pairs cost a draw."""
    if isinstance(prob, float):
        # One run of trials over all pairs, row after row.
        _seg, pos = bernoulli_positions(np.array([prob]), np.array([sources.size * n_post]))
        # Into the int32 indices that are stored, a block at a time: no int64 copies.
        pre, post = np.empty(pos.size, np.int32), np.empty(pos.size, np.int32)
        for start in range(0, pos.size, _BLOCK):
            block = pos[start:start + _BLOCK]
            pre[start:start + _BLOCK] = sources[block // n_post]
            post[start:start + _BLOCK] = block % n_post
        return pre, post
    p_rows = np.broadcast_to(_evaluate(syn, {"i": sources}, prob, ast.unparse(prob),
                                       namespace), sources.shape)
    seg, pos = bernoulli_positions(p_rows.astype(float), np.full(sources.size, n_post))
    return sources[seg], pos


def bernoulli_positions(p: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The successes among independent trials: ``lengths[s]`` trials of probability
    ``p[s]`` in segment ``s``.

    As in Brian 2's ``sample``, the draws skip from one success to the next: the gap is
    geometric, ``floor(E / -log(1 - p)) + 1`` with ``E`` a standard exponential draw, so
    the cost grows with the number of successes, not of trials. A probability above 1
    always succeeds, one below 0 (or NaN) never, as a uniform draw below ``p`` would.

    Parameters
    ----------
    p : ndarray of float
        The probability of each segment.
    lengths : ndarray of int
        The number of trials of each segment.

    Returns
    -------
    segment, position : ndarray of int64
        The successes, by segment, then by position (0 to ``lengths[s] - 1``); for one
        segment, ``segment`` is a read-only view of a single 0.
    """
    p = np.clip(np.nan_to_num(np.asarray(p, dtype=float), nan=0.0), 0.0, 1.0)
    lengths = np.asarray(lengths, dtype=np.int64)
    with np.errstate(divide="ignore"):
        # The mean gap is 1/rate: 0 for p = 1 (every trial succeeds).
        scale = 1.0 / -np.log1p(-p)
    start = np.zeros(p.size, dtype=np.int64)  # the first trial not yet decided
    active = np.flatnonzero((p > 0) & (lengths > 0))
    far = float(lengths.max(initial=0) + 1)
    segments, positions = [], []
    while active.size:
        remaining = lengths[active] - start[active]
        expected = remaining * p[active]
        # Gaps enough to pass the end of most segments in one round (one beyond it at
        # most); a segment left short goes on in the next round.
        want = np.minimum(np.ceil(expected + 2 * np.sqrt(expected) + 1), remaining + 1)
        want = np.minimum(want, _BLOCK).astype(np.int64)
        take = max(1, int(np.searchsorted(np.cumsum(want), _BLOCK, side="right")))
        rows, counts = active[:take], want[:take]
        ends = np.cumsum(counts)

        def spread(values, rows=rows, counts=counts):
            """Per-segment values, one per draw (a scalar for one segment)."""
            return values[rows[0]] if rows.size == 1 else np.repeat(values[rows], counts)

        # Positions in floats: exact below 2**53, and every kept one is below lengths.
        pos = generator().standard_exponential(int(ends[-1]))
        pos *= spread(scale)
        np.minimum(pos, far, out=pos)  # a huge gap only has to pass the end
        np.floor(pos, out=pos)
        pos += 1.0
        np.cumsum(pos, out=pos)
        if rows.size > 1:  # each segment counts from its own start
            pos -= np.repeat(np.r_[0.0, pos[ends[:-1] - 1]], counts)
        pos += spread(start) - 1.0
        inside = pos < spread(lengths)
        if p.size > 1:
            segments.append(np.repeat(rows, counts)[inside] if rows.size > 1
                            else np.full(int(inside.sum()), rows[0]))
        positions.append(pos[inside].astype(np.int64))
        start[rows] = np.minimum(pos[ends - 1] + 1.0, far).astype(np.int64)
        active = np.concatenate([rows[start[rows] < lengths[rows]], active[take:]])
    if not positions:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pos = np.concatenate(positions)
    del positions
    if p.size == 1:
        # One segment, in order round after round: its number for every success, without
        # an array of them.
        return np.broadcast_to(np.int64(0), pos.shape), pos
    seg = np.concatenate(segments)
    if len(segments) > 1:
        # Rounds continue earlier segments after later ones: back into segment order
        # (a stable sort keeps each segment's positions in order).
        order = np.argsort(seg, kind="stable")
        seg, pos = seg[order], pos[order]
    return seg, pos


def _indices(value, name: str, where: str) -> np.ndarray:
    """Explicit neuron indices (an int, a sequence or an array of ints, a subgroup)."""
    if hasattr(value, "_absolute_range"):
        raise SnnError(f"{where}: {name} is a subgroup; connect from the subgroup itself "
                       f"(Synapses(G[a:b], ...)) or give {name} as indices")
    array = np.asarray(value)
    if array.ndim > 1 or (array.size and array.dtype.kind not in "iu"):
        raise SnnError(f"{where}: {name} must be an int or a 1-d array of ints, got {value!r}")
    return array.astype(np.int64, copy=False)


def _check_boolean(syn, expr, source, types, namespace, where) -> None:
    owner = _PairOwner(syn, {"i": np.zeros(0), "j": np.zeros(0)})
    resolver = Resolver(syn.namespace, namespace, where)
    known = dict(types)
    known.update({name: info for name, (_v, info) in owner.special_scalars().items()})
    for name in identifiers(expr):
        ref = owner.variable_ref(name)
        if ref is not None:
            known[name] = ref.type
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
    # As in Brian 2 (a draw below p), a p expression above 1 connects, below 0 does not:
    # Brian 2's spatial_connections.py relies on it.
    values = np.broadcast_to(_evaluate(syn, block, prob, ast.unparse(prob), namespace), (size,))
    return _uniforms_below(values, size)


def _repeat(syn, pre: np.ndarray, post: np.ndarray, n,
            namespace) -> tuple[np.ndarray, np.ndarray]:
    """Each pair ``n`` times, side by side; ``n`` may be an expression of ``i`` and ``j``."""
    if isinstance(n, str):
        pairs = {"i": pre.astype(np.int64, copy=False), "j": post.astype(np.int64, copy=False)}
        counts = np.broadcast_to(_evaluate(syn, pairs, parse_expression(n), n, namespace),
                                 pre.shape)
        del pairs
        if counts.dtype.kind not in "iub" and np.any(counts != np.round(counts)):
            raise SnnError(f"n = '{n}' in connect() of {syn.where} must give integers")
        counts = counts.astype(np.int64)
        if np.any(counts < 0):
            raise SnnError(f"n = '{n}' in connect() of {syn.where} gives a negative number "
                           f"of synapses ({int(counts.min())})")
        _ensure_fit(syn, counts.sum(), f"connect() of {syn.where}")
        pre, post = np.repeat(pre, counts), np.repeat(post, counts)
    else:
        _ensure_fit(syn, pre.size * n, f"connect() of {syn.where}")
        if n != 1:
            pre, post = np.repeat(pre, n), np.repeat(post, n)
    return pre.astype(np.int32, copy=False), post.astype(np.int32, copy=False)


def _fewest_kept(syn, sources, n_post, cond, condition, prob, namespace) -> float:
    """A lower bound (three standard errors below the mean) of the number of pairs that
    a condition or a p expression keeps, from a sample of pairs: a connection that is
    surely too large is refused before the blocks are evaluated and stored. 0 when the
    condition or p draws random numbers (a sample would change the model's stream)."""
    exprs = [expr for expr in (cond, prob) if isinstance(expr, ast.expr)]
    if any(name in ("rand", "randn", "poisson") for expr in exprs
           for name in identifiers(expr)):
        return 0.0
    pick = np.random.default_rng(0)  # not the model's stream
    block = {"i": sources[pick.integers(sources.size, size=_SAMPLE)],
             "j": pick.integers(n_post, size=_SAMPLE)}
    weight = np.ones(_SAMPLE)
    if cond is not None:
        weight *= np.broadcast_to(_evaluate(syn, block, cond, condition, namespace),
                                  (_SAMPLE,))
    if isinstance(prob, ast.expr):
        values = _evaluate(syn, block, prob, ast.unparse(prob), namespace)
        weight *= np.clip(np.broadcast_to(values, (_SAMPLE,)), 0.0, 1.0)
    elif prob != 1.0:
        weight *= prob
    low = weight.mean() - 3 * weight.std() / np.sqrt(_SAMPLE)
    return max(low, 0.0) * sources.size * n_post


def _ensure_fit(syn, count: float, where: str) -> None:
    """Refuse ``count`` new synapses of ``syn`` that the memory cannot hold."""
    if count < 1 << 20:  # the estimate itself costs a little: only for many synapses
        return
    ensure_fits(count * _bytes_per_synapse(syn),
                f"{where}, making {count:.3g} synapses ({_bytes_per_synapse(syn)} bytes "
                "each)", _SMALLER)


def _bytes_per_synapse(syn) -> int:
    """Per synapse: its variables, its delays and the index pairs connect() builds."""
    variables = sum(var.array.itemsize for var in syn._vars.values() if not var.shared)
    delays = 8 * sum(isinstance(d, np.ndarray) for d in syn._delays.values())
    return variables + delays + 40


def _generate(syn, sources: np.ndarray, text: str, outer: str, skip_if_invalid: bool,
              namespace, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairs from Brian 2's generator syntax, for the ``outer`` index (``'i'`` for ``j=``).

    ``'expr'``, ``'expr if cond'``, or ``'expr for k in range(...)|sample(...) if cond'``;
    ``cond`` may use the generated index (``j`` for ``j=...``) and its group's variables.
    """
    result = "j" if outer == "i" else "i"
    size = len(syn.target if result == "j" else syn.source)
    elt, var, func, args, kwargs, cond = _parse_generator(text, where)
    bounds = _iteration_bounds(syn, sources, outer, func, args, kwargs, skip_if_invalid,
                               namespace, where)
    # A sample's size= per source (``size`` is the generated group's size).
    counts, p, sample_size = bounds[2], bounds[3], bounds[4]
    if cond is None and not skip_if_invalid:
        # Every generated index is kept (or is an error): refuse before generating.
        _ensure_fit(syn, np.where(np.isnan(p), np.where(sample_size >= 0, sample_size, counts),
                                  counts * np.nan_to_num(p)).sum(), where)
    # Blocks of sources with about _BLOCK candidates each (at least one source); a
    # sample(p=...) makes only the selected ones.
    weight = counts if np.all(np.isnan(p)) else \
        np.ceil(counts * np.clip(np.nan_to_num(p), 0, 1)).astype(np.int64) + 1
    ends = np.searchsorted(np.cumsum(weight), np.arange(1, weight.sum() // _BLOCK + 1) * _BLOCK)
    edges = np.unique(np.r_[0, np.maximum(ends, 1), sources.size])
    pres, posts = [], []
    kept = 0
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        outer_idx, k = _iterate(sources[start:stop], [b[start:stop] for b in bounds])
        block = {outer: outer_idx, var: k}
        values = np.broadcast_to(_evaluate(syn, block, elt, text, namespace),
                                 k.shape).astype(np.int64)
        if cond is not None:
            suffix, group = ("_post", syn.target) if result == "j" else ("_pre", syn.source)
            uses_group = any(name.endswith(suffix) and
                             name[: -len(suffix)] in group.variable_names()
                             for name in identifiers(cond))
            if uses_group:  # the condition reads the generated neurons' variables
                outer_idx, k, values = _valid(outer_idx, k, values, size, skip_if_invalid,
                                              text, where, result)
            block = {outer: outer_idx, var: k, result: values}
            keep = np.broadcast_to(_evaluate(syn, block, cond, ast.unparse(cond), namespace),
                                   k.shape).astype(bool)
            outer_idx, k, values = outer_idx[keep], k[keep], values[keep]
        outer_idx, k, values = _valid(outer_idx, k, values, size, skip_if_invalid, text,
                                      where, result)
        pres.append(outer_idx if outer == "i" else values)
        posts.append(values if outer == "i" else outer_idx)
        kept += values.size
        if kept > _BLOCK:
            _ensure_fit(syn, kept, where)
    if not pres:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pres), np.concatenate(posts)


def _parse_generator(text: str, where: str):
    """(element, variable, 'range'|'sample', args, kwargs, condition) of a generator."""
    text = text.strip()
    if not re.search(r"\bfor\b", text):
        parts = text.split(" if ")
        if len(parts) > 2:
            raise ModelSyntaxError(f"cannot read the generator of {where}: write "
                                   "'expr', 'expr if cond' or 'expr for k in range(...)'", text)
        text = f"{parts[0]} for _ in range(1)" + (f" if {parts[1]}" if len(parts) == 2 else "")
    tree = parse(f"({text})", "eval", context=f" in the generator of {where}").body
    if not isinstance(tree, ast.GeneratorExp) or len(tree.generators) != 1 or \
            not isinstance(tree.generators[0].target, ast.Name):
        raise ModelSyntaxError(f"the generator of {where} must have one "
                               "'for NAME in range(...)' or 'for NAME in sample(...)'", text)
    gen = tree.generators[0]
    it = gen.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
            and it.func.id in ("range", "sample")):
        raise ModelSyntaxError(f"the generator of {where} must iterate over range() or "
                               "sample()", text)
    func = it.func.id
    kwargs = {kw.arg: parse_expression(ast.unparse(kw.value)) for kw in it.keywords}
    if not 1 <= len(it.args) <= 3 or func == "range" and kwargs or \
            func == "sample" and (len(kwargs) != 1 or set(kwargs) - {"p", "size"}):
        raise ModelSyntaxError(
            f"in the generator of {where}: range() takes 1 to 3 arguments; sample() takes "
            "1 to 3 arguments and one keyword, p= or size=", text)
    args = [parse_expression(ast.unparse(a)) for a in it.args]
    cond = None
    if gen.ifs:
        cond = parse_expression(" and ".join(f"({ast.unparse(c)})" for c in gen.ifs))
    return (parse_expression(ast.unparse(tree.elt)), gen.target.id, func, args, kwargs,
            cond)


def _iteration_bounds(syn, sources, outer, func, args, kwargs, skip_if_invalid, namespace,
                      where) -> list[np.ndarray]:
    """Per source: first value, step and count of ``range(...)``/``sample(...)``, and the
    probability (``p=``, else NaN) and number (``size=``, else -1) of a sample."""
    block = {outer: sources}

    def per_source(expr, integer=True):
        values = np.broadcast_to(_evaluate(syn, block, expr, ast.unparse(expr), namespace),
                                 sources.shape)
        if integer and values.dtype.kind == "f":
            if np.any(values != np.round(values)):
                raise SnnError(f"the {func}() arguments in the generator of {where} must be "
                               f"integers, got '{ast.unparse(expr)}'")
        return values.astype(np.int64 if integer else float)

    values = [per_source(a) for a in args]
    if len(values) == 1:
        values = [np.zeros_like(values[0]), values[0]]
    lo, hi = values[0], values[1]
    step = values[2] if len(values) == 3 else np.ones_like(lo)
    if np.any(step == 0):
        raise SnnError(f"{func}() step of zero in the generator of {where}")
    counts = np.maximum(0, -((lo - hi) // step))
    p = per_source(kwargs["p"], integer=False) if "p" in kwargs else np.full(lo.shape, np.nan)
    size = np.full(lo.shape, -1, dtype=np.int64)
    if "size" in kwargs:
        size = per_source(kwargs["size"])
        bad = (size < 0) | (size > counts)
        if np.any(bad) and not skip_if_invalid:
            first = int(np.flatnonzero(bad)[0])
            raise SnnError(f"sample(..., size={int(size[first])}) in the generator of {where} "
                           f"asks for more than the {int(counts[first])} candidates (or fewer "
                           f"than none) for {outer} = {int(sources[first])}; pass "
                           "skip_if_invalid=True to take what there is")
        size = np.clip(size, 0, counts)
    return [lo, step, counts, p, size]


def _iterate(sources, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Every (outer index, iteration value) pair of some sources, given their bounds."""
    lo, step, counts, p, size = bounds
    if not np.all(np.isnan(p)):
        seg, pos = bernoulli_positions(p, counts)
        return sources[seg], lo[seg] + step[seg] * pos
    outer_idx = np.repeat(sources, counts)
    first = np.cumsum(counts) - counts
    offsets = np.arange(counts.sum()) - np.repeat(first, counts)
    k = np.repeat(lo, counts) + np.repeat(step, counts) * offsets
    if np.all(size < 0):
        return outer_idx, k
    # Fixed-size samples without replacement: the `size` smallest of uniform keys per
    # source, kept in ascending order as Brian 2 returns them.
    keys = generator().random(k.size)
    order = np.lexsort((keys, np.repeat(np.arange(sources.size), counts)))
    rank = np.empty(k.size, dtype=np.int64)
    rank[order] = offsets
    keep = rank < np.repeat(size, counts)
    return outer_idx[keep], k[keep]


def _valid(outer_idx, k, values, size, skip_if_invalid, text, where, result):
    """Drop (or refuse) generated indices outside the generated group."""
    valid = (values >= 0) & (values < size)
    if valid.all():
        return outer_idx, k, values
    if not skip_if_invalid:
        bad = values[~valid][0]
        raise SnnError(f"{result} = {int(bad)} generated by '{text}' in {where} is outside "
                       f"the {'target' if result == 'j' else 'source'} (0 to {size - 1}); "
                       "pass skip_if_invalid=True to drop such indices")
    return outer_idx[valid], k[valid], values[valid]

"""Kernel source generation shared by both backends.

A :class:`KernelSpec` describes one piece of per-step work abstractly: which statements
run, over which elements, and how each name reaches the kernel (an array read at the
element's index, an array read through an index array such as a synapse's
postsynaptic index, a one-element shared array, or a scalar argument). The numpy flavor
renders whole-array statements; the numba flavor renders a loop over elements.
External constants are always scalar arguments, never literals in the source, so a
changed parameter reuses the compiled kernel.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from ..expressions import identifiers, render, uses_random
from .draws import NUMBA_PROLOGUE, NUMPY_PROLOGUE, numba_draws, number_draws, numpy_draws
from .hoisting import hoist_invariants, share_calls
from .threads import BLOCK, worth_threads

#: Modes that run over every element 0 .. _n-1 and never read ``_indices``.
ALL_ELEMENTS = frozenset({"all", "evaluate", "summed", "threshold"})


@dataclass(frozen=True)
class ArrayRef:
    """How a kernel reaches an array variable.

    Attributes
    ----------
    array : str
        Argument name of the array.
    index : str | None
        None: indexed by the element index itself; ``'shared'``: a one-element array;
        otherwise the name of an index array giving the position for each element.
    """

    array: str
    index: str | None = None


@dataclass
class KernelSpec:
    """An abstract kernel.

    Modes: ``'all'`` (every element ``0.._n-1``), ``'subset'`` (the elements listed in
    ``_indices``), ``'threshold'`` (collect the elements ``0.._n-1`` whose ``condition``
    holds into ``_spikes``, run ``statements`` on them, return the count), ``'record'`` (write
    ``record[r]`` of each listed element into row ``_col`` of ``_buf_r``, one row a step),
    ``'evaluate'`` (numpy only: return the value of ``condition`` for every element),
    ``'rows'`` (``_indices`` lists rows of a CSR structure ``_ptr``/``_perm``; every
    element of those rows is processed: synaptic propagation), ``'summed'`` (zero
    ``_target``, then add ``condition`` of every element at ``summed_index``).
    """

    mode: str
    statements: list[tuple[str, ast.expr]] = field(default_factory=list)
    arrays: dict[str, ArrayRef] = field(default_factory=dict)
    scalars: list[str] = field(default_factory=list)
    index_arrays: list[str] = field(default_factory=list)
    condition: ast.expr | None = None
    record: list[ast.expr] = field(default_factory=list)
    element_index: str | None = None  # name bound to the element index ('i' in groups)
    has_perm: bool = False  # 'rows' mode: CSR rows are permuted
    summed_index: str | None = None  # 'summed' mode: index array into _target
    #: Arguments passed whole: the values of TimedArrays, users' Python functions.
    externals: list[str] = field(default_factory=list)
    #: 'all' mode: statements run once before the element loop (Brian 2's scalar
    #: statements: writes to shared variables, temporaries of shared values); a random
    #: draw in them is one number.
    scalar_statements: list[tuple[str, ast.expr]] = field(default_factory=list)
    #: How many elements the kernel runs over, where known: many, with enough work each,
    #: make a Numba kernel run them in parallel blocks (:func:`runs_parallel`).
    elements: int = 0

    def argnames(self) -> list[str]:
        """The kernel's arguments, in order."""
        names = ["_n", "_indices"]
        if self.mode == "threshold":
            names.append("_spikes")
        if self.mode == "record":
            names.append("_col")
            names += [f"_buf_{r}" for r in range(len(self.record))]
        if self.mode == "rows":
            names += ["_ptr", "_perm"] if self.has_perm else ["_ptr"]
        if self.mode == "summed":
            names += ["_target", "_target_size"]
        names += sorted({ref.array for ref in self.arrays.values()})
        names += sorted(set(self.index_arrays))
        names += self.externals
        names += self.scalars
        # The random stream: a numpy Generator, or the uint64[4] state of Numba kernels.
        names.append("_rng")
        return names


def _written(spec: KernelSpec) -> set[str]:
    return {target for target, _ in spec.statements if target in spec.arrays}


def _read(spec: KernelSpec) -> set[str]:
    names: set[str] = set()
    for target, expr in spec.scalar_statements + spec.statements:
        names |= identifiers(expr)
        names.add(target)
    for expr in spec.record:
        names |= identifiers(expr)
    if spec.condition is not None:
        names |= identifiers(spec.condition)
    return names & set(spec.arrays)


def _element(ref: ArrayRef) -> str:
    """The subscript that reads one array variable."""
    if ref.index == "shared":
        return f"{ref.array}[0]"
    return f"{ref.array}[{'_idx' if ref.index is None else '_j_' + ref.index}]"


def _index_loads(spec: KernelSpec, names: set[str], indent: str) -> list[str]:
    used = {spec.arrays[n].index for n in names if spec.arrays[n].index not in (None, "shared")}
    return [f"{indent}_j_{ix} = {ix}[_idx]" for ix in sorted(used)]


def _element_index(spec: KernelSpec, indent: str) -> list[str]:
    if spec.element_index is None:
        return []
    return [f"{indent}{spec.element_index} = _idx"]


def _numba_body(spec: KernelSpec, statements: list[tuple[str, ast.expr]],
                indent: str) -> list[str]:
    names = _read(spec)
    lines = _index_loads(spec, names, indent) + _element_index(spec, indent)
    for name in sorted(names):
        if spec.arrays[name].index != "shared":
            lines.append(f"{indent}{name} = {_element(spec.arrays[name])}")
    for target, expr in statements:
        lines.append(f"{indent}{target} = {render(expr, 'numba')}")
    for name in sorted({t for t, _ in statements if t in spec.arrays}):
        lines.append(f"{indent}{_element(spec.arrays[name])} = {name}")
    return lines


def _optimised(spec: KernelSpec) -> tuple[list[tuple[str, ast.expr]], KernelSpec]:
    """Invariant subexpressions to compute before the element loop, and ``spec`` with
    them (and repeated calls) replaced by names."""
    varying = {n for n, ref in spec.arrays.items() if ref.index != "shared"}
    if spec.element_index is not None:
        varying.add(spec.element_index)
    assigned = [target for target, _ in spec.statements]
    moved, kept = [], []
    for target, expr in spec.statements:
        # A temporary set once from invariant values (an integrator's coefficient of a
        # shared time constant) is itself invariant: it moves before the loop.
        if target not in spec.arrays and assigned.count(target) == 1 and \
                not identifiers(expr) & varying and not uses_random(expr):
            moved.append((target, expr))
        else:
            varying.add(target)
            kept.append((target, expr))
    exprs = [e for _, e in kept] + list(spec.record)
    if spec.condition is not None:
        exprs.append(spec.condition)
    pre, new = hoist_invariants(exprs, varying)
    n = len(kept)
    statements = share_calls([(t, e) for (t, _), e in zip(kept, new[:n], strict=True)])
    return moved + pre, replace(spec, statements=statements,
                                record=new[n:n + len(spec.record)],
                                condition=new[-1] if spec.condition is not None else None)


def runs_parallel(spec: KernelSpec) -> bool:
    """Whether the Numba kernel of ``spec`` runs its elements in parallel blocks: an
    ``'all'``, ``'threshold'`` or ``'record'`` kernel whose work per call, once the
    invariants are out of the loop, is worth threads
    (:func:`~snncore.backends.threads.worth_threads`)."""
    if spec.mode not in ("all", "threshold", "record") or spec.elements <= BLOCK:
        return False
    _pre, spec = _optimised(spec)
    exprs = [e for _, e in spec.statements] + list(spec.record)
    return worth_threads(exprs + ([spec.condition] if spec.condition is not None else []),
                         spec.elements)


def _numba_source(spec: KernelSpec) -> str:
    spec, sites = number_draws(spec)
    parallel = runs_parallel(spec)
    lines = _numba_lines(spec, sites, parallel)
    pre_drawn = "_k - _lo" if parallel else "_k"
    lines = [numba_draws(line, sites, "_idx", pre_drawn) for line in lines]
    return "\n".join(_used_arguments(lines)) + "\n"


def _used_arguments(lines: list[str]) -> list[str]:
    """``lines`` of a Numba kernel whose ``def`` keeps only the arguments its body uses.

    Numba's compile time grows with the arguments (typing, unpacking each array into
    its seven fields, and the calling code in the fused loop that passes them), and
    most kernels use few of the names :meth:`KernelSpec.argnames` offers (``N``, ``dt``,
    ``_indices`` or ``_rng`` where nothing reads them). The fused loop passes a kernel
    its own arguments by name (:meth:`snncore.fusion.FusedLoop.call`).
    """
    function = ast.parse("\n".join(lines)).body[0]
    used = {node.id for statement in function.body for node in ast.walk(statement)
            if isinstance(node, ast.Name)}
    names = [arg.arg for arg in function.args.args if arg.arg in used]
    return [f"def kernel({', '.join(names)}):", *lines[1:]]


def _numba_lines(spec: KernelSpec, sites, parallel: bool) -> list[str]:
    args = ", ".join(spec.argnames())
    lines = [f"def kernel({args}):"]
    if sites:
        lines += NUMBA_PROLOGUE
    for name in sorted(_read(spec)):
        if spec.arrays[name].index == "shared":
            lines.append(f"    {name} = {spec.arrays[name].array}[0]")
    for target, expr in spec.scalar_statements:
        lines.append(f"    {target} = {render(expr, 'numba')}")
        if target in spec.arrays:
            lines.append(f"    {spec.arrays[target].array}[0] = {target}")
    pre, spec = _optimised(spec)
    lines += [f"    {name} = {render(expr, 'numba')}" for name, expr in pre]
    if parallel:
        return lines + _blocked_lines(spec, sites)
    lines += sites.numba_fills(spec.mode in ALL_ELEMENTS)
    if spec.mode == "threshold":
        lines.append("    _c = 0")
    if spec.mode == "summed":
        # Its size as a number: a kernel that only indexes _target gets its address.
        lines.append("    for _q in range(_target_size):")
        lines.append("        _target[_q] = 0.0")
    if spec.mode == "rows":
        lines.append("    for _s in range(_n):")
        lines.append("        _row = _indices[_s]")
        lines.append("        for _q in range(_ptr[_row], _ptr[_row + 1]):")
        lines.append("            _idx = _perm[_q]" if spec.has_perm else "            _idx = _q")
        lines += _numba_body(spec, spec.statements, "            ")
        lines.append("    return 0")
        return lines
    lines.append("    for _k in range(_n):")
    lines += _element_lines(spec, "_c", "        ")
    lines.append("    return _c" if spec.mode == "threshold" else "    return 0")
    return lines


def _element_lines(spec: KernelSpec, count: str, indent: str) -> list[str]:
    """The work on element ``_k`` of the loop (a threshold counts its spikes in
    ``count``)."""
    lines = [indent + ("_idx = _k" if spec.mode in ALL_ELEMENTS else "_idx = _indices[_k]")]
    if spec.mode == "threshold":
        names = _read(spec)
        lines += _index_loads(spec, names, indent) + _element_index(spec, indent)
        for name in sorted(identifiers(spec.condition) & set(spec.arrays)):
            if spec.arrays[name].index != "shared":
                lines.append(f"{indent}{name} = {_element(spec.arrays[name])}")
        lines.append(f"{indent}if {render(spec.condition, 'numba')}:")
        lines.append(f"{indent}    _spikes[{count}] = _idx")
        lines.append(f"{indent}    {count} += 1")
        for target, expr in spec.statements:
            place = _element(spec.arrays[target]) if target in spec.arrays else target
            lines.append(f"{indent}    {place} = {render(expr, 'numba')}")
    elif spec.mode == "record":
        lines += _numba_body(spec, spec.statements, indent)
        for r, expr in enumerate(spec.record):
            lines.append(f"{indent}_buf_{r}[_col, _k] = {render(expr, 'numba')}")
    elif spec.mode == "summed":
        lines += _numba_body(spec, spec.statements, indent)
        lines.append(f"{indent}_target[{spec.summed_index}[_idx]] += "
                     f"{render(spec.condition, 'numba')}")
    else:
        lines += _numba_body(spec, spec.statements, indent)
    return lines


def _blocked_lines(spec: KernelSpec, sites) -> list[str]:
    """The element loop in blocks of :data:`~snncore.backends.threads.BLOCK` run in
    parallel (``prange``). A threshold's block ``b`` writes its spikes from position
    ``b * BLOCK`` of ``_spikes`` and its count into ``_bc[b]``; the blocks' spikes are
    then moved together in block order, so they stay sorted."""
    lines = [f"    _nb = (_n + {BLOCK - 1}) // {BLOCK}"]
    if spec.mode == "threshold":
        lines.append("    _bc = np.empty(_nb, dtype=np.int64)")
    lines += ["    for _b in prange(_nb):",
              f"        _lo = _b * {BLOCK}",
              f"        _hi = min(_lo + {BLOCK}, _n)"]
    lines += sites.numba_block_fills(spec.mode in ALL_ELEMENTS, "        ")
    if spec.mode == "threshold":
        lines.append("        _cb = _lo")
    lines.append("        for _k in range(_lo, _hi):")
    lines += _element_lines(spec, "_cb", "            ")
    if spec.mode != "threshold":
        return lines + ["    return 0"]
    return lines + ["        _bc[_b] = _cb - _lo",
                    "    _c = 0",
                    "    for _b in range(_nb):",
                    "        for _q in range(_bc[_b]):",
                    f"            _spikes[_c] = _spikes[_b * {BLOCK} + _q]",
                    "            _c += 1",
                    "    return _c"]


def _numpy_loads(spec: KernelSpec, names: set[str], all_elements: bool,
                 indices: set[str] = frozenset()) -> list[str]:
    """Lines loading ``names`` and the index arrays they, and ``indices``, need."""
    lines = []
    used_ix = {spec.arrays[n].index for n in names
               if spec.arrays[n].index not in (None, "shared")} | set(indices)
    for ix in sorted(used_ix):
        lines.append(f"    _j_{ix} = {ix}[_idx]" if not all_elements else f"    _j_{ix} = {ix}")
    if spec.element_index is not None:
        base = "np.arange(_n)" if all_elements else "_idx"
        lines.append(f"    {spec.element_index} = {base}")
    for name in sorted(names):
        lines.append(f"    {name} = {_numpy_place(spec.arrays[name], all_elements, False)}")
    return lines


def _accumulations(spec: KernelSpec) -> dict[str, tuple[str, ast.expr]]:
    """The indexed targets that ``spec``'s statements only add to, ``x = x + e`` or
    ``x = x - e``, where no statement reads a target apart from its own addition and
    ``e`` reads none: target -> (ufunc name, ``e``). Empty unless the one indexed target
    is such."""
    targets = {t for t in _written(spec) if spec.arrays[t].index not in (None, "shared")}
    found: dict[str, tuple[str, ast.expr]] = {}
    for target, expr in spec.statements:
        if target not in targets:
            if identifiers(expr) & targets:
                return {}
            continue
        if target in found or not isinstance(expr, ast.BinOp):
            return {}
        own = isinstance(expr.left, ast.Name) and expr.left.id == target
        if isinstance(expr.op, ast.Add) and own:
            found[target] = ("add", expr.right)
        elif isinstance(expr.op, ast.Add) and isinstance(expr.right, ast.Name) \
                and expr.right.id == target:
            found[target] = ("add", expr.left)  # (float addition commutes, bit for bit)
        elif isinstance(expr.op, ast.Sub) and own:
            found[target] = ("subtract", expr.right)
        else:
            return {}
        if identifiers(found[target][1]) & targets:
            return {}
    # One target only: two (v_post and v_pre of one group) may be one array, whose
    # additions the loop interleaves event by event.
    return found if set(found) == targets and len(found) == 1 and spec.condition is None \
        else {}


def _numpy_place(ref: ArrayRef, all_elements: bool, store: bool) -> str:
    """Where a vectorized kernel reads (or writes) one array variable."""
    if ref.index == "shared":
        return f"{ref.array}[0]"
    if ref.index is None and all_elements:
        # Whole arrays are read without a copy; statements rebind names, never mutate.
        return f"{ref.array}[:]" if store else ref.array
    return _element(ref)


def _numpy_stores(spec: KernelSpec, statements: list[tuple[str, ast.expr]],
                  all_elements: bool) -> list[str]:
    return [f"    {_numpy_place(spec.arrays[name], all_elements, True)} = {name}"
            for name in sorted({t for t, _ in statements if t in spec.arrays})]


def _numpy_scalar_block(spec: KernelSpec) -> list[str]:
    """The scalar statements, run once as for one element (a random draw is one
    number); the shared variables they write are stored before the element code loads
    them."""
    if not spec.scalar_statements:
        return []
    names: set[str] = set()
    for target, expr in spec.scalar_statements:
        names |= identifiers(expr) | {target}
    lines = [f"    {name} = {spec.arrays[name].array}[0]" for name in sorted(names)
             if name in spec.arrays]
    lines.append("    _n_elements, _n, _elem = _n, 1, np.zeros(1, dtype=np.int64)")
    for target, expr in spec.scalar_statements:
        lines.append(f"    {target} = np.asarray({render(expr, 'numpy')}).reshape(-1)[0]")
        if target in spec.arrays:
            lines.append(f"    {spec.arrays[target].array}[0] = {target}")
    lines.append("    _n = _n_elements")
    return lines


def _uses(spec: KernelSpec, name: str) -> bool:
    exprs = [e for _, e in spec.scalar_statements + spec.statements] + list(spec.record)
    if spec.condition is not None:
        exprs.append(spec.condition)
    return any(name in identifiers(e) for e in exprs)


def _numpy_source(spec: KernelSpec) -> str:
    spec, sites = number_draws(spec)
    lines = _numpy_lines(spec)
    if sites:
        lines[1:1] = NUMPY_PROLOGUE
    return "\n".join(numpy_draws(line) for line in lines) + "\n"


def _numpy_lines(spec: KernelSpec) -> list[str]:
    """The numpy kernel; a draw is of the elements ``_elem``."""
    args = ", ".join(spec.argnames())
    all_elements = spec.mode in ALL_ELEMENTS
    lines = [f"def kernel({args}):"]
    if _uses(spec, "t"):
        # The time comes as a Python float each step; numpy's float divides by zero
        # (to inf) as the Numba kernels do, where Python's raises.
        lines.append("    t = np.float64(t)")
    if not all_elements:
        lines.append("    _idx = _indices")
    if spec.mode == "threshold":
        cond_names = identifiers(spec.condition) & set(spec.arrays)
        lines += _numpy_loads(spec, cond_names, True)
        lines.append("    _elem = range(_n)")
        lines.append(f"    _cond = _each({render(spec.condition, 'numpy')}, _n)")
        lines.append("    _idx = _elem = _cond.nonzero()[0]")
        lines.append("    _n = len(_idx)")
        lines.append("    _spikes[:_n] = _idx")
        for target, expr in spec.statements:
            lines.append(f"    {_element(spec.arrays[target])} = {render(expr, 'numpy')}")
        lines.append("    return _n")
        return lines
    if spec.mode == "rows":
        lines.append("    _idx = _rows_to_ids(_indices, _ptr, "
                     + ("_perm)" if spec.has_perm else "None)"))
        # Draws (rand(), poisson()) are one per synapse of the rows, not one per row.
        lines.append("    _n = len(_idx)")
    lines += _numpy_scalar_block(spec)
    # (a range: the draws of consecutive elements need no array of them, nor a check)
    lines.append("    _elem = range(_n)" if all_elements else "    _elem = _idx")
    indexed = sorted({spec.arrays[t].index for t in _written(spec)
                      if spec.arrays[t].index not in (None, "shared")})
    if indexed:
        # Several synapses may write one neuron. Additions of what no other synapse
        # changes go through ufunc.at, which applies them one after another in order, as
        # the Numba loop does (same bits); for float targets only (an integer's per-event
        # rounding would be lost).
        accumulated = _accumulations(spec)
        if accumulated:
            arrays = [spec.arrays[t].array for t in accumulated]
            lines.append("    if " + " and ".join(f'{a}.dtype.kind == "f"' for a in arrays) + ":")
            body = _numpy_loads(spec, _read(spec) - set(accumulated), all_elements,
                                {spec.arrays[t].index for t in accumulated})
            for target, expr in spec.statements:
                if target in accumulated:
                    ufunc, value = accumulated[target]
                    ref = spec.arrays[target]
                    body.append(f"    np.{ufunc}.at({ref.array}, _j_{ref.index}, "
                                f"{render(value, 'numpy')})")
                else:
                    body.append(f"    {target} = {render(expr, 'numpy')}")
            body += _numpy_stores(spec, [(t, e) for t, e in spec.statements
                                         if t not in accumulated], all_elements)
            lines += ["    " + line for line in body] + ["        return 0"]
        # Otherwise rounds with distinct targets, so that every write accumulates as in a
        # sequential loop.
        lines.append(f"    for _idx in _unique_rounds(_idx, {', '.join(indexed)}):")
        lines.append("        _n, _elem = len(_idx), _idx")
        body = _numpy_loads(spec, _read(spec), all_elements)
        body += [f"    {t} = {render(e, 'numpy')}" for t, e in spec.statements]
        body += _numpy_stores(spec, spec.statements, all_elements)
        lines += ["    " + line for line in body]
        lines.append("    return 0")
        return lines
    lines += _numpy_loads(spec, _read(spec), all_elements)
    for target, expr in spec.statements:
        lines.append(f"    {target} = {render(expr, 'numpy')}")
    if spec.mode == "record":
        for r, expr in enumerate(spec.record):
            lines.append(f"    _buf_{r}[_col] = {render(expr, 'numpy')}")
    if spec.mode == "evaluate":
        # read-only, as a view the caller must not write through
        lines.append(f"    return np.broadcast_to({render(spec.condition, 'numpy')}, (_n,))")
        return lines
    if spec.mode == "summed":
        # In synapse order, as the Numba loop adds them (np.add.at is slower).
        lines.append(f"    _target[:] = np.bincount({spec.summed_index}, weights=_each("
                     f"{render(spec.condition, 'numpy')}, _n), minlength=_target.size)")
    lines += _numpy_stores(spec, spec.statements, all_elements)
    lines.append("    return 0")
    return lines


def kernel_source(spec: KernelSpec, flavor: str) -> str:
    """Python source of a kernel function named ``kernel``.

    Parameters
    ----------
    spec : KernelSpec
    flavor : {'numpy', 'numba'}
    """
    return _numpy_source(spec) if flavor == "numpy" else _numba_source(spec)

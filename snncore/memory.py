"""Memory estimates made before large allocations.

A group of 10**10 neurons, ``connect(p=1)`` between two groups of 200 000 or a monitor
recording every neuron of a large group over a long run would each ask numpy for more
memory than the machine has: a raw ``MemoryError`` after seconds of allocating, or worse,
a machine that swaps until it stops. Each of them estimates its size first and raises
:class:`~snncore.errors.InsufficientMemoryError`, naming the estimate, the memory
available and a way out.
"""

from __future__ import annotations

import numpy as np

from .errors import InsufficientMemoryError

#: The share of the available memory one allocation may take: the rest is left to the
#: copies numpy makes on the way and to the other programs of the machine.
SHARE = 0.8


def available() -> int:
    """Bytes of memory available to new allocations (psutil's estimate)."""
    import psutil  # here: importing it costs every process about 15 ms, few need it

    return int(psutil.virtual_memory().available)


def describe(nbytes: float) -> str:
    """``nbytes`` in the largest unit that keeps it at or above 1 (``'3.2 GB'``)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes:.0f} bytes"


def ensure_fits(nbytes: float, what: str, way_out: str) -> None:
    """Raise if ``nbytes`` (the estimate of ``what``) does not fit in the memory available.

    Parameters
    ----------
    nbytes : float
        The estimate, in bytes.
    what : str
        What needs it, as the start of a sentence (``"NeuronGroup 'g' of 10**10
        neurons"``).
    way_out : str
        What the user can change, as the end of a sentence.
    """
    free = available()
    if nbytes > SHARE * free:
        raise InsufficientMemoryError(
            f"{what} needs about {describe(nbytes)} of memory, and {describe(free)} is "
            f"available; {way_out}")


def held_arrays(*objects) -> dict[str, dict[str, int]]:
    """The numpy arrays each of ``objects`` holds, and their sizes in bytes.

    Everything reachable from an object's attributes is followed (containers, the
    engine's own helper objects: spike rings, CSR caches, bound kernels), except other
    groups: a Synapses object's ``source`` is counted with the source. An array is
    counted once, with the first object (in the order given) that reaches it, and a
    view counts as the array it views, so the totals add up to what the objects keep
    allocated between runs.

    Parameters
    ----------
    *objects
        Groups, Synapses, monitors.

    Returns
    -------
    dict
        ``{object name: {path: bytes}}``, the path naming where the array was found
        (``'_vars.w.array'``, ``'_csr_cache.pre[1]'``).
    """
    seen: set[int] = set()
    out: dict[str, dict[str, int]] = {}
    for obj in objects:
        found: dict[str, int] = {}
        _walk(obj, obj, "", found, seen, set())
        out[getattr(obj, "name", type(obj).__name__)] = found
    return out


def _walk(root, value, path: str, found: dict, seen: set, visited: set) -> None:
    if isinstance(value, np.ndarray):
        base = value
        while isinstance(base.base, np.ndarray):
            base = base.base
        if id(base) not in seen:
            seen.add(id(base))
            found[path] = base.nbytes
        return
    if id(value) in visited or value is None or isinstance(value, str | bytes | int | float):
        return
    visited.add(id(value))
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        items = ((f"{path}[{k}]", item) for k, item in enumerate(value))
    elif type(value).__module__.startswith("snncore") and (value is root or not (
            hasattr(value, "variable_ref") or hasattr(value, "objects"))):
        # The engine's own objects; another group's arrays are that group's, and a
        # network's are its objects'.
        attributes = getattr(value, "__dict__", None) or {
            name: getattr(value, name) for name in getattr(value, "__slots__", ())
            if hasattr(value, name)}
        items = ((f"{path}.{key}" if path else key, item) for key, item in attributes.items())
    else:
        return
    for sub, item in items:
        _walk(root, item, sub, found, seen, visited)

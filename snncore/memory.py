"""Memory estimates made before large allocations.

A group of 10**10 neurons, ``connect(p=1)`` between two groups of 200 000 or a monitor
recording every neuron of a large group over a long run would each ask numpy for more
memory than the machine has: a raw ``MemoryError`` after seconds of allocating, or worse,
a machine that swaps until it stops. Each of them estimates its size first and raises
:class:`~snncore.errors.InsufficientMemoryError`, naming the estimate, the memory
available and a way out.
"""

from __future__ import annotations

import psutil

from .errors import InsufficientMemoryError

#: The share of the available memory one allocation may take: the rest is left to the
#: copies numpy makes on the way and to the other programs of the machine.
SHARE = 0.8


def available() -> int:
    """Bytes of memory available to new allocations (psutil's estimate)."""
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

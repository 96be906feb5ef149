"""The implicit scope: every object created since the last ``start_scope()``.

Objects are held by strong references, so a ``Synapses`` built inside a helper function
and not kept still takes part in ``run()`` (Brian 2 silently drops such objects).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

_objects: list = []
_counters: dict[str, itertools.count] = defaultdict(itertools.count)
_generation = itertools.count()
current_generation = next(_generation)


def register(obj) -> None:
    """Add a newly created object to the current scope."""
    _objects.append(obj)


def objects() -> list:
    """The objects of the current scope, in creation order."""
    return list(_objects)


def unique_name(base: str) -> str:
    """``base``, ``base_1``, ``base_2``, ... as Brian 2 names its objects."""
    k = next(_counters[base])
    return base if k == 0 else f"{base}_{k}"


def start_scope() -> None:
    """Forget every object created so far: the next ``run()`` starts a new network at t=0."""
    global current_generation
    _objects.clear()
    current_generation = next(_generation)

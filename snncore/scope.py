"""Scopes and names of simulation objects, as Brian 2 keeps them.

Every object is stamped at creation with the key of the current scope; ``start_scope()``
starts a new key, so objects created before it no longer take part in ``run()`` even
while they are still visible. Which objects take part is decided by
:func:`snncore.network.collect`, from the names visible where ``run()`` is called.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

_counters: dict[str, itertools.count] = defaultdict(itertools.count)
_keys = itertools.count()
_creation = itertools.count()
current_key = next(_keys)


def register(obj) -> None:
    """Stamp a newly created object with the current scope; it has not run yet."""
    object.__setattr__(obj, "_scope_key", current_key)
    object.__setattr__(obj, "_creation_index", next(_creation))
    object.__setattr__(obj, "_network", None)
    object.__setattr__(obj, "active", True)


def unique_name(base: str) -> str:
    """``base``, ``base_1``, ``base_2``, ... as Brian 2 names its objects."""
    k = next(_counters[base])
    return base if k == 0 else f"{base}_{k}"


def start_scope() -> None:
    """Objects created from now on form a new scope; older ones are left out of ``run()``."""
    global current_key
    current_key = next(_keys)

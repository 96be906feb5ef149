"""Self-checks of the chapters: reference values and readable assertions.

References computed by Brian 2 live in ``book/_references/<name>.json``; the script that
makes them is ``tests/references/make_references.py``. Chapters run from ``book/`` (the
book build) or from ``_build/nbtest/book/`` (nbval), so the folder is found by walking up.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def reference(name: str) -> dict:
    """The stored reference values ``name`` (a JSON file in ``book/_references``)."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        path = folder / "book" / "_references" / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text())
        path = folder / "_references" / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text())
    raise FileNotFoundError(f"no reference '{name}' in book/_references above {here}; "
                            "run tests/references/make_references.py")


def assert_close(actual, expected, *, atol: float = 0.0, rtol: float = 1e-9,
                 what: str = "value") -> None:
    """Assert that arrays agree, naming what differs and by how much."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape} differs from the reference "
                             f"{expected.shape}")
    if not np.allclose(actual, expected, atol=atol, rtol=rtol):
        worst = np.max(np.abs(actual - expected))
        raise AssertionError(f"{what}: differs from the reference by up to {worst:.3g} "
                             f"(atol={atol:g}, rtol={rtol:g})")

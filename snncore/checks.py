"""Self-checks of the chapters: reference values and readable assertions.

References computed by Brian 2 live in ``book/_references/<name>.json``; the script that
makes them is ``tests/references/make_references.py``. Each chapter's checks live in
``book/_checks/<chapter>.py`` and run through :func:`verify`. Chapters run from ``book/``
(the book build), a folder below it, or ``_build/nbtest/book/`` (nbval), so both
folders are found by walking up.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np


def _book_path(*parts: str) -> Path | None:
    """``book/<parts>`` found by walking up from the working directory, or None."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        for path in (folder / "book" / Path(*parts), folder / Path(*parts)):
            if path.exists():
                return path
    return None


def reference(name: str) -> dict:
    """The stored reference values ``name`` (a JSON file in ``book/_references``)."""
    path = _book_path("_references", f"{name}.json")
    if path is None:
        raise FileNotFoundError(f"no reference '{name}' in book/_references above "
                                f"{Path.cwd()}; run tests/references/make_references.py")
    return json.loads(path.read_text())


def verify(chapter: str, namespace: dict):
    """Run the checks of ``book/_checks/<chapter>.py`` on a chapter's namespace.

    Returns the collapsed block "What this page verifies" (it renders in the book and in
    Jupyter); raises ``CheckFailed`` if a check fails. A chapter's last cell is
    ``verify('tutorial_synapses', globals())``.
    """
    path = _book_path("_checks", "__init__.py")
    if path is None:
        raise FileNotFoundError(f"no book/_checks above {Path.cwd()}")
    book = str(path.parent.parent)
    if book not in sys.path:
        sys.path.insert(0, book)
    checks = importlib.import_module("_checks")
    return checks.page(importlib.import_module(f"_checks.{chapter}"), namespace)


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

"""Run a chapter's code cells in-process, so tests can drive its widgets.

Each chapter keeps its interactive figures in variables named ``*_explorer``
(:class:`snncore.widgets.Explorer`); tests call ``explorer.update(...)`` with a changed
parameter and check that the figure's data changed accordingly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jupytext
import matplotlib
import pytest

import snncore

BOOK = Path(__file__).resolve().parents[2] / "book"
if str(BOOK) not in sys.path:
    sys.path.insert(0, str(BOOK))  # book/_checks: the chapters' checks, as `_checks.<chapter>`
_CACHE: dict[str, dict] = {}


def run_chapter(name: str) -> dict:
    """Execute the code cells of ``book/<name>.md`` (once per session); return the namespace."""
    if name not in _CACHE:
        matplotlib.use("Agg")
        from snncore.widgets import Explorer

        notebook = jupytext.read(BOOK / f"{name}.md")
        # A chapter starts in a fresh kernel: objects of chapters run before it in this
        # process must not join its run().
        snncore.start_scope()
        namespace: dict = {"__name__": f"chapter_{name}"}
        show = Explorer.show
        Explorer.show = lambda self: None  # no frontend in tests
        cwd = os.getcwd()
        os.chdir(BOOK)
        try:
            for cell in notebook.cells:
                if cell.cell_type == "code" and "raises-exception" not in \
                        cell.metadata.get("tags", []):
                    source = "\n".join(line for line in cell.source.splitlines()
                                       if not line.lstrip().startswith(("%", "!")))
                    exec(compile(source, f"{name}.md", "exec"), namespace)  # noqa: S102
        finally:
            os.chdir(cwd)
            Explorer.show = show
        _CACHE[name] = namespace
    return _CACHE[name]


@pytest.fixture
def chapter():
    """``chapter('tutorial-synapses')`` returns the executed chapter's namespace."""
    return run_chapter

"""Run the seed documents' Brian 2 cells (``tests/seed_cells/``) cell by cell, on either engine.

Each file of ``tests/seed_cells/`` is one seed document: ``# %% cell N: title`` lines
start its cells. :func:`run_document` runs the cells in order in one namespace, as a
notebook kernel would (for snncore with only the import lines changed, see
:mod:`compat.rewrite`), and returns for each cell the data of the monitors it created
(keyed as in :class:`compat.engines.Recorder`) and of the values its figure plots that
are not in a monitor (:data:`CHECKS`). Used by ``tests/references/ref_seed_cells.py``
(Brian 2) and ``tests/test_seed_cells.py`` (snncore), so both read the same numbers.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .engines import Recorder, brian2_overrides, quiet_matplotlib
from .rewrite import rewrite

FOLDER = Path(__file__).resolve().parents[1] / "seed_cells"
_MARK = re.compile(r"^# %% cell (\d+): (.*)$", re.MULTILINE)


@dataclass
class Cell:
    number: int
    title: str
    source: str


def documents() -> list[str]:
    """The seed documents, by file stem."""
    return sorted(p.stem for p in FOLDER.glob("*.py"))


def cells(document: str) -> list[Cell]:
    """The cells of one document, in order."""
    text = (FOLDER / f"{document}.py").read_text()
    marks = list(_MARK.finditer(text))
    ends = [m.start() for m in marks[1:]] + [len(text)]
    # Padding keeps each cell's line numbers those of the file, for tracebacks.
    return [Cell(int(m.group(1)), m.group(2),
                 "\n" * text.count("\n", 0, m.start()) + text[m.start():end])
            for m, end in zip(marks, ends)]


def _values(value) -> np.ndarray:
    return np.array(value[:] if hasattr(value, "__getitem__") else value, dtype=float)


#: Values plotted by a cell that no monitor holds: {document: {cell: {key: getter}}}.
CHECKS = {
    "brian2_tutorial_2_synapses": {
        2: {"S.w": lambda ns: ns["S"].w},
        3: {"S.delay": lambda ns: ns["S"].delay},
        **{n: {"S.i": lambda ns: ns["S"].i, "S.j": lambda ns: ns["S"].j}
           for n in (4, 6, 7, 8, 9)},
        10: {"S.w": lambda ns: ns["S"].w, "S.x_pre": lambda ns: ns["S"].x_pre,
             "S.x_post": lambda ns: ns["S"].x_post},
        11: {"W": lambda ns: ns["W"]},
        13: {"S.w": lambda ns: ns["S"].w,
             "H.tspike-G.tspike": lambda ns: _values(ns["H"].tspike) - _values(ns["G"].tspike)},
    },
    "neuro4ml_synapses_psp_stp": {5: {"FR": lambda ns: ns["FR"]}},
    "neuro4ml_stdp_inputs": {1: {"G.onset": lambda ns: ns["G"].onset}},
    "tsodyks_uziel_markram_2000_fig1": {
        1: {"net_activity": lambda ns: ns["net_activity"]}},
}


#: Cells whose monitors are not compared, only their CHECKS: the tuning-curve cell makes
#: 41 spike monitors of 10000 neurons, and what its figure shows is their mean counts, FR.
CHECKS_ONLY = {("neuro4ml_synapses_psp_stp", 5)}


@dataclass
class CellResult:
    data: dict[str, np.ndarray]
    error: str | None


def run_document(document: str, engine: str, seed: int | None = None,
                 only: set[int] | None = None) -> dict[int, CellResult]:
    """Run a document's cells on ``engine`` ('snncore' or 'brian2'), one namespace.

    Brian 2 runs under :func:`compat.engines.brian2_overrides` with ``seed``. A cell that
    raises is recorded with its error and the next cells still run. ``only`` limits the
    cells run (cell 0, the imports, always runs).
    """
    quiet_matplotlib()
    import matplotlib.pyplot as plt

    recorder = Recorder(engine)
    overrides = brian2_overrides(seed) if engine == "brian2" else contextlib.nullcontext()
    namespace: dict = {"__name__": "__main__"}
    results = {}
    path = str(FOLDER / f"{document}.py")
    with overrides, recorder.active():
        for cell in cells(document):
            if only is not None and cell.number and cell.number not in only:
                continue
            source = rewrite(cell.source) if engine == "snncore" else cell.source
            start, error = len(recorder.monitors), None
            try:
                exec(compile(source, path, "exec"), namespace)  # noqa: S102 - test data we wrote
            except Exception as exc:  # noqa: BLE001 - the error is the cell's result
                error = f"{type(exc).__name__}: {exc}"
            data, _ = recorder.collect(start)
            if (document, cell.number) in CHECKS_ONLY:
                data = {}
            del recorder.monitors[start:]  # keep no reference to old networks
            for key, getter in CHECKS.get(document, {}).get(cell.number, {}).items():
                try:
                    data[key] = _values(getter(namespace))
                except Exception as exc:  # noqa: BLE001
                    error = error or f"{key}: {type(exc).__name__}: {exc}"
            results[cell.number] = CellResult(data, error)
            plt.close("all")
    return results

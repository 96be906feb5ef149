"""Brian 2 references for the seed documents' own Brian 2 cells (``tests/seed_cells/``).

Each document runs cell by cell (``tests/compat/cells.py``) on Brian 2 (numpy target)
with the seeds in SEEDS (each ``seed(x)``/``np.random.seed(x)`` of a cell replaced by
one derived from the run's seed). A cell whose data are identical over the seeds is
deterministic: its arrays are stored (at most 2000 evenly spaced samples each). Otherwise
its summary statistics are stored for every seed, and snncore must fall within their
spread (the rule of ``tests/compat/compare.py``). ``tests/test_seed_cells.py`` reads them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compat.cells import documents, run_document  # noqa: E402
from compat.compare import sample, statistics  # noqa: E402
from compat.oracle import SEEDS  # noqa: E402


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def _document(document: str) -> dict:
    runs = []
    for seed in SEEDS:
        results = run_document(document, "brian2", seed)
        print(f"{document}: seed {seed} done", file=sys.stderr, flush=True)
        errors = {n: r.error for n, r in results.items() if r.error}
        if errors:
            raise RuntimeError(f"{document}: Brian 2 fails in cells {errors}")
        runs.append(results)
    cells = {}
    for number, first in runs[0].items():
        stochastic = not all(_same(first.data, run[number].data) for run in runs[1:])
        entry = {"stochastic": stochastic}
        if stochastic:
            entry["statistics"] = [statistics(run[number].data) for run in runs]
        else:
            entry["arrays"] = sample(first.data)
        cells[str(number)] = entry
    return {"cells": cells}


def compute() -> dict:
    import brian2

    brian2.BrianLogger.log_level_error()
    logging.getLogger("brian2").setLevel(logging.ERROR)
    return {"seeds": list(SEEDS), "brian2": brian2.__version__,
            "documents": {d: _document(d) for d in documents()}}

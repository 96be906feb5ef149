"""The seed documents' own Brian 2 cells run on snncore with only the import changed,
and agree with Brian 2.

The cells are in ``tests/seed_cells/`` (one file per seed document); each document runs
once, cell by cell, in one namespace (``tests/compat/cells.py``). Every cell must run
without error and match Brian 2's numbers in ``book/_references/seed_cells.json``
(written by ``tests/references/ref_seed_cells.py``): its monitors and the values its
figure plots, to 1e-6 relative when Brian 2's result does not depend on the seed, and
within Brian 2's spread over seeds when it does (``tests/compat/compare.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compat.cells import run_document
from compat.compare import compare_sampled, statistics, within_spread

import snncore

REFERENCE = Path(__file__).resolve().parents[1] / "book" / "_references" / "seed_cells.json"
_REFERENCES = json.loads(REFERENCE.read_text())["documents"] if REFERENCE.exists() else {}
_RESULTS: dict = {}

#: Cells that need an engine feature not there yet: (document, cell) -> feature.
NEEDS: dict[tuple[str, int], str] = {}


def _results(document: str) -> dict:
    if document not in _RESULTS:
        snncore.start_scope()
        _RESULTS[document] = run_document(document, "snncore")
    return _RESULTS[document]


def _cases():
    for document, entry in sorted(_REFERENCES.items()):
        for number in sorted(entry["cells"], key=int):
            marks = []
            need = NEEDS.get((document, int(number)))
            if need:
                marks.append(pytest.mark.xfail(strict=True, reason=f"needs {need}"))
            yield pytest.param(document, number, marks=marks, id=f"{document}-cell{number}")


@pytest.mark.skipif(not _REFERENCES, reason=f"{REFERENCE} is missing: run "
                    "tests/references/make_references.py seed_cells")
@pytest.mark.parametrize(("document", "number"), list(_cases()))
def test_seed_cell_agrees_with_brian2(document, number):
    result = _results(document)[int(number)]
    assert result.error is None, f"cell {number} fails on snncore: {result.error}"
    reference = _REFERENCES[document]["cells"][number]
    if reference["stochastic"]:
        ours = statistics(result.data)
        assert ours.keys() == reference["statistics"][0].keys(), \
            f"cell {number} records {sorted(ours)}, Brian 2 {sorted(reference['statistics'][0])}"
        problem = within_spread(ours, reference["statistics"])
    else:
        problem = compare_sampled(result.data, reference["arrays"])
    assert problem is None, f"cell {number} differs from Brian 2: {problem}"

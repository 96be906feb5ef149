"""Re-run latency of every chapter widget after a parameter change (numba backend).

    python benchmarks/widget_latency.py [chapter ...]

Each chapter with an Explorer is executed in-process (the others are skipped: they
have nothing to measure, and some, such as a sweep on worker processes, need a kernel
of their own); for every ``*_explorer`` the model is re-run with
each slider moved in turn (20 changes), timing the model alone and the full update
(model and redraw). Medians are reported, with the kernels and loops compiled during
the re-runs (none: parameters are arguments, and a rebuilt network runs the compiled
loop). Targets: a model re-run under 50 ms, 150 ms for an Explorer with a Run button.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "chapters"))

from conftest import run_chapter  # noqa: E402

from snncore.backends.numba_backend import compile_count  # noqa: E402
from snncore.widgets import Explorer  # noqa: E402


def _changes(explorer, count: int = 20):
    """Parameter sets that move one slider at a time within its range."""
    names = list(explorer.sliders)
    for k in range(count):
        slider = explorer.sliders[names[k % len(names)]]
        frac = (k // len(names) + 1) / (count // len(names) + 2)
        value = slider.low + frac * (slider.high - slider.low)
        yield {names[k % len(names)]: value * slider.scale}


def main(only: list[str] | None = None) -> dict:
    """Measure every Explorer of the book (or of the chapters named in ``only``)."""
    results = {}
    book = ROOT / "book"
    for path in sorted(book.rglob("*.md")):
        chapter = path.relative_to(book).with_suffix("").as_posix()
        if (only and chapter not in only) or "Explorer(" not in path.read_text():
            continue
        try:
            namespace = run_chapter(chapter)
        except Exception as error:  # noqa: BLE001 - reported; the other chapters go on
            print(f"{chapter}: not measured, the chapter failed in-process: "
                  f"{type(error).__name__}: {str(error)[:200]}")
            continue
        for name, obj in namespace.items():
            if not (name.endswith("_explorer") and isinstance(obj, Explorer)):
                continue
            defaults = dict(obj.values)
            model_times, update_times = [], []
            compiled = compile_count()
            for change in _changes(obj):
                params = {**defaults, **change}
                t0 = time.perf_counter()
                obj.model(**params)
                model_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                obj.update(**change)
                update_times.append(time.perf_counter() - t0)
            compiled = compile_count() - compiled
            obj.update(**defaults)
            key = f"{chapter}:{name}"
            target = 150 if obj.run_button else 50
            model_ms = 1e3 * statistics.median(model_times)
            results[key] = {"model_ms": model_ms,
                            "update_ms": 1e3 * statistics.median(update_times),
                            "model_max_ms": 1e3 * float(np.max(model_times)),
                            "compiled": compiled, "target_ms": target,
                            "met": model_ms < target and compiled == 0}
            print(f"{key:55s} model {model_ms:7.1f} ms   "
                  f"update {results[key]['update_ms']:7.1f} ms   compiled {compiled}   "
                  f"target {target} ms {'met' if results[key]['met'] else 'MISSED'}")
    return results


if __name__ == "__main__":
    # the last line: the numbers, for make bench's results.json
    print(json.dumps(main(sys.argv[1:])))

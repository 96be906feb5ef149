"""Re-run latency of every chapter widget after a parameter change (numba backend).

    python benchmarks/widget_latency.py

Each chapter is executed in-process; for every ``*_explorer`` the model is re-run with
each slider moved in turn (20 changes), timing the model alone and the full update
(model and redraw). Medians are reported; the target is a model re-run under 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "chapters"))

from conftest import run_chapter  # noqa: E402

from snncore.widgets import Explorer  # noqa: E402


def _changes(explorer, count: int = 20):
    """Parameter sets that move one slider at a time within its range."""
    names = list(explorer.sliders)
    for k in range(count):
        slider = explorer.sliders[names[k % len(names)]]
        frac = (k // len(names) + 1) / (count // len(names) + 2)
        value = slider.low + frac * (slider.high - slider.low)
        yield {names[k % len(names)]: value * slider.scale}


def main() -> dict:
    results = {}
    book = ROOT / "book"
    for path in sorted(book.rglob("*.md")):
        chapter = path.relative_to(book).with_suffix("").as_posix()
        try:
            namespace = run_chapter(chapter)
        except (SyntaxError, ValueError):
            continue
        for name, obj in namespace.items():
            if not (name.endswith("_explorer") and isinstance(obj, Explorer)):
                continue
            defaults = dict(obj.values)
            model_times, update_times = [], []
            for change in _changes(obj):
                params = {**defaults, **change}
                t0 = time.perf_counter()
                obj.model(**params)
                model_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                obj.update(**change)
                update_times.append(time.perf_counter() - t0)
            obj.update(**defaults)
            key = f"{chapter}:{name}"
            results[key] = {"model_ms": 1e3 * statistics.median(model_times),
                            "update_ms": 1e3 * statistics.median(update_times),
                            "model_max_ms": 1e3 * float(np.max(model_times))}
            print(f"{key:55s} model {results[key]['model_ms']:7.1f} ms   "
                  f"update {results[key]['update_ms']:7.1f} ms")
    return results


if __name__ == "__main__":
    main()

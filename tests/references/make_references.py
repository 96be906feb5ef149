"""Regenerate the Brian 2 reference values that the chapters check themselves against.

    .venv/bin/python tests/references/make_references.py [name ...]

Each ``ref_<name>.py`` in this folder defines ``compute() -> dict``; the result is
written to ``book/_references/<name>.json``. Brian 2 runs with its numpy target.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "book" / "_references"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(HERE.glob("ref_*.py")):
        name = path.stem[4:]
        if names and name not in names:
            continue
        values = _load(path).compute()
        (OUT / f"{name}.json").write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
        print(f"wrote {OUT / f'{name}.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])

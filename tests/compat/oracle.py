"""Brian 2's results for each script, over several seeds, cached on disk.

A script is first run with two seeds (see :mod:`driver` for how a seed overrides the
script's own ``seed()`` calls). If every monitor array is identical in the two runs the
script is deterministic; otherwise it is stochastic and runs with ``N_STOCHASTIC`` seeds
in all. Each run is cached in ``_build/compat/brian2/`` under a key made of the
script's content, the brian2 version, the driver's format version and the seed, so that
re-runs only run snncore. A deterministic script that snncore does not match also runs
once on Brian 2's cython target (:func:`second_opinion`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .execute import ROOT, run_script

CACHE = ROOT / "_build" / "compat" / "brian2"
SEEDS = (101, 202, 303, 404)
N_STOCHASTIC = 4
#: Bump when the driver's output changes, so that old cache entries are not reused.
FORMAT = 1


def _brian2_version() -> str:
    from importlib.metadata import version

    return version("brian2")


def cache_path(script: Path, rel: str, seed: int, codegen: str = "numpy") -> Path:
    # The numpy target's key is unchanged from before the cython second opinion existed.
    target = "" if codegen == "numpy" else f"{codegen}\0"
    key = hashlib.sha256(f"{FORMAT}\0{_brian2_version()}\0{target}{seed}\0".encode()
                         + script.read_bytes()).hexdigest()[:12]
    suffix = "" if codegen == "numpy" else f"-{codegen}"
    return CACHE / f"{rel.replace('/', '__')[:-3]}-{key}-seed{seed}{suffix}"


def _run_cached(script: Path, rel: str, seed: int, timeout: float, cached_only: bool,
                codegen: str = "numpy") -> dict:
    out = cache_path(script, rel, seed, codegen)
    summary_file = out.with_suffix(".json")
    if summary_file.exists():
        summary = json.loads(summary_file.read_text())
        # A timeout is retried only with a longer timeout.
        if summary["outcome"] != "timeout" or summary["timeout"] >= timeout or cached_only:
            return summary | {"path": str(out)}
    if cached_only:
        return {"outcome": "missing", "error": "not run yet", "wall": None, "monitors": []}
    return run_script(script, "brian2", out, timeout, seed, codegen) | {"path": str(out)}


def load(summary: dict) -> dict[str, np.ndarray]:
    with np.load(Path(summary["path"]).with_suffix(".npz")) as data:
        return dict(data)


def identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    """Same monitors, same arrays, exactly (NaN equal to NaN)."""
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def oracle(script: Path, rel: str, timeout: float, cached_only: bool = False) -> dict:
    """Brian 2's runs of ``script``: ``{"runs": [summary, ...], "stochastic": bool,
    "codegen": target}``.

    ``runs`` holds only the first run when that one did not finish. With
    ``cached_only``, nothing runs: a run not in the cache is reported as ``missing``.
    Brian 2's numpy target is the reference; where it does not finish within the time
    limit, Brian 2's cython target (the same model, compiled) takes its place.
    """
    numpy = _oracle(script, rel, timeout, cached_only, "numpy")
    if numpy["runs"][0]["outcome"] != "timeout":
        return numpy
    cython = _oracle(script, rel, timeout, cached_only, "cython")
    return cython if cython["stochastic"] is not None else numpy


def _oracle(script: Path, rel: str, timeout: float, cached_only: bool, codegen: str) -> dict:
    first = _run_cached(script, rel, SEEDS[0], timeout, cached_only, codegen)
    if first["outcome"] != "ran":
        return {"runs": [first], "stochastic": None, "codegen": codegen}
    second = _run_cached(script, rel, SEEDS[1], timeout, cached_only, codegen)
    runs = [first, second]
    if second["outcome"] != "ran":
        return {"runs": runs, "stochastic": None, "codegen": codegen}
    stochastic = not identical(load(first), load(second))
    if stochastic:
        for seed in SEEDS[2:N_STOCHASTIC]:
            runs.append(_run_cached(script, rel, seed, timeout, cached_only, codegen))
    return {"runs": [r for r in runs if r["outcome"] == "ran"], "stochastic": stochastic,
            "codegen": codegen}


def second_opinion(script: Path, rel: str, timeout: float, cached_only: bool = False) -> dict:
    """Brian 2's run of a deterministic script on its cython target (first seed).

    Asked for only when snncore differs from Brian 2's numpy run: where Brian 2's two
    targets differ from each other too (a chaotic model amplifies the last bit of a
    different order of operations), the numpy run is not a reference to 1e-6.
    """
    return _run_cached(script, rel, SEEDS[0], timeout, cached_only, "cython")

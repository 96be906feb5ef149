"""Typical Brian 2 user scripts (tests/brian2_user_scripts/) run unchanged on snncore.

Each script is complete Brian 2 code of the kind found in Brian 2's user guide and in
users' questions, none taken from Brian 2's examples or the seed documents. The test runs
it twice in-process: on Brian 2 (numpy target) as written, and on snncore with only the
import line changed. Everything the script leaves in its variables is compared: monitors
(recorded traces, spikes, rates), arrays, numbers and dicts of them, to 1e-6 relative.

A script whose second line is ``# stochastic`` leaves a dict ``stats`` of scalar
statistics; those are compared with Brian 2's spread over a few seeds instead.

Brian 2's ``G.v[:]`` and ``M.t[:]`` are views that change as the simulation goes on, so
the scripts copy what they keep from before a later run (snncore hands out copies).
Every script runs on the numpy backend, a few also on numba (compile time).
"""

from __future__ import annotations

import functools
import numbers
from pathlib import Path

import numpy as np
import pytest

import snncore

SCRIPTS = Path(__file__).parent / "brian2_user_scripts"
BRIAN2_SEEDS = (1, 2, 3)
#: Scripts also run on the numba backend (its compile time keeps the rest to numpy).
NUMBA_SCRIPTS = ("get_set_states", "store_restore_file", "group_state_access", "dt_changes")

def _cases() -> list:
    paths = sorted(SCRIPTS.glob("*.py"))
    return [_case(path, "numpy") for path in paths] + \
        [_case(path, "numba") for path in paths if path.stem in NUMBA_SCRIPTS]


def _case(path: Path, backend: str):
    return pytest.param(path, backend, id=f"{backend}-{path.stem}")


def _is_stochastic(source: str) -> bool:
    return source.splitlines()[1].strip() == "# stochastic"


def _execute(source: str, namespace: dict, path: Path) -> dict:
    # The scripts are this project's own test data.
    exec(compile(source, str(path), "exec"), namespace)  # checked: fixed test files
    return namespace


def _user_values(namespace: dict, baseline: set) -> dict:
    """The values a script bound, as plain data (monitors become dicts of arrays)."""
    values = {}
    for name, value in namespace.items():
        if name.startswith("_") or name in baseline or callable(value) \
                and not _monitor_kind(value):
            continue
        data = _plain(value)
        if data is not None:
            values[name] = data
    return values


def _monitor_kind(value) -> str | None:
    kind = type(value).__name__
    return kind if kind in ("StateMonitor", "SpikeMonitor", "PopulationRateMonitor",
                            "EventMonitor") else None


def _plain(value):
    kind = _monitor_kind(value)
    if kind == "StateMonitor":
        data = {var: np.asarray(getattr(value, var)) for var in value.record_variables}
        return {"t": np.asarray(value.t), **data}
    if kind in ("SpikeMonitor", "EventMonitor"):
        return {"i": np.asarray(value.i), "t": np.asarray(value.t),
                "count": np.asarray(value.count)}
    if kind == "PopulationRateMonitor":
        return {"t": np.asarray(value.t), "rate": np.asarray(value.rate)}
    if isinstance(value, dict):
        items = {k: _plain(v) for k, v in value.items()}
        return items if all(v is not None for v in items.values()) else None
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return items if all(v is not None for v in items) else None
    if isinstance(value, str):
        return None  # paths, names: not results
    if isinstance(value, (numbers.Number, np.ndarray, np.number)) \
            or hasattr(value, "__array__"):  # Brian 2's variable views
        array = np.asarray(value)
        return array.astype(float) if array.dtype.kind in "biuf" else None
    return None


def _compare(ours, theirs, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert sorted(ours) == sorted(theirs), f"{where}: keys {sorted(ours)}"
        for key in theirs:
            _compare(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for k, (a, b) in enumerate(zip(ours, theirs)):
            _compare(a, b, f"{where}[{k}]")
    else:
        ours = np.asarray(ours, dtype=float)
        assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} != {theirs.shape}"
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12, err_msg=where)


@pytest.fixture(scope="module")
def brian2():
    brian2 = pytest.importorskip("brian2")
    brian2.prefs.codegen.target = "numpy"
    brian2.BrianLogger.log_level_error()
    return brian2


@functools.cache
def _baseline(module_name: str) -> set:
    namespace: dict = {}
    exec(f"from {module_name} import *", namespace)  # checked: a fixed import statement
    return set(namespace)


_BRIAN2_RESULTS: dict = {}


def _run_brian2(brian2, source: str, path: Path, seed: int) -> dict:
    # Both snncore backends compare against the same Brian 2 run.
    if (path, seed) not in _BRIAN2_RESULTS:
        _BRIAN2_RESULTS[path, seed] = _brian2_values(brian2, source, path, seed)
    return _BRIAN2_RESULTS[path, seed]


def _brian2_values(brian2, source: str, path: Path, seed: int) -> dict:
    brian2.start_scope()
    brian2.defaultclock.dt = 0.1 * brian2.ms
    brian2.seed(seed)
    try:
        return _user_values(_execute(source, {}, path), _baseline("brian2"))
    finally:
        brian2.defaultclock.dt = 0.1 * brian2.ms


def _run_snncore(source: str, path: Path) -> dict:
    source = source.replace("from brian2 import *", "from snncore import *")
    snncore.seed(2024)
    return _user_values(_execute(source, {}, path), _baseline("snncore"))


@pytest.mark.parametrize(("path", "backend"), _cases())
def test_script_agrees_with_brian2(path, backend, brian2):
    snncore.set_backend(backend)
    source = path.read_text()
    ours = _run_snncore(source, path)
    if _is_stochastic(source):
        samples = [_run_brian2(brian2, source, path, s)["stats"] for s in BRIAN2_SEEDS]
        for key, value in ours["stats"].items():
            theirs = np.array([float(sample[key]) for sample in samples])
            # A few seeds estimate Brian 2's spread roughly: 5 of their standard
            # deviations, and never less than 8% of the mean.
            spread = max(5 * theirs.std(), 0.08 * abs(theirs.mean()), 1e-9)
            assert abs(float(value) - theirs.mean()) <= spread, \
                f"{key}: {float(value)} vs Brian 2's {theirs}"
    else:
        theirs = _run_brian2(brian2, source, path, BRIAN2_SEEDS[0])
        assert sorted(ours) == sorted(theirs)
        for name in theirs:
            _compare(ours[name], theirs[name], name)

"""Where a first run's time goes: Numba compiling, loading from the disk cache, the rest.

    python benchmarks/compile_time.py [--quick] [--only tsodyks2000,cuba]

Each model of ``bench_models.py`` (and the STP figure model) is built and run in a fresh
process with an empty kernel cache (``SNNCORE_CACHE_DIR`` a new folder), then again in a
second process on the filled cache. ``Dispatcher.compile`` is wrapped in the child, so
each compiled function's own time (its callees' compiles subtracted) and each load
from the disk cache are attributed to a name: ``loop`` (a network's fused loop),
``kernel`` (a generated kernel) or the helper's name. Model sizes are the ``--quick``
ones: compiling does not depend on the number of neurons. Times are CPU seconds of the
child (``time.process_time``), so other processes on the machine change them little.

Numba sets itself up (its typing and target contexts, the runtime) during the first
compile of a process, about 0.7 s whatever is compiled: the child compiles a trivial
function first and reports that as ``numba_setup_s``, apart from the model's
``compile_s`` (it is part of the fixed cost of a process, ``fixed_cost.py``).

The last line printed holds the numbers as JSON (``make bench`` keeps them).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _instrument() -> dict:
    """Wrap Numba's ``Dispatcher.compile`` to time every compile and cache load."""
    from numba.core.dispatcher import Dispatcher

    record = {"compile": defaultdict(float), "load": defaultdict(float),
              "compiled": defaultdict(int), "loaded": defaultdict(int)}
    stack: list[float] = []  # callees' time inside each open compile
    original = Dispatcher.compile

    def compile(self, sig):
        misses = sum(self._cache_misses.values())
        hits = sum(self._cache_hits.values())
        known = len(self.overloads)
        stack.append(0.0)
        began = time.process_time()
        try:
            return original(self, sig)
        finally:
            total = time.process_time() - began
            inner = stack.pop()
            if stack:
                stack[-1] += total
            name = self.py_func.__name__
            if sum(self._cache_misses.values()) > misses:
                record["compile"][name] += total - inner
                record["compiled"][name] += 1
            elif sum(self._cache_hits.values()) > hits or len(self.overloads) > known:
                record["load"][name] += total - inner
                record["loaded"][name] += 1

    Dispatcher.compile = compile
    return record


def _numba_setup() -> float:
    """CPU seconds of compiling a trivial function, the first compile of the process."""
    from numba import njit

    began = time.process_time()
    njit(lambda x: x + 1.0)(1.0)
    return time.process_time() - began


def child(model: str, quick: bool) -> dict:
    record = _instrument()
    import snncore

    setup = _numba_setup()
    record["compile"].clear()
    record["compiled"].clear()

    sys.path.insert(0, str(HERE))
    import bench_models as models

    snncore.set_backend("numba")
    imported = time.perf_counter() - T_START
    t0 = time.perf_counter()
    if model == "stp_model":
        models.stp_model(snncore, U=0.45, tau_f=0.050, tau_d=0.750)
    else:
        spec = models.MODELS[model][0](snncore, quick)
        net = snncore.Network(*spec.objects)
        for k, duration in enumerate(spec.runs):
            if spec.before is not None:
                spec.before(k)
            net.run(duration)
    total = time.perf_counter() - t0
    return {"import_s": imported, "build_and_run_s": total, "numba_setup_s": setup,
            "compile_s": sum(record["compile"].values()),
            "load_s": sum(record["load"].values()),
            "compiled": dict(record["compiled"]), "loaded": sum(record["loaded"].values()),
            "compile_by_name": {k: round(v, 4) for k, v in sorted(
                record["compile"].items(), key=lambda kv: -kv[1])}}


def _run_child(model: str, quick: bool, cache: str) -> dict:
    env = dict(os.environ, SNNCORE_CACHE_DIR=cache, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, __file__, "--child", model]
                          + (["--quick"] if quick else []), env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if not lines:
        return {"ok": False, "error": proc.stderr.strip()[-1500:]}
    return {"ok": True, **json.loads(lines[-1][len("RESULT "):])}


def main(argv: list[str]) -> dict:
    quick = "--quick" in argv  # sizes are always the quick ones; this skips the warm run
    only = next((argv[k + 1].split(",") for k, a in enumerate(argv) if a == "--only"), None)
    sys.path.insert(0, str(HERE))
    import bench_models as models

    names = [m for m in [*models.MODELS, "stp_model"] if not only or m in only]
    results = {}
    for model in names:
        with tempfile.TemporaryDirectory() as cache:
            first = _run_child(model, True, cache)
            warm = None if quick else _run_child(model, True, cache)
        results[model] = {"first": first, "warm": warm, "loadavg": os.getloadavg()[0]}
        if not first["ok"]:
            print(f"{model:16s} FAILED: {first['error'].splitlines()[-1]}")
            continue
        top = ", ".join(f"{k} {v:.2f}" for k, v in list(first["compile_by_name"].items())[:4])
        print(f"{model:16s} first: compile {first['compile_s']:5.2f} s (Numba's set-up "
              f"{first['numba_setup_s']:.2f} s apart), run() "
              f"{first['build_and_run_s']:5.2f} s ({top})"
              + (f"; warm: load {warm['load_s']:.2f} s, run() {warm['build_and_run_s']:.2f} s"
                 if warm and warm["ok"] else ""))
    return results


if __name__ == "__main__":
    if "--child" in sys.argv:
        out = child(sys.argv[sys.argv.index("--child") + 1], "--quick" in sys.argv)
        print("RESULT " + json.dumps(out), flush=True)
    else:
        numbers = main(sys.argv[1:])
        print(json.dumps({model: {
            "compile_s": row["first"].get("compile_s"),
            "numba_setup_s": row["first"].get("numba_setup_s"),
            "compile_by_name": row["first"].get("compile_by_name"),
            "warm_load_s": (row["warm"] or {}).get("load_s"),
            "loadavg": row["loadavg"]} for model, row in numbers.items()}))

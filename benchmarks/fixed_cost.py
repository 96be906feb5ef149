"""The fixed cost of a process: importing, Numba's first-call set-up, snncore's share.

    python benchmarks/fixed_cost.py [--repeat 5]

Each measurement is a fresh process (medians over ``--repeat``), with Python's bytecode
and the kernel cache already written by a first process:

* ``import_numpy``, ``import_numba`` (after numpy), ``import_snncore`` (after both);
* ``numba_first_call``: the first call of a trivial ``@njit(cache=True)`` function loaded
  from Numba's cache (Numba's set-up of its compiler target and runtime);
* ``snncore_first_run``: the first ``run()`` of a one-neuron model with a spike monitor,
  its kernels and loop loaded from snncore's cache (with Numba's set-up in it);
* ``snncore_second_run``: the same ``run()`` again in that process.

snncore's own share is ``import_snncore`` plus ``snncore_first_run`` less
``numba_first_call`` less ``snncore_second_run``; the floor is what numpy and Numba take.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORTS = """
import time
t0 = time.perf_counter(); import numpy
t1 = time.perf_counter(); import numba
t2 = time.perf_counter(); import snncore
t3 = time.perf_counter()
heavy = [m for m in ('scipy', 'matplotlib', 'pandas', 'dask', 'xarray', 'ipywidgets',
                     'IPython', 'coverage', 'yaml') if m in sys.modules]
out = {'import_numpy': t1 - t0, 'import_numba': t2 - t1, 'import_snncore': t3 - t2,
       'modules_after_import': heavy}
"""

NUMBA_CALL = """
import time
import numba
from numba import njit
sys.path.insert(0, sys.argv[1])
import trivial
t0 = time.perf_counter(); trivial.f(1.0)
out = {'numba_first_call': time.perf_counter() - t0}
"""

TRIVIAL = """
from numba import njit
@njit(cache=True)
def f(x):
    return x + 1.0
"""

SMALL_RUN = """
import time
from snncore import *
set_backend('numba')
G = NeuronGroup(1, 'dv/dt = (2 - v)/(10*ms) : 1', threshold='v > 1', reset='v = 0',
                method='exact')
M = SpikeMonitor(G)
t0 = time.perf_counter(); run(20*ms); t1 = time.perf_counter(); run(20*ms)
t2 = time.perf_counter()
out = {'snncore_first_run': t1 - t0, 'snncore_second_run': t2 - t1}
"""


def _child(code: str, env: dict, *args: str) -> dict:
    script = "import json, sys\n" + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    proc = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> dict:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    with tempfile.TemporaryDirectory() as folder:
        # Bytecode is written (also where PYTHONDONTWRITEBYTECODE is set elsewhere): a
        # reader's second process has it.
        env = dict(os.environ, SNNCORE_CACHE_DIR=folder, MPLBACKEND="Agg")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        trivial = Path(folder) / "trivial.py"
        trivial.write_text(TRIVIAL)
        samples: dict[str, list] = {}
        for k in range(repeat + 1):  # the first round fills the caches
            for code, args in ((IMPORTS, ()), (NUMBA_CALL, (folder,)),
                               (SMALL_RUN, ())):
                for key, value in _child(code, env, *args).items():
                    if k:
                        samples.setdefault(key, []).append(value)
    out = {key: (statistics.median(values) if isinstance(values[0], float) else values[0])
           for key, values in samples.items()}
    out["snncore_share"] = (out["import_snncore"] + out["snncore_first_run"]
                            - out["numba_first_call"] - out["snncore_second_run"])
    out["floor"] = out["import_numpy"] + out["import_numba"] + out["numba_first_call"]
    out["loadavg"] = os.getloadavg()[0]
    for key, value in out.items():
        unit = "" if key == "loadavg" else " s"
        print(f"{key:24s} {value:.3f}{unit}" if isinstance(value, float) else
              f"{key:24s} {value}")
    return out


if __name__ == "__main__":
    # the last line: the numbers, for make bench's results.json
    print(json.dumps(main(sys.argv[1:])))

"""Per-run overhead: the correlated-groups input of the chapter ``stdp-inputs``, run in
~100 segments versus one continuous run of the same length.

    python benchmarks/segments.py [--duration 2.0] [--repeats 3]

The model is the chapter's (1000 neurons, rates redrawn every ~20 ms by running the
network in segments, 2000 ms in all). The segmented run redraws ``a`` and ``y`` before
each ``run(interval)``, exactly as the chapter does; the continuous run sets them once
and calls ``run(2000*ms)`` once. Both simulate the same number of steps, so the ratio
measures what ~100 calls of ``run()`` (and the variable writes between them) cost on
top of the simulation. Each measurement runs in a fresh process (``subprocess``), after
one short warm-up run of the same network in that process, so that kernel compilation
or cache loading is not counted. Target: segmented <= 1.5x continuous.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, sys, time
import numpy as np
from snncore import *

backend, mode, duration = sys.argv[1], sys.argv[2], float(sys.argv[3])
start_scope()
seed(2000)
rng = np.random.default_rng(2000)
N, c, tau_c, sigma = 1000, 0.5, 20*ms, 0.3*sqrt(2)
sys.path.insert(0, sys.argv[4])
from bench_models import CORRELATED_EQS
G = NeuronGroup(N, CORRELATED_EQS, threshold='rand()<rate*dt')
M = SpikeMonitor(G)
net = Network(G, M, backend=backend)
net.run(1*ms)  # warm-up: compile or load the kernels
dt = defaultclock.dt
start = net.t
end = start + duration
runs = 0
t0 = time.perf_counter()
if mode == 'segmented':
    while net.t < end - dt/2:
        interval = np.round(rng.exponential(tau_c)/dt)*dt
        G.a = rng.standard_normal(N)
        G.y = rng.standard_normal()
        net.run(min(interval, end - net.t))
        runs += 1
else:
    G.a = rng.standard_normal(N)
    G.y = rng.standard_normal()
    net.run(duration)
    runs = 1
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "runs": runs,
                  "steps": int(round((net.t - start)/dt)), "spikes": int(len(M.t))}))
'''


def measure(backend: str, mode: str, duration: float) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, backend, mode, str(duration),
                          str(ROOT / "benchmarks")],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=2.0, help="seconds (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per case")
    args = parser.parse_args()
    results = {}
    for backend in ("numba", "numpy"):
        row = {}
        for mode in ("continuous", "segmented"):
            runs = [measure(backend, mode, args.duration) for _ in range(args.repeats)]
            row[mode] = {"seconds": statistics.median(r["seconds"] for r in runs),
                         "runs": runs[0]["runs"], "steps": runs[0]["steps"]}
        assert row["continuous"]["steps"] == row["segmented"]["steps"]
        ratio = row["segmented"]["seconds"] / row["continuous"]["seconds"]
        per_run = ((row["segmented"]["seconds"] - row["continuous"]["seconds"])
                   / max(row["segmented"]["runs"] - 1, 1))
        row["ratio"], row["overhead_per_run_ms"] = ratio, 1e3 * per_run
        results[backend] = row
        print(f"{backend:6s} continuous {row['continuous']['seconds']:.3f} s (1 run), "
              f"segmented {row['segmented']['seconds']:.3f} s "
              f"({row['segmented']['runs']} runs), ratio {ratio:.2f} "
              f"({'meets' if ratio <= 1.5 else 'misses'} the 1.5x target), "
              f"~{1e3 * per_run:.2f} ms extra per run; "
              f"{row['continuous']['steps']} steps, median of {args.repeats}")
    return results


if __name__ == "__main__":
    main()

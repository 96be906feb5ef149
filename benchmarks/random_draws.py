"""Cost of snncore's counter-based random numbers (Philox4x32-10) on the Numba backend.

    python benchmarks/random_draws.py [--repeats 5]

The numbers are CPU time of this (single-threaded) process, the best of ``--repeats``:
on a shared machine the wall clock also counts the other processes' turns.

- ``uniform_ns`` and ``normal_ns``: one uniform and one standard normal number as a
  kernel's loop gets them, drawn for 100 000 elements before the loop (the vectorised
  fill of ``snncore.philox``), and ``*_scalar_ns`` one at a time (the draws of synapses
  that received a spike);
- ``noisy_step_ns``: one neuron-step of a noisy LIF group (4000 neurons,
  ``dv/dt = (mu - v)/tau + sigma*xi/sqrt(tau)``, Euler-Maruyama, threshold and reset,
  1 s at dt = 0.1 ms, in the fused loop), and ``quiet_step_ns`` the same model without
  its noise term, so the difference is the cost of the noise.

Prints one line per number and a JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import snncore  # noqa: E402
from snncore import philox  # noqa: E402

N_DRAWS = 100_000
KEY = (np.uint64(0x12345), np.uint64(0x6789A), np.uint64(3))


@njit
def _scalar(kind, k0, k1, stream, step, n):
    total = 0.0
    for e in range(n):
        total += philox.uniform(k0, k1, stream, step, 0, e) if kind == 0 else \
            philox.normal(k0, k1, stream, step, 0, e)
    return total


def _best(func, repeats: int, per: int) -> float:
    func(0)  # compile or load
    best = float("inf")
    for _ in range(repeats):
        began = time.process_time()
        for step in range(20):
            func(step)
        best = min(best, (time.process_time() - began) / 20)
    return best / per * 1e9


def draws(repeats: int) -> dict:
    return {
        "uniform_ns": _best(lambda s: philox.uniforms_range(*KEY, s, 0, N_DRAWS),
                            repeats, N_DRAWS),
        "normal_ns": _best(lambda s: philox.normals_range(*KEY, s, 0, N_DRAWS),
                           repeats, N_DRAWS),
        "uniform_scalar_ns": _best(lambda s: _scalar(0, *KEY, s, N_DRAWS), repeats, N_DRAWS),
        "normal_scalar_ns": _best(lambda s: _scalar(1, *KEY, s, N_DRAWS), repeats, N_DRAWS),
    }


def neuron_step(noise: bool, repeats: int, n: int = 4000, duration: float = 1.0) -> float:
    snncore.set_backend("numba")
    term = " + sigma*xi/sqrt(tau)" if noise else ""

    def build():
        snncore.start_scope()
        G = snncore.NeuronGroup(n, f"""dv/dt = (mu - v)/tau{term} : 1
                                       mu : 1""", threshold="v > 1", reset="v = 0",
                                method="euler",
                                namespace={"tau": 10 * snncore.ms, "sigma": 0.5})
        G.mu = "0.8 + 0.4*rand()"
        return snncore.Network(G)

    build().run(10 * snncore.ms)  # compile or load the loop
    best = float("inf")
    for _ in range(repeats):
        net = build()
        began = time.process_time()
        net.run(duration * snncore.second)
        best = min(best, time.process_time() - began)
    steps = round(duration / float(snncore.defaultclock.dt))
    return best / (n * steps) * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results = draws(args.repeats)
    results["noisy_step_ns"] = neuron_step(True, args.repeats)
    results["quiet_step_ns"] = neuron_step(False, args.repeats)
    for name, value in results.items():
        print(f"{name:18s} {value:6.2f} ns")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

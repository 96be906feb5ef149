"""Cost of snncore's counter-based random numbers (Philox4x32-10), Numba and numpy.

    python benchmarks/random_draws.py [--rounds 9]

Every number is CPU time of this process, run on one thread (on a shared machine the
wall clock also counts the other processes' turns), the median over ``--rounds`` rounds in
which the variants take turns (interleaved, so that a change of load hits all of them
alike); the load average is printed beside them.

- ``numba_uniform_ns`` and ``numba_normal_ns``: one uniform and one standard normal
  number as a kernel's loop gets them, drawn for 4000 elements before the loop (the
  vectorised fill of ``snncore.philox``), each call at a new step (new numbers, as in a
  run); ``numba_*_scalar_ns`` one at a time (the draws of synapses that received a
  spike); ``numpy_uniform_ns`` and ``numpy_normal_ns`` the numpy backend's draws of
  4000 elements;
- ``*_noisy_step_ns``: one neuron-step of a noisy LIF group (4000 neurons,
  ``dv/dt = (mu - v)/tau + sigma*xi/sqrt(tau)``, Euler-Maruyama, threshold and reset;
  Numba's fused loop and the numpy backend), and ``*_quiet_step_ns`` the same model
  without its noise term, so the difference is the cost of the noise.

Prints one line per number and a JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import snncore  # noqa: E402
from snncore import philox  # noqa: E402

N = 4000
KEY = (np.uint64(0x12345), np.uint64(0x6789A), np.uint64(3))
ELEMENTS = np.arange(N)


@njit
def _scalar(kind, k0, k1, stream, step, n):
    total = 0.0
    for e in range(n):
        total += philox.uniform(k0, k1, stream, step, 0, e) if kind == 0 else \
            philox.normal(k0, k1, stream, step, 0, e)
    return total


def _draw_timers() -> dict:
    """Timers of one round: each takes the first step of the round, returns seconds."""
    def timer(draw, calls):
        def run(step):
            began = time.process_time()
            for s in range(step, step + calls):
                draw(s)
            return (time.process_time() - began) / (calls * N)
        return run

    return {
        "numba_uniform_ns": timer(lambda s: philox.uniforms_range(*KEY, s, 0, N), 50),
        "numba_normal_ns": timer(lambda s: philox.normals_range(*KEY, s, 0, N), 50),
        "numba_uniform_scalar_ns": timer(lambda s: _scalar(0, *KEY, s, N), 20),
        "numba_normal_scalar_ns": timer(lambda s: _scalar(1, *KEY, s, N), 20),
        "numpy_uniform_ns": timer(lambda s: philox.uniforms(KEY, s, 0, ELEMENTS), 10),
        "numpy_normal_ns": timer(lambda s: philox.normals(KEY, s, 0, ELEMENTS), 10),
    }


def _network(backend: str, noise: bool):
    snncore.set_backend(backend)
    term = " + sigma*xi/sqrt(tau)" if noise else ""
    G = snncore.NeuronGroup(N, f"""dv/dt = (mu - v)/tau{term} : 1
                                   mu : 1""", threshold="v > 1", reset="v = 0",
                            method="euler", namespace={"tau": 10 * snncore.ms, "sigma": 0.5})
    G.mu = "0.8 + 0.4*rand()"
    net = snncore.Network(G)
    net.run(10 * snncore.ms)  # compile or load the loop
    return net


def _step_timers() -> dict:
    # One thread: the cost of a neuron-step, not the machine's parallel throughput.
    snncore.prefs["snncore.threads"] = 1
    timers = {}
    for backend, duration in (("numba", 0.2), ("numpy", 0.02)):
        steps = round(duration / float(snncore.defaultclock.dt))
        for noise in (True, False):
            net = _network(backend, noise)

            def run(_step, net=net, backend=backend, duration=duration, steps=steps):
                snncore.set_backend(backend)
                began = time.process_time()
                net.run(duration * snncore.second)
                return (time.process_time() - began) / (N * steps)
            timers[f"{backend}_{'noisy' if noise else 'quiet'}_step_ns"] = run
    return timers


def measure(rounds: int) -> dict:
    """Median ns per draw and per neuron-step over ``rounds`` interleaved rounds."""
    timers = {**_draw_timers(), **_step_timers()}
    for run in timers.values():
        run(0)  # compile or load
    times = {name: [] for name in timers}
    for r in range(rounds):
        for name, run in timers.items():
            times[name].append(run(1000 * (r + 1)) * 1e9)
    return {name: float(np.median(values)) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = measure(args.rounds)
    results["loadavg"] = [load_before, os.getloadavg()[0]]
    for name, value in results.items():
        if name != "loadavg":
            print(f"{name:26s} {value:7.2f} ns")
    print(f"load average {load_before:.2f} at the start, {results['loadavg'][1]:.2f} "
          "at the end")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Cost of snncore's counter-based random numbers (Philox4x64-10), Numba and numpy.

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
  without its noise term, so the difference is the cost of the noise;
- ``xoshiro_noisy_step_ns`` and ``xoshiro_quiet_step_ns``: a same-run baseline, the
  same neuron-step as the engine computed it before its counter-based streams: the
  update, threshold and reset kernels it generated for this model, called from a step
  loop, the update drawing its normals with xoshiro256+ and a ziggurat whose state
  stays in registers (written again here as benchmark code, from the engine at commit
  7de45cc, where a noisy neuron-step took 2.4 ns on the machine of that time);
- ``noisy_ratio``: ``numba_noisy_step_ns / xoshiro_noisy_step_ns``, the median of the
  rounds' ratios. Absolute times differ 2-4 times between machines; the ratio does
  not, so "3 ns where the old engine took 2.4 ns" reads as ``noisy_ratio <= 1.25`` on
  any machine (``noisy_target_met``). ``quiet_ratio`` is the same for the quiet model
  (the loop's cost apart from the noise).

Prints one line per number and a JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import math
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
#: The issue's target, 3 ns per noisy neuron-step where the old engine took 2.4 ns.
TARGET_RATIO = 3.0 / 2.4
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


# ------------------------------------------------ the pre-Philox baseline (benchmark code)
# The old engine's ziggurat: Marsaglia & Tsang's 128 layers, for 32-bit draws.
_R = 3.442619855899
_KN, _WN, _FN = philox._ziggurat_tables(128, _R, 9.91256303526217e-3, 2.0**31)
_S11, _S17, _S19, _S32, _S45 = (np.uint64(k) for k in (11, 17, 19, 32, 45))
_STEPS = 2000  # 0.2 s at dt = 0.1 ms, as the engine's timers


@njit
def _next4(s0, s1, s2, s3):
    """The next output of xoshiro256+ (Blackman & Vigna) and the new state."""
    result = s0 + s3
    t = s1 << _S17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _S45) | (s3 >> _S19)
    return result, s0, s1, s2, s3


@njit
def _rand4(s0, s1, s2, s3):
    r, s0, s1, s2, s3 = _next4(s0, s1, s2, s3)
    return (r >> _S11) * (1.0 / 9007199254740992.0), s0, s1, s2, s3


@njit
def _int32_draw(s0, s1, s2, s3):
    # The top 32 bits, signed (xoshiro256+'s low bits are weak).
    r, s0, s1, s2, s3 = _next4(s0, s1, s2, s3)
    return np.int64(r >> _S32) - 2147483648, s0, s1, s2, s3


@njit
def _randn4(s0, s1, s2, s3):
    """A ziggurat normal (the old engine's tables) and the new state; the fast
    path inlined into the kernel, the rejection steps a call."""
    hz, s0, s1, s2, s3 = _int32_draw(s0, s1, s2, s3)
    iz = hz & 127
    if abs(hz) < _KN[iz]:
        return hz * _WN[iz], s0, s1, s2, s3
    return _randn_rejected(hz, s0, s1, s2, s3)


@njit
def _randn_rejected(hz, s0, s1, s2, s3):
    iz = hz & 127
    while True:
        x = hz * _WN[iz]
        if iz == 0:
            while True:  # the tail beyond r
                u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
                x = -math.log(1.0 - u) / _R
                u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
                y = -math.log(1.0 - u)
                if y + y >= x * x:
                    return (_R + x if hz > 0 else -_R - x), s0, s1, s2, s3
        u, s0, s1, s2, s3 = _rand4(s0, s1, s2, s3)
        if _FN[iz] + u * (_FN[iz - 1] - _FN[iz]) < math.exp(-0.5 * x * x):
            return x, s0, s1, s2, s3
        hz, s0, s1, s2, s3 = _int32_draw(s0, s1, s2, s3)
        iz = hz & 127
        if abs(hz) < _KN[iz]:
            return hz * _WN[iz], s0, s1, s2, s3


# The three kernels the engine generated for this model then (error model and all), and
# its fused loop calling them.
@njit(error_model="numpy", nogil=True)
def _noisy_update(n, a_mu, a_v, dt, sigma, tau, rng):
    r0, r1, r2, r3 = rng[0], rng[1], rng[2], rng[3]
    inv0 = np.sqrt(dt)
    inv1 = (1.0 * sigma) / np.sqrt(tau)
    for k in range(n):
        mu = a_mu[k]
        v = a_v[k]
        z, r0, r1, r2, r3 = _randn4(r0, r1, r2, r3)
        a_v[k] = v + ((dt * ((mu - v) / tau)) + (0.0 + (inv1 * (inv0 * z))))
    rng[0], rng[1], rng[2], rng[3] = r0, r1, r2, r3
    return 0


@njit(error_model="numpy", nogil=True)
def _quiet_update(n, a_mu, a_v, dt, tau):
    for k in range(n):
        mu = a_mu[k]
        v = a_v[k]
        a_v[k] = v + (dt * ((mu - v) / tau))
    return 0


@njit(error_model="numpy", nogil=True)
def _threshold(n, indices, spikes, a_v):
    c = 0
    for k in range(n):
        idx = indices[k]
        if a_v[idx] > 1:
            spikes[c] = idx
            c += 1
    return c


@njit(error_model="numpy", nogil=True)
def _reset(n, indices, a_v):
    for k in range(n):
        a_v[indices[k]] = 0


@njit(error_model="numpy", nogil=True)
def _baseline_loop(noise, steps, a_mu, a_v, rng, indices, spikes):
    n, dt, sigma, tau = a_mu.size, 1e-4, 0.5, 10e-3
    for _ in range(steps):
        if noise:
            _noisy_update(n, a_mu, a_v, dt, sigma, tau, rng)
        else:
            _quiet_update(n, a_mu, a_v, dt, tau)
        c = _threshold(n, indices, spikes, a_v)
        if c:
            _reset(c, spikes[:c], a_v)


def _baseline_timers() -> dict:
    """The old engine's neuron-step, noisy and quiet, in ns."""
    generator = np.random.default_rng(1)
    timers = {}
    for noise in (True, False):
        state = (0.8 + 0.4 * generator.random(N), np.zeros(N),
                 generator.integers(1, 2**63, size=4, dtype=np.uint64), np.arange(N),
                 np.empty(N, dtype=np.int64))

        def run(_step, noise=noise, state=state):
            began = time.process_time()
            _baseline_loop(noise, _STEPS, *state)
            return (time.process_time() - began) / (N * _STEPS)
        timers[f"xoshiro_{'noisy' if noise else 'quiet'}_step_ns"] = run
    return timers


def measure(rounds: int) -> dict:
    """Median ns per draw and per neuron-step over ``rounds`` interleaved rounds, and the
    median ratios of the engine's neuron-steps to the baseline's."""
    timers = {**_draw_timers(), **_step_timers(), **_baseline_timers()}
    for run in timers.values():
        run(0)  # compile or load
    times = {name: [] for name in timers}
    for r in range(rounds):
        for name, run in timers.items():
            times[name].append(run(1000 * (r + 1)) * 1e9)
    results = {name: float(np.median(values)) for name, values in times.items()}
    for kind in ("noisy", "quiet"):
        ratios = np.divide(times[f"numba_{kind}_step_ns"], times[f"xoshiro_{kind}_step_ns"])
        results[f"{kind}_ratio"] = float(np.median(ratios))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = measure(args.rounds)
    results["loadavg"] = [load_before, os.getloadavg()[0]]
    results["noisy_target_met"] = results["noisy_ratio"] <= TARGET_RATIO
    for name, value in results.items():
        if isinstance(value, float):
            print(f"{name:26s} {value:7.2f}" + ("" if name.endswith("ratio") else " ns"))
    print(f"noisy_ratio <= {TARGET_RATIO}: {'met' if results['noisy_target_met'] else 'NOT met'}")
    print(f"load average {load_before:.2f} at the start, {results['loadavg'][1]:.2f} "
          "at the end")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

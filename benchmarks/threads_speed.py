"""Threads in the Numba backend: what a parallel kernel call costs, and what threads save.

    python benchmarks/threads_speed.py [--quick] [--cobahh-only]

1. The price of a parallel call: a leaky integrator (the cheapest state update, about
   0.5 ns per neuron) of N neurons, its kernels serial or parallel
   (``snncore.backends.threads.MIN_WORK`` set to infinity or 0), on 1 and on every
   thread; microseconds per step. Below about ``MIN_WORK`` of serial work per call,
   the parallel kernels lose (this is how ``MIN_WORK`` was chosen).
2. COBAHH (4000 neurons) and the tuning curve (41 x 10000 noisy neurons) of
   ``bench_models.py``, each built twice, with serial kernels (one thread) and with
   parallel ones on every thread, and run for equal stretches, alternately (A, B, A,
   B, ...); the median time of each and their ratio (the target: at least 1.7 on 2
   cores). Both give the same spikes.
   Where the time goes (Amdahl): the kernels that run in parallel, called alone from
   Python once per step of the stretch (from the state at its start, restored after),
   on one thread (serial kernels) and on every thread; the rest of the 1-thread loop's
   CPU time (delivery, spike collection, monitors, small kernels) is the serial part.
   From these: its share, the best speed-up it allows (``amdahl``), and the speed-up
   predicted from the parallel kernels' own (``predicted``). A speed-up short of
   ``amdahl`` with ``predicted`` near it is the kernels' (or the cores': see 4).
3. COBAHH's speed-up with libgomp's idle threads spinning longer before they sleep
   (``GOMP_SPINCOUNT`` 300,000, libgomp's default) and shorter (1000; snncore sets 10,000), each
   in a fresh process: on an idle machine longer spinning may save the wake-up of the
   threads in each step, on a busy one it costs.
4. The cores' own speed-up: pure arithmetic (no memory traffic, no snncore code) in
   ``ALL`` equal parts, on every thread against one. Two free cores give 2.0; cores that
   share their execution units or their clock (hyper-threads of one core, a host's other
   load) give less, and no threaded code does better than this.

Every time is a median of interleaved repetitions in this one process; the load average
is printed beside them (other processes share the cores). The last line (``RESULT``)
holds every number as JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_models as models  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402

import snncore as snn  # noqa: E402
from snncore.backends import threads  # noqa: E402
from snncore.backends.codegen import runs_parallel  # noqa: E402

ALL = numba.config.NUMBA_NUM_THREADS


_LOOPS: list[float] = []


def _timed_loop(original):
    """``Network._loop`` timed: the stepping loop of a run, without building its
    operations (as ``child.py`` times it)."""
    def timed(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            _LOOPS.append(time.perf_counter() - t0)
    return timed


snn.Network._loop = _timed_loop(snn.Network._loop)


def _interleaved(runs: dict, repeats: int) -> dict:
    """Median loop seconds of each callable in ``runs`` (each one ``run()``), called in
    turn ``repeats`` times."""
    times: dict = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            _LOOPS.clear()
            run()
            times[name].append(sum(_LOOPS))
    return {name: statistics.median(values) for name, values in times.items()}


def _on_threads(k: int, run):
    def call():
        snn.prefs.snncore.threads = k
        try:
            run()
        finally:
            snn.prefs.snncore.threads = 0
    return call


def call_cost(sizes: list[int], steps: int, repeats: int) -> dict:
    out = {}
    for n in sizes:
        nets = {}
        for kind, min_work in (("serial", float("inf")), ("parallel", 0.0)):
            threads.MIN_WORK = min_work
            snn.start_scope()
            G = snn.NeuronGroup(n, "dv/dt = (1.1 - v)/(10*ms) : 1", threshold="v > 1",
                                reset="v = 0", method="exact")
            G.v = "rand()"
            net = snn.Network(G)
            net.run(steps * snn.defaultclock.dt)  # compile, or load from the cache
            nets[kind] = net
        threads.MIN_WORK = _MIN_WORK
        runs = {"serial": lambda net=nets["serial"]: net.run(steps * snn.defaultclock.dt)}
        for k in sorted({1, ALL}):
            runs[f"parallel, {k} thread(s)"] = _on_threads(
                k, lambda net=nets["parallel"]: net.run(steps * snn.defaultclock.dt))
        med = _interleaved(runs, repeats)
        out[n] = {name: 1e6 * t / steps for name, t in med.items()}
        print(f"N = {n:6d}: " + ", ".join(f"{name} {us:7.1f} us/step"
                                          for name, us in out[n].items())
              + f"   (load {os.getloadavg()[0]:.1f})", flush=True)
    return out


def speedups(quick: bool, repeats: int, only: str | None = None) -> dict:
    out = {}
    builders = {
        "cobahh": lambda: models.cobahh(snn, N=400 if quick else 4000, duration=1.0),
        "tuning_curve": lambda: models.tuning_curve(snn, n=200 if quick else 10000),
    }
    stretch = {"cobahh": 0.02 if quick else 0.1, "tuning_curve": 0.01 if quick else 0.05}
    dt = 1e-4  # both models' time step
    for name, build in builders.items():
        if only not in (None, name):
            continue
        nets = {}
        for kind, min_work in (("serial", float("inf")), ("parallel", _MIN_WORK)):
            threads.MIN_WORK = min_work
            nets[kind] = snn.Network(*build().objects)
            nets[kind].run(0.001)  # compile, or load from the cache
        threads.MIN_WORK = _MIN_WORK
        seconds = stretch[name]
        # One thread is the serial kernels: a parallel kernel on one thread of a pool
        # that ran on more pays for waking the idle threads at each call (libgomp).
        med = _interleaved({
            "1 thread(s)": lambda net=nets["serial"], seconds=seconds: net.run(seconds),
            f"{ALL} thread(s)": _on_threads(
                ALL, lambda net=nets["parallel"], seconds=seconds: net.run(seconds))},
            repeats)
        ratio = med["1 thread(s)"] / med[f"{ALL} thread(s)"]
        out[name] = {"seconds_per_stretch": med, "stretch_s": seconds,
                     "speedup": ratio, "load": os.getloadavg()[0]}
        print(f"{name}: " + ", ".join(f"{k} {t:.3f} s" for k, t in med.items())
              + f" per {seconds} s simulated; {ALL} threads {ratio:.2f}x faster than 1"
              f"   (load {os.getloadavg()[0]:.1f})", flush=True)
        out[name]["phases"] = phases(nets, seconds, round(seconds / dt), repeats)
    return out


def _parallel_kernels(net) -> dict:
    """The kernels of ``net`` that run in parallel blocks, by the position of their
    object in ``net.objects`` (the two builds of a model name their objects apart) and
    their cache key."""
    return {(k, key): bound for k, obj in enumerate(net.objects)
            for key, bound in getattr(obj, "_bound_cache", {}).items()
            if runs_parallel(bound.spec)}


def _kernel_seconds(net, kernels, k: int, calls: int, dt: float = 1e-4) -> tuple:
    """Wall and CPU seconds (of this thread) of ``calls`` calls of each of ``kernels``
    from Python on ``k`` threads, one per step from the state of ``net`` (restored
    after): each step draws its own noise, as in the loop."""
    net.store("threads_speed")
    timed = [bound for bound in kernels if "t" in bound.positions]
    t = float(net.t)
    numba.set_num_threads(k)
    try:
        wall, cpu = time.perf_counter(), time.thread_time()
        for step in range(calls):
            for bound in timed:
                bound.set("t", t + step * dt)
            for bound in kernels:
                bound()
        return time.perf_counter() - wall, time.thread_time() - cpu
    finally:
        numba.set_num_threads(ALL)
        net.restore("threads_speed")


def _loop_seconds(net, seconds: float) -> tuple:
    """Wall and CPU seconds of ``net.run(seconds)`` on one thread (serial kernels)."""
    snn.prefs.snncore.threads = 1
    try:
        wall, cpu = time.perf_counter(), time.thread_time()
        net.run(seconds)
        return time.perf_counter() - wall, time.thread_time() - cpu
    finally:
        snn.prefs.snncore.threads = 0


def phases(nets: dict, seconds: float, steps: int, repeats: int) -> dict:
    """The 1-thread loop split into its parallel kernels and the serial rest, and what
    that split allows on ``ALL`` threads (see the module docstring, 2). The split is
    of CPU time (this thread's): other processes on the cores stretch wall time far
    more than CPU time."""
    parallel = _parallel_kernels(nets["parallel"])
    found = _parallel_kernels(nets["serial"])
    serial = {key: found.get(key) for key in parallel}
    names = [f"{nets['parallel'].objects[k].name} {key[0][0]}" for k, key in parallel]
    if not parallel or None in serial.values():
        return {"error": f"parallel kernels {names} not found in the serial network"}
    # A kernel's first call from Python makes its Python entry point (the loop calls
    # it by symbol): not timed.
    _kernel_seconds(nets["serial"], serial.values(), 1, 1)
    _kernel_seconds(nets["parallel"], parallel.values(), ALL, 1)
    runs = {"loop": lambda: _loop_seconds(nets["serial"], seconds),
            "one": lambda: _kernel_seconds(nets["serial"], serial.values(), 1, steps),
            "every": lambda: _kernel_seconds(nets["parallel"], parallel.values(), ALL,
                                             steps)}
    times: dict = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(run())
    wall = {name: statistics.median(w for w, _c in v) for name, v in times.items()}
    cpu = {name: statistics.median(c for _w, c in v) for name, v in times.items()}
    share = max(cpu["loop"] - cpu["one"], 0.0) / cpu["loop"]
    rest = share * wall["loop"]  # the serial part's wall time, at the CPU share
    out = {"parallel_kernels": names,
           "us_per_step": {"loop, 1 thread": 1e6 * wall["loop"] / steps,
                           "parallel kernels, 1 thread": 1e6 * wall["one"] / steps,
                           f"parallel kernels, {ALL} threads": 1e6 * wall["every"] / steps},
           "cpu_us_per_step": {"loop, 1 thread": 1e6 * cpu["loop"] / steps,
                               "parallel kernels, 1 thread": 1e6 * cpu["one"] / steps},
           "serial_share": share,
           "amdahl": 1.0 / (share + (1.0 - share) / ALL),
           "kernels_speedup": wall["one"] / wall["every"],
           "predicted": wall["loop"] / (rest + wall["every"]),
           "load": os.getloadavg()[0]}
    print(f"    1 thread: loop {out['cpu_us_per_step']['loop, 1 thread']:.0f} CPU-us per "
          f"step, its parallel kernels {out['cpu_us_per_step']['parallel kernels, 1 thread']:.0f}"
          f": serial share {share:.1%}, at most {out['amdahl']:.2f}x on {ALL} threads "
          f"(Amdahl); the parallel kernels alone {out['kernels_speedup']:.2f}x faster on "
          f"{ALL} threads, predicting {out['predicted']:.2f}x   (load {out['load']:.1f})",
          flush=True)
    return out


@numba.njit(parallel=True, cache=True)
def _arithmetic(parts: int, n: int):
    """``parts`` equal pieces of arithmetic in parallel: four independent chains of
    multiply-adds and a square root each (the floating-point units busy, no memory)."""
    out = np.empty(parts)
    for p in numba.prange(parts):
        a, b, c, d = 1.0 + p, 2.0, 3.0, 4.0
        for _ in range(n):
            a = np.sqrt(a * 0.999 + 1.0)
            b = b * 0.999 + 1.0
            c = c * 0.998 + 2.0
            d = d * 0.997 + 3.0
        out[p] = a + b + c + d
    return out


def cores(repeats: int) -> dict:
    """The speed-up of pure arithmetic on ``ALL`` threads against one (module docstring,
    4): what the cores give threads at this moment."""
    n = 2_000_000  # about 10 ms per part

    def run(k: int):
        def call():
            numba.set_num_threads(k)
            try:
                began = time.perf_counter()
                _arithmetic(ALL, n)
                _LOOPS.append(time.perf_counter() - began)
            finally:
                numba.set_num_threads(ALL)
        return call

    run(ALL)()  # compile, or load from the cache
    med = _interleaved({"1 thread": run(1), f"{ALL} threads": run(ALL)}, 4 * repeats)
    out = {"seconds": med, "speedup": med["1 thread"] / med[f"{ALL} threads"],
           "load": os.getloadavg()[0]}
    print(f"cores: pure arithmetic {out['speedup']:.2f}x faster on {ALL} threads than on 1"
          f"   (load {out['load']:.1f})", flush=True)
    return out


_MIN_WORK = threads.MIN_WORK


def spin_counts(quick: bool) -> dict:
    """COBAHH's speed-up again in a fresh process for each of libgomp's default spin
    count (300,000) and 1000, against snncore's 10,000 measured above: how long an idle
    thread spins before it sleeps (see :mod:`snncore.backends.threads`)."""
    out = {}
    for count in ("300000", "1000"):
        env = dict(os.environ, GOMP_SPINCOUNT=count)
        proc = subprocess.run([sys.executable, __file__, "--cobahh-only"]
                              + (["--quick"] if quick else []), env=env,
                              capture_output=True, text=True, timeout=900)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if not lines:
            out[count] = {"error": proc.stderr[-500:]}
            continue
        out[count] = json.loads(lines[-1][7:])["speedups"]["cobahh"]
        print(f"GOMP_SPINCOUNT={count}: cobahh {ALL} threads "
              f"{out[count]['speedup']:.2f}x faster than 1   (load {out[count]['load']:.1f})",
              flush=True)
    return out


def main() -> int:
    quick = "--quick" in sys.argv
    snn.set_backend("numba")
    if "--cobahh-only" in sys.argv:
        print("RESULT " + json.dumps({"speedups": speedups(quick, 3 if quick else 5,
                                                           only="cobahh")}))
        return 0
    print(f"threads: {ALL} (NUMBA_NUM_THREADS), GOMP_SPINCOUNT="
          f"{os.environ.get('GOMP_SPINCOUNT')}")
    result = {"threads": ALL, "load_at_start": os.getloadavg()[0]}
    result["call_cost_us_per_step"] = call_cost(
        [2048, 8192] if quick else [2048, 4096, 16384, 65536], 50 if quick else 500,
        3 if quick else 7)
    result["threading_layer"] = numba.threading_layer()  # known once a parallel call ran
    print(f"threading layer: {result['threading_layer']}")
    result["speedups"] = speedups(quick, 3 if quick else 5)
    result["spin_counts"] = spin_counts(quick)
    result["cores"] = cores(3 if quick else 5)
    result["load_at_end"] = os.getloadavg()[0]
    print(json.dumps(result))  # the last line: the numbers, for make bench's results.json
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Parameter sweeps on 2 cores against the in-process loop (numba backend).

    python benchmarks/sweep_speed.py [--points 200] [--workers 2] [--repeats 3]

The short-term-plasticity chapter's model (one input, one synapse, one neuron, 300 ms:
``bench_models.stp_model``, the chapter's figure) over a grid of U and tau_f, ``--points``
runs, timed three ways, each against the plain loop ``for point in grid: model(**point)``
over the same points:

* warm (a notebook that has run its model once, then sweeps it): in this process, the
  kernels imported by that first run. The loop, against ``sweep(model, grid)`` starting
  and closing its own local cluster inside the call (what a chapter pays), and against
  ``sweep(model, grid, client=...)`` on a cluster already running (its workers warm).
* cold (a script run from the shell): a fresh Python process that runs the loop, against
  one that runs the sweep on its own cluster. Both import snncore and load the kernels
  from the disk cache, filled before.
* the per-point overhead: a sweep of a model that does nothing, on a running cluster,
  wall time per point; and the fixed cost of a sweep's own cluster (start and close),
  from the same no-op sweep on its own cluster.

The three are interleaved (loop, sweeps, loop, sweeps, ...), ``--repeats`` times, and
medians reported with the load average. Targets: the sweep at most 0.6x the loop, at
most 20 ms overhead per point.

Wall times show the speed-up only on idle cores. Where others load the machine, Linux
(with autogroup scheduling, as on the machine this was written on) shares the cores
between sessions, not processes: a sweep's workers then share one session's part of the
cores with the process that started them, and no number of workers runs faster than the
loop. So each variant's CPU seconds (this process, its workers, a fresh process and its
children) are recorded too; CPU seconds over the cores, against the loop's CPU seconds,
is the lower bound of the ratio on idle cores (``cpu_bound_*``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_models as models  # noqa: E402

import snncore  # noqa: E402

TARGET_RATIO, TARGET_OVERHEAD = 0.6, 0.020


def stp_peaks(U: float, tau_f: float) -> dict:
    """The STP figure's PSP peaks at one (U, tau_f)."""
    peaks, _ = models.stp_model(snncore, U=U, tau_f=tau_f, tau_d=0.750)
    return {"peaks": peaks}


def nothing(x: float) -> float:
    return x


def grid(points: int) -> dict:
    n_tau = 10 if points % 10 == 0 else 1
    return {"U": np.linspace(0.05, 0.95, points // n_tau),
            "tau_f": np.linspace(0.02, 0.5, n_tau)}


def loop(points: dict) -> None:
    for U, tau_f in itertools.product(*points.values()):
        stp_peaks(U, tau_f)


def cold(mode: str, points: int, workers: int) -> None:
    """A fresh process's whole job (``--cold loop|sweep``)."""
    snncore.set_backend("numba")
    if mode == "loop":
        loop(grid(points))
    else:
        snncore.sweep(stp_peaks, grid(points), seed=1, workers=workers, progress=False)


def cpu_seconds(pids: list[int] = ()) -> float:
    """CPU seconds of this process, its reaped children and the processes ``pids``."""
    import psutil

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def timed(function, *args, pids: list[int] = (), cpu: list | None = None,
          **kwargs) -> tuple[float, object]:
    """Wall seconds of a call and its value; its CPU seconds (see :func:`cpu_seconds`)
    are appended to ``cpu``."""
    before = cpu_seconds(pids)
    start = time.perf_counter()
    value = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.append(cpu_seconds(pids) - before)
    return seconds, value


def run_cold(mode: str, args, cpu: list) -> float:
    command = [sys.executable, __file__, "--cold", mode, "--points", str(args.points),
               "--workers", str(args.workers)]
    seconds, proc = timed(subprocess.run, command, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
                          cpu=cpu)
    if proc.returncode:
        raise RuntimeError(f"{mode} in a fresh process failed: {proc.stderr[-2000:]}")
    return seconds


def main(argv: list | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold", choices=["loop", "sweep"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold:
        cold(args.cold, args.points, args.workers)
        return {}
    from snncore.sweep import _local_client

    os.environ["SNNCORE_CACHE_DIR"] = tempfile.mkdtemp(prefix="snncore-sweep-bench-")
    snncore.set_backend("numba")
    points = grid(args.points)
    out = {"points": args.points, "workers": args.workers, "repeats": args.repeats,
           "model": "bench_models.stp_model (the short-term-plasticity chapter's figure)",
           "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()}

    out["first_run_s"], _ = timed(stp_peaks, 0.45, 0.05)  # compiles, fills the disk cache
    reference = snncore.sweep(stp_peaks, points, seed=1, scheduler="synchronous",
                              progress=False)
    keys = ("loop", "sweep_own_cluster", "sweep_running_cluster", "cold_loop",
            "cold_sweep", "noop_running_cluster", "noop_own_cluster")
    times: dict[str, list[float]] = {key: [] for key in keys}
    cpu: dict[str, list[float]] = {key: [] for key in keys}
    identical = True
    noop = {"x": np.arange(args.points)}
    with _local_client(args.workers) as client:
        client.run(stp_peaks, 0.45, 0.05)  # the running cluster's workers are warm
        workers = list(client.run(os.getpid).values())
        for _ in range(args.repeats):
            times["loop"].append(timed(loop, points, cpu=cpu["loop"])[0])
            seconds, own = timed(snncore.sweep, stp_peaks, points, seed=1,
                                 workers=args.workers, progress=False,
                                 cpu=cpu["sweep_own_cluster"])
            times["sweep_own_cluster"].append(seconds)
            seconds, running = timed(snncore.sweep, stp_peaks, points, seed=1,
                                     client=client, progress=False, pids=workers,
                                     cpu=cpu["sweep_running_cluster"])
            times["sweep_running_cluster"].append(seconds)
            identical &= bool(own.equals(reference) and running.equals(reference))
            times["cold_loop"].append(run_cold("loop", args, cpu["cold_loop"]))
            times["cold_sweep"].append(run_cold("sweep", args, cpu["cold_sweep"]))
            times["noop_running_cluster"].append(timed(
                snncore.sweep, nothing, noop, client=client, progress=False, pids=workers,
                cpu=cpu["noop_running_cluster"])[0])
            times["noop_own_cluster"].append(timed(
                snncore.sweep, nothing, noop, workers=args.workers, progress=False,
                cpu=cpu["noop_own_cluster"])[0])
    median = {key: statistics.median(values) for key, values in times.items()}
    median_cpu = {key: statistics.median(values) for key, values in cpu.items()}
    cores = min(args.workers, os.cpu_count() or 1)
    out["times_s"], out["cpu_s"] = times, cpu
    out["median_s"], out["median_cpu_s"] = median, median_cpu
    for name, sweep_key, loop_key in (("warm_own_cluster", "sweep_own_cluster", "loop"),
                                      ("warm_running_cluster", "sweep_running_cluster",
                                       "loop"),
                                      ("cold", "cold_sweep", "cold_loop")):
        out[f"ratio_{name}"] = median[sweep_key] / median[loop_key]
        out[f"cpu_bound_{name}"] = median_cpu[sweep_key] / cores / median_cpu[loop_key]
    out["overhead_per_point_s"] = median["noop_running_cluster"] / args.points
    out["own_cluster_fixed_s"] = median["noop_own_cluster"]
    out["kernels_loaded_per_worker"] = own.attrs["kernels_loaded_per_worker"]
    out["kernels_compiled_per_worker"] = own.attrs["kernels_compiled_per_worker"]
    out["kernels_after_first_point"] = own.attrs["kernels_after_first_point"]
    out["points_per_worker"] = own.attrs["points_per_worker"]
    out["points_here"] = own.attrs["points_here"]
    out["identical"] = identical
    out["loadavg_at_end"] = os.getloadavg()
    report(out)
    return out


def report(out: dict) -> None:
    median, n = out["median_s"], out["points"]
    print(f"{n} runs of the STP chapter model, {out['workers']} workers, medians of "
          f"{out['repeats']} interleaved repeats (load average "
          f"{out['loadavg_at_start'][0]:.1f} at start, {out['loadavg_at_end'][0]:.1f} at "
          f"end, {out['cpus']} cores)")
    print(f"  first run (compiles)                {out['first_run_s']:7.2f} s")
    print(f"  warm: in-process loop               {median['loop']:7.2f} s "
          f"({1e3 * median['loop'] / n:.1f} ms a run)")
    rows = (("warm: sweep, own cluster", "sweep_own_cluster", "ratio_warm_own_cluster"),
            ("warm: sweep, running cluster", "sweep_running_cluster",
             "ratio_warm_running_cluster"),
            ("cold: fresh process, loop", "cold_loop", None),
            ("cold: fresh process, sweep", "cold_sweep", "ratio_cold"))
    for label, key, ratio in rows:
        line = f"  {label:35s} {median[key]:7.2f} s (CPU {out['median_cpu_s'][key]:6.2f} s)"
        if ratio:
            met = "met" if out[ratio] <= TARGET_RATIO else "MISS"
            bound = out[ratio.replace("ratio_", "cpu_bound_")]
            line += (f"  {out[ratio]:.2f}x the loop [{met}: target <= {TARGET_RATIO}x]; "
                     f"on idle cores at least {bound:.2f}x")
        print(line)
    overhead = 1e3 * out["overhead_per_point_s"]
    print(f"  per-point overhead (no-op model)    {overhead:7.1f} ms "
          f"[{'met' if overhead <= 1e3 * TARGET_OVERHEAD else 'MISS'}: target <= "
          f"{1e3 * TARGET_OVERHEAD:.0f} ms]; own cluster start and close "
          f"{out['own_cluster_fixed_s']:.2f} s")
    print(f"  own cluster: {out['points_here']} point here, {out['points_per_worker']} on "
          f"the workers, kernels loaded {out['kernels_loaded_per_worker']}, compiled "
          f"{out['kernels_compiled_per_worker']}, after the first point "
          f"{out['kernels_after_first_point']}; results identical: {out['identical']}")
    print(json.dumps(out))  # the last line: make bench keeps it in results.json


if __name__ == "__main__":
    main()

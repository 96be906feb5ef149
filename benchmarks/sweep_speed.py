"""Parameter sweeps on 2 cores against the in-process loop (numba backend).

    python benchmarks/sweep_speed.py [--points 200] [--workers 2]

The short-term-plasticity chapter's model (one input, one synapse, one neuron, 300 ms)
over a grid of U and tau_f, ``--points`` runs:

* the in-process loop: one run after another in this process, kernels already imported;
* ``sweep`` with its own local cluster of ``--workers`` processes (started and closed
  around the sweep: what a chapter pays), and on a cluster already running;
* the per-point overhead: a sweep of a model that does nothing, on a running cluster,
  wall time per point.

Targets: the sweep at most 0.6x the loop, at most 20 ms overhead per point. The kernel
cache is a fresh folder, filled by this process before the workers start (as a second
``make bench`` or a chapter re-run finds it). The load average is printed with the
figures: the cores may be shared.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_models as models  # noqa: E402

import snncore  # noqa: E402


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


def main(argv: list | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ["SNNCORE_CACHE_DIR"] = tempfile.mkdtemp(prefix="snncore-sweep-bench-")
    snncore.set_backend("numba")
    points = grid(args.points)
    out = {"points": args.points, "workers": args.workers,
           "loadavg_at_start": os.getloadavg()}

    t0 = time.perf_counter()
    stp_peaks(0.45, 0.05)  # compiles the kernels (and fills the disk cache)
    out["first_run_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for U, tau_f in itertools.product(*points.values()):
        stp_peaks(U, tau_f)
    out["loop_s"] = time.perf_counter() - t0
    loop = snncore.sweep(stp_peaks, points, seed=1, scheduler="synchronous", progress=False)

    t0 = time.perf_counter()
    own = snncore.sweep(stp_peaks, points, seed=1, workers=args.workers, progress=False)
    out["sweep_own_cluster_s"] = time.perf_counter() - t0
    out["kernels_loaded_per_worker"] = own.attrs["kernels_loaded_per_worker"]
    out["kernels_compiled_per_worker"] = own.attrs["kernels_compiled_per_worker"]
    out["kernels_after_first_point"] = own.attrs["kernels_after_first_point"]

    import dask
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with dask.config.set({"distributed.worker.profile.enabled": False}), LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        out["cluster_start_s"] = time.perf_counter() - t0
        client.run(stp_peaks, 0.45, 0.05)  # each worker imports snncore and the kernels
        t0 = time.perf_counter()
        running = snncore.sweep(stp_peaks, points, seed=1, client=client, progress=False)
        out["sweep_running_cluster_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        snncore.sweep(nothing, {"x": np.arange(args.points)}, client=client,
                      progress=False)
        out["overhead_per_point_s"] = (time.perf_counter() - t0) / args.points
    out["identical"] = bool(own.equals(loop) and running.equals(loop))
    out["loadavg_at_end"] = os.getloadavg()

    print(f"{args.points} runs of the STP chapter model, {args.workers} workers "
          f"(load average {out['loadavg_at_start'][0]:.1f} at start, "
          f"{out['loadavg_at_end'][0]:.1f} at end, {os.cpu_count()} cores)")
    print(f"  in-process loop                  {out['loop_s']:7.2f} s "
          f"({1e3 * out['loop_s'] / args.points:.1f} ms a run; first run "
          f"{out['first_run_s']:.2f} s)")
    for key, label in (("sweep_own_cluster_s", "sweep, own cluster (start+close)"),
                       ("sweep_running_cluster_s", "sweep, running cluster")):
        ratio = out[key] / out["loop_s"]
        print(f"  {label:32s} {out[key]:7.2f} s  {ratio:.2f}x the loop "
              f"[{'met' if ratio <= 0.6 else 'MISS'}: target <= 0.6x]")
    overhead = 1e3 * out["overhead_per_point_s"]
    print(f"  per-point overhead (no-op model) {overhead:7.1f} ms "
          f"[{'met' if overhead <= 20 else 'MISS'}: target <= 20 ms]")
    print(f"  kernels per worker: loaded {out['kernels_loaded_per_worker']}, compiled "
          f"{out['kernels_compiled_per_worker']}, after the first point "
          f"{out['kernels_after_first_point']}; results identical: {out['identical']}")
    print("RESULT " + json.dumps(out))
    return out


if __name__ == "__main__":
    main()

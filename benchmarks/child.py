"""One benchmark measurement in a fresh process: ``python benchmarks/child.py SPEC``.

SPEC is JSON: ``{"model": ..., "tool": ..., "quick": bool, "workdir": path,
"N": int, "duration": float, "warmup": bool, "second_run": bool}`` (``N``,
``duration`` and ``warmup`` for the CUBA scaling series).
Prints one JSON line (prefixed ``RESULT``) with the times, counts and peak RSS.
The parent (``run.py``) times the whole process from outside.

Times measured here (seconds, ``time.perf_counter``):

* ``build_s``: from the first line of this script (imports done) to the end of model
  construction (groups, ``connect``, initial values);
* ``run_s``: around the ``Network.run`` calls, i.e. everything ``run()`` does,
  including code generation and compilation where the tool does them there (snncore
  numba on an empty cache, Brian 2 cython on an empty cache);
* ``loop_s``: the simulation loop as the tool isolates it. Brian 2 (numpy, cython):
  ``device._last_run_time``, the time stepping loop of ``Network.run`` after code
  objects are prepared, summed over runs. Brian 2 ``cpp_standalone``:
  ``device._last_run_time`` as reported by the compiled binary, which is the time of
  the *last* ``run()`` only. snncore: the time inside ``Network._loop`` (the stepping
  loop after the operations are built), summed over runs;
* ``second_run_s`` / ``second_loop_s`` (when asked, for the loop targets): the same
  duration run again in the same process, every kernel loaded; the parent subtracts
  ``second_run_s`` from the whole-process time, so that it counts one run as for the
  other tools;
* ``build_run_s`` (cpp_standalone only): ``device.build`` (code generation, compiling,
  and running the binary).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_models as models  # noqa: E402


def _import_tool(tool: str, workdir: str):
    """Import and configure the simulator for ``tool``; return (lib, kind)."""
    if tool.startswith("snncore"):
        import snncore as lib

        lib.set_backend("numpy" if tool == "snncore-numpy" else "numba")
        if tool == "snncore-numba-1thread":
            lib.prefs.snncore.threads = 1  # the others use every core (Numba's default)
        return lib, "snncore"
    import brian2 as lib

    lib.prefs.logging.console_log_level = "WARNING"
    lib.prefs.logging.file_log = False
    lib.prefs.logging.delete_log_on_exit = True
    if tool == "brian2-numpy":
        lib.prefs.codegen.target = "numpy"
        return lib, "runtime"
    if tool.startswith("brian2-cython"):
        lib.prefs.codegen.target = "cython"
        lib.prefs.codegen.runtime.cython.cache_dir = os.path.join(workdir, "cython")
        return lib, "runtime"
    if tool.startswith("brian2-cpp"):
        lib.set_device("cpp_standalone", directory=_standalone_dir(tool, workdir),
                       build_on_run=False)
        if tool == "brian2-cpp-openmp":
            lib.prefs.devices.cpp_standalone.openmp_threads = os.cpu_count()
        # Brian 2's default is `make -j` without a limit: ~200 compilers at once for a
        # model run in 100 segments. Limit the jobs to the cores.
        lib.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count()}"]
        return lib, "standalone"
    raise ValueError(f"unknown tool {tool}")


def _standalone_dir(tool: str, workdir: str) -> str:
    """The cpp_standalone project folder: one for the OpenMP build, one for the others
    (whose "warm" process recompiles only what changed)."""
    return os.path.join(workdir, "standalone-openmp" if tool == "brian2-cpp-openmp"
                        else "standalone")


def _time_snncore_loop(lib, acc: list) -> None:
    """Wrap snncore's Network._loop (in this process only) to time the stepping loop."""
    original = lib.Network._loop

    def timed(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            acc.append(time.perf_counter() - t0)

    lib.Network._loop = timed


def _nbytes_per_synapse(lib, kind: str, S) -> dict:
    n = len(S)
    if n == 0:
        return {}
    arrays = {}
    if kind == "snncore":
        for name, var in S._vars.items():
            arr = getattr(var, "array", None)
            if isinstance(arr, np.ndarray) and arr.shape[:1] == (n,):
                arrays[name] = arr.nbytes
        for name, arr in vars(S).items():
            if isinstance(arr, np.ndarray) and arr.shape[:1] == (n,) and name not in arrays:
                arrays[name] = arr.nbytes
    else:
        seen = set()
        for name, var in S.variables.items():
            # references (i, j, _presynaptic_idx, ...) are the same Variable object
            if getattr(var, "scalar", True) or not hasattr(var, "get_value") \
                    or id(var) in seen:
                continue
            seen.add(id(var))
            try:
                value = np.asarray(var.get_value())
            except Exception:  # noqa: BLE001
                continue
            if value.shape[:1] == (n,):
                arrays[name] = value.nbytes
    return {"bytes_per_synapse": sum(arrays.values()) / n, "arrays": arrays,
            "synapses": n}


def _measure_connect(lib, acc: list) -> None:
    """Wrap snncore's Synapses.connect (in this process only) to measure the peak of
    the memory it allocates (tracemalloc, which numpy reports its arrays to), the arrays
    it keeps included; the benchmark's own arrays, drawn before, are not counted.
    Appends (synapses made, bytes)."""
    import tracemalloc

    original = lib.Synapses.connect

    def measured(self, *args, **kwargs):
        size = len(self)
        tracemalloc.start()
        try:
            return original(self, *args, **kwargs)
        finally:
            acc.append((len(self) - size, tracemalloc.get_traced_memory()[1]))
            tracemalloc.stop()

    lib.Synapses.connect = measured


def _held_bytes(lib, group, synapses: list) -> dict:
    """The arrays snncore keeps for a network's neurons and synapses (after a run: CSR
    row pointers, spike rings and queues included), per neuron and per synapse."""
    held = lib.memory.held_arrays(group, *synapses)
    neurons = sum(held[group.name].values())
    per_syn = sum(sum(held[S.name].values()) for S in synapses)
    n_syn = sum(len(S) for S in synapses)
    return {"neuron_bytes": neurons, "synapse_bytes": per_syn,
            "bytes_per_neuron": neurons / len(group),
            "bytes_per_synapse": per_syn / n_syn if n_syn else None,
            "arrays": {f"{name}.{path}": size for name, arrays in held.items()
                       for path, size in arrays.items() if size >= 1024}}


def _one_weight_memory(lib, N: int) -> dict:
    """Synapses with one weight (``w : 1``, set by an expression) on N neurons, 40 and
    120 inputs per neuron, after a 1 ms run: the bytes each synapse adds (the
    difference between the two, so that the per-neuron CSR row pointers drop out), and
    the bytes held per synapse at 80 inputs."""
    lib.start_scope()
    lib.seed(1)
    G = lib.NeuronGroup(N, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        namespace={"ms": lib.ms})
    G.v = "rand()"
    pair = []
    for inputs in (40, 120):
        S = lib.Synapses(G, G, "w : 1", on_pre="v_post += w")
        S.connect(p=inputs / N)
        S.w = "0.1*rand()"
        pair.append(S)
    lib.Network(G, *pair).run(1 * lib.ms)
    held = [_held_bytes(lib, G, [S]) for S in pair]
    added = (held[1]["synapse_bytes"] - held[0]["synapse_bytes"]) / (len(pair[1]) - len(pair[0]))
    return {"memory": {"bytes_per_synapse": added,
                       "bytes_per_synapse_with_row_pointers":
                           (held[0]["synapse_bytes"] + held[1]["synapse_bytes"])
                           / (len(pair[0]) + len(pair[1])),
                       "arrays": held[1]["arrays"]},
            "synapses": len(pair[0]) + len(pair[1]), "N": N}


def measure(spec: dict) -> dict:
    tool, name, quick, workdir = spec["tool"], spec["model"], spec["quick"], spec["workdir"]
    lib, kind = _import_tool(tool, workdir)
    import_s = time.perf_counter() - T_START
    out: dict = {"import_s": import_s}
    snn_loops: list = []
    connects: list = []
    if kind == "snncore":
        _time_snncore_loop(lib, snn_loops)
        if name.startswith("cuba_scaling"):
            _measure_connect(lib, connects)

    if name == "stp_rerun":
        return {**out, **_stp_rerun(lib, kind, quick)}
    if name == "one_weight_memory":
        return {**out, **_one_weight_memory(lib, spec["N"])}

    t0 = time.perf_counter()
    if name.startswith("cuba_scaling"):
        m = models.cuba(lib, N=spec["N"], duration=spec["duration"], explicit=True)
    else:
        m = models.MODELS[name][0](lib, quick)
    net = lib.Network(*m.objects)
    out["build_s"] = time.perf_counter() - t0
    if spec.get("warmup"):
        # scaling series: 1 ms first, so that loading or compiling kernels is not timed
        net.run(1 * lib.ms)
        snn_loops.clear()

    loop_s, run_s = 0.0, 0.0
    t0 = time.perf_counter()
    for k, duration in enumerate(m.runs):
        if m.before is not None:
            m.before(k)
        net.run(duration)
        if kind == "runtime":
            loop_s += float(lib.device._last_run_time)
    run_s = time.perf_counter() - t0
    if kind == "standalone":
        t1 = time.perf_counter()
        lib.device.build(directory=_standalone_dir(tool, workdir), compile=True,
                         run=True, debug=False, clean=False)
        out["build_run_s"] = time.perf_counter() - t1
        loop_s = float(lib.device._last_run_time)
        out["loop_note"] = "last run() only (C++ timer)" if len(m.runs) > 1 else "C++ timer"
    if kind == "snncore":
        loop_s = float(sum(snn_loops))
    out["run_s"], out["loop_s"] = run_s, loop_s
    out["runs"] = len(m.runs)
    out["simulated_s"] = float(sum(float(d) for d in m.runs))

    spikes = sum(int(np.sum(np.asarray(M.count))) for M in m.spike_monitors)
    events = 0
    for S, M, start, stop in m.events:
        counts = np.asarray(M.count)[start:stop].astype(np.int64)
        degree = np.bincount(np.asarray(S.i), minlength=stop - start)
        events += int((counts * degree).sum())
    out["spikes"], out["events"] = spikes, events
    out["synapses"] = int(sum(len(S) for S in m.synapses))
    if name == "brunel_hakim":
        out["memory"] = _nbytes_per_synapse(lib, kind, m.synapses[0])
    if name.startswith("cuba_scaling") and kind == "snncore":
        out["memory"] = _held_bytes(lib, m.objects[0], m.synapses)
        made = sum(n for n, _grew in connects)
        out["memory"]["connect_peak_bytes_per_synapse"] = \
            sum(grew for _n, grew in connects) / made if made else None
    out["info"] = m.info
    if spec.get("second_run") and kind != "standalone":
        # The same duration again in this process: the loop with every kernel loaded,
        # comparable with the C++ standalone loop (which excludes compilation).
        before = len(snn_loops)
        t0 = time.perf_counter()
        for duration in m.runs:
            net.run(duration)
        out["second_run_s"] = time.perf_counter() - t0
        out["second_loop_s"] = (float(sum(snn_loops[before:])) if kind == "snncore"
                                else float(lib.device._last_run_time))
    return out


def _stp_rerun(lib, kind: str, quick: bool) -> dict:
    """Re-run the STP figure model after each of 20 parameter changes, in-process."""
    if kind == "standalone":
        raise RuntimeError("not applicable: cpp_standalone rebuilds the binary per run")
    changes = models.stp_changes(5 if quick else 20)
    t0 = time.perf_counter()
    models.stp_model(lib, U=0.45, tau_f=0.050, tau_d=0.750)  # the page's first figure
    first = time.perf_counter() - t0
    compiled_before = _compile_count(lib, kind)
    times = []
    for params in changes:
        t0 = time.perf_counter()
        models.stp_model(lib, **params)
        times.append(time.perf_counter() - t0)
    compiled = _compile_count(lib, kind)
    return {"first_s": first, "rerun_median_s": statistics.median(times),
            "rerun_max_s": max(times), "changes": len(times),
            "run_s": first + sum(times), "loop_s": statistics.median(times),
            "compiled_during_reruns": (None if compiled is None
                                       else compiled - compiled_before)}


def _compile_count(lib, kind: str):
    if kind != "snncore" or lib.get_backend() != "numba":
        return None
    from snncore.backends.numba_backend import compile_count

    return compile_count()


def peak_rss_mb() -> float:
    """Peak resident memory of this process: VmHWM from /proc (ru_maxrss is inherited
    from the parent across fork and exec on Linux, so it would report the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    spec = json.loads(sys.argv[1])
    try:
        result = {"ok": True, **measure(spec)}
    except Exception as exc:  # noqa: BLE001
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc()[-3000:]}
    result["peak_rss_mb"] = peak_rss_mb()
    # compilers and the cpp_standalone binary run as child processes
    result["peak_rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["child_s"] = time.perf_counter() - T_START
    result["loadavg_1min_at_end"] = os.getloadavg()[0]  # others' work on shared cores
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

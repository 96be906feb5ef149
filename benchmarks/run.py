"""``make bench``: snncore against Brian 2 on the models of issue 8, each run in a fresh
process, then the project's own micro-benchmarks.

    python benchmarks/run.py [--quick] [--only cuba,cobahh] [--tools snncore-numpy,...]
                             [--output benchmarks/results.json] [--timeout 600]
                             [--no-scaling] [--no-extras]

For every (model, tool) pair one child process (``benchmarks/child.py``) builds and runs
the model (written once in ``benchmarks/bench_models.py`` for both simulators) and reports
its own timings, spike and synaptic-event counts and peak RSS; this script times the
whole child process from outside (interpreter start to exit: imports, model
construction, code generation and compilation, simulation, counting).

Tools (``--tools``):

* ``snncore-numba-first``: numba backend, ``SNNCORE_CACHE_DIR`` a fresh empty folder;
* ``snncore-numba-warm``: a second process on the same (now filled) kernel cache, on
  every core (Numba's threads, ``NUMBA_NUM_THREADS``);
* ``snncore-numba-1thread``: the same on one thread (``prefs.snncore.threads = 1``);
* ``snncore-numpy``;
* ``brian2-numpy``: Brian 2 runtime mode, numpy target;
* ``brian2-cython-first`` / ``-warm``: cython target with
  ``prefs.codegen.runtime.cython.cache_dir`` a fresh folder, then the same folder again;
* ``brian2-cpp-first`` / ``-warm``: ``cpp_standalone`` into a fresh directory (code
  generation, compilation and running the binary), then a second process that
  regenerates into the same directory, where ``make`` recompiles only what changed;
* ``brian2-cpp-openmp``: ``cpp_standalone`` with OpenMP on every core
  (``prefs.devices.cpp_standalone.openmp_threads = os.cpu_count()``), in a directory of
  its own.

Every model gets fresh cache folders, so "first" always starts from an empty cache.
A child that fails or exceeds ``--timeout`` is recorded with its error; the harness
goes on. Writes ``results.json`` and ``results.png`` (next to ``--output``) and prints
a table. ``--quick`` runs everything at toy sizes (for tests; the numbers mean nothing).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_models as models  # noqa: E402

#: The environment children start from: this process's before it imports snncore (for
#: the versions), which sets GOMP_SPINCOUNT for its own threads; Brian 2's OpenMP binary
#: runs with libgomp's defaults, as it would for its users.
ENVIRON = dict(os.environ)

TOOLS = ["snncore-numba-first", "snncore-numba-warm", "snncore-numba-1thread",
         "snncore-numpy", "brian2-numpy", "brian2-cython-first", "brian2-cython-warm",
         "brian2-cpp-first", "brian2-cpp-warm", "brian2-cpp-openmp"]
REFERENCE = "snncore-numba-warm"
MODEL_NAMES = list(models.MODELS) + ["stp_rerun"]
NOT_APPLICABLE = {("stp_rerun", "brian2-cpp-first"), ("stp_rerun", "brian2-cpp-warm"),
                  ("stp_rerun", "brian2-cpp-openmp")}
THREAD_MODELS = ("cobahh", "tuning_curve")  # every core >= 1.7x faster than one thread
LOOP_MODELS = ("cuba", "cobahh", "brunel_hakim")  # loop target against C++ standalone
EXTRAS = ["engine_core.py", "fixed_cost.py", "compile_time.py", "synapses_large.py", "widget_latency.py",
          "segments.py", "nonfinite_check.py", "sweep_speed.py", "random_draws.py", "threads_speed.py"]

# Issue 8's anchors: Brian 2 2.9.0 on this 2-core machine, whole-process wall seconds.
ANCHORS = {
    "cuba": {"brian2-numpy": 3.4, "brian2-cython-first": 46, "brian2-cython-warm": 2.9,
             "brian2-cpp-first": 10.3, "brian2-cpp-warm": 2.5, "cpp_loop": 0.05},
    "cobahh": {"brian2-numpy": 11.4, "brian2-cython-first": 51, "brian2-cython-warm": 7.2,
               "brian2-cpp-first": 15.4, "brian2-cpp-warm": 6.7, "cpp_loop": 3.2},
    "brunel_hakim": {"brian2-numpy": 4.7, "brian2-cython-first": 37,
                     "brian2-cython-warm": 4.8, "brian2-cpp-first": 11.5,
                     "brian2-cpp-warm": 4.2, "cpp_loop": 1.0},
    "tsodyks2000": {"brian2-numpy": 13, "brian2-cython-first": 132,
                    "brian2-cython-warm": 10, "brian2-cpp-first": 42, "cpp_loop": 2.8},
    "corr_segmented": {"brian2-cython-warm": 23.6},
    "tuning_curve": {"brian2-numpy": 32, "brian2-cython-warm": 29},
    "stp_rerun": {"brian2-numpy": 0.370},
}


# ----------------------------------------------------------------------------- children
def run_child(spec: dict, env: dict, timeout: float) -> dict:
    """Run child.py with ``spec`` in a fresh process; never raises."""
    cmd = [sys.executable, str(HERE / "child.py"), json.dumps(spec)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timeout after {timeout:.0f} s",
                "wall_s": time.perf_counter() - t0}
    wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if not lines:
        return {"ok": False, "wall_s": wall,
                "error": f"exit code {proc.returncode}: {proc.stderr.strip()[-1500:]}"}
    result = json.loads(lines[-1][len("RESULT "):])
    # The extra run made only to time the loop with every kernel loaded is not part of
    # the model's whole-process time (the other tools run the model once).
    result["wall_s"] = wall - result.get("second_run_s", 0.0)
    return result


def child_env(cache_dir: Path) -> dict:
    env = dict(ENVIRON, SNNCORE_CACHE_DIR=str(cache_dir), MPLBACKEND="Agg")
    env.pop("PYTHONSTARTUP", None)
    return env


def run_model(model: str, tools: list, quick: bool, timeout: float, scratch: Path) -> dict:
    workdir = scratch / model
    workdir.mkdir(parents=True, exist_ok=True)
    env = child_env(workdir / "snncore-cache")
    results = {}
    for tool in tools:
        if (model, tool) in NOT_APPLICABLE:
            results[tool] = {"ok": False, "error": "not applicable", "skipped": True}
            continue
        spec = {"model": model, "tool": tool, "quick": quick, "workdir": str(workdir),
                "second_run": model in LOOP_MODELS and tool.startswith("snncore-numba")}
        res = run_child(spec, env, timeout)
        results[tool] = res
        print(f"  {model:16s} {tool:20s} " + _short(res), flush=True)
    return results


def _short(res: dict) -> str:
    if not res.get("ok"):
        return "FAILED: " + res.get("error", "?").splitlines()[0][:150]
    text = f"wall {res['wall_s']:8.2f} s  loop {res.get('loop_s', float('nan')):8.3f} s"
    if "rerun_median_s" in res:
        text += f"  re-run median {1e3 * res['rerun_median_s']:.1f} ms"
    else:
        text += f"  spikes {res.get('spikes', 0):>9d}  events {res.get('events', 0):>11d}"
    return text + f"  rss {res['peak_rss_mb']:.0f} MB"


def run_scaling(tools: list, quick: bool, timeout: float, scratch: Path) -> dict:
    """CUBA at fixed 80 inputs per neuron; times per simulated second."""
    sizes = models.SCALING_QUICK if quick else models.SCALING
    out = {"sizes": {}, "note": "CUBA with p = 80/N (80 inputs per neuron, pairs drawn "
           "with numpy and passed as connect(i=, j=)); durations "
           + ", ".join(f"{n}: {d:g} s" for n, d in sizes.items())
           + "; times normalised per simulated second"}
    for tool in tools:
        workdir = scratch / f"scaling-{tool}"
        workdir.mkdir(parents=True, exist_ok=True)
        env = child_env(workdir / "snncore-cache")
        rows = {}
        # warm-up process: fills the kernel or compile cache at the smallest size
        first = min(sizes)
        run_child({"model": "cuba_scaling", "tool": tool, "quick": quick,
                   "workdir": str(workdir), "N": first, "duration": 0.01}, env, timeout)
        for n, duration in sizes.items():
            res = run_child({"model": "cuba_scaling", "tool": tool, "quick": quick,
                             "workdir": str(workdir), "N": n, "duration": duration,
                             "warmup": True},
                            env, timeout)
            if res.get("ok"):
                res["loop_per_sim_s"] = res["loop_s"] / res["simulated_s"]
                res["run_per_sim_s"] = res["run_s"] / res["simulated_s"]
            rows[str(n)] = res
            print(f"  cuba_scaling N={n:<7d} {tool:20s} " + _short(res), flush=True)
        out["sizes"][tool] = rows
        out.setdefault("slopes", {})[tool] = fit_slope(rows)
        if tool.startswith("snncore"):
            n = 4000 if quick else 64000
            res = run_child({"model": "one_weight_memory", "tool": tool, "quick": quick,
                             "workdir": str(workdir), "N": n}, env, timeout)
            out.setdefault("memory", {})[tool] = memory_summary(rows, res)
    return out


def memory_summary(rows: dict, one_weight: dict) -> dict:
    """Bytes per neuron and per synapse of the scaling series: the arrays snncore holds
    (at the largest size), and the growth of the peak resident memory from 16k neurons
    up (a straight-line fit against the neurons, each with its 80 synapses, so that
    the fixed cost of the interpreter and the libraries drops out); and the bytes per
    synapse of a Synapses with one weight."""
    import numpy as np

    ok = {int(n): r for n, r in rows.items() if r.get("ok") and r.get("memory")}
    out: dict = {}
    if ok:
        largest = ok[max(ok)]["memory"]
        out["held_bytes_per_neuron"] = largest["bytes_per_neuron"]
        out["held_bytes_per_synapse"] = largest["bytes_per_synapse"]
        out["held_arrays_at_N"] = max(ok)
        out["connect_peak_bytes_per_synapse"] = largest.get("connect_peak_bytes_per_synapse")
    big = sorted(n for n in ok if n >= 16000)
    if len(big) < 2:
        big = sorted(ok)
    if len(big) >= 2:
        neurons = np.array(big, dtype=float)
        synapses = np.array([ok[n]["synapses"] for n in big], dtype=float)
        rss = np.array([ok[n]["peak_rss_mb"] for n in big]) * 2**20
        per_neuron = float(np.polyfit(neurons, rss, 1)[0])
        out["peak_rss_bytes_per_neuron_with_its_synapses"] = per_neuron
        out["peak_rss_bytes_per_synapse"] = float(np.polyfit(synapses, rss, 1)[0])
        out["peak_rss_note"] = (
            "growth of the peak RSS from N = " + f"{big[0]} to {big[-1]}, charged to the "
            "synapses alone (an upper bound); it includes the benchmark drawing the pairs "
            "with numpy (int64 arrays), which connect() then reads")
    if one_weight.get("ok"):
        mem = one_weight["memory"]
        out["one_weight"] = {
            "N": one_weight["N"], "synapses": one_weight["synapses"],
            "held_bytes_per_synapse": mem["bytes_per_synapse"],
            "held_bytes_per_synapse_with_row_pointers":
                mem["bytes_per_synapse_with_row_pointers"],
            "arrays": mem["arrays"]}
    else:
        out["one_weight"] = {"error": one_weight.get("error", "?")}
    return out


def fit_slope(rows: dict, n_min: int = 16000) -> dict | None:
    import numpy as np

    pts = [(int(n), r["loop_per_sim_s"]) for n, r in rows.items()
           if r.get("ok") and int(n) >= n_min and r["loop_per_sim_s"] > 0]
    if len(pts) < 2:
        pts = [(int(n), r["loop_per_sim_s"]) for n, r in rows.items()
               if r.get("ok") and r["loop_per_sim_s"] > 0]
        n_min = min((p[0] for p in pts), default=0)
    if len(pts) < 2:
        return None
    x, y = np.log10([p[0] for p in pts]), np.log10([p[1] for p in pts])
    slope, intercept = np.polyfit(x, y, 1)
    return {"slope": float(slope), "intercept": float(intercept), "from_N": n_min,
            "points": len(pts)}


def _json_line(out: str) -> dict | None:
    """The JSON object on the last line of ``out``, if there is one."""
    lines = out.strip().splitlines()
    try:
        value = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def run_extras(timeout: float) -> dict:
    extras = {}
    for script in EXTRAS:
        print(f"\n== {script}", flush=True)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(HERE / script)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout,
                                  env=dict(ENVIRON, MPLBACKEND="Agg"))
            ok, out = proc.returncode == 0, proc.stdout
            err = proc.stderr[-1500:] if proc.returncode else ""
        except subprocess.TimeoutExpired:
            ok, out, err = False, "", f"timeout after {timeout:.0f} s"
        print(out + (("\n" + err) if err else ""), flush=True)
        extras[script] = {"ok": ok, "seconds": time.perf_counter() - t0,
                          "stdout": out, "error": err}
        numbers = _json_line(out)
        if numbers is not None:  # a script's numbers, when its last line gives them
            extras[script]["numbers"] = numbers
    return extras


# ----------------------------------------------------------------------------- analysis
def add_ratios(results: dict) -> None:
    for row in results.values():
        ref = row.get(REFERENCE, {})
        for res in row.values():
            if not (res.get("ok") and ref.get("ok")):
                continue
            res["ratio_wall"] = res["wall_s"] / ref["wall_s"]
            if ref.get("loop_s"):
                res["ratio_loop"] = res["loop_s"] / ref["loop_s"]


def _get(results, model, tool, key="wall_s"):
    res = results.get(model, {}).get(tool, {})
    return res.get(key) if res.get("ok") else None


def _loop(results, model, tool):
    """The loop time of ``tool``: its second run in the process (every kernel loaded)
    where measured, else its run."""
    return _get(results, model, tool, "second_loop_s") or _get(results, model, tool, "loop_s")


def check_targets(results: dict, scaling: dict | None, extras: dict | None = None) -> list:
    """The targets of issues 8 and 19, against the Brian 2 numbers measured in this same
    run, and those of the micro-benchmarks (``extras``) that give numbers."""
    out = []

    def add(name, value, limit, unit="s", better="lower"):
        if value is None or limit is None:
            out.append({"target": name, "status": "not measured"})
            return
        met = value <= limit if better == "lower" else value >= limit
        out.append({"target": name, "value": value, "limit": limit, "unit": unit,
                    "met": bool(met), "factor": value / limit if limit else None})

    for model in ("cuba", "cobahh", "brunel_hakim", "tsodyks2000", "tuning_curve"):
        if model not in results:
            continue
        warm = _get(results, model, "brian2-cython-warm")
        first = _get(results, model, "brian2-cython-first")
        add(f"{model}: numba warm <= 1/4 cython warm", _get(results, model, REFERENCE),
            warm / 4 if warm else None)
        add(f"{model}: numba first <= 1/10 cython first",
            _get(results, model, "snncore-numba-first"), first / 10 if first else None)
    for model in ("cuba", "cobahh", "brunel_hakim"):
        if model in results:
            add(f"{model}: numba loop (second run in the process) <= C++ standalone loop",
                _get(results, model, REFERENCE, "second_loop_s")
                or _get(results, model, REFERENCE, "loop_s"),
                _get(results, model, "brian2-cpp-warm", "loop_s")
                or _get(results, model, "brian2-cpp-first", "loop_s"))
    cores = os.cpu_count()
    for model in THREAD_MODELS:
        one, every = _loop(results, model, "snncore-numba-1thread"), _loop(results, model,
                                                                           REFERENCE)
        add(f"{model}: numba loop >= 1.7x faster on {cores} threads than on 1",
            one / every if one and every else None, 1.7, unit="x", better="higher")
    for model, row in results.items():
        openmp = row.get("brian2-cpp-openmp")
        # The C++ timer covers the last run() only: comparable for models run once.
        if openmp is not None and not openmp.get("skipped") and \
                (openmp.get("runs") == 1 or not openmp.get("ok")):
            add(f"{model}: numba loop <= C++ standalone OpenMP loop ({cores} threads)",
                _loop(results, model, REFERENCE), _get(results, model, "brian2-cpp-openmp",
                                                       "loop_s"))
    if "stp_rerun" in results:
        add("stp re-run after a change < 50 ms (median of 20)",
            _get(results, "stp_rerun", REFERENCE, "rerun_median_s"), 0.050)
        res = results["stp_rerun"].get(REFERENCE, {})
        if res.get("ok"):
            out.append({"target": "stp re-run: no compilation",
                        "value": res.get("compiled_during_reruns"),
                        "met": res.get("compiled_during_reruns") == 0})
    if "corr_segmented" in results and "corr_continuous" in results:
        seg = _get(results, "corr_segmented", REFERENCE, "run_s")
        cont = _get(results, "corr_continuous", REFERENCE, "run_s")
        add("correlated groups: segmented run() time <= 1.5x continuous", seg,
            1.5 * cont if cont else None)
    if scaling and scaling.get("slopes", {}).get(REFERENCE):
        s = scaling["slopes"][REFERENCE]["slope"]
        out.append({"target": "CUBA scaling: log-log slope in [0.9, 1.1] from 16k",
                    "value": s, "met": 0.9 <= s <= 1.1})
    one = (scaling or {}).get("memory", {}).get(REFERENCE, {}).get("one_weight", {})
    if "held_bytes_per_synapse" in one:
        add("bytes per synapse with one weight (arrays held after a run) <= 16",
            one["held_bytes_per_synapse"], 16, unit="B")
    for model in results:
        mine = _get(results, model, "snncore-numpy",
                    "rerun_median_s" if model == "stp_rerun" else "wall_s")
        theirs = _get(results, model, "brian2-numpy",
                      "rerun_median_s" if model == "stp_rerun" else "wall_s")
        add(f"{model}: snncore numpy <= Brian 2 numpy", mine, theirs)
    numbers = {script: run.get("numbers") or {} for script, run in (extras or {}).items()}
    for model, row in numbers.get("compile_time.py", {}).items():
        add(f"{model}: a first run (empty cache) compiles for <= 1 s", row.get("compile_s"),
            1.0)
    for explorer, row in numbers.get("widget_latency.py", {}).items():
        add(f"slider {explorer}: model re-run < {row['target_ms']:.0f} ms", row["model_ms"],
            row["target_ms"], unit="ms")
        if row["compiled"]:
            out.append({"target": f"slider {explorer}: no compilation",
                        "value": row["compiled"], "met": False})
    bh = results.get("brunel_hakim", {}).get(REFERENCE, {})
    if bh.get("ok") and bh.get("memory"):
        out.append({"target": "Brunel-Hakim bytes per synapse <= 16 (weight-only synapse)",
                    "value": bh["memory"]["bytes_per_synapse"],
                    "met": bh["memory"]["bytes_per_synapse"] <= 16,
                    "note": "this model's synapse has no weight (on_pre: V -= J); "
                            "synapses_large.py measures the w : volt variant"})
    return out


def machine_info(argv: list) -> dict:
    info = {"date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(["python", "benchmarks/run.py", *argv]),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 2**20, 1)
        info["loadavg_at_start"] = os.getloadavg()
    except OSError:
        pass
    versions = {}
    for mod in ("snncore", "brian2", "numpy", "numba", "Cython", "scipy"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            versions[mod] = None
    try:
        versions["g++"] = subprocess.run(["g++", "--version"], capture_output=True,
                                         text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        versions["g++"] = None
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT,
                                            capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    info["versions"] = versions
    return info


# ----------------------------------------------------------------------------- output
def format_table(data: dict) -> str:
    """The results as a Markdown table (also used by the book's Performance page)."""
    lines = ["| model | tool | whole process (s) | run() (s) | loop (s) | x numba warm "
             "(whole / loop) | spikes | syn. events | peak RSS (MB) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for model, row in data["results"].items():
        for tool, res in row.items():
            if res.get("skipped"):
                continue
            if not res.get("ok"):
                lines.append(f"| {model} | {tool} | failed: "
                             f"{res.get('error', '?').splitlines()[0][:60]} | | | | | | |")
                continue
            ratio = (f"{res['ratio_wall']:.2f} / {res.get('ratio_loop', float('nan')):.2f}"
                     if "ratio_wall" in res else "")
            if model == "stp_rerun":
                loop = f"{1e3 * res['rerun_median_s']:.1f} ms (median re-run)"
                spikes = events = ""
            else:
                loop = f"{res['loop_s']:.3f}" + (" (last run)" if "last" in
                                                  res.get("loop_note", "") else "")
                if "second_loop_s" in res:
                    loop += f"; 2nd run {res['second_loop_s']:.3f}"
                spikes, events = f"{res['spikes']:,}", f"{res['events']:,}"
            lines.append(f"| {model} | {tool} | {res['wall_s']:.2f} | {res['run_s']:.3f} "
                         f"| {loop} | {ratio} | {spikes} | {events} "
                         f"| {res['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = make_figure(data)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make_figure(data: dict):
    """Whole-process times per model and tool (bars), and the CUBA scaling series."""
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np

    results, scaling = data["results"], data.get("scaling")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), width_ratios=[2.4, 1],
                             layout="constrained")
    ax = axes[0]
    model_names = list(results)
    tools = [t for t in TOOLS if any(t in results[m] for m in model_names)]
    width = 0.8 / max(len(tools), 1)
    colors = plt.get_cmap("tab10")
    for k, tool in enumerate(tools):
        xs, ys = [], []
        for i, model in enumerate(model_names):
            res = results[model].get(tool, {})
            if res.get("ok"):
                xs.append(i + (k - (len(tools) - 1) / 2) * width)
                ys.append(res["wall_s"])
        ax.bar(xs, ys, width, label=tool, color=colors(k))
    ax.set_yscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks(range(len(model_names)), [m.replace("_", "\n") for m in model_names])
    ax.set_ylabel("whole-process wall time (s, log scale)")
    ax.set_title("Each model in a fresh process (lower is better)", fontsize="medium")
    ax.legend(fontsize="small", ncols=2)
    ax.grid(axis="y", which="both", alpha=0.3)

    ax = axes[1]
    if scaling and scaling.get("sizes"):
        for k, (tool, rows) in enumerate(scaling["sizes"].items()):
            pts = sorted((int(n), r["loop_per_sim_s"]) for n, r in rows.items()
                         if r.get("ok") and r.get("loop_per_sim_s"))
            if not pts:
                continue
            n, y = np.array(pts).T
            ax.loglog(n, y, "o-", label=tool, color=colors(TOOLS.index(tool)
                                                          if tool in TOOLS else k))
            fit = scaling.get("slopes", {}).get(tool)
            if fit:
                xs = np.array([fit["from_N"], n.max()])
                ax.loglog(xs, 10 ** (fit["intercept"] + fit["slope"] * np.log10(xs)),
                          "k--", lw=1,
                          label=f"fit from {fit['from_N'] // 1000}k: slope "
                                f"{fit['slope']:.2f}")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: f"{v / 1000:g}k"))
        ax.yaxis.set_major_formatter(plain)
        ax.set_xlabel("neurons N (80 inputs each)")
        ax.set_ylabel("loop time per simulated second (s)")
        ax.set_title("CUBA scaling (log-log)", fontsize="medium")
        ax.legend(fontsize="small")
        ax.grid(which="both", alpha=0.3)
    else:
        ax.set_axis_off()
    return fig


def merge(old: dict, new: dict, argv: list) -> dict:
    """``old`` with the (model, tool) rows, scaling and extras measured in ``new``."""
    for model, row in new["results"].items():
        for res in row.values():
            res["measured"] = new["machine"]["date"]
        old["results"].setdefault(model, {}).update(row)
        order = [t for t in TOOLS if t in old["results"][model]]
        old["results"][model] = {t: old["results"][model][t] for t in order}
    for key in ("scaling", "extras"):
        if key in new:
            old[key] = new[key]
    old.setdefault("updates", []).append(
        {"date": new["machine"]["date"], "command": new["machine"]["command"],
         "models": list(new["results"]), "tools": new["tools"],
         "loadavg_at_start": new["machine"].get("loadavg_at_start"),
         "seconds": new["total_s"]})
    return old


def print_targets(data: dict) -> None:
    print("\nTargets (against the Brian 2 numbers of this run):")
    for t in data["targets"]:
        if "met" not in t:
            print(f"  [  ?  ] {t['target']}: {t.get('status')}")
            continue
        extra = (f" ({t['value']:.3g} vs limit {t['limit']:.3g}, x{t['factor']:.2f})"
                 if "limit" in t else f" ({t['value']})")
        print(f"  [{'met' if t['met'] else 'MISS':^5s}] {t['target']}{extra}")


# ----------------------------------------------------------------------------- main
def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="toy sizes, for testing")
    parser.add_argument("--only", default="", help="comma-separated models: "
                        + ", ".join(MODEL_NAMES) + ", scaling")
    parser.add_argument("--tools", default="", help="comma-separated: " + ", ".join(TOOLS))
    parser.add_argument("--scaling-tools", default=REFERENCE,
                        help="tools for the CUBA scaling series (default: numba warm)")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    parser.add_argument("--timeout", type=float, default=600, help="seconds per child")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-extras", action="store_true",
                        help="skip engine_core.py, fixed_cost.py, compile_time.py, synapses_large.py, "
                             "widget_latency.py, "
                             "segments.py, nonfinite_check.py, sweep_speed.py, random_draws.py, "
                             "threads_speed.py")
    parser.add_argument("--update", action="store_true",
                        help="re-measure the selected models and tools and merge them "
                             "into the existing --output file (recorded under 'updates')")
    parser.add_argument("--retarget", action="store_true",
                        help="measure nothing: check the targets again on the results in "
                             "--output (after a change to the targets) and rewrite it")
    args = parser.parse_args(argv)
    if args.retarget:
        output = Path(args.output).resolve()
        data = json.loads(output.read_text())
        data["targets"] = check_targets(data["results"], data.get("scaling"),
                                        data.get("extras"))
        output.write_text(json.dumps(data, indent=1, default=float) + "\n")
        print_targets(data)
        return 0

    only = [m for m in args.only.split(",") if m]
    unknown = set(only) - set(MODEL_NAMES) - {"scaling"}
    if unknown:
        parser.error(f"unknown models {sorted(unknown)}")
    tools = [t for t in args.tools.split(",") if t] or TOOLS
    if set(tools) - set(TOOLS):
        parser.error(f"unknown tools {sorted(set(tools) - set(TOOLS))}")
    # "warm" needs its "first" process before it, in the same cache folder
    for warm, first in (("snncore-numba-warm", "snncore-numba-first"),
                        ("snncore-numba-1thread", "snncore-numba-first"),
                        ("brian2-cython-warm", "brian2-cython-first"),
                        ("brian2-cpp-warm", "brian2-cpp-first")):
        if warm in tools and first not in tools:
            tools.insert(tools.index(warm), first)
    model_list = [m for m in MODEL_NAMES if not only or m in only]
    do_scaling = not args.no_scaling and (not only or "scaling" in only)
    do_extras = not (args.no_extras or args.quick or only)

    output = Path(args.output).resolve()
    data = {"machine": machine_info(argv), "quick": args.quick, "tools": tools,
            "reference": REFERENCE, "anchors": ANCHORS,
            "descriptions": {m: models.MODELS[m][1] for m in models.MODELS}
            | {"stp_rerun": "STP figure model (1 input, 1 synapse, 1 neuron, 300 ms) "
               "rebuilt and re-run after a parameter change; median over 20 changes"},
            "results": {}}
    t_start = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="snncore-bench-"))
    try:
        for model in model_list:
            print(f"== {model}: {data['descriptions'][model]}", flush=True)
            data["results"][model] = run_model(model, tools, args.quick, args.timeout,
                                               scratch)
        if do_scaling:
            print("== CUBA scaling series", flush=True)
            data["scaling"] = run_scaling(
                [t for t in args.scaling_tools.split(",") if t], args.quick, args.timeout,
                scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if do_extras:
        data["extras"] = run_extras(min(args.timeout, 400))
    data["total_s"] = time.perf_counter() - t_start
    if args.update and output.is_file():
        data = merge(json.loads(output.read_text()), data, argv)
    add_ratios(data["results"])
    data["targets"] = check_targets(data["results"], data.get("scaling"), data.get("extras"))

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, indent=1, default=float) + "\n")
    plot(data, output.with_suffix(".png"))

    print("\n" + format_table(data))
    if data.get("scaling"):
        for tool, fit in data["scaling"].get("slopes", {}).items():
            if fit:
                print(f"\nscaling {tool}: log-log slope {fit['slope']:.2f} "
                      f"(from N = {fit['from_N']}, {fit['points']} points)")
        for tool, mem in data["scaling"].get("memory", {}).items():
            print(f"memory {tool}: " + ", ".join(
                f"{key} {value:.1f}" for key, value in mem.items()
                if isinstance(value, float)) + ", one weight: " + ", ".join(
                f"{key} {value:.1f}" for key, value in mem.get("one_weight", {}).items()
                if isinstance(value, float)))
    print_targets(data)
    print(f"\nwrote {output} and {output.with_suffix('.png')} "
          f"in {data['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

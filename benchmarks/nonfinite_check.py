"""Cost of the non-finite check at the end of each run chunk (``prefs.snncore.nonfinite``).

    python benchmarks/nonfinite_check.py [--repeats 2] [--backends numba,numpy]

Two models of 4000 neurons run for 1 s at dt = 0.1 ms: CUBA (the benchmark model) and a
noisy LIF (``xi``, euler-maruyama). Each measurement runs in a fresh process, after a
warm-up run that loads the kernels. Two numbers per model and backend:

- ``check_share``: the seconds spent in the checks (timed around each in the run) over
  the seconds of the run, the direct measure; target <= 2 %. ``typical`` is the median
  check times the number of checks (a process preempted by the machine's other work in
  the middle of one check of a few microseconds would otherwise count tens of ms);
  ``worst`` is the plain sum, in the worst run. A garbage collection
  of Python's that starts during a check is subtracted: the check only allocates
  objects it frees at once, so the collection was due and would have run at the next
  allocation of the loop (these collections take tens of ms in a process holding Numba's
  compiled code, enough to swamp the check's microseconds);
- ``on_off``: the run time with the check on ('error') over the run time with it off
  ('ignore'), minus one; noisy on a shared machine, a cross-check only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r'''
import gc, json, sys, time
sys.path.insert(0, sys.argv[4])
import snncore
from snncore import *
from snncore import nonfinite
import bench_models

backend, model, mode = sys.argv[1], sys.argv[2], sys.argv[3]
spent = []  # seconds of each check
after_chunk = nonfinite.NonFiniteCheck.after_chunk
collecting = [0.0, 0.0]  # start of the current collection, seconds collected in all

def on_gc(phase, info):
    now = time.perf_counter()
    if phase == "start":
        collecting[0] = now
    else:
        collecting[1] += now - collecting[0]

gc.callbacks.append(on_gc)

def timed(self, t, final):
    began, collected = time.perf_counter(), collecting[1]
    after_chunk(self, t, final)
    # A garbage collection due anyway may start in the check: it is not the check's.
    spent.append(time.perf_counter() - began - (collecting[1] - collected))

nonfinite.NonFiniteCheck.after_chunk = timed
set_backend(backend)
prefs.snncore.nonfinite = mode

def build():
    if model == "cuba":
        spec = bench_models.cuba(snncore, N=4000, duration=1.0, p=0.02)
        return Network(*spec.objects)
    start_scope()
    G = NeuronGroup(4000, """dv/dt = (mu - v)/tau + sigma*xi/sqrt(tau) : 1
                            mu : 1""", threshold="v > 1", reset="v = 0",
                    method="euler", namespace=dict(tau=10*ms, sigma=0.5))
    G.mu = "0.8 + 0.4*rand()"
    return Network(G, SpikeMonitor(G))

build().run(10*ms)  # compile or load the kernels
net = build()
spent.clear()
began = time.perf_counter()
net.run(1*second)
loop = time.perf_counter() - began
print(json.dumps({"loop_s": loop, "checks_s": spent}))
'''


def measure(backend: str, model: str, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, backend, model, mode, str(HERE)],
                          capture_output=True, text=True, timeout=900)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--backends", default="numba,numpy")
    args = parser.parse_args()
    results = {}
    for backend in args.backends.split(","):
        for model in ("cuba", "noisy_lif"):
            on, off = [], []
            for _ in range(args.repeats):  # interleaved, so that the machine's load
                on.append(measure(backend, model, "error"))  # drifts alike for both
                off.append(measure(backend, model, "ignore"))
            loop_on = statistics.median(r["loop_s"] for r in on)
            loop_off = statistics.median(r["loop_s"] for r in off)
            share = max(sum(r["checks_s"]) / r["loop_s"] for r in on)
            typical = statistics.median(
                statistics.median(r["checks_s"]) * len(r["checks_s"]) / r["loop_s"]
                for r in on)
            checks = statistics.median(len(r["checks_s"]) for r in on)
            results[f"{model}/{backend}"] = {
                "loop_s_on": loop_on, "loop_s_off": loop_off, "checks": checks,
                "check_share_worst": share, "check_share_typical": typical,
                "on_off": loop_on / loop_off - 1}
            print(f"{model:10s} {backend:6s} loop {loop_on:6.3f} s (off: {loop_off:6.3f} s)"
                  f"  {checks:4.0f} checks: {typical:7.3%} of the loop (worst run, all "
                  f"time in checks: {share:6.3%})  on/off {loop_on / loop_off - 1:+.1%}",
                  flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Engine-core throughput: neuron updates per second, and first/second run() latency.

Run ``python benchmarks/engine_core.py``; each measurement runs in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap

LIF = """
from snncore import *
import time
set_backend('{backend}')
N = 100_000
tau = 10*ms
G = NeuronGroup(N, '''dv/dt = (I - v)/tau : 1
I : 1''', threshold='v > 1', reset='v = 0', method='exact')
G.I = '0.5 + 1.5*rand()'
run(10*ms)  # compile or load kernels
t0 = time.perf_counter(); run(100*ms); elapsed = time.perf_counter() - t0
print(json.dumps({{'updates_per_s': N*1000/elapsed, 'seconds': elapsed}}))
"""

HH = """
from snncore import *
import time
set_backend('{backend}')
N = 4000
area = 20000*umetre**2
Cm = 1*ufarad*cm**-2*area
gl = 5e-5*siemens*cm**-2*area
El, EK, ENa, VT = -60*mV, -90*mV, 50*mV, -63*mV
g_na = 100*msiemens*cm**-2*area
g_kd = 30*msiemens*cm**-2*area
eqs = '''
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/(exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/(exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/(exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
I : amp
'''
G = NeuronGroup(N, eqs, threshold='v > -40*mV', refractory='v > -40*mV',
                method='exponential_euler')
G.v = El
G.I = '1*nA*rand()'
run(10*ms)
t0 = time.perf_counter(); run(100*ms); elapsed = time.perf_counter() - t0
print(json.dumps({{'updates_per_s': N*1000/elapsed, 'seconds': elapsed}}))
"""

SMALL = """
import time
t_import = time.perf_counter()
from snncore import *
from snncore.backends.numba_backend import compile_count
set_backend('{backend}')
tau = 10*ms
G = NeuronGroup(1, '''dv/dt = (I - v)/tau : 1
I : 1''', threshold='v > 1', reset='v = 0', method='exact')
G.I = 2
M = StateMonitor(G, 'v', record=True)
S = SpikeMonitor(G)
t0 = time.perf_counter(); run(100*ms); first = time.perf_counter() - t0
tau = 20*ms
t0 = time.perf_counter(); run(100*ms); second = time.perf_counter() - t0
print(json.dumps({{'first_run_s': first, 'second_run_s': second,
                  'compiled': compile_count()}}))
"""


def _child(code: str, backend: str, cache: str) -> dict:
    env = {"SNNCORE_CACHE_DIR": cache}
    import os

    full_env = dict(os.environ, **env)
    script = "import json\n" + textwrap.dedent(code.format(backend=backend))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=full_env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    """Measure and print the engine-core numbers; return them as a dict."""
    results = {}
    with tempfile.TemporaryDirectory() as cache:
        for backend in ("numba", "numpy"):
            results[f"lif_100k_{backend}"] = _child(LIF, backend, cache)
            results[f"hh_4000_{backend}"] = _child(HH, backend, cache)
        with tempfile.TemporaryDirectory() as fresh:
            results["small_numba_empty_cache"] = _child(SMALL, "numba", fresh)
            results["small_numba_warm_cache"] = _child(SMALL, "numba", fresh)
        results["small_numpy"] = _child(SMALL, "numpy", cache)
    for name, values in results.items():
        print(f"{name:28s} " + "  ".join(f"{k}={v:.4g}" for k, v in values.items()))
    return results


if __name__ == "__main__":
    main()

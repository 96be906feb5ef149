"""Threads in the Numba backend (:mod:`snncore.backends.threads`): the same bits for any
number of threads.

The model runs in a subprocess started with ``NUMBA_NUM_THREADS=3`` (Numba fixes its
largest thread count at import), with every kernel over more than one block made
parallel (``MIN_WORK = 0``), on 1, 2 and 3 threads, in one run and in segments, and once
with serial kernels; spikes, recorded values and the final state must agree bit for bit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import snncore as snn
from snncore import philox
from snncore.backends import threads
from snncore.backends.codegen import runs_parallel
from snncore.errors import PreferenceError
from snncore.expressions import parse_expression

ROOT = Path(__file__).resolve().parent.parent

# Noise (xi), rand() in a threshold, a reset and synaptic code, a clock-driven synaptic
# variable (a parallel kernel over synapses), one delay and per-synapse delays, and the
# three monitors. 2501 neurons: three blocks, the last of an odd length.
_SCRIPT = r"""
import json, sys
import numba
import numpy as np
import snncore as snn
from snncore.backends import threads

ms = snn.ms

def run(segments):
    snn.start_scope()
    snn.seed(11)
    G = snn.NeuronGroup(2501, '''dv/dt = (I - v + 0.3*xi*sqrt(tau))/tau : 1 (unless refractory)
                                 dg/dt = -g/tau : 1
                                 I : 1 (constant)
                                 s : 1''',
                        threshold='v > 1 and rand() < 0.8', reset='v = 0.2*rand(); s += 1',
                        refractory=2*ms, method='euler', namespace={'tau': 10*ms})
    G.I = 'rand()*0.5 + 0.8'
    G.v = 'rand()'
    S = snn.Synapses(G, G, '''w : 1
                              dy/dt = -y/(5*ms) : 1 (clock-driven)''',
                     on_pre='y += 1; g_post += w*y*int(rand() < 0.5)', delay=1*ms)
    S.connect(p=0.005)
    S.w = 'rand()*0.1'
    H = snn.Synapses(G, G, on_pre='v_post -= 0.01')
    H.connect(p=0.002)
    H.delay = 'rand()*2*ms'
    M = snn.SpikeMonitor(G, variables='v')
    St = snn.StateMonitor(G, ['v', 'g'], record=True)
    R = snn.PopulationRateMonitor(G)
    net = snn.Network(G, S, H, M, St, R)
    for duration in segments:
        net.run(duration*ms)
    return {'i': M.i[:], 't': M.t[:], 'vs': M.v[:], 'v': St.v[:], 'g': St.g[:],
            'rate': R.rate[:], 'y': S.y[:], 's': G.s[:], 'end_v': G.v[:]}

out = sys.argv[1]
threads.MIN_WORK = 0.0
results = {}
for k in (1, 2, 3):
    numba.set_num_threads(k)
    results[f'{k} threads, one run'] = run([20])
    # the preference sets the threads of a run
    numba.set_num_threads(1)
    snn.prefs.snncore.threads = k
    results[f'{k} threads, in segments'] = run([5, 7, 8])
    snn.prefs.snncore.threads = 0
threads.MIN_WORK = float('inf')
results['serial kernels'] = run([20])
np.savez(out, **{f'{case}|{name}': value for case, arrays in results.items()
                 for name, value in arrays.items()})
"""


@pytest.fixture(scope="module")
def thread_runs(tmp_path_factory, snncore_cache_dir):
    out = tmp_path_factory.mktemp("threads") / "runs.npz"
    # Threads that sleep at once when idle (rather than spin for a while): three threads
    # on a machine of two busy cores would spend seconds spinning, and no bit depends
    # on it.
    env = dict(os.environ, NUMBA_NUM_THREADS="3", OMP_WAIT_POLICY="passive",
               SNNCORE_CACHE_DIR=str(snncore_cache_dir),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(out)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = np.load(out)
    runs: dict[str, dict[str, np.ndarray]] = {}
    for key in data.files:
        case, name = key.split("|")
        runs.setdefault(case, {})[name] = data[key]
    return runs


def test_same_bits_for_any_thread_count(thread_runs):
    reference = thread_runs["1 threads, one run"]
    assert reference["i"].size > 1000  # spikes from every block
    assert np.unique(reference["i"] // threads.BLOCK).size == 3
    for case, arrays in thread_runs.items():
        for name, value in arrays.items():
            assert np.array_equal(value, reference[name]), f"{name} differs: {case}"


def test_spikes_of_one_step_stay_sorted(thread_runs):
    run = thread_runs["2 threads, one run"]
    steps = np.round(run["t"] / (0.1 * snn.ms)).astype(np.int64)
    order = np.lexsort((run["i"], steps))
    assert np.array_equal(order, np.arange(order.size))


@pytest.mark.parametrize("lo, hi", [(0, 2501), (1024, 2048), (2048, 2501), (4, 7), (0, 1)])
def test_block_draws_are_the_elements_draws(lo, hi):
    key = (np.uint64(7), np.uint64(9), np.uint64(3))
    indices = np.arange(0, 5002, 2, dtype=np.int64)
    for span, whole, at in ((philox.uniforms_span, philox.uniforms_range, False),
                            (philox.normals_span, philox.normals_range, False),
                            (philox.uniforms_span_at, philox.uniforms_at, True),
                            (philox.normals_span_at, philox.normals_at, True)):
        out = np.full(hi - lo + 1, np.nan)
        if at:
            span(out, *key, 5, 2, indices, lo, hi)
            expected = whole(*key, 5, 2, indices, 2501)
        else:
            span(out, *key, 5, 2, lo, hi)
            expected = whole(*key, 5, 2, 2501)
        assert np.array_equal(out[:-1], expected[lo:hi]), span.__name__
        assert np.isnan(out[-1]), span.__name__


def _parallel(model: str, n: int, threshold: str | None = None) -> bool:
    """Whether the Numba kernels of this group would run in parallel (decided on the
    kernel specification, which the numpy backend builds without compiling)."""
    snn.set_backend("numpy")
    G = snn.NeuronGroup(n, model, threshold=threshold, method="euler")
    net = snn.Network(G)
    net.run(0.1 * snn.ms)
    return any(runs_parallel(bound.spec) for bound in G._bound_cache.values())


def test_threads_only_for_enough_work():
    hh = "dv/dt = (exp(-v) - v + exp(v/2)*exp(-v/3))/(10*ms) : 1"
    assert _parallel(hh, 4000)
    assert not _parallel(hh, 400)
    # a leaky integrator of 4000 neurons is a few microseconds: threads would cost more
    assert not _parallel("dv/dt = -v/(10*ms) : 1", 4000)
    # arithmetic alone waits for memory, which a second core does not speed up
    assert not threads.worth_threads([parse_expression("-v/tau")], 10**6)
    assert threads.worth_threads([parse_expression("-v/tau + sigma*randn()")], 10**6)
    assert not threads.worth_threads([parse_expression("exp(-v/tau)")], threads.BLOCK)


def test_threads_preference():
    import numba

    seen = []
    G = snn.NeuronGroup(1, "v : 1")

    @snn.network_operation
    def note():
        seen.append(numba.get_num_threads())

    snn.set_backend("numba")
    hh = "dv/dt = (exp(-v) - v + exp(v/2)*exp(-v/3))/(10*ms) : 1"
    wanted = min(2, numba.config.NUMBA_NUM_THREADS)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        snn.prefs.snncore.threads = wanted
        snn.Network(G, note).run(0.2 * snn.ms)
        assert numba.get_num_threads() == 1  # Numba's setting, restored after the run
        # One thread: serial kernels only.
        assert _parallel(hh, 4000)
        snn.prefs.snncore.threads = 1
        assert not _parallel(hh, 4000)
    finally:
        snn.prefs.snncore.threads = 0
        numba.set_num_threads(before)
    assert seen == [wanted, wanted]
    for bad in (-1, 1.5, "all", True, numba.config.NUMBA_NUM_THREADS + 1):
        with pytest.raises(PreferenceError, match="prefs.snncore.threads cannot be"):
            snn.prefs.snncore.threads = bad

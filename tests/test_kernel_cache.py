"""Numba kernels: external constants are arguments (no recompiling), and the disk cache
lets a second process start without compiling anything."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from snncore import NeuronGroup, SpikeMonitor, StateMonitor, ms, run, set_backend, start_scope
from snncore.backends import numba_backend

MODEL = """dv/dt = (I - v)/tau : 1 (unless refractory)
           I : 1"""


def _lif():
    G = NeuronGroup(2, MODEL, threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="exact")
    G.I = [0.5, 2.0]
    return G


@pytest.fixture
def numba():
    set_backend("numba")
    start_scope()


def test_changing_an_external_constant_does_not_recompile(numba):
    tau = 10 * ms
    G = _lif()
    M = StateMonitor(G, "v", record=True)
    S = SpikeMonitor(G)
    # long enough for neuron 1 to spike, so that every kernel (Numba compiles lazily, at
    # the first call), the reset included, has run once
    run(20 * ms)
    assert S.count[1] > 0
    compiled = numba_backend.compile_count()
    v_first = G.v[0]  # neuron 0 (I = 0.5) never fires
    assert v_first == pytest.approx(0.5 * (1 - np.exp(-20 * ms / tau)), abs=1e-12)
    tau = 20 * ms
    run(20 * ms)
    assert numba_backend.compile_count() == compiled
    expected = 0.5 + (v_first - 0.5) * np.exp(-20 * ms / tau)
    assert G.v[0] == pytest.approx(expected, abs=1e-12)
    assert M.v.shape == (2, 400)


def test_rebuilding_the_same_model_in_a_new_scope_does_not_recompile(numba):
    tau = 10 * ms  # noqa: F841
    G = _lif()
    S = SpikeMonitor(G)
    run(20 * ms)
    compiled = numba_backend.compile_count()
    first = S.t.copy()
    assert first.size > 0
    start_scope()
    G = _lif()
    S = SpikeMonitor(G)
    run(20 * ms)
    assert numba_backend.compile_count() == compiled
    np.testing.assert_array_equal(S.t, first)


CHILD = textwrap.dedent("""
    import numpy as np
    from snncore import *
    from snncore.backends import numba_backend

    set_backend("numba")
    tau = {tau}*ms
    G = NeuronGroup(3, '''dv/dt = (I - v)/tau : 1 (unless refractory)
                          I : 1''', threshold="v > 1", reset="v = 0", refractory=2*ms,
                    method="exact")
    G.I = [0.5, 2.0, 3.0]
    M = StateMonitor(G, "v", record=[0, 2])
    S = SpikeMonitor(G)
    run(20*ms)
    print(numba_backend.compile_count(), S.num_spikes, repr(float(M.v.sum())))
""")


def _child(cache, tau=10):
    env = dict(os.environ, SNNCORE_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-c", CHILD.format(tau=tau)], env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    compiled, spikes, total = out.stdout.split()
    return int(compiled), int(spikes), float(total)


def test_second_process_loads_kernels_from_disk(tmp_path):
    cache = tmp_path / "cache"
    first = _child(cache)
    assert first[0] > 0, "a process with an empty cache must compile its kernels"
    assert first[1] > 0
    assert (cache / "numba").is_dir() and any((cache / "numba").iterdir())
    second = _child(cache)
    assert second[0] == 0, f"the second process compiled {second[0]} kernel(s)"
    assert second[1:] == first[1:]
    # another value of an external constant: same kernels, different result
    third = _child(cache, tau=20)
    assert third[0] == 0
    assert third[2] != first[2]

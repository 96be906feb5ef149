"""Runs stop between whole steps: Ctrl-C and exceptions never tear a network.

A real SIGINT is sent to a subprocess at random moments (a fixed seed chooses them)
while it runs a noisy network with heterogeneous and homogeneous delays and all three
monitors; after each KeyboardInterrupt the subprocess checks that ``t`` and every
monitor agree, then continues. Its spikes and traces must equal, bit for bit, those of
the same run never interrupted.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from snncore import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    network_operation,
    seed,
)

CHILD = textwrap.dedent("""
    import signal, sys, time
    import numpy as np
    from snncore import *

    backend, duration, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    set_backend(backend)
    seed(5)
    G = NeuronGroup(300, "dv/dt = (1.1 - v)/(10*ms) + 0.4*xi/sqrt(10*ms) : 1",
                    threshold="v > 1", reset="v = 0", method="euler")
    G.v = "rand()"
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(p=0.05)
    S.w = "0.03*rand() - 0.015"
    S.delay = "rand()*2*ms"
    F = Synapses(G[:50], G[50:], on_pre="v_post += 0.01", delay=0.7*ms)
    F.connect(p=0.1)
    M = StateMonitor(G, "v", record=[0, 1, 2])
    SM = SpikeMonitor(G)
    R = PopulationRateMonitor(G)
    net = Network(G, S, F, M, SM, R)
    dt = defaultclock.dt
    # Warm up (Numba loads its machinery and the cached loop on a first run; a Ctrl-C
    # there stops run() before any step, which is consistent but tests nothing here).
    net.store()
    net.run(dt)
    net.restore(restore_random_state=True)
    started = time.monotonic()
    while True:
        try:
            print("running", flush=True)
            net.run(duration - net.t)
            break
        except KeyboardInterrupt:
            caught = time.monotonic()
            n = net._step
            assert abs(net.t - n*dt) < 1e-12 * (1 + n), (net.t, n)
            assert M.t.size == M.v.shape[1] == R.t.size == R.rate.size == n, \\
                (n, M.t.size, R.t.size)
            assert n == 0 or abs(M.t[-1] - (n - 1)*dt) < 1e-9
            assert SM.t.size == SM.i.size == int(SM.count.sum())
            assert SM.t.size == 0 or SM.t.max() < net.t - dt/2
            print(f"interrupted {n} {caught!r}", flush=True)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    np.savez(out, t=M.t, v=M.v, i=SM.i, spike_t=SM.t, rate=R.rate, w=S.w,
             final_v=G.v[:], steps=net._step)
    print(f"done {time.monotonic() - started!r}", flush=True)
""")

MOMENTS = 5


def _child(tmp_path: Path, backend: str, duration: float, name: str, cache_dir: Path):
    env = dict(os.environ, SNNCORE_CACHE_DIR=str(cache_dir),
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]),
                                           os.environ.get("PYTHONPATH", "")]))
    out = tmp_path / f"{name}.npz"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, backend, str(duration), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    return proc, out


def _lines_until(proc, prefixes: tuple[str, ...]) -> str:
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the child ended early: {proc.stderr.read()}")
        if line.startswith(prefixes):
            return line


# Simulated seconds per backend: a few seconds of wall time on one core.
DURATIONS = {"numpy": 0.5, "numba": 100.0}
#: Each wait before a SIGINT, as a fraction of the uninterrupted run's wall time: all
#: MOMENTS together stay within 30% of it, so the interrupts fall inside the run even
#: if the machine gets three times faster between the two runs.
WAIT = (0.02, 0.06)


@pytest.mark.parametrize("backend_name", ["numpy", "numba"])
def test_sigint_at_random_moments_then_continue_bit_for_bit(tmp_path, backend_name,
                                                              snncore_cache_dir):
    duration = DURATIONS[backend_name]
    proc, ref_file = _child(tmp_path, backend_name, duration, "reference", snncore_cache_dir)
    # The wall time of a warm run, to place the interrupts inside it.
    run_time = float(_lines_until(proc, ("done",)).split()[1])
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    reference = np.load(ref_file)
    proc, out_file = _child(tmp_path, backend_name, duration, "interrupted",
                            snncore_cache_dir)
    started = time.monotonic()
    _lines_until(proc, ("running",))
    rng = np.random.default_rng(2024)
    steps, latencies = [], []
    for _ in range(MOMENTS):
        time.sleep(rng.uniform(*WAIT) * run_time)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        line = _lines_until(proc, ("interrupted", "done"))
        assert line.startswith("interrupted"), "the run ended before every interrupt"
        _, step, caught = line.split()
        steps.append(int(step))
        latencies.append(float(caught) - sent)
        _lines_until(proc, ("running",))
    _lines_until(proc, ("done",))
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    got = np.load(out_file)
    end = int(reference["steps"])
    print(f"{backend_name}: run {run_time:.2f} s; interrupted at steps {steps} of {end}, latency "
          f"{[round(x, 3) for x in latencies]} s, {time.monotonic() - started:.1f} s")
    # several interrupts fell inside the stepping itself, not only before it began
    assert len(set(steps)) >= 3 and all(0 <= s < end for s in steps)
    assert np.median(latencies) < 0.5
    assert reference["i"].size > 1000
    for key in reference.files:
        np.testing.assert_array_equal(got[key], reference[key], err_msg=key)


def _failing_network(fail_at: int | None, when: str):
    seed(9)
    G = NeuronGroup(50, "dv/dt = (1.2 - v)/(10*ms) + 0.3*xi/sqrt(10*ms) : 1",
                    threshold="v > 1", reset="v = 0", method="euler")
    G.v = "rand()"
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(p=0.2)
    S.w = "0.02*rand() - 0.01"
    S.delay = "rand()*1*ms"
    M = StateMonitor(G, "v", record=[0, 5])
    SM = SpikeMonitor(G)
    R = PopulationRateMonitor(G)
    calls = []

    @network_operation(when=when)
    def probe(t):
        calls.append(t)
        if fail_at is not None and round(t / (0.1 * ms)) == fail_at:
            if when == "end":
                G.v[3] = 123.0  # undone with the rest of the step
            raise RuntimeError("probe failed")

    net = Network(G, S, M, SM, R, probe)
    return net, probe, (G, M, SM, R)


def _recorded(G, M, SM, R) -> dict:
    return dict(t=M.t.copy(), v=M.v.copy(), i=SM.i.copy(), spike_t=SM.t.copy(),
                rate=R.rate.copy(), count=SM.count.copy(), final=G.v[:].copy())


@pytest.mark.parametrize("when", ["start", "end"])
def test_an_exception_in_a_network_operation_leaves_the_last_whole_step(backend, when):
    net, _, objects = _failing_network(None, when)
    net.run(30 * ms)
    reference = _recorded(*objects)
    net, probe, (G, M, SM, R) = _failing_network(137, when)
    with pytest.raises(RuntimeError, match="probe failed"):
        net.run(30 * ms)
    assert net._step == 137
    assert M.t.size == R.t.size == 137 and M.t[-1] == pytest.approx(13.6 * ms)
    assert SM.t.size == 0 or SM.t.max() < 13.65 * ms
    assert G.v[3] != 123.0  # the operation's own write was undone with its step
    # the cause gone, the run continues as if never stopped (step 137 is run again)
    probe.function = lambda t: None
    net.run(30 * ms - net.t)
    got = _recorded(G, M, SM, R)
    for key, value in reference.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)

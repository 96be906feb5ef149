"""A large network: 5000 neurons with 1000 inputs each (5M synapses), 100 ms, numba.

Prints (``pytest -s``) and records (``record_property``, visible in JUnit XML) the run
time, the memory per synapse (bytes of the arrays held by the Synapses object whose size
grows with the number of synapses, divided by that number) and the growth of the peak
resident set size (a high-water mark: it reads 0 if an earlier test peaked higher).
Design target: int32 pre and post indices plus a float64 weight = 16 bytes per synapse.
"""

import resource
import time

import numpy as np

import snncore
from snncore import NeuronGroup, SpikeMonitor, Synapses, ms, run

N = 5000
IN_DEGREE = 1000
TARGET_BYTES_PER_SYNAPSE = 4 + 4 + 8


def _arrays_held_by(obj, skip_ids) -> list[np.ndarray]:
    """Every numpy array reachable from ``obj`` through attributes, dicts, lists and
    tuples, without entering the objects in ``skip_ids`` (the neuron groups)."""
    seen, found, stack = set(skip_ids), {}, [obj]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, np.ndarray):
            base = x
            while isinstance(base.base, np.ndarray):
                base = base.base
            found[base.__array_interface__["data"][0]] = base
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list | tuple | set):
            stack.extend(x)
        elif hasattr(x, "__dict__") and not callable(x) and type(x).__module__ != "builtins":
            stack.extend(vars(x).values())
    return list(found.values())


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kB


def test_five_million_synapses(record_property):
    snncore.set_backend("numba")
    snncore.start_scope()
    snncore.seed(1)
    rss0 = _peak_rss_bytes()
    t0 = time.perf_counter()
    G = NeuronGroup(N, """dv/dt = (I - v)/(10*ms) : 1
                          I : 1""", threshold="v > 1", reset="v = 0", method="exact")
    G.I = np.random.default_rng(0).uniform(0.9, 1.3, N)
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(p=IN_DEGREE / N)
    S.w = 0.0002
    t_connect = time.perf_counter() - t0
    n_syn = len(S)
    assert abs(n_syn - N * IN_DEGREE) < 4 * np.sqrt(N * N * 0.2 * 0.8)
    M = SpikeMonitor(G)
    t1 = time.perf_counter()
    run(100 * ms)
    t_run = time.perf_counter() - t1
    rss_growth = _peak_rss_bytes() - rss0
    assert M.num_spikes > N  # the network is active: every neuron spikes about 5 times
    assert np.all(np.isfinite(G.v))

    arrays = _arrays_held_by(S, {id(G), id(S.source), id(S.target)})
    # per-synapse arrays: those that grow with the number of synapses (per-neuron
    # arrays such as CSR row pointers are reported separately)
    per_synapse = sum(a.nbytes for a in arrays if a.size >= n_syn) / n_syn
    everything = sum(a.nbytes for a in arrays) / n_syn
    big = sorted(((a.nbytes, a.dtype.str, a.size) for a in arrays), reverse=True)[:6]
    for key, value in [("n_synapses", n_syn), ("connect_seconds", round(t_connect, 2)),
                       ("run_seconds", round(t_run, 2)), ("spikes", int(M.num_spikes)),
                       ("bytes_per_synapse", round(per_synapse, 3)),
                       ("bytes_per_synapse_all_arrays", round(everything, 3)),
                       ("peak_rss_growth_MB", round(rss_growth / 2**20, 1))]:
        record_property(key, value)
    print(f"\n5M-synapse network: {n_syn} synapses, connect {t_connect:.2f} s, run(100 ms) "
          f"{t_run:.2f} s, {M.num_spikes} spikes; {per_synapse:.3f} bytes/synapse in per-synapse "
          f"arrays, {everything:.3f} with per-neuron ones (largest arrays: {big}); peak RSS growth "
          f"{rss_growth / 2**20:.0f} MB ({rss_growth / n_syn:.1f} bytes/synapse)")
    assert per_synapse <= TARGET_BYTES_PER_SYNAPSE, (
        f"{per_synapse:.2f} bytes per synapse > {TARGET_BYTES_PER_SYNAPSE} "
        f"(int32 i, int32 j, float64 w); largest arrays (bytes, dtype, size): {big}")

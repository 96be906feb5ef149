"""Synaptic throughput and memory on a 5M-synapse network (Brunel-Hakim sized).

    python benchmarks/synapses_large.py [numba|numpy]

5000 neurons, 1000 random inputs each (p = 0.2), a weight per synapse, 2 ms delay,
noisy drive; reports synaptic events per second of simulation loop and the bytes the
Synapses object holds per synapse.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

from snncore import NeuronGroup, SpikeMonitor, Synapses, memory, ms, mV, run, seed, set_backend


def main(backend: str = "numba") -> dict:
    set_backend(backend)
    seed(1)
    params = {"tau": 20 * ms, "theta": 20 * mV, "vr": 10 * mV, "mu": 25 * mV, "sigma": 1 * mV}
    G = NeuronGroup(5000, "dV/dt = (-V + mu + sigma*sqrt(tau)*xi)/tau : volt",
                    threshold="V > theta", reset="V = vr", refractory=2 * ms,
                    namespace=params)
    G.V = "vr + (theta - vr)*rand()"
    S = Synapses(G, G, "w : volt", on_pre="V += w", delay=2 * ms)
    t0 = time.perf_counter()
    S.connect(p=0.2)
    connect_s = time.perf_counter() - t0
    S.w = -0.1 * mV
    M = SpikeMonitor(G)
    run(10 * ms)  # compile or load kernels
    before = M.count.copy()
    t0 = time.perf_counter()
    run(200 * ms)
    loop_s = time.perf_counter() - t0
    out_degree = np.bincount(S.i, minlength=len(G))
    events = int(((M.count - before) * out_degree).sum())
    # everything S keeps (indices, weight, CSR row pointers, the delay's spike ring)
    per_synapse = sum(memory.held_arrays(G, S)[S.name].values()) / len(S)
    result = {
        "backend": backend,
        "synapses": len(S),
        "connect_s": connect_s,
        "loop_s_per_200ms": loop_s,
        "synaptic_events": events,
        "events_per_s": events / loop_s,
        "bytes_per_synapse": per_synapse,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    for key, value in result.items():
        print(f"{key:18s} {value:.4g}" if isinstance(value, float) else f"{key:18s} {value}")
    return result


if __name__ == "__main__":
    main(*sys.argv[1:])

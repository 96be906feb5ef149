"""Brian 2 references for the chapter ``short-term-plasticity``.

The same model strings as the chapter, run by Brian 2 (numpy target): the
Tsodyks-Markram traces and PSP peaks for depression and facilitation, the
coincidence-detection trace, and the spike-time tuning curve (stochastic: fewer
neurons per condition than the chapter, stored with its standard errors).
"""

from __future__ import annotations

import logging

import numpy as np

SUBSAMPLE = 10  # keep every 10th sample of the 0.1 ms traces (every 1 ms)
STP_CASES = {"depression": {"U": 0.45, "tau_f": 50e-3, "tau_d": 750e-3},
             "facilitation": {"U": 0.15, "tau_f": 750e-3, "tau_d": 50e-3}}
INPUT_TIMES = np.arange(1, 6) * 50e-3  # five input spikes, every 50 ms
N_TUNING = 2000  # neurons per time difference (the chapter uses 10000)


def _stp(b2, U, tau_f, tau_d, tau=10e-3):
    b2.start_scope()
    ms = b2.ms
    tau, tau_f, tau_d = tau * b2.second, tau_f * b2.second, tau_d * b2.second  # noqa: F841
    eqs = '''
    dv/dt = -v/tau : 1
    du/dt = -u/tau_f : 1
    dx/dt = (1-x)/tau_d : 1
    '''
    H = b2.SpikeGeneratorGroup(1, [0]*5, np.arange(1, 6)*50*ms)
    G = b2.NeuronGroup(1, eqs, method='euler')
    G.x = 1
    S = b2.Synapses(H, G, on_pre='u += U*(1-u); v += u*x; x -= u*x')
    S.connect(p=1)
    M = b2.StateMonitor(G, ('v', 'u', 'x'), record=True)
    b2.run(300*ms)
    t = np.asarray(M.t[:])
    v, u, x = (np.asarray(getattr(M, name)[0]) for name in ('v', 'u', 'x'))
    peaks = [float(v[(t >= s) & (t < s + 50e-3)].max()) for s in INPUT_TIMES]
    return {"t": t[::SUBSAMPLE].tolist(), "v": v[::SUBSAMPLE].tolist(),
            "u": u[::SUBSAMPLE].tolist(), "x": x[::SUBSAMPLE].tolist(), "peaks": peaks}


def _coincidence(b2):
    b2.start_scope()
    ms = b2.ms
    tau = 5*ms  # noqa: F841
    H = b2.SpikeGeneratorGroup(1, [0, 0, 0, 0], [10*ms, 11*ms, 50*ms, 60*ms])
    G = b2.NeuronGroup(1, 'dv/dt = -v/tau : 1')
    S = b2.Synapses(H, G, on_pre='v += 0.6', method='exact')
    S.connect(p=1)
    M = b2.StateMonitor(G, 'v', record=True)
    b2.run(100*ms)
    t, v = np.asarray(M.t[:]), np.asarray(M.v[0])
    return {"t": t.tolist(), "v": v.tolist(),
            "max_pair_1ms": float(v[(t >= 10e-3) & (t < 40e-3)].max()),
            "max_pair_10ms": float(v[t >= 50e-3].max())}


def _tuning(b2, n=N_TUNING, w=0.8, sigma=0.3, tau=2e-3):
    b2.start_scope()
    b2.seed(2024)
    ms = b2.ms
    tau = tau * b2.second  # noqa: F841
    delta_t = np.linspace(-10, 10, 41)*1e-3
    k = len(delta_t)
    indices = np.arange(2*k)  # condition c has inputs 2c (at 150 ms) and 2c+1
    times = np.ravel(np.column_stack([np.full(k, 150e-3), 150e-3 + delta_t]))
    H = b2.SpikeGeneratorGroup(2*k, indices, times*b2.second)
    G = b2.NeuronGroup(k*n, 'dv/dt = -v/tau + sigma*xi*sqrt(2/tau) : 1',
                       threshold='v>1', reset='v=0', method='euler')
    S = b2.Synapses(H, G, on_pre='v += w')
    S.connect(i=np.repeat(np.arange(2*k), n),
              j=np.repeat(np.arange(k*n).reshape(k, n), 2, axis=0).ravel())
    M = b2.SpikeMonitor(G)
    b2.run(200*ms)
    counts = np.asarray(M.count).reshape(k, n)
    return {"delta_t": delta_t.tolist(), "n_per_condition": n,
            "mean_count": counts.mean(axis=1).tolist(),
            "sem": (counts.std(axis=1, ddof=1)/np.sqrt(n)).tolist()}


def compute() -> dict:
    import brian2 as b2

    b2.prefs.codegen.target = 'numpy'
    logging.getLogger('brian2').setLevel(logging.ERROR)
    b2.defaultclock.dt = 0.1*b2.ms
    out = {name: _stp(b2, **params) for name, params in STP_CASES.items()}
    out["coincidence"] = _coincidence(b2)
    out["tuning"] = _tuning(b2)
    out["brian2_version"] = b2.__version__
    return out

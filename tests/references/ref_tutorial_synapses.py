"""Brian 2 reference values for book/tutorial-synapses.md (Brian 2 tutorial part 2: synapses).

Each model is the chapter's model, run by Brian 2 with its numpy target. Traces are
subsampled every ``EVERY`` steps; the steps at which a neuron without input jumps up
(a synaptic event arriving) are stored exactly.
"""

from __future__ import annotations

import logging

EVERY = 5  # trace subsampling, in steps


def _floats(values) -> list[float]:
    import numpy as np

    return [float(x) for x in np.asarray(values, dtype=float).ravel()]


def _jump_steps(v) -> list[int]:
    """Steps at which a recorded trace jumps up (a synaptic event arrived)."""
    import numpy as np

    return [int(k) + 1 for k in np.flatnonzero(np.diff(np.asarray(v)) > 0)]


def _lif_chain(b2, n, duration, weights, delays=None):
    """Neuron 0 (I=2, tau=10 ms) drives neurons 1..n-1 (I=0, tau=100 ms)."""
    b2.start_scope()
    eqs = """
    dv/dt = (I-v)/tau : 1
    I : 1
    tau : second
    """
    G = b2.NeuronGroup(n, eqs, threshold="v>1", reset="v = 0", method="exact")
    G.I = [2] + [0] * (n - 1)
    G.tau = ([10] + [100] * (n - 1)) * b2.ms
    if weights is None:
        S = b2.Synapses(G, G, on_pre="v_post += 0.2")
        S.connect(i=0, j=1)
    else:
        S = b2.Synapses(G, G, "w : 1", on_pre="v_post += w")
        S.connect(i=0, j=list(range(1, n)))
        S.w = weights
        if delays is not None:
            S.delay = delays
    M = b2.StateMonitor(G, "v", record=True)
    SM = b2.SpikeMonitor(G)
    b2.run(duration)
    out = {
        "spike_t": _floats(SM.t / b2.second),
        "spike_i": [int(x) for x in SM.i],
        "n_steps": len(M.t),
    }
    for k in range(n):
        out[f"v{k}"] = _floats(M.v[k][::EVERY])
    for k in range(1, n):
        out[f"jumps{k}"] = _jump_steps(M.v[k])
    return out


def _pairs(S) -> list[list[int]]:
    return [[int(i), int(j)] for i, j in zip(S.i[:], S.j[:], strict=True)]


def compute() -> dict:
    import brian2 as b2
    import numpy as np

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.suppress_hierarchy("brian2")
    logging.getLogger("brian2").setLevel(logging.ERROR)
    ms = b2.ms

    ref: dict = {"every": EVERY}
    ref["simplest"] = _lif_chain(b2, 2, 100 * ms, None)
    ref["weight"] = _lif_chain(b2, 3, 50 * ms, "j*0.2")
    ref["delay"] = _lif_chain(b2, 3, 50 * ms, "j*0.2", "j*2*ms")

    # Deterministic connectivity.
    b2.start_scope()
    G = b2.NeuronGroup(10, "v:1")
    S = b2.Synapses(G, G)
    S.connect(condition="abs(i-j)<4 and i!=j")
    ref["conn_condition"] = _pairs(S)
    S = b2.Synapses(G, G)
    S.connect(j="k for k in range(i-3, i+4) if i!=k", skip_if_invalid=True)
    ref["conn_generator"] = _pairs(S)
    S = b2.Synapses(G, G)
    S.connect(j="i")
    ref["conn_one_to_one"] = _pairs(S)

    # Distance-dependent weights (a subsample of the 870 synapses).
    b2.start_scope()
    N = 30
    neuron_spacing = 50 * b2.umetre
    width = N / 4.0 * neuron_spacing  # noqa: F841 (used in the model string)
    G = b2.NeuronGroup(N, "x : metre")
    G.x = "i*neuron_spacing"
    S = b2.Synapses(G, G, "w : 1")
    S.connect(condition="i!=j")
    S.w = "exp(-(x_pre-x_post)**2/(2*width**2))"
    pick = np.arange(0, len(S), 10)
    ref["distance"] = {
        "n": len(S),
        "k": [int(k) for k in pick],
        "i": [int(x) for x in S.i[:][pick]],
        "j": [int(x) for x in S.j[:][pick]],
        "w": _floats(S.w[:][pick]),
    }

    # STDP with clock-driven traces: one pair, pre at 10 ms, post at 20 ms.
    b2.start_scope()
    taupre = taupost = 20 * ms
    wmax = 0.01  # noqa: F841 (names used only in model strings)
    Apre = 0.01
    Apost = -Apre * taupre / taupost * 1.05  # noqa: F841
    G = b2.NeuronGroup(2, "v:1", threshold="t>(1+i)*10*ms", refractory=100 * ms)
    S = b2.Synapses(G, G, """
        w : 1
        dapre/dt = -apre/taupre : 1 (clock-driven)
        dapost/dt = -apost/taupost : 1 (clock-driven)
        """, on_pre="""
        v_post += w
        apre += Apre
        w = clip(w+apost, 0, wmax)
        """, on_post="""
        apost += Apost
        w = clip(w+apre, 0, wmax)
        """, method="exact")
    S.connect(i=0, j=1)
    M = b2.StateMonitor(S, ["w", "apre", "apost"], record=True)
    SM = b2.SpikeMonitor(G)
    b2.run(30 * ms)
    ref["stdp_clock"] = {
        "spike_t": _floats(SM.t / b2.second),
        "spike_i": [int(x) for x in SM.i],
        "n_steps": len(M.t),
        "w": _floats(M.w[0][::EVERY]),
        "apre": _floats(M.apre[0][::EVERY]),
        "apost": _floats(M.apost[0][::EVERY]),
        "w_final": float(M.w[0][-1]),
        "apre_final": float(M.apre[0][-1]),
        "apost_final": float(M.apost[0][-1]),
    }

    # STDP with event-driven traces: 100 pairs, spike-time differences -50..50 ms.
    b2.start_scope()
    tmax = 50 * ms
    N = 100
    G = b2.NeuronGroup(N, "tspike:second", threshold="t>tspike", refractory=100 * ms)
    H = b2.NeuronGroup(N, "tspike:second", threshold="t>tspike", refractory=100 * ms)
    G.tspike = "i*tmax/(N-1)"
    H.tspike = "(N-1-i)*tmax/(N-1)"
    S = b2.Synapses(G, H, """
        w : 1
        dapre/dt = -apre/taupre : 1 (event-driven)
        dapost/dt = -apost/taupost : 1 (event-driven)
        """, on_pre="""
        apre += Apre
        w = w+apost
        """, on_post="""
        apost += Apost
        w = w+apre
        """)
    S.connect(j="i")
    SG, SH = b2.SpikeMonitor(G), b2.SpikeMonitor(H)
    b2.run(tmax + 1 * ms)
    tg = np.full(N, np.nan)
    th = np.full(N, np.nan)
    tg[SG.i[:]] = SG.t / b2.second
    th[SH.i[:]] = SH.t / b2.second
    ref["stdp_event"] = {
        "dt_nominal": _floats((H.tspike - G.tspike) / b2.second),
        "t_pre": _floats(tg),
        "t_post": _floats(th),
        "w": _floats(S.w[:]),
    }
    return ref

"""Brian 2 reference values for the first three Brian 1 demo pages (book/brian1-demos/).

CUBA random network, synfire chain and the Brunel-Hakim sparse inhibitory network, each
written as the pages write them, run by Brian 2 with its numpy target over several seeds.
The networks are random (connectivity, initial values, noise), so the pages compare
statistics: means and standard deviations over the seeds are stored with the values.
"""

from __future__ import annotations

import logging

CUBA_SEEDS = [1, 2, 3, 4]
SYNFIRE_SEEDS = [1, 2, 3, 4]
BRUNEL_SEEDS = [1, 2, 3]


def packet_stats(t, i, n_groups=10, size=100):
    """Spike count, mean time and spread (std) of the packet in each group of a synfire chain.

    Spikes of group k between 45 and 75 ms are gathered; the packet is those within 4 ms of
    their median. ``t`` in seconds. The same function is in book/brian1-demos/synfire.md.
    """
    import numpy as np

    t, i = np.asarray(t, dtype=float), np.asarray(i)
    counts, centres, spreads = [], [], []
    for k in range(n_groups):
        tk = t[(i // size == k) & (t > 45e-3) & (t < 75e-3)]
        packet = tk[np.abs(tk - np.median(tk)) < 4e-3] if len(tk) else tk
        counts.append(len(packet))
        centres.append(float(np.mean(packet)) if len(packet) > 1 else float("nan"))
        spreads.append(float(np.std(packet)) if len(packet) > 1 else float("nan"))
    return counts, centres, spreads


def rate_peak(rate, dt, start=0.1):
    """Frequency (Hz) of the largest peak of the Welch PSD of a population rate after ``start``."""
    import numpy as np
    from scipy.signal import welch

    x = np.asarray(rate, dtype=float)[int(round(start / dt)):]
    f, p = welch(x - x.mean(), fs=1 / dt, nperseg=int(round(0.25 / dt)))
    keep = f > 20  # ignore slow drifts
    return float(f[keep][np.argmax(p[keep])])


def _stats(values) -> dict:
    import numpy as np

    a = np.asarray(values, dtype=float)
    return {"values": a.tolist(), "mean": np.nanmean(a, axis=0).tolist(),
            "std": np.nanstd(a, axis=0, ddof=1).tolist()}


def _cuba(b2, s):
    b2.start_scope()
    b2.seed(s)
    eqs = """
    dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
    dge/dt = -ge/(5*ms) : volt
    dgi/dt = -gi/(10*ms) : volt
    """
    P = b2.NeuronGroup(4000, eqs, threshold="v > -50*mV", reset="v = -60*mV")
    P.v = "-60*mV + 10*mV*rand()"
    Pe, Pi = P[:3200], P[3200:]
    Ce = b2.Synapses(Pe, P, on_pre="ge += 1.62*mV")
    Ce.connect(p=0.02)
    Ci = b2.Synapses(Pi, P, on_pre="gi += -9*mV")
    Ci.connect(p=0.02)
    M = b2.SpikeMonitor(P)
    b2.run(1 * b2.second)
    return M.num_spikes


def _synfire(b2, s, weight_mV=4.86):
    import numpy as np

    b2.start_scope()
    b2.seed(s)
    ms, mV = b2.ms, b2.mV
    ns = {"Vr": -70 * mV, "Vt": -55 * mV, "taum": 10 * ms, "taupsp": 0.325 * ms,
          "weight": weight_mV * mV}
    eqs = """
    dV/dt = (-(V-Vr)+x)*(1./taum) : volt (unless refractory)
    dx/dt = (-x+y)*(1./taupsp) : volt
    dy/dt = -y*(1./taupsp)+25.27*mV/ms+(39.24*mV/ms**0.5)*xi : volt
    """
    P = b2.NeuronGroup(1000, eqs, threshold="V > Vt", reset="V = Vr", refractory=1 * ms,
                       namespace=ns)
    P.V = "Vr + rand()*(Vt - Vr)"
    rng = np.random.default_rng(s)
    times = 50 + rng.standard_normal(85)  # ms
    Pin = b2.SpikeGeneratorGroup(85, np.arange(85), times * ms)
    C = b2.Synapses(P, P, on_pre="y += weight", namespace=ns)
    C.connect("j//100 == i//100 + 1")
    Cin = b2.Synapses(Pin, P[:100], on_pre="y += weight", namespace=ns)
    Cin.connect()
    M = b2.SpikeMonitor(P)
    b2.run(100 * ms)
    return packet_stats(M.t / b2.second, M.i[:])


def _brunel(b2, s):
    b2.start_scope()
    b2.seed(s)
    ms, mV = b2.ms, b2.mV
    N, C = 5000, 1000
    ns = {"Vr": 10 * mV, "theta": 20 * mV, "tau": 20 * ms, "J": 0.1 * mV, "muext": 25 * mV,
          "sigmaext": 1 * mV}
    eqs = "dV/dt = (-V+muext+sigmaext*sqrt(tau)*xi)/tau : volt (unless refractory)"
    group = b2.NeuronGroup(N, eqs, threshold="V > theta", reset="V = Vr", refractory=2 * ms,
                           namespace=ns)
    group.V = ns["Vr"]
    conn = b2.Synapses(group, group, on_pre="V -= J", delay=2 * ms, namespace=ns)
    conn.connect(p=C / N)
    M = b2.SpikeMonitor(group)
    R = b2.PopulationRateMonitor(group)
    b2.run(100 * ms)
    first = M.num_spikes / N / 0.1
    b2.run(900 * ms)
    dt = float(b2.defaultclock.dt)
    return {"rate_100ms": first, "rate": M.num_spikes / N / 1.0,
            "peak": rate_peak(R.rate / b2.Hz, dt)}


def compute() -> dict:
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.suppress_hierarchy("brian2")
    logging.getLogger("brian2").setLevel(logging.ERROR)

    counts = [int(_cuba(b2, s)) for s in CUBA_SEEDS]
    cuba = {"seeds": CUBA_SEEDS, "total": _stats(counts),
            "rate": _stats([c / 4000 / 1.0 for c in counts])}

    runs = [_synfire(b2, s) for s in SYNFIRE_SEEDS]
    synfire = {"seeds": SYNFIRE_SEEDS,
               "counts": _stats([r[0] for r in runs]),
               "centres": _stats([r[1] for r in runs]),
               "spreads": _stats([r[2] for r in runs])}
    weak = [_synfire(b2, s, weight_mV=3.0) for s in SYNFIRE_SEEDS[:2]]
    synfire["weak_counts"] = _stats([r[0] for r in weak])

    runs = [_brunel(b2, s) for s in BRUNEL_SEEDS]
    brunel = {"seeds": BRUNEL_SEEDS}
    for key in ("rate_100ms", "rate", "peak"):
        brunel[key] = _stats([r[key] for r in runs])
    return {"cuba": cuba, "synfire": synfire, "brunel": brunel}

"""Brian 2 references for the chapter ``parameter-sweeps``.

The sparse network of excitatory and inhibitory neurons of Brunel (2000), at the
chapter's reduced size (1000 + 250 neurons, 10 % connectivity, J = 1 mV so that
J C_E = 100 mV as in the paper; input during the refractory period is lost), run by
Brian 2 (numpy target) at a few points of the chapter's grid, several seeds each. The
network is random (connections and external Poisson input), so the chapter compares its
rate, CV and synchrony at these points with the spread of these runs, and checks that
its regime there is the one Brian 2's runs fall in.
"""

from __future__ import annotations

import logging

import numpy as np

SEEDS = [1, 2, 3, 4, 5, 6]
# (g, nu_ext/nu_thr): one point deep in each regime of the chapter's map.
POINTS = [(3.0, 3.0), (5.0, 2.0), (6.0, 4.0), (6.0, 0.6), (8.0, 0.2)]
N_E, N_I = 1000, 250
EPSILON = 0.1
DURATION, SKIP, BIN = 0.3, 0.1, 1e-3  # s: the run, the transient left out, the bins of chi


def network_measures(t, i, n=N_E + N_I, start=SKIP, stop=DURATION, bin_width=BIN):
    """Mean rate (Hz), mean CV of the interspike intervals (neurons with >= 2 intervals)
    and the synchrony chi (Golomb's, on spike counts in 1 ms bins) of the spikes
    (times t in s, indices i) from ``start`` to ``stop``; the chapter's definitions."""
    keep = t >= start
    t, i = t[keep], i[keep]
    rate = len(t) / n / (stop - start)
    if len(t) == 0:
        return rate, float("nan"), float("nan")
    bins = int(round((stop - start) / bin_width))
    k = np.minimum(((t - start) / bin_width + 1e-6).astype(int), bins - 1)
    counts = np.bincount(i * bins + k, minlength=n * bins).reshape(n, bins)
    chi = np.sqrt(counts.mean(axis=0).var() / counts.var(axis=1).mean())
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    same = i[1:] == i[:-1]
    isi, who = np.diff(t)[same], i[1:][same]
    count = np.bincount(who, minlength=n)
    ok = count >= 2
    if not ok.any():
        return rate, float("nan"), float(chi)
    mean = np.bincount(who, isi, minlength=n)[ok] / count[ok]
    square = np.bincount(who, isi ** 2, minlength=n)[ok] / count[ok]
    cv = np.mean(np.sqrt(np.maximum(square - mean ** 2, 0)) / mean)
    return rate, float(cv), float(chi)


def _run(b2, g, nu_ratio, seed):
    b2.start_scope()
    b2.seed(seed)
    ms, mV = b2.ms, b2.mV
    b2.defaultclock.dt = 0.1 * ms
    n = N_E + N_I
    c_e = int(EPSILON * N_E)
    tau, theta, V_r, tau_rp = 20 * ms, 20 * mV, 10 * mV, 2 * ms  # noqa: F841
    J, D = 1 * mV, 1.5 * ms
    nu_thr = theta / (J * c_e * tau)
    G = b2.NeuronGroup(n, 'dv/dt = -v/tau : volt (unless refractory)',
                       threshold='v > theta', reset='v = V_r', refractory=tau_rp,
                       method='exact')
    # Inputs during the refractory period are lost. Brian 2 makes v read-only then,
    # so the explicit factor (written when these references were made) changes nothing;
    # the chapter leaves it to snncore, which does the same.
    E = b2.Synapses(G[:N_E], G, on_pre='v += J*int(not_refractory_post)', delay=D)
    E.connect(p=EPSILON)
    I = b2.Synapses(G[N_E:], G, on_pre='v += -g*J*int(not_refractory_post)', delay=D)
    I.connect(p=EPSILON)
    P = b2.PoissonInput(G, 'v', c_e, nu_ratio * nu_thr,  # noqa: F841
                        weight='J*int(not_refractory)')
    M = b2.SpikeMonitor(G)
    b2.run(DURATION * b2.second)
    return network_measures(np.asarray(M.t[:]), np.asarray(M.i[:]))


def compute() -> dict:
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.log_level_error()
    logging.getLogger("brian2").setLevel(logging.ERROR)
    points = []
    for g, nu_ratio in POINTS:
        runs = np.array([_run(b2, g, nu_ratio, s) for s in SEEDS])
        points.append({"g": g, "nu_ratio": nu_ratio,
                       "rate": runs[:, 0].tolist(), "cv": runs[:, 1].tolist(),
                       "chi": runs[:, 2].tolist()})
    return {"seeds": SEEDS, "points": points, "n_e": N_E, "n_i": N_I,
            "duration": DURATION, "skip": SKIP, "bin": BIN}

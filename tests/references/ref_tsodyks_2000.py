"""Brian 2 references for the chapter ``tsodyks-2000``.

The network of Tsodyks, Uziel & Markram (2000), Fig. 1, as written in the seed
(400 excitatory and 100 inhibitory integrate-and-fire neurons, four populations of
Tsodyks-Markram synapses with parameters drawn from truncated normal
distributions), run by Brian 2 (numpy target) with the same burst analysis as the
chapter, over several seeds. The network is stochastic (connectivity, background
currents and synaptic parameters are random), so the chapter compares its burst
count and inter-burst interval with the spread of these runs.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.stats import truncnorm

SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]
N_E, N_I = 400, 100
BURNIN, DURATION = 900e-3, 4200e-3
BURST_FRACTION = 0.25  # a burst: >= 25% of all neurons fire within 5 ms
BURST_WINDOW = 5  # ms
MERGE_GAP = 20  # ms: threshold crossings closer than this are one burst
X_EVERY = 8  # record x of every 8th EE synapse


def truncated_normal(rng, mean, sd, low, high, size):
    """Normal(mean, sd) truncated to [low, high], as scipy.stats.truncnorm."""
    return truncnorm.rvs((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd,
                         size=size, random_state=rng)


def burst_analysis(spike_times, x_t, x_mean, n_neurons=N_E + N_I):
    """Bursts from spike times (s, recorded after the burn-in), and x around them.

    Same definition as the chapter: the network activity a_k is the fraction of
    neurons firing in the 1 ms bin k; a step is bursting when the activity summed
    over the last 5 bins (a_{k-4} + ... + a_k) is at least BURST_FRACTION; bursting
    steps less than MERGE_GAP ms apart are merged into one burst, whose time is the
    bin of peak activity.
    """
    # 1 ms bins from the end of the burn-in; spikes are stamped at whole steps, so the
    # edges sit 1 ns early to keep each spike in its own bin despite rounding.
    bins_ms = BURNIN * 1e3 + np.arange(int(round(DURATION * 1e3)) + 1)
    counts = np.histogram(spike_times, bins=bins_ms * 1e-3 - 1e-9)[0]
    activity = counts / n_neurons
    window = np.convolve(activity, np.ones(BURST_WINDOW))[:len(activity)]
    steps = np.flatnonzero(window >= BURST_FRACTION)
    bursts = []  # (first step, last step)
    for k in steps:
        if bursts and k - bursts[-1][1] <= MERGE_GAP:
            bursts[-1][1] = k
        else:
            bursts.append([k, k])
    firsts = [max(s - BURST_WINDOW + 1, 0) for s, _ in bursts]  # first bin of each burst
    peaks = [f + int(np.argmax(activity[f:e + 1])) for f, (_, e) in zip(firsts, bursts)]
    times = bins_ms[peaks]
    x_before, x_after = [], []  # mean x 20-10 ms before the burst and 10-20 ms after it
    t_ms = x_t * 1e3 + 1e-6
    for f, (_, e) in zip(firsts, bursts):
        start_ms, end_ms = bins_ms[f], bins_ms[e]
        before = (t_ms >= start_ms - 20) & (t_ms < start_ms - 10)
        after = (t_ms >= end_ms + 10) & (t_ms < end_ms + 20)
        x_before.append(float(x_mean[before].mean()) if before.any() else float("nan"))
        x_after.append(float(x_mean[after].mean()) if after.any() else float("nan"))
    return {"n_bursts": len(bursts), "burst_times": times.tolist(),
            "intervals": np.diff(times).tolist(),
            "median_activity": float(np.median(activity)),
            "max_background_window": float(_background_max(window, bursts)),
            "x_before": x_before, "x_after": x_after}


def _background_max(window, bursts, margin=50):
    mask = np.ones(len(window), bool)
    for s, e in bursts:
        mask[max(s - margin, 0):e + margin] = False
    return window[mask].max() if mask.any() else float("nan")


def _run(b2, seed):
    b2.start_scope()
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV = b2.ms, b2.mV
    b2.defaultclock.dt = 1 * ms
    eqs = '''
    dv/dt = (-v + I_syn_ee + I_syn_ei + I_syn_ie + I_syn_ii + I_b)/tau_mem : volt (unless refractory)
    I_syn_ee : volt
    I_syn_ei : volt
    I_syn_ie : volt
    I_syn_ii : volt
    I_b : volt
    '''  # noqa: E501
    tau_mem = 30 * ms  # noqa: F841

    def population(n, refractory):
        G = b2.NeuronGroup(n, eqs, threshold='v > 15*mV', reset='v = 13.5*mV',
                           refractory=refractory, method='exact')
        G.I_b = rng.uniform(14.5, 15.5, size=n) * mV
        return G

    tau_I = 3 * ms  # noqa: F841

    def synapses(name, source, target, A, U, tau_rec, tau_facil=None):
        model = f'''
        A : volt
        U : 1
        tau_rec : second
        dx/dt = z/tau_rec : 1 (clock-driven)
        dy/dt = -y/tau_I : 1 (clock-driven)
        z = 1 - x - y : 1
        I_syn_{name}_post = A*y : volt (summed)
        '''
        if tau_facil is not None:
            model += '''
            du/dt = -u/tau_facil : 1 (clock-driven)
            tau_facil : second
            '''
            on_pre = 'u += U*(1 - u); y += u*x; x -= u*x'
        else:
            on_pre = 'y += U*x; x -= U*x'
        S = b2.Synapses(source, target, model, on_pre=on_pre, method='exact')
        S.connect(p=0.1)
        n = len(S)
        low, high = sorted([0.2 * A, 2 * A])
        S.A = truncated_normal(rng, A, 0.5 * abs(A), low, high, n) * mV
        S.U = truncated_normal(rng, U[0], 0.5 * U[0], U[1], U[2], n)
        S.tau_rec = truncated_normal(rng, tau_rec, 0.5 * tau_rec, 5, np.inf, n) * ms
        if tau_facil is not None:
            S.tau_facil = truncated_normal(rng, tau_facil, 0.5 * tau_facil, 5, np.inf, n) * ms
        S.x = 1
        return S

    E = population(N_E, 3 * ms)
    I = population(N_I, 2 * ms)
    ee = synapses('ee', E, E, 1.8, [0.5, 0.1, 0.9], 800)
    ei = synapses('ei', E, I, 7.2, [0.04, 0.001, 0.07], 100, 1000)  # noqa: F841
    ie = synapses('ie', I, E, -5.4, [0.5, 0.1, 0.9], 800)  # noqa: F841
    ii = synapses('ii', I, I, -7.2, [0.04, 0.001, 0.07], 100, 1000)  # noqa: F841
    b2.run(BURNIN * b2.second)
    spikes_e, spikes_i = b2.SpikeMonitor(E), b2.SpikeMonitor(I)
    x_monitor = b2.StateMonitor(ee, 'x', record=np.arange(0, len(ee), X_EVERY))
    b2.run(DURATION * b2.second)
    times = np.concatenate([np.asarray(spikes_e.t[:]), np.asarray(spikes_i.t[:])])
    result = burst_analysis(times, np.asarray(x_monitor.t[:]),
                            np.asarray(x_monitor.x[:]).mean(axis=0))
    result["n_spikes_e"] = int(spikes_e.num_spikes)
    result["n_spikes_i"] = int(spikes_i.num_spikes)
    return result


def compute() -> dict:
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.log_level_error()
    logging.getLogger("brian2").setLevel(logging.ERROR)
    runs = {str(s): _run(b2, s) for s in SEEDS}
    counts = np.array([r["n_bursts"] for r in runs.values()], float)
    intervals = np.concatenate([r["intervals"] for r in runs.values()])
    drops = np.concatenate([np.array(r["x_before"]) - np.array(r["x_after"])
                            for r in runs.values()])
    return {"seeds": SEEDS, "runs": runs,
            "burst_fraction": BURST_FRACTION, "burst_window_ms": BURST_WINDOW,
            "merge_gap_ms": MERGE_GAP,
            "n_bursts_mean": float(counts.mean()), "n_bursts_std": float(counts.std(ddof=1)),
            "intervals_pooled": intervals.tolist(),
            "interval_mean": float(intervals.mean()), "interval_std": float(intervals.std(ddof=1)),
            "x_drop_mean": float(np.nanmean(drops)), "x_drop_std": float(np.nanstd(drops, ddof=1)),
            "x_drop_min": float(np.nanmin(drops)),
            "median_activity_max": float(max(r["median_activity"] for r in runs.values())),
            "max_background_window": float(max(r["max_background_window"]
                                               for r in runs.values()))}

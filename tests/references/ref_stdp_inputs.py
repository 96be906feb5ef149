"""Brian 2 references for the chapter ``stdp-inputs``.

The source's model strings, run by Brian 2 (numpy target) on the same Python-side
draws as the chapter (numpy ``Generator`` with the chapter's seeds: the group onsets;
the segment intervals, ``a`` and ``y``), over several Brian seeds. Only the spikes'
own randomness (``rand()`` in the threshold) differs between the runs, so the spread
over seeds is the spike-noise scale that the chapter's tolerances use.
"""

from __future__ import annotations

import logging

import numpy as np

SEEDS = [11, 12, 13, 14, 15, 16]  # Brian's seeds for rand() (spike noise)
LATENCY_SEED = 1  # the chapter's latency_input() seed
CORRELATED_SEED = 2000  # the chapter's correlated_input() seed
N = 1000


def _latency(b2, seed):
    b2.start_scope()
    b2.seed(seed)
    ms = b2.ms
    rng = np.random.default_rng(LATENCY_SEED)
    eqs = '''
    onset : second
    rate = int(t>onset and t<onset+20*ms)*100*Hz : Hz
    '''
    G = b2.NeuronGroup(N, eqs, threshold='rand()<rate*dt')
    onsets = rng.random(N // 100) * 30e-3
    G.onset = np.repeat(onsets, 100) * b2.second
    M = b2.SpikeMonitor(G)
    b2.run(100 * ms)
    t, i = np.asarray(M.t[:]), np.asarray(M.i[:])
    group = i // 100
    first = [float(t[group == g].min() - onsets[g]) for g in range(N // 100)]
    return onsets, len(t), first


def _counts_statistics(t, i, duration, bin_width=20e-3):
    """Rate and mean pairwise count correlation of each half (as the chapter computes them)."""
    bins = int(round(duration / bin_width))
    b = np.minimum((t / bin_width + 1e-9).astype(int), bins - 1)
    counts = np.zeros((N, bins))
    np.add.at(counts, (i, b), 1)
    out = {}
    for name, half in (("uncorr", counts[:N // 2]), ("corr", counts[N // 2:])):
        n = len(half)
        var_k = half.var(axis=1, ddof=1)
        var_sum = half.sum(axis=0).var(ddof=1)
        out[f"rate_{name}"] = float(half.sum() / (n * duration))
        out[f"correlation_{name}"] = float((var_sum - var_k.sum()) / (n * (n - 1)) / var_k.mean())
    return out


def _correlated(b2, seed, tau_c=20e-3, duration=2.0):
    b2.start_scope()
    b2.seed(seed)
    rng = np.random.default_rng(CORRELATED_SEED)
    eqs = '''
    a : 1
    y : 1
    corrgroup = int(i>=500) : 1
    rate_corr = 10*Hz*(1+0.3*a+0.3*y) : Hz
    rate_uncorr = 10*Hz*(1+0.3*sqrt(2)*a) : Hz
    rate = corrgroup*rate_corr+(1-corrgroup)*rate_uncorr : Hz
    '''
    G = b2.NeuronGroup(N, eqs, threshold='rand()<rate*dt')
    M = b2.SpikeMonitor(G)
    net = b2.Network(G, M)
    dt = 0.1e-3
    switches, ys = [], []
    while float(net.t) < duration - dt / 2:
        interval = np.round(rng.exponential(tau_c) / dt) * dt  # whole time steps
        G.a = rng.standard_normal(N)
        G.y = rng.standard_normal()
        switches.append(float(net.t))
        ys.append(float(G.y[0]))
        net.run(min(interval, duration - float(net.t)) * b2.second)
    stats = _counts_statistics(np.asarray(M.t[:]), np.asarray(M.i[:]), duration)
    return switches, ys, stats


def compute() -> dict:
    import brian2 as b2

    b2.prefs.codegen.target = 'numpy'
    b2.BrianLogger.log_level_error()
    logging.getLogger('brian2').setLevel(logging.ERROR)

    totals, firsts = [], []
    for seed in SEEDS:
        onsets, total, first = _latency(b2, seed)
        totals.append(total)
        firsts.append(first)
    latency = {"onsets": onsets.tolist(), "n_seeds": len(SEEDS),
               "total_mean": float(np.mean(totals)), "total_sd": float(np.std(totals, ddof=1)),
               "first_delay_max": float(np.max(firsts)),
               "first_delay_mean": float(np.mean(firsts))}

    runs = []
    for seed in SEEDS:
        switches, ys, stats = _correlated(b2, seed)
        runs.append(stats)
    correlated = {"switches": switches, "y": ys, "n_seeds": len(SEEDS)}
    for key in runs[0]:
        values = [run[key] for run in runs]
        correlated[f"{key}_mean"] = float(np.mean(values))
        correlated[f"{key}_sd"] = float(np.std(values, ddof=1))
    return {"latency": latency, "correlated": correlated}

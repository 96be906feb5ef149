"""Brian 2 reference values for the second half of the Brian 1 demos.

Pages: book/brian1-demos/topographic-map.md, adaptive-threshold.md and cobahh.md.
Brian 2 (numpy target) runs each model as the pages write it in snncore. Stochastic
models run over several seeds and store means and standard deviations; the
deterministic comparisons feed Brian 2 the same input: a fixed spike train for the
adaptive threshold, and snncore's own connectivity and initial values (built with the
page's seed) for the Hodgkin-Huxley network, whose first 50 ms of traces are stored.
"""

from __future__ import annotations

import logging

TOPO_SEEDS = [1, 2, 3, 4, 5]
ADAPT_SEEDS = list(range(1, 21))
COBAHH_SEEDS = [1, 2, 3]  # ~11 s each with the numpy target
COBAHH_PAGE_SEED = 1  # the seed of the figure on book/brian1-demos/cobahh.md
COBAHH_RECORD = [1, 10, 100]
ADAPT_INPUT_SEED = 7  # numpy seed of the fixed 500 Hz input train


def _floats(values) -> list[float]:
    import numpy as np

    return [float(x) for x in np.asarray(values, dtype=float).ravel()]


def _stats(values) -> dict:
    import numpy as np

    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)),
            "values": _floats(values)}


def _topographic_map(b2, seed: int) -> dict:
    import numpy as np

    b2.start_scope()
    b2.seed(seed)
    ms, mV = b2.ms, b2.mV
    N, tau, tau_e = 100, 10 * ms, 2 * ms  # noqa: F841 (used by the model strings)
    eqs = """
    dv/dt = (I-v)/tau : volt
    dI/dt = -I/tau_e : volt
    """
    rates = np.zeros(N)
    rates[N // 2 - 10:N // 2 + 10] = 30
    layer1 = b2.PoissonGroup(N, rates=rates * b2.Hz)
    layer2 = b2.NeuronGroup(N, eqs, threshold="v > 10*mV", reset="v = 0*mV")
    ff = b2.Synapses(layer1, layer2, "w : volt", on_pre="v += w")
    ff.connect(p=0.5)
    ff.w = "exp(-abs(i-j)*.1)*3*mV"
    rec = b2.Synapses(layer2, layer2, "w : volt", on_pre="v += w")
    rec.connect(p=0.5)
    rec.w = "exp(-abs(i-j)*.05)*0.5*mV"
    spikes = b2.SpikeMonitor(layer2)
    b2.run(1 * b2.second)
    i = np.asarray(spikes.i)
    return {"n_spikes": len(i), "mean_index": float(i.mean()),
            "central": float(np.mean(np.abs(i - 49.5) < 20)),
            "n_ff": len(ff), "n_rec": len(rec),
            "ff_ok": bool(np.allclose(ff.w[:] / mV, np.exp(-abs(ff.i[:] - ff.j[:]) * .1) * 3))}


def _adaptive(b2, seed: int | None, times=None) -> dict:
    import numpy as np

    b2.start_scope()
    ms, mV = b2.ms, b2.mV
    eqs = """
    dv/dt = -v/(10*ms) : volt
    dvt/dt = (10*mV-vt)/(15*ms) : volt
    """
    neuron = b2.NeuronGroup(1, eqs, threshold="v > vt", reset="v = 0*mV; vt += 3*mV")
    neuron.vt = 10 * mV
    if times is None:
        b2.seed(seed)
        source = b2.PoissonGroup(1, 500 * b2.Hz)
    else:
        source = b2.SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), times * b2.second)
    syn = b2.Synapses(source, neuron, on_pre="v += 3*mV")
    syn.connect()
    state = b2.StateMonitor(neuron, ["v", "vt"], record=0)
    spikes = b2.SpikeMonitor(neuron)
    b2.run(100 * ms)
    return {"n_spikes": len(spikes.t), "spike_t": _floats(spikes.t / b2.second),
            "v": _floats(state.v[0] / b2.volt), "vt": _floats(state.vt[0] / b2.volt)}


COBAHH_EQS = """
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpham*(1-m)-betam*m : 1
dn/dt = alphan*(1-n)-betan*n : 1
dh/dt = alphah*(1-h)-betah*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpham = 0.32*(mV**-1)*(13*mV-v+VT)/(exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
betam = 0.28*(mV**-1)*(v-VT-40*mV)/(exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alphah = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
betah = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alphan = 0.032*(mV**-1)*(15*mV-v+VT)/(exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
betan = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""


def _cobahh_namespace(u) -> dict:
    area = 20000 * u.umetre**2
    return {"area": area, "Cm": (1 * u.ufarad * u.cmetre**-2) * area,
            "gl": (5e-5 * u.siemens * u.cmetre**-2) * area, "El": -60 * u.mV,
            "EK": -90 * u.mV, "ENa": 50 * u.mV,
            "g_na": (100 * u.msiemens * u.cmetre**-2) * area,
            "g_kd": (30 * u.msiemens * u.cmetre**-2) * area, "VT": -63 * u.mV,
            "taue": 5 * u.ms, "taui": 10 * u.ms, "Ee": 0 * u.mV, "Ei": -80 * u.mV,
            "we": 6 * u.nS, "wi": 67 * u.nS}


def _cobahh(b2, seed: int | None, duration, given: dict | None = None) -> dict:
    import numpy as np

    b2.start_scope()
    ns = _cobahh_namespace(b2)
    P = b2.NeuronGroup(4000, COBAHH_EQS, threshold="v > -20*mV", refractory=3 * b2.ms,
                       method="exponential_euler", namespace=ns)
    Ce = b2.Synapses(P[:3200], P, on_pre="ge += we", namespace=ns)
    Ci = b2.Synapses(P[3200:], P, on_pre="gi += wi", namespace=ns)
    if given is None:
        b2.seed(seed)
        Ce.connect(p=0.02)
        Ci.connect(p=0.02)
        P.v = "El + (randn()*5-5)*mV"
        P.ge = "(randn()*1.5+4)*10*nS"
        P.gi = "(randn()*12+20)*10*nS"
    else:
        Ce.connect(i=given["ei"], j=given["ej"])
        Ci.connect(i=given["ii"], j=given["ij"])
        P.v = given["v"] * b2.volt
        P.ge = given["ge"] * b2.siemens
        P.gi = given["gi"] * b2.siemens
    trace = b2.StateMonitor(P, "v", record=COBAHH_RECORD)
    spikes = b2.SpikeMonitor(P)
    b2.run(duration)
    counts = np.bincount(np.asarray(spikes.i), minlength=4000)
    out = {"rate": float(len(spikes.i) / 4000 / float(duration)),
           "counts": [int(counts[k]) for k in COBAHH_RECORD],
           "mean_v": [float(np.mean(trace.v[k] / b2.volt)) for k in range(3)],
           "n_syn": [len(Ce), len(Ci)]}
    if given is not None:  # the first 50 ms of the traces
        out["v"] = [_floats(trace.v[k][:500] / b2.volt) for k in range(3)]
    return out


def _snncore_cobahh_build(seed: int) -> dict:
    """The page's network as snncore builds it with the page's seed: synapses and initial values."""
    import numpy as np

    import snncore as sn

    sn.start_scope()
    sn.seed(seed)
    ns = _cobahh_namespace(sn)
    P = sn.NeuronGroup(4000, COBAHH_EQS, threshold="v > -20*mV", refractory=3 * sn.ms,
                       method="exponential_euler", namespace=ns)
    Ce = sn.Synapses(P[:3200], P, on_pre="ge += we", namespace=ns)
    Ce.connect(p=0.02)
    Ci = sn.Synapses(P[3200:], P, on_pre="gi += wi", namespace=ns)
    Ci.connect(p=0.02)
    P.v = "El + (randn()*5-5)*mV"
    P.ge = "(randn()*1.5+4)*10*nS"
    P.gi = "(randn()*12+20)*10*nS"
    return {"ei": np.array(Ce.i), "ej": np.array(Ce.j), "ii": np.array(Ci.i),
            "ij": np.array(Ci.j), "v": np.array(P.v), "ge": np.array(P.ge),
            "gi": np.array(P.gi)}


def fingerprint(i, j, *values) -> list[float]:
    """A short summary that identifies a connectivity and initial values."""
    import numpy as np

    i, j = np.asarray(i, dtype=float), np.asarray(j, dtype=float)
    return [float(len(i)), float(np.sum(i * 4000 + j)), float(np.sum(i * j % 97))] + \
        [float(np.sum(np.asarray(v, dtype=float))) for v in values]


def compute() -> dict:
    import brian2 as b2
    import numpy as np

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.suppress_hierarchy("brian2")
    logging.getLogger("brian2").setLevel(logging.ERROR)
    ref: dict = {}

    # Topographic map: statistics over seeds.
    runs = [_topographic_map(b2, s) for s in TOPO_SEEDS]
    ref["topo"] = {key: _stats([r[key] for r in runs])
                   for key in ("n_spikes", "mean_index", "central", "n_ff", "n_rec")}
    ref["topo"]["ff_ok"] = all(r["ff_ok"] for r in runs)

    # Adaptive threshold: spike counts with Poisson input, and one fixed input train.
    ref["adapt"] = {"n_spikes": _stats([_adaptive(b2, s)["n_spikes"] for s in ADAPT_SEEDS])}
    dt = 0.1e-3
    rng = np.random.RandomState(ADAPT_INPUT_SEED)
    steps = np.flatnonzero(rng.rand(1000) < 500 * dt)
    times = steps * dt
    fixed = _adaptive(b2, None, times=times)
    ref["adapt"]["fixed"] = {"input_t": _floats(times), **fixed}

    # COBAHH: statistics over seeds, then snncore's network (the page's seed) run by Brian 2.
    runs = [_cobahh(b2, s, 1 * b2.second) for s in COBAHH_SEEDS]
    ref["cobahh"] = {"rate": _stats([r["rate"] for r in runs]),
                     "counts": [r["counts"] for r in runs],
                     "mean_v": [r["mean_v"] for r in runs],
                     "n_syn": [r["n_syn"] for r in runs]}
    given = _snncore_cobahh_build(COBAHH_PAGE_SEED)
    det = _cobahh(b2, None, 1 * b2.second, given=given)
    ref["cobahh"]["deterministic"] = {
        "seed": COBAHH_PAGE_SEED,
        "fingerprint": fingerprint(np.r_[given["ei"], given["ii"] + 3200],
                                   np.r_[given["ej"], given["ij"]],
                                   given["v"], given["ge"], given["gi"]),
        "v": det["v"], "rate": det["rate"], "counts": det["counts"], "mean_v": det["mean_v"]}
    return ref

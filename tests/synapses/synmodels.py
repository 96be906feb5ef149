"""Synapse models run by both snncore and Brian 2, and the helpers that run them.

Every model is a function of ``lib``, the simulator module (``snncore`` or ``brian2``):
both expose the same names, so the same code and the same model strings run in both.
External constants are local variables of the model function, which both simulators
find in the frame that calls ``run()``. Each model returns a dict of float (or int)
arrays in SI units.
"""

# Model constants are local variables found by name from the model strings:
# ruff: noqa: F841
from __future__ import annotations

import logging

import numpy as np

import snncore

DT = 1e-4  # 0.1 ms, the default time step of both simulators


def si(value) -> np.ndarray:
    """A Brian 2 quantity (or anything array-like) as a float array in SI units."""
    return np.array(np.asarray(value), dtype=float)


def ints(value) -> np.ndarray:
    return np.array(np.asarray(value), dtype=np.int64)


def brian2_module():
    import brian2

    for name in ("brian2", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    brian2.prefs.codegen.target = "numpy"
    return brian2


def brian2_run(model, *args, seed=None, **kwargs):
    """``model(brian2, ...)`` in a fresh Brian 2 scope, numpy target, dt = 0.1 ms."""
    b2 = brian2_module()
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    if seed is not None:
        b2.seed(seed)
    return model(b2, *args, **kwargs)


def snn_run(model, *args, backend=None, seed=None, **kwargs):
    """``model(snncore, ...)`` in a fresh snncore scope on ``backend`` (default: current)."""
    if backend is not None:
        snncore.set_backend(backend)
    snncore.start_scope()
    snncore.defaultclock.dt = DT
    if seed is not None:
        snncore.seed(seed)
    return model(snncore, *args, **kwargs)


_B2_CACHE: dict = {}


def brian2_reference(model, *args):
    """:func:`brian2_run`, memoized per (model, args): both backends compare to it."""
    key = (model, args)
    if key not in _B2_CACHE:
        _B2_CACHE[key] = brian2_run(model, *args)
    return _B2_CACHE[key]


def assert_close(got: dict, ref: dict, names, atol: float) -> None:
    for name in names:
        a, b = np.asarray(got[name]), np.asarray(ref[name])
        assert a.shape == b.shape, f"{name}: shape {a.shape} != reference {b.shape}"
        if a.size:
            err = np.max(np.abs(a - b))
            assert err <= atol, f"{name}: max |difference| {err:.3g} > {atol:g}"


def assert_same(got: dict, ref: dict, names) -> None:
    for name in names:
        a, b = np.asarray(got[name]), np.asarray(ref[name])
        assert a.shape == b.shape, f"{name}: shape {a.shape} != reference {b.shape}"
        if not np.array_equal(a, b):
            where = np.argwhere(a != b)[:5].tolist()
            raise AssertionError(f"{name}: differs at {where}: got {a[tuple(zip(*where))]}, "
                                 f"reference {b[tuple(zip(*where))]}")


def _traces(M, names, spikes=None) -> dict:
    out = {"t": si(M.t)}
    for name in names:
        out[name] = si(getattr(M, name))
    if spikes is not None:
        out["spike_i"] = ints(spikes.i)
        out["spike_t"] = si(spikes.t)
    return out


TUTORIAL_EQS = """
dv/dt = (I-v)/tau : 1
I : 1
tau : second
"""


# ---- Brian 2 tutorial 2: synapses ---------------------------------------------------

def simplest_synapse(lib):
    G = lib.NeuronGroup(2, TUTORIAL_EQS, threshold="v>1", reset="v = 0", method="exact")
    G.I = [2, 0]
    G.tau = [10, 100] * lib.ms
    S = lib.Synapses(G, G, on_pre="v_post += 0.2")
    S.connect(i=0, j=1)
    M = lib.StateMonitor(G, "v", record=True)
    sm = lib.SpikeMonitor(G)
    lib.run(100 * lib.ms)
    return _traces(M, ["v"], sm)


def adding_a_weight(lib):
    G = lib.NeuronGroup(3, TUTORIAL_EQS, threshold="v>1", reset="v = 0", method="exact")
    G.I = [2, 0, 0]
    G.tau = [10, 100, 100] * lib.ms
    S = lib.Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(i=0, j=[1, 2])
    S.w = "j*0.2"
    M = lib.StateMonitor(G, "v", record=True)
    sm = lib.SpikeMonitor(G)
    lib.run(50 * lib.ms)
    out = _traces(M, ["v"], sm)
    out["w"] = si(S.w)
    return out


def introducing_a_delay(lib):
    G = lib.NeuronGroup(3, TUTORIAL_EQS, threshold="v>1", reset="v = 0", method="exact")
    G.I = [2, 0, 0]
    G.tau = [10, 100, 100] * lib.ms
    S = lib.Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(i=0, j=[1, 2])
    S.w = "j*0.2"
    S.delay = "j*2*ms"
    M = lib.StateMonitor(G, "v", record=True)
    sm = lib.SpikeMonitor(G)
    lib.run(50 * lib.ms)
    out = _traces(M, ["v"], sm)
    out["delay"] = si(S.delay)
    return out


CONNECT_FORMS = {
    "abs(i-j)<4 and i!=j": dict(condition="abs(i-j)<4 and i!=j"),
    "generator skip_if_invalid": dict(j="k for k in range(i-3, i+4) if i!=k",
                                      skip_if_invalid=True),
    "j='i'": dict(j="i"),
    "i!=j": dict(condition="i!=j"),
}


def connectivity(lib, form):
    G = lib.NeuronGroup(10, "v:1")
    S = lib.Synapses(G, G)
    S.connect(**CONNECT_FORMS[form])
    return {"i": ints(S.i), "j": ints(S.j), "n": np.array([len(S)])}


def distance_weights(lib):
    N = 30
    neuron_spacing = 50 * lib.umetre
    width = N / 4.0 * neuron_spacing
    G = lib.NeuronGroup(N, "x : metre")
    G.x = "i*neuron_spacing"
    S = lib.Synapses(G, G, "w : 1")
    S.connect(condition="i!=j")
    S.w = "exp(-(x_pre-x_post)**2/(2*width**2))"
    return {"i": ints(S.i), "j": ints(S.j), "w": si(S.w), "x_pre": si(S.x_pre),
            "x_post": si(S.x_post)}


def stdp_clock_driven(lib):
    taupre = taupost = 20 * lib.ms
    wmax = 0.01
    Apre = 0.01
    Apost = -Apre * taupre / taupost * 1.05
    G = lib.NeuronGroup(2, "v:1", threshold="t>(1+i)*10*ms", refractory=100 * lib.ms)
    S = lib.Synapses(G, G,
                     """
                     w : 1
                     dapre/dt = -apre/taupre : 1 (clock-driven)
                     dapost/dt = -apost/taupost : 1 (clock-driven)
                     """,
                     on_pre="""
                     v_post += w
                     apre += Apre
                     w = clip(w+apost, 0, wmax)
                     """,
                     on_post="""
                     apost += Apost
                     w = clip(w+apre, 0, wmax)
                     """, method="linear")
    S.connect(i=0, j=1)
    M = lib.StateMonitor(S, ["w", "apre", "apost"], record=True)
    GM = lib.StateMonitor(G, "v", record=True)
    lib.run(30 * lib.ms)
    out = _traces(M, ["w", "apre", "apost"])
    out["v"] = si(GM.v)
    return out


def stdp_event_driven(lib):
    taupre = taupost = 20 * lib.ms
    Apre = 0.01
    Apost = -Apre * taupre / taupost * 1.05
    tmax = 50 * lib.ms
    N = 100
    G = lib.NeuronGroup(N, "tspike:second", threshold="t>tspike", refractory=100 * lib.ms)
    H = lib.NeuronGroup(N, "tspike:second", threshold="t>tspike", refractory=100 * lib.ms)
    G.tspike = "i*tmax/(N-1)"
    H.tspike = "(N-1-i)*tmax/(N-1)"
    S = lib.Synapses(G, H,
                     """
                     w : 1
                     dapre/dt = -apre/taupre : 1 (event-driven)
                     dapost/dt = -apost/taupost : 1 (event-driven)
                     """,
                     on_pre="""
                     apre += Apre
                     w = w+apost
                     """,
                     on_post="""
                     apost += Apost
                     w = w+apre
                     """)
    S.connect(j="i")
    lib.run(tmax + 1 * lib.ms)
    return {"w": si(S.w), "apre": si(S.apre), "apost": si(S.apost),
            "lastupdate": si(S.lastupdate), "dt_spike": si(H.tspike - G.tspike)}


# ---- short-term plasticity (neuro4ml) ---------------------------------------------

def stp_runit(lib, tau, tauf, taud, U):
    """``runit`` of the neuro4ml notebook; times in ms as plain numbers."""
    tau, tauf, taud = tau * lib.ms, tauf * lib.ms, taud * lib.ms
    eqs = """
    dv/dt = -v/tau : 1
    du/dt = -u/tauf : 1
    dx/dt = (1-x)/taud : 1
    """
    H = lib.SpikeGeneratorGroup(1, [0] * 5, np.arange(1, 6) * 50 * lib.ms)
    G = lib.NeuronGroup(1, eqs, method="euler")
    G.x = 1
    S = lib.Synapses(H, G, on_pre="u += U*(1-u); v += u*x; x -= u*x;")
    S.connect(p=1)
    M = lib.StateMonitor(G, ("v", "u", "x"), record=True)
    lib.run(300 * lib.ms)
    return _traces(M, ["v", "u", "x"])


STP_CASES = {"depression": (10, 50, 750, 0.45), "facilitation": (10, 750, 50, 0.15)}


def tsodyks_summed(lib, constant="A_syn"):
    """Clock-driven Tsodyks-Markram synapses whose current is a (summed) variable.

    ``constant`` is the name of the amplitude constant in the model string: the brief's
    ``A`` (a plain user constant in Brian 2, whose unit namespace has no ``A``) or
    ``A_syn``.
    """
    tau = 10 * lib.ms
    tau_d = 200 * lib.ms
    tau_f = 50 * lib.ms
    tau_s = 3 * lib.ms
    U = 0.3
    A = A_syn = 2.5
    H = lib.SpikeGeneratorGroup(3, [0, 1, 0, 2, 1, 0, 2, 0, 1],
                                [5, 5, 12.3, 20, 26.7, 27, 40, 41.05, 60] * lib.ms)
    G = lib.NeuronGroup(2, """dv/dt = (I_syn - v)/tau : 1
                              I_syn : 1""")
    model = """dx/dt = (1-x)/tau_d : 1 (clock-driven)
               du/dt = (U-u)/tau_f : 1 (clock-driven)
               dy/dt = -y/tau_s : 1 (clock-driven)
               I_syn_post = CONST*y*(1 + j) : 1 (summed)""".replace("CONST", constant)
    S = lib.Synapses(H, G, model,
                     on_pre="u += U*(1-u); y += u*x; x -= u*x")
    S.connect()
    S.x = 1
    S.u = U
    M = lib.StateMonitor(G, ["v", "I_syn"], record=True)
    MS = lib.StateMonitor(S, ["x", "u", "y"], record=True)
    lib.run(80 * lib.ms)
    out = _traces(M, ["v", "I_syn"])
    for name in ("x", "u", "y"):
        out["syn_" + name] = si(getattr(MS, name))
    return out


# ---- delays and accumulation ---------------------------------------------------------

HETERO_FACTORS = np.concatenate([np.arange(12) * 1.3, [0.5, 1.5, 2.5, 3.5, 4.49, 4.51]])
HETERO_SPIKE_STEP = 10


def heterogeneous_delays(lib):
    K = HETERO_FACTORS.size
    H = lib.SpikeGeneratorGroup(1, [0], [HETERO_SPIKE_STEP * 0.1] * lib.ms)
    G = lib.NeuronGroup(K, "v : 1")
    S = lib.Synapses(H, G, on_pre="v_post += 1")
    S.connect(i=0, j=np.arange(K))
    S.delay = HETERO_FACTORS * 0.1 * lib.ms
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(4 * lib.ms)
    return _traces(M, ["v"])


def accumulate(lib, n, delay):
    """50 sources spiking in one step onto one target, ``n`` synapses per pair."""
    H = lib.SpikeGeneratorGroup(50, np.arange(50), np.ones(50) * lib.ms)
    G = lib.NeuronGroup(2, "v : 1")
    S = lib.Synapses(H, G, "w : 1", on_pre="v_post += w")
    S.connect(i=np.arange(50), j=0, n=n)
    S.connect(i=np.arange(0, 50, 2), j=1, n=n)
    S.w = "0.001*(i+1) + 0.1*j"
    if delay == "heterogeneous":
        S.delay = "(i % 3)*0.2*ms"
    elif delay == "homogeneous":
        S.delay = 0.5 * lib.ms
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(3 * lib.ms)
    out = _traces(M, ["v"])
    out["i"], out["j"], out["w"] = ints(S.i), ints(S.j), si(S.w)
    return out


# ---- subgroups --------------------------------------------------------------------

def subgroup_synapses(lib):
    tau = 10 * lib.ms
    P = lib.NeuronGroup(6, """dv/dt = (I - v)/tau : 1
                              I : 1""", threshold="v > 1", reset="v = 0", method="exact")
    P.I = [1.5, 2.0, 3.0, 0, 0, 0]
    S = lib.Synapses(P[:3], P[3:], "w : 1", on_pre="v_post += w")
    S.connect(condition="i != j")
    S.w = "0.1*(i+1) + 0.01*j"
    M = lib.StateMonitor(P, "v", record=True)
    sm = lib.SpikeMonitor(P)
    lib.run(40 * lib.ms)
    out = _traces(M, ["v"], sm)
    out["i"], out["j"], out["w"] = ints(S.i), ints(S.j), si(S.w)
    return out


def spike_generator_period(lib):
    H = lib.SpikeGeneratorGroup(3, [0, 1, 2, 0], [1, 2.5, 2.55, 4.2] * lib.ms,
                                period=5 * lib.ms)
    sm = lib.SpikeMonitor(H)
    lib.run(21 * lib.ms)
    return {"spike_i": ints(sm.i), "spike_t": si(sm.t)}


ROUNDING_TIMES = np.array([0.0, 0.05, 0.1, 0.1499999, 0.15, 0.2999999999, 0.3, 0.30001,
                           0.99999, 1.0, 1.00004, 1.25, 1.35, 2.0 - 1e-13, 2.45, 3.3])


def spike_generator_rounding(lib):
    n = ROUNDING_TIMES.size
    H = lib.SpikeGeneratorGroup(n, np.arange(n), ROUNDING_TIMES * lib.ms)
    sm = lib.SpikeMonitor(H)
    lib.run(4 * lib.ms)
    order = np.argsort(ints(sm.i), kind="stable")
    return {"spike_i": ints(sm.i)[order], "spike_t": si(sm.t)[order]}


def cuba(lib, duration=0.2):
    """The Brian 1 'Random network' demo in Brian 2 syntax (a subgroup-driven CUBA)."""
    eqs = """
    dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
    dge/dt = -ge/(5*ms) : volt
    dgi/dt = -gi/(10*ms) : volt
    """
    P = lib.NeuronGroup(4000, eqs, threshold="v>-50*mV", reset="v=-60*mV", method="exact")
    P.v = "-60*mV + 10*mV*rand()"
    Pe = P[:3200]
    Pi = P[3200:]
    Ce = lib.Synapses(Pe, P, on_pre="ge += 1.62*mV")
    Ce.connect(p=0.02)
    Ci = lib.Synapses(Pi, P, on_pre="gi += -9*mV")
    Ci.connect(p=0.02)
    M = lib.SpikeMonitor(P)
    lib.run(duration * lib.second)
    return {"spike_i": ints(M.i), "spike_t": si(M.t), "n_e": len(Ce), "n_i": len(Ci),
            "ci_i_max": int(np.max(ints(Ci.i))), "ce_i_max": int(np.max(ints(Ce.i)))}


# Every deterministic model, with its arguments, for the backend-agreement test.
DETERMINISTIC = {
    "simplest": (simplest_synapse, ()),
    "weight": (adding_a_weight, ()),
    "delay": (introducing_a_delay, ()),
    "distance-weights": (distance_weights, ()),
    "stdp-clock": (stdp_clock_driven, ()),
    "stdp-event": (stdp_event_driven, ()),
    "stp-depression": (stp_runit, STP_CASES["depression"]),
    "stp-facilitation": (stp_runit, STP_CASES["facilitation"]),
    "tsodyks-summed": (tsodyks_summed, ()),
    "tsodyks-summed-A": (tsodyks_summed, ("A",)),
    "hetero-delays": (heterogeneous_delays, ()),
    "accumulate-n3-hetero": (accumulate, (3, "heterogeneous")),
    "accumulate-n3-same-step": (accumulate, (3, None)),
    "subgroups": (subgroup_synapses, ()),
    "generator-period": (spike_generator_period, ()),
    **{f"connect-{form}": (connectivity, (form,)) for form in CONNECT_FORMS},
}

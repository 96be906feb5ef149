"""The benchmark models of issue 8, each written once for either simulator.

Every model is a function of ``lib``, a simulator module (``snncore`` or ``brian2``),
and uses only the syntax both understand: ``lib.NeuronGroup``, ``lib.Synapses``,
``connect(p=...)``, subgroups by slicing, model strings, unit constants from ``lib``
(snncore's are floats, so arrays are ``np.array(...)*lib.mV``, never lists times a
unit) and string expressions for random initial values.

A model function returns a :class:`Spec`: the objects to put into one
``lib.Network``, the durations of the ``run()`` calls (more than one for models run in
segments), an optional ``before(k)`` hook called before the k-th run (the segmented
input redraws its rates there), and what is needed to count spikes and synaptic events
afterwards. All external constants go into an explicit ``namespace`` on every group, so
that neither simulator has to look them up in a caller's frame.

``size`` scales a model down for ``--quick`` test runs (1 = the published size).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Spec:
    objects: list
    runs: list                                   # durations (lib units) of the run() calls
    spike_monitors: list                         # SpikeMonitors whose spikes are counted
    events: list = field(default_factory=list)   # (Synapses, SpikeMonitor, start, stop)
    synapses: list = field(default_factory=list)  # for bytes per synapse
    before: Callable | None = None               # before(k): hook before the k-th run
    info: dict = field(default_factory=dict)


def _setup(lib, dt_ms: float, seed: int) -> None:
    lib.start_scope()
    lib.defaultclock.dt = dt_ms * lib.ms
    lib.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (Brian 2 draws from the global state)


# --------------------------------------------------------------------------- CUBA
def _random_pairs(n_pre: int, n_post: int, p: float, rng) -> tuple:
    """Each (i, j) pair independently with probability p, drawn in O(synapses): the
    number of pairs is binomial, their flat positions distinct and uniform (duplicates
    of a draw with replacement are replaced by new draws). Sorted by i, then j."""
    k = rng.binomial(n_pre * n_post, p)
    flat = _sorted_unique(rng.integers(0, n_pre * n_post, size=k, dtype=np.int64))
    while flat.size < k:
        more = rng.integers(0, n_pre * n_post, size=k - flat.size, dtype=np.int64)
        flat = _sorted_unique(np.concatenate([flat, more]))
    return flat // n_post, flat % n_post


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # np.unique (numpy 2.3) hashes before sorting: 9 s for the 20M pairs at 256k neurons.
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def cuba(lib, N: int = 4000, duration: float = 1.0, p: float | None = None,
         seed: int = 1, explicit: bool = False) -> Spec:
    """Brian 1 demo 'Random network' (CUBA): 80% excitatory, 20% inhibitory, p = 2%.

    With ``p=None`` the connection probability is 2% at 4000 neurons (80 inputs per
    neuron) and 80/N otherwise, so that the scaling series keeps the inputs per neuron.
    ``explicit=True`` (the scaling series) draws the pairs with numpy and passes them
    as ``connect(i=..., j=...)``, so that the series times the same connectivity in
    both simulators (chosen when snncore's ``connect(p=...)`` still drew a number per
    candidate pair; it now draws one per synapse made).
    """
    _setup(lib, 0.1, seed)
    ms, mV = lib.ms, lib.mV
    ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV,
              El=-49 * mV, we=1.62 * mV, wi=-9 * mV)
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = lib.NeuronGroup(N, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms,
                        method="exact", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    Ne = int(0.8 * N)
    Pe, Pi = P[:Ne], P[Ne:]
    prob = 80.0 / N if p is None else p
    Ce = lib.Synapses(Pe, P, on_pre="ge += we", namespace=ns)
    Ci = lib.Synapses(Pi, P, on_pre="gi += wi", namespace=ns)
    if explicit:
        rng = np.random.default_rng(seed)
        Ce.connect(i=(pairs := _random_pairs(Ne, N, prob, rng))[0], j=pairs[1])
        Ci.connect(i=(pairs := _random_pairs(N - Ne, N, prob, rng))[0], j=pairs[1])
    else:
        Ce.connect(p=prob)
        Ci.connect(p=prob)
    M = lib.SpikeMonitor(P)
    return Spec([P, Ce, Ci, M], [duration * lib.second], [M],
                events=[(Ce, M, 0, Ne), (Ci, M, Ne, N)], synapses=[Ce, Ci],
                info=dict(N=N, p=prob, connect="explicit i, j" if explicit else "p"))


# --------------------------------------------------------------------------- COBAHH
def cobahh(lib, N: int = 4000, duration: float = 1.0, seed: int = 1) -> Spec:
    """Brian 2 example COBAHH: 4000 Hodgkin-Huxley neurons, conductance synapses."""
    _setup(lib, 0.1, seed)
    ms, mV, nS = lib.ms, lib.mV, lib.nS
    area = 20000 * lib.umetre ** 2
    ns = dict(Cm=1 * lib.ufarad * lib.cm ** -2 * area,
              gl=5e-5 * lib.siemens * lib.cm ** -2 * area,
              El=-60 * mV, EK=-90 * mV, ENa=50 * mV,
              g_na=100 * lib.msiemens * lib.cm ** -2 * area,
              g_kd=30 * lib.msiemens * lib.cm ** -2 * area,
              VT=-63 * mV, taue=5 * ms, taui=10 * ms, Ee=0 * mV, Ei=-80 * mV,
              we=6 * nS, wi=67 * nS)
    eqs = """
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """
    P = lib.NeuronGroup(N, eqs, threshold="v>-20*mV", refractory=3 * ms,
                        method="exponential_euler", namespace=ns)
    Ne = int(0.8 * N)
    Pe, Pi = P[:Ne], P[Ne:]
    prob = 80.0 / N
    Ce = lib.Synapses(Pe, P, on_pre="ge+=we", namespace=ns)
    Ci = lib.Synapses(Pi, P, on_pre="gi+=wi", namespace=ns)
    Ce.connect(p=prob)
    Ci.connect(p=prob)
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"
    M = lib.SpikeMonitor(P)
    return Spec([P, Ce, Ci, M], [duration * lib.second], [M],
                events=[(Ce, M, 0, Ne), (Ci, M, Ne, N)], synapses=[Ce, Ci],
                info=dict(N=N, p=prob))


# --------------------------------------------------------------------------- Brunel-Hakim
def brunel_hakim(lib, N: int = 5000, C: int = 1000, duration: float = 1.0,
                 seed: int = 1) -> Spec:
    """Brunel & Hakim (1999), as Brian 2's example: sparse inhibition, 2 ms delay."""
    _setup(lib, 0.1, seed)
    ms, mV = lib.ms, lib.mV
    ns = dict(Vr=10 * mV, theta=20 * mV, tau=20 * ms, J=0.1 * mV, muext=25 * mV,
              sigmaext=1 * mV)
    eqs = "dV/dt = (-V+muext + sigmaext * sqrt(tau) * xi)/tau : volt"
    G = lib.NeuronGroup(N, eqs, threshold="V>theta", reset="V=Vr", refractory=2 * ms,
                        method="euler", namespace=ns)
    G.V = "Vr"
    S = lib.Synapses(G, G, on_pre="V -= J", delay=2 * ms, namespace=ns)
    S.connect(p=float(C) / N)
    M = lib.SpikeMonitor(G)
    return Spec([G, S, M], [duration * lib.second], [M], events=[(S, M, 0, N)],
                synapses=[S], info=dict(N=N, p=float(C) / N))


# --------------------------------------------------------------------------- Tsodyks 2000
def _truncated_normal(rng, loc, scale, low, high, size):
    """Normal(loc, scale) restricted to (low, high], by rejection (scipy-free)."""
    out = rng.normal(loc, scale, size)
    bad = (out <= low) | (out > high)
    while bad.any():
        out[bad] = rng.normal(loc, scale, int(bad.sum()))
        bad = (out <= low) | (out > high)
    return out


def tsodyks2000(lib, n_exc: int = 400, n_inh: int = 100, duration: float = 5.1,
                seed: int = 5) -> Spec:
    """Tsodyks, Uziel & Markram (2000) Fig. 1: 500 neurons, four TM synapse types.

    The source runs 900 ms of burn-in and then 4200 ms with monitors; here the monitors
    record from the start and the 5.1 s (at dt = 1 ms) are one ``run()``, so that every
    tool's loop time, including Brian 2 cpp_standalone's (which times only the last
    run), covers the whole simulation.
    """
    _setup(lib, 1.0, seed)
    rng = np.random.default_rng(seed)
    ms, mV = lib.ms, lib.mV
    neuron_eqs = """
    tau_mem : second
    v_reset : volt
    v_thresh : volt
    I_syn_ee : volt
    I_syn_ei : volt
    I_syn_ie : volt
    I_syn_ii : volt
    I_b : volt
    dv/dt = (-v + I_syn_ee + I_syn_ei + I_syn_ie + I_syn_ii + I_b)/tau_mem : volt (unless refractory)
    """

    def population(N, refrac):
        G = lib.NeuronGroup(N, neuron_eqs, threshold="v>v_thresh", reset="v=v_reset",
                            refractory=refrac, method="exact", namespace={})
        G.tau_mem = 30 * ms
        G.v_thresh = 15 * mV
        G.v_reset = 13.5 * mV
        G.I_b = rng.uniform(14.5, 15.5, size=N) * mV
        return G

    def synapses(name, source, target, A, U, tau_rec, tau_facil=None):
        eqs = f"""
        A : volt
        U : 1
        tau_I : second
        tau_rec : second
        dx/dt = z/tau_rec : 1 (clock-driven)
        dy/dt = -y/tau_I : 1 (clock-driven)
        z = 1 - x - y : 1
        I_syn_{name}_post = A*y : volt (summed)
        """
        if tau_facil:
            eqs += """
            du/dt = -u/tau_facil : 1 (clock-driven)
            tau_facil : second
            """
            on_pre = "u += U*(1-u)\ny += u*x\nx += -u*x"
        else:
            on_pre = "y += U*x\nx += -U*x"
        S = lib.Synapses(source, target, eqs, on_pre=on_pre, method="exact", namespace={})
        # p = 0.1, drawn here rather than by connect(p=...): cpp_standalone cannot tell
        # len(S) before the binary has run, and the per-synapse draws need it
        pre, post = np.nonzero(rng.random((len(source), len(target))) < 0.1)
        S.connect(i=pre, j=post)
        n = len(pre)
        S.tau_I = 3 * ms
        a_lo, a_hi = min(0.2 * A, 2 * A), max(0.2 * A, 2 * A)
        S.A = _truncated_normal(rng, A, 0.5 * abs(A), a_lo, a_hi, n) * mV
        S.U = _truncated_normal(rng, U[0], 0.5 * U[0], U[1], U[2], n)
        S.tau_rec = _truncated_normal(rng, tau_rec, 0.5 * tau_rec, 5, np.inf, n) * ms
        if tau_facil:
            S.tau_facil = _truncated_normal(rng, tau_facil, 0.5 * tau_facil, 5, np.inf,
                                            n) * ms
        S.x = 1
        return S

    E = population(n_exc, 3 * ms)
    inh = population(n_inh, 2 * ms)
    ee = synapses("ee", E, E, 1.8, (0.5, 0.1, 0.9), 800)
    ei = synapses("ei", E, inh, 7.2, (0.04, 0.001, 0.07), 100, 1000)
    ie = synapses("ie", inh, E, -5.4, (0.5, 0.1, 0.9), 800)
    ii = synapses("ii", inh, inh, -7.2, (0.04, 0.001, 0.07), 100, 1000)
    ME, MI = lib.SpikeMonitor(E), lib.SpikeMonitor(inh)
    return Spec([E, inh, ee, ei, ie, ii, ME, MI],
                [duration * lib.second], [ME, MI],
                events=[(ee, ME, 0, n_exc), (ei, ME, 0, n_exc), (ie, MI, 0, n_inh),
                        (ii, MI, 0, n_inh)],
                synapses=[ee, ei, ie, ii], info=dict(N=n_exc + n_inh))


# --------------------------------------------------------------------------- correlated groups

#: The correlated-groups input of the STDP chapter (Song & Abbott 2001); also used by
#: benchmarks/segments.py.
CORRELATED_EQS = """
a : 1
y : 1
corrgroup = int(i>=500) : 1
rate_corr = 10*Hz*(1+sigma*(sqrt(1-c)*a+sqrt(c)*y)) : Hz
rate_uncorr = 10*Hz*(1+sigma*a) : Hz
rate = corrgroup*rate_corr+(1-corrgroup)*rate_uncorr : Hz
"""

def correlated_groups(lib, segmented: bool, N: int = 1000, duration: float = 2.0,
                      seed: int = 2000) -> Spec:
    """The correlated-groups input of the chapter ``stdp-inputs`` (Song et al. 2000).

    Rates are redrawn every ~20 ms (exponential intervals, tau_c = 20 ms) by running
    the network in segments, as the chapter does; the continuous variant sets them once
    and runs the same number of steps in one ``run()``. The segment lengths are drawn
    from numpy, so they are the same for both simulators.
    """
    _setup(lib, 0.1, seed)
    rng = np.random.default_rng(seed)
    ms = lib.ms
    ns = dict(c=0.5, sigma=0.3 * np.sqrt(2))
    G = lib.NeuronGroup(N, CORRELATED_EQS, threshold="rand()<rate*dt", namespace=ns)
    M = lib.SpikeMonitor(G)
    steps_total = int(round(duration / 1e-4))
    if segmented:
        steps = []
        while sum(steps) < steps_total:
            k = max(int(np.round(rng.exponential(0.020) / 1e-4)), 1)
            steps.append(min(k, steps_total - sum(steps)))
    else:
        steps = [steps_total]
    draws = [(rng.standard_normal(N), float(rng.standard_normal())) for _ in steps]

    def before(k):
        G.a = draws[k][0]
        G.y = draws[k][1]

    return Spec([G, M], [s * 0.1 * ms for s in steps], [M], before=before,
                info=dict(N=N, segments=len(steps)))


# --------------------------------------------------------------------------- tuning curve
def tuning_curve(lib, n: int = 10000, duration: float = 0.2, w: float = 0.8,
                 sigma: float = 0.3, seed: int = 4321) -> Spec:
    """Spike-time tuning curve of the short-term-plasticity chapter (41 x n neurons)."""
    _setup(lib, 0.1, seed)
    ms = lib.ms
    delta_t = np.linspace(-0.010, 0.010, 41)  # seconds
    k = len(delta_t)
    ns = dict(tau=2 * ms, sigma=sigma, w=w)
    # Condition c: input 2c spikes at 150 ms, input 2c+1 at 150 ms + delta_t[c].
    times = np.ravel(np.column_stack([np.full(k, 0.150), 0.150 + delta_t]))
    H = lib.SpikeGeneratorGroup(2 * k, np.arange(2 * k), times * lib.second)
    G = lib.NeuronGroup(k * n, "dv/dt = -v/tau + sigma*xi*sqrt(2/tau) : 1",
                        threshold="v>1", reset="v=0", method="euler", namespace=ns)
    S = lib.Synapses(H, G, on_pre="v += w", namespace=ns)
    S.connect(i=np.repeat(np.arange(2 * k), n),
              j=np.repeat(np.arange(k * n).reshape(k, n), 2, axis=0).ravel())
    M = lib.SpikeMonitor(G)
    MH = lib.SpikeMonitor(H)
    return Spec([H, G, S, M, MH], [duration * lib.second], [M],
                events=[(S, MH, 0, 2 * k)], synapses=[S], info=dict(N=k * n))


# --------------------------------------------------------------------------- STP re-run
def stp_model(lib, U: float, tau_f: float, tau_d: float, tau: float = 0.010) -> tuple:
    """The short-term-plasticity figure model: one input, one TM synapse, one neuron.

    Built and run from scratch (as the chapter's widget does after a slider move);
    returns the PSP peaks and the state monitor's ``v``. Times in seconds.
    """
    lib.start_scope()
    lib.defaultclock.dt = 0.1 * lib.ms
    ms = lib.ms
    input_times = np.arange(1, 6) * 50 * ms
    ns = dict(U=U, tau_f=tau_f * lib.second, tau_d=tau_d * lib.second,
              tau=tau * lib.second)
    eqs = """
    dv/dt = -v/tau : 1
    du/dt = -u/tau_f : 1
    dx/dt = (1-x)/tau_d : 1
    """
    H = lib.SpikeGeneratorGroup(1, np.zeros(5, dtype=int), input_times)
    G = lib.NeuronGroup(1, eqs, method="euler", namespace=ns)
    G.x = 1
    S = lib.Synapses(H, G, on_pre="u += U*(1-u); v += u*x; x -= u*x", namespace=ns)
    S.connect(p=1)
    M = lib.StateMonitor(G, ("v", "u", "x"), record=True)
    net = lib.Network(H, G, S, M)
    net.run(300 * ms)
    t, v = np.asarray(M.t[:]), np.asarray(M.v[0])
    peaks = np.array([v[(t >= s) & (t < s + float(50 * ms))].max()
                      for s in np.asarray(input_times)])
    return peaks, v


# 20 parameter changes that move one of U, tau_f, tau_d at a time (the widget's sliders).
def stp_changes(count: int = 20) -> list[dict]:
    base = dict(U=0.45, tau_f=0.050, tau_d=0.750)
    ranges = dict(U=(0.05, 1.0), tau_f=(0.010, 1.0), tau_d=(0.010, 1.0))
    names = list(ranges)
    out = []
    for k in range(count):
        name = names[k % 3]
        lo, hi = ranges[name]
        frac = (k // 3 + 1) / (count // 3 + 2)
        out.append({**base, name: lo + frac * (hi - lo)})
    return out


# --------------------------------------------------------------------------- registry
# name -> (builder(lib, quick) -> Spec, description)
MODELS = {
    "cuba": (lambda lib, q: cuba(lib, N=400 if q else 4000, duration=0.05 if q else 1.0,
                                 p=0.02),
             "CUBA, 4000 neurons, 2% connectivity, 1 s, dt 0.1 ms"),
    "cobahh": (lambda lib, q: cobahh(lib, N=400 if q else 4000,
                                     duration=0.02 if q else 1.0),
               "COBAHH, 4000 HH neurons, exponential Euler, 1 s"),
    "brunel_hakim": (lambda lib, q: brunel_hakim(lib, N=500 if q else 5000,
                                                 C=100 if q else 1000,
                                                 duration=0.05 if q else 1.0),
                     "Brunel-Hakim, 5000 neurons, 1000 inputs each, 2 ms delay, 1 s"),
    "tsodyks2000": (lambda lib, q: tsodyks2000(lib, n_exc=80 if q else 400,
                                               n_inh=20 if q else 100,
                                               duration=0.15 if q else 5.1),
                    "Tsodyks 2000, 500 neurons, 4 TM synapse types, 5.1 s at dt 1 ms"),
    "corr_segmented": (lambda lib, q: correlated_groups(lib, True, N=1000,
                                                        duration=0.2 if q else 2.0),
                       "correlated-groups input, 1000 neurons, 2 s in ~100 segments"),
    "corr_continuous": (lambda lib, q: correlated_groups(lib, False, N=1000,
                                                         duration=0.2 if q else 2.0),
                        "correlated-groups input, 1000 neurons, 2 s in one run"),
    "tuning_curve": (lambda lib, q: tuning_curve(lib, n=200 if q else 10000,
                                                 duration=0.2),
                     "spike-time tuning curve, 41 x 10000 noisy neurons, 200 ms"),
}

# CUBA scaling series: 80 inputs per neuron (p = 80/N). Durations shorten for the
# largest sizes; results are normalised per simulated second.
SCALING = {1000: 1.0, 4000: 1.0, 16000: 1.0, 64000: 0.5, 256000: 0.25}
SCALING_QUICK = {1000: 0.02, 4000: 0.02, 16000: 0.01}

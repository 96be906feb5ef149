"""Brian 2 reference for the chapter ``book/psp-forms.md`` (neuro4ml 'Synapses').

The two models of the seed's sections "Level of abstraction" and "Postsynaptic potential
forms", run by Brian 2 (numpy target, Euler, dt = 0.1 ms) exactly as the seed writes them;
the PSP-forms model is also run with other time constants for the chapter's widget test.
Traces are subsampled every ``EVERY`` steps; peaks are taken from the full traces.
"""

from __future__ import annotations

EVERY = 10  # keep one sample in 10 (every 1 ms)


def _summary(M, names, every=EVERY) -> dict:
    import numpy as np

    t = np.asarray(M.t[:])
    out = {"t": t[::every].tolist(), "every": every, "peak": {}}
    for name in names:
        x = np.asarray(getattr(M, name)[0])
        k = int(np.argmax(x))
        out[name] = x[::every].tolist()
        out["peak"][name] = {"t": float(t[k]), "value": float(x[k]), "step": k}
    return out


def level_of_abstraction(b2) -> dict:
    """A spike sets v, or opens a current x, or a conductance g (seed's parameters)."""
    b2.start_scope()
    tau, taux, taug = 10 * b2.ms, 8 * b2.ms, 8 * b2.ms
    eqs = """
    dv/dt=-v/tau:1
    du/dt=((taux/tau)**(-tau/(tau-taux))*x-u)/tau:1
    dx/dt=-x/taux:1
    dz/dt=(I-z)/tau:1
    I=g*(z+1):1
    dg/dt=-g/taug:1
    """
    G = b2.NeuronGroup(1, eqs, method="euler",
                       namespace={"tau": tau, "taux": taux, "taug": taug})
    M = b2.StateMonitor(G, ("v", "u", "z"), record=True)
    net = b2.Network(G, M)
    net.run(10 * b2.ms)
    G.v = 1
    G.x = 1
    G.g = 1
    net.run(90 * b2.ms)
    return _summary(M, "vuz")


def psp_shapes(b2, tau_ms: float = 10.0, tau2_ms: float = 2.0) -> dict:
    """Exponential (v), alpha (u) and biexponential (z) PSPs after a spike at 5 ms."""
    b2.start_scope()
    tau, tau2 = tau_ms * b2.ms, tau2_ms * b2.ms
    eqs = """
    dv/dt=-v/tau:1
    du/dt=(x-u)/tau:1
    dx/dt=-x/tau:1
    dz/dt=(I-z)/tau:1
    dI/dt=-I/tau2:1
    """
    G = b2.NeuronGroup(1, eqs, method="euler", namespace={"tau": tau, "tau2": tau2})
    M = b2.StateMonitor(G, ("v", "u", "z"), record=True)
    net = b2.Network(G, M)
    net.run(5 * b2.ms)
    G.v = 1
    G.x = 1
    G.I = 1
    net.run(45 * b2.ms)
    out = _summary(M, "vuz")
    out["tau"], out["tau2"] = float(tau), float(tau2)
    return out


def compute() -> dict:
    import logging

    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    logging.getLogger("brian2").setLevel(logging.ERROR)
    b2.defaultclock.dt = 0.1 * b2.ms
    return {
        "brian2_version": b2.__version__,
        "dt": float(b2.defaultclock.dt),
        "level_of_abstraction": level_of_abstraction(b2),
        "psp_shapes": psp_shapes(b2),
        "psp_shapes_tau20_tau2_5": psp_shapes(b2, 20.0, 5.0),
        "psp_shapes_tau5_tau2_8": psp_shapes(b2, 5.0, 8.0),
    }

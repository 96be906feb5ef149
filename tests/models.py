"""Deterministic models run by both snncore and Brian 2, plus the helpers that run them.

Every model is a function of ``lib``, the simulator module (``snncore`` or ``brian2``):
both expose the same names (``NeuronGroup``, ``StateMonitor``, ``run``, ``ms``, ...), so the
same code, and the same model strings, run in both. Each returns a dict of float arrays
in SI units. External constants are local variables of the model function, found by
both simulators in the frame that calls ``run()``.
"""

from __future__ import annotations

import logging
import textwrap

import numpy as np

import snncore


def si(value) -> np.ndarray:
    """A Brian 2 quantity (or anything array-like) as a float array in SI units."""
    return np.array(np.asarray(value), dtype=float)


def _brian2():
    """Brian 2 in a fresh scope, numpy target, dt = 0.1 ms (an earlier test may have
    changed its clock)."""
    import brian2

    for name in ("brian2", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    brian2.prefs.codegen.target = "numpy"
    brian2.start_scope()
    brian2.defaultclock.dt = 0.1 * brian2.ms
    return brian2


def brian2_run(code_fn):
    """``code_fn(brian2)`` in a fresh Brian 2 scope, numpy target, dt = 0.1 ms."""
    return code_fn(_brian2())


def snn_run(code_fn):
    """``code_fn(snncore)`` in a fresh snncore scope on the current backend."""
    snncore.start_scope()
    snncore.defaultclock.dt = 0.1 * snncore.ms
    return code_fn(snncore)


_B2_CACHE: dict = {}


def exec_brian2_code(source: str, engine: str) -> dict:
    """Run Brian 2 code (a script's text, dedented) after ``from <engine> import *``, as a
    script of its own; returns the namespace it leaves. ``engine`` is ``'snncore'`` or
    ``'brian2'`` (numpy target)."""
    if engine == "brian2":
        _brian2()
    namespace: dict = {}
    code = f"from {engine} import *\n" + textwrap.dedent(source)
    exec(compile(code, "<brian2 code>", "exec"), namespace)
    return namespace


def brian2_reference(code_fn):
    """:func:`brian2_run`, memoized per model function (both backends compare to it)."""
    if code_fn not in _B2_CACHE:
        _B2_CACHE[code_fn] = brian2_run(code_fn)
    return _B2_CACHE[code_fn]


def _traces(M, names, S=None) -> dict:
    out = {"t": si(M.t)}
    for name in names:
        out[name] = si(getattr(M, name))
    if S is not None:
        out["spike_i"] = np.asarray(S.i, dtype=np.int64)
        out["spike_t"] = si(S.t)
    return out


# ---- leaky integrate-and-fire --------------------------------------------------------

def lif_parameters(lib, unless_refractory=False):
    """LIF with per-neuron parameters ``I`` and ``tau``, refractory 5 ms, exact."""
    flag = " (unless refractory)" if unless_refractory else ""
    G = lib.NeuronGroup(3, f"""dv/dt = (I - v)/tau : 1{flag}
                               I : 1
                               tau : second""",
                        threshold="v > 1", reset="v = 0", refractory=5 * lib.ms,
                        method="exact")
    G.I = [2, 1.5, 3]
    G.tau = np.array([10.0, 20.0, 5.0]) * lib.ms
    M = lib.StateMonitor(G, "v", record=True)
    S = lib.SpikeMonitor(G)
    lib.run(100 * lib.ms)
    return _traces(M, ["v"], S)


def lif_parameters_unless_refractory(lib):
    return lif_parameters(lib, unless_refractory=True)


def lif_external(lib):
    """LIF whose ``tau`` is an external constant of the calling frame."""
    tau = 10 * lib.ms  # noqa: F841 - found by the simulator in this frame
    G = lib.NeuronGroup(3, """dv/dt = (I - v)/tau : 1
                              I : 1""",
                        threshold="v > 1", reset="v = 0", refractory=5 * lib.ms,
                        method="exact")
    G.I = [2, 1.5, 3]
    M = lib.StateMonitor(G, "v", record=True)
    S = lib.SpikeMonitor(G)
    lib.run(100 * lib.ms)
    return _traces(M, ["v"], S)


def lif_explicit_namespace(lib):
    """LIF whose constants come from the group's ``namespace=``, shadowing the frame."""
    tau = 1 * lib.second  # noqa: F841 - must be ignored: namespace= comes first
    G = lib.NeuronGroup(3, """dv/dt = (I - v)/tau : 1
                              I : 1""",
                        threshold="v > v_th", reset="v = 0", refractory=5 * lib.ms,
                        method="exact", namespace={"tau": 10 * lib.ms, "v_th": 1})
    G.I = [2, 1.5, 3]
    M = lib.StateMonitor(G, "v", record=True)
    S = lib.SpikeMonitor(G)
    lib.run(100 * lib.ms)
    return _traces(M, ["v"], S)


def lif_run_namespace(lib):
    """LIF whose constants come from ``run(namespace=...)``."""
    G = lib.NeuronGroup(3, """dv/dt = (I - v)/tau : 1
                              I : 1""",
                        threshold="v > 1", reset="v = 0", refractory=5 * lib.ms,
                        method="exact")
    G.I = [2, 1.5, 3]
    M = lib.StateMonitor(G, "v", record=True)
    S = lib.SpikeMonitor(G)
    lib.run(100 * lib.ms, namespace={"tau": 20 * lib.ms})
    return _traces(M, ["v"], S)


# ---- postsynaptic potential forms (neuro4ml-synapses-psp-stp) ------------------------

def psp_level_of_abstraction(lib):
    """'Level of abstraction': a spike modifies v, a current, or a conductance."""
    tau = 10 * lib.ms  # noqa: F841
    taux = 8 * lib.ms  # noqa: F841
    taug = 8 * lib.ms  # noqa: F841
    eqs = """
    dv/dt=-v/tau:1
    du/dt=((taux/tau)**(-tau/(tau-taux))*x-u)/tau:1
    dx/dt=-x/taux:1
    dz/dt=(I-z)/tau:1
    I=g*(z+1):1
    dg/dt=-g/taug:1
    """
    G = lib.NeuronGroup(1, eqs, method="euler")
    M = lib.StateMonitor(G, ("v", "u", "z"), record=True)
    lib.run(10 * lib.ms)
    G.v = 1
    G.x = 1
    G.g = 1
    lib.run(90 * lib.ms)
    return _traces(M, ["v", "u", "z"])


def psp_forms(lib):
    """'Postsynaptic potential forms': exponential, alpha and biexponential PSPs."""
    tau = 10 * lib.ms  # noqa: F841
    tau2 = 2 * lib.ms  # noqa: F841
    eqs = """
    dv/dt=-v/tau:1
    du/dt=(x-u)/tau:1
    dx/dt=-x/tau:1
    dz/dt=(I-z)/tau:1
    dI/dt=-I/tau2:1
    """
    G = lib.NeuronGroup(1, eqs, method="euler")
    M = lib.StateMonitor(G, ("v", "u", "z"), record=True)
    lib.run(5 * lib.ms)
    G.v = 1
    G.x = 1
    G.I = 1
    lib.run(45 * lib.ms)
    return _traces(M, ["v", "u", "z"])


# ---- Hodgkin-Huxley (Brian 2's COBAHH example, one compartment, no synapses) ---------

HH_EQS = """
dv/dt = (gl*(El - v) - g_na*(m*m*m)*h*(v - ENa) - g_kd*(n*n*n*n)*(v - EK) + I)/Cm : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV - v + VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v - VT - 40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV))/ms : Hz
beta_h = 4./(1 + exp((40*mV - v + VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV - v + VT)/(5*mV))/ms : Hz
beta_n = .5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
I : amp
"""


def hodgkin_huxley(lib):
    """Three HH neurons driven by 0, 0.7 and 1.4 nA, exponential Euler."""
    u = lib
    area = 20000 * u.umetre**2
    Cm = (1 * u.ufarad * u.cm**-2) * area  # noqa: F841
    gl = (5e-5 * u.siemens * u.cm**-2) * area  # noqa: F841
    El = -60 * u.mV
    EK = -90 * u.mV  # noqa: F841
    ENa = 50 * u.mV  # noqa: F841
    g_na = (100 * u.msiemens * u.cm**-2) * area  # noqa: F841
    g_kd = (30 * u.msiemens * u.cm**-2) * area  # noqa: F841
    VT = -63 * u.mV  # noqa: F841
    G = lib.NeuronGroup(3, HH_EQS, threshold="v > -40*mV", refractory="v > -40*mV",
                        method="exponential_euler")
    G.v = El
    G.I = np.array([0.0, 0.7, 1.4]) * u.nA
    M = lib.StateMonitor(G, ("v", "m", "n", "h"), record=True)
    S = lib.SpikeMonitor(G)
    lib.run(100 * u.ms)
    out = _traces(M, ["v", "m", "n", "h"], S)
    out["count"] = np.asarray(S.count, dtype=np.int64)
    return out


# ---- adaptive threshold (Brian 1 demo, constant drive instead of Poisson input) ------

def adaptive_threshold(lib):
    """Threshold rises by 3 mV at each spike and relaxes to 10 mV (method chosen: exact)."""
    tau = 10 * lib.ms  # noqa: F841
    tau_t = 15 * lib.ms  # noqa: F841
    vt0 = 10 * lib.mV
    eqs = """
    dv/dt = (I - v)/tau : volt
    dvt/dt = (vt0 - vt)/tau_t : volt
    I : volt
    """
    G = lib.NeuronGroup(3, eqs, threshold="v > vt", reset="v = 0*mV\nvt += 3*mV")
    G.vt = vt0
    G.I = np.array([15.0, 20.0, 40.0]) * lib.mV
    M = lib.StateMonitor(G, ("v", "vt"), record=True)
    S = lib.SpikeMonitor(G)
    lib.run(100 * lib.ms)
    out = _traces(M, ["v", "vt"], S)
    out["method"] = getattr(G, "method", None)  # snncore only
    return out


# ---- explicit integrators on a nonlinear, time-dependent system ----------------------

def fitzhugh_nagumo(lib, method):
    """FitzHugh-Nagumo with sinusoidal drive: nonlinear and explicitly time-dependent."""
    tau = 1 * lib.ms  # noqa: F841
    tau_w = 12.5 * lib.ms  # noqa: F841
    a = 0.7  # noqa: F841
    b = 0.8  # noqa: F841
    f = 40 * lib.Hz  # noqa: F841
    eqs = """
    dv/dt = (v - v**3/3 - w + I0 + 0.5*sin(2*pi*f*t))/tau : 1
    dw/dt = (v + a - b*w)/tau_w : 1
    I0 : 1
    """
    G = lib.NeuronGroup(3, eqs, method=method)
    G.I0 = [0.3, 0.5, 0.8]
    G.v = -1.0
    M = lib.StateMonitor(G, ("v", "w"), record=True)
    lib.run(60 * lib.ms)
    return _traces(M, ["v", "w"])


def _fhn(method):
    def model(lib):
        return fitzhugh_nagumo(lib, method)

    model.__name__ = f"fitzhugh_nagumo_{method}"
    return model


FHN_MODELS = {m: _fhn(m) for m in ("euler", "rk2", "rk4", "heun")}

#: Every deterministic model, by name (used by the backend comparison).
DETERMINISTIC = {
    "lif_parameters": lif_parameters,
    "lif_parameters_unless_refractory": lif_parameters_unless_refractory,
    "lif_external": lif_external,
    "lif_explicit_namespace": lif_explicit_namespace,
    "lif_run_namespace": lif_run_namespace,
    "psp_level_of_abstraction": psp_level_of_abstraction,
    "psp_forms": psp_forms,
    "hodgkin_huxley": hodgkin_huxley,
    "adaptive_threshold": adaptive_threshold,
    **{f"fitzhugh_nagumo_{m}": fn for m, fn in FHN_MODELS.items()},
}


def assert_same_spikes(got: dict, ref: dict, atol: float = 1e-12) -> None:
    """Equal spike indices (in order) and spike times to ``atol`` seconds."""
    np.testing.assert_array_equal(got["spike_i"], ref["spike_i"])
    np.testing.assert_allclose(got["spike_t"], ref["spike_t"], rtol=0, atol=atol)


def assert_same_traces(got: dict, ref: dict, names, atol: float) -> None:
    """Equal recording times and traces within ``atol`` (absolute, SI units)."""
    np.testing.assert_allclose(got["t"], ref["t"], rtol=0, atol=1e-12)
    for name in names:
        assert got[name].shape == ref[name].shape, name
        np.testing.assert_allclose(got[name], ref[name], rtol=0, atol=atol,
                                   err_msg=f"trace of '{name}'")

"""``run(..., profile=True)``, ``Network.profiling_info`` and ``profiling_summary``, as in
Brian 2: the time of each operation in the last profiled run, longest first; one entry
for the Numba backend's compiled loop, whose objects cannot be timed apart."""

# Objects are bound to names so that run() finds them:
# ruff: noqa: F841

import time

import pytest
from models import brian2_run

import snncore
from snncore import (
    Network,
    NeuronGroup,
    SnnError,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    magic_network,
    ms,
    network_operation,
    profiling_summary,
    run,
)
from snncore.network import FUSED_LOOP


def profiled_model(lib):
    G = lib.NeuronGroup(10, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact", name="G")
    S = lib.Synapses(G, G, "w : 1", on_pre="v += 0.01", name="S")
    S.connect(j="i")
    M = lib.StateMonitor(G, "v", record=[0], name="M")
    spikes = lib.SpikeMonitor(G, name="spikes")
    lib.run(2 * lib.ms, profile=True)
    return {name for name, _t in lib.magic_network.profiling_info}


def test_names_are_brian2s():
    """Every operation has an entry named as Brian 2 names it (Brian 2 also lists the
    group and synapses objects themselves, which do no work per step)."""
    ref = brian2_run(profiled_model)
    snncore.set_backend("numpy")
    snncore.start_scope()
    got = profiled_model(snncore)
    assert "G_spike_thresholder" in ref and got == ref - {"G", "S"}


def test_times_are_measured(backend):
    """An operation that takes 2 ms per step gets at least that much, the others little;
    the list is sorted longest first, and the summary shows it."""
    G = NeuronGroup(4, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")

    @network_operation
    def slow():
        time.sleep(2e-3)

    net = Network(G, slow)
    net.run(0.1 * ms)  # a first Numba call compiles a kernel (or loads it from disk)
    net.run(1 * ms, profile=True)
    info = net.profiling_info
    assert [t for _n, t in info] == sorted((t for _n, t in info), reverse=True)
    assert info[0][0] == slow.name and info[0][1] >= 10 * 2e-3
    assert sum(t for _n, t in info[1:]) < info[0][1] / 2
    text = str(profiling_summary(net, show=1))
    assert text.startswith(f"Profiling summary\n=================\n{slow.name} ")
    assert len(text.splitlines()) == 3


def test_compiled_loop_is_one_entry():
    """The Numba backend's compiled loop steps every object in one call: one entry."""
    snncore.set_backend("numba")
    snncore.start_scope()
    G = NeuronGroup(4, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    M = StateMonitor(G, "v", record=True)
    run(1 * ms, profile=True)
    [(name, seconds)] = magic_network.profiling_info
    assert name == FUSED_LOOP and seconds > 0
    assert "all objects (one compiled loop)" in str(profiling_summary())
    assert "<table" in profiling_summary()._repr_html_()


def test_not_profiled(backend):
    G = NeuronGroup(2, "v : 1", threshold="v > 1", reset="v = 0")
    S = Synapses(G, G, on_pre="v += 1")
    spikes = SpikeMonitor(G)
    net = Network(G, S, spikes)
    with pytest.raises(SnnError, match=r"no profiling information .*run\(\.\.\., "
                                       r"profile=True\)"):
        net.get_profiling_info()
    net.run(1 * ms, profile=True)
    assert net.profiling_info
    net.run(1 * ms)  # a run without profiling erases the last one's, as Brian 2 does
    with pytest.raises(SnnError, match="its last run was not profiled"):
        profiling_summary(net)

"""Sizes that do not fit in memory are refused before anything large is allocated, with
the estimate, the memory available and a way out (an InsufficientMemoryError, which is
both an SnnError and a MemoryError)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from snncore import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    memory,
    ms,
    second,
)
from snncore.errors import InsufficientMemoryError, SnnError

AVAILABLE = r"needs about [\d.]+ [kMGT]?B of memory, and [\d.]+ [kMGT]?B is available; "


def test_a_huge_group_is_refused_before_allocating():
    with pytest.raises(InsufficientMemoryError, match=(
            r"NeuronGroup 'neurongroup\w*' of 10000000000 neurons \(24 bytes per neuron\) "
            r"needs about 240 GB of memory, and [\d.]+ [kMGT]?B is available; use fewer "
            r"neurons \(a smaller N\), or fewer variables in the model")) as error:
        NeuronGroup(10**10, "dv/dt = -v/(10*ms) : 1")
    assert isinstance(error.value, SnnError) and isinstance(error.value, MemoryError)


SYNAPSES = (r"connect\(\) of Synapses 'synapses\w*', making 4e\+10 synapses \(56 bytes "
            rf"each\) {AVAILABLE}connect fewer pairs: a smaller p, a condition or generator "
            "that keeps fewer pairs, or fewer neurons")


@pytest.mark.parametrize("kwargs", [
    {"p": 1}, {}, {"condition": True}, {"condition": "i != j"}, {"p": "0.9 + 0.1*(i > 3)"},
    {"j": "k for k in range(N_post)"}, {"j": "k for k in sample(N_post, p=0.9)"},
    {"i": 0, "j": np.arange(200_000), "n": 200_000}], ids=str)
def test_connecting_200k_by_200k_fails_fast(kwargs):
    G = NeuronGroup(200_000, "v : 1")
    S = Synapses(G, G, "w : 1")
    began = time.perf_counter()
    with pytest.raises(InsufficientMemoryError, match=SYNAPSES.replace(
            "4e\\+10", r"[34](\.\d+)?e\+10")):
        S.connect(**kwargs)
    assert time.perf_counter() - began < 0.5
    assert len(S) == 0


def test_a_connection_that_fits_is_made():
    G = NeuronGroup(5000, "v : 1")
    S = Synapses(G, G, "w : 1")
    S.connect(condition="i < 500")  # 2.5M synapses: sampled, fits
    assert len(S) == 500 * 5000


def test_a_long_recording_of_a_large_group_is_refused_before_the_run(backend):
    G = NeuronGroup(100_000, "dv/dt = -v/(10*ms) : 1")
    M = StateMonitor(G, ["v"], record=True)
    net = Network(G, M)
    began = time.perf_counter()
    with pytest.raises(InsufficientMemoryError, match=(
            r"StateMonitor 'statemonitor\w*', recording 1 variable\(s\) of 100000 "
            rf"element\(s\) at 1000000 times {AVAILABLE}record fewer elements "
            r"\(record=\[...\]\) or variables, give the monitor a coarser dt, or run for a "
            "shorter time")):
        net.run(100 * second)
    assert time.perf_counter() - began < 5
    assert net.t == 0 and M.t.size == 0


def test_a_rate_recording_of_a_very_long_run_is_refused(backend):
    G = NeuronGroup(1, "v : 1")
    R = PopulationRateMonitor(G)
    with pytest.raises(InsufficientMemoryError, match=(
            r"PopulationRateMonitor '\w+', recording the rate at 10000000000000 steps "
            rf"{AVAILABLE}run for a shorter time")):
        Network(G, R).run(1e9 * second)


def test_a_spike_recording_that_outgrows_memory_stops_the_run(backend, monkeypatch):
    # 30 MB available: 2000 neurons firing at every step fill it within 100 ms.
    monkeypatch.setattr(memory, "available", lambda: 30_000_000)
    G = NeuronGroup(2000, "v : 1", threshold="v > -1")
    S = SpikeMonitor(G)
    net = Network(G, S)
    with pytest.raises(InsufficientMemoryError, match=(
            r"SpikeMonitor 'spikemonitor\w*', holding \d+ events, would grow to \d+ "
            rf"\(16 bytes each\) {AVAILABLE}record fewer events: SpikeMonitor\(..., "
            r"record=False\) counts them only; monitor a subgroup, or run for a shorter "
            "time")):
        net.run(200 * ms)
    # the run stopped after a whole step: time, counts and recorded events agree
    steps = round(net.t / (0.1 * ms))
    assert 0 < steps < 2000
    assert S.count.sum() == S.num_spikes == steps * 2000 == S.i.size
    np.testing.assert_allclose(np.unique(S.t), np.arange(steps) * 0.1 * ms, atol=1e-15)
    # and it can go on, counting only
    S.active = False
    net.run(1 * ms)
    assert round(net.t / (0.1 * ms)) == steps + 10


# One weight per synapse: int32 pre- and postsynaptic indices and a float64 weight are 16
# bytes, and nothing else may grow with the synapses (no index array kept by a kernel
# over all synapses, no second copy of the indices, a uniform delay stored once).
ONE_WEIGHT = {
    "on_pre": ("w : 1", {}),
    "summed": ("w : 1\nI{k}_post = w*v_pre : 1 (summed)", {}),
    "clock-driven": ("dw/dt = -w/(10*ms) : 1 (clock-driven)", {}),
    "uniform delay": ("w : 1", {"delay": "2*ms"}),
    "delay set by index": ("w : 1", {"delay[:]": 1 * ms}),
}


@pytest.mark.parametrize("case", ONE_WEIGHT, ids=str)
def test_a_synapse_with_one_weight_holds_at_most_16_bytes(backend, case):
    model, extra = ONE_WEIGHT[case]
    G = NeuronGroup(500, "dv/dt = -v/(10*ms) : 1\nI0 : 1\nI1 : 1", threshold="v > 1",
                    reset="v = 0")
    G.v = "1.5*rand()"
    pair = []
    for k, p in enumerate((0.05, 0.2)):
        S = Synapses(G, G, model.format(k=k), on_pre="v_post += w")
        S.connect(p=p)
        S.w = "rand()"
        for name, value in extra.items():
            if name.endswith("[:]"):
                getattr(S, name[:-3])[:] = value
            else:
                setattr(S, name, value)
        pair.append(S)
    Network(G, *pair).run(3 * ms)
    held = memory.held_arrays(G, *pair)
    held, sizes = [sum(held[S.name].values()) for S in pair], [len(S) for S in pair]
    # The difference between two densities on the same neurons: what each synapse adds
    # (arrays per neuron, such as the CSR row pointers, cancel out).
    per_synapse = (held[1] - held[0]) / (sizes[1] - sizes[0])
    assert 16 - 1e-9 <= per_synapse <= 16, per_synapse


def test_held_arrays_counts_each_array_once_with_its_first_holder():
    G = NeuronGroup(100, "v : 1", threshold="v > 1")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(i=np.arange(100)[::-1], j=np.arange(100))
    Network(G, S).run(1 * ms)
    held = memory.held_arrays(G, S)
    assert held[G.name]["_vars.v.array"] == 800
    # S reads G's v through its kernels: counted with G, not again with S. Its own:
    # i, j and w (16 bytes each), the CSR row pointers (8 bytes per source neuron and
    # one), the CSR order (4 bytes each, as i is not sorted), an empty spike ring.
    assert sum(held[S.name].values()) == 100 * 16 + 101 * 8 + 100 * 4 + 8 * 2
    assert held[S.name]["_vars.w.array"] == 800

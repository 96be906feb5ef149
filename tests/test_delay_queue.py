"""Heterogeneous synaptic delays inside the fused Numba loop.

Per-synapse delays queue synapse indices by the step they are due (``DelayQueue``);
the fused loop pushes them with one cached ``@njit`` helper and must give the numpy
backend's spikes and traces bit for bit (both queue in the same order, so effects on
one target add up in the same order), and Brian 2's spikes.
"""

import numpy as np
import pytest
from models import brian2_run, si, snn_run

import snncore
from snncore import Network, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, ms


def recurrent_delays(lib):
    """A recurrent network whose synapses each have their own delay (0 to 3 ms, many
    different steps, several synapses due in one step onto one neuron)."""
    n = 40
    G = lib.NeuronGroup(n, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1",
                        reset="v = 0", method="exact")
    G.I = 1.2 + 0.3 * np.arange(n) / n
    G.v = np.linspace(0, 0.9, n)
    S = lib.Synapses(G, G, "w : 1", on_pre="v_post += w")
    pre, post = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    keep = ((pre * 7 + post * 3) % 5 == 0) & (pre != post)
    S.connect(i=pre[keep], j=post[keep])
    k = np.arange(int(keep.sum()))
    S.w = 0.013 * np.sin(k) - 0.004
    S.delay = ((k * 37) % 31) * 0.1 * lib.ms
    M = lib.StateMonitor(G, "v", record=[0, 7, 39])
    spikes = lib.SpikeMonitor(G)
    lib.run(60 * lib.ms)
    return {"t": si(M.t), "v": si(M.v), "i": np.asarray(spikes.i, dtype=np.int64),
            "spike_t": si(spikes.t)}


def test_heterogeneous_delays_fused_give_numpy_bit_for_bit(fused_runs):
    snncore.set_backend("numpy")
    reference = snn_run(recurrent_delays)
    snncore.set_backend("numba")
    used = fused_runs
    got = snn_run(recurrent_delays)
    assert used == [True]
    assert reference["i"].size > 100
    for key, value in reference.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_heterogeneous_delays_give_brian2_spikes(backend):
    ref = brian2_run(recurrent_delays)
    got = snn_run(recurrent_delays)
    np.testing.assert_array_equal(got["i"], ref["i"])
    np.testing.assert_allclose(got["spike_t"], ref["spike_t"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["v"], ref["v"], rtol=0, atol=1e-12)


def _crowded(pieces: list[float]):
    """20 sources spike together, 10 synapses each, onto one target with two delays:
    100 synapses due in one step, past a queue row's first 16 columns."""
    H = SpikeGeneratorGroup(20, np.arange(20), np.full(20, 1 * ms))
    G = NeuronGroup(2, "v : 1")
    S = Synapses(H, G, "w : 1", on_pre="v_post += w")
    S.connect(i=np.repeat(np.arange(20), 10), j=np.arange(200) % 2)
    S.w = "0.001*(i + 1) + 0.0001*j"
    S.delay = "(i % 2)*0.3*ms"
    M = StateMonitor(G, "v", record=True)
    net = Network(H, G, S, M)
    for piece in pieces:
        net.run(piece)
    return M.v.copy()


@pytest.mark.parametrize("pieces", [[3 * ms], [1.1 * ms, 0.1 * ms, 1.8 * ms]],
                         ids=["one-run", "spikes-in-flight-across-runs"])
def test_a_full_queue_row_grows_on_both_backends(backend, pieces):
    v = _crowded(pieces)
    snncore.start_scope()
    snncore.set_backend("numpy")
    np.testing.assert_array_equal(v, _crowded([3 * ms]))
    w = 0.001 * (np.arange(20) + 1)
    # even sources arrive at once (delay 0), odd ones 3 steps later
    expected = np.array([10 * (w[::2].sum() + w[1::2].sum()) / 2] * 2) \
        + 5 * np.array([0, 20 * 0.0001])
    np.testing.assert_allclose(v[:, -1], expected, rtol=1e-12)
    assert v[0, 11] == v[0, 12] == v[0, 13] < v[0, 14]


def delays_and_later_synapses(lib):
    """Delays set per synapse (``S.delay = ...``) cover the synapses that exist then:
    synapses made later start at 0; a delay given to Synapses() covers every synapse,
    as in Brian 2."""
    G = lib.NeuronGroup(4, "v : 1", threshold="False")
    S = lib.Synapses(G, G, on_pre="v_post += 1")
    S.connect(i=0, j=1)
    S.delay = 2 * lib.ms  # one value, stored once
    S.connect(i=[1, 2], j=[2, 3])
    T = lib.Synapses(G, G, on_pre="v_post += 1", delay=1 * lib.ms)
    T.connect(i=0, j=1)
    T.connect(i=1, j=2)
    U = lib.Synapses(G, G, on_pre="v_post += 1")
    U.connect(i=[0, 1], j=[1, 2])
    U.delay[:] = "1*ms"  # a uniform array, stored once
    U.connect(i=2, j=3)
    return {"S": si(S.delay[:]), "T": np.broadcast_to(si(T.delay[:]), 2),
            "U": si(U.delay[:])}


def test_synapses_made_after_a_delay_was_set_have_brian2_delays():
    ref = brian2_run(delays_and_later_synapses)
    got = snn_run(delays_and_later_synapses)
    for key, value in ref.items():
        np.testing.assert_allclose(got[key], value, rtol=0, atol=1e-15, err_msg=key)
    np.testing.assert_allclose(got["S"], [2e-3, 0, 0], atol=1e-15)

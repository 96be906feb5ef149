"""State export and import (get_states, set_states, state, G.i) and store/restore to a
file: the behaviour Brian 2 documents, and clear errors for bad input. Agreement with
Brian 2 on whole scripts is in test_brian2_user_scripts.py."""

import numpy as np
import pytest

from snncore import (
    Network,
    NeuronGroup,
    SnnError,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    ms,
    seed,
)


def _group(name=None):
    return NeuronGroup(3, "dv/dt = (I - v)/(10*ms) : 1\nI : 1\nw = 2*v : 1",
                       threshold="v > 1", reset="v = 0", method="exact", name=name)


def test_get_states_copies_and_names():
    G = _group()
    G.I = [1.5, 2, 3]
    states = G.get_states()
    assert sorted(states) == ["I", "N", "dt", "i", "t", "t_in_timesteps", "v"]
    assert "w" in G.get_states(subexpressions=True)
    assert sorted(G.get_states(read_only_variables=False)) == ["I", "v"]
    states["I"][0] = 99
    assert G.I[0] == 1.5
    np.testing.assert_array_equal(G.get_states(["i"])["i"], [0, 1, 2])


def test_set_states_and_errors():
    G = _group()
    G.set_states({"I": [1, 2, 3], "v": "0.1*i"})
    np.testing.assert_allclose(G.v, [0, 0.1, 0.2])
    with pytest.raises(SnnError, match="'i' of NeuronGroup .* is read-only"):
        G.set_states({"i": [0, 0, 0]})
    with pytest.raises(SnnError, match="has no variable 'x'"):
        G.set_states({"x": [0, 0, 0]})
    with pytest.raises(SnnError, match="unknown format 'csv'"):
        G.get_states(format="csv")
    with pytest.raises(SnnError, match=r"a list of variable names.*\['v'\]"):
        G.get_states("v")
    with pytest.raises(SnnError, match="has no variable 'u'"):
        G.state("u")


def test_element_index_is_read_only_and_counts_from_zero_in_subgroups():
    G = _group()
    np.testing.assert_array_equal(G[1:3].i[:], [0, 1])
    with pytest.raises(SnnError, match="element index and cannot be set"):
        G.i = 3
    with pytest.raises(SnnError, match="element index and is read-only"):
        G.i[0] = 3


def test_store_to_file_and_restore_by_name_in_a_new_network(tmp_path):
    path = str(tmp_path / "state.pkl")
    G = _group("g")
    G.I = [1.5, 2, 3]
    M = SpikeMonitor(G, name="m")
    net = Network(G, M)
    net.run(20 * ms)
    net.store("a", filename=path)
    net.store("b", filename=path)  # one file holds several snapshots
    counts = M.count
    G2 = _group("g")
    M2 = SpikeMonitor(G2, name="m")
    net2 = Network(G2, M2)
    net2.restore("a", filename=path)
    assert net2.t == pytest.approx(20 * ms)
    np.testing.assert_array_equal(G2.I, [1.5, 2, 3])
    np.testing.assert_array_equal(M2.count, counts)
    np.testing.assert_array_equal(M2.t, M.t)  # the recorded spikes come back too
    with pytest.raises(SnnError, match="no stored state named 'c' in .*stored: a, b"):
        net2.restore("c", filename=path)
    extra = StateMonitor(G2, "v", name="extra")
    net2.add(extra)
    with pytest.raises(SnnError, match="'extra' was added after store.*by their names"):
        net2.restore("a", filename=path)


def test_restore_draws_new_numbers_unless_told_to_rewind_the_random_state():
    G = NeuronGroup(50, "dv/dt = -v/(5*ms) + xi/sqrt(5*ms) : 1", method="euler")
    net = Network(G)
    seed(1)
    net.store()
    net.run(1 * ms)
    first = G.v[:]
    net.restore(restore_random_state=True)
    net.run(1 * ms)
    np.testing.assert_array_equal(G.v[:], first)  # the random streams rewound too
    net.restore()
    net.run(1 * ms)
    assert not np.array_equal(G.v[:], first)  # Brian 2's default draws afresh


def test_groups_on_different_clocks_each_integrate_on_their_own():
    G = NeuronGroup(1, "dv/dt = (1 - v)/(4*ms) : 1")
    H = NeuronGroup(1, "dv/dt = (1 - v)/(4*ms) : 1", dt=0.5 * ms)
    M = StateMonitor(H, "v", record=0)
    Network(G, H, M).run(1 * ms)
    # Exact integration: both at the analytic value, H sampled on its own clock.
    np.testing.assert_allclose([G.v[0], H.v[0]], 1 - np.exp(-0.25), rtol=1e-12)
    np.testing.assert_allclose(M.t, [0.0, 0.5e-3], rtol=1e-12)


def test_event_driven_synapses_follow_the_groups_dt():
    G = NeuronGroup(2, "dv/dt = (2 - v)/(4*ms) : 1", threshold="v > 1", reset="v = 0",
                    dt=0.5 * ms)
    S = Synapses(G, G, "w : 1\ndx/dt = -x/(5*ms) : 1 (event-driven)", on_pre="x += 1")
    S.connect()
    Network(G, S).run(10 * ms)
    assert S.x[0] > 0


def test_synapses_export_their_own_variables_only():
    G = _group()
    S = Synapses(G, G, "x : 1", on_pre="v += x")
    S.connect(j="i")
    assert sorted(S.get_states()) == ["N", "N_incoming", "N_outgoing", "dt", "i", "j", "t",
                                      "t_in_timesteps", "x"]

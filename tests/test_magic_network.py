"""run(), store() and restore() follow Brian 2's magic network (brian2/core/magic.py).

The same Brian 2 code runs on snncore and on Brian 2 itself; both must give the same
result, or the same kind of error.
"""

import numpy as np
import pytest
from models import exec_brian2_code

import snncore
from snncore import MagicError, Network, NeuronGroup, SnnError, StateMonitor, ms

# A function that builds a model and runs it, called twice: each call is a new
# simulation from t = 0 that receives its own input spikes (the neuro4ml STP cell).
TWO_CALLS = """
def response(w):
    start_scope()
    inp = SpikeGeneratorGroup(1, [0, 0], [5*ms, 15*ms])
    G = NeuronGroup(1, 'dv/dt = -v/(10*ms) : 1', method='exact')
    S = Synapses(inp, G, on_pre='v_post += w')
    S.connect()
    M = StateMonitor(G, 'v', record=0)
    run(20*ms)
    return M.t[:], M.v[0][:]

t1, v1 = response(0.5)
t2, v2 = response(1.0)
"""

# The same without start_scope(): the first call's objects are out of sight in the
# second call, so Brian 2 starts a new simulation just the same.
TWO_CALLS_NO_SCOPE = TWO_CALLS.replace("    start_scope()\n", "")

# Objects in a container are not visible to run().
IN_A_LIST = """
G = NeuronGroup(1, 'dv/dt = (1 - v)/(10*ms) : 1', method='exact')
groups = [NeuronGroup(1, 'dv/dt = (1 - v)/(10*ms) : 1', method='exact')]
run(5*ms)
result = (G.v[0], groups[0].v[0])
"""


@pytest.mark.parametrize("source", [TWO_CALLS, TWO_CALLS_NO_SCOPE])
def test_a_function_that_runs_starts_a_new_simulation_each_call(backend, source):
    ours = exec_brian2_code(source, "snncore")
    ref = exec_brian2_code(source, "brian2")
    for key in ("t1", "t2"):
        assert ours[key][0] == 0.0
        np.testing.assert_allclose(ours[key], np.asarray(ref[key]), rtol=1e-9, atol=1e-12)
    for key in ("v1", "v2"):
        np.testing.assert_allclose(ours[key], np.asarray(ref[key]), rtol=1e-6, atol=1e-12)
    # The second call's input spikes arrive: its peak is twice the first's.
    assert ours["v2"].max() == pytest.approx(2 * ours["v1"].max(), rel=1e-12)
    assert ours["v1"].max() > 0.5


def test_objects_in_containers_are_not_run(backend):
    ours = exec_brian2_code(IN_A_LIST, "snncore")["result"]
    ref = exec_brian2_code(IN_A_LIST, "brian2")["result"]
    np.testing.assert_allclose(ours, [float(x) for x in ref], rtol=1e-9)
    assert ours[1] == 0.0


def test_collect_returns_the_visible_objects_of_the_scope(backend):
    old = NeuronGroup(1, "v : 1")
    snncore.start_scope()
    G = NeuronGroup(2, "v : 1")
    M = StateMonitor(G, "v", record=True)
    found = snncore.collect()
    assert found == [G, M]
    assert all(obj is not old for obj in found)


def test_run_twice_continues(backend):
    G = NeuronGroup(1, "dv/dt = (1 - v)/(10*ms) : 1", method="exact")
    M = StateMonitor(G, "v", record=0)
    snncore.run(2 * ms)
    snncore.run(3 * ms)
    assert snncore.magic_network.t == pytest.approx(5 * ms)
    np.testing.assert_allclose(M.t, np.arange(50) * 0.1 * ms)
    assert G.v[0] == pytest.approx(1 - np.exp(-0.5), rel=1e-12)


def test_a_new_monitor_joins_a_running_simulation(backend):
    G = NeuronGroup(1, "dv/dt = (1 - v)/(10*ms) : 1", method="exact")
    snncore.run(2 * ms)
    M = StateMonitor(G, "v", record=0)
    snncore.run(1 * ms)
    assert M.t[0] == pytest.approx(2 * ms)


def test_a_mix_of_old_and_new_objects_is_an_error(backend):
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", name="old_group")
    snncore.run(1 * ms)
    H = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", name="new_group")  # noqa: F841
    with pytest.raises(MagicError, match=r"'old_group'.*'new_group'.*Network\(\.\.\.\)"):
        snncore.run(1 * ms)
    assert G is not None


def test_objects_of_an_earlier_simulation_cannot_join_a_later_one(backend):
    def simulate(name):
        G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", name=name)
        snncore.run(1 * ms)
        return G

    G = simulate("first_group")
    simulate("second_group")  # a new simulation: G is not visible in there
    with pytest.raises(SnnError, match=r"'first_group' has already been run in another"):
        snncore.run(1 * ms)  # G alone, but its simulation has ended
    assert G.v[0] == 0.0


def test_store_and_restore_in_a_loop(backend):
    G = NeuronGroup(1, "dv/dt = (a - v)/(10*ms) : 1\na : 1", method="exact")
    snncore.store()
    peaks = []
    for a in (1.0, 2.0):
        snncore.restore()
        G.a = a
        snncore.run(5 * ms)
        peaks.append(G.v[0])
        assert snncore.magic_network.t == pytest.approx(5 * ms)
    assert peaks[1] == pytest.approx(2 * peaks[0], rel=1e-12)


def test_a_synapse_whose_source_is_hidden_is_left_out_with_a_warning(backend):
    def build(target):
        source = NeuronGroup(1, "v : 1", threshold="True", name="hidden_source")
        return source

    G = NeuronGroup(1, "v : 1")
    S = snncore.Synapses(build(G), G, on_pre="v_post += 1", name="orphan")
    S.connect()
    with pytest.warns(UserWarning, match=r"'orphan'.*'hidden_source'.*left out"):
        snncore.run(1 * ms)
    assert G.v[0] == 0.0


def test_explicit_network_needs_what_its_objects_depend_on(backend):
    G = NeuronGroup(1, "v : 1", name="needed")
    M = StateMonitor(G, "v", record=0)
    net = Network(M)
    with pytest.raises(SnnError, match=r"'needed'.*on which it depends"):
        net.run(1 * ms)


def test_an_object_run_elsewhere_cannot_be_added(backend):
    G = NeuronGroup(1, "v : 1", name="ran_before")
    Network(G).run(1 * ms)
    with pytest.raises(SnnError, match=r"'ran_before' has already been simulated"):
        Network(G)


def test_network_item_access_by_name(backend):
    G = NeuronGroup(1, "v : 1", name="cells")
    M = StateMonitor(G, "v", record=0, name="trace")
    net = Network(G, M)
    assert net["cells"] is G and net["trace"] is M
    assert "cells" in net and len(net) == 2
    with pytest.raises(KeyError, match=r"no object named 'cell'.*cells"):
        net["cell"]
    del net["trace"]
    assert list(net) == [G]


def test_inactive_objects_do_not_run(backend):
    G = NeuronGroup(1, "dv/dt = (1 - v)/(10*ms) : 1", method="exact")
    H = NeuronGroup(1, "dv/dt = (1 - v)/(10*ms) : 1", method="exact")
    H.active = False
    snncore.run(1 * ms)
    assert G.v[0] > 0 and H.v[0] == 0.0

"""network_operation and stop(), against Brian 2 and by counting calls."""

import numpy as np
import pytest
from models import exec_brian2_code

import snncore
from snncore import Network, NeuronGroup, SnnError, StateMonitor, ms, network_operation

# A network operation that kicks a decaying variable every 2 ms, and one that stops the
# run once the kicks have pushed v over a bound (Brian 2's network_operation_stop idea).
KICKS = """
G = NeuronGroup(2, 'dv/dt = -v/(5*ms) : 1', method='exact')
M = StateMonitor(G, 'v', record=True)
times = []

@network_operation(dt=2*ms, when='end')
def kick(t):
    times.append(t/ms)
    G.v = G.v + [0.5, 1.0]

@network_operation
def bound():
    if G.v[1] > 2.0:
        stop()

run(40*ms)
end = float(magic_network.t)
"""


def test_network_operations_and_stop_agree_with_brian2(backend):
    ours, ref = exec_brian2_code(KICKS, "snncore"), exec_brian2_code(KICKS, "brian2")
    assert ours["end"] == pytest.approx(ref["end"], abs=1e-12)
    assert ours["end"] < 40 * ms  # stop() ended the run early
    np.testing.assert_allclose(ours["times"], [float(x) for x in ref["times"]], atol=1e-9)
    np.testing.assert_allclose(ours["M"].t, np.asarray(ref["M"].t), atol=1e-12)
    np.testing.assert_allclose(ours["M"].v, np.asarray(ref["M"].v), rtol=1e-9, atol=1e-12)


def test_called_every_step_with_the_time(backend):
    G = NeuronGroup(1, "v : 1")
    calls = []
    op = network_operation(lambda t: calls.append(t))
    Network(G, op).run(1 * ms)
    np.testing.assert_allclose(calls, np.arange(10) * 0.1 * ms, atol=1e-15)


def test_network_stop_ends_the_run_after_the_current_step(backend):
    G = NeuronGroup(1, "v : 1")
    net = Network(G)

    @network_operation
    def halt(t):
        if t >= 0.45 * ms:
            net.stop()

    net.add(halt)
    net.run(2 * ms)
    assert net.t == pytest.approx(0.6 * ms)  # the step at 0.5 ms is completed
    net.run(1 * ms)  # stop() holds for one run only
    assert net.t == pytest.approx(0.7 * ms)  # halts again after its first step


def test_bad_network_operations_are_refused():
    with pytest.raises(SnnError, match=r"'two' cannot be a network operation.*takes 2"):
        @network_operation
        def two(a, b):
            pass
    with pytest.raises(SnnError, match=r"'middle' of network operation.*not a slot"):
        network_operation(when="middle")(lambda: None)


def test_a_clock_between_steps_runs_on_the_common_grid(backend):
    G = NeuronGroup(1, "v : 1")
    seen = []
    op = network_operation(dt=0.25 * ms)(seen.append)
    Network(G, op).run(1 * ms)
    # As Brian 2's clock of 0.25 ms: 0, 0.25, 0.5 and 0.75 ms, beside G's 0.1 ms steps.
    np.testing.assert_allclose(seen, [0, 0.25e-3, 0.5e-3, 0.75e-3], rtol=1e-12)
    odd = network_operation(dt=0.1003 * ms)(lambda: None)
    with pytest.raises(SnnError, match=r"needs a step 1000 times smaller than 0.0001 s.*"
                                       r"whole multiple"):
        Network(NeuronGroup(1, "v : 1"), odd).run(1 * ms)


def test_monitor_sees_changes_made_by_a_network_operation(backend):
    G = NeuronGroup(1, "v : 1")
    M = StateMonitor(G, "v", record=0)

    @network_operation(when="end")
    def grow():
        G.v = G.v + 1

    snncore.run(0.5 * ms)
    # StateMonitor records at 'start', so it sees the increments of earlier steps.
    np.testing.assert_allclose(M.v[0], np.arange(5))
    assert grow is not None

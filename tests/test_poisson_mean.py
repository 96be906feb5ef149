"""poisson() with a mean it cannot draw from (negative, nan, or too large) is an error
naming the value, as in Brian 2, whose numpy target raises numpy's ValueError; it
used to give 0. In a run the error comes between whole steps, so the network stays
consistent."""

from __future__ import annotations

import numpy as np
import pytest

import snncore
from snncore import Network, NeuronGroup, SnnError, Synapses, defaultclock, ms


@pytest.mark.parametrize("value, shown", [(-2.0, "-2.0"), (np.nan, "nan"),
                                          (np.inf, "inf")])
def test_bad_mean_in_a_run_is_an_error(backend, value, shown):
    G = NeuronGroup(3, "x : 1\nlam : 1", name="counts")
    G.lam = [1.0, value, 3.0]
    G.run_regularly("x = poisson(lam)")
    net = Network(G)
    with pytest.raises(SnnError, match=rf"poisson\(\) needs a mean from 0 to 9.22e\+18, "
                                       rf"got {shown} in the code of NeuronGroup 'counts' "
                                       r"at t = 0 s"):
        net.run(1 * ms)
    # Stopped between whole steps: the bad element drew 0, the others their numbers.
    assert 0 < net.t <= 1 * ms and G.x[1] == 0


def test_bad_mean_in_a_reset(backend):
    G = NeuronGroup(4, "k : 1", threshold="True", reset="k = poisson(-1)", name="g")
    with pytest.raises(SnnError, match=r"got -1.0 in the code of NeuronGroup 'g' at "
                                       r"t = 0 s$"):
        Network(G).run(defaultclock.dt)


def test_bad_mean_in_synaptic_code(backend):
    G = NeuronGroup(2, "v : 1", threshold="True", name="src")
    S = Synapses(G, G, "w : 1", on_pre="w = poisson(v_pre - 1)", name="syn")
    S.connect()
    with pytest.raises(SnnError, match=r"got -1.0 in the code of Synapses 'syn'"):
        Network(G, S).run(defaultclock.dt)


def test_bad_mean_in_setup_code():
    G = NeuronGroup(2, "x : 1")
    with pytest.raises(SnnError, match=r"got -3.0 in code run before the simulation"):
        G.x = "poisson(-3)"
    G.x = "poisson(0)"  # a mean of 0 is allowed (always 0)
    assert (G.x == 0).all()


def test_brian2_raises_for_a_negative_mean():
    """The reference: Brian 2's numpy target refuses the same model."""
    b2 = pytest.importorskip("brian2")
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    G = b2.NeuronGroup(3, "x : 1\nlam : 1")
    G.lam = [1, -2, 3]
    G.run_regularly("x = poisson(lam)")
    net = b2.Network(G)
    with pytest.raises(Exception) as info:
        net.run(0.3 * b2.ms)
    cause = info.value.__cause__ or info.value
    assert isinstance(cause, ValueError) and "lam < 0" in str(cause)


def test_good_means_unchanged(backend):
    snncore.seed(3)
    G = NeuronGroup(2000, "k : 1", threshold="True", reset="k = poisson(4.0)")
    Network(G).run(defaultclock.dt)
    assert abs(G.k[:].mean() - 4.0) < 5 * np.sqrt(4.0 / 2000)

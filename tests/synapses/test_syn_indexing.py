"""Brian 2's indexing of group and synapse variables, read and write, against Brian 2.

``S.w[i, j]``, ``S.w[i, j, k]``, ``S.w['i > j']``, ``S.delay[i, j] = ...``, ``G.v[idx]``,
``G.v['v > 5*mV'] = ...``, ``S.indices[...]``, ``N_incoming``/``N_outgoing``, per-pathway
delays; the same code runs on Brian 2 (numpy target) and on snncore, and gives the same
arrays and traces. Brian 2 returns an empty array for some bad indices where snncore
raises an error naming the index; those are tested against their messages.
"""

# Model constants are local variables found by name from the model strings:
# ruff: noqa: F841
from __future__ import annotations

import numpy as np
import pytest

from snncore import NeuronGroup, Synapses
from snncore.errors import IndexingError, SnnError
from tests.synapses.synmodels import (
    assert_close,
    assert_same,
    brian2_reference,
    ints,
    si,
    snn_run,
)

# Keys of S.w[...] whose result Brian 2 and snncore agree on (Brian 2's own result for
# (i, j, k) is wrong, see test_multisynaptic_index).
READ_KEYS = [
    (1, 2), (1, slice(None)), (slice(None), 2), ([0, 1], [2]), (slice(1, 4, 2), 0),
    (np.array([4, 0]), slice(0, 2)), 3, slice(2, 5), np.array([0, 3]), slice(None),
    [5, 1, 5], "i > j", "w > 20 and j != 1", "x_pre + x_post > 4",
]


def indexing_model(lib):
    """Two synapses per pair (creation order pair, pair, ...), values known per synapse."""
    G = lib.NeuronGroup(5, "x : 1", threshold="False")
    H = lib.NeuronGroup(3, "x : 1")
    G.x = "i*1.0"
    H.x = "10 - i"
    S = lib.Synapses(G, H, "w : 1", on_pre="x_post += w")
    S.connect(n=2)
    S.w = "i*10 + j + 0.5*(x_post - 10 + j)"
    out = {f"read {k!r}": si(S.w[k]) for k in READ_KEYS}
    out["newaxis"] = si(S.w[:, None])
    out["i"], out["j"] = ints(S.i[:]), ints(S.j[:])
    out["N_incoming"], out["N_outgoing"] = ints(S.N_incoming), ints(S.N_outgoing)
    out["N_incoming_post"], out["N_outgoing_pre"] = ints(S.N_incoming_post), \
        ints(S.N_outgoing_pre)
    out["N"], out["len"] = int(np.asarray(S.N)), len(S)
    out["indices 1,:"] = ints(S.indices[1, :])
    out["indices i<j"] = ints(S.indices["i < j"])
    # Writes: scalar, array, expression, through conditions, after the reads above.
    scale = 100
    S.w[1, :] = "j*scale"
    S.w[2, 1] = [7, 8]
    S.w["i == 4"] = 0.25
    S.w["i == 3"] = "x_post*2"
    S.w[[0, 1]] = -1
    S.w[np.flatnonzero(np.arange(len(S)) % 7 == 0)] = 3  # Brian 2 reads masks as 0/1 here
    G.x["x > 2"] = 20
    G.x[0] = 5
    H.x[1:] = [4, 5]
    out["w"], out["G.x"], out["H.x"] = si(S.w[:]), si(G.x[:]), si(H.x[:])
    out["G.x cond"] = si(G.x["x >= 5"])
    return out


def test_reads_and_writes_match_brian2(backend):
    ref = brian2_reference(indexing_model)
    got = snn_run(indexing_model)
    assert_same(got, ref, [k for k in ref if k not in ("N", "len")])
    assert got["N"] == got["len"] == ref["len"] == 30


def delay_model(lib):
    """Jeffress-style delays set through conditions (Brian 2's jeffress.py), and a weight
    matrix set by (i, j): spikes arrive at each target at the delays set."""
    n = 6
    max_delay = 2 * lib.ms
    H = lib.SpikeGeneratorGroup(2, [0, 1], [1, 1] * lib.ms)
    G = lib.NeuronGroup(n, "v : 1")
    S = lib.Synapses(H, G, "w : 1", on_pre="v += w")
    S.connect()
    S.w = 1
    S.w[1, :] = "1 + j"
    S.delay["i==0"] = "(1.0*j)/(n-1)*max_delay"
    S.delay["i==1"] = "(1.0*(n-j-1))/(n-1)*max_delay"
    S.delay[0, 2] = 0.35 * lib.ms
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(4 * lib.ms)
    return {"v": si(M.v), "delay": si(S.delay[:]), "delay 1,:": si(S.delay[1, :])}


def test_delays_set_by_index_and_condition_match_brian2(backend):
    ref = brian2_reference(delay_model)
    got = snn_run(delay_model)
    assert_close(got, ref, ["delay", "delay 1,:"], atol=1e-15)
    assert_close(got, ref, ["v"], atol=1e-12)
    assert np.ptp(got["delay"]) > 1e-3  # heterogeneous: the per-synapse queue was used


def pathway_delay_model(lib):
    """Named pathways with their own delays, as in Brian 2's Izhikevich_2003.py."""
    H = lib.SpikeGeneratorGroup(1, [0, 0], [1, 3] * lib.ms)
    G = lib.NeuronGroup(2, "v : 1")
    S = lib.Synapses(H, G, "w : 1", on_pre={"up": "v += w", "down": "v -= 0.5*w"},
                     delay={"up": 0 * lib.ms, "down": 1 * lib.ms})
    S.connect()
    S.w = "1 + j"
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(6 * lib.ms)
    return {"v": si(M.v)}


def test_delay_per_pathway_matches_brian2(backend):
    ref = brian2_reference(pathway_delay_model)
    got = snn_run(pathway_delay_model)
    assert_close(got, ref, ["v"], atol=1e-12)


def gap_junction_model(lib):
    """Synapses with a summed variable and no pathway (Brian 2's gapjunctions.py)."""
    G = lib.NeuronGroup(4, """dv/dt = (v0 - v + Igap)/(10*ms) : 1
                              v0 : 1
                              Igap : 1""", threshold="v > 1", reset="v = 0",
                        method="exact")
    G.v0 = "1.05 + 0.1*i"
    S = lib.Synapses(G, G, """w : 1
                             Igap_post = w*(v_pre - v_post) : 1 (summed)""")
    S.connect()
    S.w = 0.02
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(30 * lib.ms)
    return {"v": si(M.v)}


def test_gap_junctions_without_pathway_match_brian2(backend):
    ref = brian2_reference(gap_junction_model)
    got = snn_run(gap_junction_model)
    assert_close(got, ref, ["v"], atol=1e-9)


def multisynaptic_model(lib):
    G = lib.NeuronGroup(3, "x : 1", threshold="False")
    S = lib.Synapses(G, G, "w : 1", on_pre="x += w", multisynaptic_index="k")
    S.connect(n=2)
    S.connect(i=[0, 0], j=[1, 2])
    S.w = "i*10 + j + 0.1*k"
    return {"k": ints(S.k[:]), "w": si(S.w[:])}


def test_multisynaptic_index(backend):
    ref = brian2_reference(multisynaptic_model)
    got = snn_run(multisynaptic_model)
    assert_same(got, ref, ["k", "w"])
    S = Synapses(NeuronGroup(3, "x : 1"), multisynaptic_index="k", model="w : 1")
    S.connect(n=2)
    S.connect(i=0, j=1)
    S.w = "i*10 + j + 0.1*k"
    # Brian 2 2.9.0 returns [] here: it mixes positions and synapse numbers.
    np.testing.assert_array_equal(S.w[0, 1, 1], [1.1])
    np.testing.assert_array_equal(S.w[0, 1, 2], [1.2])
    np.testing.assert_array_equal(S.w[0, 1, 1:], [1.1, 1.2])
    np.testing.assert_array_equal(S.w[0, 1, [0, 2]], [1.0, 1.2])
    with pytest.raises(SnnError, match="'k' of .* is set by connect"):
        S.k = 0


# ---- numpy semantics and copies --------------------------------------------------------

def test_views_behave_as_numpy_arrays(backend):
    G = NeuronGroup(4, "v : 1")
    G.v = [1.0, 2.0, 3.0, 4.0]
    S = Synapses(G, G, "w : 1")
    S.connect(j="i")
    S.w = "i*2.0"
    assert S.w[:, None].shape == (4, 1)
    assert S.w[None, :].shape == (1, 4)
    assert type(G.v * 2) is np.ndarray and type(np.sort(G.v)) is np.ndarray
    assert G.v.sum() == 10.0 and float(np.mean(S.w)) == 3.0
    np.testing.assert_array_equal(G.v[G.v > 2], [3.0, 4.0])
    S.w[S.w > 3] = 1.0
    np.testing.assert_array_equal(S.w, [0.0, 2.0, 1.0, 1.0])
    np.testing.assert_array_equal(G[1:3].v, [2.0, 3.0])
    G[1:3].v[1] = 30
    G.v[G[:1]] = 10
    np.testing.assert_array_equal(G.v[:], [10.0, 2.0, 30.0, 4.0])
    G.v += 1
    np.testing.assert_array_equal(G.v, [11.0, 3.0, 31.0, 5.0])
    assert repr(G.v) == repr(np.array([11.0, 3.0, 31.0, 5.0]))


def test_reads_are_copies(backend):
    """A read (``S.w[:]``, ``S.w[i, j]``, ``S.i``) never aliases the simulator's arrays."""
    G = NeuronGroup(3, "v : 1", threshold="False")
    S = Synapses(G, G, "w : 1", on_pre="v += w")
    S.connect()
    S.w = 1.0
    for chunk in (S.w[:], S.w[0, :], S.w[1:4], S.w["i == j"], G.v[:]):
        chunk[...] = 99.0
    assert np.all(S.w[:] == 1.0) and np.all(G.v[:] == 0.0)
    pre = S.i[:]
    pre[:] = 0
    np.testing.assert_array_equal(S.i[:], np.repeat([0, 1, 2], 3))


def test_view_sees_synapses_added_later(backend):
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "w : 1")
    w = S.w
    S.connect(j="i")
    w[:] = 2.0
    S.connect(i=0, j=2)
    np.testing.assert_array_equal(w[:], [2.0, 2.0, 2.0, 0.0])
    assert S.N_incoming_post.tolist() == [1, 1, 2]


# ---- errors ----------------------------------------------------------------------------

@pytest.fixture
def syn():
    G = NeuronGroup(5, "v : 1", threshold="False")
    H = NeuronGroup(3, "v : 1")
    S = Synapses(G, H, "w : 1", on_pre="v += w")
    S.connect()
    return S


@pytest.mark.parametrize("key,message", [
    ((7, 0), r"presynaptic index of 'w' .* is 7, outside the valid range 0 to 4"),
    ((0, 3), r"postsynaptic index of 'w' .* is 3, outside the valid range 0 to 2"),
    ((-1, 0), r"presynaptic index .* is -1, outside the valid range 0 to 4"),
    (([0, 9], slice(None)), r"presynaptic index .* is 9\b"),
    ((0, 0, 1), r"third index of 'w' .* needs a multisynaptic index"),
    ((0, 0, 0, 0), r"takes 1, 2 \(i, j\) or 3 \(i, j, k\) indices, got 4"),
    (15, r"index 15 is out of range for 'w' of Synapses .*: valid indices are 0 to 14"),
    (np.array([3, 40]), r"index 40 is out of range .* 0 to 14"),
    (1.5, r"cannot index 'w' .* with 1.5"),
    ((0.5, 1), r"presynaptic index of 'w' .* must be an int, a slice or an int array"),
    (np.ones(3, bool), r"boolean index of 'w' .* must have 15 elements, got shape \(3,\)"),
])
def test_bad_synapse_index(syn, key, message):
    with pytest.raises(IndexingError, match=message):
        syn.w[key]
    with pytest.raises(IndexingError, match=message):
        syn.w[key] = 1.0


def test_bad_writes_and_conditions(syn):
    with pytest.raises(SnnError, match=r"cannot index 'w' .* with 'i \+ j': it is not a "
                                       r"boolean condition"):
        syn.w["i + j"]
    with pytest.raises(SnnError, match=r"cannot set 'w' .*: got 2 values for 3 element"):
        syn.w[0, :] = [1.0, 2.0]
    with pytest.raises(SnnError, match=r"'i' of Synapses .* is set by connect\(\) and is "
                                       "read-only"):
        syn.i[0] = 2
    with pytest.raises(SnnError, match=r"'N_incoming' of .* read-only"):
        syn.N_incoming = 3
    with pytest.raises(SnnError, match=r"delays of .* must be finite and non-negative, got "
                                       r"-0.001"):
        syn.delay[0, :] = -1e-3
    with pytest.raises(SnnError, match=r"cannot set 'w' .* to array\(\['a'\].*: not numeric"):
        syn.w[0] = np.array(["a"])
    with pytest.raises(IndexingError, match=r"'v' of NeuronGroup .* has one index, got 2"):
        syn.source.v[1, 2]
    with pytest.raises(IndexingError, match=r"index 5 is out of range for 'v' of "
                                            r"NeuronGroup .*: valid indices are 0 to 4"):
        syn.source.v[5] = 1.0


def test_delay_errors():
    G = NeuronGroup(2, "v : 1", threshold="v > 1")
    with pytest.raises(SnnError, match=r"delay given for the pathway 'post' of .*, which "
                                       r"has the pathways \['pre'\]"):
        Synapses(G, G, on_pre="v += 1", delay={"post": 1e-3})
    S = Synapses(G, G, on_pre={"up": "v += 1", "down": "v -= 1"},
                 delay={"down": 1e-3})
    with pytest.raises(SnnError, match=r"has no pathway named 'pre' \(it has \['up', "
                                       r"'down'\]\).*delay=\{name: value\}"):
        S.delay = 2e-3
    S2 = Synapses(G, G, on_pre="v += 1")
    S2.connect()
    with pytest.raises(SnnError, match=r"delay of .* is a dict .*Synapses\(\.\.\., "
                                       r"delay=\{pathway: value\}\)"):
        S2.delay = {"pre": 1e-3}
    with pytest.raises(SnnError, match=r"'delay' is a reserved name in Synapses"):
        Synapses(G, G, "delay : second")


def subgroup_index_model(lib):
    """On subgroups, an int index counts within the subgroup, a subgroup index selects by
    its place in the parent group (Brian 2's rule)."""
    G = lib.NeuronGroup(10, "x : 1", threshold="False")
    S = lib.Synapses(G[2:6], G[5:], "w : 1", on_pre="x_post += w")
    S.connect()
    S.w = "i*10 + j"
    return {"int": si(S.w[1, :]), "subgroup": si(S.w[G[3:5], :]),
            "both": si(S.w[G[2:4], G[6:8]]), "post int": si(S.w[:, 0])}


def test_subgroup_indices_match_brian2(backend):
    ref = brian2_reference(subgroup_index_model)
    got = snn_run(subgroup_index_model)
    assert_same(got, ref, list(ref))


def synapses_on_synapses_model(lib):
    """Synapses whose source or target is another Synapses, with summed variables and
    N_incoming, as in Brian 2's Stimberg_et_al_2018 astrocyte examples."""
    G = lib.NeuronGroup(4, "x : 1", threshold="False")
    S = lib.Synapses(G, G, """w : 1
                              Y_S : 1
                              G_A : 1
                              idx : integer (constant)""", on_pre="x_post += w")
    S.connect("i != j")
    S.Y_S = "i + 0.1*j"
    S.idx = "j % 2"
    A = lib.NeuronGroup(2, "Y_S : 1\nG_A : 1")
    A.G_A = [1, 2]
    a2s = lib.Synapses(A, S, "G_A_post = G_A_pre : 1 (summed)")
    a2s.connect("i == idx_post")
    s2a = lib.Synapses(S, A, "Y_S_post = Y_S_pre/N_incoming : 1 (summed)")
    s2a.connect("idx_pre == j")
    lib.run(0.2 * lib.ms)
    return {"S.G_A": si(S.G_A[:]), "A.Y_S": si(A.Y_S[:]), "a2s.i": ints(a2s.i[:]),
            "a2s.j": ints(a2s.j[:]), "s2a.i": ints(s2a.i[:]), "s2a.j": ints(s2a.j[:]),
            "N_incoming": ints(s2a.N_incoming[:])}


def test_synapses_on_synapses_match_brian2(backend):
    ref = brian2_reference(synapses_on_synapses_model)
    got = snn_run(synapses_on_synapses_model)
    assert_same(got, ref, [k for k in ref if k != "A.Y_S"])
    assert_close(got, ref, ["A.Y_S"], atol=1e-12)


def post_variable_by_plain_name_model(lib):
    """A target variable named without suffix through the synapses (Brian 2's
    nonlinear.py records StateMonitor(S, 'g'), g being the target's summed parameter)."""
    a = b = c = 1 / (10 * lib.ms)
    inputs = lib.NeuronGroup(2, "dv/dt = 1/(10*ms) : 1", threshold="v>1", reset="v = 0",
                             method="euler")
    neurons = lib.NeuronGroup(1, """dv/dt = (g-v)/(10*ms) : 1
                                   g : 1""", method="exact")
    S = lib.Synapses(inputs, neurons, """dg_syn/dt = -a*g_syn+b*x*(1-g_syn) : 1 (clock-driven)
                                         g_post = g_syn : 1 (summed)
                                         dx/dt=-c*x : 1 (clock-driven)
                                         w : 1""", on_pre="x += w")
    S.connect()
    S.w = [1.0, 10.0]
    inputs.v = [0.0, 0.5]
    M = lib.StateMonitor(S, "g", record=np.arange(2))
    lib.run(30 * lib.ms)
    return {"g": si(M.g)}


def test_post_variable_by_plain_name_matches_brian2(backend):
    ref = brian2_reference(post_variable_by_plain_name_model)
    got = snn_run(post_variable_by_plain_name_model)
    assert_close(got, ref, ["g"], atol=1e-9)
    assert np.ptp(got["g"]) > 0.1

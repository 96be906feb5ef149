"""Synaptic subgroups (``S[i, :]``, ``S['i > j']``) and neuron subgroups as indices: as
``record=`` of a StateMonitor, as an index of the monitor (``M[S[2, :]].w``) and of the
synapses' variables (``S.w[S[2, :]]``), against Brian 2 (Stimberg et al. 2018, example 1
records ``exc_syn[ni, :]``)."""

# Model constants are local variables found by name from the model strings:
# ruff: noqa: F841
from __future__ import annotations

import numpy as np
import pytest

from snncore import NeuronGroup, StateMonitor, Synapses
from snncore.errors import IndexingError, SnnError
from tests.synapses.synmodels import (
    assert_close,
    assert_same,
    brian2_reference,
    ints,
    si,
    snn_run,
)


def subgroup_model(lib):
    G = lib.NeuronGroup(4, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact")
    G.v = [0, 0.3, 0.6, 0.9]
    H = lib.NeuronGroup(3, "x : 1")
    S = lib.Synapses(G, H, """dw/dt = -w/(5*ms) : 1 (clock-driven)
                              count : 1""", on_pre="w += 1 + j\ncount += 1")
    S.connect(i=[0, 0, 1, 2, 2, 3, 3, 3], j=[0, 2, 1, 0, 2, 0, 1, 2])
    from_2, backward = S[2, :], S["i > j"]
    S.count[backward] = 10
    M = lib.StateMonitor(S, ["w", "count"], record=from_2, when="after_synapses")
    MG = lib.StateMonitor(G, "v", record=G[1:3])
    lib.run(20 * lib.ms)
    return {"w": si(M.w), "count": si(M.count), "M[from_2].w": si(M[from_2].w),
            "M[S[2, 2]].w": si(M[S[2, 2]].w), "record": ints(M.record),
            "S.count[backward]": si(S.count[backward]), "S.indices": ints(S.indices[backward]),
            "len": np.array([len(from_2), len(backward), len(S[:, 0]), len(S[1:3])]),
            "v": si(MG.v), "MG[G[2:3]].v": si(MG[G[2:3]].v)}


def test_subgroups_match_brian2(backend):
    ref = brian2_reference(subgroup_model)
    got = snn_run(subgroup_model)
    assert ref["w"].shape[0] == 2 and ref["w"].max() > 1  # spikes reached the synapses
    assert_same(got, ref, ["record", "S.indices", "len", "S.count[backward]"])
    assert_close(got, ref, ["w", "count", "M[from_2].w", "M[S[2, 2]].w", "v",
                            "MG[G[2:3]].v"], atol=1e-12)


def test_subgroup_errors():
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "w : 1")
    T = Synapses(G, G, "w : 1")
    S.connect(j="i")
    T.connect()
    sub = S[1, :]
    assert repr(sub) == f"<SynapticSubgroup, storing 1 indices of {S.name}>"
    with pytest.raises(IndexingError, match=r"indexed with a subgroup of Synapses '.*', "
                                            r"not of Synapses"):
        T.w[sub]
    with pytest.raises(SnnError, match=r"record= of StateMonitor .* subgroup of "
                                       r"Synapses .*, not of Synapses"):
        StateMonitor(T, "w", record=sub)
    with pytest.raises(SnnError, match=r"record= of StateMonitor .* is subgroup \[0:2\] of "
                                       r"NeuronGroup .*, not a part of NeuronGroup"):
        StateMonitor(NeuronGroup(3, "v : 1"), "v", record=G[:2])
    S.connect(i=0, j=2)
    with pytest.raises(SnnError, match=r"synapses were added to Synapses .* after this "
                                       r"subgroup of 3 synapses was created"):
        S.w[sub]

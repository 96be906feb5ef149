"""Adaptive threshold (Brian 1 demo) with constant drive: multi-line reset, against Brian 2."""

import models
from models import assert_same_spikes, assert_same_traces, brian2_reference, snn_run


def test_adaptive_threshold_matches_brian2(backend):
    ref = brian2_reference(models.adaptive_threshold)
    got = snn_run(models.adaptive_threshold)
    assert got["method"] == "exact"  # chosen by method=None, as Brian 2 does
    assert set(ref["spike_i"]) == {0, 1, 2}
    assert_same_spikes(got, ref)
    assert_same_traces(got, ref, ["v", "vt"], atol=1e-9)


def test_threshold_adapts(backend):
    got = snn_run(models.adaptive_threshold)
    # the most strongly driven neuron raises its threshold well above the resting 10 mV
    assert got["vt"][2].max() > 0.015
    # after a spike v is reset to 0 and vt is 3 mV higher than just before
    step = round(got["spike_t"][0] / 1e-4)
    k = got["spike_i"][0]
    assert got["v"][k, step + 1] < 1e-3
    assert abs(got["vt"][k, step + 1] - got["vt"][k, step] - 3e-3) < 1e-4

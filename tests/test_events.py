"""Custom events (``events=``, ``run_on_event``, ``on_event=``, ``EventMonitor``) match
Brian 2 on both backends, and misuse gets a clear error."""

import numpy as np
import pytest
from models import brian2_reference, si, snn_run

from snncore import EventMonitor, NeuronGroup, SpikeMonitor, Synapses, ms, run
from snncore.errors import SnnError


def gspike_example(lib):
    """Brian 2's example advanced/custom_events.py, with regular input spikes."""
    inp = lib.SpikeGeneratorGroup(1, np.zeros(60, dtype=int), np.arange(60) * 2 * lib.ms
                                  + 1 * lib.ms)
    G = lib.NeuronGroup(1, """dv/dt = (g-v)/(50*ms) : 1
                              dg/dt = -g/(10*ms) : 1
                              allow_gspike : boolean""",
                        threshold="v>1", reset="v = 0; g = 0; allow_gspike = True;",
                        events={"gspike": "g>1 and allow_gspike",
                                "end_gspike": "g<1 and not allow_gspike"})
    G.run_on_event("gspike", "allow_gspike = False")
    G.run_on_event("end_gspike", "allow_gspike = True")
    H = lib.NeuronGroup(1, """dx/dt = -x/(10*ms) : 1
                              dy/dt = -y/(10*ms) : 1""")
    Sin = lib.Synapses(inp, G, on_pre="g += 0.5")
    Sin.connect()
    S = lib.Synapses(G, H, on_pre={"pre": "x += 1", "gpath": "y += 1"},
                     on_event={"pre": "spike", "gpath": "gspike"})
    S.connect()
    M = lib.StateMonitor(G, ("v", "g"), record=True)
    Mg = lib.EventMonitor(G, "gspike", "g")
    Ms = lib.SpikeMonitor(G, "v")
    MH = lib.StateMonitor(H, ("x", "y"), record=True)
    G.allow_gspike = True
    lib.run(200 * lib.ms)
    return {"v": si(M.v), "g": si(M.g), "x": si(MH.x), "y": si(MH.y),
            "event_t": si(Mg.t), "event_g": si(Mg.g), "event_i": si(Mg.i),
            "spike_t": si(Ms.t), "spike_v": si(Ms.v)}


def subgroup_events(lib):
    """A custom event of a subgroup drives delayed synapses (``on_event='up'``), its own
    code (with a temporary) and an EventMonitor; the reset also uses a temporary."""
    G = lib.NeuronGroup(4, """dv/dt = (I - v)/(10*ms) : 1
                              I : 1
                              c : 1""",
                        threshold="v > 1", reset="x = v - 1\nv = 0.2*x\nc += x",
                        events={"up": "v > 0.5"})
    G.I = [0.8, 1.5, 2.0, 3.0]
    G.run_on_event("up", "drop = 0.05*(1 + c)\nv -= drop\nc += 1", when="after_thresholds",
                   order=1)
    H = lib.NeuronGroup(2, "dy/dt = -y/(5*ms) : 1")
    S = lib.Synapses(G[1:], H, "w : 1", on_pre="y_post += w", on_event="up",
                     delay=1 * lib.ms)
    S.connect(i=[0, 1, 2, 2], j=[0, 0, 1, 0])
    S.w = "0.1*(i + 1)"
    M = lib.StateMonitor(G, ("v", "c"), record=True)
    MH = lib.StateMonitor(H, "y", record=True)
    E = lib.EventMonitor(G[1:], "up")
    lib.run(60 * lib.ms)
    return {"v": si(M.v), "c": si(M.c), "y": si(MH.y), "event_i": si(E.i),
            "event_t": si(E.t), "count": si(E.count)}


@pytest.mark.parametrize("model", [gspike_example, subgroup_events])
def test_custom_events_match_brian2(backend, model):
    ref = brian2_reference(model)
    got = snn_run(model)
    assert ref["event_t"].size >= 3  # the events happen
    for key, value in ref.items():
        assert got[key].shape == value.shape, key
        np.testing.assert_allclose(got[key], value, rtol=0, atol=1e-9, err_msg=key)


def test_event_names_and_defaults():
    G = NeuronGroup(3, "v : 1", threshold="v > 1", events={"up": "v > 0.5"})
    assert G.events == {"spike": "v > 1", "up": "v > 0.5"}
    assert G.event_slot("up") == ("after_thresholds", 0)
    assert EventMonitor(G, "up").when == "after_thresholds"
    assert SpikeMonitor(G).when == "thresholds"


@pytest.mark.parametrize("make,message", [
    (lambda G: Synapses(G, G, on_pre="v += 1", on_event="down"),
     r"pathway 'pre' .*source NeuronGroup .* does not define an event 'down'"),
    (lambda G: Synapses(G, G, on_pre="v += 1", on_event={"post": "up"}),
     r"on_event .* names no pathway: post \(pathways: pre\)"),
    (lambda G: EventMonitor(G, "upp"), r"does not define an event 'upp'; did you mean 'up'"),
    (lambda G: G.run_on_event("spike", "v = 0"), r"code for event 'spike' .* already .*reset"),
    (lambda G: G.run_on_event("up", "v = 0", when="after_reset"),
     r"when='after_reset' of .* is not a slot .*did you mean 'after_resets'"),
    (lambda G: SpikeMonitor(NeuronGroup(2, "v : 1")),
     r"does not define an event 'spike'; did you forget to set a threshold"),
    (lambda G: Synapses(NeuronGroup(2, "v : 1"), G, on_pre="v += 1"),
     r"source NeuronGroup .* does not define an event 'spike'; did you forget"),
])
def test_event_errors(make, message):
    G = NeuronGroup(3, "v : 1", threshold="v > 1", reset="v = 0", events={"up": "v > 0.5"})
    with pytest.raises(SnnError, match=message):
        make(G)


@pytest.mark.parametrize("kwargs,message", [
    (dict(threshold="v > 1", events={"spike": "v > 2"}), r"both a threshold and a 'spike'"),
    (dict(events={"up": "v + 1"}), r"condition of event 'up' .* must be a boolean"),
    (dict(events={"1up": "v > 1"}), r"'1up' cannot be the name of an event"),
])
def test_event_definition_errors(kwargs, message):
    with pytest.raises(SnnError, match=message):
        NeuronGroup(3, "v : 1", **kwargs)


def test_spike_event_given_in_events_acts_as_threshold(backend):
    """``events={'spike': ...}`` is the threshold, with refractoriness (Brian 2)."""
    G = NeuronGroup(1, "dv/dt = 1/ms : 1", events={"spike": "v > 1"}, refractory=2 * ms)
    G.run_on_event("spike", "v = 0", when="resets")
    M = SpikeMonitor(G)
    run(10 * ms)
    # v reaches 1 after 1.1 ms (10 steps past 1), then 2 ms refractory: v keeps rising
    assert M.num_spikes >= 3
    assert np.all(np.diff(M.t) >= 2 * ms - 1e-12)

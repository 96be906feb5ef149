"""Synapse models of the Brian 2 synapse tutorial and the neuro4ml STP notebook:
snncore (both backends) agrees with Brian 2 (numpy target) on the same model strings.

Deterministic traces agree to 1e-9 (dimensionless, O(1) values), spike times are the
same floats, synapse sets are identical and in the same (creation) order.
"""

import numpy as np
import pytest
import synmodels as m
from synmodels import assert_close, assert_same, brian2_reference, snn_run

# ---- tutorial: simplest synapse, weight, delay ---------------------------------------


@pytest.mark.parametrize("model", [m.simplest_synapse, m.adding_a_weight,
                                   m.introducing_a_delay],
                         ids=["simplest", "weight", "delay"])
def test_tutorial_traces(backend, model):
    ref = brian2_reference(model)
    got = snn_run(model)
    assert ref["spike_i"].size >= 3
    assert_same(got, ref, ["t", "spike_i", "spike_t"])
    assert_close(got, ref, ["v"], atol=1e-9)


def test_tutorial_weights_and_delays_values(backend):
    got = snn_run(m.adding_a_weight)
    np.testing.assert_allclose(got["w"], [0.2, 0.4], rtol=0, atol=1e-15)
    got = snn_run(m.introducing_a_delay)
    np.testing.assert_allclose(got["delay"], [2e-3, 4e-3], rtol=0, atol=1e-15)


def test_tutorial_synapse_changes_the_target(backend):
    """Without the synapse neuron 1 of 'simplest synapse' never moves (I = 0)."""
    got = snn_run(m.simplest_synapse)
    n_spikes_0 = np.sum(got["spike_i"] == 0)
    assert n_spikes_0 >= 5
    jumps = np.diff(got["v"][1])
    assert np.sum(jumps > 0.1) == n_spikes_0


# ---- connectivity ---------------------------------------------------------------------


@pytest.mark.parametrize("form", list(m.CONNECT_FORMS))
def test_connect_deterministic_forms(backend, form):
    ref = brian2_reference(m.connectivity, form)
    got = snn_run(m.connectivity, form)
    assert_same(got, ref, ["n", "i", "j"])


def test_connect_expected_sets(backend):
    """The tutorial's pictures, independently of Brian 2."""
    got = snn_run(m.connectivity, "abs(i-j)<4 and i!=j")
    expected = [(a, b) for a in range(10) for b in range(10) if abs(a - b) < 4 and a != b]
    assert list(zip(got["i"].tolist(), got["j"].tolist())) == expected
    gen = snn_run(m.connectivity, "generator skip_if_invalid")
    assert list(zip(gen["i"].tolist(), gen["j"].tolist())) == expected
    diag = snn_run(m.connectivity, "j='i'")
    assert diag["i"].tolist() == diag["j"].tolist() == list(range(10))


def _random_connect(lib, N, p, seed_value):
    lib.seed(seed_value)
    G = lib.NeuronGroup(N, "v:1")
    S = lib.Synapses(G, G)
    S.connect(condition="i!=j", p=p)
    return m.ints(S.i), m.ints(S.j)


@pytest.mark.parametrize("p", [0.2, 0.05])
def test_connect_p_statistics(backend, p):
    """``condition='i!=j', p=p``: binomial count within 4 standard deviations, for
    snncore and for Brian 2, no self-connections, sorted by source, roughly uniform."""
    N = 400
    pairs = N * (N - 1)
    mean, sd = p * pairs, np.sqrt(pairs * p * (1 - p))
    counts = {}
    for name, runner in (("snncore", snn_run), ("brian2", m.brian2_run)):
        i, j = runner(_random_connect, N, p, 7)
        counts[name] = i.size
        assert abs(i.size - mean) < 4 * sd, f"{name}: {i.size} synapses, expected {mean}"
        assert not np.any(i == j)
        # out-degrees of the first and second half of the sources agree statistically
        half = np.sum(i < N // 2)
        assert abs(half - i.size / 2) < 4 * np.sqrt(i.size / 4)
    assert np.all(np.diff(runner(_random_connect, N, p, 7)[0]) >= 0)
    i1, j1 = snn_run(_random_connect, N, p, 3)
    i2, j2 = snn_run(_random_connect, N, p, 3)
    assert np.array_equal(i1, i2) and np.array_equal(j1, j2), "seed() does not repeat"


def test_connect_p_alone_draws_as_with_a_condition(backend):
    """Without a condition, connect(p=) indexes only the kept pairs; it must keep the
    same pairs as the general path (a condition that always holds), draw for draw."""
    def pairs(lib, condition):
        lib.seed(5)
        G = lib.NeuronGroup(1100, "v:1")  # 1.21M pairs: two blocks of rows
        S = lib.Synapses(G, G)
        S.connect(condition=condition, p=0.3)
        return m.ints(S.i), m.ints(S.j)

    fast, general = snn_run(pairs, None), snn_run(pairs, "i >= 0")
    assert fast[0].size > 0
    assert np.array_equal(fast[0], general[0]) and np.array_equal(fast[1], general[1])


def test_distance_dependent_weights(backend):
    ref = brian2_reference(m.distance_weights)
    got = snn_run(m.distance_weights)
    assert_same(got, ref, ["i", "j"])
    assert_close(got, ref, ["w"], atol=1e-12)
    assert_close(got, ref, ["x_pre", "x_post"], atol=1e-18)


# ---- STDP -------------------------------------------------------------------------


def test_stdp_clock_driven_traces(backend):
    ref = brian2_reference(m.stdp_clock_driven)
    got = snn_run(m.stdp_clock_driven)
    assert_close(got, ref, ["t"], atol=0)
    assert_close(got, ref, ["w", "apre", "apost", "v"], atol=1e-9)
    assert np.max(ref["w"]) > 0  # potentiated once the post neuron fired after the pre


def test_stdp_event_driven_window(backend):
    ref = brian2_reference(m.stdp_event_driven)
    got = snn_run(m.stdp_event_driven)
    assert_close(got, ref, ["w", "apre", "apost", "lastupdate"], atol=1e-9)
    # the classic window: potentiation for dt > 0, depression for dt < 0
    w, delta = got["w"], got["dt_spike"]
    assert np.all(w[delta > 1e-3] > 0) and np.all(w[delta < -1e-3] < 0)


# ---- short-term plasticity --------------------------------------------------------


@pytest.mark.parametrize("case", list(m.STP_CASES))
def test_tsodyks_markram_stp_runit(backend, case):
    ref = brian2_reference(m.stp_runit, *m.STP_CASES[case])
    got = snn_run(m.stp_runit, *m.STP_CASES[case])
    assert_close(got, ref, ["t"], atol=0)
    assert_close(got, ref, ["v", "u", "x"], atol=1e-9)
    peaks = np.diff(got["v"][0])[np.diff(got["v"][0]) > 1e-3]
    assert peaks.size == 5
    # depression: the PSPs shrink; facilitation: they grow
    if case == "depression":
        assert np.all(np.diff(peaks) < 0)
    else:
        assert peaks[-1] > peaks[0]


def test_tsodyks_clock_driven_summed_current(backend):
    """Summed ``I_syn`` is reduced before the target's state update (Brian 2's order)."""
    ref = brian2_reference(m.tsodyks_summed)
    got = snn_run(m.tsodyks_summed)
    assert_close(got, ref, ["syn_x", "syn_u", "syn_y"], atol=1e-9)
    assert_close(got, ref, ["v", "I_syn"], atol=1e-9)
    assert np.max(ref["I_syn"]) > 1


def test_tsodyks_summed_constant_named_A(backend):
    """The same model with the amplitude constant called ``A``, as in the brief:
    Brian 2 has no unit ``A`` in model code, so ``A`` is the user's constant."""
    ref = brian2_reference(m.tsodyks_summed, "A")
    got = snn_run(m.tsodyks_summed, "A")
    assert_close(got, ref, ["v", "I_syn"], atol=1e-9)


# ---- heterogeneous delays ----------------------------------------------------------


def _brian2_delay_steps(factors):
    """Brian 2's spike queue (its Cython queue, used by the numpy target too) turns a
    delay into ``int(delay/dt + 0.5)`` steps: halves round up."""
    return np.floor(factors * 0.1e-3 / 1e-4 + 0.5).astype(int)


def test_heterogeneous_delays_land_on_the_right_step(backend):
    got = snn_run(m.heterogeneous_delays)
    steps = _brian2_delay_steps(m.HETERO_FACTORS)
    # the spike is emitted in step 10 and delivered in step 10 + d; a StateMonitor
    # (at the start of a step) sees the jump one record later
    expected = m.HETERO_SPIKE_STEP + steps + 1
    first = np.argmax(got["v"] > 0.5, axis=1)
    assert first.tolist() == expected.tolist()
    assert np.all(got["v"][:, -1] == 1.0)


def test_heterogeneous_delays_match_brian2(backend):
    ref = brian2_reference(m.heterogeneous_delays)
    got = snn_run(m.heterogeneous_delays)
    assert_same(got, ref, ["t", "v"])


# ---- accumulation of simultaneous events ------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("delay", [None, "homogeneous", "heterogeneous"])
def test_simultaneous_events_accumulate(backend, n, delay):
    got = snn_run(m.accumulate, n, delay)
    w = 0.001 * (np.arange(50) + 1)
    final = got["v"][:, -1]
    assert len(got["i"]) == n * 75
    np.testing.assert_allclose(final, [n * w.sum(), n * (w[::2] + 0.1).sum()],
                               rtol=0, atol=1e-12)
    ref = brian2_reference(m.accumulate, n, delay)
    assert_close(got, ref, ["v"], atol=1e-12)
    assert_same(got, ref, ["i", "j"])


# ---- subgroups ------------------------------------------------------------------


def test_subgroups_as_source_and_target(backend):
    ref = brian2_reference(m.subgroup_synapses)
    got = snn_run(m.subgroup_synapses)
    assert_same(got, ref, ["i", "j", "spike_i", "spike_t"])
    assert_close(got, ref, ["w"], atol=1e-15)
    assert_close(got, ref, ["v"], atol=1e-9)
    assert got["i"].max() <= 2 and got["j"].max() <= 2  # indices within the subgroups


def _homogeneous_delay(lib, delay_steps):
    H = lib.SpikeGeneratorGroup(1, [0], [1] * lib.ms)
    G = lib.NeuronGroup(1, "v : 1")
    S = lib.Synapses(H, G, on_pre="v += 1", delay=delay_steps * 0.1 * lib.ms)
    S.connect()
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(2 * lib.ms)
    return m._traces(M, ["v"])


@pytest.mark.parametrize("delay_steps", [0.5, 2.5, 3.0, 4.49])
def test_homogeneous_delay_rounds_like_brian2(backend, delay_steps):
    """A ``delay=`` keyword (one delay for all synapses) is rounded as Brian 2 rounds it."""
    ref = brian2_reference(_homogeneous_delay, delay_steps)
    got = snn_run(_homogeneous_delay, delay_steps)
    expected = 10 + int(np.floor(delay_steps + 0.5)) + 1
    assert int(np.argmax(ref["v"][0] > 0.5)) == expected
    assert int(np.argmax(got["v"][0] > 0.5)) == expected
    assert_same(got, ref, ["t", "v"])

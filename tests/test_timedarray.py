"""TimedArray: Brian 2's indexing (rounding, clipping, 2-D layout) on both backends, its use
in every kind of model code, from Python, and new values without recompiling."""

import numpy as np
import pytest
from models import brian2_run, si, snn_run

import snncore
from snncore import (
    DimensionMismatchError,
    IntegrationMethodError,
    NeuronGroup,
    SnnError,
    SpikeMonitor,
    StateMonitor,
    TimedArray,
    ms,
    mV,
    run,
)
from snncore.backends import numba_backend

VALUES = np.random.default_rng(3).normal(size=23)


def docstring_examples(lib):
    """The two examples of Brian 2's TimedArray docstring."""
    ms, mV = lib.ms, lib.mV
    ta = lib.TimedArray([1, 2, 3, 4] * mV, dt=0.1 * ms)  # noqa: F841 - found by name
    G = lib.NeuronGroup(1, "v = ta(t) : volt")
    M = lib.StateMonitor(G, "v", record=True)
    ta2d = lib.TimedArray([[1, 2], [3, 4], [5, 6]] * mV, dt=0.1 * ms)  # noqa: F841 - found by name
    H = lib.NeuronGroup(4, "v = ta2d(t, i%2) : volt")
    M2 = lib.StateMonitor(H, "v", record=True)
    lib.run(1 * ms)
    return {"v": si(M.v), "v2": si(M2.v)}


def grids(lib):
    """Group and TimedArray steps that are not aligned (0.05, 0.25, 0.3 ms), a shifted
    time, reading past both ends, and exact integration of ta(t)."""
    ms = lib.ms
    ta = lib.TimedArray(VALUES, dt=0.25 * ms)  # noqa: F841 - found by name
    ta2 = lib.TimedArray(VALUES.reshape(-1, 1) * np.arange(1, 4), dt=0.3 * ms)  # noqa: F841 - found by name
    G = lib.NeuronGroup(4, """a = ta(t) : 1
                              b = ta(t - 0.05*ms) : 1
                              c = ta2(t, i % 3) : 1
                              dv/dt = (ta(t) - v)/(2*ms) : 1""", dt=0.05 * ms)
    M = lib.StateMonitor(G, ["a", "b", "c", "v"], record=True)
    lib.run(8 * ms)
    return {k: si(getattr(M, k)) for k in "abcv"}


def not_a_multiple(lib):
    """A TimedArray whose dt (0.15 ms) is not a multiple of the group's (0.1 ms): Brian 2
    does not integrate it exactly, but chooses Euler."""
    ms = lib.ms
    ta = lib.TimedArray(VALUES, dt=0.15 * ms)  # noqa: F841 - found by name
    G = lib.NeuronGroup(1, "dv/dt = (ta(t) - v)/(2*ms) : 1")
    M = lib.StateMonitor(G, "v", record=True)
    lib.run(4 * ms)
    return {"v": si(M.v)}


def everywhere(lib):
    """ta(t) in a threshold, a reset, synaptic code and a refractory condition."""
    ms = lib.ms
    drive = lib.TimedArray([0.0, 3.0, 0.0, 2.0, 5.0], dt=2 * ms)  # noqa: F841 - found by name
    level = lib.TimedArray([1.0, 0.5], dt=5 * ms)  # noqa: F841 - found by name
    G = lib.NeuronGroup(2, """dv/dt = (drive(t) - v)/(3*ms) : 1 (unless refractory)
                              w : 1""",
                        threshold="v > level(t)", reset="v = -level(t)",
                        refractory="v < -0.5*level(t)", method="euler")
    S = lib.Synapses(G, G, on_pre="w_post += drive(t) + level(t)")
    S.connect(i=0, j=1)
    M = lib.StateMonitor(G, ["v", "w"], record=True)
    spikes = lib.SpikeMonitor(G)
    lib.run(10 * ms)
    return {"v": si(M.v), "w": si(M.w), "t": si(spikes.t), "i": si(spikes.i)}


@pytest.mark.parametrize("model", [docstring_examples, grids, not_a_multiple, everywhere])
def test_matches_brian2(backend, model):
    ref = brian2_run(model)
    got = snn_run(model)
    for key, value in ref.items():
        assert got[key].shape == value.shape, key
        np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=1e-14, err_msg=key)


def test_docstring_values():
    got = snn_run(docstring_examples)
    assert np.allclose(got["v"][0], [1, 2, 3, 4, 4, 4, 4, 4, 4, 4] * mV)
    assert np.allclose(got["v2"][:, :2], np.array([[1, 3], [2, 4], [1, 3], [2, 4]]) * mV)


def test_called_from_python():
    import brian2

    ta = TimedArray(VALUES, dt=0.25 * ms)
    b2 = brian2.TimedArray(VALUES, dt=0.25 * brian2.ms)
    times = np.linspace(-1, 7, 97) * 1e-3
    assert ta(0.5 * ms) == VALUES[2]
    assert isinstance(ta(0.5 * ms), float)
    np.testing.assert_array_equal(ta(times), np.asarray(b2(times * brian2.second)))
    ta2 = TimedArray(np.arange(6.0).reshape(3, 2), dt=1 * ms)
    assert ta2(1.2 * ms, 1) == 3.0
    np.testing.assert_array_equal(ta2(2.5 * ms, np.array([0, 1, 2, -1])),
                                  [4.0, 5.0, np.nan, np.nan])


def test_column_outside_the_array_is_nan(backend):
    ta = TimedArray([[1.0, 2.0]], dt=1 * ms)  # noqa: F841 - used in model code
    G = NeuronGroup(4, "x = ta(t, i - 1) : 1")
    M = StateMonitor(G, "x", record=True)
    run(0.1 * ms)
    np.testing.assert_array_equal(M.x[:, 0], [np.nan, 1.0, 2.0, np.nan])


def test_new_values_do_not_recompile():
    snncore.set_backend("numba")
    tau = 1 * ms  # noqa: F841
    ta = TimedArray([1.0, 2.0, 3.0], dt=1 * ms)
    G = NeuronGroup(1, "dv/dt = (ta(t) - v)/tau : 1", threshold="v > ta(t)")
    snncore.store()
    run(3 * ms)
    first = G.v[0]
    compiled = numba_backend.compile_count()
    snncore.restore()
    ta.values = [2.0, 4.0, 6.0]
    run(3 * ms)
    assert G.v[0] == pytest.approx(2 * first, rel=1e-12)
    snncore.restore()
    ta = TimedArray([3.0, 6.0, 9.0, 12.0], dt=1 * ms)  # a new object under the same name
    run(3 * ms)
    assert G.v[0] == pytest.approx(3 * first, rel=1e-12)
    assert numba_backend.compile_count() == compiled


def test_unit_is_checked():
    ta = TimedArray([1.0, 2.0], dt=1 * ms, unit=mV)  # noqa: F841
    G = NeuronGroup(1, "dv/dt = ta(t)/ms : volt")
    run(0.1 * ms)
    snncore.start_scope()
    G = NeuronGroup(1, "dv/dt = ta(t)/ms : 1")  # noqa: F841 - run() finds it by name
    with pytest.raises(DimensionMismatchError, match=r"dv/dt has dimension 1/second"):
        run(0.1 * ms)


def test_without_unit_matches_any_dimension():
    ta = TimedArray([1.0, 2.0], dt=1 * ms)  # noqa: F841
    G = NeuronGroup(1, "dv/dt = ta(t)/ms : volt")
    run(1.5 * ms)
    assert G.v[0] == pytest.approx(1.0 + 0.5 * 2.0)


def test_errors():
    with pytest.raises(SnnError, match=r"positive duration"):
        TimedArray([1, 2], dt=-1 * ms)
    with pytest.raises(SnnError, match=r"1-D or 2-D"):
        TimedArray(np.zeros((2, 2, 2)), dt=1 * ms)
    with pytest.raises(SnnError, match=r"must be numbers"):
        TimedArray(["a", "b"], dt=1 * ms)
    ta = TimedArray([1.0, 2.0], dt=1 * ms)
    with pytest.raises(SnnError, match=r"new values must be too"):
        ta.values = [[1.0]]
    with pytest.raises(SnnError, match=r"call it as ta\(t\)"):
        ta(1 * ms, 0)
    G = NeuronGroup(1, "x = ta(t, i) : 1", threshold="x > 0")  # noqa: F841
    with pytest.raises(snncore.ModelSyntaxError, match=r"'ta' takes 1 argument"):
        run(0.1 * ms)
    snncore.start_scope()
    G = NeuronGroup(1, "x = ta : 1", threshold="x > 0")  # noqa: F841
    with pytest.raises(SnnError, match=r"'ta' .* is a TimedArray, a function: call it"):
        run(0.1 * ms)


def test_exact_refused_when_not_constant_over_a_step():
    ta = TimedArray(VALUES, dt=0.15 * ms)  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (ta(t) - v)/(2*ms) : 1", method="exact")  # noqa: F841
    with pytest.raises(IntegrationMethodError, match=r"ta\(t\) is not constant over a time "
                                                      r"step"):
        run(0.1 * ms)


def test_spike_times_follow_the_array(backend):
    """A neuron that spikes whenever the array holds 1: spikes at exactly those steps."""
    pattern = np.zeros(50)
    pattern[[3, 4, 17, 40]] = 1
    ta = TimedArray(pattern, dt=0.2 * ms)  # noqa: F841
    G = NeuronGroup(1, "", threshold="ta(t) > 0.5")
    M = SpikeMonitor(G)
    run(10 * ms)
    expected = np.concatenate([np.arange(k * 2, k * 2 + 2) for k in (3, 4, 17, 40)]) * 0.1 * ms
    np.testing.assert_allclose(M.t, expected, rtol=0, atol=1e-12)

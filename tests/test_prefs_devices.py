"""``prefs`` and the standalone-device calls of Brian 2, accepted and run in process."""

import numpy as np
import pytest

import snncore
from snncore import prefs
from snncore.backends import available_backends
from snncore.errors import PreferenceError, SnnError, UnsupportedFeatureError


@pytest.fixture(autouse=True)
def _default_prefs():
    yield
    backend = snncore.get_backend()
    prefs.reset_to_defaults()
    snncore.set_backend(backend)
    snncore.reset_device("runtime")


def test_prefs_know_every_brian2_preference():
    import brian2

    # ... and snncore's own section.
    assert set(prefs) == set(brian2.prefs) | {"snncore.nonfinite", "snncore.threads"}


def test_codegen_target_chooses_the_backend():
    prefs.codegen.target = "numpy"
    assert snncore.get_backend() == "numpy" and prefs["codegen.target"] == "numpy"
    for target in ("cython", "auto", "numba"):
        prefs["codegen.target"] = target
        expected = "numba" if "numba" in available_backends() else "numpy"
        assert snncore.get_backend() == expected and prefs.codegen.target == target
    prefs.codegen["target"] = "numpy"
    assert snncore.get_backend() == "numpy"
    with pytest.raises(PreferenceError, match="cannot be 'weave'; choose 'numpy'"):
        prefs.codegen.target = "weave"


def test_meaningless_prefs_are_accepted_and_kept():
    prefs.core.default_float_dtype = np.float32
    prefs.codegen.loop_invariant_optimisations = False
    prefs.logging.std_redirection = False
    prefs.devices.cpp_standalone.openmp_threads = 4
    prefs.codegen.cpp.extra_compile_args_gcc = ["-O1"]
    assert prefs.core.default_float_dtype is np.float32
    assert prefs["devices.cpp_standalone.openmp_threads"] == 4
    with pytest.raises(PreferenceError, match="float32 or float64"):
        prefs.core.default_float_dtype = np.int8


@pytest.mark.parametrize("use, match", [
    (lambda: setattr(prefs.codegen, "targt", "numpy"),
     r"unknown preference 'prefs.codegen.targt'; did you mean 'codegen.target'"),
    (lambda: prefs.core.default_float_type,
     r"'prefs.core.default_float_type'; did you mean 'core.default_float_dtype'"),
    (lambda: prefs.__setitem__("codegen", "numpy"), r"'prefs.codegen' is a section"),
    (lambda: setattr(prefs.core.network, "default_schedule", ["start", "groups"]),
     r"prefs.core.network.default_schedule cannot be changed in snncore"),
])
def test_unknown_prefs_name_the_key_and_the_nearest(use, match):
    with pytest.raises(PreferenceError, match=match):
        use()


def test_restore_initial_state_resets_prefs_and_dt():
    prefs.codegen.loop_invariant_optimisations = False
    snncore.defaultclock.dt = 0.05 * snncore.ms
    snncore.restore_initial_state()
    assert prefs.codegen.loop_invariant_optimisations is True
    assert snncore.defaultclock.dt == pytest.approx(1e-4)


def _decay(lib):
    lib.start_scope()
    tau = 10 * lib.ms  # noqa: F841 (found by run())
    group = lib.NeuronGroup(2, "dv/dt = -v/tau : 1", method="exact")
    group.v = [1, 0.5]
    mon = lib.StateMonitor(group, "v", record=True)
    lib.run(5 * lib.ms)
    return mon


def test_standalone_script_runs_in_process_with_brian2_results(backend):
    from snncore import device, get_device, set_device

    set_device("cpp_standalone", build_on_run=False, directory=None, debug=True)
    assert get_device().name == "cpp_standalone" and device.build_on_run is False
    mon = _decay(snncore)
    assert mon.v.shape == (2, 0)  # as in Brian 2, run() waits for the build
    device.build(directory="out", compile=True, run=True, debug=False)
    v = np.asarray(mon.v)
    device.activate(build_on_run=True)
    device.delete(force=True)
    device.reinit()
    snncore.reset_device()
    assert get_device().name == "runtime"
    expected = np.array([[1.0], [0.5]]) * np.exp(-np.arange(50) * 1e-4 / 1e-2)
    np.testing.assert_allclose(v, expected, rtol=1e-12)


def test_what_only_a_compiled_program_does_is_a_clear_error():
    from snncore import device, set_device

    set_device("cpp_standalone", build_on_run=False)
    with pytest.raises(SnnError, match=r"run_args=\.\.\.\) needs run\(\) calls recorded"):
        device.run(run_args={"tau": 1})
    with pytest.raises(UnsupportedFeatureError, match="insert_code"):
        device.insert_code("main", "int x;")
    with pytest.raises(SnnError, match="unknown device 'cuda_standalone'"):
        set_device("cuda_standalone")


def test_brian_logger_calls_are_accepted():
    import logging

    from snncore import BrianLogger, get_logger, std_silent

    BrianLogger.log_level_debug()
    assert logging.getLogger("snncore").level == logging.DEBUG
    BrianLogger.log_level_warn()
    BrianLogger.suppress_hierarchy("brian2.codegen")
    get_logger(__name__).warn("a warning through Brian 2's logger API")
    with std_silent():
        pass
    logging.getLogger("snncore").setLevel(logging.NOTSET)


def test_standalone_runs_again_with_run_args(backend):
    """build_on_run=False: run() is recorded, device.run(run_args=...) simulates it from
    the initial state with new values (analytic decay for each tau)."""
    from snncore import NeuronGroup, StateMonitor, device, ms, reset_device, run, set_device

    set_device("cpp_standalone", build_on_run=False)
    try:
        G = NeuronGroup(2, """dv/dt = -v/tau : 1
                              tau : second (constant)""", method="exact")
        G.v = [1.0, 2.0]
        G.tau = 10 * ms
        M = StateMonitor(G, "v", record=True)
        run(5 * ms)
        assert M.t.size == 0  # nothing simulated before the build
        device.build(run=False)
        for tau in (2 * ms, 8 * ms, 2 * ms):
            device.run(run_args={G.tau: tau})
            expected = np.array([[1.0], [2.0]]) * np.exp(-np.arange(50) * 0.1 * ms / tau)
            np.testing.assert_allclose(M.v, expected, rtol=1e-12)
            np.testing.assert_allclose(M.t, np.arange(50) * 0.1 * ms, atol=1e-15)
        with pytest.raises(SnnError, match=r"keys of run_args must be variables"):
            device.run(run_args={"tau": 1 * ms})
    finally:
        reset_device()


def test_device_module_active_device_makes_a_device_current():
    from snncore import get_device, reset_device
    from snncore.devices import all_devices, device_module

    device_module.active_device = all_devices["cpp_standalone"]
    try:
        assert get_device() is all_devices["cpp_standalone"]
        assert device_module.active_device is get_device()
    finally:
        reset_device("runtime")
    assert get_device().name == "runtime"


def test_recorded_runs_continue_and_keep_the_constants_of_their_time(backend):
    """Brian 2's simple_case_build: two run() calls recorded, a constant changed between
    them, then one build; the second run continues the first with the new value."""
    from snncore import NeuronGroup, StateMonitor, device, ms, reset_device, run, set_device

    set_device("cpp_standalone", build_on_run=False)
    try:
        namespace = {"I": 1.0}
        G = NeuronGroup(1, "dv/dt = (I - v)/(10*ms) : 1", method="exact")
        M = StateMonitor(G, "v", record=0)
        run(2 * ms, namespace=namespace)
        namespace["I"] = 0.0
        run(3 * ms, namespace=namespace)
        device.build()
    finally:
        reset_device()
    rise = 1 - np.exp(-np.arange(21) * 0.1 / 10)
    expected = np.concatenate([rise[:20], rise[20] * np.exp(-np.arange(30) * 0.1 / 10)])
    np.testing.assert_allclose(M.v[0], expected, rtol=1e-12)


class _PoolSimulation:
    """Brian 2's example standalone/standalone_multiple_processes.py, small: a network
    run and built once (build(run=False)), then device.run() with new values in a
    process pool, to which this object is sent pickled."""

    def __init__(self):
        from snncore import Network, NeuronGroup, StateMonitor, get_device, ms

        self.net = Network()
        G = NeuronGroup(1, """dv/dt = -v/tau : 1
                              tau : second (constant)""", method="exact", name="neuron")
        G.v = 1
        self.net.add(G, StateMonitor(G, "v", record=True, name="trace"))
        self.net.run(2 * ms)
        self.device = get_device()
        self.device.build(run=False, directory=None)

    def do_run(self, tau: float) -> float:
        from snncore.devices import device_module

        device_module.active_device = self.device
        self.device.run(run_args={self.net["neuron"].tau: tau})
        return float(self.net["trace"].v[0, -1])


def test_standalone_device_runs_in_a_process_pool():
    """The recorded run keeps no modules of the caller's namespace, so the device and its
    network can be pickled; build(run=False) prepares the kernels without simulating."""
    import multiprocessing

    from snncore import ms, reset_device, set_device

    set_device("cpp_standalone", build_on_run=False)
    try:
        sim = _PoolSimulation()
        assert sim.net["trace"].t.size == 0
        taus = [2 * ms, 5 * ms]
        with multiprocessing.get_context("fork").Pool(2) as pool:
            values = pool.map(sim.do_run, taus)
        expected = [np.exp(-1.9 * ms / tau) for tau in taus]
        np.testing.assert_allclose(values, expected, rtol=1e-12)
        np.testing.assert_allclose(sim.do_run(taus[1]), expected[1], rtol=1e-12)
    finally:
        reset_device()

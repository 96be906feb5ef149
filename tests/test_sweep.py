"""Parameter sweeps on dask.distributed (snncore.sweep).

One local cluster of 2 worker processes serves most tests; results must be identical in
this process, on 1 worker, on 2 workers, on a re-run and after a worker is killed. The
Ctrl-C test runs a sweep that starts its own cluster, in a subprocess started with the
module so that its start-up overlaps the other tests.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import psutil
import pytest
import xarray as xr
from sweep_models import Unshippable, flaky, noisy, relaxing, wordy

import snncore
from snncore import ms, sweep
from snncore.errors import SnnError, SweepError
from snncore.sweep import _batch_size, _fork_safe, _local_client, _model_string_constants, _Progress

GRID = {"tau": [5 * ms, 10 * ms], "I": [0.5, 1.0, 2.0]}


@pytest.fixture(scope="module")
def client(snncore_cache_dir):
    """A cluster as the sweep's own (forked workers, no profiler), shared by the tests."""
    import numba

    # Forked from a process that has used Numba, as a notebook's that ran its model
    # before a sweep: the workers inherit Numba's initialised compiler (about a second of
    # CPU each), and the compile-count test's kernels are still new to them.
    numba.njit(lambda: 0)()
    with _local_client(2, env={"SNNCORE_CACHE_DIR": str(snncore_cache_dir)}) as dask_client:
        yield dask_client


@pytest.fixture
def numpy_backend():
    snncore.set_backend("numpy")


@pytest.fixture(scope="module")
def reference():
    """The grid run in this process, numpy backend."""
    backend = snncore.get_backend()
    snncore.set_backend("numpy")
    try:
        return sweep(noisy, GRID, seed=7, scheduler="synchronous", progress=False)
    finally:
        snncore.set_backend(backend)


# ---- results and determinism ------------------------------------------------------------


def test_dataset_is_labelled_by_parameter_values(reference):
    assert reference["vmean"].dims == ("tau", "I")
    assert reference["trace"].dims == ("tau", "I", "trace_dim_0")
    assert reference["trace"].shape == (2, 3, 5)
    np.testing.assert_array_equal(reference["I"], [0.5, 1.0, 2.0])
    assert reference.attrs["seed"] == 7 and reference.attrs["model"] == "noisy"
    # A higher drive gives a higher mean potential (0.1 noise, 10 ms towards I).
    assert np.all(np.diff(reference["vmean"].values, axis=1) > 0)
    # Every point has its own stream: no two traces alike.
    traces = reference["trace"].values.reshape(6, -1)
    assert len({tuple(t) for t in traces}) == 6


def test_a_point_repeats_by_hand_from_its_run_seed(reference, numpy_backend):
    point = reference.sel(tau=10 * ms, I=1.0)
    snncore.seed(int(point["run_seed"]))
    assert noisy(tau=10 * ms, I=1.0)["vmean"] == float(point["vmean"])


def test_same_results_in_process_on_two_workers_and_on_a_rerun(client, reference,
                                                                numpy_backend):
    first = sweep(noisy, GRID, seed=7, client=client, progress=False)
    again = sweep(noisy, GRID, seed=7, client=client, progress=False, batch_size=1)
    assert first.attrs["workers"] == 2
    assert first.equals(reference) and again.equals(reference)
    other = sweep(noisy, GRID, seed=8, client=client, progress=False)
    assert not other["vmean"].equals(reference["vmean"])


def test_same_results_on_its_own_cluster_of_one_worker(reference, numpy_backend):
    """The default: a local cluster started and closed by the sweep, its first point run
    here before the cluster starts, more while it starts, the others on the worker
    (slow points: some are left for it)."""
    one = sweep(functools.partial(noisy, pause=0.5), GRID, seed=7, workers=1,
                progress=False)
    here = one.attrs["points_here"]
    assert one.attrs["workers"] == 1 and 1 <= here < 6
    assert one.attrs["points_per_worker"] == [6 - here]
    assert one.equals(reference)


def test_repeated_points_get_a_seed_dimension(numpy_backend):
    ds = sweep(noisy, {"tau": [5 * ms], "I": [1.0]}, seeds=3, seed=1,
               scheduler="synchronous", progress=False)
    assert ds["vmean"].dims == ("tau", "I", "seed")
    assert len(set(ds["vmean"].values.ravel())) == 3
    labelled = sweep(noisy, {"tau": [5 * ms], "I": [1.0]}, seeds=[0, 2], seed=1,
                     scheduler="synchronous", progress=False)
    # A label's runs do not depend on the other labels.
    assert labelled["vmean"].sel(seed=2).item() == ds["vmean"].sel(seed=2).item()


def test_explicit_points_and_tuple_outputs(numpy_backend):
    def model(a, b):
        return a + b, np.array([a, b])

    ds = sweep(model, [{"a": 1, "b": 2.0}, {"a": 3, "b": 0.5}], seed=0,
               scheduler="synchronous", progress=False)
    assert ds["model_0"].dims == ("point",)
    np.testing.assert_array_equal(ds["model_0"], [3.0, 3.5])
    np.testing.assert_array_equal(ds["a"], [1, 3])
    np.testing.assert_array_equal(ds["model_1"].values, [[1, 2], [3, 0.5]])


def test_in_process_mode_leaves_the_callers_state(numpy_backend):
    snncore.seed(3)
    expected = np.random.rand()  # noqa: NPY002 - the stream Brian 2 scripts use
    snncore.seed(3)
    snncore.defaultclock.dt = 0.05 * ms
    sweep(noisy, GRID, seed=7, scheduler="synchronous", progress=False)
    assert np.random.rand() == expected  # noqa: NPY002
    assert snncore.defaultclock.dt == 0.05 * ms


def test_workers_run_with_the_callers_dt(client, numpy_backend):
    snncore.defaultclock.dt = 0.05 * ms

    def steps(x):
        return snncore.defaultclock.dt

    ds = sweep(steps, {"x": [1, 2, 3]}, client=client, progress=False)
    np.testing.assert_array_equal(ds["steps"], 0.05 * ms)


def test_netcdf_round_trip(tmp_path):
    ds = sweep(flaky, {"U": [0.1, 0.3, 0.5]}, seed=2, errors="collect",
               scheduler="synchronous", progress=False)
    ds.to_netcdf(tmp_path / "sweep.nc")
    with xr.open_dataset(tmp_path / "sweep.nc") as back:
        back = back.load()
    assert back.equals(ds) and back["failed"].dtype == bool
    assert back["error"].sel(U=0.3) == "ValueError: no fixed point"
    assert back.attrs["seed"] == 2 and back.attrs["model"] == "flaky"


def test_notebook_constants_named_only_in_model_strings_travel_with_the_model():
    """A notebook's model calls a helper that builds the network: the constants that
    only the helper's model strings name are sent to the workers with the model."""
    namespace = {"__name__": "__main__", "tau": 5 * ms, "theta": 2.0, "unused": 1.0,
                 "flag": True, "label": "v > theta"}
    notebook = textwrap.dedent("""
        def build(n):
            return ('dv/dt = -v/tau : 1', label, flag, n)

        def model(x):
            return build(x)
    """)
    exec(notebook, namespace)  # noqa: S102 - a stand-in for a notebook's cells
    assert _model_string_constants(namespace["model"]) == {"tau": 5 * ms, "theta": 2.0}
    assert _model_string_constants(noisy) == {}  # importable by the workers: nothing sent


def test_batches_shrink_and_are_long_enough():
    assert _batch_size(196, 2, None) == 1  # no point timed yet
    # Fast points (15 ms): a quarter of what is left (2 tasks in flight on each of 2
    # threads), down to 0.05 s; points that take no time all in one task.
    assert _batch_size(196, 2, 0.015) == 49
    assert _batch_size(10, 2, 0.015) == 4
    assert _batch_size(2, 2, 0.015) == 2
    assert _batch_size(196, 2, 1e-5) == 196
    # Slow points (0.3 s): at most 2 s a task.
    assert _batch_size(416, 2, 0.3) == 6
    assert _batch_size(10, 2, 2.0) == 1


# ---- compilation ------------------------------------------------------------------------


def test_a_model_structure_compiles_once_per_worker_process(client):
    snncore.set_backend("numba")
    # Compiled here into the kernel cache the workers share (one compile, not one per
    # worker): each worker process still imports the kernels at its first point.
    relaxing(2 * ms)
    ds = sweep(relaxing, {"tau_r": np.linspace(2, 10, 8) * ms}, seed=3, client=client,
               progress=False, batch_size=1)
    assert np.all(ds["relaxing"] > 0.5)
    # Each worker (forked before the model ran here) imports the model's kernels at its
    # first point (from the disk cache), none after, and compiles none.
    assert ds.attrs["workers"] == 2 and sum(ds.attrs["points_per_worker"]) == 8
    first, second = ds.attrs["kernels_loaded_per_worker"]
    assert first == second > 0
    assert ds.attrs["kernels_compiled_per_worker"] == [0, 0]
    assert ds.attrs["kernels_after_first_point"] == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux")
@pytest.mark.parametrize(("layer", "forks"), [("omp", False), ("tbb", True),
                                              ("workqueue", True)])
def test_workers_are_not_forked_from_a_process_running_gnu_openmp(monkeypatch, layer,
                                                                  forks):
    """A parallel kernel in a child forked from a process whose Numba runs GNU OpenMP
    threads stops the child: such a process spawns its workers (tried by hand: forked,
    the workers die at their first parallel kernel; spawned, the sweep completes)."""
    import numba.np.ufunc.parallel as parallel

    assert _fork_safe() or parallel._is_initialized
    monkeypatch.setattr(parallel, "_is_initialized", True)
    monkeypatch.setattr(parallel, "_threading_layer", layer)
    assert _fork_safe() is forks


# ---- faults -----------------------------------------------------------------------------


def test_a_model_error_names_the_point_and_the_exception(client):
    with pytest.raises(SweepError, match=r"the model raised at U=0\.3: ValueError: no "
                                         r"fixed point") as info:
        sweep(flaky, {"U": [0.1, 0.3, 0.5]}, scheduler="synchronous", progress=False)
    assert info.value.params == {"U": 0.3}
    assert isinstance(info.value.__cause__, ValueError)
    assert "flaky" in info.value.__notes__[0]  # the model's traceback
    with pytest.raises(SweepError, match=r"U=0\.3, seed label 1: ValueError"):
        sweep(flaky, {"U": [0.3]}, seeds=[1], client=client, progress=False)


def test_collected_errors_mark_the_point_and_keep_the_others(client):
    ds = sweep(flaky, {"U": [0.1, 0.2, 0.3, 0.5]}, client=client, errors="collect",
               progress=False)
    np.testing.assert_array_equal(ds["failed"], [False, False, True, False])
    np.testing.assert_array_equal(ds["flaky"], [0.2, 0.4, np.nan, 1.0])
    assert ds["error"].sel(U=0.3) == "ValueError: no fixed point"
    assert ds["error"].sel(U=0.1) == ""


@pytest.mark.parametrize("where", ["synchronous", "cluster"])
def test_non_numbers_stop_the_sweep_at_the_first_point(client, where):
    calls = []
    place = {"scheduler": "synchronous"} if where == "synchronous" else {"client": client}
    # On the cluster, one point per worker runs first: whichever returns first is checked.
    with pytest.raises(SnnError, match=r"the model returned str 'U is 0\.[12]' as 'wordy'; a "
                                       r"sweep needs numbers .* \(at U=0\.[12]\)"):
        sweep(wordy, {"U": [0.1, 0.2, 0.3]}, progress=lambda done, total: calls.append(done),
              **place)
    assert calls == []  # nothing after the first point


def test_a_model_the_workers_cannot_load_is_an_error(client):
    with pytest.raises(SnnError, match=r"a task of the sweep failed on the dask workers "
                                       r"\(are snncore and the model's module installed "
                                       r"there\?\): ModuleNotFoundError: No module named "
                                       "'lab_only'"):
        sweep(Unshippable(), {"U": [0.1, 0.2]}, client=client, progress=False)


def test_outputs_of_changing_shape_are_an_error():
    def model(n):
        return np.zeros(n)

    with pytest.raises(SnnError, match=r"'model' has the shape \(3,\) at n=3 but \(2,\) at "
                                       "n=2"):
        sweep(model, {"n": [2, 3]}, scheduler="synchronous", progress=False)


def test_a_killed_worker_has_its_points_rerun_elsewhere(client, reference, numpy_backend):
    """Runs last of the cluster tests: the cluster restarts the killed worker after."""
    pids = client.run(os.getpid)
    victim = next(iter(pids.values()))
    killed = []

    def kill_one(done, total):
        if done == 2 and not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    ds = sweep(functools.partial(noisy, pause=0.4), GRID, seed=7, client=client,
               batch_size=1, progress=kill_one)
    assert killed and ds.equals(reference)
    client.wait_for_workers(2, timeout=120)


INTERRUPTED = textwrap.dedent("""
    import os, sys, time
    import psutil
    import snncore
    from snncore import ms

    tau = 10*ms

    def model(I):
        snncore.start_scope()
        G = snncore.NeuronGroup(2, "dv/dt = (I - v)/tau : 1")
        snncore.run(5*ms)
        time.sleep(0.5)
        return float(G.v[0])

    printed = []

    def started(done, total):
        # Points run here until the cluster has started, then on the workers.
        children = psutil.Process().children(recursive=True)
        if done >= 3 and len(children) >= 2 and not printed:
            print("PIDS", *[p.pid for p in children], flush=True)
            printed.append(done)

    if __name__ == "__main__":
        snncore.set_backend("numpy")
        snncore.sweep(model, {"I": list(range(1, 2000))}, workers=2, progress=started)
""")


@pytest.fixture(scope="module", autouse=True)
def interrupted_sweep(tmp_path_factory, snncore_cache_dir):
    """A script running a sweep on its own local cluster, started with the module (its
    start-up overlaps the other tests); the Ctrl-C test interrupts it. The model, defined
    in __main__, names a notebook constant only in its model string."""
    script = tmp_path_factory.mktemp("interrupted") / "interrupted.py"
    script.write_text(INTERRUPTED)
    env = dict(os.environ, SNNCORE_CACHE_DIR=str(snncore_cache_dir),
               PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def test_ctrl_c_shuts_the_cluster_down(interrupted_sweep):
    """Ctrl-C in a terminal (SIGINT to the process group) stops the sweep and every worker
    process; the workers are running before the interrupt."""
    proc = interrupted_sweep
    line = proc.stdout.readline()
    assert line.startswith("PIDS"), proc.stderr.read()[-3000:]
    workers = [int(p) for p in line.split()[1:]]
    assert len(workers) >= 2
    assert proc.poll() is None  # still sweeping
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.2)
    assert alive == []


# ---- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(("grid", "message"), [
    ({}, "the grid has no points: it names no parameters"),
    ({"tau": []}, "the grid has no points: 'tau' has no values"),
    ([], "the grid has no points: the list of points is empty"),
    ({"tau": 5 * ms}, "the grid's values of 'tau' must be a list or 1-D array, got 0.005"),
    ({"tau": [1, 2, 1]}, r"the grid's values of 'tau' repeat: \[1\]"),
    ({"tau": [None]}, "must be numbers or strings"),
    ([{"tau": 1}, {"I": 2}], r"point 1 of the grid names the parameters \['I'\], point 0 "
                             r"names \['tau'\]"),
    ("tau", "the grid must be a dict of parameter values or a list of points"),
])
def test_bad_grids(grid, message):
    with pytest.raises(SnnError, match=message):
        sweep(noisy, grid, scheduler="synchronous")


def test_parameters_the_model_does_not_take_or_needs():
    with pytest.raises(SnnError, match=r"the model noisy\(\) takes no parameter 'taus'; its "
                                       "parameters are tau, I, pause"):
        sweep(noisy, {"taus": [1.0], "I": [1.0]}, scheduler="synchronous")
    with pytest.raises(SnnError, match=r"the grid gives no value of 'I', which the model "
                                       r"noisy\(\) needs"):
        sweep(noisy, {"tau": [1.0]}, scheduler="synchronous")
    with pytest.raises(SnnError, match="the model's output 'U' has the name of a parameter"):
        sweep(lambda U: {"U": U}, {"U": [1.0]}, scheduler="synchronous")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"errors": "ignore"}, "errors must be 'raise' or 'collect', got 'ignore'"),
    ({"seeds": 0}, "seeds must be at least 1 run per point, got 0"),
    ({"seeds": [1, 1]}, r"the seed labels repeat: \[1, 1\]"),
    ({"seed": -1}, r"the sweep's seed must be an integer from 0 to 2\*\*31 - 1, got -1"),
    ({"progress": "loud"}, "progress must be 'bar', 'text', True, False or a function"),
    ({"workers": 2, "scheduler": "synchronous"}, "workers= sets the size of the local "
                                                 "cluster a sweep starts"),
    ({"workers": 0}, "workers must be a positive integer, got 0"),
    ({"scheduler": "localhost"}, "the scheduler address 'localhost' is not an address such "
                                 "as 'tcp://host:8786'"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(SnnError, match=message):
        sweep(flaky, {"U": [0.1]}, **kwargs)


def test_unreachable_scheduler_before_any_point_runs(monkeypatch):
    calls = []
    with pytest.raises(SnnError, match=r"cannot reach the dask scheduler at "
                                       r"tcp://127\.0\.0\.1:9 within 1 s"):
        sweep(lambda U: calls.append(U) or U, {"U": [0.1]}, scheduler="tcp://127.0.0.1:9",
              connect_timeout=1)
    monkeypatch.setenv("SNNCORE_SCHEDULER", "tcp://127.0.0.1:9")
    with pytest.raises(SnnError, match=r"at tcp://127\.0\.0\.1:9 \(from \$SNNCORE_SCHEDULER\)"):
        sweep(lambda U: calls.append(U) or U, {"U": [0.1]}, connect_timeout=1)
    assert calls == []


# ---- progress ---------------------------------------------------------------------------


def test_text_progress_counts_points_done_and_left(capsys, numpy_backend):
    sweep(flaky, {"U": [0.1, 0.2]}, scheduler="synchronous", progress="text")
    assert "sweep: 2 of 2 points done, 0 left" in capsys.readouterr().err


def test_progress_bar_in_jupyter():
    bar = _Progress("bar", 200)
    bar.update(37)
    assert bar.bar.value == 37 and bar.bar.max == 200
    assert bar.label.value.startswith("37 of 200 points done, 163 left")

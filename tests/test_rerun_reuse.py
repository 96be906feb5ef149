"""What a re-run from a stored network reuses (a slider's re-run, as in the Brunel-Hakim
page): the synapses' connections are not copied back when they are the stored ones,
and a re-run with a new parameter value compiles and loads nothing."""

from __future__ import annotations

import numpy as np
import pytest

import snncore
from snncore import ms
from snncore.backends.numba_backend import compile_count, loaded_count
from snncore.errors import SnnError


def _network(seed: int = 3, on_pre: str = "v += w"):
    snncore.seed(seed)
    group = snncore.NeuronGroup(40, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1",
                                reset="v = 0", refractory=2 * ms, name="g")
    group.v = "rand()"
    conn = snncore.Synapses(group, group, "w : 1", on_pre=on_pre, delay=1 * ms,
                            name="s")
    conn.connect(p=0.3)
    conn.w = "0.05*rand()"
    spikes = snncore.SpikeMonitor(group, name="m")
    net = snncore.Network(group, conn, spikes)
    net.store()
    return net, group, conn, spikes


def test_restore_keeps_the_stored_connections_without_copying_them(backend):
    net, _group, conn, _spikes = _network()
    pre, post = conn.i[:].copy(), conn.j[:].copy()
    snapshot = net._stored["default"]["objects"][id(conn)]
    # The snapshot's copies are not read back (the connections are the same):
    # scrambling them changes nothing, while the weights do come back.
    snapshot["_synaptic_pre"][:] = 0
    snapshot["_synaptic_post"][:] = 0
    conn.w = 1.0
    net.restore()
    np.testing.assert_array_equal(conn.i[:], pre)
    np.testing.assert_array_equal(conn.j[:], post)
    assert np.all(conn.w[:] < 0.05)
    conn.connect(i=0, j=1)  # new connections: the snapshot no longer fits
    with pytest.raises(SnnError, match="gained synapses after store"):
        net.restore()


def test_restore_from_a_file_copies_other_connections(backend, tmp_path):
    path = str(tmp_path / "net.pkl")
    net, _group, conn, _spikes = _network(seed=3)
    net.store("a", filename=path)
    stored = len(conn), conn.i[:].copy(), conn.j[:].copy()
    snncore.start_scope()
    # Another network of the same objects (names), connected with another seed to the
    # same number of synapses: restoring must bring the stored connections back.
    for seed in range(4, 400):
        net2, _g, conn2, _s = _network(seed=seed)
        if len(conn2) == stored[0] and not np.array_equal(conn2.i[:], stored[1]):
            break
        snncore.start_scope()
    else:
        pytest.fail("no seed gave the same number of synapses")
    net2.restore("a", filename=path)
    np.testing.assert_array_equal(conn2.i[:], stored[1])
    np.testing.assert_array_equal(conn2.j[:], stored[2])


def test_a_rerun_with_a_new_parameter_compiles_and_loads_nothing():
    snncore.set_backend("numba")
    # The weights scaled by a constant of the run's namespace.
    net, _group, _conn, spikes = _network(on_pre="v += w*scale")
    net.run(5 * ms, namespace={"scale": 1.0})
    counts = []
    for scale in (0.5, 2.0):
        net.restore(restore_random_state=True)
        before = compile_count(), loaded_count()
        net.run(5 * ms, namespace={"scale": scale})
        counts.append((compile_count() - before[0], loaded_count() - before[1]))
        assert spikes.num_spikes > 0
    assert counts == [(0, 0), (0, 0)]


def test_a_rebuilt_network_reuses_its_kernels_without_generating_them(backend, monkeypatch):
    from snncore.backends import numba_backend, numpy_backend, threads

    generated = []
    for module in (numba_backend, numpy_backend):
        original = module.kernel_source
        monkeypatch.setattr(module, "kernel_source", lambda spec, flavor, f=original:
                            generated.append(spec.mode) or f(spec, flavor))

    def build_and_run():
        snncore.start_scope()
        net, _group, _conn, spikes = _network()
        net.run(3 * ms)
        return spikes.num_spikes

    first = build_and_run()
    assert generated  # the first network's kernels
    generated.clear()
    assert build_and_run() == first
    assert generated == []  # the same model again: nothing generated
    # What decides threads is part of what a kernel is: a new threshold, new kernels.
    monkeypatch.setattr(threads, "MIN_WORK", 0.0)
    assert build_and_run() == first
    assert generated

"""The fused loop calls its kernels' own compiled code (snncore.backends.loop_compiler):
kernels are not compiled into the loop again, and a cached loop finds them in a later
process, whatever names Numba gives them there."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from snncore import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    fusion,
    ms,
    set_backend,
    start_scope,
)
from snncore.backends import loop_compiler, numba_backend


@pytest.fixture
def loops(monkeypatch):
    """The fused loops built in this test."""
    set_backend("numba")
    start_scope()
    built = []
    original = fusion.FusedLoop.compile

    def compile(self):
        original(self)
        built.append(self)

    monkeypatch.setattr(fusion.FusedLoop, "compile", compile)
    return built


def _network(tau):
    G = NeuronGroup(3, "dv/dt = (1.5 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                    method="exact", namespace={"tau": tau})
    S = Synapses(G, G, "w : 1", on_pre="v += w")
    S.connect(i=[0, 1], j=[1, 2])
    S.w = 0.3
    M = SpikeMonitor(G)
    return Network(G, S, M), M


def test_kernels_are_called_not_compiled_into_the_loop(loops):
    net, M = _network(10 * ms)
    net.run(50 * ms)
    assert M.num_spikes > 0
    (loop,) = loops
    assert "_packed('_snncore_kernel_" in loop.source()
    (result,) = loop._loop.overloads.values()
    ir = result.library.get_llvm_str()
    kernels = [module for name, module in list(sys.modules.items())
               if name.startswith("_snncore_kernel_") and name in loop.source()]
    assert kernels
    for module in kernels:
        # (Other tests may have compiled the kernel for other argument types too.)
        names = [compiled.fndesc.mangled_name for compiled in module.kernel.overloads.values()]
        assert any(f'declare i32 @"{name}"' in ir or f"declare i32 @{name}" in ir
                   for name in names), names
        for name in names:
            assert f'define i32 @"{name}"' not in ir and f"define i32 @{name}(" not in ir


def test_kernels_take_only_the_arguments_they_use(loops):
    net, M = _network(10 * ms)
    net.run(5 * ms)
    (loop,) = loops
    kernels = [module.kernel for name, module in list(sys.modules.items())
               if name.startswith("_snncore_kernel_") and name in loop.source()]
    params = {tuple(k.py_func.__code__.co_varnames[:k.py_func.__code__.co_argcount])
              for k in kernels}
    # The reset sets v, the synapses add w to v: nothing else reaches them (no N, dt,
    # random stream or, for the reset of the spiking neurons, no CSR pointers).
    assert ("_n", "_indices", "_a_v") in params
    assert ("_n", "_indices", "_ptr", "_a_post_a_v", "_a_w", "_synaptic_post") in params
    for names in params:
        assert not {"N", "dt", "_rng"} & set(names), names


def test_state_arrays_reach_kernels_as_pointers(loops):
    net, M = _network(10 * ms)
    net.run(20 * ms)
    (loop,) = loops
    # v and w (float64) and the synapses' postsynaptic indices (int32): only indexed,
    # their addresses are words of the loop; so are the spikes the synapses receive.
    source = loop.source()
    assert "float64*" in source and "int32*" in source
    assert not any(isinstance(value, np.ndarray) and value.dtype == np.float64
                   for value in loop.values.values())
    assert "if _n0:\n" in source and "_indices" not in source  # no slice of the spikes


def test_kernel_constants_are_words_of_the_loop(loops):
    tau = 10 * ms / 3  # no short decimal: its bits must reach the kernel unchanged
    net, M = _network(tau)
    net.run(20 * ms)
    (loop,) = loops
    assert not [name for name in loop.values if name.startswith("a_")]  # no arguments
    words = loop._packed.view(np.float64)
    assert tau in words.tolist()
    start_scope()
    G = NeuronGroup(1, "dv/dt = (1.5 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                    method="exact", namespace={"tau": tau})
    Mn = SpikeMonitor(G)
    set_backend("numpy")
    Network(G, Mn).run(20 * ms)
    set_backend("numba")
    assert M.t[M.i == 0].tolist()[:1] == Mn.t[:].tolist()[:1]


def test_the_packed_layout_reads_each_kind_of_word():
    assert loop_compiler._layout("f0 x int64*3 i12 float64*4") == [
        ("f", 0), ("x", -1), ("int64*", 3), ("i", 12), ("float64*", 4)]


def test_only_arguments_read_by_one_index_are_pointable():
    source = textwrap.dedent("""
        def kernel(_n, _indices, a, b, c, d):
            for _k in range(_n):
                i = _indices[_k]
                a[i] = b[i] + c.shape[0] + d[i, 0]
            return _indices[0:2].size
    """)
    assert numba_backend._indexed(source) == {"a", "b"}


def test_the_loop_has_a_code_generator_of_its_own(loops):
    net, M = _network(10 * ms)
    net.run(5 * ms)
    (loop,) = loops
    (result,) = loop._loop.overloads.values()
    glue = loop_compiler._glue_codegen()
    assert result.library.codegen is glue
    kernel = next(module.kernel for name, module in list(sys.modules.items())
                  if name.startswith("_snncore_kernel_") and name in loop.source())
    # (other tests in the process may have compiled the same source for other types)
    assert kernel.overloads
    for compiled in kernel.overloads.values():
        assert compiled.library.codegen is not glue  # kernels are optimised as Numba does


def test_a_new_parameter_value_compiles_nothing(loops):
    net, M = _network(10 * ms)
    net.run(50 * ms)
    before, first = numba_backend.compile_count(), M.num_spikes
    start_scope()
    net, M = _network(20 * ms)
    net.run(50 * ms)
    assert numba_backend.compile_count() == before
    assert 0 < M.num_spikes < first


CHILD = textwrap.dedent("""
    import sys
    from snncore import *
    from snncore.backends.numba_backend import compile_count
    set_backend('numba')
    if sys.argv[1] == 'other first':
        # Other functions compiled first: Numba's names of the kernels differ from
        # those the cached loop was compiled against.
        start_scope()
        H = NeuronGroup(5, 'dx/dt = -x/(3*ms) + 1/ms : 1', threshold='x > 2',
                        reset='x = 0', method='euler')
        run(1*ms)
    start_scope()
    tau = 10*ms
    G = NeuronGroup(3, 'dv/dt = (1.5 - v)/tau : 1', threshold='v > 1', reset='v = 0',
                    method='exact')
    S = Synapses(G, G, 'w : 1', on_pre='v += w')
    S.connect(i=[0, 1], j=[1, 2])
    S.w = 0.3
    M = SpikeMonitor(G)
    before = compile_count()
    run(50*ms)
    print(compile_count() - before, M.i[:].tolist(), M.t[:].tolist())
""")


def test_a_cached_loop_finds_its_kernels_in_a_later_process(tmp_path):
    env = dict(os.environ, SNNCORE_CACHE_DIR=str(tmp_path))

    def child(order):
        out = subprocess.run([sys.executable, "-c", CHILD, order], env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]  # a missing symbol crashes
        compiled, result = out.stdout.split(" ", 1)
        return int(compiled), result

    first = child("alone")
    assert first[0] > 0 and first[1].startswith("[0, 1, 2")
    assert child("alone") == (0, first[1])
    # The kernels' compiled code is gone, the loop's is not: the kernels are compiled
    # again, after other functions, under other names than the loop was compiled with.
    cached = tmp_path / "numba" / "__pycache__"
    for path in cached.glob("k_*"):
        path.unlink()
    assert any(cached.glob("l_*"))
    compiled, result = child("other first")
    assert result == first[1]
    assert 0 < compiled < first[0]  # the kernels, not the loop

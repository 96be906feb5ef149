"""Numba kernels: external constants are arguments (no recompiling), and the disk cache
lets a second process start without compiling anything."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from snncore import NeuronGroup, SpikeMonitor, StateMonitor, ms, run, set_backend, start_scope
from snncore.backends import numba_backend
from snncore.errors import KernelCacheWarning

MODEL = """dv/dt = (I - v)/tau : 1 (unless refractory)
           I : 1"""


def _lif():
    G = NeuronGroup(2, MODEL, threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="exact")
    G.I = [0.5, 2.0]
    return G


@pytest.fixture
def numba():
    set_backend("numba")
    start_scope()


def test_changing_an_external_constant_does_not_recompile(numba):
    tau = 10 * ms
    G = _lif()
    M = StateMonitor(G, "v", record=True)
    S = SpikeMonitor(G)
    # long enough for neuron 1 to spike, so that every kernel (Numba compiles lazily, at
    # the first call), the reset included, has run once
    run(20 * ms)
    assert S.count[1] > 0
    compiled = numba_backend.compile_count()
    v_first = G.v[0]  # neuron 0 (I = 0.5) never fires
    assert v_first == pytest.approx(0.5 * (1 - np.exp(-20 * ms / tau)), abs=1e-12)
    tau = 20 * ms
    run(20 * ms)
    assert numba_backend.compile_count() == compiled
    expected = 0.5 + (v_first - 0.5) * np.exp(-20 * ms / tau)
    assert G.v[0] == pytest.approx(expected, abs=1e-12)
    assert M.v.shape == (2, 400)


def test_rebuilding_the_same_model_in_a_new_scope_does_not_recompile(numba):
    tau = 10 * ms  # noqa: F841
    G = _lif()
    S = SpikeMonitor(G)
    run(20 * ms)
    compiled = numba_backend.compile_count()
    first = S.t.copy()
    assert first.size > 0
    start_scope()
    G = _lif()
    S = SpikeMonitor(G)
    run(20 * ms)
    assert numba_backend.compile_count() == compiled
    np.testing.assert_array_equal(S.t, first)


CHILD = textwrap.dedent("""
    import numpy as np
    from snncore import *
    from snncore.backends import numba_backend

    set_backend("numba")
    tau = {tau}*ms
    G = NeuronGroup(3, '''dv/dt = (I - v)/tau : 1 (unless refractory)
                          I : 1''', threshold="v > 1", reset="v = 0", refractory=2*ms,
                    method="exact")
    G.I = [0.5, 2.0, 3.0]
    M = StateMonitor(G, "v", record=[0, 2])
    S = SpikeMonitor(G)
    run(20*ms)
    print(numba_backend.compile_count(), S.num_spikes, repr(float(M.v.sum())))
""")


def _child(cache, tau=10, user=None, umask=0o022, path=None):
    """Run CHILD with the kernel cache in ``cache``; (kernels compiled, spikes, sum of v,
    the snncore cache warnings). ``user`` runs it as another user (setpriv); ``path``
    is a folder holding another copy of the snncore package to import."""
    env = dict(os.environ, SNNCORE_CACHE_DIR=str(cache), PYTHONWARNINGS="default")
    if path is not None:  # and the working folder, which `python -c` puts first
        env["PYTHONPATH"] = str(path)
    command = [sys.executable, "-c", CHILD.format(tau=tau)]
    if user is not None:
        # Another user who may read everything (so that the root-only Python installation
        # runs) but write only where permissions allow: the case of a cache folder
        # written by someone else. No home folder, so Numba's user-wide cache is closed too.
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                   "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search",
                   *command]
        matplotlib = Path(cache).parent / "matplotlib"  # quiet: its own folder
        matplotlib.mkdir(mode=0o777, exist_ok=True)
        matplotlib.chmod(0o777)
        env.update(HOME="/nonexistent", MPLCONFIGDIR=str(matplotlib))
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                         preexec_fn=lambda: os.umask(umask), cwd=path)
    assert out.returncode == 0, out.stderr
    compiled, spikes, total = out.stdout.split()
    warned = [line for line in out.stderr.splitlines() if "KernelCacheWarning" in line]
    return int(compiled), int(spikes), float(total), warned


def test_second_process_loads_kernels_from_disk(tmp_path):
    cache = tmp_path / "cache"
    first = _child(cache)
    assert first[0] > 0, "a process with an empty cache must compile its kernels"
    assert first[1] > 0
    assert (cache / "numba").is_dir() and any((cache / "numba").iterdir())
    second = _child(cache)
    assert second[0] == 0, f"the second process compiled {second[0]} kernel(s)"
    assert second[1:] == first[1:] == (*first[1:3], [])
    # another value of an external constant: same kernels, different result
    third = _child(cache, tau=20)
    assert third[0] == 0
    assert third[2] != first[2]


# ---- faults: damaged entries, folders this process cannot write, concurrent processes


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory):
    """A kernel cache written by one process (umask 022), and what that process got."""
    cache = tmp_path_factory.mktemp("built") / "cache"
    compiled, spikes, total, warned = _child(cache)
    assert compiled > 0 and not warned
    return cache, (spikes, total)


def _copy(built_cache, tmp_path) -> Path:
    cache = tmp_path / "cache"
    shutil.copytree(built_cache[0], cache)
    return cache


def test_cache_files_are_readable_by_others_as_the_umask_allows(built_cache):
    files = [p for p in (built_cache[0] / "numba").rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".py", ".nbi", ".nbc"}
    assert {p.stat().st_mode & 0o777 for p in files} == {0o644}
    assert not [p for p in files if ".tmp" in p.name]  # no leftovers of atomic writes


def _damage(path: Path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    else:
        path.write_bytes(b"\x80\x05garbage" * 20)


# Each case damages two files that one run reads, one truncated and one overwritten by
# garbage: the loop's index with a kernel's source, or the loop's source with its data
# file (the loop's index is intact then, so its data is read).
DAMAGE = {"index and a kernel's source": {"l_*.nbi": "truncated", "k_*.py": "garbage"},
          "data and the loop's source": {"l_*.nbc": "garbage", "l_*.py": "truncated"}}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_entry_is_discarded_and_rebuilt(built_cache, tmp_path, damage):
    cache = _copy(built_cache, tmp_path)
    damaged = []
    for pattern, how in damage.items():
        damaged.append(sorted((cache / "numba").rglob(pattern))[0])
        _damage(damaged[-1], how)
    compiled, *result, warned = _child(cache)
    assert tuple(result) == built_cache[1]
    assert len(warned) == len(damaged), warned
    for path in damaged:
        [line] = [w for w in warned if f"{path} (" in w]
        if path.suffix == ".py":
            assert (f"damaged kernel cache file {path} (its content is not the source its "
                    "name stands for); discarded and rebuilt") in line
        else:
            assert re.search(rf"damaged Numba cache file {re.escape(str(path))} "
                             r"\((UnpicklingError|ValueError|EOFError): .*\); discarded "
                             "and compiled again", line), line
    # healed: the next process neither warns nor compiles
    assert _child(cache) == (0, *built_cache[1], [])


def test_a_cache_folder_that_cannot_be_created_falls_back_to_a_private_one(tmp_path,
                                                                            monkeypatch):
    # As root (the test machine), permissions do not stop a write; a folder below a
    # regular file cannot be made by anyone.
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SNNCORE_CACHE_DIR", str(blocker / "cache"))
    set_backend("numba")
    tau = 10 * ms  # noqa: F841
    with pytest.warns(KernelCacheWarning, match=(
            rf"snncore cannot use the kernel cache folder {blocker}/cache/numba "
            r"\(NotADirectoryError: Not a directory\); this process compiles into a "
            r"private temporary folder, .*snncore-cache-.*, removed at exit")) as record:
        G = _lif()
        run(5 * ms)
    assert len([w for w in record if w.category is KernelCacheWarning]) == 1
    assert G.v[0] == pytest.approx(0.5 * (1 - np.exp(-0.5)), abs=1e-12)


needs_setpriv = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="running as another user needs root and setpriv")


@needs_setpriv
def test_a_cache_folder_of_another_user_falls_back_to_a_private_one(built_cache, tmp_path):
    cache = _copy(built_cache, tmp_path)  # root's, mode 0755: others may not write
    compiled, *result, warned = _child(cache, user=65534)
    assert tuple(result) == built_cache[1]
    assert len(warned) == 1 and (
        f"snncore cannot use the kernel cache folder {cache}/numba (PermissionError: "
        "Permission denied); this process compiles into a private temporary folder"
        in warned[0])
    assert not list(tmp_path.glob("snncore-cache-*"))  # removed at exit


@needs_setpriv
def test_a_shared_cache_folder_is_used_by_another_user(built_cache, tmp_path):
    cache = _copy(built_cache, tmp_path)
    for folder in [cache, *(p for p in cache.rglob("*") if p.is_dir())]:
        folder.chmod(0o777)  # a folder shared by a group, say; the files stay 0644
    assert _child(cache, user=65534) == (0, *built_cache[1], [])


def test_concurrent_processes_share_an_empty_cache(built_cache, tmp_path):
    env = dict(os.environ, SNNCORE_CACHE_DIR=str(tmp_path / "cache"))
    children = [subprocess.Popen([sys.executable, "-c", CHILD.format(tau=10)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert "Warning" not in err
        assert tuple(float(x) for x in out.split()[1:]) == built_cache[1]


def test_a_changed_snncore_helper_invalidates_the_cached_kernels(built_cache, tmp_path):
    # Two copies of the package, one with a helper that compiled loops call changed (a
    # comment is enough: the cache cannot tell what changed), run on a copy of a filled
    # cache: the unchanged one loads everything, the changed one compiles again.
    package = Path(numba_backend.__file__).resolve().parents[1]
    runs = {}
    for name, change in (("same", ""), ("changed", "\n# a later version\n")):
        copy = tmp_path / name / "snncore"
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
        helpers = copy / "backends" / "loop_helpers.py"
        helpers.write_text(helpers.read_text() + change)
        runs[name] = _child(_copy(built_cache, tmp_path / name), path=copy.parent)
    assert runs["same"][0] == 0
    assert runs["changed"][0] > 0
    assert runs["changed"][1:3] == runs["same"][1:3] == built_cache[1]

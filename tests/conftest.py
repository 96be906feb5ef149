"""Shared fixtures of the engine tests.

* ``backend``: runs a test once per snncore backend (numpy, numba), in a fresh scope.
* every test runs with ``SNNCORE_CACHE_DIR`` pointing to one session-wide temporary
  folder (the tests never touch ``~/.cache``) and leaves ``defaultclock.dt`` at 0.1 ms.

The Brian 2 oracle helpers (``brian2_run``) and the shared models live in ``models.py``;
Brian 2 is imported only when a test needs it, so collection stays fast.
"""

from __future__ import annotations

import pytest

import snncore

BACKENDS = ["numpy", "numba"]

# The browser checks need Chromium, which make test does not install: make site-check
# runs them (tests/browser/test_site_check.py, then the built site).
collect_ignore = ["browser"]


@pytest.fixture(scope="session")
def snncore_cache_dir(tmp_path_factory):
    """One kernel cache folder for the whole session."""
    return tmp_path_factory.mktemp("snncore_cache")


@pytest.fixture(autouse=True)
def _isolated_engine(snncore_cache_dir, monkeypatch):
    monkeypatch.setenv("SNNCORE_CACHE_DIR", str(snncore_cache_dir))
    backend = snncore.get_backend()
    snncore.start_scope()
    yield
    snncore.defaultclock.dt = 0.1 * snncore.ms
    snncore.set_backend(backend)
    snncore.start_scope()


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The name of the snncore backend under test; the default backend is set to it."""
    snncore.set_backend(request.param)
    snncore.start_scope()
    return request.param


@pytest.fixture
def fused_runs(monkeypatch):
    """A list that gains, for every run, whether it used the compiled (fused) loop."""
    import snncore.network

    used = []
    original = snncore.network.fused_loop

    def spy(ops):
        loop = original(ops)
        used.append(loop is not None)
        return loop

    monkeypatch.setattr(snncore.network, "fused_loop", spy)
    return used

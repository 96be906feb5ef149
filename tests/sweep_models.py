"""Models of the sweep tests, in a module of their own so that dask worker processes can
import them (a test module would import pytest and its fixtures there too)."""

from __future__ import annotations

import time

import numpy as np

import snncore
from snncore import ms


def noisy(tau: float, I: float, pause: float = 0.0) -> dict:
    """Five leaky integrators driven by ``I`` and noise for 10 ms: its outputs depend on
    every draw of the point's random stream. ``pause`` (s) makes a point take longer."""
    snncore.start_scope()
    G = snncore.NeuronGroup(5, "dv/dt = (I - v)/tau + 0.1*xi*tau**-0.5 : 1", method="euler")
    G.v = "0.1*rand()"
    M = snncore.StateMonitor(G, "v", record=0)
    snncore.run(10 * ms)
    time.sleep(pause)
    return {"vmean": float(np.mean(G.v)), "trace": np.asarray(M.v[0][::20])}


def relaxing(tau_r: float) -> float:
    """A structure used only by the compile-count test (its kernels are new to every
    worker process): noisy relaxation to 1.5 for 20 ms, the mean of 3 neurons."""
    snncore.start_scope()
    G = snncore.NeuronGroup(3, "dv/dt = (1.5 - v)/tau_r + 0.2*xi*tau_r**-0.5 : 1",
                            method="euler")
    snncore.run(20 * ms)
    return float(np.mean(G.v))


def flaky(U: float) -> float:
    """Fails at U = 0.3."""
    if U == 0.3:
        raise ValueError("no fixed point")
    return 2 * U


def wordy(U: float) -> str:
    return f"U is {U}"


def _not_installed():
    raise ModuleNotFoundError("No module named 'lab_only'")


class Unshippable:
    """A model that cannot be unpickled in a worker process, as one whose module is not
    installed there."""

    def __call__(self, U: float) -> float:
        return U

    def __reduce__(self):
        return (_not_installed, ())

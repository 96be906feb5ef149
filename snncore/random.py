"""The random streams behind ``rand()``, ``randn()`` and ``xi``.

The numpy backend draws from one :class:`numpy.random.Generator`; Numba kernels draw
from Numba's own generator, which lives inside compiled code. :func:`seed` seeds both,
so a seeded run repeats exactly on the same backend; :func:`get_state` and
:func:`set_state` let ``store()``/``restore()`` rewind both.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def generator() -> np.random.Generator:
    """The generator used by numpy kernels and by initial-value expressions."""
    return _generator


def seed(value: int | None = None) -> None:
    """Seed every random stream snncore uses.

    Parameters
    ----------
    value : int or None
        The seed; None draws fresh entropy.
    """
    global _generator
    _generator = np.random.default_rng(value)
    from .backends import numba_backend

    if numba_backend.AVAILABLE:
        from .backends.numba_helpers import seed as numba_seed

        numba_seed(int(np.random.default_rng(value).integers(2**31 - 1)))


def get_state() -> dict:
    """A snapshot of both streams."""
    state = {"numpy": _generator.bit_generator.state}
    numba_state = _numba_state()
    if numba_state is not None:
        state["numba"] = numba_state
    return state


def set_state(state: dict) -> None:
    """Rewind both streams to a snapshot from :func:`get_state`."""
    _generator.bit_generator.state = state["numpy"]
    if "numba" in state:
        from numba import _helperlib

        _helperlib.rnd_set_state(_helperlib.rnd_get_np_state_ptr(), state["numba"])


def _numba_state():
    try:
        from numba import _helperlib
    except ImportError:  # pragma: no cover - numba is a pinned dependency
        return None
    return _helperlib.rnd_get_state(_helperlib.rnd_get_np_state_ptr())

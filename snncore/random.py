"""The random streams behind ``rand()``, ``randn()`` and ``xi``.

The numpy backend draws from one :class:`numpy.random.Generator`; Numba kernels draw
from a xoshiro256+ generator whose state, a uint64[4] array, is passed to every kernel.
:func:`seed` seeds both, so a seeded run repeats exactly on the same backend;
:func:`get_state` and :func:`set_state` let ``store()``/``restore()`` rewind both.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()
_numba_state = np.random.SeedSequence().generate_state(4, np.uint64)


def generator() -> np.random.Generator:
    """The generator used by numpy kernels and by initial-value expressions."""
    return _generator


def numba_state() -> np.ndarray:
    """The state array of the Numba kernels' generator (updated in place)."""
    return _numba_state


def seed(value: int | None = None) -> None:
    """Seed every random stream snncore uses, and numpy's global one as Brian 2 does
    (scripts draw initial values with numpy's ``rand()`` after ``seed()``).

    Parameters
    ----------
    value : int or None
        The seed; None draws fresh entropy.
    """
    global _generator
    np.random.seed(value)  # noqa: NPY002 (the legacy global stream is what scripts use)
    _generator = np.random.default_rng(value)
    # SeedSequence spreads any seed over the 256 state bits (never all zero).
    sequence = np.random.SeedSequence(value).spawn(1)[0]
    _numba_state[:] = sequence.generate_state(4, np.uint64)


def get_state() -> dict:
    """A snapshot of both streams."""
    return {"numpy": _generator.bit_generator.state, "numba": _numba_state.copy()}


def set_state(state: dict) -> None:
    """Rewind both streams to a snapshot from :func:`get_state`."""
    _generator.bit_generator.state = state["numpy"]
    _numba_state[:] = state["numba"]

"""The random streams behind ``rand()``, ``randn()``, ``poisson()``, ``xi``, Poisson
inputs and random connections and initial values.

Every draw comes from the counter-based generator of :mod:`snncore.philox`, keyed by the
seed: a kernel's draw is named by its stream, the time step, the element and the draw
site, so the numpy backend, the Numba kernels and the fused loop give the same numbers,
however a run is cut into segments and in whatever order (or on however many threads)
elements are visited.

A *stream* is one piece of code of one object (a group's state update, its threshold,
a pathway's ``on_pre``, a Poisson input). Streams are numbered in the order they are
first used after :func:`seed`, so the same script gives the same numbers on either
backend, and a model built again (new objects) draws new ones, as in Brian 2.
Code run outside of time steps (initial values such as ``'rand()*mV'``, ``connect()``
conditions and probabilities) draws from a setup stream whose calls are counted.

Kernels receive ``_rng``, a uint64 array ``[k0, k1, stream, setup, bad, mean, step]``:
the key, the stream and, for setup code, 1 + the number of the call (0 in code run at a
time step, whose step is that of ``t``); then where a kernel running at time steps notes
a ``poisson()`` mean it could not draw from (a flag, the mean's float bits, its step;
kernels running in parallel blocks may note any of several), for
:func:`raise_bad_means` to report between whole steps, as Brian 2 raises for them
(numpy's "lam < 0 or lam contains NaNs").
"""

from __future__ import annotations

import numpy as np

from .errors import SnnError

#: The stream of code run outside of time steps.
SETUP_STREAM = 0xFFFFFFFF
#: The slots of ``_rng`` after the key, the stream and the setup call.
BAD, BAD_MEAN, BAD_STEP = 4, 5, 6
RNG_SIZE = 7
#: Above this mean numpy's Poisson sampler (Brian 2's) refuses, and counts overflow.
POISSON_MAX = 9.223372006484771e18


class _Streams:
    """The key and the numbering of streams since the last :func:`seed`."""

    def __init__(self, value: int | None) -> None:
        self.entropy = np.random.SeedSequence(value).entropy
        self.epoch = 0
        self.streams: dict[tuple, int] = {}
        self.setup_calls = 0
        self.key = self._key()
        self.noted: dict[int, tuple[np.ndarray, str]] = {}

    def _key(self) -> tuple[int, int]:
        words = np.random.SeedSequence(self.entropy, spawn_key=(self.epoch,)) \
            .generate_state(2, np.uint32)
        return int(words[0]), int(words[1])


_streams = _Streams(None)


def seed(value: int | None = None) -> None:
    """Seed every random stream snncore uses, and numpy's global one as Brian 2 does
    (scripts draw initial values with numpy's ``rand()`` after ``seed()``).

    Parameters
    ----------
    value : int or None
        The seed; None draws fresh entropy.
    """
    global _streams
    np.random.seed(value)  # noqa: NPY002 (the legacy global stream is what scripts use)
    _streams = _Streams(value)


def stream_key(owner, purpose) -> np.ndarray:
    """The ``_rng`` argument of code run at time steps: ``owner``'s stream for
    ``purpose`` (any hashable naming the code on its owner), numbered on first use."""
    key = (getattr(owner, "_creation_index", owner.where), purpose)
    number = _streams.streams.setdefault(key, len(_streams.streams))
    rng = np.array([*_streams.key, number, 0, 0, 0, 0], dtype=np.uint64)
    # Code is bound anew for each run: the latest array of a stream is the one in use.
    _streams.noted[number] = (rng, owner.where)
    return rng


def setup_key() -> np.ndarray:
    """The ``_rng`` argument of one evaluation of setup code (a new call each time)."""
    _streams.setup_calls += 1
    return np.array([*_streams.key, SETUP_STREAM, _streams.setup_calls, 0, 0, 0],
                    dtype=np.uint64)


def bad_mean(value: float, where: str) -> SnnError:
    """The error of a ``poisson()`` mean that is not a number from 0 to
    :data:`POISSON_MAX`."""
    return SnnError(f"poisson() needs a mean from 0 to {POISSON_MAX:.3g}, got {value!r} "
                    f"{where}")


def raise_bad_means(dt: float) -> None:
    """Raise the error of the first bad ``poisson()`` mean a kernel of this run noted."""
    for rng, where in _streams.noted.values():
        if rng[BAD]:
            rng[BAD] = 0
            value = float(rng[BAD_MEAN:BAD_MEAN + 1].view(np.float64)[0])
            raise bad_mean(value, f"in the code of {where} at t = "
                           f"{int(rng[BAD_STEP]) * dt:.6g} s")


def generator() -> np.random.Generator:
    """A numpy generator for one setup call (``connect()``'s probabilities, gaps and
    samples), keyed by the seed and the number of the call: numpy's own counter-based
    Philox, as setup code runs in numpy on both backends."""
    k0, k1, _stream, call = (int(k) for k in setup_key()[:4])
    return np.random.Generator(np.random.Philox(key=k0 | k1 << 32 | call << 64))


def get_state() -> dict:
    """A snapshot of the streams: the seed, its epoch, the numbering, the setup calls."""
    return {"entropy": _streams.entropy, "epoch": _streams.epoch,
            "streams": dict(_streams.streams), "setup_calls": _streams.setup_calls}


def set_state(state: dict) -> None:
    """Return to a snapshot from :func:`get_state`: the same draws follow."""
    global _streams
    streams = _Streams.__new__(_Streams)
    streams.entropy, streams.epoch = state["entropy"], state["epoch"]
    streams.streams, streams.setup_calls = dict(state["streams"]), state["setup_calls"]
    streams.key = streams._key()
    streams.noted = _streams.noted
    _streams = streams


def new_epoch() -> None:
    """New numbers from here on for the same streams and steps: a network restored to an
    earlier time draws anew (Brian 2's streams go on where they are)."""
    _streams.epoch += 1
    _streams.key = _streams._key()

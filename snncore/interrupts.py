"""Ctrl-C during a run, held back until the network is between two whole steps.

Python runs a SIGINT handler (by default, raising KeyboardInterrupt) between two
bytecodes, wherever they fall: in the middle of a step on the numpy backend, or after
the compiled loop of the Numba backend has returned but before the run has counted the
steps it made. Either way the network is left torn: monitors ahead of ``t``, a step
half done, steps simulated twice by the next ``run()``. While a run advances, the
handler below only notes the signal; the run checks the note after each whole step
(Python loop) or each compiled chunk of about 0.1 s, stops there with everything
counted, and only then hands the signal to the handler that was installed before, so
the user still gets their KeyboardInterrupt.
"""

from __future__ import annotations

import signal
import threading


class DeferredInterrupt:
    """Context manager holding SIGINT back; :attr:`pending` says one arrived.

    Signals reach only the main thread, so elsewhere (and where a handler installed
    outside Python cannot be put back) nothing is changed and ``pending`` stays False.
    On leaving without an exception in flight, a held-back SIGINT goes to the previous
    handler (raising KeyboardInterrupt for Python's default one).
    """

    def __init__(self) -> None:
        self.pending = False
        self._previous = None
        self._frame = None

    def _note(self, signum, frame) -> None:
        self.pending = True
        self._frame = frame

    def __enter__(self) -> DeferredInterrupt:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            # An ignored SIGINT stays ignored (and cannot stop a run).
            if previous is not None and previous != signal.SIG_IGN:
                self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        previous, self._previous = self._previous, None
        if previous is None:
            return
        signal.signal(signal.SIGINT, previous)
        if not self.pending or exc_type is not None:
            return
        self.pending = False
        if callable(previous):
            previous(signal.SIGINT, self._frame)
        elif previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)

"""Threads in the Numba backend: which kernels run their elements in parallel, and how
many threads a run uses.

A kernel over many elements (a state update, a threshold, a state monitor's recording)
splits its elements into blocks of :data:`BLOCK` and runs the blocks on Numba's threads
(``prange``). The blocks depend on the number of elements only, each block runs its
elements in order, and every random draw is a function of its counter
(:mod:`snncore.philox`), so the result is the same bits for any number of threads (and
the same as the serial kernel's). A threshold's blocks note their spikes apart and are
joined in order after the parallel part, so spikes stay sorted. Synaptic delivery,
summed variables and the code run on spiking elements stay serial: they scatter into
shared targets (threads would race, or each would have to scan every event for its own
targets), and they are a small part of the models that threads help: COBAHH delivers
12.4M events in a simulated second, at most about 10 ns each (Brunel-Hakim's whole loop
takes 11 ns per event), so at most 5% of its 2.6 s loop. Brian 2's OpenMP code keeps
such delivery serial too. Measured on one thread (``benchmarks/threads_speed.py``, CPU
time of the parallel kernels against the whole loop), everything that stays serial is
about 5-7% of COBAHH's loop and 1-3% of the tuning curve's, so Amdahl's law allows
1.87x or more on two threads; what two threads gain short of that is lost inside the
parallel kernels (waking a thread, cores that slow each other down), not in serial code.

Threads cost time of their own: starting the blocks of one kernel call and waiting for
the last one costs a few microseconds per call and step (``benchmarks/threads_speed.py``
measures it), and ``parallel=True`` makes Numba compile a kernel for about 0.8 s more.
So a kernel runs in parallel only when its estimated serial work per call, :func:`work`
(elements times the cost of one element), is at least :data:`MIN_WORK`; the small models
of the book keep their serial kernels and their short compile.

Waiting threads: Numba's OpenMP layer (libgomp) lets an idle thread spin 300,000 times
before it sleeps, milliseconds on current CPUs. On a machine whose cores are busy with
other processes, a thread that spins takes the core from the one it waits for, and a
run on two threads was measured 10 to 100 times slower than on one. A thread that
sleeps at once costs as much the other way on a virtual machine, where waking a core
takes about 160 us: COBAHH's loop ran 0.8 times as fast on two threads as on one with
1000 spins. snncore sets ``GOMP_SPINCOUNT=10000`` (a few hundred microseconds, longer
than the serial work between two parallel kernels of a step) unless ``OMP_WAIT_POLICY``
or ``GOMP_SPINCOUNT`` is set already; libgomp reads it when Numba first starts its
threads. Measured on the 2-core test machine (``make bench``,
``benchmarks/threads_speed.py``): on two threads COBAHH's loop runs 1.64 times and the
tuning curve's 1.38 times as fast as on one when the machine is otherwise idle (COBAHH
1.28 times with 1000 spins), and about half as fast when a second such process runs at
the same time (0.9 times with 1000 spins).

How many threads: Numba's setting, i.e. ``numba.set_num_threads(k)`` (at most
``NUMBA_NUM_THREADS``, which defaults to the number of cores), unless the preference
``prefs.snncore.threads`` is a positive number, which a run then uses (and restores
Numba's setting after). With ``prefs.snncore.threads = 1`` every kernel is serial and
Numba's thread pool is never started (a process running GNU OpenMP threads cannot fork
workers that run parallel kernels: see :mod:`snncore.sweep`).
"""

from __future__ import annotations

import ast
import contextlib
import os
from collections.abc import Iterator

from ..expressions import RANDOM_FUNCTIONS

if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

#: Elements per parallel block: a multiple of 4, so that a block's random draws start on
#: a Philox block (four normals or two uniforms per block), and large enough that a
#: block's draws and element loop vectorise.
BLOCK = 1024

#: Nanoseconds of serial work per kernel call from which the kernel runs in parallel.
#: A parallel call costs a few microseconds more than a serial one (waking the threads,
#: waiting for the last block: ``benchmarks/threads_speed.py``), and a parallel kernel
#: compiles for about 0.8 s more (once per kernel cache). At 100 us two threads save
#: about 45 us per call, which repays the compile time within about 20,000 steps. Below
#: are the kernels where threads would save little and the first run would wait longer:
#: Brunel-Hakim's state update (20 us estimated, 5000 noisy neurons), and every kernel
#: of arithmetic only (:data:`_CALL_NS`), such as CUBA's state update and every
#: threshold of the book. Above: COBAHH's state update (720 us, 4000 HH neurons) and the
#: tuning curve's (1.6 ms, 410,000 noisy neurons).
MIN_WORK = 100_000.0

#: Rough serial cost (ns) of one element: per call of a transcendental function (exp,
#: log, ...: 10-20 ns each, without vector versions), per random draw (a Philox block and
#: its conversion). Arithmetic alone does not count: its loops vectorise, and what they
#: wait for is memory, which a second core does not make faster. Measured on the 2-core
#: test machine: CUBA's state update over 256,000 neurons (about 1 ns a neuron, serial)
#: took 2.3 times longer on two threads, the second core waking for each step (about
#: 160 us) and taking the arrays' cache lines from the first, which then adds the
#: synaptic events into them.
_CALL_NS, _DRAW_NS = 12.0, 4.0
_TRANSCENDENTAL = {"exp", "expm1", "exprel", "log", "log10", "log1p", "sin", "cos", "tan",
                   "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh",
                   "arccosh", "arctanh"}


def work(exprs: list[ast.expr], elements: int) -> float:
    """Estimated serial nanoseconds of one kernel call that threads can share:
    ``elements`` times the cost of the transcendental calls and random draws of ``exprs``
    for one element (see :data:`_CALL_NS`)."""
    cost = 0.0
    for expr in exprs:
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id.lstrip("_")
                cost += _DRAW_NS if name in RANDOM_FUNCTIONS else \
                    _CALL_NS if name in _TRANSCENDENTAL else 0.0
    return cost * elements


def worth_threads(exprs: list[ast.expr], elements: int) -> bool:
    """Whether a kernel evaluating ``exprs`` for ``elements`` elements runs in parallel
    blocks (see :data:`MIN_WORK`); never when a run has one thread
    (``prefs.snncore.threads = 1``, as in the workers of a sweep: one per core), where
    blocks only cost time and the kernel would start Numba's thread pool."""
    from ..prefs import prefs

    if prefs["snncore.threads"] == 1:
        return False
    return elements > BLOCK and work(exprs, elements) >= MIN_WORK


def check_threads(value: object) -> None:
    """Check a value of ``prefs.snncore.threads``."""
    from ..errors import PreferenceError

    limit = _limit()
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise PreferenceError(
            f"prefs.snncore.threads cannot be {value!r}; use 0 (Numba's setting, "
            f"numba.set_num_threads) or a number of threads from 1 to {limit} "
            "(NUMBA_NUM_THREADS, set before Numba is imported, raises the limit)")


def _limit() -> int:
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


@contextlib.contextmanager
def run_threads() -> Iterator[None]:
    """The threads of a run: ``prefs.snncore.threads`` if positive, Numba's setting
    otherwise (restored afterwards)."""
    from ..prefs import prefs

    wanted = prefs["snncore.threads"]
    if wanted <= 1:
        # One thread: every kernel is serial (worth_threads), and Numba's thread pool is
        # not started, so that the process can fork workers (snncore.sweep).
        yield
        return
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        yield
    finally:
        numba.set_num_threads(before)

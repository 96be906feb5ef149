"""What both harnesses (Brian 2's examples and the seed cells) do to the two engines.

- :class:`Recorder` lists every monitor created while it is active, in creation order,
  and reads their data as plain float arrays (SI units);
- :func:`brian2_overrides` pins Brian 2 to the numpy target, maps ``set_device`` to
  runtime mode, and overrides the script's seeds;
- :func:`quiet_matplotlib`: Agg backend, ``show()`` and ``pause()`` do nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
from collections.abc import Iterator

import numpy as np

KINDS = ("StateMonitor", "SpikeMonitor", "EventMonitor", "PopulationRateMonitor")


def quiet_matplotlib() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.show = lambda *args, **kwargs: None
    plt.pause = lambda *args, **kwargs: None


def monitor_classes(engine: str) -> dict[str, type]:
    """The monitor classes of ``engine`` ('snncore' or 'brian2') that exist.

    (snncore names a Brian 2 feature it lacks with a placeholder object, not a class.)
    """
    if engine == "brian2":
        import brian2.monitors as module
    else:
        import snncore as module
    classes = {k: getattr(module, k, None) for k in KINDS}
    return {k: cls for k, cls in classes.items() if isinstance(cls, type)}


def _array(value) -> np.ndarray:
    return np.array(value[:] if hasattr(value, "__getitem__") else value, dtype=float)


class Recorder:
    """Lists the monitors created while active (a context manager), and reads them.

    Monitors are keyed ``Kind[k]``: the k-th monitor of that kind, in creation order.
    """

    def __init__(self, engine: str):
        self.engine = engine
        self.classes = monitor_classes(engine)
        self.monitors: list[tuple[str, object]] = []

    def _kind(self, obj) -> str:
        # The class itself when it is a kind: SpikeMonitor derives from EventMonitor in
        # Brian 2, EventMonitor from SpikeMonitor in snncore.
        if type(obj).__name__ in self.classes:
            return type(obj).__name__
        return next(k for k in KINDS if k in self.classes and isinstance(obj, self.classes[k]))

    @contextlib.contextmanager
    def active(self) -> Iterator[Recorder]:
        originals = {cls: cls.__dict__.get("__init__") for cls in self.classes.values()}
        for cls in self.classes.values():
            def __init__(obj, *args, _original=cls.__init__, **kwargs):
                _original(obj, *args, **kwargs)
                if not any(m is obj for _, m in self.monitors):
                    self.monitors.append((self._kind(obj), obj))

            cls.__init__ = __init__
        try:
            yield self
        finally:
            for cls, original in originals.items():
                if original is None:
                    del cls.__init__
                else:
                    cls.__init__ = original

    def _get(self, monitor, name: str) -> np.ndarray:
        # Brian 2's trailing underscore gives the unitless array; snncore's are SI floats.
        brian2 = self.engine == "brian2" and name != "i"
        return _array(getattr(monitor, name + "_" if brian2 else name))

    def data(self, kind: str, monitor) -> dict[str, np.ndarray]:
        """One monitor's arrays: ``t`` and the recorded variables, ``i``/``t``/``count``
        of events, ``t``/``rate`` of a population rate."""
        if kind == "StateMonitor":
            data = {"t": self._get(monitor, "t")}
            for var in monitor.record_variables:
                data[var] = self._get(monitor, var)
            return data
        if kind == "PopulationRateMonitor":
            return {"t": self._get(monitor, "t"), "rate": self._get(monitor, "rate")}
        data = {"count": _array(monitor.count)}
        if getattr(monitor, "record", True) is not False:
            data["i"], data["t"] = self._get(monitor, "i"), self._get(monitor, "t")
            for var in getattr(monitor, "record_variables", []):
                if var not in ("i", "t"):
                    data[var] = self._get(monitor, var)
        return data

    def collect(self, start: int = 0) -> tuple[dict[str, np.ndarray], list[dict]]:
        """Arrays ``{'Kind[k].var': values}`` of the monitors from the ``start``-th on
        (numbered from there), and an index of them (key, kind, name, read error)."""
        arrays, index, counters = {}, [], dict.fromkeys(KINDS, 0)
        for kind, monitor in self.monitors[start:]:
            key = f"{kind}[{counters[kind]}]"
            counters[kind] += 1
            entry = {"key": key, "kind": kind, "name": getattr(monitor, "name", None)}
            try:
                for var, values in self.data(kind, monitor).items():
                    arrays[f"{key}.{var}"] = values
            except Exception as exc:  # noqa: BLE001 - a monitor that cannot be read is reported
                entry["error"] = f"{type(exc).__name__}: {exc}"
            index.append(entry)
        return arrays, index


def derived_seed(base: int, value) -> int:
    """The seed that replaces a script's ``seed(value)`` in the run seeded with ``base``."""
    digest = hashlib.sha256(f"{base}:{value!r}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % (2**31 - 1)


@contextlib.contextmanager
def brian2_overrides(seed: int | None = None, standalone: bool = False,
                     codegen: str = "numpy") -> Iterator[None]:
    """Brian 2 as the oracle: numpy target, runtime mode, seeds overridden.

    The codegen target stays ``codegen`` (``numpy``; ``cython`` for the second opinion
    of :func:`compat.oracle.second_opinion`) whatever the code sets. ``set_device(...)`` keeps
    runtime mode unless ``standalone``. With ``seed``, Brian 2's, numpy's and Python's
    generators are seeded with it, and each ``seed(x)`` of the code (``brian2.seed``,
    ``np.random.seed``, ``random.seed``) seeds with :func:`derived_seed` of (seed, x).
    """
    import importlib

    import brian2
    from brian2.core.preferences import BrianGlobalPreferences

    # (`brian2.devices.device` the attribute is the device proxy, not the module.)
    device_module = importlib.import_module("brian2.devices.device")

    saved = [(BrianGlobalPreferences, "__setitem__"), (brian2, "set_device"),
             (device_module, "set_device"), (brian2, "seed"), (device_module, "seed"),
             (np.random, "seed"), (random, "seed")]
    saved = [(owner, name, getattr(owner, name)) for owner, name in saved]
    target = brian2.prefs["codegen.target"]
    setitem = BrianGlobalPreferences.__setitem__

    def keep_target(self, name, value):
        setitem(self, name, codegen if name == "codegen.target" else value)

    BrianGlobalPreferences.__setitem__ = keep_target
    brian2.prefs["codegen.target"] = codegen
    if not standalone:
        def runtime_set_device(device, build_on_run=True, **kwargs):
            """Stay in runtime mode (numpy target)."""

        brian2.set_device = device_module.set_device = runtime_set_device
    if seed is not None:
        brian2_seed, np_seed, py_seed = brian2.seed, np.random.seed, random.seed
        brian2_seed(seed)
        py_seed(seed)
        brian2.seed = device_module.seed = lambda value=None: brian2_seed(
            derived_seed(seed, value))
        np.random.seed = lambda value=None: np_seed(derived_seed(seed, value))
        random.seed = lambda value=None, *args, **kwargs: py_seed(derived_seed(seed, value))
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        brian2.prefs["codegen.target"] = target

"""Brian 2's devices, accepted so that standalone scripts run unchanged, in process.

Brian 2's ``cpp_standalone`` device turns a script into a C++ program that runs at
``device.build()``. snncore simulates in this process. With ``build_on_run=True`` (the
default) ``set_device('cpp_standalone')`` means the same as ``set_device('runtime')``:
``run()`` runs at once and ``device.build()`` has nothing left to do. With
``build_on_run=False``, as in Brian 2, ``run()`` calls are recorded and simulated at
``device.build()`` or ``device.run()``; ``device.run(run_args={G.tau: value})``
simulates them again from the initial state with new initial values, as Brian 2 re-runs
its compiled program. ``device.reinit()``, ``device.activate()``, ``device.delete()``
and ``reset_device()`` are accepted. ``insert_code`` (C++) raises a clear error.
"""

from __future__ import annotations

import io
import pickle
import types
import warnings

import numpy as np

from .errors import SnnError, UnsupportedFeatureError
from .random import get_state as random_state
from .random import seed as _seed
from .random import set_state as set_random_state


class _Probe(pickle.Pickler):
    """Tries whether a value pickles, taking devices as given: a value that holds the
    device being pickled (an object with a ``device`` attribute) must not pickle it
    again from inside."""

    def persistent_id(self, obj):
        return "device" if isinstance(obj, Device) else None


def _picklable(namespace: dict) -> dict:
    """The entries of ``namespace`` that pickle can send to another process."""
    kept = {}
    for name, value in namespace.items():
        if name.startswith("__") or isinstance(value, types.ModuleType):
            continue
        try:
            _Probe(io.BytesIO()).dump(value)
        except Exception:  # noqa: BLE001 - whatever pickle refuses stays behind
            continue
        kept[name] = value
    return kept


class Device:
    """A Brian 2 device name; snncore runs every device's simulations in process.

    Parameters
    ----------
    name : str
        ``'runtime'`` or ``'cpp_standalone'``.
    """

    def __init__(self, name: str):
        self.name = name
        self.build_on_run = True
        self.build_options: dict = {}
        self.has_been_run = False
        self.project_dir: str | None = None
        self._runs: list[tuple] = []  # (network, its objects, duration, run() options)
        self._replaying = False

    def activate(self, build_on_run: bool = True, **kwargs) -> None:
        """Make this the current device (Brian 2 keeps ``build_on_run`` and the options)."""
        global _current
        self.build_on_run = build_on_run
        self.build_options = kwargs
        if kwargs.get("directory") is not None:
            self.project_dir = kwargs["directory"]
        _current = self

    def defers(self) -> bool:
        """True while ``run()`` calls are recorded for a later build (Brian 2's
        ``build_on_run=False``)."""
        return self.name == "cpp_standalone" and not self.build_on_run and not self._replaying

    def record_run(self, network, duration: float, options: dict) -> None:
        """Keep a ``run()`` call for :meth:`run` (called by :meth:`Network.run`)."""
        self._runs.append((network, list(network.objects), duration, options))

    def __getstate__(self) -> dict:
        """The device as sent to another process (scripts hand ``device.run`` to a
        process pool): each recorded run keeps the names of its caller's namespace whose
        values can be pickled (model code names no modules, no open files)."""
        state = dict(self.__dict__)
        state["_runs"] = [(net, objects, duration, {
            **options, "namespace": _picklable(options.get("namespace") or {})})
            for net, objects, duration, options in self._runs]
        return state

    def build(self, *, run: bool = True, run_args=None, **options) -> None:
        """Brian 2 compiles the program and, with ``run=True``, runs it: snncore
        simulates the recorded ``run()`` calls (if any) now."""
        if options.get("directory") is not None:
            self.project_dir = options["directory"]
        if run:
            self.run(run_args=run_args)
        else:
            self._compile()

    def _compile(self) -> None:
        """What Brian 2's ``build(run=False)`` does, compiling: every recorded run is
        prepared (its kernels and compiled loop built) with zero steps, then the initial
        state is put back, so that later ``device.run()`` calls, also in processes forked
        from this one (a process pool), start at once."""
        stream = random_state()
        self._initial_state()
        try:
            # Values set later with run_args (tau = 0 until then) may not make sense yet:
            # this is only preparation, and device.run() reports what is wrong for the
            # values it runs with.
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._replay(zero_steps=True)
        except SnnError:
            pass
        self._initial_state()
        set_random_state(stream)
        # The state is the initial one again; the next run() stores it anew, in the
        # process that runs (a snapshot knows objects by identity, which a copy sent to
        # another process does not keep).
        for net, _objects, _d, _k in self._runs:
            net._stored.pop("__device_initial__", None)

    def _initial_state(self) -> None:
        """Store the state before the first recorded run, or go back to it."""
        networks = list({id(net): net for net, _o, _d, _k in self._runs}.values())
        for net in networks:
            first = next(objs for n, objs, _d, _k in self._runs if n is net)
            kept, net.objects = net.objects, first
            if "__device_initial__" in net._stored:
                net.restore("__device_initial__")
            else:
                net.store("__device_initial__")
            net.objects = kept

    def _replay(self, zero_steps: bool = False) -> None:
        self._replaying = True
        try:
            for net, objects, duration, options in self._runs:
                kept, net.objects = net.objects, objects
                try:
                    net.run(0.0 if zero_steps else duration, **options)
                finally:
                    net.objects = kept
        finally:
            self._replaying = False

    def run(self, directory=None, results_directory=None, with_output: bool = True,
            run_args=None) -> None:
        """Simulate the recorded ``run()`` calls from the initial state, after setting
        the variables given in ``run_args`` (``{G.tau: value}``) to new values."""
        if run_args and not self._runs:
            raise SnnError("device.run(run_args=...) needs run() calls recorded with "
                           "set_device('cpp_standalone', build_on_run=False)")
        # Each run of a standalone program draws new random numbers: restoring the
        # initial state must not rewind the random stream.
        stream = random_state()
        self._initial_state()
        set_random_state(stream)
        for variable, value in (run_args or {}).items():
            if getattr(variable, "_owner", None) is None:
                raise SnnError(f"the keys of run_args must be variables such as G.tau, got "
                               f"{variable!r}")
            variable[:] = value
        self._replay()
        self.has_been_run = True

    def apply_run_args(self) -> None:
        """Brian 2 applies ``run_args`` at this point of the program; snncore applies them
        once the initial state is set, before the first recorded run."""

    def reinit(self) -> None:
        """Forget the recorded ``run()`` calls (Brian 2 clears its generated program)."""
        self.has_been_run = False
        self._runs = []

    def delete(self, code: bool = True, data: bool = True, directory: bool = True,
               force: bool = False) -> None:
        """Brian 2 deletes the generated files here; snncore writes none."""

    def seed(self, seed: int | None = None) -> None:
        """Seed the random numbers (snncore's :func:`~snncore.seed`)."""
        _seed(seed)

    def insert_code(self, slot: str, code: str) -> None:
        """C++ code has no place in snncore's simulations."""
        raise UnsupportedFeatureError(
            "device.insert_code adds C++ to a standalone program; snncore does not "
            "generate C++")

    def __repr__(self) -> str:
        return f"<Device '{self.name}' (snncore runs it in process)>"


#: Brian 2's device names.
all_devices: dict[str, Device] = {name: Device(name) for name in ("runtime", "cpp_standalone")}
_current = all_devices["runtime"]
_previous: list[Device] = []


def _device_for(device: str | Device) -> Device:
    if isinstance(device, Device):
        return device
    if device not in all_devices:
        raise SnnError(f"unknown device {device!r}; Brian 2's devices are "
                       f"{', '.join(repr(d) for d in all_devices)} (snncore runs both in "
                       "process)")
    return all_devices[device]


def set_device(device: str | Device, build_on_run: bool = True, **kwargs) -> None:
    """Choose Brian 2's device; snncore accepts ``'runtime'`` and ``'cpp_standalone'`` with
    any of Brian 2's options, and runs every simulation in process either way."""
    chosen = _device_for(device)
    _previous.append(_current)
    chosen.activate(build_on_run=build_on_run, **kwargs)


def get_device() -> Device:
    """The current device."""
    return _current


def reset_device(device: str | Device | None = None) -> None:
    """Back to the previous device (or to ``device``)."""
    if device is not None:
        _device_for(device).activate()
    else:
        (_previous.pop() if _previous else all_devices["runtime"]).activate()


def reinit_devices() -> None:
    """Reinitialise every device (Brian 2 clears their generated programs)."""
    for dev in all_devices.values():
        dev.reinit()


class _CurrentDevice:
    """Brian 2's ``device``: whatever device is current."""

    def __getattr__(self, name: str):
        return getattr(_current, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(_current, name, value)

    def __repr__(self) -> str:
        return repr(_current)


device = _CurrentDevice()


class _DeviceModule:
    """Brian 2's ``brian2.devices.device_module``, whose ``active_device`` scripts set to
    make a device current in a worker process."""

    @property
    def active_device(self) -> Device:
        return _current

    @active_device.setter
    def active_device(self, value: Device) -> None:
        global _current
        _current = _device_for(value)


device_module = _DeviceModule()


def clear_cache(target: str) -> None:
    """Brian 2 deletes a target's compiled files here. snncore's kernel cache is keyed by
    the hash of each kernel's source, so it never holds a stale kernel: nothing to do."""
    if target not in ("cython", "numba", "numpy", "auto"):
        raise SnnError(f"clear_cache: unknown code generation target {target!r}")


def check_cache(target: str) -> None:
    """Brian 2 reports its cache size here; nothing to report."""

"""Brian 2's devices, accepted so that standalone scripts run unchanged, in process.

Brian 2's ``cpp_standalone`` device turns a script into a C++ program that runs at
``device.build()``. snncore has one way to run: every ``run()`` simulates at once, in
this process. So ``set_device('cpp_standalone', ...)`` is accepted with all its options
and means the same as ``set_device('runtime')``: ``run()`` runs now, ``device.build()``
has nothing left to do, and ``device.reinit()``, ``device.activate()``,
``device.delete()``, ``reset_device()`` are accepted. What only a compiled program can
do (``device.run(run_args=...)`` re-running it with new values, ``insert_code``) raises a
clear error.
"""

from __future__ import annotations

from .errors import SnnError, UnsupportedFeatureError
from .random import seed as _seed


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

    def activate(self, build_on_run: bool = True, **kwargs) -> None:
        """Make this the current device (Brian 2 keeps ``build_on_run`` and the options)."""
        global _current
        self.build_on_run = build_on_run
        self.build_options = kwargs
        if kwargs.get("directory") is not None:
            self.project_dir = kwargs["directory"]
        _current = self

    def build(self, *, run: bool = True, run_args=None, **options) -> None:
        """Brian 2 compiles and runs the program here; snncore has already run every
        ``run()`` call, so there is nothing left to do."""
        if run_args:
            self._no_run_args()
        if options.get("directory") is not None:
            self.project_dir = options["directory"]
        self.has_been_run = self.has_been_run or run

    def run(self, directory=None, results_directory=None, with_output: bool = True,
            run_args=None) -> None:
        """Brian 2 runs the compiled program (again) here: without ``run_args`` the
        simulation has already run in process; with them snncore raises SnnError."""
        if run_args:
            self._no_run_args()
        self.has_been_run = True

    def _no_run_args(self):
        raise UnsupportedFeatureError(
            "device.run(run_args=...) re-runs a compiled standalone program with new "
            "values, and snncore runs every simulation in process: set the values and "
            "call run() again for each (store() once and restore() before each run)")

    def apply_run_args(self) -> None:
        """Brian 2 applies ``run_args`` here; snncore's run() already used the set values."""

    def reinit(self) -> None:
        """Brian 2 clears the generated program here; snncore has none."""
        self.has_been_run = False

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


def clear_cache(target: str) -> None:
    """Brian 2 deletes a target's compiled files here. snncore's kernel cache is keyed by
    the hash of each kernel's source, so it never holds a stale kernel: nothing to do."""
    if target not in ("cython", "numba", "numpy", "auto"):
        raise SnnError(f"clear_cache: unknown code generation target {target!r}")


def check_cache(target: str) -> None:
    """Brian 2 reports its cache size here; nothing to report."""

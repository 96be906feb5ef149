"""Brian 2's ``prefs``: the preferences Brian 2 code sets, mapped onto snncore.

``prefs.codegen.target`` chooses snncore's backend: ``'numpy'`` is the numpy backend,
``'cython'``, ``'auto'`` and ``'numba'`` the Numba backend (the numpy backend where Numba
is missing). Every other preference of Brian 2 (C++ compiler flags, logging, the float
type, ...) is accepted and kept, and has no effect: snncore computes in float64, compiles
with Numba and logs through Python's ``logging``; the two that would change results
(the schedule, legacy refractory timing) only accept their default. An unknown name raises
:class:`~snncore.errors.PreferenceError` naming it and the nearest known names.

snncore adds its own section, ``prefs.snncore``:

- ``prefs.snncore.nonfinite``: what a run does when a variable that model code integrates
  or writes becomes inf or nan: ``'error'`` (the default) raises
  :class:`~snncore.errors.NonFiniteError` naming the variable, the group, the element and
  the time; ``'warn'`` warns and goes on; ``'ignore'`` does not check (see
  :mod:`snncore.nonfinite`).
- ``prefs.snncore.threads``: how many threads a run of the Numba backend uses for
  kernels over many elements: ``0`` (the default) follows Numba's setting
  (``numba.set_num_threads``, at most ``NUMBA_NUM_THREADS``, by default every core), a
  positive number sets it for each run (see :mod:`snncore.backends.threads`). Results
  are the same bits for any number of threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import PreferenceError
from .expressions import did_you_mean

#: Brian 2's preferences with their default values.
DEFAULTS: dict[str, Any] = {
    "codegen.target": "auto",
    "codegen.string_expression_target": "numpy",
    "codegen.loop_invariant_optimisations": True,
    "codegen.max_cache_dir_size": 1000,
    "codegen.cpp.compiler": "",
    "codegen.cpp.define_macros": [],
    "codegen.cpp.extra_compile_args": None,
    "codegen.cpp.extra_compile_args_gcc": ["-w", "-O3", "-ffast-math",
                                           "-fno-finite-math-only", "-march=native",
                                           "-std=c++11"],
    "codegen.cpp.extra_compile_args_msvc": ["/Ox", "/w", "", "/MP"],
    "codegen.cpp.extra_link_args": [],
    "codegen.cpp.headers": [],
    "codegen.cpp.include_dirs": [],
    "codegen.cpp.libraries": [],
    "codegen.cpp.library_dirs": [],
    "codegen.cpp.msvc_architecture": "",
    "codegen.cpp.msvc_vars_location": "",
    "codegen.cpp.runtime_library_dirs": [],
    "codegen.generators.cpp.flush_denormals": False,
    "codegen.generators.cpp.restrict_keyword": "__restrict",
    "codegen.runtime.cython.cache_dir": None,
    "codegen.runtime.cython.delete_source_files": True,
    "codegen.runtime.cython.multiprocess_safe": True,
    "codegen.runtime.numpy.discard_units": False,
    "core.default_float_dtype": np.float64,
    "core.default_integer_dtype": np.int32,
    "core.network.default_schedule": ["start", "groups", "thresholds", "synapses",
                                      "resets", "end"],
    "core.outdated_dependency_error": True,
    "core.stop_on_keyboard_interrupt": True,
    "devices.cpp_standalone.extra_make_args_unix": ["-j"],
    "devices.cpp_standalone.extra_make_args_windows": [],
    "devices.cpp_standalone.make_cmd_unix": "make",
    "devices.cpp_standalone.openmp_spatialneuron_strategy": None,
    "devices.cpp_standalone.openmp_threads": 0,
    "devices.cpp_standalone.run_cmd_unix": "./main",
    "devices.cpp_standalone.run_environment_variables": {"LD_BIND_NOW": "1"},
    "legacy.refractory_timing": False,
    "logging.console_log_level": "INFO",
    "logging.delete_log_on_exit": True,
    "logging.display_brian_error_message": True,
    "logging.file_log": True,
    "logging.file_log_level": "DEBUG",
    "logging.file_log_max_size": 10000000,
    "logging.save_script": True,
    "logging.std_redirection": True,
    "logging.std_redirection_to_file": True,
    "GSL.directory": None,
}
#: snncore's own preferences (Brian 2 has none of these).
SNNCORE_DEFAULTS: dict[str, Any] = {
    "snncore.nonfinite": "error",
    "snncore.threads": 0,
}
DEFAULTS.update(SNNCORE_DEFAULTS)

_TARGETS = {"auto": "numba", "cython": "numba", "numba": "numba", "numpy": "numpy"}


def _apply_target(target: object) -> None:
    from .backends import available_backends
    from .network import set_backend

    if target not in _TARGETS:
        raise PreferenceError(
            f"prefs.codegen.target cannot be {target!r}; choose 'numpy', 'cython', 'auto' "
            "or 'numba' (the last three run the Numba backend)")
    backend = _TARGETS[target]
    set_backend(backend if backend in available_backends() else "numpy")


def _check_float_dtype(dtype: object) -> None:
    if dtype not in (np.float32, np.float64, "float32", "float64"):
        raise PreferenceError(
            f"prefs.core.default_float_dtype cannot be {dtype!r}; use float32 or float64 "
            "(snncore computes in float64 either way)")


def _fixed(key: str, why: str):
    def check(value: object) -> None:
        if value != DEFAULTS[key]:
            raise PreferenceError(f"prefs.{key} cannot be changed in snncore: {why}")
    return check


def _check_nonfinite(mode: object) -> None:
    from .nonfinite import MODES

    if mode not in MODES:
        raise PreferenceError(f"prefs.snncore.nonfinite cannot be {mode!r}; choose "
                              + ", ".join(repr(m) for m in MODES))


def _check_threads(value: object) -> None:
    from .backends.threads import check_threads

    check_threads(value)


_APPLY = {
    "snncore.nonfinite": _check_nonfinite,
    "snncore.threads": _check_threads,
    "codegen.target": _apply_target,
    "core.default_float_dtype": _check_float_dtype,
    "core.network.default_schedule": _fixed(
        "core.network.default_schedule", "its schedule is Brian 2's default (start, groups, "
        "thresholds, synapses, resets, end)"),
    "legacy.refractory_timing": _fixed(
        "legacy.refractory_timing", "it times refractoriness as Brian 2 does by default"),
}


class Preferences:
    """The preferences, read and set by attribute (``prefs.codegen.target``) or by item
    (``prefs['codegen.target']``, ``prefs.codegen['target']``).

    ``prefs`` is the one instance; views of a section (``prefs.codegen``) share its values.
    """

    def __init__(self, values: dict[str, Any], prefix: str = ""):
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_prefix", prefix)

    def _key(self, name: str) -> str:
        return f"{self._prefix}.{name}" if self._prefix else name

    def _is_section(self, key: str) -> bool:
        return any(k.startswith(key + ".") for k in DEFAULTS)

    def _unknown(self, key: str) -> PreferenceError:
        return PreferenceError(f"unknown preference 'prefs.{key}'"
                               + did_you_mean(key, DEFAULTS)
                               + " (snncore knows Brian 2's preferences)")

    def __getitem__(self, name: str) -> Any:
        key = self._key(name)
        if key in self._values:
            return self._values[key]
        if self._is_section(key):
            return Preferences(self._values, key)
        raise self._unknown(key)

    def __setitem__(self, name: str, value: Any) -> None:
        key = self._key(name)
        if key not in DEFAULTS:
            if self._is_section(key):
                entries = ", ".join(k for k in DEFAULTS if k.startswith(key + "."))
                raise PreferenceError(f"'prefs.{key}' is a section, not a preference; its "
                                      f"entries are {entries}")
            raise self._unknown(key)
        if key in _APPLY:
            _APPLY[key](value)
        self._values[key] = value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __contains__(self, name: str) -> bool:
        key = self._key(name)
        return key in self._values or self._is_section(key)

    def __iter__(self):
        start = self._key("") if self._prefix else ""
        return iter([k[len(start):] for k in self._values if k.startswith(start)])

    def __dir__(self):
        start = self._key("") if self._prefix else ""
        return sorted({k[len(start):].split(".")[0] for k in DEFAULTS if k.startswith(start)})

    def reset_to_defaults(self) -> None:
        """Every preference back to its default (the backend to the best available)."""
        self._values.clear()
        self._values.update({k: (v.copy() if isinstance(v, list | dict) else v)
                             for k, v in DEFAULTS.items()})
        _apply_target(self._values["codegen.target"])

    def load_preferences(self) -> None:
        """Brian 2 reads preference files here; snncore has none."""

    def __repr__(self) -> str:
        where = f"prefs.{self._prefix}" if self._prefix else "prefs"
        lines = [f"{where}:"] + [f"  {k} = {self[k]!r}" for k in self]
        return "\n".join(lines)


prefs = Preferences({k: (v.copy() if isinstance(v, list | dict) else v)
                     for k, v in DEFAULTS.items()})
#: Brian 2's old name for ``prefs``.
brian_prefs = prefs


def restore_initial_state() -> None:
    """Brian 2's reset to the state after import: default preferences and ``defaultclock.dt
    = 0.1*ms``."""
    from .network import defaultclock
    from .units import ms

    prefs.reset_to_defaults()
    defaultclock.dt = 0.1 * ms

"""Brian 2's logging calls, on Python's ``logging`` (snncore logs as ``'snncore'``).

``BrianLogger.log_level_info()`` and friends set the level of snncore's logger;
``suppress_name``/``suppress_hierarchy`` and ``std_silent`` are accepted and do nothing,
as snncore has no compiler output to silence.
"""

from __future__ import annotations

import logging


class BrianLogger:
    """A named logger with Brian 2's methods; the class methods set snncore's log level.

    Parameters
    ----------
    name : str
        The logger's name (``get_logger(__name__)``).
    """

    def __init__(self, name: str):
        self._log = logging.getLogger(name)

    def debug(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        self._log.debug(msg)

    def info(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        self._log.info(msg)

    def warn(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        self._log.warning(msg)

    def error(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        self._log.error(msg)

    @staticmethod
    def _level(level: int) -> None:
        logging.getLogger("snncore").setLevel(level)

    @staticmethod
    def log_level_error() -> None:
        BrianLogger._level(logging.ERROR)

    @staticmethod
    def log_level_warn() -> None:
        BrianLogger._level(logging.WARNING)

    @staticmethod
    def log_level_info() -> None:
        BrianLogger._level(logging.INFO)

    @staticmethod
    def log_level_debug() -> None:
        BrianLogger._level(logging.DEBUG)

    @staticmethod
    def log_level_diagnostic() -> None:
        BrianLogger._level(logging.DEBUG)

    @staticmethod
    def suppress_hierarchy(name: str, filter_log_file: bool = False) -> None:
        """Brian 2 hides messages of a module; snncore's are few: accepted, no effect."""

    @staticmethod
    def suppress_name(name: str, filter_log_file: bool = False) -> None:
        """Accepted, no effect (see :meth:`suppress_hierarchy`)."""

    @staticmethod
    def initialize() -> None:
        """Brian 2 sets up its log file here; snncore writes none."""


def get_logger(module_name: str = "snncore") -> BrianLogger:
    """A logger for ``module_name`` with Brian 2's methods (``debug``, ``info``, ``warn``)."""
    return BrianLogger(module_name)


class std_silent:  # noqa: N801 (Brian 2's name)
    """Brian 2 silences compiler output in this context; snncore compiles silently."""

    def __init__(self, alwaysprint: bool = False):
        self.alwaysprint = alwaysprint

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


#: Brian 2's package-level logger.
logger = get_logger("snncore")

"""Exceptions raised by snncore.

Every error a user can trigger with bad input is one of these, with a message that
names the problem; none of them leaks from deep inside numpy or Numba.
"""

from __future__ import annotations

__all__ = [
    "SnnError",
    "ModelSyntaxError",
    "DimensionMismatchError",
    "UnknownIdentifierError",
    "IntegrationMethodError",
    "UnsupportedFeatureError",
    "PreferenceError",
    "IndexingError",
    "MagicError",
    "SweepError",
    "KernelCacheWarning",
    "NonFiniteError",
    "InsufficientMemoryError",
]


class SnnError(Exception):
    """Base class of every error raised by snncore for bad input."""


class ModelSyntaxError(SnnError, SyntaxError):
    """A model string, statement or expression that cannot be parsed or is not allowed."""

    def __init__(self, message: str, source: str | None = None, col: int | None = None):
        self.snn_message = message
        text = message
        if source is not None and len(source) > 160:
            # A long line is shown around the error: the message stays readable.
            start = max((col or 0) - 60, 0)
            window = source[start:start + 120]
            prefix = "..." if start else ""
            col = None if col is None else col - start + len(prefix)
            source = f"{prefix}{window}... ({len(source)} characters)"
        if source is not None:
            text += f"\n    {source}"
            if col is not None:
                text += "\n    " + " " * col + "^"
        super().__init__(text)

    def __str__(self) -> str:  # SyntaxError's own __str__ drops our layout
        return self.args[0]


class DimensionMismatchError(SnnError, ValueError):
    """Two sides of a model line, or an operation, have inconsistent physical dimensions."""


class UnknownIdentifierError(SnnError, NameError):
    """A name in model code that is neither a variable nor an external constant."""


class IntegrationMethodError(SnnError, ValueError):
    """The requested integration method does not apply to the equations."""


class UnsupportedFeatureError(SnnError, NotImplementedError):
    """A Brian 2 feature that snncore does not provide."""


class PreferenceError(SnnError, AttributeError):
    """An unknown preference name, or a value a preference cannot take."""


class IndexingError(SnnError, IndexError):
    """An index of a variable (``G.v[12]``, ``S.w[i, j]``) outside its range or of a bad type."""


class MagicError(SnnError):
    """``run()`` cannot tell which simulation the visible objects belong to."""


class SweepError(SnnError):
    """A point of a parameter sweep whose model raised; ``params`` holds its parameter
    values (and ``seed`` its seed label, if the sweep repeats points), ``__cause__`` the
    model's exception."""

    def __init__(self, message: str, params: dict, seed: int | None = None):
        super().__init__(message)
        self.params = params
        self.seed = seed


class KernelCacheWarning(UserWarning):
    """A damaged or unusable file or folder of the Numba kernel cache, repaired or avoided."""


class NonFiniteError(SnnError, FloatingPointError):
    """A variable became inf or nan during a run (see ``prefs.snncore.nonfinite``)."""


class InsufficientMemoryError(SnnError, MemoryError):
    """A group, connection or recording estimated, before allocating, to need more memory
    than the machine has available."""

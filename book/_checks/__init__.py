"""The chapters' self-checks, and the block "What this page verifies" that shows them.

Each chapter ``book/<chapter>.md`` has a module ``book/_checks/<chapter>.py`` (dashes
become underscores) with one function per figure. A figure's function reads the
chapter's data from the chapter's namespace, compares each quantity with its reference
(Brian 2 on the same model, an analytic value, or the paper's) and returns the records
through :meth:`Checks.done`, which raises :class:`CheckFailed` if any of them failed.
The module's ``verify(ns)`` runs the figure functions in order; its optional
``numbers(ns)`` returns the values that the chapter's prose quotes with ``{glue:text}``.

A chapter calls all of this with one hidden line at its end (see
:func:`snncore.checks.verify`); the tests under ``tests/chapters/`` call the same
functions on the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

#: Sources of the references, as the verification block names them.
BRIAN2 = "Brian 2.9.0, numpy target, same model"
ANALYTIC = "analytic"

#: Units in which values are shown: name -> size in SI.
UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "mV": 1e-3, "Hz": 1.0, "µm": 1e-6, "": 1.0}


class CheckFailed(AssertionError):
    """One or more checks of a chapter's figure failed (the message lists them)."""


@dataclass(frozen=True)
class Check:
    """One checked quantity: one row of the verification block."""

    figure: str
    quantity: str
    value: str
    reference: str
    source: str
    tolerance: str
    passed: bool

    @property
    def outcome(self) -> str:
        """'pass' or 'FAIL'."""
        return "pass" if self.passed else "FAIL"


def _fmt(x, unit: str = "") -> str:
    """A short text for a number, a small array, or the size of a large one."""
    scale = UNITS[unit]
    suffix = f" {unit}" if unit else ""
    if isinstance(x, str):
        return x
    a = np.asarray(x)
    if a.dtype == bool and a.ndim == 0:
        return "yes" if a else "no"
    if a.ndim == 0:
        v = float(a) / scale
        whole = np.isfinite(v) and v == int(v) and abs(v) < 1e9
        return (f"{int(v)}" if whole else f"{v:.4g}") + suffix
    if a.size <= 3:
        return "[" + ", ".join(_fmt(v, "") for v in (a.ravel() / scale)) + "]" + suffix
    return f"{a.size} values"


class Checks:
    """The checks of one figure, collected in order.

    Parameters
    ----------
    figure : str
        What the rows check: the label of a figure (``fig-syn-simplest``) or of an
        exercise (``ex-syn-jumps``), which the book's block links to, or a short name.
    """

    def __init__(self, figure: str) -> None:
        self.figure = figure
        self.records: list[Check] = []

    def _add(self, quantity, value, reference, source, tolerance, passed) -> bool:
        self.records.append(Check(self.figure, quantity, value, reference, source,
                                  tolerance, bool(passed)))
        return bool(passed)

    def close(self, quantity: str, actual, expected, *, source: str, atol: float = 0.0,
              rtol: float = 0.0, unit: str = "") -> bool:
        """``actual`` equals ``expected`` within ``atol + rtol*|expected|`` everywhere."""
        a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
        ok = a.shape == e.shape and bool(np.allclose(a, e, atol=atol, rtol=rtol))
        parts = [f"{atol / UNITS[unit]:g}{' ' + unit if unit else ''}" if atol else "",
                 f"{rtol:g} relative" if rtol else ""]
        tolerance = " + ".join(p for p in parts if p) or "exact"
        value = _fmt(a, unit)
        if a.size > 3 and a.shape == e.shape:
            worst = float(np.max(np.abs(a - e))) / UNITS[unit] if a.size else 0.0
            value += f", largest difference {worst:.2g}{' ' + unit if unit else ''}"
        elif a.shape != e.shape:
            value += f" (shape {a.shape}, reference {e.shape})"
        return self._add(quantity, value, _fmt(e, unit), source, tolerance, ok)

    def equal(self, quantity: str, actual, expected, *, source: str, unit: str = "") -> bool:
        """``actual == expected`` exactly (counts, index lists, pairs)."""
        a, e = np.asarray(actual), np.asarray(expected)
        ok = a.shape == e.shape and bool(np.array_equal(a, e))
        value = _fmt(a, unit)
        if a.size > 3:
            value += ", identical" if ok else (
                f", {int(np.sum(a != e))} differ" if a.shape == e.shape else
                f" (shape {a.shape}, reference {e.shape})")
        return self._add(quantity, value, _fmt(e, unit), source, "exact", ok)

    def within(self, quantity: str, actual, low=None, high=None, *, source: str,
               unit: str = "", reference: str | None = None) -> bool:
        """``low <= actual <= high`` (either bound may be omitted)."""
        a = float(actual)
        ok = (low is None or a >= low) and (high is None or a <= high)
        if low is not None and high is not None:
            bound = f"{_fmt(low, unit)} to {_fmt(high, unit)}"
        elif low is not None:
            bound = f"at least {_fmt(low, unit)}"
        else:
            bound = f"at most {_fmt(high, unit)}"
        return self._add(quantity, _fmt(a, unit), reference or bound, source,
                         "bound" if reference is None else bound, ok)

    def true(self, quantity: str, condition, *, source: str, value: str = "",
             reference: str = "", tolerance: str = "") -> bool:
        """A property that holds or not (the values say what was compared)."""
        ok = bool(np.all(condition))
        return self._add(quantity, value or ("yes" if ok else "no"), reference or "yes",
                         source, tolerance or "exact", ok)

    def done(self) -> list[Check]:
        """The records; raises :class:`CheckFailed` naming every failed one."""
        failed = [r for r in self.records if not r.passed]
        if failed:
            raise CheckFailed("\n".join(
                f"{self.figure}: {r.quantity}: {r.value}, reference {r.reference} "
                f"({r.source}, tolerance {r.tolerance})" for r in failed))
        return self.records


def _cell(text: str) -> str:
    """Table-cell text: pipes escaped, no line breaks."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _target(figure: str) -> str:
    """A figure's or an exercise's label as a link to it (a label that does not exist
    fails the book's build), any other name as it is."""
    return f"{{numref}}`{figure}`" if figure.startswith(("fig-", "ex-")) else _cell(figure)


class Verification:
    """The collapsed block "What this page verifies", shown in the book and in Jupyter."""

    TITLE = "What this page verifies"

    def __init__(self, records: list[Check]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def _summary(self) -> str:
        passed = sum(r.passed for r in self.records)
        return (f"{passed} of {len(self.records)} checks passed in this build. Each row "
                "compares a number of this page, computed when the page was built, with "
                "its reference; a failed check stops the build.")

    def _repr_markdown_(self) -> str:
        head = ["Figure or exercise", "Quantity", "This build", "Reference", "Source", "Tolerance",
                "Outcome"]
        rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for r in self.records:
            rows.append("| " + " | ".join([_target(r.figure)] + [_cell(x) for x in (
                r.quantity, r.value, r.reference, r.source, r.tolerance, r.outcome)]) + " |")
        return (f":::{{dropdown}} {self.TITLE}\n\n{self._summary()}\n\n"
                + "\n".join(rows) + "\n\n:::\n")

    def _repr_html_(self) -> str:
        from html import escape

        body = "".join(
            "<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in (
                r.figure, r.quantity, r.value, r.reference, r.source, r.tolerance,
                r.outcome)) + "</tr>" for r in self.records)
        head = "".join(f"<th>{h}</th>" for h in (
            "Figure or exercise", "Quantity", "This build", "Reference", "Source", "Tolerance",
            "Outcome"))
        return (f"<details><summary>{self.TITLE}</summary><p>{escape(self._summary())}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                "</details>")


def page(module: ModuleType, ns: dict) -> Verification:
    """Run a chapter's checks on its namespace, glue its quoted numbers, return the block."""
    records = module.verify(ns)
    numbers = getattr(module, "numbers", None)
    if numbers is not None:
        from myst_nb import glue

        for name, value in numbers(ns).items():
            # Plain Python numbers: {glue:text}`name:.1f` formats their text, which for
            # a numpy scalar would be 'np.float64(...)'.
            glue(name, value.item() if isinstance(value, np.generic) else value,
                 display=False)
    return Verification(records)

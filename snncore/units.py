"""Physical units as plain SI floats, and the dimension algebra used to check models.

A quantity in snncore is a float in SI units (``ms == 1e-3``): there is no overhead and
values pass straight into compiled kernels. Dimensions exist only while checking model
strings: every declared unit is parsed to a :class:`Dimension` and every expression's
dimension is inferred from them.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import numpy as np

from .errors import ModelSyntaxError

# Order of the SI base dimensions in a Dimension's exponent tuple.
_BASE = ("m", "kg", "s", "A", "K", "mol", "cd")


@dataclass(frozen=True)
class Dimension:
    """Exponents of the seven SI base units."""

    exps: tuple[float, ...] = (0.0,) * 7

    def __mul__(self, other: Dimension) -> Dimension:
        return Dimension(tuple(a + b for a, b in zip(self.exps, other.exps, strict=True)))

    def __truediv__(self, other: Dimension) -> Dimension:
        return Dimension(tuple(a - b for a, b in zip(self.exps, other.exps, strict=True)))

    def __pow__(self, power: float) -> Dimension:
        return Dimension(tuple(a * power for a in self.exps))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dimension):
            return NotImplemented
        return all(abs(a - b) < 1e-9 for a, b in zip(self.exps, other.exps, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(round(a, 6) for a in self.exps))

    @property
    def is_dimensionless(self) -> bool:
        return self == DIMENSIONLESS

    def __str__(self) -> str:
        for name, dim in _DIM_NAMES:
            if dim == self:
                return name
        for name, dim in _DIM_NAMES[1:]:
            if dim != DIMENSIONLESS and dim**-1 == self:
                return f"1/{name}"
        parts = []
        for sym, e in zip(_BASE, self.exps, strict=True):
            if abs(e) > 1e-9:
                e_str = f"{e:g}"
                parts.append(sym if e_str == "1" else f"{sym}^{e_str}")
        return " ".join(parts)

    __repr__ = __str__


def _dim(**exps: float) -> Dimension:
    return Dimension(tuple(float(exps.get(b, 0.0)) for b in _BASE))


DIMENSIONLESS = _dim()
SECOND = _dim(s=1)
METRE = _dim(m=1)
KILOGRAM = _dim(kg=1)
AMP = _dim(A=1)
VOLT = _dim(kg=1, m=2, s=-3, A=-1)
SIEMENS = _dim(kg=-1, m=-2, s=3, A=2)
FARAD = _dim(kg=-1, m=-2, s=4, A=2)
OHM = SIEMENS**-1
HERTZ = SECOND**-1

# Names used when printing a dimension, most familiar first.
_DIM_NAMES: list[tuple[str, Dimension]] = [
    ("1", DIMENSIONLESS),
    ("second", SECOND),
    ("volt", VOLT),
    ("amp", AMP),
    ("siemens", SIEMENS),
    ("farad", FARAD),
    ("ohm", OHM),
    ("metre", METRE),
    ("kilogram", KILOGRAM),
    ("volt/second", VOLT / SECOND),
    ("amp/second", AMP / SECOND),
    ("siemens/second", SIEMENS / SECOND),
    ("second^-0.5", SECOND**-0.5),
    ("metre^2", METRE**2),
    ("siemens/metre^2", SIEMENS / METRE**2),
    ("farad/metre^2", FARAD / METRE**2),
    ("amp/metre^2", AMP / METRE**2),
]

_PREFIXES = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "c": 1e-2, "k": 1e3, "M": 1e6, "G": 1e9}


def _build_unit_table() -> dict[str, tuple[float, Dimension]]:
    table: dict[str, tuple[float, Dimension]] = {}
    # (long names, short name, dimension, prefixes allowed)
    base = [
        (("second",), "s", SECOND, "munp"),
        (("metre", "meter"), "m", METRE, "cmunp"),
        (("amp", "ampere"), "A", AMP, "munp"),
        (("volt",), "V", VOLT, "munpk"),
        (("siemens",), "S", SIEMENS, "munp"),
        (("farad",), "F", FARAD, "munp"),
        (("ohm",), None, OHM, "kMG"),
        (("hertz",), "Hz", HERTZ, "kM"),
        (("kilogram",), "kg", KILOGRAM, ""),
        (("gram",), "g", KILOGRAM, "m"),
    ]
    for longs, short, dim, prefixes in base:
        scale0 = 1e-3 if longs[0] == "gram" else 1.0
        for name in longs + ((short,) if short else ()):
            table[name] = (scale0, dim)
        for p in prefixes:
            for name in longs + ((short,) if short else ()):
                table[p + name] = (scale0 * _PREFIXES[p], dim)
    # Areas, used by conductance-density models (Hodgkin-Huxley).
    for name in ("metre", "meter", "cmetre", "cmeter", "mmetre", "mmeter", "umetre", "umeter",
                 "cm", "mm", "um"):
        scale, dim = table[name]
        table[name + "2"] = (scale**2, dim**2)
        table[name + "3"] = (scale**3, dim**3)
    table["metre"] = table["meter"] = (1.0, METRE)
    # Bare symbols ('A', 's', 'g', ...) and a few short names ('ns') are too easily a
    # user's own constant, and Brian 2 does not know them in model code either.
    for name in _NOT_IN_BRIAN:
        table.pop(name, None)
    return table


_NOT_IN_BRIAN = {"m", "A", "F", "S", "V", "g", "s", "kg", "mg", "nm", "ns", "pm", "ps"}


#: Every unit name usable in model strings: name -> (scale in SI, dimension).
UNITS: dict[str, tuple[float, Dimension]] = _build_unit_table()

class UnitConstant(float):
    """A unit constant: a plain SI float that also scales lists (``[10, 100]*ms``).

    Brian 2 users write ``[10, 100]*ms``; with plain floats that would be an error, so
    unit constants accept sequences and return arrays. Every other result is a float.
    """

    def __mul__(self, other):
        if isinstance(other, list | tuple):
            return np.asarray(other, dtype=float) * float(self)
        return float(self) * other

    __rmul__ = __mul__

    def __rtruediv__(self, other):
        if isinstance(other, list | tuple):
            return np.asarray(other, dtype=float) / float(self)
        return other / float(self)


# Module-level float constants, ``from snncore.units import ms``.
CONSTANTS = {name: UnitConstant(scale) for name, (scale, _dim_) in UNITS.items()}
globals().update(CONSTANTS)

second: float
ms: float
us: float
Hz: float
kHz: float
volt: float
mV: float
amp: float
nA: float
pA: float
siemens: float
nS: float
uS: float
msiemens: float
farad: float
ufarad: float
nF: float
pF: float
ohm: float
Mohm: float
metre: float
cm: float
mm: float
um: float
umetre: float

#: Names exported by ``from snncore import *``.
EXPORTED_UNITS = sorted(UNITS)


def parse_unit(text: str, line: str | None = None) -> Dimension:
    """Parse the unit annotation of a model line (``volt``, ``siemens/metre**2``, ``1``).

    Parameters
    ----------
    text : str
        The annotation, e.g. ``'mV/ms'``.
    line : str, optional
        The whole model line, shown in error messages.

    Returns
    -------
    Dimension
        Only the dimension is kept; all values are SI floats.
    """
    text = text.strip()
    if text in ("1", "", "boolean", "integer"):
        return DIMENSIONLESS
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ModelSyntaxError(f"cannot parse the unit '{text}'", line or text) from exc

    def visit(node: ast.AST) -> Dimension:
        if isinstance(node, ast.Name):
            if node.id not in UNITS:
                raise ModelSyntaxError(f"unknown unit '{node.id}' in '{text}'", line or text)
            return UNITS[node.id][1]
        if isinstance(node, ast.Constant) and node.value == 1:
            return DIMENSIONLESS
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mult):
                return visit(node.left) * visit(node.right)
            if isinstance(node.op, ast.Div):
                return visit(node.left) / visit(node.right)
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant | ast.UnaryOp):
                power = ast.literal_eval(node.right)
                if isinstance(power, int | float) and math.isfinite(power):
                    return visit(node.left) ** float(power)
        raise ModelSyntaxError(f"cannot parse the unit '{text}'", line or text)

    return visit(tree.body)

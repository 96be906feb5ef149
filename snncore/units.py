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
from .source import parse, shorten

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

# SI prefixes by power of ten. Brian 2 knows every one of them for every named unit; the
# four that are not powers of 1000 (c, d, da, h) are left out of the names model code
# sees by default (see MODEL_UNITS).
_PREFIXES = {
    "y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6, "m": -3,
    "c": -2, "d": -1, "da": 1, "h": 2,
    "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18, "Z": 21, "Y": 24,
}
_NOT_DEFAULT_PREFIXES = ("c", "d", "da", "h")

MOLE = _dim(mol=1)
KELVIN = _dim(K=1)
CANDELA = _dim(cd=1)
JOULE = _dim(kg=1, m=2, s=-2)

# Named SI units: (names, dimension, power of ten of the unit itself, takes prefixes,
# takes the powers 2 and 3).
_NAMED = [
    (("metre", "meter"), METRE, 0, True, True),
    (("kilogram", "kilogramme"), KILOGRAM, 0, False, True),
    (("second",), SECOND, 0, True, True),
    (("amp", "ampere"), AMP, 0, True, True),
    (("kelvin",), KELVIN, 0, False, True),
    (("mole", "mol"), MOLE, 0, True, True),
    (("candle",), CANDELA, 0, True, True),
    (("gram", "gramme"), KILOGRAM, -3, True, True),
    (("molar",), MOLE / METRE**3, 3, True, True),
    (("radian", "steradian"), DIMENSIONLESS, 0, True, True),
    (("hertz",), HERTZ, 0, True, True),
    (("newton",), _dim(kg=1, m=1, s=-2), 0, True, True),
    (("pascal",), _dim(kg=1, m=-1, s=-2), 0, True, True),
    (("joule",), JOULE, 0, True, True),
    (("watt",), JOULE / SECOND, 0, True, True),
    (("coulomb",), AMP * SECOND, 0, True, True),
    (("volt",), VOLT, 0, True, True),
    (("farad",), FARAD, 0, True, True),
    (("ohm",), OHM, 0, True, True),
    (("siemens",), SIEMENS, 0, True, True),
    (("weber",), VOLT * SECOND, 0, True, True),
    (("tesla",), VOLT * SECOND / METRE**2, 0, True, True),
    (("henry",), OHM * SECOND, 0, True, True),
    (("lumen",), CANDELA, 0, True, True),
    (("lux",), CANDELA / METRE**2, 0, True, True),
    (("becquerel",), HERTZ, 0, True, True),
    (("gray", "sievert"), JOULE / KILOGRAM, 0, True, True),
    (("katal",), MOLE / SECOND, 0, True, True),
    (("liter", "litre"), METRE**3, -3, True, False),
]

# Brian 2's short names (brian2.units.stdunits), as aliases of the long ones.
_SHORT = {
    "mV": "mvolt", "mA": "mamp", "uA": "uamp", "nA": "namp", "pA": "pamp",
    "pF": "pfarad", "uF": "ufarad", "nF": "nfarad", "nS": "nsiemens", "uS": "usiemens",
    "mS": "msiemens", "ms": "msecond", "us": "usecond", "Hz": "hertz", "kHz": "khertz",
    "MHz": "Mhertz", "cm": "cmetre", "cm2": "cmetre2", "cm3": "cmetre3", "mm": "mmetre",
    "mm2": "mmetre2", "mm3": "mmetre3", "um": "umetre", "um2": "umetre2", "um3": "umetre3",
    "mM": "mmolar", "uM": "umolar", "nM": "nmolar",
}


def _build_unit_table() -> tuple[dict[str, tuple[float, Dimension]], set[str]]:
    """Every unit name with its SI scale and dimension, and the names model code sees."""
    table: dict[str, tuple[float, Dimension]] = {}
    model: set[str] = set()
    for names, dim, exp10, prefixed, powered in _NAMED:
        prefixes = {"": 0, **(_PREFIXES if prefixed else {})}
        dims = {power: dim**power for power in ((1, 2, 3) if powered else (1,))}
        for name in names:
            for prefix, prefix_exp in prefixes.items():
                for power, power_dim in dims.items():
                    full = f"{prefix}{name}{power if power > 1 else ''}"
                    # 10.0**n is exact to the last bit, (1e-3)**2 is not.
                    table[full] = (10.0 ** ((exp10 + prefix_exp) * power), power_dim)
                    if prefix not in _NOT_DEFAULT_PREFIXES or name in ("liter", "litre"):
                        model.add(full)
    for short, long in _SHORT.items():
        table[short] = table[long]
        if short != "mS":  # as in Brian 2, whose default unit namespace lacks 'mS'
            model.add(short)
    return table, model


_TABLE, _MODEL_NAMES = _build_unit_table()

#: Every unit name ``from snncore import *`` provides (Brian 2's ``allunits`` and short
#: names): name -> (scale in SI, dimension). Unit annotations may use any of them.
ALL_UNITS: dict[str, tuple[float, Dimension]] = _TABLE

#: The unit names model code always sees, whatever the namespace holds (Brian 2's
#: ``DEFAULT_UNITS``): the others (``cmetre``, ``dalitre``) are found like any other
#: external name, as in Brian 2.
UNITS: dict[str, tuple[float, Dimension]] = {n: _TABLE[n] for n in _TABLE if n in _MODEL_NAMES}

#: Physical constants of ``brian2.units.constants`` (CODATA 2014, as Brian 2 has them):
#: name -> (value in SI, dimension).
PHYSICAL_CONSTANTS: dict[str, tuple[float, Dimension]] = {
    "avogadro_constant": (6.022140857e23, MOLE**-1),
    "boltzmann_constant": (1.38064852e-23, JOULE / KELVIN),
    "electric_constant": (8.854187817e-12, FARAD / METRE),
    "electron_mass": (9.10938356e-31, KILOGRAM),
    "elementary_charge": (1.6021766208e-19, AMP * SECOND),
    "faraday_constant": (96485.33289, AMP * SECOND / MOLE),
    "gas_constant": (8.3144598, JOULE / MOLE / KELVIN),
    "magnetic_constant": (4 * math.pi * 1e-7, OHM * SECOND / METRE),
    "molar_mass_constant": (1e-3, KILOGRAM / MOLE),
    "zero_celsius": (273.15, KELVIN),
}


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


# Module-level float constants, ``from snncore.units import ms``: every unit and physical
# constant. Their dimensions are in ALL_UNITS and PHYSICAL_CONSTANTS.
CONSTANTS = {name: UnitConstant(value)
             for name, (value, _dim_) in (ALL_UNITS | PHYSICAL_CONSTANTS).items()}
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
EXPORTED_UNITS = sorted(CONSTANTS)


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
        tree = parse(text, "eval")
    except ModelSyntaxError as exc:
        if "nested too deeply" in exc.snn_message:
            raise
        raise ModelSyntaxError(f"cannot parse the unit '{shorten(text)}'", line or text) from None

    def visit(node: ast.AST) -> Dimension:
        if isinstance(node, ast.Name):
            if node.id not in ALL_UNITS:
                raise ModelSyntaxError(f"unknown unit '{node.id}' in '{text}'", line or text)
            return ALL_UNITS[node.id][1]
        if isinstance(node, ast.Constant) and node.value == 1:
            return DIMENSIONLESS
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mult):
                return visit(node.left) * visit(node.right)
            if isinstance(node.op, ast.Div):
                return visit(node.left) / visit(node.right)
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant | ast.UnaryOp):
                try:
                    power = ast.literal_eval(node.right)
                except ValueError:  # volt**-x
                    power = None
                if isinstance(power, int | float) and math.isfinite(power):
                    return visit(node.left) ** float(power)
        raise ModelSyntaxError(f"cannot parse the unit '{text}'", line or text)

    return visit(tree.body)

"""Unit constants are SI floats; unit annotations parse to dimensions."""

import math

import pytest

import snncore
from snncore.errors import ModelSyntaxError
from snncore.units import (
    AMP,
    DIMENSIONLESS,
    FARAD,
    HERTZ,
    METRE,
    OHM,
    SECOND,
    SIEMENS,
    VOLT,
    Dimension,
    parse_unit,
)


@pytest.mark.parametrize("name, value", [
    ("second", 1.0), ("ms", 1e-3), ("us", 1e-6), ("Hz", 1.0), ("kHz", 1e3),
    ("volt", 1.0), ("mV", 1e-3), ("uvolt", 1e-6), ("amp", 1.0), ("nA", 1e-9), ("pA", 1e-12),
    ("siemens", 1.0), ("nS", 1e-9), ("uS", 1e-6), ("msiemens", 1e-3),
    ("farad", 1.0), ("ufarad", 1e-6), ("pF", 1e-12), ("nF", 1e-9),
    ("ohm", 1.0), ("Mohm", 1e6), ("kohm", 1e3), ("Gohm", 1e9),
    ("metre", 1.0), ("meter", 1.0), ("cm", 1e-2), ("mm", 1e-3), ("um", 1e-6),
    ("umetre", 1e-6), ("cmetre", 1e-2), ("umetre2", 1e-12), ("cm2", 1e-4),
])
def test_unit_constants_are_si_floats(name, value):
    constant = getattr(snncore, name)
    assert isinstance(constant, float)
    assert math.isclose(constant, value, rel_tol=1e-15)


def test_star_import_exports_units():
    namespace = {}
    exec("from snncore import *", namespace)
    for name in ("ms", "mV", "nS", "Mohm", "umetre", "Hz", "pA", "NeuronGroup", "run"):
        assert name in namespace


def test_unit_arithmetic_is_float_arithmetic():
    from snncore import Mohm, ms, mV, nA, nS, ufarad, umetre

    assert 10 * mV / (100 * Mohm) == pytest.approx(0.1 * nA)
    assert 1 / (10 * nS) == pytest.approx(100 * Mohm)
    assert (20000 * umetre**2) == pytest.approx(2e-8)
    assert 1 * ufarad / (1e-2) ** 2 * 20000 * umetre**2 == pytest.approx(200e-12)
    assert 1 / (10 * ms) == pytest.approx(100.0)


@pytest.mark.parametrize("text, dim", [
    ("1", DIMENSIONLESS), ("second", SECOND), ("ms", SECOND), ("volt", VOLT),
    ("mV", VOLT), ("amp", AMP), ("nA", AMP), ("siemens", SIEMENS), ("nS", SIEMENS),
    ("farad", FARAD), ("pF", FARAD), ("ohm", OHM), ("Mohm", OHM), ("Hz", HERTZ),
    ("metre", METRE), ("um", METRE), ("volt/second", VOLT / SECOND),
    ("mV/ms", VOLT / SECOND), ("siemens/metre**2", SIEMENS / METRE**2),
    ("siemens/meter**2", SIEMENS / METRE**2), ("metre**-2", METRE**-2),
    ("second**-0.5", SECOND**-0.5), ("umetre2", METRE**2), ("amp*ohm", VOLT),
    ("boolean", DIMENSIONLESS), ("integer", DIMENSIONLESS),
])
def test_parse_unit(text, dim):
    assert parse_unit(text) == dim


def test_dimension_algebra():
    assert VOLT / OHM == AMP
    assert SIEMENS * VOLT == AMP
    assert FARAD * VOLT / SECOND == AMP
    assert SECOND * HERTZ == DIMENSIONLESS
    assert (SECOND**-0.5) ** 2 == HERTZ
    assert OHM == SIEMENS**-1
    assert DIMENSIONLESS.is_dimensionless and not VOLT.is_dimensionless
    assert hash(VOLT / OHM) == hash(AMP)
    assert isinstance(VOLT, Dimension)


def test_dimension_names():
    assert str(VOLT) == "volt"
    assert str(VOLT / SECOND) == "volt/second"
    assert str(DIMENSIONLESS) == "1"
    assert str(HERTZ) in ("1/second", "hertz", "Hz")


@pytest.mark.parametrize("text", ["furlong", "mV +", "volt**v", "2*volt"])
def test_bad_units(text):
    with pytest.raises(ModelSyntaxError, match="unit"):
        parse_unit(text)

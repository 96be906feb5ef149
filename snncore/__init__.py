"""snncore: a compact spiking neural network simulator with Brian 2-style model strings.

``from snncore import *`` gives the simulation objects, the unit constants (SI floats:
``ms == 1e-3``) and the math functions that model code may use.
"""

from __future__ import annotations

from math import e, inf, pi

from numpy import (
    arccos,
    arcsin,
    arctan,
    ceil,
    clip,
    cos,
    cosh,
    exp,
    floor,
    log,
    log10,
    sign,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)

from . import units as _units
from .errors import (
    DimensionMismatchError,
    IntegrationMethodError,
    ModelSyntaxError,
    SnnError,
    UnknownIdentifierError,
)
from .groups import NeuronGroup
from .inputs import PoissonGroup, SpikeGeneratorGroup
from .monitors import PopulationRateMonitor, SpikeMonitor, StateMonitor
from .network import (
    Network,
    defaultclock,
    get_backend,
    restore,
    run,
    set_backend,
    start_scope,
    store,
)
from .poissoninput import PoissonInput
from .random import seed
from .synapses import Synapses

globals().update(_units.CONSTANTS)

__version__ = "0.1.0"

__all__ = [
    "NeuronGroup",
    "Synapses",
    "SpikeGeneratorGroup",
    "PoissonGroup",
    "PoissonInput",
    "StateMonitor",
    "SpikeMonitor",
    "PopulationRateMonitor",
    "Network",
    "run",
    "start_scope",
    "store",
    "restore",
    "defaultclock",
    "seed",
    "set_backend",
    "get_backend",
    "SnnError",
    "ModelSyntaxError",
    "DimensionMismatchError",
    "UnknownIdentifierError",
    "IntegrationMethodError",
    "pi", "e", "inf",
    "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "arcsin", "arccos", "arctan", "clip", "floor", "ceil", "sign",
    *_units.EXPORTED_UNITS,
]

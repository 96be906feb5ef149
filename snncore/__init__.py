"""snncore: a compact spiking neural network simulator with Brian 2-style model strings.

``from snncore import *`` provides what ``from brian2 import *`` provides: the simulation
objects, every unit of ``brian2.units.allunits`` and the physical constants of
``brian2.units.constants`` (SI floats: ``ms == 1e-3``), Brian 2's helpers (``prefs``,
``set_device``, ``Equations``, ...), placeholders that explain the Brian 2 names snncore
does not support, and numpy's and pylab's names (``linspace``, ``plot``, ``show``).

Every public name bound in this module is exported. ``import snncore`` alone does not
import matplotlib: pylab's names are loaded on first use, or by the star import (through
the module ``__getattr__`` below, which builds ``__all__``).
"""

import builtins
from importlib.util import find_spec as _find_spec
from math import e, inf, pi
from types import ModuleType as _ModuleType

import numpy
import numpy as np
from numpy import (
    arccos,
    arcsin,
    arctan,
    ceil,
    clip,
    cos,
    cosh,
    exp,
    expm1,
    floor,
    log,
    log1p,
    log10,
    sign,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)

from . import units as _units
from .devices import (
    Device,
    all_devices,
    check_cache,
    clear_cache,
    device,
    get_device,
    reinit_devices,
    reset_device,
    set_device,
)
from .equations import Equations
from .errors import (
    DimensionMismatchError,
    IntegrationMethodError,
    MagicError,
    ModelSyntaxError,
    PreferenceError,
    SnnError,
    SweepError,
    UnknownIdentifierError,
    UnsupportedFeatureError,
)
from .functions import (
    DEFAULT_FUNCTIONS,
    Function,
    check_units,
    declare_types,
    exprel,
    implementation,
    timestep,  # Brian 2 scripts import it from brian2.core.functions
)
from .groups import NeuronGroup, Subgroup, linked_var
from .inputs import PoissonGroup, SpikeGeneratorGroup
from .logger import BrianLogger, get_logger, logger, std_silent
from .monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
from .namespace import get_local_namespace
from .network import (
    Clock,
    MagicNetwork,
    Network,
    collect,
    defaultclock,
    get_backend,
    magic_network,
    restore,
    run,
    set_backend,
    start_scope,
    stop,
    store,
)
from .network_operation import NetworkOperation, network_operation
from .poissoninput import PoissonInput
from .prefs import brian_prefs, prefs, restore_initial_state
from .quantities import (
    DEFAULT_CONSTANTS,
    DEFAULT_UNITS,
    Quantity,
    Unit,
    get_dimensions,
    get_or_create_dimension,
    get_unit,
    have_same_dimensions,
    in_best_unit,
    in_unit,
    is_dimensionless,
    is_scalar_type,
)
from .random import seed
from .summaries import profiling_summary
from .sweep import sweep
from .synapses import Synapses
from .timedarray import TimedArray
from .unsupported import PLACEHOLDERS as _PLACEHOLDERS

# Brian 2's star import leaves pylab's gray() (a colour map) in place of the unit gray.
_PYLAB_WINS = ("gray",)
_UNIT_NAMES = [name for name in _units.EXPORTED_UNITS if name not in _PYLAB_WINS]
globals().update({name: _units.CONSTANTS[name] for name in _UNIT_NAMES})

# Brian 2's state updater objects are the method names here, so method=euler works too.
exact, linear, independent, euler, heun, rk2, rk4, exponential_euler, milstein = (
    "exact", "linear", "independent", "euler", "heun", "rk2", "rk4", "exponential_euler",
    "milstein")

# Brian 2 wraps errors raised inside its objects in this class; snncore raises SnnError.
BrianObjectException = SnnError

__version__ = "0.1.0"

# Placeholders only for the names that are not real here.
_PLACEHOLDER_NAMES = [name for name in _PLACEHOLDERS if name not in globals()]
globals().update({name: _PLACEHOLDERS[name] for name in _PLACEHOLDER_NAMES})

# Names of `from pylab import *` that Brian 2 removes from its namespace, being common
# variable names.
_PYLAB_DROPPED = ("x", "f", "rate")


def _pylab_names() -> dict:
    """The names ``from pylab import *`` binds (numpy's alone without matplotlib).

    As in Brian 2, ``sum``, ``all``, ``any`` and ``divmod`` are numpy's (``all()`` of a
    generator is then always true: pass a list), while pylab itself restores Python's
    ``max``, ``min``, ``round``, ``abs``, ``pow``, ``bool`` and ``bytes``.
    """
    namespace: dict = {}
    try:
        exec("from pylab import *", namespace)  # checked: a fixed import statement
    except ImportError:
        imports = ("from numpy import *\nfrom numpy.fft import *\nfrom numpy.linalg import *\n"
                   "from numpy.random import *")
        exec(imports, namespace)  # checked: fixed import statements
    return {k: v for k, v in namespace.items()
            if not k.startswith("_") and k not in _PYLAB_DROPPED}


def _own_names() -> list[str]:
    """Every public name bound in this module (so a name imported here is exported), but
    not the attributes naming snncore's submodules."""
    return [name for name, value in globals().items()
            if not name.startswith("_")
            and not (isinstance(value, _ModuleType)
                     and value.__name__.startswith(("snncore.", "builtins")))]


def _load_pylab() -> list[str]:
    # Names of snncore's submodules (random, connect, ...) are not rebound to pylab's
    # functions of the same name, so `from . import random` keeps working: the star import
    # leaves those few out (numpy's are np.random.random, ...).
    own = _own_names()
    pylab = {k: v for k, v in _pylab_names().items() if k not in globals()}
    globals().update(pylab)
    return [*own, *pylab]


def __getattr__(name: str):
    # pylab's names, and the full __all__ of the star import, on first use. A submodule
    # not imported yet is no such use: `from . import philox` asks for it here first,
    # and importing matplotlib then would add a second to a run's first step.
    if name.startswith("_") and name != "__all__" or \
            _find_spec(f"{__name__}.{name}") is not None:
        raise AttributeError(f"module 'snncore' has no attribute '{name}'")
    if "__all__" not in globals():
        globals()["__all__"] = _load_pylab()
    if name in globals():
        return globals()[name]
    raise AttributeError(f"module 'snncore' has no attribute '{name}'")

"""``from snncore import *`` provides what ``from brian2 import *`` provides.

Brian 2 (the oracle) is imported inside the tests: its units, physical constants and
public names are compared with snncore's, and every Brian 2 name snncore lacks must be an
explicit placeholder that raises a clear error.
"""

import math
import pkgutil
import subprocess
import sys
import types

import numpy as np
import pytest

import snncore
from snncore import units
from snncore.errors import DimensionMismatchError, UnsupportedFeatureError
from snncore.unsupported import PENDING, PLACEHOLDERS, UNSUPPORTED, Unsupported


@pytest.fixture(scope="module")
def star():
    namespace = {}
    exec("from snncore import *", namespace)
    return namespace


@pytest.fixture(scope="module")
def brian2_star():
    namespace = {}
    exec("from brian2 import *", namespace)
    return {k: v for k, v in namespace.items()
            if k != "__builtins__" and not isinstance(v, types.ModuleType)}


def _brian_dim(quantity) -> tuple:
    from brian2 import get_dimensions

    return tuple(float(x) for x in get_dimensions(quantity)._dims)


def _brian_units():
    import brian2.units.allunits as allunits
    from brian2.units.stdunits import stdunits

    names = [n for n in allunits.__all__ if n != "celsius"] + list(stdunits) + ["mS"]
    return {name: getattr(allunits, name, None) or stdunits.get(name)
            or getattr(__import__("brian2"), name) for name in names}


def test_every_brian2_unit_has_its_si_value_and_dimension():
    brian = _brian_units()
    assert len(brian) > 2000
    for name, unit in brian.items():
        value, dim = units.ALL_UNITS[name]
        assert value == pytest.approx(float(unit), rel=1e-14), name
        assert dim.exps == _brian_dim(unit), name
        assert getattr(snncore.units, name) == value


def test_star_import_has_every_unit_and_physical_constant(star):
    import brian2.units.constants as constants

    for name in _brian_units():
        if name != "gray":  # pylab's gray() wins, as in Brian 2's star import
            assert star[name] == units.ALL_UNITS[name][0], name
    names = [n for n in dir(constants) if n.endswith(("_constant", "_mass", "_charge"))
             or n == "zero_celsius"]
    assert len(names) == 10
    for name in names:
        assert star[name] == pytest.approx(float(getattr(constants, name)), rel=1e-15), name
        assert units.PHYSICAL_CONSTANTS[name][1].exps == _brian_dim(getattr(constants, name))


def test_model_code_sees_brian2_default_units_first():
    from brian2 import DEFAULT_UNITS

    assert set(units.UNITS) == set(DEFAULT_UNITS)


def test_star_import_provides_every_brian2_name(brian2_star, star):
    # pylab's names of snncore's submodules (random, connect) are left out: they stay
    # modules.
    submodules = {m.name for m in pkgutil.iter_modules(snncore.__path__)}
    missing = sorted(n for n in set(brian2_star) - set(star) if n not in submodules)
    assert missing == [], f"Brian 2 names neither provided nor marked unsupported: {missing}"


def test_placeholders_are_only_for_names_snncore_lacks():
    real = [name for name in PLACEHOLDERS if not isinstance(getattr(snncore, name), Unsupported)]
    assert real == [], f"now real in snncore, remove from snncore/unsupported.py: {real}"


def test_snncore_names_win_over_pylab_ones(brian2_star, star):
    from pylab import figure, linspace, plot, show, xlabel

    assert star["seed"] is snncore.seed
    assert star["cm"] == 0.01 and star["e"] == math.e
    assert star["plot"] is plot and star["figure"] is figure and star["show"] is show
    assert star["xlabel"] is xlabel and star["linspace"] is linspace
    assert star["np"] is np and star["numpy"] is np
    assert "f" not in star and "rate" not in star  # dropped by Brian 2 as well
    # Brian 2's star import binds numpy's sum, all, any and divmod, and Python's max,
    # min, round, abs, pow and bool (restored by pylab).
    for name in ("sum", "all", "any", "divmod", "max", "min", "round", "abs", "pow", "bool"):
        assert star[name] is brian2_star[name], name
    assert isinstance(snncore.random, types.ModuleType)  # not numpy's random()


def test_import_snncore_alone_does_not_import_matplotlib():
    code = ("import sys, snncore; assert 'matplotlib' not in sys.modules; "
            "from snncore import *; assert 'matplotlib.pyplot' in sys.modules; "
            "print(plot.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "matplotlib.pyplot"


def test_running_a_model_imports_no_plotting_or_sweep_packages():
    # A submodule imported on first use (`from .. import philox` in a backend) used to
    # load pylab through the package's __getattr__: a second of a first run.
    code = ("import sys, snncore as snn\n"
            "for backend in ('numpy', 'numba'):\n"
            "    snn.set_backend(backend)\n"
            "    snn.start_scope()\n"
            "    G = snn.NeuronGroup(2, 'dv/dt = (1.5 - v)/(10*ms) : 1', threshold='v > 1',\n"
            "                        reset='v = 0', method='exact')\n"
            "    S = snn.Synapses(G, G, on_pre='v += 0.1')\n"
            "    S.connect(p=1)\n"
            "    M = snn.SpikeMonitor(G)\n"
            "    snn.run(20*snn.ms)\n"
            "heavy = ('matplotlib', 'pylab', 'pandas', 'dask', 'xarray', 'ipywidgets', "
            "'IPython')\n"
            "print(sorted(name for name in heavy if name in sys.modules), M.num_spikes > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["[]", "True"]


@pytest.mark.parametrize("use", [
    lambda obj: obj(1),
    lambda obj: obj.anything,
    lambda obj: 2 * obj,
    lambda obj: isinstance(3, obj),
    lambda obj: types.new_class("Sub", (obj,)),
])
def test_placeholders_explain_themselves(star, use):
    with pytest.raises(UnsupportedFeatureError,
                       match="SpatialNeuron is a Brian 2 feature snncore does not support: "
                             "multicompartment"):
        use(star["SpatialNeuron"])


def test_placeholder_attributes_are_absent_for_hasattr(star):
    assert not hasattr(star["SpatialNeuron"], "contained_objects")


def test_placeholder_lists_do_not_overlap():
    assert not set(UNSUPPORTED) & set(PENDING)


def test_method_names_are_brian2_state_updaters(star):
    for name in ("exact", "euler", "heun", "rk2", "rk4", "exponential_euler", "milstein"):
        assert star[name] == name


def test_model_code_uses_brian2_units_and_constants(backend):
    from snncore import NeuronGroup, faraday_constant, run, umetre  # noqa: F401

    vol = 1000 * umetre**3
    group = NeuronGroup(1, "dc/dt = I/(faraday_constant*vol) : mmolar\nI : amp")
    group.I = 1e-12
    run(0.2 * snncore.ms)
    assert group.c[0] == pytest.approx(2e-4 * 1e-12 / (96485.33289 * vol), rel=1e-9)
    with pytest.raises(DimensionMismatchError, match="mol"):
        NeuronGroup(1, "dc/dt = I/(coulomb/mole) : mmolar\nI : amp")


def test_quantity_helpers_on_plain_floats():
    from snncore import (
        Quantity,
        Unit,
        check_units,
        get_dimensions,
        get_or_create_dimension,
        get_unit,
        have_same_dimensions,
        in_unit,
        is_scalar_type,
        ms,
        mV,
        nS,
        volt,
    )
    from snncore.errors import SnnError

    @check_units(x=volt, result=volt)
    def double(x):
        return 2 * x

    assert double(3 * mV) == pytest.approx(6e-3)
    assert get_dimensions(mV) == units.VOLT and get_unit(mV) is volt
    assert have_same_dimensions(mV, volt) and not have_same_dimensions(mV, nS)
    assert get_or_create_dimension(m=2, kg=1, s=-3, A=-1) == units.VOLT
    assert get_or_create_dimension(length=1, time=-1) == units.METRE / units.SECOND
    assert in_unit(0.003, mV) == "3.0 mV"
    assert isinstance(mV, Unit) and not isinstance(3 * mV, Unit)
    assert isinstance(3 * mV, Quantity) and isinstance(np.zeros(2), Quantity)
    assert Quantity(2.0) == 2.0 and Quantity([1, 2], dim=None).tolist() == [1.0, 2.0]
    assert is_scalar_type(3.0) and not is_scalar_type(np.zeros(2))
    with pytest.raises(SnnError, match="cannot tell the dimension of 0.003"):
        get_dimensions(3 * ms)
    with pytest.raises(SnnError, match="needs a unit constant"):
        in_unit(0.003, 2 * mV)

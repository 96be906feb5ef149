"""Bad input raises a snncore error whose message names what is wrong."""

import re

import numpy as np
import pytest

import snncore
from snncore import (
    DimensionMismatchError,
    IntegrationMethodError,
    ModelSyntaxError,
    NeuronGroup,
    SnnError,
    SpikeMonitor,
    StateMonitor,
    UnknownIdentifierError,
    defaultclock,
    ms,
    run,
)


def test_error_classes_share_a_base():
    for cls in (ModelSyntaxError, DimensionMismatchError, UnknownIdentifierError,
                IntegrationMethodError):
        assert issubclass(cls, SnnError)
    assert snncore.errors.SnnError is SnnError


def test_malformed_equation_shows_the_line():
    line = "dv/dt = (1-v/tau : 1"
    with pytest.raises(ModelSyntaxError, match=re.escape(line)):
        NeuronGroup(1, line)


def test_malformed_line_among_good_ones_is_the_one_shown():
    with pytest.raises(ModelSyntaxError, match=re.escape("dw/dt = w + : 1")) as info:
        NeuronGroup(1, """dv/dt = -v/(10*ms) : 1
                          dw/dt = w + : 1""")
    assert "dv/dt" not in str(info.value)


def test_missing_unit():
    with pytest.raises(ModelSyntaxError, match=r"(?s)unit.*dv/dt = -v/tau"):
        NeuronGroup(1, "dv/dt = -v/tau")


def test_unknown_unit():
    with pytest.raises(ModelSyntaxError, match=r"unknown unit 'mvolt_x'"):
        NeuronGroup(1, "v : mvolt_x")


def test_unknown_flag():
    with pytest.raises(ModelSyntaxError, match=r"flag 'sometimes'"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) : 1 (sometimes)")


def test_unknown_identifier_at_run_suggests_close_matches(backend):
    tau = 10 * ms  # noqa: F841 - the name the model meant
    G = NeuronGroup(1, "dv/dt = -v/tua : 1")  # noqa: F841 - constructing is fine
    with pytest.raises(UnknownIdentifierError, match=r"'tua'.*did you mean.*'tau'"):
        run(1 * ms)


def test_unit_inconsistency_names_both_dimensions():
    with pytest.raises(DimensionMismatchError,
                       match=r"(?s)dv/dt = -v : volt.*volt/second.*\bvolt\b") as info:
        NeuronGroup(1, "dv/dt = -v : volt")
    message = str(info.value)
    assert "volt/second" in message and re.search(r"\bvolt\b(?!/)", message)


def test_unit_inconsistency_in_a_sum():
    with pytest.raises(DimensionMismatchError, match=r"volt.*amp|amp.*volt"):
        NeuronGroup(1, """dv/dt = (v + I)/(10*ms) : volt
                          I : amp""")


def test_setting_an_undefined_variable():
    G = NeuronGroup(3, "v : 1")
    with pytest.raises(SnnError, match=r"'w'"):
        G.w = 1


def test_reading_an_undefined_variable_suggests_close_matches():
    G = NeuronGroup(3, "volt_like : 1")
    with pytest.raises(AttributeError, match=r"'volt_lik'.*did you mean.*'volt_like'"):
        G.volt_lik  # noqa: B018


def test_reset_updates_an_undefined_variable():
    """``w = 0`` declares a temporary (as in Brian 2), but ``w += 1`` reads it first."""
    with pytest.raises(SnnError, match=r"'w' is not a variable .*assigned with '='.*"
                                       r"line 'w \+= 1'"):
        NeuronGroup(3, "v : 1", threshold="v > 1", reset="w += 1")


def test_wrong_length_array():
    G = NeuronGroup(3, "v : 1")
    with pytest.raises(SnnError, match=r"2 values.*3"):
        G.v = [1, 2]
    np.testing.assert_array_equal(G.v, [0, 0, 0])


def test_setting_with_wrong_units():
    from snncore import mV

    G = NeuronGroup(3, "v : volt")
    G.v = "-70*mV"
    assert np.allclose(G.v, -70 * mV)
    with pytest.raises(DimensionMismatchError, match=r"volt"):
        G.v = "-70*ms"


def test_threshold_must_be_boolean():
    with pytest.raises(SnnError, match=r"boolean"):
        NeuronGroup(3, "v : 1", threshold="v")


BAD_CODE = ["__import__('os').system('touch {marker}')", "v.real", "(lambda: 1)()",
            "open('{marker}', 'w')"]


@pytest.mark.parametrize("code", BAD_CODE, ids=["import", "attribute", "lambda", "open"])
@pytest.mark.parametrize("where", ["model", "assignment", "threshold", "reset"])
def test_disallowed_constructs_are_rejected_before_anything_runs(backend, tmp_path,
                                                                 monkeypatch, code, where):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "marker"
    code = code.format(marker=marker.name)
    with pytest.raises(ModelSyntaxError, match=r"not allowed|only plain function calls"):
        if where == "model":
            G = NeuronGroup(3, f"dv/dt = {code}/second : 1")
        elif where == "assignment":
            G = NeuronGroup(3, "v : 1")
            G.v = code
        elif where == "threshold":
            G = NeuronGroup(3, "v : 1", threshold=f"{code} > 0")
        else:
            G = NeuronGroup(3, "v : 1", threshold="v > 0", reset=f"v = {code}")
        run(0.5 * ms)
    assert not marker.exists()
    assert list(tmp_path.iterdir()) == []


def test_disallowed_external_function(backend):
    f = np.exp  # noqa: F841 - a callable in the namespace is not a model function
    with pytest.raises(SnnError, match=r"function 'f' is not allowed"):
        G = NeuronGroup(1, "dv/dt = f(v)/second : 1")  # noqa: F841 - found by run()
        run(1 * ms)


@pytest.mark.parametrize("value", ["ten", print, [1, 2]], ids=["str", "function", "list"])
def test_external_constant_that_is_not_a_number(backend, value):
    tau = value  # noqa: F841
    G = NeuronGroup(1, "dv/dt = -v/tau : 1")  # noqa: F841
    with pytest.raises(SnnError, match=r"'tau'"):
        run(1 * ms)


def test_unknown_method():
    with pytest.raises(IntegrationMethodError, match=r"'rk45'.*exact.*euler"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", method="rk45")


def test_method_that_does_not_apply():
    with pytest.raises(IntegrationMethodError, match=r"'rk4'.*stochastic"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) + xi/sqrt(10*ms) : 1", method="rk4")


@pytest.mark.parametrize("value", [-0.1 * ms, 0.0, float("nan")])
def test_nonpositive_defaultclock_dt(value):
    with pytest.raises(SnnError, match=r"dt"):
        defaultclock.dt = value
    assert defaultclock.dt == 0.1 * ms


@pytest.mark.parametrize("value", [-0.1 * ms, 0.0])
def test_nonpositive_group_dt(backend, value):
    with pytest.raises(SnnError, match=r"dt"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", dt=value)
        run(1 * ms)


def test_negative_monitor_dt(backend):
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1")
    M = StateMonitor(G, "v", dt=-1 * ms)  # noqa: F841
    with pytest.raises(SnnError, match=r"dt"):
        run(1 * ms)


def test_negative_run_duration(backend):
    NeuronGroup(1, "dv/dt = -v/(10*ms) : 1")
    with pytest.raises(SnnError, match=r"duration"):
        run(-1 * ms)


def test_unless_refractory_without_refractory_period():
    with pytest.raises(SnnError, match=r"unless refractory.*refractory period"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) : 1 (unless refractory)", threshold="v > 1",
                    reset="v = 0")


def test_negative_refractory_period():
    with pytest.raises(SnnError, match=r"refractory"):
        NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", refractory=-1 * ms)


def test_monitor_of_unknown_variable_or_index():
    G = NeuronGroup(3, "v : 1", threshold="v > 1")
    with pytest.raises(SnnError, match=r"'w'"):
        StateMonitor(G, "w")
    with pytest.raises(SnnError, match=r"index 5.*0 to 2"):
        StateMonitor(G, "v", record=[0, 5])
    with pytest.raises(SnnError, match=r"'w'"):
        SpikeMonitor(G, variables="w")


def test_reserved_and_duplicate_names():
    with pytest.raises(ModelSyntaxError, match=r"'t' is a reserved name"):
        NeuronGroup(1, "t : second")
    with pytest.raises(ModelSyntaxError, match=r"'v' is defined twice"):
        NeuronGroup(1, "v : 1\nv : 1")


def test_a_parameter_named_like_noise_is_a_parameter():
    # Only xi and xi_<name> are noise terms; 'xinh' is an ordinary parameter.
    G = NeuronGroup(1, """dv/dt = (xinh - v)/(10*ms) : volt
                          xinh : volt""")
    assert G.xinh[0] == 0.0
    with pytest.raises(DimensionMismatchError, match=r"dv/dt has dimension .*right-hand side"):
        NeuronGroup(1, "dv/dt = xinh/(10*ms) : volt\nxinh : 1")

"""The slider explorer of the chapters: re-run on a slider move, or on a Run button."""

from __future__ import annotations

import matplotlib
import pytest

from snncore.errors import SnnError
from snncore.widgets import Explorer, Slider

matplotlib.use("Agg")


def _draw(fig, data):
    fig.subplots().plot([0, 1], [0, data["a"]])


def test_update_reruns_the_model_with_si_values():
    explorer = Explorer(lambda a: {"a": a}, _draw, {"a": Slider("a (ms)", 0, 10, 1, 2, 1e-3)})
    assert explorer.data == {"a": pytest.approx(2e-3)}
    assert explorer.update(a=5e-3) == {"a": 5e-3}
    with pytest.raises(KeyError, match="no slider named b"):
        explorer.update(b=1)


def test_run_button_reruns_and_the_progress_advances():
    bars = []

    def model(a, report):
        for k in range(1, 5):  # as snncore's run(..., report=report) calls it
            report(0.1 * k, k / 4, 0.0, 1.0)
            bar = report.__self__._progress_bar  # the explorer's bar, once shown
            bars.append(None if bar is None else bar.value)
        return {"a": a}

    explorer = Explorer(model, _draw, {"a": Slider("a", 0, 10, 1, 2)}, run_button=True)
    assert explorer.data == {"a": 2} and explorer.progress == 1.0
    explorer.show()  # outside Jupyter, display() prints the widgets' reprs
    explorer.values["a"] = 7  # what a slider move does in this mode: no re-run
    assert explorer.data == {"a": 2}
    explorer.button.click()
    assert explorer.data == {"a": 7}
    assert bars[-4:] == [25, 50, 75, 100]
    assert explorer.progress == 1.0 and not explorer.button.disabled
    assert explorer.update(a=3) == {"a": 3}  # update() still works directly


def test_a_slider_value_off_its_grid_is_refused():
    with pytest.raises(SnnError, match="'weight w \\(mV\\)': the value 4.86 is not on its grid"):
        Slider("weight w (mV)", 2, 6, 0.1, 4.86)
    with pytest.raises(SnnError, match="needs low < high"):
        Slider("w", 1, 1, 0.1, 1)
    assert Slider("weight w (mV)", 2, 6, 0.02, 4.86).value == 4.86


def test_the_readout_shows_as_many_decimals_as_the_step():
    assert Slider("J", 0, 0.3, 0.005, 0.1).readout_format == ".3f"
    assert Slider("A", 0.001, 0.02, 0.001, 0.01).readout_format == ".3f"
    assert Slider("rate", 100, 1000, 50, 500).readout_format == ".0f"
    assert Slider("U", 0.05, 1, 0.05, 0.45).readout_format == ".2f"


def test_an_error_in_a_slider_callback_is_shown_under_the_sliders():
    def model(a):
        if a > 0.5:
            raise ValueError("a is too large for this model")
        return {"a": a}

    explorer = Explorer(model, _draw, dict(a=Slider("a", 0, 1, 0.1, 0.2)))
    explorer.show()
    explorer._guarded(a=0.9)
    shown = "".join(o.get("text", "") for o in explorer._errors.outputs)
    assert "ValueError: a is too large for this model" in shown
    explorer._guarded(a=0.3)  # a good value clears the message and redraws
    assert explorer._errors.outputs == () and explorer.data == {"a": 0.3}

"""Sliders that re-run a chapter's model and redraw its figure in place.

An :class:`Explorer` holds a model function (parameters -> data) and a drawing
function (axes, data -> None). :meth:`Explorer.update` re-runs and redraws; it is what a
slider calls, and what tests call to check that a change reaches the figure. In Jupyter
the sliders update it. In a book build (see :mod:`snncore.frames`), :meth:`Explorer.show`
precomputes the figure over a grid of slider stops instead and shows a control that needs
no kernel: the static site's sliders swap precomputed images.

For models that take seconds, ``Explorer(..., run_button=True)`` does not re-run on every
slider move: the sliders only set the parameters, a "Run" button re-runs, and a progress
bar follows the run. The model then receives a ``report`` keyword, a callable to pass to
``run(..., report=report)``, which calls it as ``report(elapsed, completed, start,
duration)``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from . import frames
from .errors import SnnError


@dataclass
class Slider:
    """One control: a range in the units shown to the reader, and the SI scale.

    The value must lie on the grid ``low + k*step`` within the range, because the
    slider snaps to that grid and would otherwise show one value while the figure
    uses another.
    """

    label: str
    low: float
    high: float
    step: float
    value: float
    scale: float = 1.0  # SI value = shown value * scale

    def __post_init__(self) -> None:
        if not (self.step > 0 and self.low < self.high):
            raise SnnError(f"slider '{self.label}': needs low < high and a positive step, "
                           f"got low={self.low}, high={self.high}, step={self.step}")
        k = (self.value - self.low) / self.step
        if not (self.low <= self.value <= self.high) or abs(k - round(k)) > 1e-9:
            raise SnnError(f"slider '{self.label}': the value {self.value} is not on its grid "
                           f"{self.low}, {self.low + self.step:g}, ... {self.high}")

    @property
    def readout_format(self) -> str:
        """As many decimals as the step has (a step of 0.005 shows 0.115, not 0.12)."""
        text = np.format_float_positional(self.step, trim="-")
        return f".{len(text.partition('.')[2])}f"


class Explorer:
    """A figure whose model re-runs when a slider moves.

    Parameters
    ----------
    model : callable
        ``model(**params) -> data``, with parameters in SI units.
    draw : callable
        ``draw(fig, data) -> None``; draws on a cleared figure.
    sliders : dict of Slider
        One per parameter of ``model``.
    figsize : (float, float)
    run_button : bool
        If true, moving a slider only sets its parameter; a "Run" button re-runs the model,
        which is called with an extra keyword ``report`` (see :meth:`report`) and shown
        in a progress bar. For models that take more than a moment.
    stops : int or dict
        The static site's control: at least this many stops per slider, the default
        among them; or per slider name, a number or a list of the values (in the units
        shown) to precompute, such as those the text mentions.
    max_states : int
        The static site's control precomputes every combination of the stops if there
        are at most this many, else one slider at a time from the defaults. Lower it for
        slow models: the book's build time and size grow with it.
    parallel : bool
        Precompute on the build's worker processes (the default), or in this process:
        for a model that uses objects built outside it (a stored network), which cannot
        be sent to other processes.
    """

    def __init__(self, model: Callable[..., object], draw: Callable[[plt.Figure, object], None],
                 sliders: dict[str, Slider], figsize: tuple[float, float] = (8, 4),
                 run_button: bool = False, stops: int | dict = frames.MIN_STOPS,
                 max_states: int = 100, parallel: bool = True):
        self.model, self.draw, self.sliders = model, draw, sliders
        self.run_button = run_button
        self.stops, self.max_states, self.parallel = stops, max_states, parallel
        self._static = None  # the static control's HTML, once precomputed
        self.progress = 0.0  # completed fraction of the current run, as last reported
        self.button = None  # the Run button, once shown
        self._progress_bar = None
        self._errors = None  # the output area under the sliders, once shown
        self.values = {name: s.value * s.scale for name, s in sliders.items()}
        self.fig = plt.figure(figsize=figsize)
        # Shown only by show(): otherwise the inline backend would also print it at the
        # end of the cell that created the explorer.
        plt.close(self.fig)
        self.data = None
        self._handle = None
        self.update()

    def update(self, **values: float) -> object:
        """Re-run the model with changed parameters (SI units) and redraw; return its data."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise KeyError(f"no slider named {', '.join(sorted(unknown))}")
        self.values.update(values)
        if self.run_button:
            self.progress = 0.0
            self.data = self.model(**self.values, report=self.report)
        else:
            self.data = self.model(**self.values)
        self.fig.clear()
        self.draw(self.fig, self.data)
        if self._handle is not None:
            self._handle.update(self.fig)
        return self.data

    def report(self, elapsed: float, completed: float, start: float, duration: float) -> None:
        """Progress of a run (the signature of ``run(..., report=callable)``).

        ``completed`` is the fraction done; a model that runs in several stages may map it
        onto the whole before passing it on. Moves the progress bar, if shown.
        """
        self.progress = float(completed)
        if self._progress_bar is not None:
            self._progress_bar.value = round(100 * self.progress)

    def show(self) -> None:
        """Display the sliders and the figure; in a book build, the static control."""
        from IPython.display import HTML, display

        if frames.folder() is not None:
            display(HTML(self.static_html()))
            return
        import ipywidgets as widgets

        controls = []
        for name, s in self.sliders.items():
            # One slider per row with a fixed width, so a long label cannot squeeze the
            # track to nothing.
            control = widgets.FloatSlider(value=s.value, min=s.low, max=s.high, step=s.step,
                                          description=s.label, continuous_update=False,
                                          readout_format=s.readout_format,
                                          style={"description_width": "initial"},
                                          layout=widgets.Layout(width="520px"))
            if self.run_button:
                control.observe(lambda change, name=name, scale=s.scale:
                                self.values.update({name: change["new"] * scale}),
                                names="value")
            else:
                control.observe(lambda change, name=name, scale=s.scale:
                                self._guarded(**{name: change["new"] * scale}), names="value")
            controls.append(control)
        display(widgets.VBox(controls))
        if self.run_button:
            self.button = widgets.Button(description="Run", button_style="primary")
            self._progress_bar = widgets.IntProgress(value=100, min=0, max=100,
                                                     description="progress")
            self.button.on_click(lambda _: self._run_clicked())
            display(widgets.HBox([self.button, self._progress_bar]))
        self._errors = widgets.Output()
        display(self._errors)
        self._handle = display(self.fig, display_id=True)

    def static_html(self) -> str:
        """The kernel-free control of the static site (precomputed on the first call, into
        the folder of :func:`snncore.frames.folder`)."""
        if self._static is None:
            out = frames.folder()
            if out is None:
                raise SnnError(f"no folder for precomputed frames: ${frames.FRAMES_ENV} is "
                               "set only while the book is built")
            precomputed = frames.precompute(
                self, out, stops=self.stops, max_states=self.max_states,
                scheduler=None if self.parallel else "synchronous")
            self._static = precomputed.html(alt="The figure for the values of the sliders")
        return self._static

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """What ``glue(name, explorer)`` stores: the static control in a book build,
        else the current figure."""
        if frames.folder() is not None:
            return {"text/html": self.static_html()}
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", bbox_inches="tight")
        return {"image/png": buffer.getvalue()}

    def _guarded(self, **values: float) -> None:
        """:meth:`update` from a widget: JupyterLab shows a callback's exception only in
        its log console, so the error is printed under the sliders instead."""
        self._errors.outputs = ()
        try:
            self.update(**values)
        except Exception as error:  # noqa: BLE001 - shown to the reader, not swallowed
            self._errors.append_stdout(f"{type(error).__name__}: {error}\n")

    def _run_clicked(self) -> None:
        self.button.disabled = True
        try:
            self._guarded()
        finally:
            self.button.disabled = False

"""Explorers on the static site: figures precomputed over a grid of slider stops, and the
kernel-free control that swaps them.

A static page has no kernel to re-run a model. When the book is built, the Sphinx
extension :mod:`snncore.sphinxext` sets ``$SNNCORE_EXPLORER_FRAMES`` to a folder of the
site before any chapter runs; an :class:`~snncore.widgets.Explorer` shown while it is set
runs its model over a grid of slider positions with :func:`snncore.sweep` (in parallel on
a local dask cluster), writes one image per state into that folder, and shows a control
of plain HTML range inputs that the page's script (``static/explorer.js``) turns into a
figure swap. Outside a book build (Jupyter, tests) nothing here runs.

Every slider gets at least ``stops`` positions on the site, its default among them (a
uniform stride through the default, plus both ends). If the product of all stops holds at
most ``max_states`` states, every combination is precomputed; otherwise the sliders move
one at a time from the defaults (the others return to their defaults), which the page
says. Before the control is shown, a random sample of its states is run again in this
process and its frames compared pixel for pixel, so a frame never shows another model
run than the values beside it.
"""

from __future__ import annotations

import hashlib
import html
import inspect
import io
import itertools
import json
import math
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import random as snnrandom
from .errors import SnnError

if TYPE_CHECKING:
    from .widgets import Explorer, Slider

__all__ = ["FRAMES_ENV", "SCHEDULER_ENV", "REPORT_ENV", "ROOT_TOKEN", "folder",
           "stop_indices", "Plan", "plan", "Frames", "precompute"]

#: The folder a book build collects frames in; set by :mod:`snncore.sphinxext`.
FRAMES_ENV = "SNNCORE_EXPLORER_FRAMES"
#: The dask scheduler that computes the frames of a book build (one for the whole build);
#: without it, each explorer's sweep starts a local cluster of its own.
SCHEDULER_ENV = "SNNCORE_EXPLORER_SCHEDULER"
#: A file to which each explorer of a book build appends a line of JSON: its states, their
#: size and the CPU seconds they took (the extension summarises them at the end).
REPORT_ENV = "SNNCORE_EXPLORER_REPORT"
#: Written where the page's address of the frames folder belongs; each page gets its own
#: relative address from the Sphinx extension, so the site works from any folder.
ROOT_TOKEN = "@@snncore-explorer-frames@@/"
# Pixels per inch of a frame: matplotlib's default, the size the inline figures had.
DPI = 100
# White margin kept around the drawn area of the default figure, in inches.
PAD = 0.05
# Characters of a frame's content hash in its file name.
NAME_LENGTH = 24
# Stops per slider unless an explorer says otherwise (at least).
MIN_STOPS = 9
# States of each explorer run again in the kernel and compared with their frames.
CHECKS = 3


def folder() -> Path | None:
    """The folder for frames when a book build runs this process, else None.

    Returns
    -------
    Path or None
    """
    value = os.environ.get(FRAMES_ENV)
    return Path(value) if value else None


def stop_indices(slider: Slider, stops: int | Sequence[float]) -> list[int]:
    """Grid positions of ``slider`` (0 = ``low``) that the site precomputes.

    Given a number: a uniform stride through the default that gives at least ``stops``
    positions, plus both ends (every position if the slider has no more). Given values
    (in the units shown): those, and the default.

    Parameters
    ----------
    slider : Slider
    stops : int or sequence of float
        At least this many positions (at least 2), or the values to precompute.

    Returns
    -------
    list of int
        Sorted positions, the default's among them.
    """
    positions = round((slider.high - slider.low) / slider.step) + 1
    default = round((slider.value - slider.low) / slider.step)
    if not isinstance(stops, int | np.integer):
        found = {default}
        for value in stops:
            value = round(float(value), 10)  # 6.0000000000000036 from np.arange is 6
            k = (value - slider.low) / slider.step
            if not (slider.low <= value <= slider.high) or abs(k - round(k)) > 1e-9:
                raise SnnError(f"slider '{slider.label}': the stop {value} is not on its "
                               f"grid {slider.low}, {slider.low + slider.step:g}, ... "
                               f"{slider.high}")
            found.add(round(k))
        return sorted(found)
    if stops < 2:
        raise SnnError(f"an explorer needs at least 2 stops per slider, got {stops}")
    if positions <= stops:
        return list(range(positions))
    stride = (positions - 1) // (stops - 1)
    return sorted(set(range(default % stride, positions, stride)) | {0, positions - 1})


def _shown(slider: Slider, position: int) -> float:
    # Rounded to 10 decimals: the number a reader would type, e.g. 0.45 and not
    # 0.45000000000000007, so the default position gives exactly the slider's value.
    return round(slider.low + position * slider.step, 10)


@dataclass
class Plan:
    """The states of one static control.

    ``values[k]`` are the shown values of slider ``k``'s stops, ``default[k]`` the index
    of its default among them; ``states`` are tuples of stop indices, one per slider.
    ``single`` is true when the sliders move one at a time from the defaults.
    """

    names: list[str]
    values: list[list[float]]
    default: tuple[int, ...]
    single: bool
    states: list[tuple[int, ...]] = field(default_factory=list)


def plan(sliders: dict[str, Slider], stops: int | dict[str, int | Sequence[float]],
         max_states: int) -> Plan:
    """Which states a control precomputes: every combination if at most ``max_states``,
    else one slider at a time from the defaults.

    Parameters
    ----------
    sliders : dict of Slider
    stops : int or dict
        At least this many stops per slider, or per slider name a number or the values
        (see :func:`stop_indices`; a slider left out gets 9).
    max_states : int
        The most states of a full cross product.

    Returns
    -------
    Plan
    """
    names = list(sliders)
    values, default = [], []
    if isinstance(stops, dict):
        unknown = set(stops) - set(sliders)
        if unknown:
            raise SnnError(f"stops given for {', '.join(sorted(unknown))}, which is not a "
                           f"slider of the explorer ({', '.join(sliders)})")
    for name, slider in sliders.items():
        positions = stop_indices(slider, stops.get(name, MIN_STOPS)
                                 if isinstance(stops, dict) else stops)
        values.append([_shown(slider, p) for p in positions])
        default.append(positions.index(round((slider.value - slider.low) / slider.step)))
    default = tuple(default)
    counts = [len(v) for v in values]
    single = math.prod(counts) > max_states
    if single:
        states = [default] + [default[:k] + (i,) + default[k + 1:]
                              for k, n in enumerate(counts) for i in range(n)
                              if i != default[k]]
    else:
        states = list(itertools.product(*(range(n) for n in counts)))
    return Plan(names, values, default, single, states)


@dataclass
class _Canvas:
    """How a frame is drawn: the figure's size, the pixels kept, the notebook's rcParams."""

    figsize: tuple[float, float]
    crop: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels from the top left
    rc: dict[str, Any]


def _rc() -> dict[str, Any]:
    """The rcParams that differ from matplotlib's defaults (a chapter's style), without
    those that choose a backend: worker processes draw with their own defaults."""
    import matplotlib as mpl

    skip = ("backend", "backend_fallback", "interactive")
    return {key: value for key, value in mpl.rcParams.items()
            if key not in skip and value != mpl.rcParamsDefault[key]}


def _render(draw: Callable, data: object, canvas: _Canvas) -> np.ndarray:
    """The figure ``draw`` makes of ``data``, as RGB pixels cropped to ``canvas.crop``."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with mpl.rc_context(canvas.rc):
        # A Figure of its own, not pyplot's: nothing is left open, and the drawing does
        # not depend on which backend the process selected.
        fig = Figure(figsize=canvas.figsize, dpi=DPI)
        agg = FigureCanvasAgg(fig)
        draw(fig, data)
        agg.draw()
        pixels = np.asarray(agg.buffer_rgba())
    x0, y0, x1, y1 = canvas.crop
    return np.ascontiguousarray(pixels[y0:y1, x0:x1, :3])


def _crop(draw: Callable, data: object, figsize: tuple[float, float],
          rc: dict[str, Any]) -> tuple[int, int, int, int]:
    """The drawn area of the default figure plus a margin: every frame keeps these pixels,
    so all frames have one size and the page does not jump."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with mpl.rc_context(rc):
        fig = Figure(figsize=figsize, dpi=DPI)
        agg = FigureCanvasAgg(fig)
        draw(fig, data)
        agg.draw()
        box = fig.get_tightbbox(agg.get_renderer())  # inches
    width, height = round(figsize[0] * DPI), round(figsize[1] * DPI)
    x0 = max(0, math.floor((box.x0 - PAD) * DPI))
    x1 = min(width, math.ceil((box.x1 + PAD) * DPI))
    y0 = max(0, height - math.ceil((box.y1 + PAD) * DPI))
    y1 = min(height, height - math.floor((box.y0 - PAD) * DPI))
    return x0, y0, x1, y1


def _encode(pixels: np.ndarray) -> bytes:
    """Lossless WebP: the page shows exactly the pixels drawn, at a fraction of a PNG's size
    (plots are mostly flat colour). Effort 2 of 6: on the book's plots, effort 3 and above
    took twice as long to encode for files under 1% smaller."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="WEBP", lossless=True, quality=50, method=2)
    return buffer.getvalue()


def _decode(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _no_progress(elapsed: float, completed: float, start: float, duration: float) -> None:
    """The ``report`` a Run-button model gets while frames are precomputed: no bar."""


class _FrameModel:
    """One state's frame, as a sweep runs it on a worker: run the model, draw, encode and
    write the image (named by its content) into the frames folder; return the name.

    ``__wrapped__`` is the chapter's model, so that the sweep sends the notebook constants
    its model strings name; ``__signature__`` names the sliders, which the grid gives.
    """

    def __init__(self, explorer: Explorer, canvas: _Canvas, out: Path):
        self.model, self.draw = explorer.model, explorer.draw
        self.run_button = explorer.run_button
        self.canvas, self.out = canvas, str(out)
        self.__wrapped__ = explorer.model
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY)
             for name in explorer.sliders])

    def data(self, **params: float) -> object:
        if self.run_button:
            return self.model(**params, report=_no_progress)
        return self.model(**params)

    def __call__(self, **params: float) -> dict[str, np.ndarray]:
        start = time.process_time()
        data = self.data(**params)
        ran = time.process_time()
        image = _encode(_render(self.draw, data, self.canvas))
        name = hashlib.sha256(image).hexdigest()[:NAME_LENGTH]
        path = Path(self.out) / f"{name}.webp"
        if not path.exists():  # equal frames (of equal figures) are stored once
            part = path.with_suffix(f".{os.getpid()}.part")
            part.write_bytes(image)
            os.replace(part, path)
        return {"frame": np.frombuffer(bytes.fromhex(name), dtype=np.uint8),
                "model_cpu": ran - start, "draw_cpu": time.process_time() - ran}


@dataclass
class Frames:
    """The precomputed states of one explorer and the names of their images."""

    plan: Plan
    labels: list[str]
    formats: list[str]
    names: dict[tuple[int, ...], str]
    canvas: _Canvas

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of every frame, in pixels."""
        x0, y0, x1, y1 = self.canvas.crop
        return x1 - x0, y1 - y0

    def key(self, state: Sequence[int]) -> str:
        return "-".join(str(i) for i in state)

    def html(self, alt: str) -> str:
        """The control: range inputs (disabled until the page's script enables them),
        their readouts, a note saying what the control holds, and the default frame."""
        plan = self.plan
        spec = {
            "root": ROOT_TOKEN,
            "single": plan.single,
            "default": list(plan.default),
            "values": [[format(v, f) for v in values]
                       for values, f in zip(plan.values, self.formats)],
            "frames": {self.key(s): name for s, name in self.names.items()},
        }
        rows = []
        for k, label in enumerate(self.labels):
            shown = spec["values"][k][plan.default[k]]
            rows.append(
                f'<label class="snn-explorer-slider"><span>{_label_html(label)}</span>'
                f'<input type="range" min="0" max="{len(plan.values[k]) - 1}" step="1" '
                f'value="{plan.default[k]}" disabled aria-valuetext="{shown}">'
                f'<output>{shown}</output></label>')
        width, height = self.size
        src = ROOT_TOKEN + self.names[plan.default] + ".webp"
        return (f'<div class="snn-explorer" data-snn-explorer="'
                f'{html.escape(json.dumps(spec, separators=(",", ":")))}">'
                f'<div class="snn-explorer-sliders">{"".join(rows)}</div>'
                f'<p class="snn-explorer-note">{html.escape(self.note())}</p>'
                f'<img class="snn-explorer-frame" src="{src}" width="{width}" '
                f'height="{height}" loading="lazy" decoding="async" alt="{html.escape(alt)}">'
                "</div>")

    def note(self) -> str:
        counts = [len(v) for v in self.plan.values]
        n = len(self.plan.states)
        if len(counts) == 1:
            return (f"Precomputed for {n} values of the slider; each move shows the "
                    "figure of the value shown.")
        if self.plan.single:
            return (f"Precomputed for one slider at a time ({n} states): moving a slider "
                    "returns the others to their defaults. In Jupyter, every combination "
                    "runs.")
        return (f"Precomputed for every combination of the slider values "
                f"({' × '.join(map(str, counts))} = {n} states).")


def _label_html(label: str) -> str:
    """A slider's label with its ``$...$`` parts as math for the page's MathJax."""
    parts = re.split(r"\$([^$]+)\$", label)
    return "".join(html.escape(part) if k % 2 == 0 else
                   f'<span class="math notranslate nohighlight">\\({html.escape(part)}\\)</span>'
                   for k, part in enumerate(parts))


def precompute(explorer: Explorer, out: Path, *, stops: int | dict, max_states: int,
               scheduler: str | None = None, checks: int = CHECKS, seed: int = 0) -> Frames:
    """Compute the frames of ``explorer`` into ``out`` and check a sample of them.

    Parameters
    ----------
    explorer : Explorer
        Its current data must be the default run (what the page shows first).
    out : Path
        The frames folder (created if missing).
    stops, max_states : int
        See :func:`plan`.
    scheduler : str, optional
        The address of the dask scheduler that runs the sweep, or ``'synchronous'`` for
        this process; by default ``$SNNCORE_EXPLORER_SCHEDULER``, else a local cluster
        started for this sweep.
    checks : int
        States run again here and compared with their frames, pixel for pixel.
    seed : int
        The sweep's seed (each state's run is seeded from it).

    Returns
    -------
    Frames

    Raises
    ------
    SnnError
        If a frame differs from a fresh run of the model with its values.
    """
    from .sweep import sweep

    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    the_plan = plan(explorer.sliders, stops, max_states)
    rc = _rc()
    canvas = _Canvas(tuple(explorer.fig.get_size_inches()),
                     _crop(explorer.draw, explorer.data, tuple(explorer.fig.get_size_inches()), rc),
                     rc)
    frame_model = _FrameModel(explorer, canvas, out)
    sliders = list(explorer.sliders.values())
    points = [{name: the_plan.values[k][i] * sliders[k].scale
               for k, (name, i) in enumerate(zip(the_plan.names, state))}
              for state in the_plan.states]
    result = sweep(frame_model, points, seed=seed,
                   scheduler=scheduler or os.environ.get(SCHEDULER_ENV), progress=False)
    names = {state: bytes(result["frame"].values[p]).hex()
             for p, state in enumerate(the_plan.states)}
    frames = Frames(the_plan, [s.label for s in sliders],
                    [s.readout_format for s in sliders], names, canvas)
    sample = random.Random(seed).sample(range(len(points)), min(checks, len(points)))
    _check(frame_model, points, sample, result["run_seed"].values, names, the_plan, out)
    report = os.environ.get(REPORT_ENV)
    if report:
        unique = set(names.values())
        line = {"explorer": explorer.model.__name__, "folder": os.getcwd(),
                "sliders": frames.labels, "stops": [len(v) for v in the_plan.values],
                "single": the_plan.single, "states": len(points), "images": len(unique),
                "bytes": sum((out / f"{n}.webp").stat().st_size for n in unique),
                "model_cpu": float(result["model_cpu"].sum()),
                "draw_cpu": float(result["draw_cpu"].sum()),
                "seconds": time.perf_counter() - start}
        with open(report, "a", encoding="utf-8") as file:
            file.write(json.dumps(line) + "\n")
    return frames


def _check(frame_model: _FrameModel, points: list[dict], sample: list[int],
           run_seeds: np.ndarray, names: dict, the_plan: Plan, out: Path) -> None:
    """Run the sampled states here as the sweep ran them (same seed) and compare pixels.

    The caller's random streams are left as they were, so a chapter's later cells draw
    the numbers they drew before the explorer was shown.
    """
    saved = snnrandom.get_state(), np.random.get_state()  # noqa: NPY002 - seed() sets it
    try:
        for p in sample:
            snnrandom.seed(int(run_seeds[p]))
            fresh = _render(frame_model.draw, frame_model.data(**points[p]),
                            frame_model.canvas)
            shipped = _decode(out / f"{names[the_plan.states[p]]}.webp")
            if fresh.shape != shipped.shape or not np.array_equal(fresh, shipped):
                where = ", ".join(f"{n}={the_plan.values[k][the_plan.states[p][k]]:g}"
                                  for k, n in enumerate(the_plan.names))
                differ = (np.any(fresh != shipped, axis=-1).sum()
                          if fresh.shape == shipped.shape else "all")
                raise SnnError(f"the precomputed frame for {where} differs from a fresh run "
                               f"of the model with those values ({differ} pixels differ)")
    finally:
        snnrandom.set_state(saved[0])
        np.random.set_state(saved[1])  # noqa: NPY002

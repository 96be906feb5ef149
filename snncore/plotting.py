"""Figure helpers shared by the chapters: rasters, traces, connectivity views.

Every helper draws on a given axes and labels it with units, so chapters stay short
and their figures consistent.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .units import ms


def raster(ax: plt.Axes, times: np.ndarray, indices: np.ndarray, *, color: str = "k",
           size: float = 2.0, label: str | None = None, ylabel: str = "Neuron index") -> None:
    """Spike raster: one dot per spike, time in ms."""
    ax.plot(np.asarray(times) / ms, indices, ".", color=color, markersize=size, label=label)
    ax.set_xlabel("Time (ms)")
    ax.set_ylabel(ylabel)


def traces(ax: plt.Axes, t: np.ndarray, values: Sequence[np.ndarray], labels: Sequence[str],
           *, scale: float = 1.0, ylabel: str = "", normalise: bool = False) -> None:
    """Several traces against time in ms; ``scale`` divides the values (e.g. ``mV``)."""
    for value, label in zip(values, labels, strict=True):
        value = np.asarray(value) / scale
        if normalise:
            value = value / np.max(np.abs(value))
        ax.plot(np.asarray(t) / ms, value, label=label)
    ax.set_xlabel("Time (ms)")
    ax.set_ylabel(ylabel)
    if any(labels):
        ax.legend(loc="upper right", frameon=False)


def connectivity(synapses, axes: Sequence[plt.Axes] | None = None) -> plt.Figure:
    """Two views of a synapse set: lines from sources to targets, and the (i, j) matrix."""
    n_source, n_target = len(synapses.source), len(synapses.target)
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    else:
        fig = axes[0].figure
    left, right = axes
    left.plot(np.zeros(n_source), np.arange(n_source), "ok", ms=10)
    left.plot(np.ones(n_target), np.arange(n_target), "ok", ms=10)
    for i, j in zip(synapses.i, synapses.j, strict=True):
        left.plot([0, 1], [i, j], "-k", lw=0.8)
    left.set_xticks([0, 1], ["Source", "Target"])
    left.set_ylabel("Neuron index")
    left.set_xlim(-0.1, 1.1)
    left.set_ylim(-1, max(n_source, n_target))
    right.plot(synapses.i, synapses.j, "ok")
    right.set_xlim(-1, n_source)
    right.set_ylim(-1, n_target)
    right.set_xlabel("Source neuron index")
    right.set_ylabel("Target neuron index")
    return fig

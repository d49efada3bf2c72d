"""The course's standard figures, drawn with matplotlib; each returns its Axes.

* :func:`raster`: output (or input) spikes as dots.
* :func:`currents`: current traces of one neuron, optional threshold line.
* :func:`rate_curve`: an F-I or F-F curve.
* :func:`isi`: inter-spike intervals against spike number.

Every function takes ``ax=None`` (a new figure) or an Axes to draw into, so
chapters compose them freely.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from .core.result import Result


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 3))
    return ax


def raster(spikes: Result | tuple[ArrayLike, ArrayLike], ax: Axes | None = None, **kwargs) -> Axes:
    """Dots at (time in ms, neuron index) for a Result or an (indices, times in s) pair."""
    ax = _axes(ax)
    idx, times = spikes.spikes() if isinstance(spikes, Result) else (np.asarray(spikes[0]), np.asarray(spikes[1]))
    ax.plot(np.asarray(times) * 1e3, idx, "|", markersize=kwargs.pop("markersize", 8), **kwargs)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    return ax


def currents(
    result: Result,
    names: Sequence[str] = ("I_mem",),
    neuron: int = 0,
    threshold: bool | float = True,
    log: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Traces ``names`` of one recorded neuron (local index) in pA against time in ms.

    ``threshold=True`` draws that neuron's spike threshold I_th (a number in A
    draws that value instead). ``log`` uses a logarithmic current axis, natural
    for subthreshold circuits.
    """
    ax = _axes(ax)
    for name in names:
        ax.plot(result.t * 1e3, result.trace(name, neuron) * 1e12, label=name)
    if threshold is not False:
        value = result.table.I_th[neuron] if threshold is True else float(threshold)
        ax.axhline(value * 1e12, color="k", linestyle="--", linewidth=0.8, label="threshold $I_{th}$")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("current (pA)")
    ax.legend(loc="best", fontsize="small")
    return ax


def rate_curve(
    x: ArrayLike,
    rates: ArrayLike,
    xlabel: str = "input rate (Hz)",
    label: str | None = None,
    x_scale: float = 1.0,
    ax: Axes | None = None,
) -> Axes:
    """An F-F or F-I curve: output rate (Hz) against ``x * x_scale`` (e.g. x_scale=1e12 for pA)."""
    ax = _axes(ax)
    ax.plot(np.asarray(x) * x_scale, rates, "o-", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("output rate (Hz)")
    if label is not None:
        ax.legend(loc="best", fontsize="small")
    return ax


def isi(intervals: ArrayLike, label: str | None = None, ax: Axes | None = None) -> Axes:
    """Inter-spike intervals (ms) against interval number: adaptation shows as a rise."""
    ax = _axes(ax)
    intervals = np.asarray(intervals)
    ax.plot(np.arange(1, intervals.size + 1), intervals * 1e3, "o-", label=label)
    ax.set_xlabel("interval number")
    ax.set_ylabel("ISI (ms)")
    if label is not None:
        ax.legend(loc="best", fontsize="small")
    return ax


__all__ = ["raster", "currents", "rate_curve", "isi"]

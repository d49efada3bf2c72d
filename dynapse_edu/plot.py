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
    """Spikes as ticks at (time in ms, neuron index).

    Parameters
    ----------
    spikes : Result or (ArrayLike, ArrayLike)
        A result (its output spikes) or a pair (neuron indices, spike times in s).
    ax : Axes or None
        Where to draw; None makes a new figure.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (``markersize`` defaults to 8).

    Returns
    -------
    Axes
        The Axes drawn into.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> ax = raster(([0, 1, 1], [0.010, 0.012, 0.030]), ax=Figure().subplots())
    >>> ax.lines[0].get_xdata().tolist()  # ms
    [10.0, 12.0, 30.0]
    """
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
    """Current traces of one recorded neuron, in pA against time in ms.

    Parameters
    ----------
    result : Result
        A simulation result.
    names : Sequence[str]
        The traces to draw (``"I_mem"``, ``"I_ampa"``, ...).
    neuron : int
        The recorded neuron's local index.
    threshold : bool or float
        True draws that neuron's spike threshold I_th; a number draws that current (A); False none.
    log : bool
        A logarithmic current axis, natural for subthreshold circuits.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    Axes
        The Axes drawn into.

    Examples
    --------
    >>> from dynapse_edu import experiments
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> ax = currents(experiments.part1(duration=0.05, dt=1e-3), ["I_mem", "I_ampa"], ax=Figure().subplots())
    >>> [line.get_label() for line in ax.lines]
    ['I_mem', 'I_ampa', 'threshold $I_{th}$']
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
    """An F-F or F-I curve: output rate against ``x * x_scale``.

    Parameters
    ----------
    x : ArrayLike
        Input rates (Hz) or currents (A).
    rates : ArrayLike
        Output rates, Hz.
    xlabel : str
        Label of the x axis (with the unit after scaling).
    label : str or None
        Legend entry; None for no legend.
    x_scale : float
        Factor applied to ``x`` before drawing (1e12 shows A as pA).
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    Axes
        The Axes drawn into.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> ax = rate_curve([500e-12, 1e-9], [25.0, 65.0], xlabel="current (pA)", x_scale=1e12,
    ...                 ax=Figure().subplots())
    >>> ax.lines[0].get_xdata().round(6).tolist()
    [500.0, 1000.0]
    """
    ax = _axes(ax)
    ax.plot(np.asarray(x) * x_scale, rates, "o-", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("output rate (Hz)")
    if label is not None:
        ax.legend(loc="best", fontsize="small")
    return ax


def isi(intervals: ArrayLike, label: str | None = None, ax: Axes | None = None) -> Axes:
    """Inter-spike intervals in ms against interval number: adaptation shows as a rise.

    Parameters
    ----------
    intervals : ArrayLike
        Inter-spike intervals, s.
    label : str or None
        Legend entry; None for no legend.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    Axes
        The Axes drawn into.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> ax = isi([0.025, 0.041, 0.048], ax=Figure().subplots())
    >>> ax.lines[0].get_ydata().tolist()  # ms
    [25.0, 41.0, 48.0]
    """
    ax = _axes(ax)
    intervals = np.asarray(intervals)
    ax.plot(np.arange(1, intervals.size + 1), intervals * 1e3, "o-", label=label)
    ax.set_xlabel("interval number")
    ax.set_ylabel("ISI (ms)")
    if label is not None:
        ax.legend(loc="best", fontsize="small")
    return ax


__all__ = ["raster", "currents", "rate_curve", "isi"]

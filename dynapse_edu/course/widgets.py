"""What the widgets of every part of the book share: :func:`explore`, the Axes a panel draws into, slider checks.

A *panel* is a function behind one widget of the book. It runs a small
experiment through the library (never its own physics), draws it into
matplotlib Axes and returns the numbers a student should look at, as a dict.
A widget cell is then one line, ``widgets.explore(panel, slider=(low, high,
step))``, and the same panel is tested like any other function.

Arguments are in the units a slider shows, and the name says which:
``I_tau_pA`` is a current in pA, ``t_ref_ms`` a time in ms. A panel converts
them to SI floats (A, s) before they reach the library, and out-of-range
values raise the library's :class:`~dynapse_edu.errors.ParameterError` or
:class:`~dynapse_edu.errors.HardwareLimitError`.

The panels live in one module per part of the book:

* :mod:`~dynapse_edu.course.widgets_circuits`: *Circuits* (chapters 1-3: units, the DPI synapse, the neuron);
* :mod:`~dynapse_edu.course.widgets_chip`: *The chip* (chapters 4-5: routing, the bias generator);
* :mod:`~dynapse_edu.course.widgets_behaviour`: *Behaviour* (chapters 6-9: F-I and F-F curves, adaptation,
  NMDA gating and inhibition, mismatch);
* :mod:`~dynapse_edu.course.widgets_transistors`: *Transistors and networks* (chapters 10-11: ngspice
  against the model, a winner-take-all network);
* :mod:`~dynapse_edu.course.widgets_routing`: *Events and routing* (the handshake, the routing explorer,
  a whole chip's raster);
* :mod:`~dynapse_edu.course.widgets_foundations`: *From biology to silicon* (the phase plane, the input
  playground, the F-F curve against a ReLU).

Two helpers show results in a page: :class:`Table` (rows that a notebook and
the built book show as a real HTML table) and :func:`show_error` (an error's
type and message, without the traceback a reader does not need).

ipywidgets is loaded only when :func:`explore` is called; matplotlib's pyplot
only when a panel needs a new figure.
"""

from __future__ import annotations

import html
import inspect
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..errors import ParameterError


def explore(function: Callable[..., Any], **controls: Any) -> Any:
    """An ipywidgets ``interactive`` over ``function``: the given controls, every other argument at its default.

    Sliders update when released, not while dragged, so a panel that
    simulates runs once per move. The returned widget shows itself when it
    ends a notebook cell; its output holds the figure and the numbers the
    panel returned, and ``.result`` holds the last returned value.

    Parameters
    ----------
    function : Callable
        The panel; every argument not in ``controls`` must have a default.
    **controls
        One control per argument to vary: an ipywidgets abbreviation
        (``(low, high, step)`` for a slider, a list for a drop-down, a dict
        for labelled choices) or a widget.

    Returns
    -------
    ipywidgets.interactive
        The widget (a ``VBox`` of the controls and the output).

    Raises
    ------
    ParameterError
        If a control names an argument that ``function`` does not take.

    Examples
    --------
    >>> import contextlib, io
    >>> from dynapse_edu.course.widgets_circuits import tau_explorer
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside a notebook the widget's output goes to stdout
    ...     panel = explore(tau_explorer, I_tau_pA=(1.0, 100.0, 1.0))
    >>> [child.description for child in panel.children[:1]]
    ['I_tau_pA']
    >>> round(panel.result["tau_ms"], 3)
    3.546
    """
    from ipywidgets import fixed, interactive

    parameters = inspect.signature(function).parameters
    unknown = sorted(set(controls) - set(parameters))
    if unknown:
        raise ParameterError(f"{function.__name__} has no argument(s) {unknown}; it takes {list(parameters)}")
    kwargs = {name: fixed(par.default) for name, par in parameters.items() if name not in controls}
    kwargs.update(controls)
    panel = interactive(function, **kwargs)
    for child in panel.children:
        if hasattr(child, "continuous_update"):
            child.continuous_update = False
        if hasattr(child, "style") and hasattr(child.style, "description_width"):
            child.style.description_width = "initial"  # show argument names such as I_tau_mem_pA in full
    return panel


def panel_axes(
    given: Axes | Sequence[Axes] | None,
    n: int = 1,
    figsize: tuple[float, float] = (7.0, 3.0),
    stacked: bool = False,
) -> list[Axes]:
    """The ``n`` Axes a panel draws into: the caller's, or those of a new figure.

    Parameters
    ----------
    given : Axes, Sequence[Axes] or None
        The caller's Axes (one Axes when ``n`` is 1, else a sequence of
        ``n``); None makes a new figure.
    n : int
        How many Axes the panel draws into.
    figsize : (float, float)
        Size of a new figure, inches (width, height).
    stacked : bool
        A new figure's Axes one above the other, sharing the time axis
        (default: side by side).

    Returns
    -------
    list of Axes
        ``n`` Axes, in drawing order.

    Raises
    ------
    ParameterError
        If ``given`` does not hold ``n`` Axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> left, right = panel_axes(None, 2, figsize=(6.0, 2.0))  # a new pyplot figure
    >>> panel_axes(left) == [left]
    True
    >>> plt.close(left.figure)
    """
    if given is None:
        import matplotlib.pyplot as plt

        rows, cols = (n, 1) if stacked else (1, n)
        _, axes = plt.subplots(rows, cols, figsize=figsize, squeeze=False, sharex=stacked)
        return list(axes.ravel())
    if isinstance(given, Axes):
        if n != 1:
            raise ParameterError(f"this panel draws into {n} Axes: pass a sequence of {n}, got one Axes")
        return [given]
    given = list(given)
    if len(given) != n:
        raise ParameterError(f"axes must hold {n} Axes, got {len(given)}")
    return given


def check_positive(name: str, value: float) -> float:
    """``value`` as a float if it is positive and finite; else a ParameterError naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, as the error shows it (e.g. ``"duration_ms"``).
    value : float
        The value to check, in whatever unit the name states.

    Returns
    -------
    float
        ``float(value)``.

    Examples
    --------
    >>> check_positive("duration_ms", 200)
    200.0
    >>> check_positive("duration_ms", -1.0)
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: duration_ms = -1.0 must be a positive finite number
    """
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} = {value!r} must be a positive finite number")
    return value


def check_count(name: str, value: int, low: int, high: int) -> int:
    """``value`` as an int if it is an integer in ``low..high``; else a ParameterError naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, as the error shows it (e.g. ``"points"``).
    value : int
        The count to check (a bool is not a count).
    low, high : int
        The allowed range, both ends included.

    Returns
    -------
    int
        ``int(value)``.

    Examples
    --------
    >>> check_count("points", 5, 2, 50)
    5
    >>> check_count("points", 1, 2, 50)
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: points = 1 must be an integer in 2..50
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ParameterError(f"{name} = {value!r} must be an integer in {low}..{high}")
    return int(value)


class Table:
    """Rows of text that a notebook (and the built book) shows as an HTML table.

    The object is what a cell returns: Jupyter and myst-nb display its
    ``text/html`` form (a ``<table>``), a console its aligned plain text.
    Every cell is escaped, so names such as ``I_tau < I_g`` show as written.

    Parameters
    ----------
    columns : Sequence[str]
        The column headings.
    rows : Sequence[Sequence[object]]
        One sequence of cells per row, as many as ``columns``; each cell is shown with ``str``.
    code : Sequence[str]
        Headings of the columns whose cells are code (names, netlist lines): set in a fixed-width font.

    Raises
    ------
    ParameterError
        If a row does not have one cell per column, or ``code`` names an unknown column.

    Examples
    --------
    >>> table = Table(["bias", "current"], [["IF_DC_P", "0 A"], ["IF_TAU1_N", "4 pA"]], code=["bias"])
    >>> print(table)
    bias       current
    IF_DC_P    0 A
    IF_TAU1_N  4 pA
    >>> table._repr_html_().count("<tr>")
    3
    """

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[object]], code: Sequence[str] = ()) -> None:
        self.columns = [str(c) for c in columns]
        self.rows = [[str(cell) for cell in row] for row in rows]
        for k, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ParameterError(f"row {k} has {len(row)} cells, the table has {len(self.columns)} columns")
        unknown = sorted(set(code) - set(self.columns))
        if unknown:
            raise ParameterError(f"code columns {unknown} are not among the columns {self.columns}")
        self.code = [c in set(code) for c in self.columns]

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        widths = [max(len(line[k]) for line in [self.columns, *self.rows]) for k in range(len(self.columns))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
                 for line in [self.columns, *self.rows]]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _cell(self, text: str, is_code: bool) -> str:
        text = html.escape(text)
        return f'<code class="docutils literal notranslate">{text}</code>' if is_code else text

    def _repr_html_(self) -> str:
        left = 'style="text-align: left"'
        head = "".join(f'<th class="head" {left}>{html.escape(c)}</th>' for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td {left}>{self._cell(cell, is_code)}</td>"
                             for cell, is_code in zip(row, self.code, strict=True)) + "</tr>"
            for row in self.rows
        )
        return (f'<table class="table docutils align-default" style="font-size: 0.85em">'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def show_error(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)``; if it raises, print only ``TypeName: message`` and return None.

    For cells that show an error on purpose: the reader sees why the call
    was refused, not a traceback with the paths of the machine that built
    the page. Long messages are wrapped at 100 characters, so a page shows
    them without a scroll bar. Only :class:`Exception` is caught (not
    ``KeyboardInterrupt``).

    Parameters
    ----------
    function : Callable
        What to call.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object
        What ``function`` returned, or None if it raised (after printing the error).

    Examples
    --------
    >>> show_error(check_positive, "duration_ms", -1.0)
    ParameterError: duration_ms = -1.0 must be a positive finite number
    >>> show_error(check_positive, "duration_ms", 2)
    2.0
    """
    try:
        return function(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - shown, not handled: the point of the cell
        lines = f"{type(error).__name__}: {error}".splitlines() or [""]
        print("\n".join(textwrap.fill(line, width=100, subsequent_indent="    ") for line in lines))
        return None


__all__ = ["explore", "panel_axes", "check_positive", "check_count", "Table", "show_error"]

"""The panels of the book's part *The chip*: routing memory (chapter 4) and the bias generator (chapter 5).

Each panel runs a small experiment through the library, draws it and returns
the numbers to look at; :func:`~dynapse_edu.course.widgets.explore` turns it
into a widget (the contract is in :mod:`dynapse_edu.course.widgets`). Bad
values raise the library's own :class:`~dynapse_edu.errors.ParameterError` or
:class:`~dynapse_edu.errors.HardwareLimitError`.

* Chapter 4, the chip: :func:`routing_panel` (CAM fan-in, SRAM fan-out), :func:`core_map`;
* Chapter 5, the bias generator: :func:`bias_table` (the 25 biases as a table), :func:`bias_ranges`, :func:`bias_panel`.

>>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
>>> out = routing_panel(n_sources=20, weight=4, axes=Figure().subplots(1, 2))
>>> out["cam_needed"], out["accepted"]
(80, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from .. import plot
from ..core.params import ParamsLike, resolve
from ..core.synapse import synapse_key
from ..errors import HardwareLimitError, ParameterError
from ..hardware import biasgen
from ..hardware.biasgen import COARSE_MAX, FINE_MAX, bias_current, check_bias_name
from ..hardware.board import Board
from ..hardware.chip import Chip
from ..hardware.inputs import RegularGenerator
from ..hardware.routing import CAM_PER_NEURON, CORES_PER_CHIP, NEURONS_PER_CORE, SRAM_PER_NEURON
from ..units import ms, pA
from .widgets import Table, check_count, check_positive, panel_axes, show_error


# --- chapter 4: the chip ---------------------------------------------------------
def routing_panel(
    n_sources: int = 8,
    weight: int = 4,
    target_chips: int = 2,
    monitor: bool = True,
    axes: Sequence[Axes] | None = None,
) -> dict[str, Any]:
    """Try two wirings on a hardware-mode board and show the routing memory they need.

    Fan-in (left): ``n_sources`` neurons of core 0 connect with ``weight``
    onto one neuron of core 1, which needs ``n_sources * weight`` of its 64
    CAM entries. Fan-out (right): one neuron of chip 0 connects to a neuron on
    each of chips 0 .. ``target_chips - 1`` of a 4-chip board, which needs
    one SRAM entry per destination chip, of 4 (3 with ``monitor``). A broken
    rule is not an exception here but the result.

    Parameters
    ----------
    n_sources : int
        Number of source neurons of the fan-in, 1..256.
    weight : int
        Weight of each fan-in connection (CAM entries per source).
    target_chips : int
        Number of destination chips of the fan-out, 1..4.
    monitor : bool
        Whether the source neuron's spikes also go to the host (one SRAM entry).
    axes : two Axes or None
        Where to draw (fan-in, fan-out); None makes a new figure.

    Returns
    -------
    dict
        ``accepted`` / ``sram_accepted`` (bool) and the library's error
        ``message`` / ``sram_message`` (empty when accepted); ``cam_needed``,
        ``cam_used`` (what the chip reports), ``sram_needed``,
        ``sram_available`` (entry counts) and the source neuron's
        ``sram_entries`` (destination chip, core mask).

    Raises
    ------
    ParameterError
        If ``n_sources`` or ``target_chips`` is out of range.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = routing_panel(n_sources=1, weight=1, target_chips=4, monitor=True, axes=Figure().subplots(1, 2))
    >>> out["sram_needed"], out["sram_available"], out["sram_accepted"]
    (4, 3, False)
    """
    n_sources = check_count("n_sources", n_sources, 1, NEURONS_PER_CORE)
    target_chips = check_count("target_chips", target_chips, 1, 4)
    ax_cam, ax_sram = panel_axes(axes, 2, figsize=(9.0, 3.0))
    # fan-in: CAM
    chip = Chip(hardware=True, monitor=monitor)
    pre, post = chip.get_neurons(n_sources, core=0), chip.get_neurons(1, core=1)
    try:
        chip.add_connection(pre, post, "AMPA", weight)
        accepted, message = True, ""
    except HardwareLimitError as err:
        accepted, message = False, str(err)
    needed = n_sources * float(weight)
    used = chip.cam_used(int(post.ids[0]))
    _draw_cam(ax_cam, n_sources, int(weight) if float(weight).is_integer() else weight, accepted)
    # fan-out: SRAM
    board = Board(n_chips=4, monitor=monitor)
    source = board.get_neurons(1, core=0, chip=0)
    targets = [board.get_neurons(1, core=1, chip=c) for c in range(target_chips)]
    try:
        for target in targets:
            board.add_connection(source, target, "AMPA", 1)
        sram_ok, sram_message = True, ""
    except HardwareLimitError as err:
        sram_ok, sram_message = False, str(err)
    available = SRAM_PER_NEURON - int(bool(monitor))
    wanted = ["host"] * int(bool(monitor)) + [f"chip {c}\ncores 0b0010" for c in range(target_chips)]
    _draw_sram(ax_sram, wanted, sram_ok)
    return {
        "cam_needed": int(needed) if float(needed).is_integer() else needed,
        "cam_used": used,
        "accepted": accepted,
        "message": message,
        "sram_needed": target_chips,
        "sram_available": available,
        "sram_accepted": sram_ok,
        "sram_message": sram_message,
        "sram_entries": board.sram_entries(int(source.ids[0])),
    }


def _draw_cam(axis: Axes, n_sources: int, weight: float, accepted: bool) -> None:
    """The target neuron's 64 CAM entries as an 8 x 8 grid, one colour per source; what does not fit, in red."""
    entries = np.full(CAM_PER_NEURON, np.nan)
    needed = int(np.ceil(n_sources * weight))
    owner = np.arange(needed) // max(weight, 1)  # entry k belongs to source k // weight
    entries[: min(needed, CAM_PER_NEURON)] = owner[:CAM_PER_NEURON] % 20
    side = int(np.sqrt(CAM_PER_NEURON))
    axis.imshow(entries.reshape(side, side), cmap="tab20", vmin=0, vmax=19)
    axis.set_xticks(np.arange(side + 1) - 0.5, minor=True)
    axis.set_yticks(np.arange(side + 1) - 0.5, minor=True)
    axis.grid(which="minor", color="white", linewidth=1.5)
    axis.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    over = needed - CAM_PER_NEURON
    verdict = "accepted" if accepted else "refused"
    detail = f"{needed} of {CAM_PER_NEURON} entries" + (f": {over} do not fit" if over > 0 else "")
    axis.set_title(f"fan-in, CAM of the target: {verdict}", fontsize=10, color="k" if accepted else "C3")
    axis.set_xlabel(f"{n_sources} sources x weight {weight:g} = {detail}", color="k" if over <= 0 else "C3")


def _draw_sram(axis: Axes, wanted: list[str], accepted: bool) -> None:
    """The source neuron's 4 SRAM entries as boxes: the host, then one per destination chip; overflow in red."""
    for k, label in enumerate(wanted):
        fits = k < SRAM_PER_NEURON
        colour = "0.75" if label == "host" else ("C0" if fits and accepted else "C3")
        x = k if fits else k + 0.3
        axis.add_patch(Rectangle((x + 0.05, 0.1), 0.9, 0.8, facecolor=colour, alpha=0.6,
                                                    edgecolor="k", linestyle="-" if fits else "--"))
        axis.text(x + 0.5, 0.5, label if fits else label + "\n(no entry)", ha="center", va="center", fontsize=8)
    for k in range(len(wanted), SRAM_PER_NEURON):
        axis.add_patch(Rectangle((k + 0.05, 0.1), 0.9, 0.8, fill=False, edgecolor="0.6"))
        axis.text(k + 0.5, 0.5, "free", ha="center", va="center", fontsize=8, color="0.5")
    axis.axvline(SRAM_PER_NEURON + 0.15, color="k", linestyle="--", linewidth=1)
    axis.set_xlim(0, max(SRAM_PER_NEURON, len(wanted) + 0.3) + 0.1)
    axis.set_ylim(0, 1)
    axis.set_xticks([])
    axis.set_yticks([])
    verdict = "accepted" if accepted else "refused"
    axis.set_title(f"fan-out, the source's {SRAM_PER_NEURON} SRAM entries: {verdict}", fontsize=10,
                   color="k" if accepted else "C3")


def core_map(board: Board, chip: int = 0, ax: Axes | None = None) -> dict[str, Any]:
    """The 4 cores of one chip as 16 x 16 grids: free neurons grey, allocated ones coloured by CAM use.

    Parameters
    ----------
    board : Board or Chip
        The board whose allocation is shown.
    chip : int
        Which chip of the board.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``allocated``, the number of allocated neurons of each core (list of
        4), and ``cam_max``, the largest CAM use of a neuron of this chip (0
        outside hardware mode, where the CAM is not modelled).

    Raises
    ------
    ParameterError
        If ``board`` is not a Board or Chip.

    Examples
    --------
    >>> from dynapse_edu import Chip
    >>> chip = Chip()
    >>> _ = chip.get_neurons(10, core=2)
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> core_map(chip, ax=Figure().subplots())["allocated"]
    [0, 0, 10, 0]
    """
    if not isinstance(board, Board):
        raise ParameterError(f"board must be a dynapse_edu Board or Chip, got {type(board).__name__}")
    ids = board.neuron_ids
    side = int(np.sqrt(NEURONS_PER_CORE))
    image = np.full((2 * side, 2 * side), np.nan)
    allocated, cam_max = [], 0
    for core in range(CORES_PER_CHIP):
        lo = (chip * CORES_PER_CHIP + core) * NEURONS_PER_CORE
        mine = ids[(ids >= lo) & (ids < lo + NEURONS_PER_CORE)]
        allocated.append(int(mine.size))
        row, col = divmod(core, 2)
        block = image[row * side:(row + 1) * side, col * side:(col + 1) * side]
        for i in mine.tolist():
            used = board.cam_used(i)
            cam_max = max(cam_max, used)
            block.flat[i - lo] = used
    (axis,) = panel_axes(ax, figsize=(4.5, 4.5))
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="0.85")
    shown = axis.imshow(np.ma.masked_invalid(image), cmap=cmap, vmin=0, vmax=CAM_PER_NEURON)
    axis.axhline(side - 0.5, color="w", linewidth=3)
    axis.axvline(side - 0.5, color="w", linewidth=3)
    for core in range(CORES_PER_CHIP):
        row, col = divmod(core, 2)
        axis.text(col * side + side / 2 - 0.5, row * side + side / 2 - 0.5, f"core {core}", ha="center",
                  va="center", fontsize=9, color="k", alpha=0.6)
    axis.set_xticks([])
    axis.set_yticks([])
    axis.set_title(f"chip {chip}: allocated neurons (colour: CAM entries used)", fontsize=10)
    axis.figure.colorbar(shown, ax=axis, shrink=0.8, label="CAM entries used")
    return {"allocated": allocated, "cam_max": cam_max}


# --- chapter 5: the bias generator ---------------------------------------------------
def bias_table(params: ParamsLike = None) -> Table:
    """The 25 biases of a core as a table: name, meaning, model parameter, default setting, current, error.

    The rows are :func:`dynapse_edu.hardware.biasgen.bias_table`'s; this
    function only formats them for a page: ``default`` is the (coarse,
    fine) setting nearest to the model's default parameter, ``current`` its
    current with an SI prefix, ``error`` the setting's relative error
    against the parameter, in percent.

    Parameters
    ----------
    params : Params, dict or None
        The model parameters the default settings are nearest to (default: ``Params()``).

    Returns
    -------
    Table
        One row per bias; a notebook shows it as an HTML table.

    Examples
    --------
    >>> table = bias_table()
    >>> len(table), table.rows[2][:2]
    (25, ['IF_THR_N', 'membrane DPI gain current I_g'])
    >>> table.rows[2][3:]
    ['(1, 46)', '18.94 pA', '-0.31 %']
    """
    rows = [
        [row["name"], row["meaning"], row["parameter"], f"({row['coarse']}, {row['fine']})",
         _with_prefix(float(row["current"]), "A"), f"{100 * float(row['error']):+.2f} %"]
        for row in biasgen.bias_table(resolve(params))
    ]
    columns = ["bias", "meaning", "model parameter", "default", "current", "error"]
    return Table(columns, rows, code=["bias"])


def _with_prefix(value: float, unit: str) -> str:
    """``value`` with the SI prefix that keeps it at or above 1 (u, n, p, f), 4 significant digits."""
    for scale, prefix in ((1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")):
        if abs(value) >= scale:
            return f"{value / scale:.4g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def bias_ranges(ax: Axes | None = None) -> dict[str, np.ndarray]:
    """Every (coarse, fine) current of the bias generator: one line per coarse range, fine 1..255, on a log axis.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``I_max``, the largest current of each coarse range (A); ``step``,
        the current of one fine step in each range (A); ``overlap``,
        I_max(c) / I_max(c + 1), the part of range c + 1 that range c also
        covers (with finer steps).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = bias_ranges(ax=Figure().subplots())
    >>> len(out["I_max"]), bool(out["overlap"].max() < 0.2)
    (8, True)
    """
    fine = np.arange(1, FINE_MAX + 1)
    (axis,) = panel_axes(ax, figsize=(7.0, 3.5))
    for coarse in range(len(COARSE_MAX)):
        axis.plot(fine, [bias_current(coarse, int(f)) for f in fine], label=f"coarse {coarse}")
    axis.set_yscale("log")
    axis.set_xlabel("fine value")
    axis.set_ylabel("bias current (A)")
    axis.legend(loc="lower right", fontsize="x-small", ncol=2)
    i_max = np.asarray(COARSE_MAX)
    return {"I_max": i_max, "step": i_max / FINE_MAX, "overlap": i_max[:-1] / i_max[1:]}


def bias_panel(
    name: str = "IF_DC_P",
    coarse: int = 1,
    fine: int = 0,
    input_synapse: str = "AMPA",
    input_rate: float = 50.0,
    duration_ms: float = 200.0,
    axes: Sequence[Axes] | None = None,
) -> dict[str, Any]:
    """One neuron of core 0, driven by a regular train through ``input_synapse``, with one bias changed.

    The bias ``name`` of core 0 is set with :meth:`Chip.set_bias
    <dynapse_edu.hardware.board.Board.set_bias>`; every other bias keeps its
    default. The input is a regular train with weight 4. Draws the input
    synapse's current (left) and the membrane and adaptation currents (right).

    Parameters
    ----------
    name : str
        A bias name of ``biasgen.BIAS_NAMES`` (e.g. ``"IF_DC_P"``).
    coarse : int
        Coarse value, 0..7.
    fine : int
        Fine value, 0..255.
    input_synapse : str
        The synapse type the input train goes through.
    input_rate : float
        Rate of the input train, Hz.
    duration_ms : float
        Simulated time, ms.
    axes : two Axes or None
        Where to draw (synapse, soma); None makes a new figure.

    Returns
    -------
    dict
        ``current``, the generator's current (A); ``parameter``, the model
        parameter the bias sets, and ``value``, its new value (SI, from
        :meth:`get_biases <dynapse_edu.hardware.board.Board.get_biases>`);
        ``spikes``, the output spike count, and ``rate`` (Hz).

    Raises
    ------
    HardwareLimitError
        For an unknown bias name or a coarse or fine value out of range.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = bias_panel("IF_DC_P", coarse=2, fine=100, duration_ms=20.0, axes=Figure().subplots(1, 2))
    >>> out["parameter"]
    'I_const'
    """
    key = check_bias_name(name)
    syn = synapse_key(input_synapse)
    duration = check_positive("duration_ms", duration_ms) * ms
    chip = Chip()
    neuron = chip.get_neurons(1, core=0)
    chip.add_connection(RegularGenerator(1, input_rate), neuron, input_synapse, weight=4)
    chip.set_bias(0, key, coarse, fine)
    report = chip.get_biases(0)[key]
    result = chip.run(duration, dt=1e-4)
    ax_syn, ax_mem = panel_axes(axes, 2, figsize=(10.0, 3.2))
    plot.currents(result, names=(f"I_{syn}",), threshold=False, ax=ax_syn)
    plot.currents(result, names=("I_mem", "I_ahp"), ax=ax_mem)
    ax_syn.set_title(f"{key} = ({coarse}, {fine}): {report.current / pA:.4g} pA", fontsize=10)
    ax_mem.set_title(f"{int(result.spike_count[0])} output spikes", fontsize=10)
    return {
        "current": report.current,
        "parameter": report.parameter,
        "value": report.value,
        "spikes": int(result.spike_count[0]),
        "rate": float(result.rates[0]),
    }


def bias_board_panel(
    settings: Mapping[str, tuple[int, int]] | None = None,
    input_synapse: str = "AMPA",
    input_rate: float = 50.0,
    duration_ms: float = 200.0,
    axes: Sequence[Axes] | None = None,
) -> dict[str, float]:
    """All the biases of core 0 at once: what they make of the model's parameters, and one neuron's run.

    The core starts at the library's defaults; ``settings`` overrides any of
    its 25 biases by name with a (coarse, fine) pair. One neuron of the core
    receives a regular train through ``input_synapse`` (weight 4). Left: the
    four synapse currents; right: the membrane and adaptation currents.

    Parameters
    ----------
    settings : Mapping[str, (int, int)] or None
        ``{bias name: (coarse, fine)}``, e.g. ``{"IF_DC_P": (2, 100)}``; None keeps every default.
    input_synapse : str
        The synapse type of the input train.
    input_rate : float
        Rate of the input train, Hz.
    duration_ms : float
        Simulated time, ms.
    axes : two Axes or None
        Where to draw (synapses, soma); None makes a new figure.

    Returns
    -------
    dict
        The parameters the biases set: ``tau_mem``, ``tau_ahp``, ``tau_ampa``, ``tau_nmda``,
        ``tau_gaba_a``, ``tau_gaba_b``, ``t_ref`` (s), ``alpha_mem``, ``alpha_ampa`` (gains),
        ``I_const`` (A); and the run's ``spikes`` and ``rate`` (Hz).

    Raises
    ------
    ParameterError
        For an unknown bias name or a setting out of range.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # Axes of your own (no pyplot window)
    >>> out = bias_board_panel({"IF_DC_P": (2, 100)}, duration_ms=50.0, axes=Figure().subplots(1, 2))
    >>> round(out["I_const"] * 1e12, 1), out["spikes"] > 0
    (322.6, True)
    """
    syn = synapse_key(input_synapse)
    duration = check_positive("duration_ms", duration_ms) * ms
    chip = Chip()
    neuron = chip.get_neurons(1, core=0)
    chip.add_connection(RegularGenerator(1, input_rate), neuron, input_synapse, weight=4)
    for name, (coarse, fine) in (settings or {}).items():
        chip.set_bias(0, check_bias_name(name), coarse, fine)
    p = chip.params(0)
    result = chip.run(duration, dt=1e-4)
    ax_syn, ax_mem = panel_axes(axes, 2, figsize=(10.0, 3.2))
    plot.currents(result, names=("I_ampa", "I_nmda", "I_gaba_a", "I_gaba_b"), threshold=False, ax=ax_syn)
    ax_syn.set_title(f"synapses (input: {input_rate:g} Hz through {syn.upper()})", fontsize=10)
    plot.currents(result, names=("I_mem", "I_ahp"), ax=ax_mem)
    ax_mem.set_title(f"soma: {int(result.spike_count[0])} output spikes", fontsize=10)
    return {
        "tau_mem": p.tau_mem, "tau_ahp": p.tau_ahp,
        **{f"tau_{key}": p.tau_syn(key.upper()) for key in ("ampa", "nmda", "gaba_a", "gaba_b")},
        "t_ref": p.t_ref, "alpha_mem": p.alpha_mem, "alpha_ampa": p.alpha_ampa, "I_const": p.I_const,
        "spikes": int(result.spike_count[0]), "rate": float(result.rates[0]),
    }


def bias_board(duration_ms: float = 200.0) -> Any:
    """A board of every bias of a core: a coarse and a fine slider per bias, the parameters they set, a neuron.

    Each slider move reruns :func:`bias_board_panel` with every setting of
    the board, redraws the neuron's currents and prints the time constants,
    gains and refractory period the biases make; a setting the library
    refuses (a membrane too fast to integrate, say) prints the error's type
    and message instead. Sliders update when released. ipywidgets is loaded
    when the board is made.

    Parameters
    ----------
    duration_ms : float
        Simulated time per update, ms.

    Returns
    -------
    ipywidgets.VBox
        The board; it shows itself when it ends a notebook cell.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside a notebook the output goes to stdout
    ...     board = bias_board(duration_ms=20.0)
    >>> len(board.sliders), board.sliders["IF_TAU1_N"][1].value
    (25, 68)
    """
    import matplotlib.pyplot as plt
    from ipywidgets import HTML, HBox, IntSlider, Layout, Output, VBox

    defaults = Chip().get_biases(0)
    sliders = {}
    rows = []
    for name in biasgen.BIAS_NAMES:
        coarse = IntSlider(value=defaults[name].coarse, min=0, max=len(COARSE_MAX) - 1, description="coarse",
                           continuous_update=False, layout=Layout(width="230px"))
        fine = IntSlider(value=defaults[name].fine, min=0, max=FINE_MAX, description="fine",
                         continuous_update=False, layout=Layout(width="300px"))
        sliders[name] = (coarse, fine)
        rows.append(HBox([HTML(f"<code>{name}</code>", layout=Layout(width="170px")), coarse, fine],
                         layout=Layout(flex="0 0 auto")))  # rows keep their height; the board scrolls
    out = Output()

    def update(_: Any = None) -> None:
        settings = {name: (c.value, f.value) for name, (c, f) in sliders.items()}
        with out:
            out.clear_output(wait=True)
            numbers = show_error(bias_board_panel, settings, duration_ms=duration_ms)  # a refused setting: its reason
            if numbers is None:
                return
            plt.show()
            n = numbers
            print(f"tau_mem {n['tau_mem'] / ms:.3g} ms, tau_ahp {n['tau_ahp'] / ms:.3g} ms, "
                  f"t_ref {n['t_ref'] / ms:.3g} ms")
            synapses = ("tau_ampa", "tau_nmda", "tau_gaba_a", "tau_gaba_b")
            print(", ".join(f"{key} {n[key] / ms:.3g} ms" for key in synapses))
            print(f"alpha_mem {n['alpha_mem']:.3g}, alpha_ampa {n['alpha_ampa']:.3g}, "
                  f"I_const {n['I_const'] / pA:.4g} pA: {n['spikes']} spikes, {n['rate']:.1f} Hz")

    for coarse, fine in sliders.values():
        coarse.observe(update, names="value")
        fine.observe(update, names="value")
    update()
    board = VBox([VBox(rows, layout=Layout(max_height="420px", overflow="auto")), out])
    board.sliders = sliders
    return board


__all__ = ["routing_panel", "core_map", "bias_table", "bias_ranges", "bias_panel", "bias_board_panel", "bias_board"]

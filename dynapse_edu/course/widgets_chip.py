"""The functions behind the widgets of the book's chip chapters (4, 5, 9, 10, 11).

Same contract as :mod:`dynapse_edu.course.widgets` (whose :func:`~dynapse_edu.course.widgets.explore`
turns any of them into a widget): each function runs a small experiment
through the library, draws it into matplotlib Axes and returns the numbers a
student should look at, as a dict. Arguments carry their unit in their name
(``rate_a`` in Hz, ``iw_nA`` in nA, ``duration_ms`` in ms) and are converted to
SI floats before they reach the library; bad values raise the library's own
:class:`~dynapse_edu.errors.ParameterError` or
:class:`~dynapse_edu.errors.HardwareLimitError`.

* Chapter 4, the chip: :func:`routing_panel` (CAM fan-in, SRAM fan-out), :func:`core_map`.
* Chapter 5, the bias generator: :func:`bias_ranges`, :func:`bias_panel`.
* Chapter 9, mismatch: :func:`mismatch_factor_panel`, :func:`mismatch_fi_panel`, :func:`closest_to_median`.
* Chapter 10, transistor level: :func:`netlist_devices`, :func:`comparison_panel`, :func:`dpi_pulse_panel`.
* Chapter 11, a network: :func:`build_wta`, :func:`wta_panel`.

>>> out = routing_panel(n_sources=20, weight=4)
>>> out["cam_needed"], out["accepted"]
(80, False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes

from .. import experiments
from ..core.params import ParamsLike
from ..core.synapse import synapse_key
from ..errors import HardwareLimitError, ParameterError
from ..hardware.biasgen import BIAS_NAMES, COARSE_MAX, FINE_MAX, bias_current, check_bias_name
from ..hardware.board import Board, Population
from ..hardware.chip import Chip
from ..hardware.inputs import PoissonGenerator, RegularGenerator
from ..hardware.mismatch import Mismatch
from ..hardware.routing import CAM_PER_NEURON, CORES_PER_CHIP, NEURONS_PER_CORE, SRAM_PER_NEURON
from ..spice import compare, ngspice
from ..units import ms, nA, pA, us
from .widgets import _axes, _check_positive


def _check_count(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ParameterError(f"{name} = {value!r} must be an integer in {low}..{high}")
    return int(value)


def _two_axes(axes: Sequence[Axes] | None, figsize: tuple[float, float] = (9.0, 3.0)) -> Sequence[Axes]:
    if axes is not None:
        if len(axes) != 2:
            raise ParameterError(f"axes must hold 2 Axes, got {len(axes)}")
        return axes
    return _axes(None, 2, figsize)


# --- chapter 4: the chip ---------------------------------------------------------
def routing_panel(
    n_sources: int = 8,
    weight: int = 4,
    target_chips: int = 2,
    monitor: bool = True,
    axes: Sequence[Axes] | None = None,
) -> dict[str, Any]:
    """Try two wirings on a hardware-mode board and show the routing memory they need.

    Fan-in (left): ``n_sources`` neurons of core 0 connect with integer
    ``weight`` onto one neuron of core 1; it needs ``n_sources * weight`` of
    its 64 CAM entries. Fan-out (right): one neuron of chip 0 connects to a
    neuron on each of chips 0 .. ``target_chips - 1`` of a 4-chip board; it
    needs one SRAM entry per destination chip, of 4 (3 with ``monitor``).
    A broken rule is not an exception here but the result: the returned
    dict holds ``accepted`` / ``sram_accepted`` and the library's error
    ``message`` / ``sram_message`` (empty when accepted), with
    ``cam_needed``, ``cam_used`` (what the chip reports), ``sram_needed``,
    ``sram_available`` and the neuron's ``sram_entries`` (destination chip, core mask).
    """
    n_sources = _check_count("n_sources", n_sources, 1, NEURONS_PER_CORE)
    target_chips = _check_count("target_chips", target_chips, 1, 4)
    ax_cam, ax_sram = _two_axes(axes)
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
    ax_cam.barh([0], [needed], color="C0" if accepted else "C3", label=f"needed: {n_sources} x {weight}")
    ax_cam.axvline(CAM_PER_NEURON, color="k", linestyle="--", label=f"CAM entries per neuron: {CAM_PER_NEURON}")
    ax_cam.set_xlim(0, 1.15 * max(needed, CAM_PER_NEURON))
    ax_cam.set_yticks([])
    ax_cam.set_xlabel("CAM entries of the target neuron")
    ax_cam.set_title("fan-in: " + ("accepted" if accepted else "rejected"), fontsize=10)
    ax_cam.legend(loc="lower right", fontsize="small")
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
    ax_sram.bar(["host"] * int(monitor) + [f"chip {c}" for c in range(target_chips)],
                [1] * (int(monitor) + target_chips),
                color=["0.6"] * int(monitor) + ["C0" if sram_ok else "C3"] * target_chips)
    ax_sram.axvline(SRAM_PER_NEURON - 0.5, color="k", linestyle="--",
                    label=f"{SRAM_PER_NEURON} SRAM entries per neuron")
    ax_sram.set_xlim(-0.6, SRAM_PER_NEURON + 0.6)
    ax_sram.set_yticks([])
    ax_sram.set_xlabel("SRAM entries of the source neuron")
    ax_sram.set_title("fan-out: " + ("accepted" if sram_ok else "rejected"), fontsize=10)
    ax_sram.legend(loc="upper left", fontsize="small")
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


def core_map(board: Board, chip: int = 0, ax: Axes | None = None) -> dict[str, Any]:
    """The 4 cores of one chip as 16 x 16 grids: free neurons grey, allocated ones coloured by CAM use.

    Returns the number of allocated neurons per core (``"allocated"``) and
    the largest CAM use of a neuron of this chip (``"cam_max"``; 0 outside
    hardware mode, where the CAM is not modelled).
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
    (axis,) = _axes(ax, figsize=(4.5, 4.5))
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
def bias_ranges(ax: Axes | None = None) -> dict[str, np.ndarray]:
    """Every (coarse, fine) current: one line per coarse range, fine 1..255, on a log axis.

    Returns ``I_max`` (A, per coarse value), ``step`` (the current of one fine
    step, A) and ``overlap`` (I_max(c) / I_max(c + 1): the part of range c + 1
    that range c also covers, with 255/... finer steps).
    """
    fine = np.arange(1, FINE_MAX + 1)
    (axis,) = _axes(ax, figsize=(7.0, 3.5))
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

    The bias ``name`` of core 0 is set to (``coarse``, ``fine``) with
    :meth:`Chip.set_bias <dynapse_edu.hardware.board.Board.set_bias>`; every other
    bias keeps its default. The input is a regular train of ``input_rate``
    Hz with weight 4. Draws the input synapse's current (left) and the
    membrane and adaptation currents (right). Returns the generator current
    (A), the model parameter the bias sets and its new value (SI, from
    :meth:`get_biases <dynapse_edu.hardware.board.Board.get_biases>`), and the output
    spike count and rate (Hz).
    """
    key = check_bias_name(name)
    syn = synapse_key(input_synapse)
    duration = _check_positive("duration_ms", duration_ms) * ms
    chip = Chip()
    neuron = chip.get_neurons(1, core=0)
    chip.add_connection(RegularGenerator(1, input_rate), neuron, input_synapse, weight=4)
    chip.set_bias(0, key, coarse, fine)
    report = chip.get_biases(0)[key]
    result = chip.run(duration, dt=1e-4)
    ax_syn, ax_mem = _two_axes(axes, figsize=(10.0, 3.2))
    from .. import plot

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


# --- chapter 9: mismatch ---------------------------------------------------------------
def mismatch_factor_panel(
    spread: float = 0.1,
    distribution: str = "lognormal",
    seed: int = 0,
    bias: str = "IF_TAU1_N",
    ax: Axes | None = None,
) -> dict[str, float]:
    """Histogram of one bias's mismatch factors over the 256 neurons of core 0 of a chip.

    Uses :class:`~dynapse_edu.hardware.mismatch.Mismatch` (``spread`` is the relative
    standard deviation). Returns the mean, the standard deviation, the
    smallest and the largest factor.
    """
    column = BIAS_NAMES.index(check_bias_name(bias))
    factors = Mismatch(spread=spread, distribution=distribution, seed=seed).factors(np.arange(NEURONS_PER_CORE))
    f = factors[:, column]
    (axis,) = _axes(ax, figsize=(6.0, 3.0))
    axis.hist(f, bins=30, color="C0")
    axis.axvline(1.0, color="k", linestyle=":", linewidth=1)
    axis.set_xlabel(f"factor on {bias.upper()}")
    axis.set_ylabel("neurons of core 0")
    return {"mean": float(f.mean()), "std": float(f.std()), "min": float(f.min()), "max": float(f.max())}


def mismatch_rates(
    currents: np.ndarray,
    spread: float = 0.1,
    seed: int = 0,
    n_neurons: int = 16,
    duration: float = 0.3,
    params: ParamsLike = None,
    method: str = "fast",
) -> np.ndarray:
    """Output rates (Hz), shape (len(currents), n_neurons): F-I curves of ``n_neurons`` neurons of one core.

    For each constant current (A, set through the core's IF_DC_P bias, so
    every neuron's share of it is mismatched too) one chip with
    ``Mismatch(spread, seed=seed)`` runs all neurons at once.
    """
    n_neurons = _check_count("n_neurons", n_neurons, 1, NEURONS_PER_CORE)
    rates = experiments.fi_curve(currents, duration, params, method, n_neurons=n_neurons,
                                 mismatch=Mismatch(spread=spread, seed=seed))
    return rates.reshape(-1, n_neurons)


def mismatch_fi_panel(
    spread: float = 0.1,
    seed: int = 0,
    n_neurons: int = 16,
    max_current_pA: float = 1000.0,
    points: int = 6,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, np.ndarray]:
    """The F-I curves of ``n_neurons`` neurons of one core given the same biases (:func:`mismatch_rates`).

    Draws each neuron's curve thin and the core's mean thick. Returns the
    currents (A), the rates (Hz, shape (points, n_neurons)), their mean and
    standard deviation across neurons at each current, and ``cv``, the
    standard deviation over the mean (NaN where no neuron fires).
    """
    points = _check_count("points", points, 2, 50)
    currents = np.linspace(0.0, _check_positive("max_current_pA", max_current_pA), points) * pA
    rates = mismatch_rates(currents, spread, seed, n_neurons, _check_positive("duration_ms", duration_ms) * ms,
                           params)
    mean, std = rates.mean(axis=1), rates.std(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.nan)
    (axis,) = _axes(ax, figsize=(7.0, 3.5))
    axis.plot(currents / pA, rates, color="C0", alpha=0.35, linewidth=0.8)
    axis.plot(currents / pA, mean, "o-", color="k", linewidth=2, label=f"mean of {rates.shape[1]} neurons")
    axis.set_xlabel("injected current, IF_DC_P (pA)")
    axis.set_ylabel("output rate (Hz)")
    axis.set_title(f"mismatch spread {100 * spread:g} %, seed {seed}", fontsize=10)
    axis.legend(loc="upper left", fontsize="small")
    return {"currents": currents, "rates": rates, "mean": mean, "std": std, "cv": cv}


def closest_to_median(rates: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` neurons whose rates are closest to the median neuron's (a selection remedy).

    ``rates`` has one column per neuron (one row per test condition, or a
    single row); the distance of a neuron is the sum over rows of
    ``abs(rate - median rate)``. Ties keep the lower index. Returned sorted.
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=float))
    n = _check_count("n", n, 1, rates.shape[1])
    distance = np.abs(rates - np.median(rates, axis=1, keepdims=True)).sum(axis=0)
    return np.sort(np.argsort(distance, kind="stable")[:n])


# --- chapter 10: transistor level ---------------------------------------------------------
def netlist_devices(name: str) -> list[tuple[str, str]]:
    """The devices of a netlist of ``circuits/`` with their comments: [(device line, comment)].

    A device line is one starting with a SPICE element letter (m, c, r, i,
    v, x, ...) and carrying a ``$`` comment, as every device of the
    project's netlists does. Raises :class:`~dynapse_edu.spice.ngspice.SpiceNetlistError`
    if the file does not exist.
    """
    path = ngspice.netlist_path(name)
    out = []
    for line in path.read_text().splitlines():
        if re.match(r"^[a-zA-Z]\w*\s", line) and not line.startswith((".", "*")) and "$" in line:
            device, comment = line.split("$", 1)
            out.append((" ".join(device.split()), comment.strip()))
    return out


#: The comparisons of :mod:`dynapse_edu.spice.compare` by short name (the drop-down of :func:`comparison_panel`).
COMPARISONS = {
    "transistor": compare.compare_transistor,
    "dpi_pulse": compare.compare_dpi_pulse,
    "dpi_train": compare.compare_dpi_train,
    "dpi_gain": compare.compare_dpi_gain,
    "neuron_fi": compare.compare_neuron_fi,
    "neuron_adaptation": compare.compare_neuron_adaptation,
}


def comparison_panel(which: str = "dpi_pulse", ax: Axes | None = None) -> dict[str, float]:
    """Run one comparison of :mod:`dynapse_edu.spice.compare` with its defaults (ngspice, cached), draw it.

    ``which`` is a key of :data:`COMPARISONS`. Prints the comparison's report
    and returns its ratios (model / ngspice per metric).
    """
    if which not in COMPARISONS:
        raise ParameterError(f"which = {which!r}; allowed: {', '.join(COMPARISONS)}")
    result = COMPARISONS[which]()
    (axis,) = _axes(ax, figsize=(6.5, 3.5))
    result.plot(ax=axis)
    print(result.report())
    return result.ratios


def dpi_pulse_panel(
    iw_nA: float = 10.0,
    tpulse_us: float = 50.0,
    itau_pA: float = 20.0,
    ax: Axes | None = None,
) -> dict[str, float]:
    """The DPI synapse's response to one pulse, transistors vs model, for chosen netlist biases.

    Runs :func:`~dynapse_edu.spice.compare.compare_dpi_pulse` with the weight
    current ``iw_nA``, the pulse width ``tpulse_us`` and the leak ``itau_pA``
    of ``dpi_synapse_tb-pulse.cir``. Returns the ratios (model / ngspice) of
    the peak and of the decay time constant, and the circuit's tau (s).
    """
    params = {
        "iw": _check_positive("iw_nA", iw_nA) * nA,
        "tpulse": _check_positive("tpulse_us", tpulse_us) * us,
        "itau": _check_positive("itau_pA", itau_pA) * pA,
    }
    result = compare.compare_dpi_pulse(params)
    (axis,) = _axes(ax, figsize=(6.5, 3.5))
    result.plot(ax=axis)
    ratios = result.ratios
    return {
        "peak_ratio": ratios["peak current (A)"],
        "tau_ratio": ratios["decay tau (s)"],
        "tau_circuit": result.metrics["decay tau (s)"][0],
    }


# --- chapter 11: a small network ---------------------------------------------------------
#: Core 0 biases of the winner-take-all: excitatory weight and GABA_B weight currents (A).
WTA_BIASES = {"I_w0_ampa": 200e-12, "I_w0_gaba_b": 1.6e-9}


def build_wta(
    rate_a: float = 100.0,
    rate_b: float = 70.0,
    n: int = 8,
    n_inh: int = 4,
    w_in: int = 4,
    w_exc: int = 5,
    w_inh: int = 4,
    seed: int = 1,
) -> tuple[Chip, dict[str, Population]]:
    """A soft winner-take-all on one chip in hardware mode: two excitatory groups, one shared inhibitory group.

    Groups A and B (``n`` neurons each) share core 0 and so its biases
    (:data:`WTA_BIASES`); each neuron gets its own Poisson input (``rate_a``
    or ``rate_b`` Hz, weight ``w_in``) and excites every neuron of its own
    group (weight ``w_exc``) and the ``n_inh`` inhibitory neurons on core 1
    (weight 4). The inhibitory neurons inhibit both groups through GABA_B
    (weight ``w_inh``; 0 leaves the inhibition out). Every weight is an
    integer number of CAM entries: an excitatory neuron needs
    ``w_in + n w_exc + n_inh w_inh`` of its 64 (60 with the defaults).
    Returns the chip and its populations ``"A"``, ``"B"``, ``"inh"``.
    """
    chip = Chip(hardware=True)
    chip.set_bias(0, **WTA_BIASES)
    groups = {"A": chip.get_neurons(n, core=0), "B": chip.get_neurons(n, core=0),
              "inh": chip.get_neurons(n_inh, core=1)}
    for k, (name, rate) in enumerate((("A", rate_a), ("B", rate_b))):
        group = groups[name]
        chip.add_connection(PoissonGenerator(n, rate, seed=seed + k), group, "AMPA", w_in, rule="one_to_one")
        chip.add_connection(group, group, "AMPA", w_exc)
        chip.add_connection(group, groups["inh"], "AMPA", 4)
        if w_inh:
            chip.add_connection(groups["inh"], group, "GABA_B", w_inh)
    return chip, groups


def wta_panel(
    rate_a: float = 100.0,
    rate_b: float = 70.0,
    w_exc: int = 5,
    w_inh: int = 4,
    duration_ms: float = 500.0,
    method: str = "fast",
    ax: Axes | None = None,
) -> dict[str, Any]:
    """Run :func:`build_wta` and draw its raster (A blue, B orange, inhibition grey).

    Returns the mean rate (Hz) of each group, the ``winner`` (``"A"`` or
    ``"B"``, the group with the higher mean rate; ``"none"`` on a tie), the
    output ratio winner / loser against the input ratio, and the largest CAM
    use of a neuron.
    """
    chip, groups = build_wta(rate_a, rate_b, w_exc=w_exc, w_inh=w_inh)
    result = chip.run(_check_positive("duration_ms", duration_ms) * ms, method=method, dt=None, at_spikes=False)
    local = {name: np.searchsorted(chip.neuron_ids, pop.ids) for name, pop in groups.items()}
    (axis,) = _axes(ax, figsize=(8.0, 3.5))
    colors = {"A": "C0", "B": "C1", "inh": "0.4"}
    rates = {}
    for name, index in local.items():
        rates[name] = float(result.rates[index].mean())
        for k, row in enumerate(index.tolist()):
            times = result.spike_times[row]
            label = f"{name}: {rates[name]:.1f} Hz" if k == 0 else None
            axis.plot(times / ms, np.full(times.size, row), "|", color=colors[name], markersize=5, label=label)
    axis.set_xlim(0, duration_ms)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title="mean rate")
    axis.set_xlabel("time (ms)")
    axis.set_ylabel("neuron")
    winner = "A" if rates["A"] > rates["B"] else "B" if rates["B"] > rates["A"] else "none"
    high, low = max(rates["A"], rates["B"]), min(rates["A"], rates["B"])
    return {
        "rate_A": rates["A"],
        "rate_B": rates["B"],
        "rate_inh": rates["inh"],
        "winner": winner,
        "output_ratio": high / low if low > 0 else float("inf"),
        "input_ratio": max(rate_a, rate_b) / min(rate_a, rate_b),
        "cam_max": max(chip.cam_used(i) for i in chip.neuron_ids.tolist()),
    }


__all__ = [
    "routing_panel",
    "core_map",
    "bias_ranges",
    "bias_panel",
    "mismatch_factor_panel",
    "mismatch_rates",
    "mismatch_fi_panel",
    "closest_to_median",
    "netlist_devices",
    "COMPARISONS",
    "comparison_panel",
    "dpi_pulse_panel",
    "WTA_BIASES",
    "build_wta",
    "wta_panel",
]

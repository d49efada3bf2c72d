"""The panels of the book's part *Transistors and networks*: the transistor level (chapter 10), a network (11).

Each panel runs a small experiment through the library, draws it and returns
the numbers to look at; :func:`~dynapse_edu.course.widgets.explore` turns it
into a widget (the contract is in :mod:`dynapse_edu.course.widgets`).

* Chapter 10, transistor level: :func:`netlist_devices`, :func:`device_table`, :func:`comparison_panel`,
  :func:`dpi_pulse_panel` (ngspice through :mod:`dynapse_edu.spice.compare`);
* Chapter 11, a small network: :func:`build_wta`, :func:`wta_panel`.

>>> devices = dict(netlist_devices("dpi_synapse.cir"))
>>> any(line.startswith("mtau ") for line in devices)
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..core.synapse import synapse_key
from ..errors import ParameterError
from ..hardware.bank import pulse_params
from ..hardware.board import Population
from ..hardware.chip import Chip
from ..hardware.inputs import PoissonGenerator
from ..spice import compare, ngspice
from ..units import ms, nA, pA, us
from .widgets import Table, check_positive, panel_axes


# --- chapter 10: transistor level ---------------------------------------------------------
def netlist_devices(name: str) -> list[tuple[str, str]]:
    """The devices of a netlist of ``circuits/`` with their comments.

    A device line is one starting with a SPICE element letter (m, c, r, i,
    v, x, ...) and carrying a ``$`` comment, as every device of the
    project's netlists does. Needs no ngspice.

    Parameters
    ----------
    name : str
        File name of the netlist in ``circuits/`` (e.g. ``"dpi_synapse.cir"``).

    Returns
    -------
    list of (str, str)
        ``(device line, comment)`` per device, in file order.

    Raises
    ------
    SpiceNetlistError
        If the file does not exist (:class:`~dynapse_edu.spice.ngspice.SpiceNetlistError`).

    Examples
    --------
    >>> line, comment = netlist_devices("dpi_synapse.cir")[0]
    >>> line.split()[0][0] in "mcrivx"
    True
    """
    path = ngspice.netlist_path(name)
    out = []
    for line in path.read_text().splitlines():
        if re.match(r"^[a-zA-Z]\w*\s", line) and not line.startswith((".", "*")) and "$" in line:
            device, comment = line.split("$", 1)
            out.append((" ".join(device.split()), comment.strip()))
    return out


def device_table(name: str) -> Table:
    """The devices of a netlist of ``circuits/`` as a table: device, its first four nodes, its role.

    Parameters
    ----------
    name : str
        File name of the netlist in ``circuits/`` (e.g. ``"dpi_synapse.cir"``).

    Returns
    -------
    Table
        One row per device of :func:`netlist_devices`; a notebook shows it as an HTML table.

    Raises
    ------
    SpiceNetlistError
        If the file does not exist.

    Examples
    --------
    >>> table = device_table("dpi_synapse.cir")
    >>> table.columns, len(table) == len(netlist_devices("dpi_synapse.cir"))
    (['device', 'nodes', 'role'], True)
    """
    rows = [[line.split()[0], " ".join(line.split()[1:5]), comment] for line, comment in netlist_devices(name)]
    return Table(["device", "nodes", "role"], rows, code=["device", "nodes"])


#: The comparisons of :mod:`dynapse_edu.spice.compare` by short name (the drop-down of :func:`comparison_panel`).
COMPARISONS = {
    "transistor": compare.compare_transistor,
    "dpi_pulse": compare.compare_dpi_pulse,
    "dpi_train": compare.compare_dpi_train,
    "dpi_gain": compare.compare_dpi_gain,
    "neuron_fi": compare.compare_neuron_fi,
    "neuron_adaptation": compare.compare_neuron_adaptation,
}


def comparison_panel(which: str = "dpi_pulse", axes: Sequence[Axes] | None = None) -> dict[str, float]:
    """Run one comparison of :mod:`dynapse_edu.spice.compare` (ngspice, cached): both curves, and where they part.

    Left: the circuit's and the model's curves (``Comparison.plot``). Right:
    every metric's ratio model / ngspice as a bar, on a band of the
    comparison's target (blue inside it, red outside; grey for metrics that
    are shown but not scored), so the metric where the model fails stands
    out. Prints the comparison's report, which says why they differ. Needs
    ngspice and PySpice.

    Parameters
    ----------
    which : str
        A key of :data:`COMPARISONS`.
    axes : two Axes or None
        Where to draw (curves, ratios); None makes a new figure.

    Returns
    -------
    dict
        The ratios model / ngspice, one per metric (the metric's name states its unit).

    Raises
    ------
    ParameterError
        If ``which`` is not a key of :data:`COMPARISONS`.
    """
    if which not in COMPARISONS:
        raise ParameterError(f"which = {which!r}; allowed: {', '.join(COMPARISONS)}")
    result = COMPARISONS[which]()
    curves, bars = panel_axes(axes, 2, figsize=(11.0, 3.8))
    result.plot(ax=curves)
    scored = result.ratios
    unscored = {key: (m / s if s else float("inf")) for key, (s, m) in result.unscored.items()}
    names = [*scored, *unscored]
    values = [*scored.values(), *unscored.values()]
    target = result.target
    colours = ["0.6" if name in unscored else ("C0" if target is None or abs(r - 1) <= target else "C3")
               for name, r in zip(names, values, strict=True)]
    rows = np.arange(len(names))
    bars.barh(rows, values, color=colours)
    bars.axvline(1.0, color="k", linewidth=0.8)
    if target is not None:
        bars.axvspan(1 - target, 1 + target, color="C2", alpha=0.15, label=f"target: within {100 * target:.0f} %")
        bars.legend(loc="best", fontsize="small")
    bars.set_yticks(rows, names, fontsize="small")
    bars.invert_yaxis()
    bars.set_xlabel("model / ngspice")
    verdict = "no target" if target is None else ("within target" if result.ok else "OUTSIDE target")
    bars.set_title(f"worst deviation {100 * result.worst:.0f} % ({verdict})", fontsize=10)
    print(result.report())
    return scored


def dpi_pulse_panel(
    iw_nA: float = 10.0,
    tpulse_us: float = 50.0,
    itau_pA: float = 20.0,
    ax: Axes | None = None,
) -> dict[str, float]:
    """The DPI synapse's response to one pulse, transistors against the model, for chosen netlist biases.

    Runs :func:`~dynapse_edu.spice.compare.compare_dpi_pulse` on
    ``dpi_synapse_tb-pulse.cir``. Needs ngspice and PySpice.

    Parameters
    ----------
    iw_nA : float
        The weight current, nA.
    tpulse_us : float
        The input pulse's width, us.
    itau_pA : float
        The leak current, pA.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``peak_ratio`` and ``tau_ratio`` (model / ngspice, of the peak current
        and of the decay time constant) and ``tau_circuit``, the circuit's decay time constant (s).
    """
    params = {
        "iw": check_positive("iw_nA", iw_nA) * nA,
        "tpulse": check_positive("tpulse_us", tpulse_us) * us,
        "itau": check_positive("itau_pA", itau_pA) * pA,
    }
    result = compare.compare_dpi_pulse(params)
    (axis,) = panel_axes(ax, figsize=(6.5, 3.5))
    result.plot(ax=axis)
    ratios = result.ratios
    return {
        "peak_ratio": ratios["peak current (A)"],
        "tau_ratio": ratios["decay tau (s)"],
        "tau_circuit": result.metrics["decay tau (s)"][0],
    }


# --- chapter 11: a small network ---------------------------------------------------------
#: The winner-take-all's core 0 weight currents in A as tuned with instant jumps (AMPA 200 pA, GABA_B 1.6 nA).
WTA_JUMP_WEIGHTS = {"AMPA": 200e-12, "GABA_B": 1.6e-9}


def _pulse_weights(jump_weights: dict[str, float]) -> dict[str, float]:
    """The weight biases whose pulses add what ``jump_weights``' instant jumps added (hardware mode).

    Each current becomes :func:`~dynapse_edu.core.synapse.pulse_weight_current` of it, with the
    pulse width of the default ``PULSE_PWLK_P`` and the synapse's default time constant
    (:func:`~dynapse_edu.hardware.bank.pulse_params`, the rule hardware mode starts from).
    """
    fields = {f"I_w0_{synapse_key(synapse)}": I_w0 for synapse, I_w0 in jump_weights.items()}
    pulsed = pulse_params(fields)
    return {field: getattr(pulsed, field) for field in fields}


#: Core 0 biases of the winner-take-all: the AMPA and GABA_B weight currents (A) of :data:`WTA_JUMP_WEIGHTS`
#: for pulses of 10 us (hardware mode): about 71 nA and 2.27 uA, 2 and 16 times the pulse defaults.
WTA_BIASES = _pulse_weights(WTA_JUMP_WEIGHTS)


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

    Groups A and B share core 0 and so its biases (:data:`WTA_BIASES`: weight
    currents tuned with instant jumps, converted for the pulses of hardware mode); each
    neuron gets its own Poisson input and excites every neuron of its own
    group and the inhibitory neurons on core 1 (weight 4). The inhibitory
    neurons inhibit both groups through GABA_B. Every weight is an integer
    number of CAM entries: an excitatory neuron needs
    ``w_in + n w_exc + n_inh w_inh`` of its 64 (60 with the defaults).

    Parameters
    ----------
    rate_a, rate_b : float
        Rate of each neuron's Poisson input in group A and in group B, Hz.
    n : int
        Neurons per excitatory group.
    n_inh : int
        Inhibitory neurons.
    w_in : int
        Weight of the input (AMPA).
    w_exc : int
        Weight of the excitation within a group (AMPA).
    w_inh : int
        Weight of the inhibition (GABA_B); 0 leaves it out.
    seed : int
        Seed of group A's input (group B's is ``seed + 1``).

    Returns
    -------
    (Chip, dict)
        The chip and its populations ``"A"``, ``"B"``, ``"inh"``.

    Raises
    ------
    HardwareLimitError
        If a neuron would need more than 64 CAM entries.

    Examples
    --------
    >>> chip, groups = build_wta()
    >>> {name: len(pop.ids) for name, pop in groups.items()}
    {'A': 8, 'B': 8, 'inh': 4}
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

    Parameters
    ----------
    rate_a, rate_b : float
        Input rate of each group, Hz.
    w_exc : int
        Weight of the excitation within a group.
    w_inh : int
        Weight of the inhibition; 0 leaves it out.
    duration_ms : float
        Simulated time, ms.
    method : str
        The integrator (``"fast"`` or ``"reference"``).
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        The mean rate of each group, ``rate_A``, ``rate_B``, ``rate_inh`` (Hz);
        the ``winner`` (``"A"`` or ``"B"``, the group with the higher mean
        rate; ``"none"`` on a tie); ``output_ratio`` (winner / loser) and
        ``input_ratio``; ``cam_max``, the largest CAM use of a neuron.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = wta_panel(duration_ms=100.0, method="reference", ax=Figure().subplots())
    >>> out["winner"], out["cam_max"]  # an inhibitory neuron listens to all 16 excitatory ones, weight 4
    ('A', 64)
    """
    chip, groups = build_wta(rate_a, rate_b, w_exc=w_exc, w_inh=w_inh)
    result = chip.run(check_positive("duration_ms", duration_ms) * ms, method=method, dt=None, at_spikes=False)
    local = {name: np.searchsorted(chip.neuron_ids, pop.ids) for name, pop in groups.items()}
    (axis,) = panel_axes(ax, figsize=(8.0, 3.5))
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
    "device_table",
    "netlist_devices",
    "COMPARISONS",
    "comparison_panel",
    "dpi_pulse_panel",
    "WTA_JUMP_WEIGHTS",
    "WTA_BIASES",
    "build_wta",
    "wta_panel",
]

"""The panels of the chapter *From biology to silicon*: the transistor law, the AdEx and the DPI neuron, inputs.

Each panel runs a small computation through the library, draws it and returns the numbers to
look at; :func:`~dynapse_edu.course.widgets.explore` turns it into a widget (the contract is in
:mod:`dynapse_edu.course.widgets`). Every panel answers well within half a second: the neuron
runs on the fast engine, the AdEx for a few hundred ms.

* :func:`subthreshold_panel`: the exponential law of a transistor below threshold, U_T and kappa;
* :func:`drive_panel`: conductances (biology, voltage form) against currents (silicon);
* :func:`adex_panel`: the AdEx in its (V, w) phase plane (:mod:`dynapse_edu.core.adex`);
* :func:`phase_plane_panel`: the DPI neuron in its (I_mem, I_ahp) phase plane (:mod:`dynapse_edu.phaseplane`);
* :func:`input_playground_panel`: regular, Poisson and cosine-modulated input into one neuron;
* :func:`ff_relu_panel`: the F-F curve beside the ReLU fitted to it (:func:`relu_fit`).

>>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
>>> out = subthreshold_panel(kappa=0.7, temperature_C=27.0, axes=Figure().subplots(1, 2))
>>> round(out["mV_per_decade"], 1)
85.1
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from scipy.optimize import minimize_scalar

from .. import experiments, phaseplane
from ..core.adex import AdExParams, conductance_current, v_nullcline, w_nullcline
from ..core.neuron import nmda_gate
from ..core.params import ParamsLike, resolve
from ..core.subthreshold import gate_voltage, subthreshold_current, thermal_voltage
from ..core.synapse import synapse_index
from ..errors import ParameterError
from ..hardware.chip import Chip
from ..hardware.inputs import CosineRateGenerator, PoissonGenerator, RegularGenerator
from ..units import ms, mV, nA, pA
from .widgets import check_count, check_positive, panel_axes

#: The input kinds of :func:`input_playground_panel`.
INPUT_KINDS = ("regular", "poisson", "cosine")
#: Largest number of input rates of :func:`ff_relu_panel`.
MAX_POINTS = 30


def _isi_ms(spikes: np.ndarray) -> tuple[float, float]:
    """First and last inter-spike interval, ms (NaN with fewer than two spikes)."""
    if spikes.size < 2:
        return float("nan"), float("nan")
    isi = np.diff(spikes) / ms
    return float(isi[0]), float(isi[-1])


# --- the transistor below threshold -------------------------------------------------------------
def subthreshold_panel(kappa: float = 0.705, temperature_C: float = 27.0, axes: Sequence[Axes] | None = None
                       ) -> dict[str, float]:
    """Drain current of a saturated transistor against its gate voltage, on a linear and a log axis.

    The law is :func:`~dynapse_edu.core.subthreshold.subthreshold_current` with the thermal
    voltage of the chosen temperature (:func:`~dynapse_edu.core.subthreshold.thermal_voltage`);
    the grey curve is the simulator's default (kappa 0.705, U_T 25 mV).

    Parameters
    ----------
    kappa : float
        Subthreshold slope factor, 0.3 .. 1.
    temperature_C : float
        Temperature of the chip, degrees Celsius.
    axes : two Axes or None
        Where to draw (linear, log); None makes a new figure.

    Returns
    -------
    dict
        ``Ut_mV`` (thermal voltage, mV), ``mV_per_decade`` (gate voltage for ten times the current, mV)
        and ``current_at_400mV_pA`` (pA).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> round(subthreshold_panel(temperature_C=87.0, axes=Figure().subplots(1, 2))["Ut_mV"], 2)  # hotter: larger U_T
    31.04
    """
    Ut = thermal_voltage(float(temperature_C) + 273.15)
    V_g = np.linspace(0.0, 0.6, 200)
    current = subthreshold_current(V_g, kappa=kappa, Ut=Ut)
    default = subthreshold_current(V_g)
    linear, log = panel_axes(axes, 2, figsize=(9.0, 3.2))
    for axis in (linear, log):
        axis.plot(V_g / mV, default / pA, color="0.6", label="default: kappa 0.705, U_T 25 mV")
        axis.plot(V_g / mV, current / pA, label=f"kappa {kappa:g}, {temperature_C:g} C (U_T {Ut / mV:.1f} mV)")
        axis.set_xlabel("gate voltage V_g (mV)")
        axis.set_ylabel("drain current (pA)")
    log.set_yscale("log")
    linear.set_title("linear axis: nothing, then a wall", fontsize="small")
    log.set_title("log axis: a straight line", fontsize="small")
    log.legend(loc="lower right", fontsize="small")
    decade = float(gate_voltage(10.0, kappa=kappa, Ut=Ut) - gate_voltage(1.0, kappa=kappa, Ut=Ut))
    return {"Ut_mV": Ut / mV, "mV_per_decade": decade / mV,
            "current_at_400mV_pA": float(subthreshold_current(0.4, kappa=kappa, Ut=Ut)) / pA}


# --- conductances and currents ---------------------------------------------------------------------
def drive_panel(g_nS: float = 1.0, I_syn_pA: float = 100.0, params: ParamsLike = None,
                axes: Sequence[Axes] | None = None) -> dict[str, float]:
    """Biology's synapses are conductances, the chip's are currents: what reaches the membrane.

    Left: the current of an excitatory (reversal 0 mV) and an inhibitory (reversal -70 mV)
    conductance against the membrane potential (:func:`~dynapse_edu.core.adex.conductance_current`).
    Right: what the chip's AMPA and NMDA synapses, each carrying ``I_syn``, put into the soma
    against the membrane current: AMPA the same at every I_mem, NMDA through its voltage gate
    (:func:`~dynapse_edu.core.neuron.nmda_gate`).

    Parameters
    ----------
    g_nS : float
        The conductance of both biological synapses, nS.
    I_syn_pA : float
        The current of both silicon synapses, pA.
    params : Params, dict or None
        The neuron (its NMDA threshold); None for the defaults.
    axes : two Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``exc_at_rest_pA`` and ``exc_at_-50mV_pA`` (the excitatory current at -70 and -50 mV),
        ``inh_at_rest_pA`` (the inhibitory one at -70 mV: zero, a pure shunt), ``nmda_at_thr_pA``
        (the NMDA current passed at I_mem = I_nmda_thr: half).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = drive_panel(axes=Figure().subplots(1, 2))
    >>> round(out["exc_at_rest_pA"], 1), round(out["exc_at_-50mV_pA"], 1), round(out["nmda_at_thr_pA"], 1)
    (70.0, 50.0, 50.0)
    """
    p = resolve(params)
    g = check_positive("g_nS", g_nS) * 1e-9
    I_syn = check_positive("I_syn_pA", I_syn_pA) * pA
    V = np.linspace(-90e-3, -30e-3, 121)
    bio, chip = panel_axes(axes, 2, figsize=(9.0, 3.2))
    bio.plot(V / mV, conductance_current(g, 0.0, V) / pA, label="excitatory, E_rev = 0 mV")
    bio.plot(V / mV, conductance_current(g, -70e-3, V) / pA, label="inhibitory, E_rev = -70 mV")
    bio.axhline(0.0, color="k", linewidth=0.6)
    bio.set_xlabel("membrane potential V (mV)")
    bio.set_ylabel("synaptic current (pA)")
    bio.set_title(f"biology: I = g (E_rev - V), g = {g_nS:g} nS", fontsize="small")
    bio.legend(loc="upper right", fontsize="small")
    I_mem = np.geomspace(p.I0, p.I_th, 200)
    chip.plot(I_mem / pA, np.full_like(I_mem, I_syn) / pA, label="AMPA")
    chip.plot(I_mem / pA, nmda_gate(I_syn, I_mem, p) / pA, label="NMDA, through its gate")
    chip.set_xscale("log")
    chip.set_ylim(bottom=0.0)
    chip.set_xlabel("membrane current I_mem (pA)")
    chip.set_ylabel("current into the soma (pA)")
    chip.set_title(f"silicon: I_syn = {I_syn_pA:g} pA, whatever I_mem", fontsize="small")
    chip.legend(loc="lower right", fontsize="small")
    return {
        "exc_at_rest_pA": float(conductance_current(g, 0.0, -70e-3)) / pA,
        "exc_at_-50mV_pA": float(conductance_current(g, 0.0, -50e-3)) / pA,
        "inh_at_rest_pA": float(conductance_current(g, -70e-3, -70e-3)) / pA,
        "nmda_at_thr_pA": float(nmda_gate(I_syn, p.I_nmda_thr, p)) / pA,
    }


# --- the AdEx in its phase plane ---------------------------------------------------------------------
def adex_panel(I_nA: float = 0.8, a_nS: float = 4.0, b_pA: float = 80.5, tau_w_ms: float = 144.0,
               duration_ms: float = 300.0, axes: Sequence[Axes] | None = None) -> dict[str, float]:
    """The AdEx under a constant current: its (V, w) phase plane with both nullclines, and V(t).

    The neuron is :class:`~dynapse_edu.core.adex.AdExParams` (Brette & Gerstner 2005) with the
    chosen adaptation; the path is :func:`~dynapse_edu.phaseplane.adex_trajectory`, its resets dotted.

    Parameters
    ----------
    I_nA : float
        Injected current, nA (-1 .. 10).
    a_nS : float
        Subthreshold adaptation, nS (>= 0).
    b_pA : float
        Spike-triggered adaptation, pA (>= 0).
    tau_w_ms : float
        Adaptation time constant, ms.
    duration_ms : float
        Simulated time, ms (at most 2000).
    axes : two Axes or None
        Where to draw (phase plane, V(t)); None makes a new figure.

    Returns
    -------
    dict
        ``spikes`` (count), ``rate`` (Hz), ``first_isi_ms`` and ``last_isi_ms`` (NaN with fewer than
        two spikes), ``w_end_pA`` (the adaptation current at the end).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = adex_panel(I_nA=0.8, duration_ms=200.0, axes=Figure().subplots(1, 2))
    >>> out["spikes"], out["first_isi_ms"] < out["last_isi_ms"]  # it adapts
    (5, True)
    """
    duration = check_positive("duration_ms", duration_ms) * ms
    if duration > 2.0:
        raise ParameterError(f"duration_ms = {duration_ms!r} is above 2000 ms (a widget answers at once)")
    p = AdExParams().replace(a=float(a_nS) * 1e-9, b=float(b_pA) * pA, tau_w=check_positive("tau_w_ms", tau_w_ms) * ms)
    I = float(I_nA) * nA
    run = phaseplane.adex_trajectory(I, duration, p)
    plane, trace = panel_axes(axes, 2, figsize=(10.0, 3.6))
    V = np.linspace(p.E_L - 15e-3, p.V_peak, 300)
    plane.plot(V / mV, v_nullcline(V, I, p) / pA, color="C0", label="V-nullcline (dV/dt = 0)")
    plane.plot(V / mV, w_nullcline(V, p) / pA, color="C1", label="w-nullcline (dw/dt = 0)")
    jumps = np.flatnonzero(np.diff(run["V"]) < -5e-3)  # the resets: V_peak -> V_r
    for segment in np.split(np.arange(run["t"].size), jumps + 1):
        plane.plot(run["V"][segment] / mV, run["w"][segment] / pA, color="k", linewidth=1.0)
    for k in jumps:
        plane.plot(run["V"][k:k + 2] / mV, run["w"][k:k + 2] / pA, color="0.5", linestyle=":", linewidth=1.0)
    plane.plot([], [], color="k", label="trajectory (dotted: reset)")
    w_high = max(float(np.max(run["w"])), float(v_nullcline(p.V_T, I, p)), 50 * pA)
    plane.set_ylim(min(float(np.min(run["w"])), 0.0) / pA - 20, 1.3 * w_high / pA)
    plane.set_xlabel("V (mV)")
    plane.set_ylabel("w (pA)")
    plane.legend(loc="upper left", fontsize="small")
    trace.plot(run["t"] / ms, run["V"] / mV, color="k", linewidth=0.8)
    trace.set_xlabel("time (ms)")
    trace.set_ylabel("V (mV)")
    first, last = _isi_ms(run["spikes"])
    return {"spikes": int(run["spikes"].size), "rate": run["spikes"].size / duration,
            "first_isi_ms": first, "last_isi_ms": last, "w_end_pA": float(run["w"][-1]) / pA}


# --- the DPI neuron in its phase plane -----------------------------------------------------------------
def phase_plane_panel(
    I_const_pA: float = 800.0,
    I_w_ahp_pA: float = 2.0,
    I_tau_ahp_pA: float = 2.0,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    axes: Sequence[Axes] | None = None,
    method: str = "fast",
) -> dict[str, float]:
    """The DPI neuron under a constant input in its (I_mem, I_ahp) plane: nullclines, flow, a trajectory.

    Left, on log axes: the membrane nullcline (:func:`~dynapse_edu.phaseplane.membrane_nullcline`),
    the adaptation nullcline (the floor I0, where the adaptation current rests), arrows of the
    flow (:func:`~dynapse_edu.phaseplane.vector_field`, drawn as directions on the log axes), the
    threshold I_th and the path of the simulated neuron (:func:`~dynapse_edu.phaseplane.trajectory`)
    with its resets dotted. Right: the same run against time.

    Parameters
    ----------
    I_const_pA : float
        Constant input current, pA.
    I_w_ahp_pA : float
        Adaptation weight, pA: each spike adds I_w_ahp alpha_ahp to I_ahp.
    I_tau_ahp_pA : float
        Adaptation leak, pA: sets tau_ahp = C_ahp U_T / (kappa I_tau_ahp).
    duration_ms : float
        Simulated time, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    axes : two Axes or None
        Where to draw (phase plane, time course); None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default) or ``"reference"``.

    Returns
    -------
    dict
        ``spikes`` (count), ``rate`` (Hz), ``first_isi_ms``, ``last_isi_ms`` (NaN with fewer than two
        spikes), ``rheobase_pA`` (:func:`~dynapse_edu.phaseplane.rheobase`), ``rests`` (1 if the
        membrane has a resting state without adaptation, else 0) and ``tau_ahp_ms``.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = phase_plane_panel(I_const_pA=800.0, duration_ms=200.0, axes=Figure().subplots(1, 2))
    >>> out["rests"], out["first_isi_ms"] < out["last_isi_ms"]  # above rheobase, and it adapts
    (0, True)
    """
    p = resolve(params).replace(I_const=float(I_const_pA) * pA, I_w_ahp=check_positive("I_w_ahp_pA", I_w_ahp_pA) * pA,
                                I_tau_ahp=check_positive("I_tau_ahp_pA", I_tau_ahp_pA) * pA)
    duration = check_positive("duration_ms", duration_ms) * ms
    path = phaseplane.trajectory(p, duration, method=method)
    plane, trace = panel_axes(axes, 2, figsize=(10.0, 3.8))
    x_low, x_high = 0.5 * p.I0, 2.0 * p.I_th
    y_low = 0.5 * p.I0
    y_high = max(4.0 * float(np.max(path["I_ahp"])), 100 * p.I0)
    I_mem = np.geomspace(p.I0, p.I_th, 300)
    nullcline = phaseplane.membrane_nullcline(I_mem, p)
    shown = np.where(nullcline > y_low, nullcline, np.nan)
    plane.plot(I_mem / pA, shown / pA, color="C0", label="membrane nullcline")
    plane.axhline(p.I0 / pA, color="C1", label="adaptation nullcline (floor I0)")
    plane.axvline(p.I_th / pA, color="k", linestyle="--", linewidth=0.8, label="threshold I_th")
    grid_x, grid_y = np.meshgrid(np.geomspace(p.I0 * 1.01, p.I_th, 14), np.geomspace(p.I0 * 1.01, y_high, 10))
    d_mem, d_ahp = phaseplane.vector_field(grid_x, grid_y, p)
    u, v = d_mem / grid_x, d_ahp / grid_y  # rates of the logarithms: directions on log axes
    norm = np.hypot(u, v)
    norm[norm == 0] = 1.0
    plane.quiver(grid_x / pA, grid_y / pA, u / norm, v / norm, color="0.7", angles="xy", width=0.003)
    jumps = np.flatnonzero(path["I_mem"][1:] < 0.1 * path["I_mem"][:-1])  # the resets: I_th -> I_reset
    for segment in np.split(np.arange(path["t"].size), jumps + 1):
        plane.plot(path["I_mem"][segment] / pA, path["I_ahp"][segment] / pA, color="k", linewidth=1.0)
    for k in jumps:
        plane.plot(path["I_mem"][k:k + 2] / pA, path["I_ahp"][k:k + 2] / pA, color="0.4", linestyle=":", linewidth=1.0)
    plane.plot([], [], color="k", label="trajectory (dotted: reset)")
    plane.set_xscale("log")
    plane.set_yscale("log")
    plane.set_xlim(x_low / pA, x_high / pA)
    plane.set_ylim(y_low / pA, y_high / pA)
    plane.set_xlabel("membrane current I_mem (pA)")
    plane.set_ylabel("adaptation current I_ahp (pA)")
    plane.legend(loc="upper left", fontsize="x-small")
    trace.plot(path["t"] / ms, path["I_mem"] / pA, label="I_mem")
    trace.plot(path["t"] / ms, path["I_ahp"] / pA, label="I_ahp")
    trace.axhline(p.I_th / pA, color="k", linestyle="--", linewidth=0.8)
    trace.set_yscale("log")
    trace.set_xlabel("time (ms)")
    trace.set_ylabel("current (pA)")
    trace.legend(loc="lower right", fontsize="small")
    first, last = _isi_ms(path["spikes"])
    return {"spikes": int(path["spikes"].size), "rate": path["spikes"].size / duration, "first_isi_ms": first,
            "last_isi_ms": last, "rheobase_pA": phaseplane.rheobase(p) / pA, "rests": int(phaseplane.can_rest(p)),
            "tau_ahp_ms": p.tau_ahp / ms}


# --- the input playground ------------------------------------------------------------------------------
def input_playground_panel(
    kind: str = "poisson",
    rate: float = 100.0,
    weight: float = 2.0,
    depth: float = 0.8,
    frequency: float = 4.0,
    duration_ms: float = 500.0,
    seed: int = 0,
    synapse: str = "AMPA",
    params: ParamsLike = None,
    axes: Sequence[Axes] | None = None,
    method: str = "fast",
) -> dict[str, float]:
    """One input train into one neuron through one synapse: the spikes in and out, the currents.

    The original simulator's input playground: ``kind`` picks the generator of
    :mod:`dynapse_edu.hardware.inputs`, a :class:`~dynapse_edu.hardware.inputs.RegularGenerator`,
    a :class:`~dynapse_edu.hardware.inputs.PoissonGenerator` or a
    :class:`~dynapse_edu.hardware.inputs.CosineRateGenerator` (rate ``rate (1 + depth cos(2 pi
    frequency t))``, drawn as a line over the spikes).

    Parameters
    ----------
    kind : str
        ``"regular"``, ``"poisson"`` or ``"cosine"``.
    rate : float
        The (mean) input rate, Hz.
    weight : float
        Weight of the connection.
    depth, frequency : float
        Modulation depth (0..1) and frequency (Hz) of the cosine input; ignored by the others.
    duration_ms : float
        Simulated time, ms.
    seed : int
        Seed of the random inputs.
    synapse : str
        ``"AMPA"`` or ``"NMDA"`` (an excitatory synapse).
    params : Params, dict or None
        The neuron; None for the defaults.
    axes : two Axes or None
        Where to draw (spikes above, currents below); None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default) or ``"reference"``.

    Returns
    -------
    dict
        ``input_spikes`` and ``output_spikes`` (counts), ``input_rate`` and ``output_rate`` (Hz) and
        ``cv_out``, the coefficient of variation of the output intervals (NaN with fewer than three spikes).

    Raises
    ------
    ParameterError
        For an unknown input kind, an inhibitory synapse, or a value the generators refuse.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = input_playground_panel("regular", rate=100.0, weight=4.0, duration_ms=200.0,
    ...                              axes=Figure().subplots(2, 1))
    >>> out["input_spikes"], out["output_spikes"] > 0
    (20, True)
    """
    if kind not in INPUT_KINDS:
        raise ParameterError(f"kind = {kind!r} must be one of {', '.join(INPUT_KINDS)}")
    if synapse_index(synapse) > 1:
        raise ParameterError(f"synapse = {synapse!r}: the playground drives the neuron through AMPA or NMDA")
    duration = check_positive("duration_ms", duration_ms) * ms
    if kind == "regular":
        source = RegularGenerator(1, rate)
    elif kind == "poisson":
        source = PoissonGenerator(1, rate, seed=seed)
    else:
        source = CosineRateGenerator(1, rate, depth, frequency, seed=seed)
    chip = Chip(resolve(params))
    neuron = chip.get_neurons(1, core=0)
    chip.add_connection(source, neuron, synapse, weight)
    result = chip.run(duration, method=method, dt=2e-4)
    _, t_in = source.spikes(duration)
    t_out = result.spike_times[0]
    spikes, currents = panel_axes(axes, 2, figsize=(9.0, 4.6), stacked=True)
    spikes.plot(t_in / ms, np.zeros_like(t_in), "|", markersize=10, color="C0")
    spikes.plot(t_out / ms, np.ones_like(t_out), "|", markersize=10, color="k")
    spikes.set_yticks([0, 1], ["input", "output"])
    spikes.set_ylim(-0.6, 1.6)
    if kind == "cosine":
        rate_axis = spikes.twinx()
        t = np.linspace(0.0, duration, 300)
        rate_axis.plot(t / ms, source.rate(t), color="C0", alpha=0.5)
        rate_axis.set_ylabel("input rate (Hz)")
    name = f"I_{synapse.lower()}"
    currents.plot(result.t / ms, result.trace(name) / pA, label=name)
    currents.plot(result.t / ms, result.trace("I_mem") / pA, label="I_mem", color="k", linewidth=0.8)
    currents.axhline(result.table.I_th[0] / pA, color="k", linestyle="--", linewidth=0.8)
    currents.set_yscale("log")
    currents.set_xlabel("time (ms)")
    currents.set_ylabel("current (pA)")
    currents.legend(loc="lower right", fontsize="small")
    isi = np.diff(t_out)
    return {"input_spikes": int(t_in.size), "output_spikes": int(t_out.size), "input_rate": t_in.size / duration,
            "output_rate": t_out.size / duration,
            "cv_out": float(isi.std() / isi.mean()) if isi.size >= 2 else float("nan")}


# --- the F-F curve against a ReLU ------------------------------------------------------------------------
def relu_fit(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """The ReLU y = slope * max(0, x - threshold) closest to the points (least squares).

    For a fixed threshold the best slope has a closed form (sum(y r) / sum(r r), r = max(0,
    x - threshold), never negative); the threshold is searched on a fine grid between the
    smallest and the largest x and then refined (bounded scalar minimisation).

    Parameters
    ----------
    x, y : sequence of float
        At least two points of one curve (finite), e.g. input and output rates in Hz.

    Returns
    -------
    (float, float)
        ``slope`` (units of y per unit of x) and ``threshold`` (units of x). Points that are all
        zero give slope 0 and the largest x as the threshold (no onset seen).

    Raises
    ------
    ParameterError
        For fewer than two points, arrays of different lengths or values that are not finite.

    Examples
    --------
    >>> slope, threshold = relu_fit([0, 10, 20, 30, 40], [0, 0, 5, 15, 25])
    >>> round(slope, 6), round(threshold, 6)
    (1.0, 15.0)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2 or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ParameterError(f"relu_fit needs two 1-D arrays of the same length >= 2 of finite numbers, got shapes "
                             f"{x.shape} and {y.shape}")
    if not np.any(y):
        return 0.0, float(x.max())

    def fit(threshold: float) -> tuple[float, float]:
        r = np.maximum(0.0, x - threshold)
        slope = max(0.0, float(r @ y) / float(r @ r)) if np.any(r) else 0.0
        return slope, float(np.sum((y - slope * r) ** 2))

    grid = np.linspace(x.min(), x.max(), 2001)
    errors = [fit(threshold)[1] for threshold in grid]
    k = int(np.argmin(errors))
    step = grid[1] - grid[0]
    low, high = max(x.min(), grid[k] - step), min(x.max(), grid[k] + step)
    if high > low:
        best = minimize_scalar(lambda threshold: fit(threshold)[1], bounds=(low, high), method="bounded",
                               options={"xatol": 1e-9 * max(1.0, abs(high))})
        threshold = float(best.x) if best.fun <= errors[k] else float(grid[k])
    else:
        threshold = float(grid[k])
    return fit(threshold)[0], threshold


def ff_relu_panel(
    weight: float = 2.0,
    max_rate: float = 300.0,
    points: int = 10,
    input: str = "regular",
    synapse: str = "AMPA",
    duration_ms: float = 400.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
    method: str = "fast",
) -> dict[str, float]:
    """The F-F curve of one neuron beside the ReLU fitted to it: where the neuron is, and is not, a ReLU.

    Runs :func:`~dynapse_edu.experiments.ff_curve` and :func:`relu_fit`.

    Parameters
    ----------
    weight : float
        Weight of the input connection.
    max_rate : float
        The largest input rate, Hz (the rates are ``max_rate / points`` .. ``max_rate``, plus 0).
    points : int
        Number of input rates, 2 .. :data:`MAX_POINTS`.
    input : str
        ``"regular"`` or ``"poisson"``.
    synapse : str
        ``"AMPA"`` or ``"NMDA"``.
    duration_ms : float
        Simulated time per input rate, ms.
    params : Params, dict or None
        The neuron; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default) or ``"reference"``.

    Returns
    -------
    dict
        ``slope`` (output Hz per input Hz), ``threshold`` (input Hz) of the ReLU, ``rms_error``
        (Hz) between the curve and the ReLU, ``max_output`` (Hz).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = ff_relu_panel(weight=2.0, max_rate=300.0, points=6, duration_ms=200.0, ax=Figure().subplots())
    >>> out["threshold"] > 0, out["slope"] > 0
    (True, True)
    """
    points = check_count("points", points, 2, MAX_POINTS)
    input_rates = np.linspace(0.0, check_positive("max_rate", max_rate), points + 1)
    duration = check_positive("duration_ms", duration_ms) * ms
    rates = experiments.ff_curve(synapse, weight, input_rates, duration=duration, input=input, params=params,
                                 method=method)
    slope, threshold = relu_fit(input_rates, rates)
    relu = slope * np.maximum(0.0, input_rates - threshold)
    (axis,) = panel_axes(ax)
    axis.plot(input_rates, rates, "o-", label=f"neuron ({synapse}, w = {weight:g}, {input})")
    fine = np.linspace(0.0, input_rates[-1], 200)
    axis.plot(fine, slope * np.maximum(0.0, fine - threshold), "k--",
              label=f"ReLU: {slope:.2f} max(0, f_in - {threshold:.0f} Hz)")
    axis.set_xlabel("input rate (Hz)")
    axis.set_ylabel("output rate (Hz)")
    axis.legend(loc="upper left", fontsize="small")
    return {"slope": slope, "threshold": threshold, "rms_error": float(np.sqrt(np.mean((rates - relu) ** 2))),
            "max_output": float(rates.max())}


__all__ = [
    "INPUT_KINDS", "MAX_POINTS", "subthreshold_panel", "drive_panel", "adex_panel", "phase_plane_panel",
    "input_playground_panel", "relu_fit", "ff_relu_panel",
]

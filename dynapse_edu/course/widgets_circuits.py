"""The panels of the book's part *Circuits*: units (chapter 1), the DPI synapse (2), the silicon neuron (3).

Each panel runs a small experiment through the library, draws it and returns
the numbers to look at; :func:`~dynapse_edu.course.widgets.explore` turns it
into a widget (the contract is in :mod:`dynapse_edu.course.widgets`).

* Chapter 1: :func:`tau_explorer`;
* Chapter 2: :func:`synapse_kernel_panel`, :func:`pulse_panel`;
* Chapter 3: :func:`neuron_panel`, :func:`part1_panel`.

>>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
>>> out = tau_explorer(C_pF=2.0, I_tau_pA=20.0, ax=Figure().subplots())
>>> round(out["tau_ms"], 3)
3.546
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from .. import experiments, plot
from ..core.params import ParamsLike, resolve
from ..core.synapse import dpi_charge, dpi_decay_exact, dpi_kernel, dpi_pulse_response, dpi_tau, synapse_key
from ..errors import ParameterError
from ..hardware.chip import Chip
from ..spice.compare import compare_dpi_train
from ..units import ms, nA, pA, pF, us
from .widgets import check_count, check_positive, panel_axes


# --- chapter 1: units ----------------------------------------------------------
def tau_explorer(
    C_pF: float = 2.0, I_tau_pA: float = 20.0, params: ParamsLike = None, ax: Axes | None = None
) -> dict[str, float]:
    """Time constant tau = C Ut / (kappa I_tau) of a DPI with capacitor C and leak current I_tau, and its decay.

    Goes through :meth:`Params.tau_syn <dynapse_edu.core.params.Params.tau_syn>`
    of an AMPA synapse, so the allowed ranges are the library's. Draws the
    current after one input spike (:func:`~dynapse_edu.core.synapse.dpi_kernel`,
    the closed form) for the chosen C and I_tau, beside the default
    synapse's (grey), with tau marked where the current has fallen to 1/e.

    Parameters
    ----------
    C_pF : float
        Capacitance, pF.
    I_tau_pA : float
        Leak current, pA.
    params : Params, dict or None
        The other parameters (thermal voltage, kappa); None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``C`` (F), ``I_tau`` (A), ``Ut`` (V), ``kappa``, ``tau`` (s) and ``tau_ms`` (ms).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> round(tau_explorer(C_pF=2.0, I_tau_pA=10.0, ax=Figure().subplots())["tau_ms"], 3)  # half the leak, twice tau
    7.092
    """
    base = resolve(params)
    p = base.replace(C_ampa=float(C_pF) * pF, I_tau_ampa=float(I_tau_pA) * pA)
    tau, tau_default = p.tau_syn("AMPA"), base.tau_syn("AMPA")
    t = np.linspace(0.0, 4.0 * max(tau, tau_default), 300)
    jump = p.jump("AMPA")
    (axis,) = panel_axes(ax)
    axis.plot(t / ms, dpi_kernel(t, jump, tau_default, p.I0) / pA, color="0.6",
              label=f"default: tau = {tau_default / ms:.2f} ms")
    axis.plot(t / ms, dpi_kernel(t, jump, tau, p.I0) / pA, label=f"C = {C_pF:g} pF, I_tau = {I_tau_pA:g} pA")
    axis.axvline(tau / ms, color="k", linestyle=":", linewidth=0.8)
    axis.annotate(f"tau = {tau / ms:.2f} ms", (tau / ms, (p.I0 + jump) / np.e / pA), xytext=(5, 5),
                  textcoords="offset points", fontsize="small")
    axis.set_xlabel("time after an input spike (ms)")
    axis.set_ylabel("synapse current (pA)")
    axis.legend(loc="upper right", fontsize="small")
    return {"C": p.C_ampa, "I_tau": p.I_tau_ampa, "Ut": p.Ut, "kappa": p.kappa, "tau": tau, "tau_ms": tau / ms}


# --- chapter 2: the DPI synapse --------------------------------------------------
def synapse_kernel_panel(
    synapse: str = "AMPA",
    weight: float = 1.0,
    I_tau_pA: float | None = None,
    alpha: float | None = None,
    duration_ms: float = 100.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, float]:
    """One input spike at 10 ms into one DPI synapse: the simulated current and the closed form.

    The simulation is :func:`~dynapse_edu.experiments.synapse_kernel`, the
    closed form :func:`~dynapse_edu.core.synapse.dpi_kernel`.

    Parameters
    ----------
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    weight : float
        Weight of the spike (the jump is I_w0 weight alpha).
    I_tau_pA : float or None
        The synapse's leak current, pA; None keeps the default.
    alpha : float or None
        The synapse's gain; None keeps the default.
    duration_ms : float
        Simulated time, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``peak`` (A), its expected value ``peak_expected`` = I0 + I_w0 w alpha
        (A), ``tau`` from the parameters and ``tau_measured`` fitted to the
        simulated decay (s), and ``max_relative_error`` between simulation and closed form.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = synapse_kernel_panel("NMDA", weight=2.0, duration_ms=50.0, ax=Figure().subplots())
    >>> out["max_relative_error"] < 0.02
    True
    """
    key = synapse_key(synapse)
    p = resolve(params)
    changes = {}
    if I_tau_pA is not None:
        changes[f"I_tau_{key}"] = float(I_tau_pA) * pA
    if alpha is not None:
        changes[f"alpha_{key}"] = float(alpha)
    p = p.replace(**changes)
    t_spike = 0.01
    t, current = experiments.synapse_kernel(synapse, weight, duration_ms * ms, t_spike=t_spike, params=p)
    # at t_spike the result holds the state before the jump, then after it: only the last is "after"
    after = t > t_spike
    after[np.flatnonzero(t == t_spike)[-1:]] = True
    exact = np.where(after, dpi_kernel(t - t_spike, p.jump(synapse, weight), p.tau_syn(synapse), p.I0), p.I0)
    (axis,) = panel_axes(ax)
    axis.plot(t / ms, current / pA, label=f"simulated {synapse.upper()}")
    axis.plot(t / ms, exact / pA, "k:", label="closed form")
    axis.set_yscale("log")
    axis.set_xlabel("time (ms)")
    axis.set_ylabel("current (pA)")
    axis.legend(loc="upper right", fontsize="small")
    return {
        "peak": float(current.max()),
        "peak_expected": p.I0 + p.jump(synapse, weight),
        "tau": p.tau_syn(synapse),
        "tau_measured": experiments.measure_decay(t, current),
        "max_relative_error": float(np.max(np.abs(current - exact) / exact)),
    }


def jump_train(t: np.ndarray, spikes: np.ndarray, jump: float, tau: float, I0: float) -> np.ndarray:
    """The DPI under instant jumps at ``spikes``: +``jump`` at each, exact decay between, floor I0; in A.

    The original simulator's convention (and the library's default, ``t_pulse = None``):
    each spike adds ``jump`` at once, whatever the current is.

    Parameters
    ----------
    t : array
        Times, s (sorted).
    spikes : array
        Spike times, s (sorted).
    jump : float
        Current each spike adds, A.
    tau : float
        Time constant, s.
    I0 : float
        The floor, A.

    Returns
    -------
    ndarray
        The current at ``t``, A.

    Examples
    --------
    >>> (jump_train(np.array([0.0, 1e-3, 2e-3]), np.array([1e-3]), 99e-12, 5e-3, 1e-12) * 1e12).round(1)
    array([  1. , 100. ,  81.9])
    """
    out = np.full(t.shape, float(I0))
    current, last = float(I0), -np.inf
    for k, spike in enumerate(np.append(spikes, np.inf)):
        window = (t >= last) & (t < spike)
        out[window] = dpi_decay_exact(current, np.exp(-(t[window] - last) / tau), I0)
        if k < spikes.size:
            current = float(dpi_decay_exact(current, np.exp(-(spike - last) / tau), I0)) + jump if np.isfinite(last) \
                else float(I0) + jump
            last = spike
    return out


def pulse_panel(
    width_us: float = 50.0,
    I_w_nA: float = 10.0,
    I_g_pA: float = 80.0,
    rate_Hz: float = 100.0,
    I_tau_pA: float = 20.0,
    n_pulses: int = 10,
    circuit: bool = False,
    axes: Sequence[Axes] | None = None,
) -> dict[str, float]:
    """Finite input pulses against instant jumps: a train (left) and the charge of one pulse against its width (right).

    On the chip an input spike opens the DPI's input for a pulse of width
    ``t_pulse`` (set by ``PULSE_PWLK_P``), during which the weight current
    ``I_w`` charges the DPI by its full equation (:func:`~dynapse_edu.core.synapse.dpi_charge`,
    with the (1 + I_g / I) factor; Bartolozzi & Indiveri 2007). In the linear
    regime (I >> I_g) one pulse adds
    (I_g I_w / I_tau)(1 - exp(-t_pulse / tau)): for t_pulse << tau that is
    I_g I_w t_pulse / (I_tau tau) = I_g I_w t_pulse kappa / (C U_T), independent of I_tau; for
    t_pulse >> tau it is the instant jump I_g I_w / I_tau the original simulator uses.
    Left: ``n_pulses`` pulses at ``rate_Hz``, the exact finite-pulse DPI
    (:func:`~dynapse_edu.core.synapse.dpi_pulse_response`) beside instant jumps
    sized to give the same first peak (:func:`jump_train`): the jumps add the same
    charge whatever the current, the pulses add more once the current is above I_g.
    Right: what one pulse adds against its width, from rest and from a current
    well above I_g, with the two limits: from rest (I << I_g) the DPI is not
    linear and a short pulse adds far less than the linear estimate.

    Parameters
    ----------
    width_us : float
        Pulse width, us (0.1 .. 10000).
    I_w_nA : float
        Weight current during a pulse, nA (> 0).
    I_g_pA : float
        Gain current, pA (> 0).
    rate_Hz : float
        Pulse rate, Hz (> 0; the pulses must not overlap here: on the chip an overlapping spike retriggers the
        pulse extender, see :mod:`dynapse_edu.core.dynamics`).
    I_tau_pA : float
        Leak current, pA (> 0; sets tau with the default AMPA capacitor).
    n_pulses : int
        Number of pulses (1 .. 100).
    circuit : bool
        Also run the transistor DPI (``circuits/dpi_synapse_tb-pulse.cir``, the same I_w, I_g,
        I_tau, width and train, C = 2 pF) in ngspice and draw its output current (black), with
        the DPI equation as chapter 10 calibrates it on those transistors (dash-dotted:
        :func:`~dynapse_edu.spice.compare.compare_dpi_train`, the replica-measured currents, the
        net leak, the slope factor, the pair's output exponent around balance and the output
        transistor's curve; its largest current within 10 % of the circuit's at 12 of 18 slider
        corners, not for the shortest pulses at the highest rates, e.g. 0.25 at 5 us, 400 Hz,
        10 nA, nor for 500 us pulses of 40 nA at 400 Hz, 1.15); each new setting is a few ngspice
        runs (cached), about a second. Needs ngspice
        (:func:`dynapse_edu.spice.ngspice.available`).
    axes : two Axes or None
        Where to draw (train, charge); None makes a new figure.

    Returns
    -------
    dict
        ``tau`` (s); ``first`` (A), what the first pulse adds; ``short_limit`` =
        I_g I_w t_pulse / (I_tau tau) and ``long_limit`` = I_g I_w / I_tau (A);
        ``peak_pulses`` and ``peak_jumps`` (A), the largest current of the train
        under each model, and their ratio ``peak_ratio``; with ``circuit``, ``peak_circuit`` (A),
        the circuit's largest current, and ``peak_calibrated`` (A), the calibrated equation's.

    Raises
    ------
    ParameterError
        For a value outside its range, or pulses that overlap (width >= 1 / rate),
        or a weight current too small to charge the DPI (I_w <= I_tau (1 + I0 / I_g)).
    SpiceNotAvailableError
        With ``circuit`` on a machine without ngspice (the message says how to install it).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # Axes of your own (no pyplot window)
    >>> out = pulse_panel(width_us=1.0, axes=Figure().subplots(1, 2))
    >>> out["first"] < 0.05 * out["short_limit"]  # from rest, below I_g: far less than the linear estimate
    True
    >>> out = pulse_panel(width_us=5000.0, axes=Figure().subplots(1, 2))
    >>> round(out["first"] / out["long_limit"], 2)  # a pulse longer than tau: the instant jump
    0.75
    """
    width = check_positive("width_us", width_us) * us
    if not 0.1 * us <= width <= 10 * ms:
        raise ParameterError(f"width_us must be in 0.1 .. 10000 us, got {width_us!r}")
    I_w, I_g = check_positive("I_w_nA", I_w_nA) * nA, check_positive("I_g_pA", I_g_pA) * pA
    I_tau, rate = check_positive("I_tau_pA", I_tau_pA) * pA, check_positive("rate_Hz", rate_Hz)
    n = check_count("n_pulses", n_pulses, 1, 100)
    if width >= 1.0 / rate:
        raise ParameterError(f"pulses of {width_us!r} us overlap at {rate_Hz!r} Hz: need width_us < {1e6 / rate:g} us")
    p = resolve(None)
    tau = float(dpi_tau(p.C_ampa, I_tau, p.Ut, p.kappa))
    first = dpi_charge(width, p.I0, I_w, I_g, I_tau, tau) - p.I0  # refuses an I_w too small to charge the DPI
    starts = 5 * ms + np.arange(n) / rate
    t = np.union1d(np.linspace(0.0, starts[-1] + 4 * tau, 1500), np.concatenate([starts, starts + width]))
    pulses = dpi_pulse_response(t, starts, width, I_w, I_g, I_tau, tau, p.I0)
    jumps = jump_train(t, starts + width, first, tau, p.I0)
    short, long = I_g * I_w * width / (I_tau * tau), I_g * I_w / I_tau
    left, right = panel_axes(axes, 2, figsize=(9.0, 3.2))
    left.plot(t / ms, pulses / pA, label=f"finite pulses, {width_us:g} us")
    left.plot(t / ms, jumps / pA, "--", label="instant jumps (same first peak)")
    peak_circuit = peak_calibrated = None
    if circuit:
        # chapter 10's comparison of a train: the circuit, and the DPI equation with the currents, slope
        # factor and pair exponent measured on its transistors (the panel's own curves use the textbook kappa)
        cmp = compare_dpi_train(rate, n, {"iw": I_w, "ig": I_g, "itau": I_tau, "csyn": p.C_ampa, "tpulse": width,
                                          "tstart": starts[0]})
        peak_circuit, peak_calibrated = float(cmp.spice.max()), float(cmp.model.max())
        left.plot(cmp.spice_x / ms, cmp.spice / pA, color="k", linewidth=0.8, label="transistors (ngspice)")
        left.plot(cmp.x / ms, cmp.model / pA, "-.", color="C2", linewidth=1.0,
                  label=f"calibrated DPI eq. (gamma {cmp.extra['pair'].gamma:.2f})")
    left.axhline(I_g / pA, color="0.6", linewidth=0.8, linestyle=":", label="I_g")
    left.set_xlabel("time (ms)")
    left.set_ylabel("I_syn (pA)")
    left.legend(loc="upper right", fontsize="x-small" if circuit else "small")
    widths = np.logspace(-7, -2, 40)
    charges = [dpi_charge(w, p.I0, I_w, I_g, I_tau, tau) - p.I0 for w in widths]
    right.loglog(widths / us, np.array(charges) / pA, label="one pulse from rest")
    high = 10 * I_g  # a pulse arriving on a current well above I_g: the linear regime
    if I_w > I_tau * (1 + high / I_g) * 1.01:
        linear_regime = [dpi_charge(w, high, I_w, I_g, I_tau, tau) - high for w in widths]
        right.loglog(widths / us, np.array(linear_regime) / pA, label="one pulse from I = 10 I_g")
    linear = I_g * I_w * widths / (I_tau * tau)
    right.loglog(widths / us, linear / pA, ":", label="short pulse: I_g I_w t / (I_tau tau)")
    right.axhline(long / pA, color="k", linestyle="--", linewidth=0.8, label="long pulse: I_g I_w / I_tau")
    right.plot([width / us], [first / pA], "o", color="C3")
    right.set_ylim(bottom=max(1e-3, min(charges) / pA / 2), top=long / pA * 3)
    right.set_xlabel("pulse width (us)")
    right.set_ylabel("added current (pA)")
    right.legend(loc="lower right", fontsize="small")
    out = {
        "tau": tau,
        "first": float(first),
        "short_limit": float(short),
        "long_limit": float(long),
        "peak_pulses": float(pulses.max()),
        "peak_jumps": float(jumps.max()),
        "peak_ratio": float(pulses.max() / jumps.max()),
    }
    if peak_circuit is not None:
        out["peak_circuit"], out["peak_calibrated"] = peak_circuit, peak_calibrated
    return out


# --- chapter 3: the silicon neuron ------------------------------------------------
def neuron_panel(
    I_const_pA: float = 500.0,
    t_ref_ms: float = 5.0,
    I_tau_mem_pA: float = 5.0,
    duration_ms: float = 200.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, float]:
    """One neuron with a constant input current: its membrane, feedback and adaptation currents.

    Parameters
    ----------
    I_const_pA : float
        Constant current injected into the soma, pA.
    t_ref_ms : float
        Refractory period, ms.
    I_tau_mem_pA : float
        Leak current of the membrane DPI, pA.
    duration_ms : float
        Simulated time, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``spikes`` (the number of output spikes), ``rate`` (Hz), ``first_spike``
        and ``min_isi``, the shortest inter-spike interval (s; NaN with fewer than 1 or 2 spikes).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> neuron_panel(I_const_pA=100.0, duration_ms=50.0, ax=Figure().subplots())["spikes"]  # below rheobase
    0
    """
    p = resolve(params).replace(I_const=float(I_const_pA) * pA, t_ref=float(t_ref_ms) * ms,
                                I_tau_mem=float(I_tau_mem_pA) * pA)
    chip = Chip(p)
    chip.get_neurons(1, core=0)
    result = chip.run(check_positive("duration_ms", duration_ms) * ms, dt=1e-4)
    (axis,) = panel_axes(ax)
    plot.currents(result, names=("I_mem", "I_pfb", "I_ahp"), ax=axis)
    axis.set_ylim(bottom=0.1 * p.I0)  # the feedback current falls far below I0 at rest: show what matters
    spikes = result.spike_times[0]
    return {
        "spikes": int(spikes.size),
        "rate": float(result.rates[0]),
        "first_spike": float(spikes[0]) if spikes.size else float("nan"),
        "min_isi": float(np.diff(spikes).min()) if spikes.size > 1 else float("nan"),
    }


def part1_panel(
    nmda_weight: float = 0.5,
    ampa_weight: float = 2.0,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    axes: Sequence[Axes] | None = None,
) -> dict[str, float]:
    """The original part-1 experiment (100 Hz input into NMDA and AMPA) with chosen weights.

    The input is :func:`~dynapse_edu.experiments.part1_input`; draws the
    synapse currents (top) and the soma currents (bottom).

    Parameters
    ----------
    nmda_weight, ampa_weight : float
        Weights of the two synapses; 0 leaves that synapse unconnected.
    duration_ms : float
        Simulated time, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    axes : two Axes or None
        Where to draw (top, bottom); None makes a new figure.

    Returns
    -------
    dict
        ``input_spikes`` and ``output_spikes`` (counts), ``peak_ampa`` and ``peak_nmda`` (A).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> part1_panel(duration_ms=100.0, axes=Figure().subplots(2, 1, sharex=True))["input_spikes"]
    12
    """
    duration = check_positive("duration_ms", duration_ms) * ms
    times = experiments.part1_input(duration=duration)
    # a weight of 0 (the slider's low end) means no connection: the chip has no zero-weight synapse
    inputs = {name: (weight, times) for name, weight in (("NMDA", nmda_weight), ("AMPA", ampa_weight)) if weight != 0}
    if not inputs:  # both at 0: the neuron at rest, an AMPA synapse that receives no spike
        inputs = {"AMPA": (1.0, times[:0])}
    result = experiments.spike_response(inputs, duration, params=params)
    top, bottom = panel_axes(axes, 2, figsize=(7.0, 5.0), stacked=True)
    plot.currents(result, names=("I_ampa", "I_nmda", "I_nmda_gated"), threshold=False, ax=top)
    plot.currents(result, names=("I_in", "I_mem", "I_ahp"), ax=bottom)
    return {
        "input_spikes": int(times.size),
        "output_spikes": int(result.spike_count[0]),
        "peak_ampa": float(result.trace("I_ampa").max()),
        "peak_nmda": float(result.trace("I_nmda").max()),
    }


__all__ = ["tau_explorer", "synapse_kernel_panel", "jump_train", "pulse_panel", "neuron_panel", "part1_panel"]

"""Side by side: the transistor-level circuits (ngspice) and the behavioural model.

Each ``compare_*`` function runs a testbench of ``circuits/`` through
:mod:`dynapse_edu.spice`, calibrates the behavioural model on the same
netlist (:mod:`dynapse_edu.spice.calibration`), runs the behavioural model through
the library (:mod:`dynapse_edu.experiments`), and returns a
:class:`Comparison`: both curves, the agreement as ratios (model / ngspice),
and a note on why they differ where they do. ``Comparison.plot()`` draws it,
``Comparison.report()`` prints it.

* :func:`compare_transistor`: Id vs Vgs against the ideal exponential.
* :func:`compare_dpi_pulse`: DPI response to one input pulse (peak, decay tau).
* :func:`compare_dpi_train`: DPI response to a train of pulses, against the DPI equation driven by
  the same finite pulses (``core.synapse.dpi_pulse_response``).
* :func:`compare_dpi_gain`: DPI steady-state output vs weight current, the model with the pair's
  body-effect exponent measured at the operating point (``calibration.measure_pair_exponent``).
* :func:`compare_neuron_fi`: the neuron's F-I curve.
* :func:`compare_neuron_adaptation`: inter-spike intervals with adaptation.
* :func:`compare_neuron_upswing`: I_mem over the last 2 ms before threshold.

The DPI comparisons read the model's output current through the output pFET's measured I-V curve
(``calibration.measure_output_readout``: the transistor leaves weak inversion above about 300 pA)
and give the model the net leak the capacitor gets between pulses (``calibration.measure_dpi_leak``).

The neuron comparisons run on either transistor neuron (``circuit="adexp"``, the comparator
variant, or ``"dpi"``, the published spike amplifier; :data:`DEFAULT_NEURON`). Every comparison
has a target (issue 12); :func:`timed` records its wall time.

Each needs ngspice (a few seconds the first time, then cached on disk), so
the examples below are not run by the doctests; their output is that of a
real run:

>>> from dynapse_edu.spice.compare import compare_dpi_pulse
>>> cmp = compare_dpi_pulse()          # doctest: +SKIP
>>> print(cmp.report())                # doctest: +SKIP
DPI synapse, one 50 us pulse:
  peak current (A)             ngspice    8.87e-11   model    8.31e-11   ratio   0.937
  decay tau (s)                ngspice    0.003934   model    0.003917   ratio   0.996
  worst deviation 6.3 % (within the 10 % target)
  why they differ: ...
>>> cmp.plot()                         # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import experiments
from ..core.params import Params
from ..core.synapse import dpi_pulse_response, dpi_steady_state, synapse_key
from ..errors import ParameterError
from ..hardware.chip import Chip
from . import calibration as cal
from . import ngspice


@dataclass
class Comparison:
    """One circuit-vs-model comparison: both curves, metrics as (ngspice, model) pairs, a target and the why.

    Made by the ``compare_*`` functions; :meth:`report` prints it, :meth:`plot` draws it.

    Examples
    --------
    >>> cmp = Comparison("demo", x=np.arange(3.0), spice=np.ones(3), model=np.full(3, 1.05), x_label="x",
    ...                  y_label="y (A)", metrics={"peak (A)": (1.0, 1.05)}, target=0.10)
    >>> round(cmp.ratios["peak (A)"], 3), round(cmp.worst, 3), cmp.ok
    (1.05, 0.05, True)
    >>> print(cmp.report())
    demo:
      peak (A)                     ngspice           1   model        1.05   ratio   1.050
      worst deviation 5.0 % (within the 10 % target)

    Attributes
    ----------
    name:
        What is compared (``"DPI single pulse"``).
    x, spice, model:
        The curves: abscissa (``x_label``, SI units) and the ngspice and
        behavioural values (``y_label``, SI units). ``spice_x`` is the
        abscissa of the ngspice curve when it differs from ``x`` (transients).
    metrics:
        ``{name: (ngspice value, model value)}``; :attr:`ratios` gives model / ngspice.
    target:
        Allowed relative deviation of every ratio from 1 (e.g. 0.10), or None.
    why:
        Why the two differ, in words.
    reference, reference_label:
        An optional third curve on ``x`` (e.g. the ideal DPI equation driven by
        the circuit's finite pulses), drawn dotted.
    unscored:
        More ``{name: (ngspice value, other value)}`` rows, printed for information and not
        held to the target (e.g. the ideal DPI equation against the circuit).
    wall_time:
        Seconds the comparison took (ngspice and model together), set by :func:`timed`; None if not timed.
    """

    name: str
    x: np.ndarray
    spice: np.ndarray
    model: np.ndarray
    x_label: str
    y_label: str
    metrics: dict[str, tuple[float, float]]
    target: float | None = None
    why: str = ""
    spice_x: np.ndarray | None = None
    log_y: bool = False
    log_x: bool = False
    reference: np.ndarray | None = None
    reference_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    unscored: dict[str, tuple[float, float]] = field(default_factory=dict)
    wall_time: float | None = None

    @property
    def ratios(self) -> dict[str, float]:
        """model / ngspice for every metric."""
        return {k: (m / s if s != 0 else float("inf")) for k, (s, m) in self.metrics.items()}

    @property
    def worst(self) -> float:
        """Largest relative deviation ``abs(ratio - 1)`` over the metrics."""
        return max(abs(r - 1) for r in self.ratios.values()) if self.metrics else 0.0

    @property
    def ok(self) -> bool:
        """True when every ratio is within the target (always True without a target)."""
        return self.target is None or self.worst <= self.target

    def report(self) -> str:
        """A short text: each metric, both values, the ratio, the verdict and the explanation."""
        lines = [f"{self.name}:"]
        for key, (s, m) in self.metrics.items():
            ratio = m / s if s else float("inf")
            lines.append(f"  {key:<28s} ngspice {s:11.4g}   model {m:11.4g}   ratio {ratio:7.3f}")
        for key, (s, m) in self.unscored.items():
            ratio = m / s if s else float("inf")
            lines.append(f"  {key:<28s} ngspice {s:11.4g}   other {m:11.4g}   ratio {ratio:7.3f}  (not scored)")
        if self.target is not None:
            verdict = "within" if self.ok else "OUTSIDE"
            lines.append(f"  worst deviation {100 * self.worst:.1f} % ({verdict} the {100 * self.target:.0f} % target)")
        else:
            lines.append("  no target")
        if self.wall_time is not None:
            lines.append(f"  wall time {self.wall_time:.2f} s (ngspice and model)")
        if self.why:
            lines.append(f"  why they differ: {self.why}")
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Draw both curves on ``ax`` (a new figure if None); returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        sx = self.x if self.spice_x is None else self.spice_x
        ax.plot(sx, self.spice, "-", color="C0", lw=2, label="ngspice (transistors)")
        style = "--" if self.spice_x is not None or len(self.x) > 30 else "o--"
        ax.plot(self.x, self.model, style, color="C1", label="behavioural model")
        if self.reference is not None:
            ax.plot(self.x, self.reference, ":", color="C2", lw=1.5, label=self.reference_label or "reference")
        if self.log_y:
            ax.set_yscale("log")
        if self.log_x:
            ax.set_xscale("log")
        else:
            ax.xaxis.set_major_locator(plt.MaxNLocator(6))  # times like -0.00175 s: few enough not to overlap
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        worst = f" (worst {100 * self.worst:.1f} %)" if self.metrics else ""
        wall = f", {self.wall_time:.1f} s" if self.wall_time is not None else ""
        ax.set_title(self.name + worst + wall, fontsize=9)
        ax.legend(fontsize=8)
        return ax


def timed(job: Callable[[], Comparison]) -> Comparison:
    """Run ``job`` (a function returning a :class:`Comparison`) and store its wall time (s) in ``wall_time``.

    Examples
    --------
    >>> cmp = timed(lambda: Comparison("demo", np.zeros(1), np.ones(1), np.ones(1), "x", "y", {}))
    >>> cmp.wall_time >= 0
    True
    """
    start = time.perf_counter()
    cmp = job()
    cmp.wall_time = time.perf_counter() - start
    return cmp


# --- helpers -------------------------------------------------------------------
def _transistor(transistor: cal.TransistorFit | None, cache: bool) -> cal.TransistorFit:
    return transistor if transistor is not None else cal.extract_transistor(cache=cache)


# --- transistor -------------------------------------------------------------------
def compare_transistor(transistor: cal.TransistorFit | None = None, cache: bool = True) -> Comparison:
    """nFET Id vs Vgs (ngspice) against I0 exp(kappa Vgs / Ut) with the extracted kappa, I0, Ut.

    Parameters
    ----------
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.

    Returns
    -------
    Comparison
        x = Vgs (V), curves Id (A); metrics: Id at 0.1 and 0.3 V (target: within 10 %).

    Examples
    --------
    >>> print(compare_transistor().report())  # doctest: +SKIP
    nFET Id vs Vgs:
      Id(Vgs = 0.1 V), nFET (A)    ngspice   7.283e-12   model   7.258e-12   ratio   0.997
      Id(Vgs = 0.3 V), nFET (A)    ngspice   1.896e-09   model   1.967e-09   ratio   1.037
    ...
    """
    tr = _transistor(transistor, cache)
    ideal = tr.I0_n * np.exp(tr.kappa_n * tr.vgs / tr.Ut)
    metrics = {}
    drawn = np.where(ideal <= 10 * tr.id_n.max(), ideal, np.nan)  # the exponential runs off the plot
    for v in (0.1, 0.3):
        k = int(np.argmin(np.abs(tr.vgs - v)))
        metrics[f"Id(Vgs = {v} V), nFET (A)"] = (float(tr.id_n[k]), float(ideal[k]))
    return Comparison(
        name="nFET Id vs Vgs",
        x=tr.vgs,
        spice=tr.id_n,
        model=drawn,
        x_label="Vgs (V)",
        y_label="Id (A)",
        metrics=metrics,
        target=0.10,
        why=(
            "the exponential holds over ~5 decades of weak inversion; above ~0.4 V the device "
            "enters moderate/strong inversion (square law), which the behavioural model never uses"
        ),
        log_y=True,
        extra={"transistor": tr},
    )


# --- DPI synapse --------------------------------------------------------------------
DPI_WHY = (
    "the behavioural spike is an instant jump and the circuit's pulse lasts tpulse; "
    "the differential pair compares gate voltages with its nFETs' kappa (raised by the body effect, "
    "their sources sit ~1 V above the bulk) while the currents are pFET (kappa_p) referenced, so the "
    "charging share is 1/(1 + (Isyn/Ig)^(kappa_n'/kappa_p)) rather than Ig/(Ig + Isyn); the model's leak "
    "is the net current recharging Csyn at Vsyn = Vthr (calibration.measure_dpi_leak: the leak pFET at "
    "its own drain voltage minus the pulse switch's off-current, 1.6 % below the replica's I_tau), which "
    "is lower still near rest (4 % at 10 pA); the pulse's 1 ns edges couple nanosecond glitches onto the "
    "output (left out, EDGE_BLANKING) and, while the pulse is on, ~1-2 pA flows back through msyn's "
    "gate-drain capacitance"
)

DPI_TRAIN_WHY = (
    "the model is the DPI equation driven by the circuit's finite pulses, its pair's share "
    "1/(1 + (Isyn/Ig)^(1/gamma)) with gamma = kappa_p/kappa_pair = {gamma:.3f} measured on the pair's "
    "split within 0.1 V of balance (calibration.measure_pair_split: each arm carries ~Iw/2 there, in "
    "moderate inversion, softer than the weak-inversion 0.84), its leak the net current recharging Csyn "
    "at Vsyn = Vthr (calibration.measure_dpi_leak), its output read through the output pFET's measured "
    "curve (calibration.measure_output_readout); near rest (the 5 nA trains at 20-100 Hz) the circuit's "
    "net leak is 4-10 % weaker than at Vthr and its weight transistor carries ~1 % more than the replica "
    "(Early effect), both of which the model's constants do not follow, so the model is low there; "
    "the ideal DPI (gamma = 1) overshoots where a fast train holds the current above Ig; "
    "instant jumps (the original's rule) miss the charge a pulse adds above rest"
)


#: Samples of the circuit's output closer than this (s) after an input pulse edge are left out of
#: the train metrics: the ideal pulse source's 1 ns edges couple a displacement current of a
#: nanosecond through the devices' gate capacitances onto the output (22.7 pA at the onset of a
#: 5 nA pulse whose synaptic current ends at 8.4 pA), which carries no charge worth counting.
EDGE_BLANKING = 1e-6


def pulse_edge_mask(t: ArrayLike, pulse_starts: ArrayLike, width: float, blank: float = EDGE_BLANKING) -> np.ndarray:
    """True for the samples of ``t`` not within ``blank`` seconds after a pulse's start or end.

    Parameters
    ----------
    t : array
        Sample times, s.
    pulse_starts : array
        Start of each pulse, s.
    width : float
        Pulse width, s.
    blank : float
        How long after each edge the samples are left out, s.

    Returns
    -------
    ndarray of bool
        The samples to keep.

    Examples
    --------
    >>> pulse_edge_mask([0.0, 1.0, 1.5, 2.0, 3.1, 4.0], [1.0], 2.0, blank=0.6)
    array([ True, False, False,  True, False,  True])
    """
    t = np.asarray(t, float)
    keep = np.ones(t.shape, bool)
    for start in np.atleast_1d(np.asarray(pulse_starts, float)):
        for edge in (start, start + width):
            keep &= ~((t >= edge) & (t < edge + blank))
    return keep


def compare_dpi_pulse(
    netlist_params: Mapping[str, float] | None = None,
    synapse: str = "AMPA",
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
) -> Comparison:
    """DPI synapse, one input pulse: ngspice ``dpi_synapse_tb-pulse.cir`` vs the behavioural kernel.

    The behavioural side is :func:`~dynapse_edu.experiments.synapse_kernel`.

    The behavioural model is calibrated on the netlist (:func:`~dynapse_edu.spice.calibration.dpi_params`)
    and its spike placed at the end of the circuit's pulse. Metrics: peak current
    and decay time constant (target: within 10 %); the circuit's samples within
    :data:`EDGE_BLANKING` after the pulse's edges are left out (:func:`pulse_edge_mask`). The dotted reference is the
    ideal DPI equation driven by the same finite pulse
    (:func:`~dynapse_edu.core.synapse.dpi_pulse_response`).

    Parameters
    ----------
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values (``iw``, ``ig``, ``itau`` in A, ``tpulse`` in s...).
    synapse : str
        The behavioural synapse type calibrated and run (default ``"AMPA"``).
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.

    Returns
    -------
    Comparison
        x = time (s), curves I_syn (A); ``extra`` holds the biases, the Params and the predicted tau.

    Examples
    --------
    >>> cmp = compare_dpi_pulse({"tpulse": 100e-6})  # doctest: +SKIP
    >>> cmp.ok, sorted(cmp.ratios)  # doctest: +SKIP
    (True, ['decay tau (s)', 'peak current (A)'])
    """
    tr = _transistor(transistor, cache)
    params = {"npulse": 1, "pulse_dc": 0, **dict(netlist_params or {})}
    biases = cal.measure_dpi_biases(params, tr, cache=cache)
    p = cal.dpi_params(biases, tr, synapse)
    run = ngspice.run(cal.DPI_TB, params, cache=cache)
    values = biases.netlist_params
    keep = pulse_edge_mask(run["time"], [values["tstart"]], biases.pulse_width)
    t_s, i_s = run["time"][keep], run["i(vout)"][keep]
    t_spike = values["tstart"] + values["tpulse"]
    t_m, i_m = experiments.synapse_kernel(synapse, 1.0, values["tstop"], t_spike, params=p, dt=values["tstop"] / 2000)
    readout = cal.measure_output_readout(biases.I_g, params, tr, cache=cache)
    i_m = readout(i_m)
    metrics = {
        "peak current (A)": (float(i_s.max()), float(i_m.max())),
        "decay tau (s)": (
            experiments.measure_decay(t_s, i_s, floor=biases.I_rest), experiments.measure_decay(t_m, i_m)
        ),
    }
    ode = dpi_pulse_response(
        t_m, [values["tstart"]], biases.pulse_width, biases.I_w, biases.I_g, biases.I_leak, biases.tau, biases.I_rest
    )
    return Comparison(
        name=f"DPI synapse, one {values['tpulse'] * 1e6:.0f} us pulse",
        x=t_m,
        spice=i_s,
        model=i_m,
        spice_x=t_s,
        x_label="time (s)",
        y_label="I_syn (A)",
        metrics=metrics,
        target=0.10,
        why=DPI_WHY,
        reference=readout(ode),
        reference_label="ideal DPI equation, finite pulse",
        extra={
            "biases": biases,
            "params": p,
            "tau_predicted": p.tau_syn(synapse),
            "synapse": synapse_key(synapse),
            "readout": readout,
        },
    )


def compare_dpi_train(
    rate: float = 200.0,
    n_pulses: int = 10,
    netlist_params: Mapping[str, float] | None = None,
    synapse: str = "AMPA",
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
) -> Comparison:
    """DPI synapse, a regular train of ``n_pulses`` pulses at ``rate`` Hz, vs the DPI equation driven by finite pulses.

    The behavioural side is the finite-pulse DPI
    (:func:`~dynapse_edu.core.synapse.dpi_pulse_response`: the DPI equation with its
    pair's share, integrating the weight current for each pulse, what the integrators compute
    with pulses on) with the netlist's pulse width, the calibrated biases (replica currents
    I_w and I_g; the net leak at Vsyn = Vthr as I_tau; tau from it and kappa_p; I0 = the output at
    rest; :func:`~dynapse_edu.spice.calibration.measure_dpi_biases`), the output exponent of the
    pair's split measured around balance (:func:`~dynapse_edu.spice.calibration.measure_pair_split`,
    ``Params.gamma_syn``), and its current read through the output pFET
    (:func:`~dynapse_edu.spice.calibration.measure_output_readout`).
    Metrics: largest and mean current over the train (target: within 15 %, issue 12); the circuit's
    samples within :data:`EDGE_BLANKING` after a pulse edge are left out (:func:`pulse_edge_mask`).
    Printed, not scored: the instant jumps of the original simulator (``experiments.spike_response``
    with the jump calibrated on one pulse from rest) and the ideal DPI (gamma = 1).

    Parameters
    ----------
    rate : float
        Pulse rate, Hz (> 0).
    n_pulses : int
        Number of pulses (>= 1).
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values, SI units.
    synapse : str
        The behavioural synapse type calibrated for the instant-jump row.
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.

    Returns
    -------
    Comparison
        x = time (s), curves I_syn (A), the circuit's without its edge samples; target 15 %;
        ``reference`` is the instant-jump model.

    Raises
    ------
    ParameterError
        For rate <= 0 or n_pulses < 1.

    Examples
    --------
    >>> cmp = compare_dpi_train(rate=50.0, n_pulses=5)  # doctest: +SKIP
    >>> [round(r, 3) for r in cmp.ratios.values()]  # largest, mean  # doctest: +SKIP
    [0.91, 0.918]
    """
    if not (rate > 0 and n_pulses >= 1):
        raise ParameterError(f"need rate > 0 Hz and n_pulses >= 1, got {rate!r}, {n_pulses!r}")
    tr = _transistor(transistor, cache)
    base = {"tstart": 5e-3, "tperiod": 1.0 / rate, "npulse": int(n_pulses), "pulse_dc": 0}
    params = {**base, **dict(netlist_params or {})}
    values = {**ngspice.netlist_params(cal.DPI_TB), **{k.lower(): float(v) for k, v in params.items()}}
    params["tstop"] = values["tstart"] + n_pulses / rate + 5 * 4e-3
    biases = cal.measure_dpi_biases(params, tr, cache=cache)
    run = ngspice.run(cal.DPI_TB, params, cache=cache)
    starts = values["tstart"] + np.arange(n_pulses) / rate
    keep = pulse_edge_mask(run["time"], starts, biases.pulse_width)
    t_s, i_s = run["time"][keep], run["i(vout)"][keep]
    # the model on a 10 us grid plus every pulse edge
    t_m = np.unique(np.concatenate([np.arange(0.0, params["tstop"], 1e-5), starts, starts + biases.pulse_width]))

    pair = cal.measure_pair_split(params, tr, cache=cache)

    readout = cal.measure_output_readout(biases.I_g, params, tr, cache=cache)

    def finite_pulses(gamma: float) -> np.ndarray:
        return readout(dpi_pulse_response(
            t_m, starts, biases.pulse_width, biases.I_w, biases.I_g, biases.I_leak, biases.tau, biases.I_rest, gamma
        ))

    i_m = finite_pulses(pair.gamma)
    grid = np.linspace(values["tstart"], starts[-1] + biases.pulse_width, 2000)

    def mean(t: np.ndarray, i: np.ndarray) -> float:
        return float(np.mean(np.interp(grid, t, i)))

    mean_s = mean(t_s, i_s)
    p = cal.dpi_params(biases, tr, synapse)
    ends = starts + biases.pulse_width
    jumps = experiments.spike_response({synapse: (1.0, ends)}, params["tstop"], params=p, dt=1e-5)
    i_jump = readout(jumps.trace(f"I_{synapse_key(synapse)}"))
    ideal = finite_pulses(1.0)
    unscored = {
        "largest, instant jumps (A)": (float(i_s.max()), float(i_jump.max())),
        "mean, instant jumps (A)": (mean_s, mean(jumps.t, i_jump)),
        "largest, ideal DPI (A)": (float(i_s.max()), float(ideal.max())),
        "mean, ideal DPI (A)": (mean_s, mean(t_m, ideal)),
    }
    return Comparison(
        name=f"DPI synapse, {n_pulses} pulses at {rate:g} Hz, I_w {values['iw'] * 1e9:g} nA",
        x=t_m,
        spice=i_s,
        model=i_m,
        spice_x=t_s,
        x_label="time (s)",
        y_label="I_syn (A)",
        metrics={
            "largest current (A)": (float(i_s.max()), float(i_m.max())),
            "mean current (A)": (mean_s, mean(t_m, i_m)),
        },
        unscored=unscored,
        target=0.15,
        why=DPI_TRAIN_WHY.format(gamma=pair.gamma),
        reference=np.interp(t_m, jumps.t, i_jump),
        reference_label="instant jumps (original simulator)",
        extra={"biases": biases, "params": p, "pair": pair, "readout": readout},
    )


def compare_dpi_gain(
    weights: ArrayLike = (1e-9, 2e-9, 4e-9, 8e-9, 16e-9),
    netlist_params: Mapping[str, float] | None = None,
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
) -> Comparison:
    """DPI steady-state output with the input held on, vs the weight current I_w (A).

    Model: :func:`~dynapse_edu.core.synapse.dpi_steady_state` with the output exponent,
    I_g (I_w / I_tau - 1)^gamma, with the replica-measured biases (the leak's replica sits at 1.5 V,
    within 0.5 % of its current at the steady state's Vsyn, and no pulse switch is off) and gamma =
    kappa_p / kappa_pair measured on the pair's transistors at each operating point
    (:func:`~dynapse_edu.spice.calibration.measure_pair_exponent`: far from balance, the capacitor's
    arm carrying only I_tau, the split is the weak-inversion one), read through the output pFET's
    measured curve (:func:`~dynapse_edu.spice.calibration.measure_output_readout`: at 2-20 nA the
    output transistor is in moderate inversion). Printed, not scored: the exponential output (the
    same model without the readout), the ideal DPI (gamma = 1) and the power law fitted to this very
    sweep (:func:`~dynapse_edu.spice.calibration.measure_gain_exponent`: the exponent the output
    shows, which folds the output pFET's compression into one power).

    Parameters
    ----------
    weights : array
        Weight currents I_w, A.
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values, SI units.
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.

    Returns
    -------
    Comparison
        x = I_w (A), curves the steady-state I_syn (A); target 15 % (issue 12); ``reference`` is the
        ideal DPI; ``extra["gain"]`` the exponent fit.

    Examples
    --------
    >>> cmp = compare_dpi_gain([1e-9, 4e-9])  # doctest: +SKIP
    >>> [round(float(r), 2) for r in cmp.ratios.values()]  # model / circuit at 1 and 4 nA  # doctest: +SKIP
    [0.99, 0.95]
    """
    tr = _transistor(transistor, cache)
    weights = np.atleast_1d(np.asarray(weights, float))
    gain = cal.measure_gain_exponent(netlist_params, tr, cache=cache)
    s_vals, m_vals, exponential, ideal, fitted, gammas = (np.empty(weights.size) for _ in range(6))
    for k, iw in enumerate(weights):
        params = {**dict(netlist_params or {}), "iw": float(iw)}
        biases = cal.measure_dpi_biases({**params, "pulse_dc": 0}, tr, cache=cache)
        readout = cal.measure_output_readout(biases.I_g, params, tr, cache=cache)
        op = ngspice.run(cal.DPI_TB, {**params, "pulse_dc": 1}, analysis="op", cache=cache)
        s_vals[k] = float(op["i(vout)"][0])
        gammas[k] = cal.measure_pair_exponent(params, tr, cache=cache).gamma
        exponential[k] = float(dpi_steady_state(biases.I_w, biases.I_g, biases.I_tau, gammas[k]))
        m_vals[k] = float(readout(exponential[k]))
        ideal[k] = float(dpi_steady_state(biases.I_w, biases.I_g, biases.I_tau))
        fitted[k] = float(dpi_steady_state(biases.I_w, biases.I_g, biases.I_tau, gain.gamma))
    metrics = {f"I_syn at I_w = {w * 1e9:g} nA (A)": (s, m) for w, s, m in zip(weights, s_vals, m_vals, strict=True)}
    unscored = {
        f"ideal DPI at {w * 1e9:g} nA (A)": (s, i) for w, s, i in zip(weights, s_vals, ideal, strict=True)
    }
    unscored.update({
        f"exponential output, {w * 1e9:g} nA (A)": (s, e) for w, s, e in zip(weights, s_vals, exponential, strict=True)
    })
    unscored.update({
        f"gamma {gain.gamma:.3f} fitted here, {w * 1e9:g} nA (A)": (s, f)
        for w, s, f in zip(weights, s_vals, fitted, strict=True)
    })
    return Comparison(
        name=f"DPI steady-state output vs weight current (gamma = {gammas.min():.3f}-{gammas.max():.3f})",
        x=weights,
        spice=s_vals,
        model=m_vals,
        x_label="I_w (A)",
        y_label="I_syn, steady state (A)",
        metrics=metrics,
        unscored=unscored,
        target=0.15,
        why="the pair's split follows (Ig/Isyn)^(kappa_n'/kappa_p), where kappa_n' is the kappa of the pair's "
        "nFETs, whose common source sits ~1 V above their bulk (body effect), so the output grows as "
        f"(I_w/I_tau - 1)^gamma, gamma = kappa_p/kappa_n' = {gammas.min():.3f}-{gammas.max():.3f} measured on the "
        "pair's transistors at each operating point (Params.gamma_syn); the ideal DPI (gamma = 1) is 2-3 x off; "
        "at 2-20 nA the output pFET leaves weak inversion (5 % below the exponential at 1 nA, 22 % at 16 nA), "
        "which the model's current read through the pFET's measured curve follows (the exponential output, "
        "printed, is 18-33 % high at 8-16 nA); what is left, the model up to 11 % low at 16 nA, is the pair's "
        f"own moderate inversion as its arm nears I_w; one power fitted to this sweep (gamma {gain.gamma:.3f}) "
        "folds all of it into the exponent",
        log_y=True,
        log_x=True,
        reference=ideal,
        reference_label="ideal DPI (gamma = 1)",
        extra={"gain": gain, "gammas": gammas},
    )


# --- neuron --------------------------------------------------------------------------
NEURON_WHY = (
    "the circuit's feedback is switched by a comparator (calibration.measure_comparator_feedback: a "
    "switch 0.4 % of I_th wide, fitted by the model's sigmoid, and ~1 pA of the switch's leakage below it, "
    "which the model has not); the reset releases gradually as Cref crosses the inverter's "
    "switching region, so t_ref has a soft end; the mirrors' Early effect; the behavioural soma also "
    "carries its resting synaptic leakages (an extra I0 of shunt, ~0.5 I0 of NMDA input), which matter "
    "most near rheobase"
)
NEURON_DPI_WHY = (
    "the model's I_mem is the membrane pair's ratio J (calibration.MembranePair: J obeys the DPI equation "
    "exactly, with the pair's body-effect kappa; the readout's moderate inversion above ~10 nA is in the "
    "measured map), its threshold J at the spike amplifier's switch; the circuit's feedback is k I_mem, the "
    "model's a power law of J fitted from where it equals the leak up to the switch "
    "(calibration.fit_power_law_on_pair: slope 0.84, not exactly one power over three decades); the mirrors' "
    "Early effect; the behavioural soma also carries its resting synaptic leakages, which matter most near "
    "rheobase"
)
#: The transistor neurons: ``"adexp"`` (``neuron_adexp.cir``, comparator threshold and switched
#: feedback) and ``"dpi"`` (``neuron_dpi.cir``, the published spike-event amplifier). The
#: comparisons use :data:`DEFAULT_NEURON` unless told otherwise.
NEURON_CIRCUITS = ("adexp", "dpi")
#: The netlist the neuron comparisons use by default: the DPI neuron replaces the comparator
#: neuron only where it matches the model at least as well on the F-I curve (issue 12). Measured
#: 2 Dec 2026 both meet the F-I (10 %) and upswing (20 %) targets, the comparator neuron more
#: closely on the F-I curve (worst 4.3 % against 6.7 %), so it stays the default.
DEFAULT_NEURON = "adexp"


def _check_circuit(circuit: str) -> str:
    if circuit not in NEURON_CIRCUITS:
        raise ParameterError(f"unknown neuron circuit {circuit!r}; choose one of {', '.join(NEURON_CIRCUITS)}")
    return circuit


def neuron_testbench(circuit: str = DEFAULT_NEURON) -> str:
    """The F-I testbench of a transistor neuron (``"adexp"`` or ``"dpi"``).

    Examples
    --------
    >>> neuron_testbench("dpi")
    'neuron_dpi_tb-fi.cir'
    """
    return cal.NEURON_DPI_TB if _check_circuit(circuit) == "dpi" else cal.NEURON_TB


def calibrated_neuron(
    circuit: str = DEFAULT_NEURON,
    netlist_params: Mapping[str, float] | None = None,
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
) -> tuple[Any, Params]:
    """The measured biases of a transistor neuron and the behavioural Params calibrated on them.

    Parameters
    ----------
    circuit : str
        ``"adexp"`` (:func:`~dynapse_edu.spice.calibration.measure_neuron_biases`,
        :func:`~dynapse_edu.spice.calibration.neuron_params`) or ``"dpi"``
        (:func:`~dynapse_edu.spice.calibration.measure_neuron_dpi_biases`,
        :func:`~dynapse_edu.spice.calibration.neuron_dpi_params`).
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values, SI units.
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.

    Returns
    -------
    tuple
        (the biases dataclass, the Params).

    Examples
    --------
    >>> biases, p = calibrated_neuron("dpi")  # doctest: +SKIP
    >>> round(p.I_th * 1e9, 2)  # nA  # doctest: +SKIP
    36.94
    """
    tr = _transistor(transistor, cache)
    if _check_circuit(circuit) == "dpi":
        biases = cal.measure_neuron_dpi_biases(netlist_params, tr, cache=cache)
        return biases, cal.neuron_dpi_params(biases, tr)
    biases = cal.measure_neuron_biases(netlist_params, tr, cache=cache)
    return biases, cal.neuron_params(biases, tr)


def spike_times_from_trace(t: ArrayLike, v: ArrayLike, threshold: float) -> np.ndarray:
    """Times where ``v`` crosses ``threshold`` upwards (linear interpolation between samples), in s.

    Examples
    --------
    >>> spike_times_from_trace([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 0.0, 1.0], 0.5)
    array([0.5, 2.5])
    """
    t, v = np.asarray(t, float), np.asarray(v, float)
    k = np.flatnonzero((v[1:] > threshold) & (v[:-1] <= threshold))
    return t[k] + (threshold - v[k]) * (t[k + 1] - t[k]) / (v[k + 1] - v[k])


def isi_rate(spikes: ArrayLike) -> float:
    """Firing rate as 1 / mean inter-spike interval, in Hz, ignoring the first spike's latency; 0 if < 2 spikes.

    Examples
    --------
    >>> isi_rate([0.1, 0.11, 0.12, 0.13])
    100.0
    """
    spikes = np.asarray(spikes, float)
    return float(1.0 / np.mean(np.diff(spikes))) if spikes.size >= 2 else 0.0


def _model_run(params: Params, current: float, duration: float, dt: float | None) -> Any:
    chip = Chip(params.replace(I_const=float(current)))
    chip.get_neurons(1, core=0)
    return chip.run(duration, dt=dt, at_spikes=False)


def model_spikes(params: Params, current: float, duration: float) -> np.ndarray:
    """Spike times of one behavioural neuron (a :class:`~dynapse_edu.hardware.chip.Chip`) under a constant current.

    Parameters
    ----------
    params : Params
        The neuron's parameters (``I_const`` is replaced by ``current``).
    current : float
        Input current, A.
    duration : float
        Simulated time, s.

    Returns
    -------
    ndarray
        Spike times, s.

    Examples
    --------
    >>> model_spikes(Params(), 1e-9, 0.02).round(4)
    array([0.0052, 0.0159])
    """
    return np.asarray(_model_run(params, current, duration, None).spike_times[0], float)


def circuit_spikes(
    current: float,
    duration: float,
    netlist_params: Mapping[str, float] | None = None,
    cache: bool = True,
    circuit: str = DEFAULT_NEURON,
) -> tuple[np.ndarray, ngspice.SpiceResult]:
    """Spike times of the transistor-level neuron (rising v(vref) through Vdd/2), in s, and the raw run.

    Parameters
    ----------
    current : float
        Input current ``iin``, A.
    duration : float
        Transient length ``tstop``, s.
    netlist_params : dict, optional
        Other overrides of the testbench's ``.param`` values.
    cache : bool
        Use the on-disk ngspice result cache.
    circuit : str
        ``"adexp"`` or ``"dpi"`` (:data:`NEURON_CIRCUITS`).

    Returns
    -------
    tuple
        (spike times in s, the :class:`~dynapse_edu.spice.ngspice.SpiceResult`).

    Examples
    --------
    >>> spikes, run = circuit_spikes(1e-9, 0.02)  # doctest: +SKIP
    >>> spikes.round(4)  # doctest: +SKIP
    array([0.0007, 0.004 , 0.0072, 0.0105, 0.0138, 0.017 ])
    """
    tb = neuron_testbench(circuit)
    params = {**dict(netlist_params or {}), "iin": float(current), "tstop": float(duration)}
    run = ngspice.run(tb, params, cache=cache)
    vdd = float({**ngspice.netlist_params(tb), **params}.get("vdd", 1.8))
    return spike_times_from_trace(run["time"], run["v(vref)"], vdd / 2), run


def _duration_for(rate: float, n_isi: int, lo: float, hi: float) -> float:
    return float(np.clip((n_isi + 1.5) / rate, lo, hi)) if rate > 0 else hi


def _why(circuit: str) -> str:
    return NEURON_DPI_WHY if circuit == "dpi" else NEURON_WHY


def _label(circuit: str) -> str:
    return "DPI neuron" if circuit == "dpi" else "comparator neuron"


def compare_neuron_fi(
    currents: ArrayLike = (5e-12, 10e-12, 20e-12, 50e-12, 100e-12, 200e-12, 500e-12, 1e-9, 2e-9),
    netlist_params: Mapping[str, float] | None = None,
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
    n_isi: int = 10,
    max_duration: float = 1.0,
    circuit: str = DEFAULT_NEURON,
) -> Comparison:
    """Neuron F-I curve: the transistor neuron's testbench vs the calibrated behavioural neuron.

    The behavioural neuron runs on a :class:`~dynapse_edu.hardware.chip.Chip`.

    Rates are 1 / mean ISI (the latency of the first spike from rest left
    out) over about ``n_isi`` intervals, at most ``max_duration`` s per point.
    Metrics are the rates from 10 pA up (target: within 10 %, issue 12); lower currents
    are drawn but not scored (near rheobase the rate is a steep function of
    the leak, see ``why``).

    Parameters
    ----------
    currents : array
        Input currents, A.
    netlist_params : dict, optional
        Overrides of the neuron testbench's ``.param`` values, SI units.
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.
    n_isi : int
        About how many intervals each rate is measured over.
    max_duration : float
        Longest run per point, s.
    circuit : str
        ``"adexp"`` (``neuron_adexp.cir``) or ``"dpi"`` (``neuron_dpi.cir``).

    Returns
    -------
    Comparison
        x = input current (A), curves the rate (Hz).

    Examples
    --------
    >>> cmp = compare_neuron_fi([50e-12, 500e-12])  # doctest: +SKIP
    >>> cmp.ok  # doctest: +SKIP
    True
    """
    biases, p = calibrated_neuron(circuit, netlist_params, transistor, cache)
    currents = np.atleast_1d(np.asarray(currents, float))
    rate_s, rate_m = np.empty(currents.size), np.empty(currents.size)
    for k, current in enumerate(currents):
        guess = isi_rate(model_spikes(p, current, max_duration / 4)) or isi_rate(model_spikes(p, current, max_duration))
        duration = _duration_for(guess, n_isi, 0.03, max_duration)
        rate_m[k] = isi_rate(model_spikes(p, current, duration))
        rate_s[k] = isi_rate(circuit_spikes(current, duration, netlist_params, cache, circuit)[0])
    metrics = {
        f"rate at {c * 1e12:g} pA (Hz)": (float(s), float(m))
        for c, s, m in zip(currents, rate_s, rate_m, strict=True)
        if c >= 10e-12
    }
    return Comparison(
        name=f"F-I curve, {_label(circuit)}",
        x=currents,
        spice=rate_s,
        model=rate_m,
        x_label="input current (A)",
        y_label="rate (Hz)",
        metrics=metrics,
        target=0.10,
        log_x=True,
        why=_why(circuit),
        extra={"biases": biases, "params": p, "circuit": circuit},
    )


#: The AHP weight current (in A) of the adaptation comparison, per circuit. The comparator neuron feeds
#: its AHP for the refractory period (2.5 ms), the DPI neuron for its own AHP pulse (~0.1 ms).
ADAPTATION_IAHW = {"adexp": 60e-12, "dpi": 500e-12}


#: What the adaptation rows add to each neuron's ``why`` (measured on the transients, circuits/README.md).
ADAPTATION_WHY = {
    "adexp": "; the model's AHP is fed for t_ref through the DPI equation, as the netlist's",
    "dpi": (
        "; both refractory periods are C_ref (Vdd - V_sw) / I_ref (the handshake charges C_ref to Vdd);"
        " the AHP switch's off-current (0.3 pA) slows the circuit's AHP decay; the model's AHP leak is the net"
        " current measured with Vahp held at the AHP gain bias (calibration.measure_ahp_leak, 14 % below the"
        " replica's I_ahtau here), which near rest, where the AHP pair hands the capacitor all of the"
        " off-current, is smaller still"
    ),
}


def compare_neuron_adaptation(
    current: float = 200e-12,
    iahw: float | None = None,
    duration: float = 0.3,
    netlist_params: Mapping[str, float] | None = None,
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
    circuit: str = DEFAULT_NEURON,
) -> Comparison:
    """Spike-frequency adaptation: inter-spike intervals under a constant input, AHP on.

    ``iahw`` (A) is the AHP weight current of the netlist (default
    :data:`ADAPTATION_IAHW` of the circuit). Metrics: the first five intervals
    and the adapted (last) interval (target: within 15 %, issue 12); the ratio
    last/first is printed, not scored. Both AHP DPIs are fed by a pulse per spike
    (the model through the full DPI equation, ``Params.t_pulse_ahp``), so the charge
    per spike grows with the AHP current already there in both; :data:`ADAPTATION_WHY`
    says what still differs.

    Parameters
    ----------
    current : float
        Input current, A.
    iahw : float, optional
        AHP weight current of the netlist, A.
    duration : float
        Simulated time, s.
    netlist_params : dict, optional
        Other overrides of the neuron testbench's ``.param`` values, SI units.
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.
    circuit : str
        ``"adexp"`` or ``"dpi"``.

    Returns
    -------
    Comparison
        x = interval number, curves the ISI (s).

    Raises
    ------
    ParameterError
        When either side fires fewer than 7 spikes.

    Examples
    --------
    >>> cmp = compare_neuron_adaptation(200e-12)  # doctest: +SKIP
    >>> sorted(cmp.metrics)[:2]  # doctest: +SKIP
    ['ISI 1 (s)', 'ISI 2 (s)']
    """
    circuit = _check_circuit(circuit)
    iahw = ADAPTATION_IAHW[circuit] if iahw is None else float(iahw)
    params = {**dict(netlist_params or {}), "iahw": iahw}
    biases, p = calibrated_neuron(circuit, params, transistor, cache)
    s_spk, _ = circuit_spikes(current, duration, params, cache, circuit)
    m_spk = model_spikes(p, current, duration)
    isi_s, isi_m = np.diff(s_spk), np.diff(m_spk)
    if isi_s.size < 6 or isi_m.size < 6:
        raise ParameterError(
            f"too few spikes to measure adaptation (circuit {s_spk.size}, model {m_spk.size}, need 7); "
            f"raise current = {current!r} A or duration = {duration!r} s"
        )
    n = min(isi_s.size, isi_m.size)
    metrics = {f"ISI {k + 1} (s)": (float(isi_s[k]), float(isi_m[k])) for k in range(5)}
    metrics["adapted (last) ISI (s)"] = (float(isi_s[-1]), float(isi_m[-1]))
    return Comparison(
        name=f"adaptation, {current * 1e12:g} pA input, {_label(circuit)}",
        x=np.arange(1, n + 1, dtype=float),
        spice=isi_s[:n],
        model=isi_m[:n],
        x_label="interval number",
        y_label="ISI (s)",
        metrics=metrics,
        unscored={"adaptation last/first": (float(isi_s[-1] / isi_s[0]), float(isi_m[-1] / isi_m[0]))},
        target=0.15,
        why=_why(circuit) + ADAPTATION_WHY[circuit],
        extra={"biases": biases, "params": p, "spikes_spice": s_spk, "spikes_model": m_spk, "circuit": circuit},
    )


def model_to_i_mem(biases: Any) -> Callable[[ArrayLike], np.ndarray]:
    """The map from the calibrated model's membrane current to the circuit's I_mem (A -> A).

    The DPI neuron's model integrates the membrane pair's ratio J
    (:class:`~dynapse_edu.spice.calibration.MembranePair`): its I_mem is mapped back through the
    measured pair; the comparator neuron's model current is I_mem itself.

    Examples
    --------
    >>> float(model_to_i_mem(object())(2e-9))
    2e-09
    """
    pair = getattr(biases, "pair", None)
    if pair is None:
        return lambda i: np.asarray(i, float)
    return lambda j: pair.i_mem_of(np.maximum(np.asarray(j, float), 1e-18))


#: Where the upswing is sampled: these many seconds before the membrane current reaches the threshold.
UPSWING_OFFSETS = (2e-3, 1e-3, 0.5e-3)


def compare_neuron_upswing(
    currents: ArrayLike = (20e-12, 50e-12, 200e-12),
    netlist_params: Mapping[str, float] | None = None,
    transistor: cal.TransistorFit | None = None,
    cache: bool = True,
    circuit: str = DEFAULT_NEURON,
) -> Comparison:
    """The upswing: I_mem over the last 2 ms before it reaches the threshold, circuit vs model.

    For each input current both neurons start at rest and fire twice; the second
    upswing (after a reset) is compared. Its end is where I_mem reaches the behavioural
    threshold ``I_th``: the model's spike; in the circuit, the membrane current copy ``i(vimem)``
    crossing ``I_th`` (for the DPI neuron both in I_mem: the model's pair ratio J mapped back,
    :func:`model_to_i_mem`, so its threshold is the amplifier's switch). Metrics: I_mem
    2, 1 and 0.5 ms before that (:data:`UPSWING_OFFSETS`; target: within 20 %, issue 12). The
    curves are I_mem against the time to threshold.

    Parameters
    ----------
    currents : array
        Input currents, A (each must give an interval longer than t_ref + 2 ms).
    netlist_params : dict, optional
        Overrides of the testbench's ``.param`` values, SI units.
    transistor : TransistorFit, optional
        From :func:`~dynapse_edu.spice.calibration.extract_transistor` (default: measured now).
    cache : bool
        Use the on-disk ngspice result cache.
    circuit : str
        ``"adexp"`` or ``"dpi"``.

    Returns
    -------
    Comparison
        x = time before threshold (s, negative), curves I_mem (A) for each current in turn (NaN between).

    Raises
    ------
    ParameterError
        When either side does not reach the threshold twice, or the second upswing is shorter than 2 ms.

    Examples
    --------
    >>> cmp = compare_neuron_upswing([200e-12], circuit="dpi")  # doctest: +SKIP
    >>> sorted(cmp.metrics)[0]  # doctest: +SKIP
    'I_mem -0.5 ms, 200 pA (A)'
    """
    biases, p = calibrated_neuron(circuit, netlist_params, transistor, cache)
    to_i_mem = model_to_i_mem(biases)
    i_th = float(to_i_mem(p.I_th))
    currents = np.atleast_1d(np.asarray(currents, float))
    window = max(UPSWING_OFFSETS)
    grid = np.linspace(-window, -1e-5, 200)  # up to 10 us before the end (the model's trace is reset at 0)
    xs, ys_s, ys_m, metrics = [], [], [], {}
    for current in currents:
        rate = isi_rate(model_spikes(p, current, 0.5))
        duration = _duration_for(rate, 2, 0.02, 0.5)
        _, run = circuit_spikes(current, duration, netlist_params, cache, circuit)
        t_s, i_s = run["time"], np.abs(run["i(vimem)"])
        result = _model_run(p, current, duration, 1e-5)
        t_m, i_m = result.t, to_i_mem(result.trace("I_mem"))
        # the end of each upswing: I_mem crossing I_th in the circuit, the spike (reset at I_th) in the model
        ends = {
            "circuit": spike_times_from_trace(t_s, np.log(np.maximum(i_s, 1e-18)), float(np.log(i_th))),
            "model": np.asarray(result.spike_times[0], float),
        }
        traces = []
        for t, i, side in ((t_s, i_s, "circuit"), (t_m, i_m, "model")):
            crossings = ends[side]
            if crossings.size < 2 or crossings[1] - crossings[0] < window + p.t_ref:
                raise ParameterError(
                    f"the {side} does not give a second upswing of {window * 1e3:g} ms at {current!r} A "
                    f"(threshold crossings {np.round(crossings, 5).tolist()} s); choose a lower current"
                )
            traces.append(np.interp(crossings[1] + grid, t, i))
        for offset in UPSWING_OFFSETS:
            k = int(np.argmin(np.abs(grid + offset)))
            key = f"I_mem -{offset * 1e3:g} ms, {current * 1e12:g} pA (A)"
            metrics[key] = (float(traces[0][k]), float(traces[1][k]))
        xs.append(np.append(grid, np.nan))
        ys_s.append(np.append(traces[0], np.nan))
        ys_m.append(np.append(traces[1], np.nan))
    return Comparison(
        name=f"upswing before threshold, {_label(circuit)}",
        x=np.concatenate(xs),
        spice=np.concatenate(ys_s),
        model=np.concatenate(ys_m),
        x_label="time to threshold (s)",
        y_label="I_mem (A)",
        metrics=metrics,
        target=0.20,
        log_y=True,
        why=_why(circuit),
        extra={"biases": biases, "params": p, "circuit": circuit},
    )


__all__ = [
    "Comparison",
    "timed",
    "NEURON_CIRCUITS",
    "DEFAULT_NEURON",
    "ADAPTATION_IAHW",
    "UPSWING_OFFSETS",
    "model_to_i_mem",
    "neuron_testbench",
    "calibrated_neuron",
    "spike_times_from_trace",
    "isi_rate",
    "model_spikes",
    "circuit_spikes",
    "compare_neuron_fi",
    "compare_neuron_adaptation",
    "ADAPTATION_WHY",
    "compare_neuron_upswing",
    "compare_transistor",
    "compare_dpi_pulse",
    "compare_dpi_train",
    "compare_dpi_gain",
    "EDGE_BLANKING",
    "pulse_edge_mask",
]

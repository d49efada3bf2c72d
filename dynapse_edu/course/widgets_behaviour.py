"""The panels of the book's part *Behaviour*: chapters 6 to 9, the neuron's and the chip's behaviour.

Each panel runs a small experiment through the library, draws it and returns
the numbers to look at; :func:`~dynapse_edu.course.widgets.explore` turns it
into a widget (the contract is in :mod:`dynapse_edu.course.widgets`).

* Chapter 6, characterization: :func:`fi_panel`, :func:`ff_panel`;
* Chapter 7, adaptation: :func:`adaptation_panel`;
* Chapter 8, NMDA gating and inhibition: :func:`nmda_gate_panel`, :func:`inhibited_rates`, :func:`inhibition_panel`;
* Chapter 9, mismatch: :func:`mismatch_factor_panel`, :func:`mismatch_rates`, :func:`mismatch_fi_panel`,
  :func:`closest_to_median`.

>>> from matplotlib.figure import Figure  # Axes of your own (no pyplot window)
>>> out = nmda_gate_panel(I_nmda_thr_pA=50.0, duration_ms=50.0, axes=Figure().subplots(1, 2))
>>> round(out["at_threshold"], 3)
0.5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from .. import experiments, plot
from ..core.neuron import nmda_gate
from ..core.params import ParamsLike, resolve
from ..core.synapse import synapse_index, synapse_key
from ..errors import ParameterError
from ..hardware.biasgen import BIAS_NAMES, check_bias_name
from ..hardware.mismatch import Mismatch
from ..hardware.routing import NEURONS_PER_CORE
from ..units import ms, pA
from .widgets import check_count, check_positive, panel_axes

#: Largest number of points of a panel's curve (each point is one simulation).
MAX_POINTS = 50


# --- chapter 6: characterization ---------------------------------------------------
def fi_panel(
    max_current_pA: float = 1000.0,
    points: int = 8,
    I_tau_mem_pA: float = 5.0,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
    method: str = "fast",
) -> dict[str, np.ndarray]:
    """F-I curve: the output rate for ``points`` constant currents from 0 to ``max_current_pA``.

    Runs :func:`~dynapse_edu.experiments.fi_curve`.

    Parameters
    ----------
    max_current_pA : float
        The largest injected current, pA.
    points : int
        Number of currents, 2..50.
    I_tau_mem_pA : float
        Leak current of the membrane DPI, pA.
    duration_ms : float
        Simulated time per current, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default: a slider move answers at once) or ``"reference"``.

    Returns
    -------
    dict
        ``currents`` (A) and ``rates`` (Hz), arrays of ``points``.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = fi_panel(max_current_pA=1000.0, points=2, duration_ms=50.0, ax=Figure().subplots())
    >>> float(out["rates"][0]), bool(out["rates"][1] > 0)
    (0.0, True)
    """
    points = check_count("points", points, 2, MAX_POINTS)
    currents = np.linspace(0.0, check_positive("max_current_pA", max_current_pA), points) * pA
    p = resolve(params).replace(I_tau_mem=float(I_tau_mem_pA) * pA)
    rates = experiments.fi_curve(currents, duration=check_positive("duration_ms", duration_ms) * ms, params=p,
                                 method=method)
    (axis,) = panel_axes(ax)
    plot.rate_curve(currents, rates, xlabel="injected current (pA)", label=f"I_tau_mem = {I_tau_mem_pA:g} pA",
                    x_scale=1 / pA, ax=axis)
    return {"currents": currents, "rates": rates}


def ff_panel(
    synapse: str = "AMPA",
    weights: Sequence[float] = (2.0, 4.0, 8.0),
    max_rate: float = 200.0,
    points: int = 5,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
    method: str = "fast",
) -> dict[str | float, np.ndarray]:
    """F-F curves of one synapse type: the output rate against a regular input's rate, one curve per weight.

    Runs :func:`~dynapse_edu.experiments.ff_curve`.

    Parameters
    ----------
    synapse : str
        ``"AMPA"`` or ``"NMDA"`` (an inhibitory synapse alone gives no output).
    weights : Sequence[float]
        One curve per weight.
    max_rate : float
        The largest input rate, Hz.
    points : int
        Number of input rates, ``max_rate / points`` to ``max_rate``, 2..50.
    duration_ms : float
        Simulated time per point, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default: a slider move answers at once) or ``"reference"``.

    Returns
    -------
    dict
        ``{weight: rates}`` (Hz, one array per weight) and, under the key
        ``"input_rates"``, the input rates (Hz).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = ff_panel("AMPA", weights=(8.0,), max_rate=200.0, points=2, duration_ms=50.0, ax=Figure().subplots())
    >>> out["input_rates"].tolist(), len(out[8.0])
    ([100.0, 200.0], 2)
    """
    synapse_index(synapse)
    points = check_count("points", points, 2, MAX_POINTS)
    input_rates = np.linspace(0.0, check_positive("max_rate", max_rate), points + 1)[1:]
    duration = check_positive("duration_ms", duration_ms) * ms
    (axis,) = panel_axes(ax)
    out: dict[str | float, np.ndarray] = {"input_rates": input_rates}
    for w in np.atleast_1d(np.asarray(weights, dtype=float)):
        rates = experiments.ff_curve(synapse, float(w), input_rates, duration=duration, params=params, method=method)
        plot.rate_curve(input_rates, rates, label=f"{synapse.upper()}, w = {w:g}", ax=axis)
        out[float(w)] = rates
    return out


# --- chapter 7: adaptation ----------------------------------------------------------
def adaptation_panel(
    I_w_ahp_pA: float = 2.0,
    I_tau_ahp_pA: float = 2.0,
    weight: float = 4.0,
    params: ParamsLike = None,
    axes: Sequence[Axes] | None = None,
    method: str = "fast",
) -> dict[str, float]:
    """Adaptation at work during a 500 ms pulse of 166.7 Hz regular input (part 3): the intervals and I_ahp.

    Left: the inter-spike intervals
    (:func:`~dynapse_edu.experiments.adaptation_isi`). Right: the same run's
    membrane current and adaptation current ``I_ahp``
    (:func:`~dynapse_edu.experiments.spike_response`, the input of
    ``adaptation_isi``: from 50 to 550 ms, every 6 ms, through AMPA): every
    spike adds ``I_w_ahp alpha_ahp`` to ``I_ahp``, which decays with tau_ahp.

    Parameters
    ----------
    I_w_ahp_pA : float
        The adaptation weight current, pA (each spike adds I_w_ahp alpha_ahp).
    I_tau_ahp_pA : float
        The adaptation leak current, pA (sets tau_ahp).
    weight : float
        Weight of the input through AMPA.
    params : Params, dict or None
        The other parameters; None for the defaults.
    axes : two Axes or None
        Where to draw (intervals, currents); None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default: a slider move answers at once) or ``"reference"``.

    Returns
    -------
    dict
        ``intervals`` (count), ``first_isi`` and ``last_isi`` (s; NaN if
        none), ``tau_ahp`` (s) and ``I_ahp_max``, the largest adaptation current of the run (A).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # Axes of your own (no pyplot window)
    >>> out = adaptation_panel(I_w_ahp_pA=2.0, axes=Figure().subplots(1, 2))
    >>> bool(out["last_isi"] > out["first_isi"])
    True
    """
    p = resolve(params).replace(I_w_ahp=float(I_w_ahp_pA) * pA, I_tau_ahp=float(I_tau_ahp_pA) * pA)
    isi = experiments.adaptation_isi(weight=weight, params=p, method=method)
    pulse = np.arange(0.05, 0.55, 6e-3)  # adaptation_isi's default input
    result = experiments.spike_response({"AMPA": (weight, pulse)}, 0.6, params=p, method=method, dt=5e-4)
    left, right = panel_axes(axes, 2, figsize=(10.0, 3.0))
    plot.isi(isi, label=f"I_w_ahp = {I_w_ahp_pA:g} pA, I_tau_ahp = {I_tau_ahp_pA:g} pA", ax=left)
    plot.currents(result, names=("I_mem", "I_ahp"), ax=right)
    right.set_title(f"tau_ahp = {p.tau_ahp / ms:.1f} ms", fontsize="small")
    return {
        "intervals": int(isi.size),
        "first_isi": float(isi[0]) if isi.size else float("nan"),
        "last_isi": float(isi[-1]) if isi.size else float("nan"),
        "tau_ahp": p.tau_ahp,
        "I_ahp_max": float(result.trace("I_ahp").max()),
    }


# --- chapter 8: NMDA gating and inhibition -------------------------------------------
def nmda_gate_panel(
    I_nmda_thr_pA: float = 1.0,
    nmda_weight: float = 0.5,
    ampa_weight: float = 2.0,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    axes: Sequence[Axes] | None = None,
) -> dict[str, float]:
    """The NMDA gate and what it does to a neuron: the gate's curve, and the part-1 run with that threshold.

    Left: the fraction of the NMDA current that passes the voltage gate
    (:func:`~dynapse_edu.core.neuron.nmda_gate`) against the membrane current,
    for the chosen threshold (the default threshold in grey), with the
    points the neuron visited during the run on top. Right: the run itself,
    the part-1 input (:func:`~dynapse_edu.experiments.part1_input`) into NMDA
    and AMPA: the NMDA current before and after the gate, and the membrane
    current. A high threshold closes the gate at rest, so NMDA input counts
    only once AMPA input has charged the membrane.

    Parameters
    ----------
    I_nmda_thr_pA : float
        The gate's threshold current, pA.
    nmda_weight, ampa_weight : float
        Weights of the NMDA and AMPA connections (both > 0).
    duration_ms : float
        Simulated time, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    axes : two Axes or None
        Where to draw (gate, run); None makes a new figure.

    Returns
    -------
    dict
        The fraction passed ``at_rest`` (I_mem = I0) and ``at_threshold`` (I_mem = I_nmda_thr); over
        the run, ``passed`` (the NMDA charge that reached the soma over the NMDA charge) and
        ``output_spikes``.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # Axes of your own (no pyplot window)
    >>> out = nmda_gate_panel(I_nmda_thr_pA=1.0, duration_ms=100.0, axes=Figure().subplots(1, 2))
    >>> round(out["at_rest"], 3)  # I0 = 1 pA: half open
    0.5
    """
    base = resolve(params)
    p = base.replace(I_nmda_thr=float(I_nmda_thr_pA) * pA)
    duration = check_positive("duration_ms", duration_ms) * ms
    times = experiments.part1_input(duration=duration)
    result = experiments.spike_response({"NMDA": (nmda_weight, times), "AMPA": (ampa_weight, times)}, duration,
                                        params=p, dt=1e-4)
    I_nmda, gated, I_mem = (result.trace(name) for name in ("I_nmda", "I_nmda_gated", "I_mem"))
    left, right = panel_axes(axes, 2, figsize=(10.0, 3.2))
    I_axis = np.geomspace(p.I0, p.I_th, 200)
    if base.I_nmda_thr != p.I_nmda_thr:
        left.semilogx(I_axis / pA, nmda_gate(1.0, I_axis, base), color="0.6",
                      label=f"default, I_nmda_thr = {base.I_nmda_thr / pA:g} pA")
    left.semilogx(I_axis / pA, nmda_gate(1.0, I_axis, p), label=f"I_nmda_thr = {I_nmda_thr_pA:g} pA")
    visited = I_nmda > 1.5 * p.I0  # where there is NMDA current to gate
    left.plot(I_mem[visited] / pA, gated[visited] / I_nmda[visited], ".", markersize=2, alpha=0.3,
              label="during the run")
    left.axvline(p.I_nmda_thr / pA, color="k", linestyle=":", linewidth=0.8)
    left.set_xlabel("membrane current I_mem (pA)")
    left.set_ylabel("fraction of I_nmda passed")
    left.set_ylim(0, 1.05)
    left.legend(loc="lower right", fontsize="small")
    plot.currents(result, names=("I_nmda", "I_nmda_gated", "I_mem"), ax=right)
    right.set_title(f"{result.spike_count[0]} output spikes", fontsize="small")
    return {
        "at_rest": float(nmda_gate(1.0, p.I0, p)),
        "at_threshold": float(nmda_gate(1.0, p.I_nmda_thr, p)),
        "passed": float(np.trapezoid(gated, result.t) / np.trapezoid(I_nmda, result.t)),
        "output_spikes": int(result.spike_count[0]),
    }


def inhibited_rates(
    currents: np.ndarray,
    synapse: str | None,
    weight: float = 1.0,
    rate: float = 200.0,
    duration: float = 0.3,
    params: ParamsLike = None,
    method: str = "fast",
) -> np.ndarray:
    """Output rate for each constant current while a regular train inhibits the neuron.

    Parameters
    ----------
    currents : ArrayLike
        Constant currents injected into the soma, A.
    synapse : str or None
        ``"GABA_A"`` (shunting), ``"GABA_B"`` (subtractive) or None (no inhibition).
    weight : float
        Weight of the inhibitory train.
    rate : float
        Rate of the inhibitory train, Hz.
    duration : float
        Simulated time per current, s.
    params : Params, dict or None
        The other parameters; None for the defaults.
    method : str
        The integrator: ``"fast"`` (default: a slider move answers at once) or ``"reference"``.

    Returns
    -------
    ndarray
        Output rates, Hz, one per current.

    Raises
    ------
    ParameterError
        If ``synapse`` is not inhibitory.

    Examples
    --------
    >>> free, inhibited = (inhibited_rates([1500e-12], s, 2.0, duration=0.05)[0] for s in (None, "GABA_B"))
    >>> bool(inhibited < free)
    True
    """
    if synapse is not None and synapse_key(synapse) not in ("gaba_a", "gaba_b"):
        raise ParameterError(f"inhibitory synapse = {synapse!r}; allowed: 'GABA_A', 'GABA_B' or None")
    background = None if synapse is None else (synapse, rate, weight)
    return experiments.fi_curve(currents, duration, params, method=method, background=background)


def inhibition_panel(
    gaba_a_weight: float = 0.05,
    gaba_b_weight: float = 2.0,
    rate: float = 100.0,
    max_current_pA: float = 3000.0,
    points: int = 7,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
    method: str = "fast",
) -> dict[str, np.ndarray]:
    """F-I curves without inhibition, with GABA_A (shunting) and with GABA_B (subtractive) inhibition.

    A regular inhibitory train goes through GABA_A or through GABA_B
    (:func:`inhibited_rates`).

    Parameters
    ----------
    gaba_a_weight, gaba_b_weight : float
        Weight of the inhibitory train through each synapse.
    rate : float
        Rate of the inhibitory train, Hz.
    max_current_pA : float
        The largest injected current, pA.
    points : int
        Number of currents, 2..50.
    duration_ms : float
        Simulated time per point, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default: a slider move answers at once) or ``"reference"``.

    Returns
    -------
    dict
        ``currents`` (A) and the three rate arrays (Hz) under ``"none"``, ``"GABA_A"``, ``"GABA_B"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> sorted(inhibition_panel(points=2, duration_ms=50.0, ax=Figure().subplots()))
    ['GABA_A', 'GABA_B', 'currents', 'none']
    """
    points = check_count("points", points, 2, MAX_POINTS)
    currents = np.linspace(0.0, check_positive("max_current_pA", max_current_pA), points) * pA
    duration = check_positive("duration_ms", duration_ms) * ms
    (axis,) = panel_axes(ax)
    out: dict[str, np.ndarray] = {"currents": currents}
    cases = (("none", None, 1.0, "no inhibition"),
             ("GABA_A", "GABA_A", gaba_a_weight, f"GABA_A, w = {gaba_a_weight:g} (shunting)"),
             ("GABA_B", "GABA_B", gaba_b_weight, f"GABA_B, w = {gaba_b_weight:g} (subtractive)"))
    for name, synapse, weight, label in cases:
        rates = inhibited_rates(currents, synapse, weight, rate, duration, params, method)
        plot.rate_curve(currents, rates, xlabel="injected current (pA)", label=label, x_scale=1 / pA, ax=axis)
        out[name] = rates
    return out


# --- chapter 9: mismatch ---------------------------------------------------------------
def mismatch_factor_panel(
    spread: float = 0.1,
    distribution: str = "lognormal",
    seed: int = 0,
    bias: str = "IF_TAU1_N",
    I_const_pA: float = 1000.0,
    duration_ms: float = 200.0,
    params: ParamsLike = None,
    axes: Sequence[Axes] | None = None,
    method: str = "fast",
) -> dict[str, float]:
    """One bias's mismatch factors over the 256 neurons of core 0, and what they do to the neurons' rates.

    Left: the histogram of the factors
    (:class:`~dynapse_edu.hardware.mismatch.Mismatch`). Right: every
    neuron's output rate under the same constant input (the core's
    ``IF_DC_P``, so each neuron's share is mismatched too) against its factor
    on ``bias``: a bias that matters for the rate gives a trend, one that does
    not gives a flat cloud (the spread then comes from the other biases).

    Parameters
    ----------
    spread : float
        Relative standard deviation of the factors (0.1 is 10 %).
    distribution : str
        ``"lognormal"`` or ``"gaussian"``.
    seed : int
        Seed of the chip's mismatch.
    bias : str
        A bias name of ``biasgen.BIAS_NAMES`` (e.g. ``"IF_TAU1_N"``).
    I_const_pA : float
        The constant input of every neuron, pA.
    duration_ms : float
        Simulated time, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    axes : two Axes or None
        Where to draw (histogram, rates); None makes a new figure.
    method : str
        The integrator: ``"fast"`` (default: a slider move answers at once) or ``"reference"``.

    Returns
    -------
    dict
        The factors' ``mean``, standard deviation ``std``, smallest ``min`` and largest ``max``; the
        rates' ``rate_mean`` and ``rate_std`` (Hz) and ``correlation``, the correlation coefficient
        of rate and factor (NaN without spread).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # Axes of your own (no pyplot window)
    >>> mismatch_factor_panel(spread=0.0, duration_ms=50.0, axes=Figure().subplots(1, 2))["max"]
    1.0
    """
    column = BIAS_NAMES.index(check_bias_name(bias))
    mismatch = Mismatch(spread=spread, distribution=distribution, seed=seed)
    f = mismatch.factors(np.arange(NEURONS_PER_CORE))[:, column]
    p = resolve(params).replace(I_const=check_positive("I_const_pA", I_const_pA) * pA)
    rates = experiments.fi_curve([p.I_const], check_positive("duration_ms", duration_ms) * ms, p, method,
                                 n_neurons=NEURONS_PER_CORE, mismatch=mismatch)[0]
    left, right = panel_axes(axes, 2, figsize=(10.0, 3.0))
    left.hist(f, bins=30, color="C0")
    left.axvline(1.0, color="k", linestyle=":", linewidth=1)
    left.set_xlabel(f"factor on {bias.upper()}")
    left.set_ylabel("neurons of core 0")
    right.plot(f, rates, ".", markersize=4)
    right.set_xlabel(f"factor on {bias.upper()}")
    right.set_ylabel(f"rate at I_const = {I_const_pA:g} pA (Hz)")
    varied = f.std() > 0 and rates.std() > 0
    correlation = float(np.corrcoef(f, rates)[0, 1]) if varied else float("nan")
    right.set_title(f"256 neurons, correlation {correlation:.2f}", fontsize="small")
    return {"mean": float(f.mean()), "std": float(f.std()), "min": float(f.min()), "max": float(f.max()),
            "rate_mean": float(rates.mean()), "rate_std": float(rates.std()), "correlation": correlation}


def mismatch_rates(
    currents: np.ndarray,
    spread: float = 0.1,
    seed: int = 0,
    n_neurons: int = 16,
    duration: float = 0.3,
    params: ParamsLike = None,
    method: str = "fast",
) -> np.ndarray:
    """The F-I curves of ``n_neurons`` neurons of one core given the same biases.

    For each constant current (set through the core's IF_DC_P bias, so every
    neuron's share of it is mismatched too) one chip with ``Mismatch(spread,
    seed=seed)`` runs all neurons at once.

    Parameters
    ----------
    currents : ArrayLike
        Constant currents, A.
    spread : float
        Relative standard deviation of the mismatch.
    seed : int
        Seed of the chip's mismatch.
    n_neurons : int
        Number of neurons, 1..256.
    duration : float
        Simulated time per current, s.
    params : Params, dict or None
        The other parameters; None for the defaults.
    method : str
        The integrator (``"fast"`` or ``"reference"``).

    Returns
    -------
    ndarray
        Output rates, Hz, shape (len(currents), n_neurons).

    Examples
    --------
    >>> mismatch_rates([800e-12], spread=0.0, n_neurons=3, duration=0.05, method="reference").shape
    (1, 3)
    """
    n_neurons = check_count("n_neurons", n_neurons, 1, NEURONS_PER_CORE)
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

    Draws each neuron's curve thin and the core's mean thick.

    Parameters
    ----------
    spread : float
        Relative standard deviation of the mismatch.
    seed : int
        Seed of the chip's mismatch.
    n_neurons : int
        Number of neurons, 1..256.
    max_current_pA : float
        The largest injected current, pA.
    points : int
        Number of currents, 2..50.
    duration_ms : float
        Simulated time per current, ms.
    params : Params, dict or None
        The other parameters; None for the defaults.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``currents`` (A), ``rates`` (Hz, shape (points, n_neurons)), their
        ``mean`` and ``std`` across neurons at each current (Hz), and ``cv``,
        the standard deviation over the mean (NaN where no neuron fires).

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = mismatch_fi_panel(spread=0.2, n_neurons=4, points=2, duration_ms=100.0, ax=Figure().subplots())
    >>> out["rates"].shape, bool(np.isnan(out["cv"][0]))
    ((2, 4), True)
    """
    points = check_count("points", points, 2, MAX_POINTS)
    currents = np.linspace(0.0, check_positive("max_current_pA", max_current_pA), points) * pA
    rates = mismatch_rates(currents, spread, seed, n_neurons, check_positive("duration_ms", duration_ms) * ms,
                           params)
    mean, std = rates.mean(axis=1), rates.std(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.nan)
    (axis,) = panel_axes(ax, figsize=(7.0, 3.5))
    axis.plot(currents / pA, rates, color="C0", alpha=0.35, linewidth=0.8)
    axis.plot(currents / pA, mean, "o-", color="k", linewidth=2, label=f"mean of {rates.shape[1]} neurons")
    axis.set_xlabel("injected current, IF_DC_P (pA)")
    axis.set_ylabel("output rate (Hz)")
    axis.set_title(f"mismatch spread {100 * spread:g} %, seed {seed}", fontsize=10)
    axis.legend(loc="upper left", fontsize="small")
    return {"currents": currents, "rates": rates, "mean": mean, "std": std, "cv": cv}


def closest_to_median(rates: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` neurons whose rates are closest to the median neuron's (a selection remedy).

    The distance of a neuron is the sum over rows of ``abs(rate - median rate)``;
    ties keep the lower index.

    Parameters
    ----------
    rates : ArrayLike
        Rates, Hz: one column per neuron, one row per test condition (or a single row).
    n : int
        How many neurons to keep, 1..number of neurons.

    Returns
    -------
    ndarray of int
        The ``n`` column indices, sorted.

    Examples
    --------
    >>> closest_to_median(np.array([[10.0, 50.0, 20.0, 22.0, 90.0]]), 3)
    array([0, 2, 3])
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=float))
    n = check_count("n", n, 1, rates.shape[1])
    distance = np.abs(rates - np.median(rates, axis=1, keepdims=True)).sum(axis=0)
    return np.sort(np.argsort(distance, kind="stable")[:n])


__all__ = [
    "MAX_POINTS",
    "fi_panel",
    "ff_panel",
    "adaptation_panel",
    "nmda_gate_panel",
    "inhibited_rates",
    "inhibition_panel",
    "mismatch_factor_panel",
    "mismatch_rates",
    "mismatch_fi_panel",
    "closest_to_median",
]

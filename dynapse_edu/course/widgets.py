"""The functions behind the course book's widgets: one experiment, one figure, a few numbers.

Each function runs a small experiment through the library (never its own
physics), draws it into a matplotlib Axes and returns the numbers a student
should look at, as a dict. A widget cell of the book is then one line,
``interact(panel_function, slider=(low, high, step))``, and the same function
is tested like any other (``tests/test_widgets.py``).

Arguments are in the units a slider shows, and the name says which:
``I_tau_pA`` is a current in pA, ``t_ref_ms`` a time in ms. Everything is
converted to SI floats (A, s) before it reaches the library, and out-of-range
values raise :class:`~dynapse_edu.errors.ParameterError` from the library's
own checks.

Chapters: :func:`tau_explorer` (1, units), :func:`synapse_kernel_panel`
(2, the DPI synapse), :func:`neuron_panel` and :func:`part1_panel` (3, the
silicon neuron), :func:`fi_panel` and :func:`ff_panel` (6, characterization),
:func:`adaptation_panel` (7, adaptation), :func:`nmda_gate_panel` and
:func:`inhibition_panel` (8, NMDA gating and inhibition).

>>> out = tau_explorer(C_pF=2.0, I_tau_pA=20.0)
>>> round(out["tau_ms"], 3)
3.546
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .. import experiments, plot
from ..core.neuron import nmda_gate
from ..core.params import ParamsLike, resolve
from ..core.synapse import SYNAPSE_TYPES, dpi_kernel, synapse_index, synapse_key
from ..errors import ParameterError
from ..hardware.chip import Chip
from ..units import ms, pA, pF


def _axes(ax: Axes | None, n: int = 1, figsize: tuple[float, float] = (7.0, 3.0)) -> list[Axes]:
    if ax is not None:
        return [ax]
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(1, n, figsize=figsize, squeeze=False)
    return list(axes[0])


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} = {value!r} must be a positive finite number")
    return value


def explore(function: Callable[..., Any], **controls: Any) -> Any:
    """An ipywidgets ``interactive`` over ``function``: the given controls, every other argument at its default.

    ``controls`` are ipywidgets abbreviations (``(low, high, step)`` for a
    slider, a list for a drop-down) or widgets. Sliders update when released,
    not while dragged, so a panel that simulates runs once per move. The
    returned widget shows itself when it ends a notebook cell; its output
    holds the figure and the numbers the panel returned.
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


# --- chapter 1: units ----------------------------------------------------------
def tau_explorer(C_pF: float = 2.0, I_tau_pA: float = 20.0, params: ParamsLike = None) -> dict[str, float]:
    """Time constant tau = C Ut / (kappa I_tau) of a DPI with capacitor C (pF) and leak I_tau (pA).

    Goes through :meth:`Params.tau_syn <dynapse_edu.core.params.Params.tau_syn>` of an
    AMPA synapse, so the allowed ranges are the library's. Returns the inputs
    in SI units and the time constant in s and ms.
    """
    p = resolve(params).replace(C_ampa=float(C_pF) * pF, I_tau_ampa=float(I_tau_pA) * pA)
    tau = p.tau_syn("AMPA")
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
    """One input spike at 10 ms into one DPI synapse: simulated current and closed form.

    ``I_tau_pA`` and ``alpha`` override the synapse's leak current (pA) and
    gain; None keeps the defaults. The simulation is
    :func:`~dynapse_edu.experiments.synapse_kernel`, the closed form
    :func:`~dynapse_edu.core.synapse.dpi_kernel`. Returns the peak (A), its
    expected value I0 + I_w0 w alpha, the time constant from the parameters
    and the one fitted to the simulated decay (s), and the largest relative
    difference between simulation and closed form.
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
    (axis,) = _axes(ax)
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


# --- chapter 3: the silicon neuron ------------------------------------------------
def neuron_panel(
    I_const_pA: float = 500.0,
    t_ref_ms: float = 5.0,
    I_tau_mem_pA: float = 5.0,
    duration_ms: float = 200.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, float]:
    """One neuron with a constant input current: membrane, feedback and adaptation currents.

    Returns the number of output spikes, the rate (Hz), the first spike time
    and the shortest inter-spike interval (s; NaN when fewer than 1 or 2 spikes).
    """
    p = resolve(params).replace(I_const=float(I_const_pA) * pA, t_ref=float(t_ref_ms) * ms,
                                I_tau_mem=float(I_tau_mem_pA) * pA)
    chip = Chip(p)
    chip.get_neurons(1, core=0)
    result = chip.run(_check_positive("duration_ms", duration_ms) * ms, dt=1e-4)
    (axis,) = _axes(ax)
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
    """The original part-1 experiment (100 Hz input into NMDA + AMPA) with chosen weights.

    Draws the synapse currents (top) and the soma currents (bottom); returns
    the numbers of input and output spikes and the peak of each synapse current (A).
    """
    duration = _check_positive("duration_ms", duration_ms) * ms
    times = experiments.part1_input(duration=duration)
    result = experiments.spike_response(
        {"NMDA": (nmda_weight, times), "AMPA": (ampa_weight, times)}, duration, params=params
    )
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(7.0, 5.0), sharex=True)
    plot.currents(result, names=("I_ampa", "I_nmda", "I_nmda_gated"), threshold=False, ax=axes[0])
    plot.currents(result, names=("I_in", "I_mem", "I_ahp"), ax=axes[1])
    return {
        "input_spikes": int(times.size),
        "output_spikes": int(result.spike_count[0]),
        "peak_ampa": float(result.trace("I_ampa").max()),
        "peak_nmda": float(result.trace("I_nmda").max()),
    }


# --- chapter 6: characterization ---------------------------------------------------
def fi_panel(
    max_current_pA: float = 1000.0,
    points: int = 8,
    I_tau_mem_pA: float = 5.0,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, np.ndarray]:
    """F-I curve: output rate for ``points`` constant currents from 0 to ``max_current_pA``.

    Runs :func:`~dynapse_edu.experiments.fi_curve`; returns the currents (A) and rates (Hz).
    """
    if isinstance(points, bool) or int(points) != points or points < 2:
        raise ParameterError(f"points = {points!r} must be an integer >= 2")
    currents = np.linspace(0.0, _check_positive("max_current_pA", max_current_pA), int(points)) * pA
    p = resolve(params).replace(I_tau_mem=float(I_tau_mem_pA) * pA)
    rates = experiments.fi_curve(currents, duration=_check_positive("duration_ms", duration_ms) * ms, params=p)
    (axis,) = _axes(ax)
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
) -> dict[float, np.ndarray]:
    """F-F curves of one synapse type: output rate against regular input rate, one curve per weight.

    Runs :func:`~dynapse_edu.experiments.ff_curve`; returns ``{weight: rates}``
    and, under the key ``"input_rates"``, the input rates (Hz).
    """
    synapse_index(synapse)
    if isinstance(points, bool) or int(points) != points or points < 2:
        raise ParameterError(f"points = {points!r} must be an integer >= 2")
    input_rates = np.linspace(0.0, _check_positive("max_rate", max_rate), int(points) + 1)[1:]
    (axis,) = _axes(ax)
    out: dict = {"input_rates": input_rates}
    for w in np.atleast_1d(np.asarray(weights, dtype=float)):
        rates = experiments.ff_curve(synapse, float(w), input_rates, duration=duration_ms * ms, params=params)
        plot.rate_curve(input_rates, rates, label=f"{synapse.upper()}, w = {w:g}", ax=axis)
        out[float(w)] = rates
    return out


# --- chapter 7: adaptation ----------------------------------------------------------
def adaptation_panel(
    I_w_ahp_pA: float = 2.0,
    I_tau_ahp_pA: float = 2.0,
    weight: float = 4.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, float]:
    """ISIs during a 500 ms pulse of 166.7 Hz regular input (part 3), with the chosen adaptation.

    ``I_w_ahp_pA`` is the adaptation weight (each spike adds I_w_ahp alpha_ahp),
    ``I_tau_ahp_pA`` its leak (sets tau_ahp). Runs
    :func:`~dynapse_edu.experiments.adaptation_isi`; returns the number of
    intervals, the first and the last interval (s; NaN if none) and tau_ahp (s).
    """
    p = resolve(params).replace(I_w_ahp=float(I_w_ahp_pA) * pA, I_tau_ahp=float(I_tau_ahp_pA) * pA)
    isi = experiments.adaptation_isi(weight=weight, params=p)
    (axis,) = _axes(ax)
    plot.isi(isi, label=f"I_w_ahp = {I_w_ahp_pA:g} pA, I_tau_ahp = {I_tau_ahp_pA:g} pA", ax=axis)
    return {
        "intervals": int(isi.size),
        "first_isi": float(isi[0]) if isi.size else float("nan"),
        "last_isi": float(isi[-1]) if isi.size else float("nan"),
        "tau_ahp": p.tau_ahp,
    }


# --- chapter 8: NMDA gating and inhibition -------------------------------------------
def nmda_gate_panel(I_nmda_thr_pA: float = 1.0, params: ParamsLike = None, ax: Axes | None = None) -> dict[str, float]:
    """Fraction of the NMDA current that passes the voltage gate, against the membrane current.

    Evaluates :func:`~dynapse_edu.core.neuron.nmda_gate` for I_mem from I0 to I_th;
    returns the fraction passed at rest (I_mem = I0) and at I_mem = I_nmda_thr.
    """
    p = resolve(params).replace(I_nmda_thr=float(I_nmda_thr_pA) * pA)
    I_mem = np.geomspace(p.I0, p.I_th, 200)
    fraction = nmda_gate(1.0, I_mem, p)
    (axis,) = _axes(ax)
    axis.semilogx(I_mem / pA, fraction, label=f"I_nmda_thr = {I_nmda_thr_pA:g} pA")
    axis.axvline(p.I_nmda_thr / pA, color="k", linestyle=":", linewidth=0.8)
    axis.set_xlabel("membrane current I_mem (pA)")
    axis.set_ylabel("fraction of I_nmda passed")
    axis.set_ylim(0, 1.05)
    axis.legend(loc="lower right", fontsize="small")
    return {
        "at_rest": float(nmda_gate(1.0, p.I0, p)),
        "at_threshold": float(nmda_gate(1.0, p.I_nmda_thr, p)),
    }


def inhibited_rates(
    currents: np.ndarray,
    synapse: str | None,
    weight: float = 1.0,
    rate: float = 200.0,
    duration: float = 0.3,
    params: ParamsLike = None,
) -> np.ndarray:
    """Output rate (Hz) for each constant current (A) while a regular train inhibits the neuron.

    ``synapse`` is ``"GABA_A"`` (shunting), ``"GABA_B"`` (subtractive) or None
    (no inhibition); the inhibitory train has ``rate`` Hz and ``weight``.
    """
    if synapse is not None and synapse_key(synapse) not in ("gaba_a", "gaba_b"):
        raise ParameterError(f"inhibitory synapse = {synapse!r}; allowed: 'GABA_A', 'GABA_B' or None")
    background = None if synapse is None else (synapse, rate, weight)
    return experiments.fi_curve(currents, duration, params, background=background)


def inhibition_panel(
    gaba_a_weight: float = 0.05,
    gaba_b_weight: float = 2.0,
    rate: float = 100.0,
    max_current_pA: float = 3000.0,
    points: int = 7,
    duration_ms: float = 300.0,
    params: ParamsLike = None,
    ax: Axes | None = None,
) -> dict[str, np.ndarray]:
    """F-I curves without inhibition, with GABA_A (shunting) and with GABA_B (subtractive) inhibition.

    A regular inhibitory train of ``rate`` Hz goes through GABA_A with
    ``gaba_a_weight`` or through GABA_B with ``gaba_b_weight``. Returns the
    currents (A) and the three rate arrays (Hz) under ``"none"``, ``"GABA_A"``, ``"GABA_B"``.
    """
    if isinstance(points, bool) or int(points) != points or points < 2:
        raise ParameterError(f"points = {points!r} must be an integer >= 2")
    currents = np.linspace(0.0, _check_positive("max_current_pA", max_current_pA), int(points)) * pA
    duration = _check_positive("duration_ms", duration_ms) * ms
    (axis,) = _axes(ax)
    out: dict[str, np.ndarray] = {"currents": currents}
    cases = (("none", None, 1.0, "no inhibition"),
             ("GABA_A", "GABA_A", gaba_a_weight, f"GABA_A, w = {gaba_a_weight:g} (shunting)"),
             ("GABA_B", "GABA_B", gaba_b_weight, f"GABA_B, w = {gaba_b_weight:g} (subtractive)"))
    for name, synapse, weight, label in cases:
        rates = inhibited_rates(currents, synapse, weight, rate, duration, params)
        plot.rate_curve(currents, rates, xlabel="injected current (pA)", label=label, x_scale=1 / pA, ax=axis)
        out[name] = rates
    return out


__all__ = [
    "explore",
    "tau_explorer",
    "synapse_kernel_panel",
    "neuron_panel",
    "part1_panel",
    "fi_panel",
    "ff_panel",
    "adaptation_panel",
    "nmda_gate_panel",
    "inhibited_rates",
    "inhibition_panel",
    "SYNAPSE_TYPES",
]

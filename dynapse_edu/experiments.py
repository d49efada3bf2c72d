"""The standard experiments of the course, one function each.

Each builds a small chip, runs it and returns numbers (or a full
:class:`~dynapse_edu.core.result.Result`). Every one takes ``params`` (a
:class:`~dynapse_edu.core.params.Params` or a dict of overrides of the defaults)
and ``method`` (the integrator: ``"reference"`` by default).

* :func:`synapse_kernel`: the current of one synapse after one input spike.
* :func:`fi_curve`: output rate vs constant injected current.
* :func:`ff_curve`: output rate vs input rate through one synapse.
* :func:`spike_response`: one neuron driven through several synapse types.
* :func:`adaptation_isi`: inter-spike intervals during a pulse of regular input.

and :func:`measure_decay`, the time constant of a decay measured on a trace.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from .core.params import ParamsLike, resolve
from .core.result import Result
from .core.synapse import SYNAPSE_TYPES, synapse_index, synapse_key
from .errors import ParameterError
from .hardware.chip import Chip
from .hardware.inputs import PoissonGenerator, RegularGenerator, SpikeGenerator
from .hardware.mismatch import Mismatch


def _one_neuron(params: ParamsLike) -> tuple[Chip, object]:
    chip = Chip(resolve(params))
    return chip, chip.get_neurons(1, core=0)


def synapse_kernel(
    synapse: str,
    weight: float = 1.0,
    duration: float = 0.2,
    t_spike: float = 0.01,
    params: ParamsLike = None,
    method: str = "reference",
    dt: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """Response of one synapse to a single input spike at ``t_spike`` (s).

    Returns ``(t, I)``: times in s and the synapse current in A, sampled every
    ``dt`` and just before and after the spike (so the jump is exact).
    The peak is I0 + I_w0 * weight * alpha; the decay constant C Ut / (kappa I_tau).
    """
    synapse_index(synapse)
    if not 0 <= t_spike < duration:
        raise ParameterError(f"t_spike = {t_spike!r} s must lie in [0, duration = {duration!r}) s")
    chip, neuron = _one_neuron(params)
    chip.add_connection(SpikeGenerator([0], [t_spike]), neuron, synapse, weight)
    result = chip.run(duration, method=method, dt=dt)
    return result.t, result.trace(f"I_{synapse_key(synapse)}")


def fi_curve(
    currents: ArrayLike,
    duration: float = 1.0,
    params: ParamsLike = None,
    method: str = "reference",
    n_neurons: int = 1,
    mismatch: Mismatch | None = None,
    background: tuple[str, float, float] | None = None,
) -> np.ndarray:
    """Output rate (Hz) for each constant current (A) injected into the soma (as I_const).

    One neuron by default: an array of shape (len(currents),). With
    ``n_neurons`` > 1, that many neurons of one core receive the same current
    (set through the core's bias, so with a ``mismatch`` each neuron gets its
    own share): shape (len(currents), n_neurons). ``background`` =
    ``(synapse, rate in Hz, weight)`` adds a regular train into every neuron
    during the measurement (e.g. inhibition).
    """
    currents = np.atleast_1d(np.asarray(currents, dtype=float))
    base = resolve(params)
    if background is not None:
        synapse_index(background[0])
    rates = np.empty((currents.size, n_neurons))
    for k, current in enumerate(currents):
        chip = Chip(base.replace(I_const=float(current)), mismatch=mismatch)
        neurons = chip.get_neurons(n_neurons, core=0)
        if background is not None:
            synapse, rate, weight = background
            chip.add_connection(RegularGenerator(1, rate), neurons, synapse, weight)
        rates[k] = chip.run(duration, method=method, dt=None, at_spikes=False).rates
    return rates[:, 0] if n_neurons == 1 else rates


def ff_curve(
    synapse: str,
    weight: float,
    input_rates: ArrayLike,
    duration: float = 2.0,
    input: str = "regular",
    seed: int = 0,
    params: ParamsLike = None,
    method: str = "reference",
) -> np.ndarray:
    """Output rate (Hz) of one neuron for each input rate (Hz) through one synapse.

    ``input`` is ``"regular"`` (trains start at t = 0) or ``"poisson"``
    (seeded with ``seed``). An inhibitory synapse alone gives zero output:
    combine it with excitation through :func:`spike_response` instead.
    """
    synapse_index(synapse)
    if input not in ("regular", "poisson"):
        raise ParameterError(f"input = {input!r}; allowed: 'regular', 'poisson'")
    input_rates = np.atleast_1d(np.asarray(input_rates, dtype=float))
    rates = np.empty(input_rates.size)
    for k, rate in enumerate(input_rates):
        chip, neuron = _one_neuron(params)
        source = RegularGenerator(1, rate) if input == "regular" else PoissonGenerator(1, rate, seed=seed)
        chip.add_connection(source, neuron, synapse, weight)
        rates[k] = chip.run(duration, method=method, dt=None, at_spikes=False).rates[0]
    return rates


def spike_response(
    inputs: Mapping[str, tuple[float, ArrayLike]],
    duration: float,
    params: ParamsLike = None,
    method: str = "reference",
    dt: float = 1e-4,
) -> Result:
    """One neuron driven through several synapse types; the full result.

    ``inputs`` maps a synapse type to ``(weight, spike times in s)``, e.g.
    ``{"NMDA": (0.5, times), "AMPA": (2.0, times)}`` (the part-1 experiment).
    """
    if not inputs:
        raise ParameterError(f"inputs is empty; give at least one of {', '.join(SYNAPSE_TYPES)}")
    chip, neuron = _one_neuron(params)
    for synapse, (weight, times) in inputs.items():
        times = np.atleast_1d(np.asarray(times, dtype=float))
        chip.add_connection(SpikeGenerator(np.zeros(times.size, np.int64), times, n=1), neuron, synapse, weight)
    return chip.run(duration, method=method, dt=dt)


def adaptation_isi(
    rate: float = 1 / 6e-3,
    weight: float = 2.0,
    t_on: float = 0.05,
    t_off: float = 0.55,
    duration: float = 0.6,
    synapse: str = "AMPA",
    params: ParamsLike = None,
    method: str = "reference",
) -> np.ndarray:
    """Inter-spike intervals (s) of the output spikes during a pulse of regular input.

    The part-3 study: a regular train of ``rate`` Hz (default a 6 ms period,
    as in the original exercise) drives the neuron from ``t_on`` to ``t_off``
    through ``synapse`` with ``weight``. With adaptation the intervals grow.
    """
    if not 0 <= t_on < t_off <= duration:
        raise ParameterError(f"need 0 <= t_on < t_off <= duration, got {t_on!r}, {t_off!r}, {duration!r} s")
    if not rate > 0:
        raise ParameterError(f"rate = {rate!r} Hz must be > 0")
    times = np.arange(t_on, t_off, 1.0 / rate)
    result = spike_response({synapse: (weight, times)}, duration, params=params, method=method, dt=1e-3)
    spikes = result.spike_times[0]
    return np.diff(spikes[(spikes >= t_on) & (spikes < t_off)])


def measure_decay(
    t: ArrayLike, current: ArrayLike, floor: float = 0.0, start: float = 0.9, stop: float = 0.2
) -> float:
    """Time constant (s) of the exponential decay that follows the peak of ``current`` (A).

    A log-linear least-squares fit of ln(I - floor) against t over the samples
    after the peak whose excess I - floor lies between ``stop`` and ``start``
    times the peak's excess (0.9 to 0.2 by default: clear of the jump and of the
    floor, where the curve bends). For a behavioural kernel, which decays as
    (I0 + J) exp(-t / tau) until it meets I0, ``floor = 0`` is exact; for a
    circuit that rests at a current I_rest, pass ``floor = I_rest``.
    Used by the tests, the checks, the widgets and the transistor-level comparisons.

    >>> import numpy as np
    >>> t = np.linspace(0.0, 0.05, 501)
    >>> round(measure_decay(t, 401e-12 * np.exp(-t / 7e-3)) * 1e3, 6)
    7.0
    """
    t, current = np.asarray(t, dtype=float), np.asarray(current, dtype=float)
    if t.shape != current.shape or t.ndim != 1:
        raise ParameterError(f"t and current must be 1-D arrays of equal length, got {t.shape} and {current.shape}")
    if not 0 < stop < start <= 1:
        raise ParameterError(f"need 0 < stop < start <= 1, got start = {start!r}, stop = {stop!r}")
    k = int(np.argmax(current))
    excess = current[k:] - floor
    window = (excess <= start * excess[0]) & (excess >= stop * excess[0]) & (excess > 0)
    if np.count_nonzero(window) < 4:
        raise ParameterError(
            f"only {np.count_nonzero(window)} samples between {stop:g} and {start:g} of the peak after it; "
            "need 4 (sample the decay more finely or longer)"
        )
    slope = np.polyfit(t[k:][window], np.log(excess[window]), 1)[0]
    return float(-1.0 / slope)


def part1_input(seed: int = 0, rate: float = 100.0, duration: float = 1.0) -> np.ndarray:
    """The part-1 input: one spike in each 1 ms bin with probability rate * 1 ms.

    ``np.random.seed(seed); np.random.rand(n_bins) < rate * 1e-3``, as in the
    original exercise (so seed 0 gives its 98 spikes, first at 14 ms).
    """
    n_bins = int(round(duration * 1000))
    mask = np.random.RandomState(seed).rand(n_bins) < rate * 1e-3
    return np.flatnonzero(mask) * 1e-3


def part1(duration: float = 1.0, params: ParamsLike = None, method: str = "reference", dt: float = 1e-4) -> Result:
    """The part-1 experiment: NMDA (weight 0.5) + AMPA (weight 2) from one 100 Hz source."""
    times = part1_input(duration=duration)
    return spike_response({"NMDA": (0.5, times), "AMPA": (2.0, times)}, duration, params=params, method=method, dt=dt)


__all__ = [
    "synapse_kernel",
    "fi_curve",
    "ff_curve",
    "spike_response",
    "adaptation_isi",
    "measure_decay",
    "part1_input",
    "part1",
]

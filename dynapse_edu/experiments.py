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
* :func:`part1`, :func:`part1_input`: the original simulator's first exercise.

and :func:`measure_decay`, the time constant of a decay measured on a trace.
Times are in s, currents in A, rates in Hz.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from .core.params import ParamsLike, resolve
from .core.result import Result
from .core.synapse import SYNAPSE_TYPES, dpi_pulse_response, synapse_index, synapse_key
from .errors import ParameterError
from .hardware.chip import Chip
from .hardware.inputs import MAX_RATE, PoissonGenerator, RegularGenerator, SpikeGenerator
from .hardware.mismatch import Mismatch
from .hardware.routing import NEURONS_PER_CORE
from .hardware.validate import choice, integer, number
from .hardware.validate import seed as check_seed


def _values(values: ArrayLike, name: str, lo: float, hi: float, unit: str, where: str) -> np.ndarray:
    """A 1-D array of finite numbers in [lo, hi], from a number or a list of numbers; else a named error."""
    raw = np.atleast_1d(np.asarray(values))
    if raw.ndim != 1 or raw.size == 0 or raw.dtype.kind not in "iuf":
        raise ParameterError(f"{where}: {name} = {values!r:.100} must be a non-empty list of numbers in {unit}")
    arr = raw.astype(float)
    bad = arr[~(np.isfinite(arr) & (arr >= lo) & (arr <= hi))]
    if bad.size:
        raise ParameterError(
            f"{where}: {name} contains {float(bad[0])!r} {unit}, outside the allowed range [{lo:g}, {hi:g}] {unit}"
        )
    return arr


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
    """Response of one synapse to a single input spike at ``t_spike``.

    The peak is I0 + I_w0 weight alpha; the decay constant tau = C Ut / (kappa I_tau)
    (the DPI synapse, :mod:`dynapse_edu.core.synapse`).

    Parameters
    ----------
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    weight : float
        Weight of the spike.
    duration : float
        Simulated time, s.
    t_spike : float
        Time of the input spike, s, in [0, duration).
    params : Params, dict or None
        The parameters (a dict overrides the defaults); None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.
    dt : float
        Sampling interval of the returned trace, s.

    Returns
    -------
    t : ndarray
        Sample times, s: every ``dt``, and just before and after the spike (so the jump is exact).
    I : ndarray
        The synapse current, A, at those times.

    Raises
    ------
    ParameterError
        For an unknown synapse type or ``t_spike`` outside [0, duration).

    Examples
    --------
    >>> t, I = synapse_kernel("AMPA", duration=0.05)
    >>> print(f"peak {I.max() * 1e12:.0f} pA, tau {measure_decay(t, I) * 1e3:.3f} ms")
    peak 401 pA, tau 3.546 ms
    """
    synapse_index(synapse)
    where = "synapse_kernel"
    duration = number(duration, "duration", 0.0, unit="s", where=where, lo_open=True)
    t_spike = number(t_spike, "t_spike", 0.0, duration, unit="s", where=where, hi_open=True)
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
    """The F-I curve: output rate for each constant current injected into the soma (as I_const).

    Each current is one run of a fresh chip; the rate counts the output
    spikes over the whole ``duration``.

    Parameters
    ----------
    currents : ArrayLike
        Constant currents, A.
    duration : float
        Simulated time per current, s.
    params : Params, dict or None
        The parameters (a dict overrides the defaults); None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.
    n_neurons : int
        Number of neurons of one core that receive the same current (set
        through the core's bias, so with a ``mismatch`` each neuron gets its own share).
    mismatch : Mismatch or None
        Device mismatch of the chip; None for identical neurons.
    background : (str, float, float) or None
        ``(synapse, rate in Hz, weight)``: a regular train into every neuron
        during the measurement (e.g. inhibition); None for none.

    Returns
    -------
    ndarray
        Output rates, Hz: shape (len(currents),) for one neuron, (len(currents), n_neurons) for more.

    Raises
    ------
    ParameterError
        For a current that is not a finite number in [0, 1 mA], a bad ``n_neurons`` (1..256) or a bad
        background (synapse type, rate).

    Examples
    --------
    >>> fi_curve([0.0, 500e-12, 1e-9], duration=0.2)
    array([ 0., 25., 65.])
    """
    where = "fi_curve"
    currents = _values(currents, "currents", 0.0, 1e-3, "A", where)
    n_neurons = integer(n_neurons, "n_neurons", 1, NEURONS_PER_CORE, where=where)
    base = resolve(params)
    if background is not None:
        if not (isinstance(background, (tuple, list)) and len(background) == 3):
            raise ParameterError(f"{where}: background = {background!r:.100} must be (synapse, rate in Hz, weight)")
        synapse_index(background[0])
        number(background[1], "background rate", 0.0, MAX_RATE, unit="Hz", where=where)
    rates = np.empty((currents.size, n_neurons))
    for k, current in enumerate(currents):
        chip = Chip(base.replace(I_const=float(current)), mismatch=mismatch)
        neurons = chip.get_neurons(n_neurons, core=0)
        if background is not None:
            synapse, rate, weight = background
            chip.add_connection(RegularGenerator(1, rate), neurons, synapse, weight)
        rates[k] = chip.run(duration, method=method, dt=None, at_spikes=False).rates
    return rates[:, 0] if n_neurons == 1 else rates


def rheobase(
    currents: ArrayLike,
    duration: float = 0.3,
    params: ParamsLike = None,
    method: str = "fast",
    background: tuple[str, float, float] | None = None,
) -> float:
    """The smallest of ``currents`` at which the neuron fires, measured on its F-I curve, in A.

    Runs :func:`fi_curve`'s experiment over the grid and returns its first current with a
    nonzero rate: the rheobase to the grid's resolution, with any ``background`` input on (for
    :func:`dynapse_edu.phaseplane.rheobase`, the exact value of the plain neuron, no input).

    Parameters
    ----------
    currents : ArrayLike
        Constant currents, A, in increasing order.
    duration : float
        Simulated time per current, s (a neuron that fires slower than 1 / duration counts as silent).
    params : Params, dict or None
        The parameters; None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.
    background : (str, float, float) or None
        As in :func:`fi_curve`: ``(synapse, rate in Hz, weight)`` into the neuron during each run.

    Returns
    -------
    float
        The first current of the grid that makes the neuron fire, A.

    Raises
    ------
    ParameterError
        For currents that are not increasing, or when none of them makes the neuron fire.

    Examples
    --------
    >>> round(rheobase(np.arange(0.0, 1001.0, 50.0) * 1e-12, duration=0.2) * 1e12)  # pA
    350
    """
    currents = _values(currents, "currents", 0.0, 1e-3, "A", "rheobase")
    if currents.size > 1 and not np.all(np.diff(currents) > 0):
        raise ParameterError("rheobase: currents must increase")
    rates = fi_curve(currents, duration=duration, params=params, method=method, background=background)
    firing = np.flatnonzero(rates > 0)
    if firing.size == 0:
        raise ParameterError(
            f"rheobase: the neuron does not fire at any of the currents up to {currents.max()!r} A within "
            f"{duration!r} s: extend the grid"
        )
    return float(currents[firing[0]])


def pulse_train_mean(
    rate: float,
    width: float,
    I_w: float,
    I_g: float,
    I_tau: float,
    tau: float,
    I0: float,
    duration: float = 1.0,
    settle: float = 0.5,
    gamma: float = 1.0,
) -> float:
    r"""Mean current of a DPI driven by a regular train of input pulses, once the train has settled, in A.

    The exact solution of the DPI equation under the pulses
    (:func:`~dynapse_edu.core.synapse.dpi_pulse_response`), averaged from ``settle`` to
    ``duration`` on a grid a fifth of a pulse wide: what a synapse delivers to its soma on average,
    to set against the instant jumps' :math:`\bar I = J \tau r` (each jump J, rate r).

    Parameters
    ----------
    rate : float
        Pulse rate, Hz (> 0; pulses that overlap follow the pulse extender's rule).
    width : float
        Pulse width, s (> 0).
    I_w, I_g, I_tau : float
        Weight, gain and leak currents, A.
    tau : float
        Time constant, s.
    I0 : float
        Leakage floor, A.
    duration : float
        The train's length, s.
    settle : float
        Where the average starts, s (0 <= settle < duration).
    gamma : float
        Output exponent (1: the ideal DPI).

    Returns
    -------
    float
        The mean current, A.

    Examples
    --------
    Trains of 50 us pulses of 10 nA (I_g = 80 pA, I_tau = 20 pA, tau = 4 ms) at 100 and 200 Hz:
    twice the rate, almost three times the current (each pulse lands on a higher current)

    >>> [round(pulse_train_mean(r, 50e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12) * 1e12) for r in (100.0, 200.0)]
    [120, 320]
    """
    rate = number(rate, "rate", 0.0, MAX_RATE, unit="Hz", where="pulse_train_mean")
    width = number(width, "width", 0.0, 1.0, unit="s", where="pulse_train_mean")
    if not (rate > 0 and width > 0 and 0 <= settle < duration):
        raise ParameterError(
            f"pulse_train_mean: need rate > 0, width > 0 and 0 <= settle < duration, got rate = {rate!r} Hz, "
            f"width = {width!r} s, settle = {settle!r} s, duration = {duration!r} s"
        )
    t = np.arange(settle, duration, width / 5)
    starts = np.arange(0.0, duration, 1.0 / rate)
    return float(dpi_pulse_response(t, starts, width, I_w, I_g, I_tau, tau, I0, gamma).mean())


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
    """The F-F curve: output rate of one neuron for each input rate through one synapse.

    An inhibitory synapse alone gives zero output: combine it with excitation
    through :func:`spike_response` instead.

    Parameters
    ----------
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    weight : float
        Weight of the input connection.
    input_rates : ArrayLike
        Input rates, Hz.
    duration : float
        Simulated time per input rate, s.
    input : str
        ``"regular"`` (trains start at t = 0) or ``"poisson"`` (seeded with ``seed``).
    seed : int
        Seed of the Poisson input.
    params : Params, dict or None
        The parameters (a dict overrides the defaults); None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.

    Returns
    -------
    ndarray
        Output rates, Hz, one per input rate.

    Raises
    ------
    ParameterError
        For an unknown synapse type or input kind, a bad seed, an input rate that is not a
        finite number in [0, :data:`~dynapse_edu.hardware.inputs.MAX_RATE`] Hz, or a weight out of range.

    Examples
    --------
    >>> ff_curve("AMPA", 6.0, [50.0, 200.0], duration=0.1)
    array([ 50., 110.])
    """
    synapse_index(synapse)
    where = "ff_curve"
    choice(input, "input", ("regular", "poisson"), where=where)
    check_seed(seed, where=where)
    input_rates = _values(input_rates, "input_rates", 0.0, MAX_RATE, "Hz", where)
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

    Parameters
    ----------
    inputs : Mapping
        ``{synapse type: (weight, spike times in s)}``, e.g.
        ``{"NMDA": (0.5, times), "AMPA": (2.0, times)}`` (the part-1 experiment).
    duration : float
        Simulated time, s.
    params : Params, dict or None
        The parameters (a dict overrides the defaults); None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.
    dt : float
        Sampling interval of the recorded traces, s.

    Returns
    -------
    Result
        Every trace of the neuron (currents in A) and its output spikes (s).

    Raises
    ------
    ParameterError
        If ``inputs`` is empty or names an unknown synapse type.

    Examples
    --------
    >>> result = spike_response({"AMPA": (4.0, [0.010, 0.012, 0.014])}, duration=0.05)
    >>> int(result.spike_count[0]), f"{result.trace('I_ampa').max() * 1e9:.2f} nA"
    (1, '3.03 nA')
    """
    if not isinstance(inputs, Mapping) or not inputs:
        raise ParameterError(
            f"spike_response: inputs = {inputs!r:.100} must be a non-empty dict "
            f"{{synapse type: (weight, spike times)}}, synapse types {', '.join(SYNAPSE_TYPES)}"
        )
    chip, neuron = _one_neuron(params)
    for synapse, entry in inputs.items():
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            raise ParameterError(f"spike_response: inputs[{synapse!r}] = {entry!r:.100} must be (weight, spike times)")
        weight, times = entry
        times = np.atleast_1d(np.asarray(times))
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
    """Inter-spike intervals of the output spikes during a pulse of regular input.

    The part-3 study of the original exercise: a regular train drives the
    neuron from ``t_on`` to ``t_off``. With adaptation the intervals grow.

    Parameters
    ----------
    rate : float
        Rate of the input train, Hz (default a 6 ms period).
    weight : float
        Weight of the input connection.
    t_on, t_off : float
        Start and end of the pulse, s.
    duration : float
        Simulated time, s (``t_on < t_off <= duration``).
    synapse : str
        The synapse type the train goes through.
    params : Params, dict or None
        The parameters (a dict overrides the defaults); None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.

    Returns
    -------
    ndarray
        The intervals between successive output spikes during the pulse, s.

    Raises
    ------
    ParameterError
        If the pulse does not fit in ``duration``, a time is not a finite number, or ``rate`` is not
        a number in (0, :data:`~dynapse_edu.hardware.inputs.MAX_RATE`] Hz (``inf`` included).

    Examples
    --------
    >>> isi = adaptation_isi(t_on=0.0, t_off=0.2, duration=0.2)
    >>> (isi * 1e3).round(1)  # ms: the intervals grow, then settle
    array([25.1, 41.5, 47.8, 47.9])
    """
    where = "adaptation_isi"
    rate = number(rate, "rate", 0.0, MAX_RATE, unit="Hz", where=where, lo_open=True)
    for name, value in (("t_on", t_on), ("t_off", t_off), ("duration", duration)):
        number(value, name, 0.0, unit="s", where=where)
    if not 0 <= t_on < t_off <= duration:
        raise ParameterError(f"{where}: need 0 <= t_on < t_off <= duration, got {t_on!r}, {t_off!r}, {duration!r} s")
    times = np.arange(t_on, t_off, 1.0 / rate)
    result = spike_response({synapse: (weight, times)}, duration, params=params, method=method, dt=1e-3)
    spikes = result.spike_times[0]
    return np.diff(spikes[(spikes >= t_on) & (spikes < t_off)])


def measure_decay(
    t: ArrayLike, current: ArrayLike, floor: float = 0.0, start: float = 0.9, stop: float = 0.2
) -> float:
    """Time constant of the exponential decay that follows the peak of ``current``.

    A log-linear least-squares fit of ln(I - floor) against t over the samples
    after the peak whose excess I - floor lies between ``stop`` and ``start``
    times the peak's excess (0.9 to 0.2 by default: clear of the jump and of the
    floor, where the curve bends). For a behavioural kernel, which decays as
    (I0 + J) exp(-t / tau) until it meets I0, ``floor = 0`` is exact; for a
    circuit that rests at a current I_rest, pass ``floor = I_rest``.
    Used by the tests, the checks, the widgets and the transistor-level comparisons.

    Parameters
    ----------
    t : ArrayLike
        Sample times, s (1-D).
    current : ArrayLike
        The current at those times, A (same shape).
    floor : float
        The current the decay tends to, A.
    start, stop : float
        The fitted window, as fractions of the peak's excess over ``floor`` (``0 < stop < start <= 1``).

    Returns
    -------
    float
        The time constant, s.

    Raises
    ------
    ParameterError
        For mismatched arrays, a bad window or fewer than 4 samples in it.

    Examples
    --------
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
    original exercise (so seed 0 gives its 98 spikes in 1 s, first at 14 ms).

    Parameters
    ----------
    seed : int
        Seed of numpy's legacy generator.
    rate : float
        Mean rate, Hz (at most 1000: one spike per bin).
    duration : float
        Length of the train, s (whole ms).

    Returns
    -------
    ndarray
        Spike times, s, at the start of their bins, increasing.

    Raises
    ------
    ParameterError
        For a seed that is not an integer in 0..2**32 - 1, a rate outside [0, 1000] Hz or a
        duration outside (0, 3600] s.

    Examples
    --------
    >>> times = part1_input()
    >>> times.size, times[:3].tolist()
    (98, [0.014, 0.015, 0.016])
    """
    where = "part1_input"
    seed = check_seed(seed, where=where, allow_none=False)
    if seed > 2**32 - 1:  # numpy's legacy generator, as in the original exercise
        raise ParameterError(f"{where}: seed = {seed!r} must be an integer in 0..2**32 - 1 (legacy numpy seed)")
    rate = number(rate, "rate", 0.0, 1000.0, unit="Hz", where=where)
    duration = number(duration, "duration", 0.0, 3600.0, unit="s", where=where, lo_open=True)
    n_bins = int(round(duration * 1000))
    mask = np.random.RandomState(seed).rand(n_bins) < rate * 1e-3
    return np.flatnonzero(mask) * 1e-3


def part1(duration: float = 1.0, params: ParamsLike = None, method: str = "reference", dt: float = 1e-4) -> Result:
    """The part-1 experiment: NMDA (weight 0.5) and AMPA (weight 2) from one 100 Hz source (:func:`part1_input`).

    Parameters
    ----------
    duration : float
        Simulated time, s.
    params : Params, dict or None
        The parameters (a dict overrides the defaults); None for the defaults.
    method : str
        The integrator, ``"reference"`` or ``"fast"``.
    dt : float
        Sampling interval of the recorded traces, s.

    Returns
    -------
    Result
        The neuron's traces (A) and output spikes (s), as :func:`spike_response`.

    Examples
    --------
    >>> int(part1(duration=0.2).spike_count[0])
    10
    """
    times = part1_input(duration=duration)
    return spike_response({"NMDA": (0.5, times), "AMPA": (2.0, times)}, duration, params=params, method=method, dt=dt)


__all__ = [
    "synapse_kernel",
    "fi_curve",
    "rheobase",
    "pulse_train_mean",
    "ff_curve",
    "spike_response",
    "adaptation_isi",
    "measure_decay",
    "part1_input",
    "part1",
]

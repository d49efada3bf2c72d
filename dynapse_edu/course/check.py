"""Answer checks for the classroom assignments.

Each check compares a student's answer with the value the simulator gives
*at check time* (nothing is stored in the student's notebook), says whether
it is right within a tolerance and, if not, in which direction and roughly how
far off it is, with a hint, never the right value itself (that goes into the
instructor's feedback only: :func:`reveal_expected`); and records the outcome so
the grading command (``python -m dynapse_edu.course.assign grade``) can score a
notebook. Grading never trusts these records in the student's own kernel: it
runs the master's checks from a fresh import (:mod:`dynapse_edu.course.grading`).

>>> from dynapse_edu.course import check
>>> from dynapse_edu.units import ms
>>> r = check.synapse_tau(3.55 * ms, "AMPA", question="demo")
✓ demo: tau of the AMPA synapse = 3.55 ms (within 3%)
>>> r.passed
True
>>> _ = check.reset()
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .. import experiments
from ..core.params import ParamsLike, resolve
from ..core.synapse import dpi_charge, dpi_pulse_response, synapse_index
from ..errors import ParameterError
from ..hardware.board import Board, Population
from ..hardware.chip import Chip
from ..hardware.mismatch import Mismatch
from ..hardware.routing import CORES_PER_CHIP
from ..spice import calibration, compare, ngspice


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: which question, right or not, why, and its points.

    Its ``str`` is the line the student sees (``✓`` or ``✗``, the question, the
    message); it is true when the check passed.

    Attributes
    ----------
    question : str
        The question's label (the grading table's column).
    passed : bool
        Whether the answer is right within the tolerance.
    message : str
        What was compared and, if wrong, in which direction it is off.
    points : float
        The points the question is worth.
    expected : float or None
        The right value, for the instructor's feedback: None unless
        :func:`reveal_expected` was switched on (it is never printed).
    """

    question: str
    passed: bool
    message: str
    points: float
    expected: float | None = None

    @property
    def score(self) -> float:
        """The points scored: ``points`` if passed, else 0."""
        return self.points if self.passed else 0.0

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.question}: {self.message}"

    def as_dict(self) -> dict:
        """The fields and the ``score`` as a JSON-ready dict (what grading collects)."""
        return dataclasses.asdict(self) | {"score": self.score}


_RESULTS: list[CheckResult] = []
_REVEAL = {"expected": False}


def reveal_expected(on: bool = True) -> bool:
    """Keep the right value in each :class:`CheckResult` (``expected``) from now on, or stop.

    The grader switches it on in its own check cells, so the instructor's
    feedback has the values; a student's check never shows them.

    Parameters
    ----------
    on : bool
        True to keep the values, False to drop them (the default state).

    Returns
    -------
    bool
        The previous state.

    Examples
    --------
    >>> before = reveal_expected(True)
    >>> close(1.0, 2.0, "x", question="q1").expected
    ✗ q1: x = 1 is too small (off by 30% to 100%, tolerance 3%)
    2.0
    >>> _ = reveal_expected(before), reset()
    """
    previous = _REVEAL["expected"]
    _REVEAL["expected"] = bool(on)
    return previous


def results() -> list[CheckResult]:
    """Every check recorded in this process so far, in order.

    Returns
    -------
    list of CheckResult
        A copy: changing it does not change the record.

    Examples
    --------
    >>> _ = reset()
    >>> _ = close(2.0, 2.0, "x", question="q1")
    ✓ q1: x = 2 (within 3%)
    >>> [r.question for r in results()]
    ['q1']
    """
    return list(_RESULTS)


def reset() -> list[CheckResult]:
    """Forget the recorded checks.

    Returns
    -------
    list of CheckResult
        What was recorded before.

    Examples
    --------
    >>> _ = close(1.0, 1.0, "x", question="q1")
    ✓ q1: x = 1 (within 3%)
    >>> _ = reset()
    >>> results()
    []
    """
    done = list(_RESULTS)
    _RESULTS.clear()
    return done


def _record(result: CheckResult, expected: float | None = None) -> CheckResult:
    if _REVEAL["expected"] and expected is not None:
        result = dataclasses.replace(result, expected=float(expected))
    _RESULTS.append(result)
    print(result)
    return result


#: Upper edges of the bands a wrong answer's distance is told in (relative error).
BANDS = (0.1, 0.3, 1.0)


def _how_far(error: float, rel_tol: float) -> str:
    """How far off a wrong answer is, as a band (``off by 10% to 30%``): enough to steer, too coarse to copy."""
    lower = rel_tol
    for edge in BANDS:
        if error <= edge:
            return f"off by {lower:.0%} to {edge:.0%}" if edge > lower else f"off by less than {edge:.0%}"
        lower = max(lower, edge)
    return f"off by more than {BANDS[-1]:.0%}"


def _judge(value: float, expected: float, rel_tol: float) -> tuple[bool, str]:
    """Right within ``rel_tol``? If not: the direction, the band, and a unit-slip hint; never ``expected``."""
    if not math.isfinite(value):
        return False, "not a finite number"
    error = abs(value - expected) / abs(expected) if expected != 0 else abs(value)
    if error <= rel_tol:
        return True, f"within {rel_tol:.0%}"
    direction = "too large" if value > expected else "too small"
    hint = ""
    if expected != 0 and value != 0:
        ratio = value / expected
        for factor, name in ((1e3, "1000"), (1e-3, "1/1000"), (1e12, "1e12"), (1e-12, "1e-12")):
            if abs(ratio / factor - 1) < max(rel_tol, 0.03):
                hint = f"; it is off by a factor {name}: check your units"
    return False, f"{direction} ({_how_far(error, rel_tol)}, tolerance {rel_tol:.0%}){hint}"


def _number(answer: object, what: str) -> float:
    if answer is Ellipsis:
        raise NotImplementedError(f"{what}: the answer is still `...`: replace it with your value")
    try:
        value = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(f"{what}: the answer must be a number, got {answer!r}") from None
    return value


def close(
    answer: object,
    expected: float,
    what: str,
    unit: str = "",
    scale: float = 1.0,
    rel_tol: float = 0.03,
    question: str = "",
    points: float = 1.0,
) -> CheckResult:
    """Is ``answer`` within ``rel_tol`` of ``expected``? Prints and records the outcome.

    Every other answer check ends here once it knows the expected value. A
    wrong answer's message says whether it is too large or too small, how far
    off it is as a band (:data:`BANDS`: below 10 %, 10-30 %, 30-100 %, more),
    and whether it is off by a factor 1000 or 1e12 (a unit slip); it never
    shows the expected value.

    Parameters
    ----------
    answer : float
        The student's value, SI (``...`` raises NotImplementedError: not answered yet).
    expected : float
        The right value, SI.
    what : str
        What the value is, for the message.
    unit : str
        The unit the message shows values in (e.g. ``"ms"``).
    scale : float
        The size of that unit in SI (1e-3 for ms): values are shown divided by it.
    rel_tol : float
        The relative tolerance (0.03 is 3 %).
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Raises
    ------
    ParameterError
        If ``answer`` is not a number.
    NotImplementedError
        If ``answer`` is still ``...``.

    Examples
    --------
    >>> r = close(2.0, 2.0e-3, "tau", "ms", 1e-3, question="q1")  # doctest: +NORMALIZE_WHITESPACE
    ✗ q1: tau = 2000 ms is too large (off by more than 100%, tolerance 3%); it is off by a factor 1000:
    check your units
    >>> r.score
    0.0
    >>> r = close(2.5e-3, 2.0e-3, "tau", "ms", 1e-3, question="q1")
    ✗ q1: tau = 2.5 ms is too large (off by 10% to 30%, tolerance 3%)
    """
    value = _number(answer, what)
    shown = f"{what} = {value / scale:.4g} {unit}".rstrip()
    passed, verdict = _judge(value, expected, rel_tol)
    message = f"{shown} ({verdict})" if passed else f"{shown} is {verdict}"
    if verdict == "not a finite number":
        message = f"{shown}: {verdict}"
    return _record(CheckResult(question, passed, message, points), expected)


def synapse_tau(
    answer: object,
    synapse: str,
    params: ParamsLike = None,
    rel_tol: float = 0.03,
    question: str = "synapse tau",
    points: float = 1.0,
) -> CheckResult:
    """Check a synapse time constant against one measured on a simulated kernel.

    The kernel (:func:`~dynapse_edu.experiments.synapse_kernel`) runs for 8
    time constants; its decay is fitted by :func:`~dynapse_edu.experiments.measure_decay`.

    Parameters
    ----------
    answer : float
        The student's time constant, s.
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    params : Params, dict or None
        The parameters the answer is for; None for the defaults.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Examples
    --------
    >>> r = synapse_tau(35e-3, "NMDA", question="q1")
    ✓ q1: tau of the NMDA synapse = 35 ms (within 3%)
    """
    synapse_index(synapse)
    p = resolve(params)
    duration = min(max(8 * p.tau_syn(synapse), 0.02), 10.0)
    t, current = experiments.synapse_kernel(synapse, duration=duration, t_spike=0.0, params=p,
                                            dt=duration / 2000)
    tau = experiments.measure_decay(t, current)
    return close(answer, tau, f"tau of the {synapse} synapse", "ms", 1e-3, rel_tol, question, points)


def synapse_peak(
    answer: object,
    synapse: str,
    weight: float = 1.0,
    params: ParamsLike = None,
    rel_tol: float = 0.02,
    question: str = "synapse peak",
    points: float = 1.0,
) -> CheckResult:
    """Check the peak current of a synapse after one spike of weight ``weight``.

    Parameters
    ----------
    answer : float
        The student's peak current, A.
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    weight : float
        Weight of the spike.
    params : Params, dict or None
        The parameters the answer is for; None for the defaults.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Examples
    --------
    >>> r = synapse_peak(0.401, "AMPA", question="q2")  # in pA instead of A  # doctest: +NORMALIZE_WHITESPACE
    ✗ q2: peak of the AMPA current = 4.01e+11 pA is too large (off by more than 100%, tolerance 2%)
    """
    p = resolve(params)
    t, current = experiments.synapse_kernel(synapse, weight=weight, duration=0.01, t_spike=0.0, params=p, dt=1e-4)
    return close(answer, float(current.max()), f"peak of the {synapse} current", "pA", 1e-12, rel_tol, question,
                 points)


def output_rate(
    answer: object,
    I_const: float,
    params: ParamsLike = None,
    duration: float = 0.5,
    rel_tol: float = 0.05,
    question: str = "output rate",
    points: float = 1.0,
) -> CheckResult:
    """Check a firing rate for a constant injected current ``I_const``.

    Parameters
    ----------
    answer : float
        The student's rate, Hz.
    I_const : float
        The constant current injected into the soma, A.
    params : Params, dict or None
        The parameters the answer is for; None for the defaults.
    duration : float
        Simulated time over which the rate is counted, s.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Examples
    --------
    >>> r = output_rate(65.0, 1e-9, duration=0.2, question="q3")
    ✓ q3: output rate at 1000 pA = 65 Hz (within 5%)
    """
    rate = float(experiments.fi_curve([I_const], duration=duration, params=params)[0])
    return close(answer, rate, f"output rate at {I_const * 1e12:.4g} pA", "Hz", 1.0, rel_tol, question, points)


def _design(
    achieved: float, target: float, what: str, unit: str, scale: float, rel_tol: float, question: str,
    points: float, advice_if_low: str, advice_if_high: str,
) -> CheckResult:
    """Compare what a student's design achieves in the simulator with the target."""
    error = abs(achieved - target) / abs(target)
    shown = f"with your settings {what} is {achieved / scale:.4g} {unit} (target {target / scale:.4g} {unit}"
    if error <= rel_tol:
        return _record(CheckResult(question, True, f"{shown}, within {rel_tol:.0%})", points))
    advice = advice_if_low if achieved < target else advice_if_high
    return _record(CheckResult(question, False, f"{shown}, off by {error:.1%}, tolerance {rel_tol:.0%}): {advice}",
                               points))


def adapted_isi(
    params: ParamsLike,
    target: float,
    rel_tol: float = 0.05,
    question: str = "adaptation",
    points: float = 1.0,
    **pulse: float,
) -> CheckResult:
    """Check that ``params`` give an adapted (last) inter-spike interval of ``target``.

    A design check: the student chooses the parameters, the simulator says
    what they achieve. The neuron is driven by the part-3 pulse
    (:func:`~dynapse_edu.experiments.adaptation_isi`); the last interval of
    the pulse is compared with the target.

    Parameters
    ----------
    params : Params, dict or None
        The student's parameters.
    target : float
        The adapted interval to reach, s.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.
    **pulse
        Keyword arguments of :func:`~dynapse_edu.experiments.adaptation_isi`
        (``rate`` in Hz, ``weight``, ``t_on``, ``t_off``, ``duration`` in s, ...).

    Returns
    -------
    CheckResult
        The recorded outcome; failed with advice (more or less adaptation) when off.

    Examples
    --------
    >>> r = adapted_isi({"I_w_ahp": 4e-12}, 48e-3, question="q4")  # doctest: +NORMALIZE_WHITESPACE
    ✗ q4: with your settings the adapted ISI is 112.7 ms (target 48 ms, off by 134.8%, tolerance 5%):
    you need less adaptation
    """
    target = _number(target, "target ISI")
    isi = experiments.adaptation_isi(params=params, **pulse)
    if isi.size < 2:
        message = f"only {isi.size + 1} output spike(s) during the pulse: the neuron barely fires"
        return _record(CheckResult(question, False, message, points))
    return _design(float(isi[-1]), target, "the adapted ISI", "ms", 1e-3, rel_tol, question, points,
                   "you need more adaptation (a larger jump or a slower decay)", "you need less adaptation")


def rate_at(
    params: ParamsLike,
    current: float,
    target: float,
    rel_tol: float = 0.1,
    duration: float = 0.5,
    question: str = "rate",
    points: float = 1.0,
) -> CheckResult:
    """Check that a neuron with ``params`` fires at ``target`` for an injected ``current``.

    Parameters
    ----------
    params : Params, dict or None
        The student's parameters.
    current : float
        The constant current injected into the soma, A.
    target : float
        The rate to reach, Hz.
    rel_tol : float
        The relative tolerance.
    duration : float
        Simulated time over which the rate is counted, s.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; failed with advice (faster or slower) when off.

    Examples
    --------
    >>> r = rate_at({"I_tau_mem": 5e-12}, 1e-9, 65.0, duration=0.2, question="q5")
    ✓ q5: with your settings the rate at 1000 pA is 65 Hz (target 65 Hz, within 10%)
    """
    rate = float(experiments.fi_curve([current], duration=duration, params=params)[0])
    return _design(rate, _number(target, "target rate"), f"the rate at {current * 1e12:.4g} pA", "Hz", 1.0, rel_tol,
                   question, points, "the neuron must fire faster", "the neuron must fire slower")


def fi_slope(
    params: ParamsLike,
    low: float,
    high: float,
    target: float,
    rel_tol: float = 0.15,
    duration: float = 0.5,
    question: str = "F-I slope",
    points: float = 1.0,
) -> CheckResult:
    """Check the F-I slope between injected currents ``low`` and ``high`` against ``target``.

    Parameters
    ----------
    params : Params, dict or None
        The student's parameters.
    low, high : float
        The two injected currents, A (``low < high``).
    target : float
        The slope to reach, Hz/A.
    rel_tol : float
        The relative tolerance.
    duration : float
        Simulated time over which each rate is counted, s.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; failed with advice (steeper or flatter) when off.

    Raises
    ------
    ParameterError
        If ``low >= high``.

    Examples
    --------
    >>> r = fi_slope(None, 500e-12, 1000e-12, 0.08e12, duration=0.2, question="q6")
    ✓ q6: with your settings the F-I slope is 0.08 Hz/pA (target 0.08 Hz/pA, within 15%)
    """
    if not high > low:
        raise ParameterError(f"need low < high, got low = {low!r} A, high = {high!r} A")
    rates = experiments.fi_curve([low, high], duration=duration, params=params)
    slope = float(rates[1] - rates[0]) / (high - low)
    return _design(slope, _number(target, "target slope"), "the F-I slope", "Hz/pA", 1e12, rel_tol, question, points,
                   "the curve must be steeper", "the curve must be flatter")


def measured_from_trace(
    measure: Callable[[np.ndarray, np.ndarray], float],
    synapse: str,
    params_list: Sequence[ParamsLike],
    rel_tol: float = 0.03,
    question: str = "measured tau",
    points: float = 1.0,
) -> CheckResult:
    """Check a student's function ``measure(t, I) -> tau`` on the kernels of several parameter sets.

    Each kernel is the trace a student is given (one spike of weight 1 at
    10 ms, 8 time constants long, :func:`~dynapse_edu.experiments.synapse_kernel`);
    the function must find each one's time constant within ``rel_tol``.
    An answer typed in, or computed from the parameters instead of the
    trace, fails on the kernels it was not written for.

    Parameters
    ----------
    measure : callable
        The student's function of the sample times (s) and the current (A), returning tau in s.
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    params_list : Sequence of Params, dict or None
        The parameter sets whose kernels the function is tried on.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; when failed, which kernel and in which direction.

    Raises
    ------
    ParameterError
        If ``measure`` is not callable or ``params_list`` is empty.

    Examples
    --------
    >>> r = measured_from_trace(experiments.measure_decay, "AMPA", [None, {"I_tau_ampa": 5e-12}], question="q1")
    ✓ q1: your function measures tau of the AMPA synapse on 2 kernels (within 3%)
    >>> r = measured_from_trace(lambda t, I: 3.5e-3, "AMPA", [None, {"I_tau_ampa": 5e-12}], question="q1")
    ✗ q1: on kernel 2 of 2 your function gives 3.5 ms: too small (30% to 100% off, tolerance 3%)
    """
    if not callable(measure):
        raise ParameterError(f"measure must be a function of (t, I), got {type(measure).__name__}")
    if len(params_list) == 0:
        raise ParameterError("params_list is empty: give at least one parameter set")
    synapse_index(synapse)
    expected_values = []
    for number, params in enumerate(params_list, start=1):
        p = resolve(params)
        tau = p.tau_syn(synapse)
        expected_values.append(tau)
        t, current = experiments.synapse_kernel(synapse, weight=1.0, duration=0.01 + 8 * tau, t_spike=0.01, params=p,
                                                dt=min(1e-4, tau / 50))
        where = f"on kernel {number} of {len(params_list)}"
        try:
            value = _number(measure(t.copy(), current.copy()), "your function's result")
        except Exception as err:  # the student's code: report, do not stop the checks
            message = f"{where} your function raised {type(err).__name__}: {err}"
            return _record(CheckResult(question, False, message, points), tau)
        passed, verdict = _judge(value, tau, rel_tol)
        if not passed:
            verdict = verdict.replace("(off by ", "(").replace(", tolerance", " off, tolerance")
            message = f"{where} your function gives {value / 1e-3:.4g} ms: {verdict}"
            return _record(CheckResult(question, False, message, points), tau)
    count = len(params_list)
    message = f"your function measures tau of the {synapse} synapse on {count} kernels (within {rel_tol:.0%})"
    return _record(CheckResult(question, True, message, points), expected_values[0])


def biases_kept(
    chip: Board,
    core: int,
    allowed: Iterable[str],
    question: str = "biases kept",
    points: float = 1.0,
) -> CheckResult:
    """Check that only the ``allowed`` biases of ``core`` differ from a fresh chip's.

    A constraint check: every other bias of every core keeps its default
    (coarse, fine), and no model parameter was set directly (bypassing the
    bias generator).

    Parameters
    ----------
    chip : Chip or Board
        The student's chip (its chip 0 is compared).
    core : int
        The core whose ``allowed`` biases may change.
    allowed : Iterable[str]
        The bias names the question lets the student set.
    question : str
        The question's label (the same as the design check's, so both must pass).
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; when failed, the biases that changed.

    Raises
    ------
    ParameterError
        If ``chip`` is not a Chip or Board.

    Examples
    --------
    >>> chip = Chip()
    >>> chip.set_bias(0, "IF_THR_N", 1, 80)
    >>> r = biases_kept(chip, 0, ["IF_THR_N"], question="q1")
    ✓ q1: only IF_THR_N of core 0 changed
    >>> r = biases_kept(chip, 0, ["IF_THR_N", "IF_TAU1_N"], question="q1")  # an allowed bias left as it was
    ✓ q1: only IF_THR_N, IF_TAU1_N of core 0 changed
    >>> chip.set_bias(0, "IF_RFR_N", 0, 20)
    >>> r = biases_kept(chip, 0, ["IF_THR_N"], question="q1")
    ✗ q1: only IF_THR_N of core 0 may change; also changed: IF_RFR_N of core 0
    """
    if not isinstance(chip, Board):
        raise ParameterError(f"chip must be a Chip or Board, got {type(chip).__name__}")
    allowed = [name.upper() for name in allowed]
    reference = Chip()
    for name in allowed:  # the allowed biases the student set (an untouched one stays as on a fresh chip)
        setting = chip.get_biases(core)[name]
        if setting.exact:
            reference.set_bias(core, name, setting.coarse, setting.fine)
    changed = []
    for c in range(CORES_PER_CHIP):
        for mine, default in zip(chip.get_biases(c), reference.get_biases(c), strict=True):
            if (mine.coarse, mine.fine, mine.exact) != (default.coarse, default.fine, default.exact):
                changed.append(f"{mine.name} of core {c}")
        if not changed and chip.params(c) != reference.params(c):
            changed.append(f"model parameters of core {c} set directly")
    names = ", ".join(allowed)
    if not changed:
        return _record(CheckResult(question, True, f"only {names} of core {core} changed", points))
    message = f"only {names} of core {core} may change; also changed: {', '.join(changed)}"
    return _record(CheckResult(question, False, message, points))


def population_rate(
    board: Board,
    neurons: Population | Iterable[int],
    low: float,
    high: float,
    duration: float = 0.5,
    hardware: bool = True,
    question: str = "population rate",
    points: float = 1.0,
) -> CheckResult:
    """Check that the mean rate of ``neurons`` on ``board`` lies in [``low``, ``high``].

    The board is simulated as it is (the reference integrator); with
    ``hardware=True`` it must have been built in hardware mode, so that every
    connection obeyed the chip's routing rules.

    Parameters
    ----------
    board : Chip or Board
        The student's network.
    neurons : ~dynapse_edu.hardware.board.Population or Sequence[int]
        The neurons whose mean rate counts (global ids).
    low, high : float
        The allowed range of the mean rate, Hz (``0 <= low < high``).
    duration : float
        Simulated time, s.
    hardware : bool
        Require a board built with ``hardware=True``.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; failed with advice (more or less drive) when out of range.

    Raises
    ------
    ParameterError
        If ``board`` is not a Board or ``low``/``high`` are not a range.

    Examples
    --------
    >>> from dynapse_edu import Chip, PoissonGenerator
    >>> chip = Chip(hardware=True)
    >>> group = chip.get_neurons(4, core=0)
    >>> _ = chip.add_connection(PoissonGenerator(4, 200.0, seed=0), group, "AMPA", 8, rule="one_to_one")
    >>> r = population_rate(chip, group, 1.0, 500.0, duration=0.1, question="q7")
    ✓ q7: the mean rate of the 4 neurons is 92.5 Hz (wanted 1..500 Hz)
    """
    if not isinstance(board, Board):
        raise ParameterError(f"board must be a Chip or Board, got {type(board).__name__}")
    if not 0 <= low < high:
        raise ParameterError(f"need 0 <= low < high, got low = {low!r} Hz, high = {high!r} Hz")
    if hardware and not board.hardware:
        message = "the network was built with hardware=False: build it with Chip(hardware=True) so the rules apply"
        return _record(CheckResult(question, False, message, points))
    if hardware and not board.pulses:
        message = ("input pulses were turned off (use_pulses(False)): on the chip every input spike is a pulse; "
                   "keep them on and tune the weight biases instead")
        return _record(CheckResult(question, False, message, points))
    ids = np.asarray(neurons.ids if isinstance(neurons, Population) else list(neurons), dtype=np.int64)
    result = board.run(duration, dt=None, at_spikes=False)
    rate = float(np.mean([result.rates[result.index(i)] for i in ids]))
    shown = f"the mean rate of the {ids.size} neurons is {rate:.4g} Hz (wanted {low:g}..{high:g} Hz)"
    if low <= rate <= high:
        return _record(CheckResult(question, True, shown, points))
    advice = "more drive or less inhibition" if rate < low else "less drive or more inhibition"
    return _record(CheckResult(question, False, f"{shown}: {advice}", points))


def rate_band(
    build: Callable[[float], tuple[Board, Population | Iterable[int]]],
    inputs: Sequence[float],
    low: float,
    high: float,
    duration: float = 0.5,
    question: str = "rate band",
    points: float = 1.0,
) -> CheckResult:
    """Check a network design: for every input rate, the population's mean rate lies in [``low``, ``high``].

    A design check for an open question: the student writes ``build(rate)``,
    which builds the whole network in hardware mode for an input of ``rate``
    Hz and returns the board and the population to watch; the check builds and
    simulates it once per input rate (the reference integrator). A design the
    chip cannot hold fails as it is built (``HardwareLimitError``: the CAM or
    the routing), and its message says so.

    Parameters
    ----------
    build : callable
        The student's function of the input rate (Hz) returning ``(board, population)``.
    inputs : Sequence[float]
        The input rates to try, Hz.
    low, high : float
        The allowed range of the mean rate, Hz (``0 <= low < high``).
    duration : float
        Simulated time per input, s.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; the rates reached for every input, and advice when one is out of the band.

    Raises
    ------
    ParameterError
        If ``build`` is not callable, ``inputs`` is empty or ``low``/``high`` are not a range.

    Examples
    --------
    >>> from dynapse_edu import PoissonGenerator
    >>> def build(rate):
    ...     chip = Chip(hardware=True)
    ...     group = chip.get_neurons(4, core=0)
    ...     chip.add_connection(PoissonGenerator(4, rate, seed=0), group, "AMPA", 8, rule="one_to_one")
    ...     return chip, group
    >>> r = rate_band(build, [100.0, 200.0], 1.0, 500.0, duration=0.1, question="q5")
    ✓ q5: the mean rates for inputs of 100, 200 Hz are 60, 92.5 Hz (wanted 1..500 Hz)
    """
    if not callable(build):
        raise ParameterError(f"build must be a function of the input rate, got {type(build).__name__}")
    if len(inputs) == 0:
        raise ParameterError("inputs is empty: give at least one input rate in Hz")
    if not 0 <= low < high:
        raise ParameterError(f"need 0 <= low < high, got low = {low!r} Hz, high = {high!r} Hz")
    rates = []
    for rate_in in inputs:
        try:
            board, neurons = build(float(rate_in))
        except Exception as err:  # the student's code: report, do not stop the checks
            message = f"building your network for an input of {rate_in:g} Hz raised {type(err).__name__}: {err}"
            return _record(CheckResult(question, False, message, points))
        if not isinstance(board, Board) or not board.hardware:
            message = "build must return (Chip(hardware=True), population): the chip's rules must apply"
            return _record(CheckResult(question, False, message, points))
        if not board.pulses:
            message = ("input pulses were turned off (use_pulses(False)): on the chip every input spike is a pulse; "
                       "keep them on and tune the weight biases instead")
            return _record(CheckResult(question, False, message, points))
        ids = np.asarray(neurons.ids if isinstance(neurons, Population) else list(neurons), dtype=np.int64)
        result = board.run(duration, dt=None, at_spikes=False)
        rates.append(float(np.mean([result.rates[result.index(i)] for i in ids])))
    shown = (f"the mean rates for inputs of {', '.join(f'{r:g}' for r in inputs)} Hz are "
             f"{', '.join(f'{r:.3g}' for r in rates)} Hz (wanted {low:g}..{high:g} Hz)")
    outside = [(rate_in, r) for rate_in, r in zip(inputs, rates, strict=True) if not low <= r <= high]
    if not outside:
        return _record(CheckResult(question, True, shown, points))
    advice = "; ".join(f"at {rate_in:g} Hz " + ("more drive or less inhibition" if r < low else
                                                "less drive or more inhibition") for rate_in, r in outside)
    return _record(CheckResult(question, False, f"{shown}: {advice}", points))


# --- design checks of the class-length assignments (issue 14, item 4) ---------------------------------


def synapse_design(
    params: ParamsLike,
    synapse: str,
    tau: float,
    peak: float,
    rel_tol: float = 0.05,
    question: str = "synapse design",
    points: float = 1.0,
) -> CheckResult:
    """Check a synapse design: the kernel of one spike of weight 1 has time constant ``tau`` and peak ``peak``.

    The kernel is simulated with ``params`` (:func:`~dynapse_edu.experiments.synapse_kernel`),
    its decay fitted (:func:`~dynapse_edu.experiments.measure_decay`); both
    must be within ``rel_tol`` of the targets.

    Parameters
    ----------
    params : Params, dict or None
        The student's parameters (e.g. ``chip.params(0)``).
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
    tau, peak : float
        The targets: time constant, s; peak current, A.
    rel_tol : float
        The relative tolerance of both.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; when failed, which of the two is off and in which direction.

    Examples
    --------
    >>> r = synapse_design({"I_tau_ampa": 10e-12}, "AMPA", 7e-3, 300e-12, question="q5")
    ✗ q5: with your settings tau is 7.09 ms (target 7 ms) and the peak 401 pA (target 300 pA): the peak must be smaller
    """
    p = resolve(params)
    synapse_index(synapse)
    duration = min(max(8 * p.tau_syn(synapse), 0.02), 10.0)
    t, current = experiments.synapse_kernel(synapse, 1.0, duration, 0.0, params=p, dt=duration / 2000)
    got_tau, got_peak = experiments.measure_decay(t, current), float(current.max())
    shown = (f"with your settings tau is {got_tau / 1e-3:.3g} ms (target {tau / 1e-3:.3g} ms) and the peak "
             f"{got_peak / 1e-12:.3g} pA (target {peak / 1e-12:.3g} pA)")
    advice = []
    if abs(got_tau - tau) > rel_tol * abs(tau):
        advice.append("the decay must be " + ("slower" if got_tau < tau else "faster"))
    if abs(got_peak - peak) > rel_tol * abs(peak):
        advice.append("the peak must be " + ("larger" if got_peak < peak else "smaller"))
    if not advice:
        return _record(CheckResult(question, True, f"{shown}, both within {rel_tol:.0%}", points))
    return _record(CheckResult(question, False, f"{shown}: {' and '.join(advice)}", points))


def isi_settled(
    params: ParamsLike,
    within: float,
    fraction: float = 0.9,
    question: str = "adaptation pace",
    points: float = 1.0,
    **pulse: float,
) -> CheckResult:
    """Check that the adaptation settles fast: an interval reaches ``fraction`` of the last one within ``within``.

    The neuron is driven as in :func:`adapted_isi`; the time counts from the
    first output spike to the end of the first interval that is at least
    ``fraction`` times the last interval of the pulse.

    Parameters
    ----------
    params : Params, dict or None
        The student's parameters.
    within : float
        The longest allowed settling time, s.
    fraction : float
        Which fraction of the adapted interval counts as settled (0 < fraction <= 1).
    question : str
        The question's label.
    points : float
        The points the question is worth.
    **pulse
        Keyword arguments of :func:`~dynapse_edu.experiments.adaptation_isi`.

    Returns
    -------
    CheckResult
        The recorded outcome, with the settling time the parameters give.

    Raises
    ------
    ParameterError
        If ``fraction`` is not in (0, 1].

    Examples
    --------
    >>> r = isi_settled({"I_w_ahp": 4e-12}, 0.25, t_on=0.0, t_off=0.3, duration=0.3, question="q4")
    ✓ q4: the intervals reach 90% of the adapted one 210 ms after the first spike (wanted within 250 ms)
    """
    if not 0 < fraction <= 1:
        raise ParameterError(f"fraction = {fraction!r}; allowed: 0 < fraction <= 1")
    isi = experiments.adaptation_isi(params=params, **pulse)
    if isi.size < 2:
        message = f"only {isi.size + 1} output spike(s) during the pulse: the neuron barely fires"
        return _record(CheckResult(question, False, message, points))
    settled = int(np.argmax(isi >= fraction * isi[-1]))
    took = float(np.sum(isi[: settled + 1]))
    shown = (f"the intervals reach {fraction:.0%} of the adapted one {took / 1e-3:.3g} ms after the first spike "
             f"(wanted within {within / 1e-3:.3g} ms)")
    if took <= within:
        return _record(CheckResult(question, True, shown, points))
    advice = "adaptation must build up faster: larger jumps that decay faster"
    return _record(CheckResult(question, False, f"{shown}: {advice}", points))


def fi_band_under_mismatch(
    params: ParamsLike,
    currents: Sequence[float],
    bands: Sequence[tuple[float, float]],
    fraction: float,
    mismatch: Mismatch,
    n_neurons: int = 20,
    duration: float = 0.5,
    question: str = "F-I under mismatch",
    points: float = 1.0,
) -> CheckResult:
    """Check a core's F-I curve across mismatched neurons: for each current, enough neurons fire in its band.

    Each current is injected into ``n_neurons`` neurons of one core built
    from ``params`` on a chip with ``mismatch``
    (:func:`~dynapse_edu.experiments.fi_curve`); at least ``fraction`` of
    them must fire within the current's band.

    Parameters
    ----------
    params : Params, dict or None
        The core's parameters (``chip.params(core)`` of the student's chip).
    currents : Sequence[float]
        The injected currents, A.
    bands : Sequence of (float, float)
        For each current, the allowed rates (low, high), Hz.
    fraction : float
        The least fraction of the neurons that must be in the band (0 < fraction <= 1).
    mismatch : Mismatch
        The chip's mismatch (the seed fixes which neurons are which).
    n_neurons : int
        How many neurons of the core are tried.
    duration : float
        Simulated time per current, s.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome: per current, how many neurons are in the band, below and above it.

    Raises
    ------
    ParameterError
        If the bands do not match the currents, a band is not a range or ``fraction`` is not in (0, 1].

    Examples
    --------
    >>> m = Mismatch(spread=0.1, seed=3)
    >>> r = fi_band_under_mismatch(None, [1e-9], [(40.0, 90.0)], 0.5, m, n_neurons=4, duration=0.2, question="q6")
    ✓ q6: at 1000 pA 4 of 4 neurons fire in 40..90 Hz (need 2)
    """
    if len(bands) != len(currents) or any(not 0 <= lo < hi for lo, hi in bands):
        raise ParameterError(f"need one (low, high) band with 0 <= low < high per current, got {list(bands)!r}")
    if not 0 < fraction <= 1:
        raise ParameterError(f"fraction = {fraction!r}; allowed: 0 < fraction <= 1")
    if not isinstance(mismatch, Mismatch):
        raise ParameterError(f"mismatch must be a Mismatch, got {type(mismatch).__name__}")
    rates = experiments.fi_curve(currents, duration=duration, params=params, n_neurons=n_neurons, mismatch=mismatch)
    rates = np.asarray(rates, float).reshape(len(currents), n_neurons)
    need = math.ceil(fraction * n_neurons - 1e-9)
    parts, advice, passed = [], [], True
    for current, (lo, hi), row in zip(currents, bands, rates, strict=True):
        inside = int(np.sum((row >= lo) & (row <= hi)))
        below, above = int(np.sum(row < lo)), int(np.sum(row > hi))
        parts.append(f"at {current / 1e-12:.4g} pA {inside} of {n_neurons} neurons fire in {lo:g}..{hi:g} Hz"
                     + (f" ({below} below, {above} above)" if inside < need else ""))
        if inside < need:
            passed = False
            advice.append(f"at {current / 1e-12:.4g} pA " + ("too many are too slow" if below >= above
                                                             else "too many are too fast"))
    shown = "; ".join(parts) + f" (need {need})"
    if passed:
        return _record(CheckResult(question, True, shown, points))
    return _record(CheckResult(question, False, f"{shown}: {'; '.join(advice)}", points))


def pulse_rise(width: float, I_tau: float, dpi: dict[str, float]) -> float:
    """The current one input pulse of ``width`` adds to a DPI at rest, with leak ``I_tau``, in A.

    :func:`~dynapse_edu.core.synapse.dpi_charge` from ``I_rest``, minus
    ``I_rest``; the time constant scales as 1 / I_tau from ``dpi["tau"]`` at
    ``dpi["I_tau"]`` (the same capacitor).

    Parameters
    ----------
    width : float
        Pulse width, s.
    I_tau : float
        Leak current, A.
    dpi : dict
        ``I_w``, ``I_g``, ``I_tau``, ``I_rest`` (A) and ``tau`` (s) of the DPI.

    Returns
    -------
    float
        The rise, A.

    Examples
    --------
    >>> dpi = dict(I_w=10e-9, I_g=80e-12, I_tau=20e-12, tau=4e-3, I_rest=0.3e-12)
    >>> round(pulse_rise(50e-6, 20e-12, dpi) * 1e12, 2)  # pA
    66.43
    """
    tau = dpi["tau"] * dpi["I_tau"] / I_tau
    return dpi_charge(width, dpi["I_rest"], dpi["I_w"], dpi["I_g"], I_tau, tau) - dpi["I_rest"]


def pulse_rise_ratio(
    answer: object,
    width: float,
    I_tau_a: float,
    I_tau_b: float,
    dpi: dict[str, float],
    rel_tol: float = 0.03,
    question: str = "rise ratio",
    points: float = 1.0,
) -> CheckResult:
    """Check the ratio of the rises one pulse of ``width`` gives with leaks ``I_tau_a`` and ``I_tau_b``.

    Both rises are :func:`pulse_rise`.

    Parameters
    ----------
    answer : float
        The student's ratio rise(I_tau_a) / rise(I_tau_b).
    width : float
        Pulse width, s.
    I_tau_a, I_tau_b : float
        The two leak currents, A.
    dpi : dict
        The DPI's currents and time constant.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Examples
    --------
    >>> dpi = dict(I_w=10e-9, I_g=80e-12, I_tau=20e-12, tau=4e-3, I_rest=0.3e-12)
    >>> r = pulse_rise_ratio(1.0, 1e-6, 10e-12, 40e-12, dpi, question="q2")
    ✓ q2: rise ratio for 1 us pulses = 1 (within 3%)
    """
    expected = pulse_rise(width, I_tau_a, dpi) / pulse_rise(width, I_tau_b, dpi)
    shown = f"{width / 1e-3:.4g} ms" if width >= 1e-3 else f"{width / 1e-6:.4g} us"
    return close(answer, expected, f"rise ratio for {shown} pulses", "", 1.0, rel_tol, question, points)


def pulse_rise_function(
    student: Callable[[float, float], float],
    cases: Sequence[tuple[float, float]],
    dpi: dict[str, float],
    rel_tol: float = 0.02,
    question: str = "pulse rise",
    points: float = 1.0,
) -> CheckResult:
    """Check a student's ``rise(width, I_tau)`` against :func:`pulse_rise` on several (width, I_tau) cases.

    Parameters
    ----------
    student : callable
        The student's function of the pulse width (s) and the leak (A), returning A.
    cases : Sequence of (float, float)
        The (width, I_tau) pairs tried.
    dpi : dict
        The DPI's currents and time constant.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome (see :func:`function_matches`).

    Examples
    --------
    >>> dpi = dict(I_w=10e-9, I_g=80e-12, I_tau=20e-12, tau=4e-3, I_rest=0.3e-12)
    >>> r = pulse_rise_function(lambda w, i: 66e-12, [(50e-6, 20e-12), (1e-3, 10e-12)], dpi, question="q1")
    ✗ q1: for (0.001, 1e-11) your function gives the rise = 66 pA: too small (30% to 100% off, tolerance 2%)
    """
    return function_matches(student, lambda width, I_tau: pulse_rise(width, I_tau, dpi), cases, "the rise", "pA",
                            1e-12, rel_tol, question, points)


def _arguments(args: Sequence[object]) -> str:
    return ", ".join(f"{a:.4g}" if isinstance(a, float) else repr(a) for a in args)


def function_matches(
    student: Callable[..., float],
    reference: Callable[..., float],
    cases: Sequence[Sequence[object]],
    what: str,
    unit: str = "",
    scale: float = 1.0,
    rel_tol: float = 0.02,
    question: str = "function",
    points: float = 1.0,
) -> CheckResult:
    """Check a student's function against the library's on several argument sets (some the student never saw).

    A number typed in, or a function right for one case only, fails on the
    others; a wrong result is told its direction and band, never the value.

    Parameters
    ----------
    student : callable
        The student's function.
    reference : callable
        The right function, with the same arguments.
    cases : Sequence of Sequence
        The positional arguments of each try.
    what : str
        What the function returns, for the message.
    unit : str
        The unit the message shows values in.
    scale : float
        The size of that unit in SI.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome; when failed, the first case it failed on and how.

    Raises
    ------
    ParameterError
        If ``student`` is not callable or ``cases`` is empty.

    Examples
    --------
    >>> r = function_matches(lambda x: 2 * x, lambda x: 2.0 * x, [(1.0,), (3.0,)], "twice x", question="q1")
    ✓ q1: your function gives twice x right in 2 cases (within 2%)
    >>> r = function_matches(lambda x: 2.0, lambda x: 2.0 * x, [(1.0,), (3.0,)], "twice x", question="q1")
    ✗ q1: for (3) your function gives twice x = 2: too small (30% to 100% off, tolerance 2%)
    """
    if not callable(student):
        raise ParameterError(f"expected a function, got {type(student).__name__}")
    if len(cases) == 0:
        raise ParameterError("cases is empty: give at least one argument set")
    for args in cases:
        expected = float(reference(*args))
        try:
            value = _number(student(*args), "your function's result")
        except Exception as err:  # the student's code: report, do not stop the checks
            message = f"for ({_arguments(args)}) your function raised {type(err).__name__}: {err}"
            return _record(CheckResult(question, False, message, points), expected)
        passed, verdict = _judge(value, expected, rel_tol)
        if not passed:
            verdict = verdict.replace("(off by ", "(").replace(", tolerance", " off, tolerance")
            message = f"for ({_arguments(args)}) your function gives {what} = {value / scale:.4g} {unit}".rstrip()
            return _record(CheckResult(question, False, f"{message}: {verdict}", points), expected)
    message = f"your function gives {what} right in {len(cases)} cases (within {rel_tol:.0%})"
    return _record(CheckResult(question, True, message, points))


def train_peaks(width: float, rate: float, n_pulses: int, dpi: dict[str, float]) -> tuple[float, float]:
    """The largest current of a pulse train: the DPI equation with finite pulses, and the instant-jump model.

    The instant-jump model adds, at the end of each pulse, the rise one pulse
    gives from rest (``dpi_charge(width, I_rest, ...) - I_rest``, the
    behavioural model's calibration on one pulse) and decays with ``tau``;
    the finite-pulse DPI (:func:`~dynapse_edu.core.synapse.dpi_pulse_response`)
    adds what each pulse really gives from the current already there.

    Parameters
    ----------
    width : float
        Pulse width, s.
    rate : float
        Pulse rate, Hz.
    n_pulses : int
        Number of pulses.
    dpi : dict
        ``I_w``, ``I_g``, ``I_tau``, ``I_rest`` (A) and ``tau`` (s) of the DPI.

    Returns
    -------
    (float, float)
        The largest current with finite pulses, and with instant jumps, A.

    Examples
    --------
    >>> dpi = dict(I_w=10e-9, I_g=80e-12, I_tau=20e-12, tau=4e-3, I_rest=0.3e-12)
    >>> [round(x * 1e12, 1) for x in train_peaks(50e-6, 200.0, 10, dpi)]  # pA
    [557.2, 93.4]
    """
    ends = np.arange(n_pulses) / rate + width
    finite = dpi_pulse_response(ends, ends - width, width, dpi["I_w"], dpi["I_g"], dpi["I_tau"], dpi["tau"],
                                dpi["I_rest"])
    jump = dpi_charge(width, dpi["I_rest"], dpi["I_w"], dpi["I_g"], dpi["I_tau"], dpi["tau"]) - dpi["I_rest"]
    instant = dpi["I_rest"] + jump * np.array([np.sum(np.exp(-(e - ends[: k + 1]) / dpi["tau"]))
                                              for k, e in enumerate(ends)])
    return float(finite.max()), float(instant.max())


def pulse_train_gap(
    width: object,
    rate: object,
    dpi: dict[str, float],
    n_pulses: int = 10,
    more_than: float | None = None,
    less_than: float | None = None,
    question: str = "pulse train",
    points: float = 1.0,
) -> CheckResult:
    """Check a chosen train: the instant-jump model's largest current differs from the finite-pulse DPI's as asked.

    The gap is ``abs(instant / finite - 1)`` of the largest currents (:func:`train_peaks`).
    Allowed trains: width 1 us .. 1 ms, rate 1 .. 1000 Hz, the pulses not overlapping.

    Parameters
    ----------
    width : float
        The student's pulse width, s.
    rate : float
        The student's pulse rate, Hz.
    dpi : dict
        The DPI's currents and time constant (see :func:`train_peaks`).
    n_pulses : int
        Number of pulses.
    more_than, less_than : float or None
        The gap must exceed ``more_than`` and stay below ``less_than`` (give one or both).
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome, with the gap the train gives.

    Raises
    ------
    ParameterError
        If neither bound is given.

    Examples
    --------
    >>> dpi = dict(I_w=10e-9, I_g=80e-12, I_tau=20e-12, tau=4e-3, I_rest=0.3e-12)
    >>> r = pulse_train_gap(50e-6, 200.0, dpi, more_than=0.5, question="q3")  # doctest: +NORMALIZE_WHITESPACE
    ✓ q3: with 10 pulses of 50 us at 200 Hz the instant-jump model is 83% off the finite-pulse DPI
    (wanted more than 50%)
    """
    if more_than is None and less_than is None:
        raise ParameterError("give more_than, less_than or both")
    w, r = _number(width, "pulse width"), _number(rate, "pulse rate")
    if not (1e-6 <= w <= 1e-3 and 1.0 <= r <= 1000.0 and w < 1.0 / r):
        message = (f"the train is outside the allowed range: width {w / 1e-6:.4g} us (1..1000 us), rate {r:.4g} Hz "
                   "(1..1000 Hz), and the pulses must not overlap")
        return _record(CheckResult(question, False, message, points))
    finite, instant = train_peaks(w, r, n_pulses, dpi)
    gap = abs(instant / finite - 1.0)
    wanted = " and ".join(x for x in (f"more than {more_than:.0%}" if more_than is not None else "",
                                      f"less than {less_than:.0%}" if less_than is not None else "") if x)
    shown = (f"with {n_pulses} pulses of {w / 1e-6:.4g} us at {r:.4g} Hz the instant-jump model is {gap:.0%} off "
             f"the finite-pulse DPI (wanted {wanted})")
    passed = (more_than is None or gap > more_than) and (less_than is None or gap < less_than)
    return _record(CheckResult(question, passed, shown, points))


def _spice_missing(question: str, points: float) -> CheckResult | None:
    """A failed record saying why, when ngspice cannot run here; None when it can."""
    if ngspice.available():
        return None
    message = f"ngspice is not installed here: the transistor part is skipped (0 points). {ngspice.INSTALL_HINT}"
    return _record(CheckResult(question, False, message, points))


def spice_pulse_ratio(
    answer: object,
    long_width: float,
    short_width: float,
    rel_tol: float = 0.05,
    question: str = "transistor pulses",
    points: float = 1.0,
) -> CheckResult:
    """Check the ratio of the circuit's rise (peak minus rest) after one long and one short pulse (ngspice).

    Each width is one ngspice run of the DPI testbench
    (``circuits/dpi_synapse_tb-pulse.cir``, one pulse of width ``tpulse``), cached on disk.
    Without ngspice the check fails with the reason (the transistor part is skipped), and never raises for it.

    Parameters
    ----------
    answer : float
        The student's ratio rise(long) / rise(short).
    long_width, short_width : float
        The two pulse widths, s.
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Examples
    --------
    >>> r = spice_pulse_ratio(4.0, 400e-6, 50e-6, question="q5")  # doctest: +SKIP
    ✗ q5: rise after 400 us / rise after 50 us = 4 is too small (off by 30% to 100%, tolerance 5%)
    """
    missing = _spice_missing(question, points)
    if missing is not None:
        return missing
    rises = []
    for width in (long_width, short_width):
        current = ngspice.run(calibration.DPI_TB, {"npulse": 1, "pulse_dc": 0, "tpulse": float(width)})["i(vout)"]
        rises.append(float(current.max() - current[0]))
    what = f"rise after {long_width / 1e-6:.4g} us / rise after {short_width / 1e-6:.4g} us"
    return close(answer, rises[0] / rises[1], what, "", 1.0, rel_tol, question, points)


def spice_pulse_design(
    iw: object,
    itau: object,
    rise: float,
    tau: float,
    rel_tol: float = 0.1,
    question: str = "circuit design",
    points: float = 1.0,
) -> CheckResult:
    """Check a transistor-level DPI design: one 50 us pulse raises the current by ``rise``, which decays with ``tau``.

    The DPI testbench (``circuits/dpi_synapse_tb-pulse.cir``, one pulse) runs in
    ngspice with the student's weight current ``iw`` and leak current
    ``itau`` and nothing else changed; the rise is the peak minus the current
    at rest, the time constant is fitted between 90 % and 20 % of the rise
    (:func:`~dynapse_edu.experiments.measure_decay`). Allowed: ``iw`` 10..40 nA,
    ``itau`` 5..50 pA. Without ngspice the check fails with the reason (the
    transistor part is skipped), and never raises for it.

    Parameters
    ----------
    iw, itau : float
        The student's netlist currents, A.
    rise : float
        The target rise of the output current, A.
    tau : float
        The target decay time constant, s.
    rel_tol : float
        The relative tolerance of both.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome, with what the circuit gives and in which direction each is off.

    Examples
    --------
    >>> r = spice_pulse_design(20e-9, 20e-12, 200e-12, 6e-3, question="q5")  # doctest: +SKIP
    ✗ q5: the circuit's rise is 462 pA (target 200 pA) and its tau 3.9 ms (target 6 ms): the rise must be smaller
    and the decay slower
    """
    missing = _spice_missing(question, points)
    if missing is not None:
        return missing
    w, leak = _number(iw, "iw"), _number(itau, "itau")
    if not (10e-9 <= w <= 40e-9 and 5e-12 <= leak <= 50e-12):
        message = f"iw = {w / 1e-9:.4g} nA and itau = {leak / 1e-12:.4g} pA must lie in 10..40 nA and 5..50 pA"
        return _record(CheckResult(question, False, message, points))
    run = ngspice.run(calibration.DPI_TB, {"npulse": 1, "pulse_dc": 0, "iw": w, "itau": leak})
    t, current = run["time"], run["i(vout)"]
    got_rise = float(current.max() - current[0])
    got_tau = experiments.measure_decay(t, current, floor=float(current[0]))
    shown = (f"the circuit's rise is {got_rise / 1e-12:.3g} pA (target {rise / 1e-12:.3g} pA) and its tau "
             f"{got_tau / 1e-3:.3g} ms (target {tau / 1e-3:.3g} ms)")
    advice = []
    if abs(got_rise - rise) > rel_tol * rise:
        advice.append("the rise must be " + ("larger" if got_rise < rise else "smaller"))
    if abs(got_tau - tau) > rel_tol * tau:
        advice.append("the decay " + ("slower" if got_tau < tau else "faster"))
    if not advice:
        return _record(CheckResult(question, True, f"{shown}, both within {rel_tol:.0%}", points))
    return _record(CheckResult(question, False, f"{shown}: {' and '.join(advice)}", points))


def winner_take_all(
    base: Callable[[float, float], tuple[Board, Population, Population]],
    design: Callable[[Board, Population, Population], object],
    cases: Sequence[tuple[float, float]],
    min_ratio: float,
    min_rate: float,
    duration: float = 0.5,
    question: str = "winner take all",
    points: float = 1.0,
) -> CheckResult:
    """Check a winner-take-all design on the chip: the group with the stronger input wins, by ``min_ratio``.

    For each case ``(rate_a, rate_b)`` the check builds ``base(rate_a, rate_b)``
    (the given part: a chip in hardware mode with mismatch, two groups and
    their inputs), lets ``design(chip, A, B)`` add the student's part, checks
    the rules (hardware mode, the given mismatch, no input added, at most 64
    CAM entries per neuron) and runs it: the winner's mean rate must be at
    least ``min_rate`` and ``min_ratio`` times the loser's.

    Parameters
    ----------
    base : callable
        The given builder: ``base(rate_a, rate_b) -> (chip, A, B)``.
    design : callable
        The student's ``design(chip, A, B)``; it does not see the rates.
    cases : Sequence of (float, float)
        The input rates of the two groups, Hz (never equal).
    min_ratio : float
        The least winner / loser rate ratio (> 1).
    min_rate : float
        The least mean rate of the winner, Hz.
    duration : float
        Simulated time per case, s.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome: the rates of both groups in every case, or the broken rule.

    Raises
    ------
    ParameterError
        If a case has equal rates or ``min_ratio`` <= 1.

    Examples
    --------
    >>> from dynapse_edu import PoissonGenerator
    >>> def base(rate_a, rate_b):
    ...     chip = Chip(hardware=True, mismatch=Mismatch(seed=7))
    ...     A, B = chip.get_neurons(2, core=0), chip.get_neurons(2, core=0)
    ...     chip.add_connection(PoissonGenerator(2, rate_a, seed=1), A, "AMPA", 4, rule="one_to_one")
    ...     chip.add_connection(PoissonGenerator(2, rate_b, seed=2), B, "AMPA", 4, rule="one_to_one")
    ...     return chip, A, B
    >>> r = winner_take_all(base, lambda chip, A, B: None, [(200.0, 50.0)], 3.0, 10.0, duration=0.2, question="q3")
    ✓ q3: A 62.5 Hz vs B 12.5 Hz at inputs 200/50 Hz (wanted the stronger input's group >= 10 Hz and 3x the other)
    """
    if not min_ratio > 1 or any(a == b for a, b in cases):
        raise ParameterError(f"need min_ratio > 1 and unequal input rates, got {min_ratio!r} and {list(cases)!r}")
    shown, failed = [], []
    for rate_a, rate_b in cases:
        chip, A, B = base(float(rate_a), float(rate_b))
        mismatch, inputs = chip.mismatch, chip.n_inputs
        try:
            design(chip, A, B)
        except Exception as err:  # the student's code: report, do not stop the checks
            message = f"your design raised {type(err).__name__} for inputs {rate_a:g}/{rate_b:g} Hz: {err}"
            return _record(CheckResult(question, False, message, points))
        broken = []
        if not chip.hardware:
            broken.append("the chip is no longer in hardware mode")
        if not chip.pulses:
            broken.append("input pulses were turned off (use_pulses(False)): on the chip every input spike is a pulse")
        if chip.mismatch != mismatch or mismatch is None:
            broken.append("the chip's mismatch was changed or removed")
        if chip.n_inputs != inputs:
            broken.append(f"inputs were added ({chip.n_inputs - inputs}): only the given inputs may drive the groups")
        cam = max((chip.cam_used(int(n)) for n in chip.neuron_ids), default=0)
        if cam > 64:
            broken.append(f"a neuron uses {cam} CAM entries (at most 64)")
        if broken:
            return _record(CheckResult(question, False, "the design breaks the chip's rules: " + "; ".join(broken),
                                       points))
        result = chip.run(duration, dt=None, at_spikes=False)
        ra, rb = (float(np.mean([result.rates[result.index(int(n))] for n in g.ids])) for g in (A, B))
        winner, loser = (ra, rb) if rate_a > rate_b else (rb, ra)
        shown.append(f"A {ra:.3g} Hz vs B {rb:.3g} Hz at inputs {rate_a:g}/{rate_b:g} Hz")
        if winner < min_rate:
            failed.append(f"at {rate_a:g}/{rate_b:g} Hz the winner fires too slowly (less inhibition on it, "
                          "or more self-excitation)")
        elif winner < min_ratio * loser:
            failed.append(f"at {rate_a:g}/{rate_b:g} Hz the loser is not suppressed enough (stronger competition)")
    text = (f"{'; '.join(shown)} (wanted the stronger input's group >= {min_rate:g} Hz and {min_ratio:g}x the "
            "other)")
    if not failed:
        return _record(CheckResult(question, True, text, points))
    return _record(CheckResult(question, False, f"{text}: {'; '.join(failed)}", points))


#: The comparisons :func:`comparison_metric` knows, by short name.
COMPARISONS = {
    "dpi_pulse": compare.compare_dpi_pulse,
    "dpi_train": compare.compare_dpi_train,
    "dpi_gain": compare.compare_dpi_gain,
    "neuron_fi": compare.compare_neuron_fi,
}


def comparison_metric(
    answer: object,
    comparison: str,
    metric: str,
    side: str = "ratio",
    rel_tol: float = 0.05,
    question: str = "transistor level",
    points: float = 1.0,
) -> CheckResult:
    """Check a number read off a transistor-level comparison (:mod:`dynapse_edu.spice.compare`).

    The comparison runs with its defaults; ngspice results come from the
    on-disk cache when present. Needs ngspice and PySpice.

    Parameters
    ----------
    answer : float
        The student's value: in the metric's unit (s or A, as its name
        states) for ``"spice"`` and ``"model"``, a pure number for ``"ratio"``.
    comparison : str
        A key of :data:`COMPARISONS`: ``"dpi_pulse"``, ``"dpi_train"``, ``"dpi_gain"``, ``"neuron_fi"``.
    metric : str
        One of the comparison's metrics (e.g. ``"decay tau (s)"``).
    side : str
        Which value: ``"spice"``, ``"model"`` or ``"ratio"`` (model / ngspice).
    rel_tol : float
        The relative tolerance.
    question : str
        The question's label.
    points : float
        The points the question is worth.

    Returns
    -------
    CheckResult
        The recorded outcome.

    Raises
    ------
    ParameterError
        For an unknown comparison, metric or side.

    Examples
    --------
    >>> comparison_metric(1.0, "dpi", "decay tau (s)")
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: unknown comparison 'dpi'; known: dpi_pulse, dpi_train, dpi_gain, neuron_fi
    >>> r = comparison_metric(3.9e-3, "dpi_pulse", "decay tau (s)", side="spice")  # doctest: +SKIP
    ✓ transistor level: decay tau (spice) of dpi_pulse = 3.9 ms (within 5%)
    """
    if comparison not in COMPARISONS:
        raise ParameterError(f"unknown comparison {comparison!r}; known: {', '.join(COMPARISONS)}")
    if side not in ("spice", "model", "ratio"):
        raise ParameterError(f"side = {side!r}; allowed: 'spice', 'model', 'ratio'")
    result = COMPARISONS[comparison]()
    if metric not in result.metrics:
        raise ParameterError(f"unknown metric {metric!r} of {comparison}; known: {', '.join(result.metrics)}")
    spice_value, model_value = result.metrics[metric]
    expected = {"spice": spice_value, "model": model_value, "ratio": result.ratios[metric]}[side]
    unit, scale = "", 1.0
    if side != "ratio" and "(s)" in metric:
        unit, scale = "ms", 1e-3
    elif side != "ratio" and "(A)" in metric:
        unit, scale = "pA", 1e-12
    what = f"{metric.split(' (')[0]} ({side}) of {comparison}"
    return close(answer, expected, what, unit, scale, rel_tol, question, points)


__all__ = [
    "synapse_design",
    "isi_settled",
    "fi_band_under_mismatch",
    "function_matches",
    "train_peaks",
    "pulse_rise",
    "pulse_rise_ratio",
    "pulse_rise_function",
    "pulse_train_gap",
    "spice_pulse_ratio",
    "spice_pulse_design",
    "winner_take_all",
    "BANDS",
    "reveal_expected",
    "measured_from_trace",
    "biases_kept",
    "rate_band",
    "population_rate",
    "COMPARISONS",
    "comparison_metric",
    "CheckResult",
    "results",
    "reset",
    "close",
    "synapse_tau",
    "synapse_peak",
    "output_rate",
    "adapted_isi",
    "rate_at",
    "fi_slope",
]

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
from ..core.synapse import synapse_index
from ..errors import ParameterError
from ..hardware.board import Board, Population
from ..hardware.chip import Chip
from ..hardware.routing import CORES_PER_CHIP
from ..spice import compare


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
    >>> chip.set_bias(0, "IF_RFR_N", 0, 20)
    >>> r = biases_kept(chip, 0, ["IF_THR_N"], question="q1")
    ✗ q1: only IF_THR_N of core 0 may change; also changed: IF_RFR_N of core 0
    """
    if not isinstance(chip, Board):
        raise ParameterError(f"chip must be a Chip or Board, got {type(chip).__name__}")
    allowed = [name.upper() for name in allowed]
    reference = Chip()
    for name in allowed:
        setting = chip.get_biases(core)[name]
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
    ✓ q7: the mean rate of the 4 neurons is 95 Hz (wanted 1..500 Hz)
    """
    if not isinstance(board, Board):
        raise ParameterError(f"board must be a Chip or Board, got {type(board).__name__}")
    if not 0 <= low < high:
        raise ParameterError(f"need 0 <= low < high, got low = {low!r} Hz, high = {high!r} Hz")
    if hardware and not board.hardware:
        message = "the network was built with hardware=False: build it with Chip(hardware=True) so the rules apply"
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
    ✓ q5: the mean rates for inputs of 100, 200 Hz are 60, 95 Hz (wanted 1..500 Hz)
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

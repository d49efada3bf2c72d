"""Answer checks for the classroom assignments.

Each check compares a student's answer with the value the simulator gives
*at check time* (nothing is stored in the student's notebook), says whether
it is right within a tolerance and, if not, why; and records the outcome so
the grading command (``python -m dynapse_edu.course.assign grade``) can score a
notebook.

>>> from dynapse_edu.course import check
>>> from dynapse_edu.units import ms
>>> r = check.synapse_tau(3.55 * ms, "AMPA", question="demo")
✓ demo: tau of the AMPA synapse = 3.55 ms (simulator: 3.546 ms, within 3%)
>>> r.passed
True
>>> _ = check.reset()
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import experiments
from ..core.params import ParamsLike, resolve
from ..core.synapse import synapse_index
from ..errors import ParameterError


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: which question, right or not, why, and its points."""

    question: str
    passed: bool
    message: str
    points: float

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.question}: {self.message}"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self) | {"score": self.score}


_RESULTS: list[CheckResult] = []


def results() -> list[CheckResult]:
    """Every check recorded in this process so far, in order."""
    return list(_RESULTS)


def reset() -> list[CheckResult]:
    """Forget the recorded checks; returns what was recorded."""
    done = list(_RESULTS)
    _RESULTS.clear()
    return done


def _record(result: CheckResult) -> CheckResult:
    _RESULTS.append(result)
    print(result)
    return result


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
    """Is ``answer`` within ``rel_tol`` of ``expected``? Values shown divided by ``scale`` in ``unit``."""
    value = _number(answer, what)

    def fmt(x: float) -> str:
        return f"{x / scale:.4g} {unit}".rstrip()

    shown = f"{what} = {fmt(value)}"
    if not math.isfinite(value):
        return _record(CheckResult(question, False, f"{shown}: not a finite number", points))
    error = abs(value - expected) / abs(expected) if expected != 0 else abs(value)
    if error <= rel_tol:
        message = f"{shown} (simulator: {fmt(expected)}, within {rel_tol:.0%})"
        return _record(CheckResult(question, True, message, points))
    direction = "too large" if value > expected else "too small"
    hint = ""
    if expected != 0 and value != 0:
        ratio = value / expected
        for factor, name in ((1e3, "1000"), (1e-3, "1/1000"), (1e12, "1e12"), (1e-12, "1e-12")):
            if abs(ratio / factor - 1) < rel_tol:
                hint = f"; it is off by a factor {name}: check your units"
    message = (
        f"{shown} is {direction}: the simulator gives {fmt(expected)} "
        f"(off by {error:.1%}, tolerance {rel_tol:.0%}){hint}"
    )
    return _record(CheckResult(question, False, message, points))


def synapse_tau(
    answer: object,
    synapse: str,
    params: ParamsLike = None,
    rel_tol: float = 0.03,
    question: str = "synapse tau",
    points: float = 1.0,
) -> CheckResult:
    """Check a synapse time constant (s) against one measured on a simulated kernel."""
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
    """Check the peak current (A) of a synapse after one spike of weight ``weight``."""
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
    """Check a firing rate (Hz) for a constant injected current ``I_const`` (A)."""
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
    """Check that ``params`` give an adapted (last) inter-spike interval of ``target`` s.

    The neuron is driven by the part-3 pulse (:func:`dynapse_edu.experiments.adaptation_isi`,
    whose keyword arguments ``pulse`` passes on); the last interval of the pulse is compared
    with the target.
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
    """Check that a neuron with ``params`` fires at ``target`` Hz for an injected ``current`` (A)."""
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
    """Check the F-I slope (Hz/A) between injected currents ``low`` and ``high`` (A) against ``target``."""
    if not high > low:
        raise ParameterError(f"need low < high, got low = {low!r} A, high = {high!r} A")
    rates = experiments.fi_curve([low, high], duration=duration, params=params)
    slope = float(rates[1] - rates[0]) / (high - low)
    return _design(slope, _number(target, "target slope"), "the F-I slope", "Hz/pA", 1e12, rel_tol, question, points,
                   "the curve must be steeper", "the curve must be flatter")


def population_rate(
    board: object,
    neurons: object,
    low: float,
    high: float,
    duration: float = 0.5,
    hardware: bool = True,
    question: str = "population rate",
    points: float = 1.0,
) -> CheckResult:
    """Check that the mean rate of ``neurons`` on ``board`` lies in [low, high] Hz.

    The board (a :class:`~dynapse_edu.hardware.chip.Chip` or :class:`~dynapse_edu.hardware.board.Board`)
    is simulated for ``duration`` s as it is (the reference integrator); with
    ``hardware=True`` it must have been built in hardware mode, so that every
    connection obeyed the chip's routing rules.
    """
    from ..hardware.board import Board, Population

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


_COMPARISONS = {
    "dpi_pulse": "compare_dpi_pulse",
    "dpi_train": "compare_dpi_train",
    "dpi_gain": "compare_dpi_gain",
    "neuron_fi": "compare_neuron_fi",
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

    ``comparison`` names the comparison (``"dpi_pulse"``, ``"dpi_train"``, ``"dpi_gain"``,
    ``"neuron_fi"``, run with its defaults; ngspice results come from the on-disk cache when
    present), ``metric`` one of its metrics (e.g. ``"decay tau (s)"``) and ``side`` which value:
    ``"spice"``, ``"model"`` or ``"ratio"`` (model / ngspice). Needs ngspice and PySpice.
    """
    if comparison not in _COMPARISONS:
        raise ParameterError(f"unknown comparison {comparison!r}; known: {', '.join(_COMPARISONS)}")
    if side not in ("spice", "model", "ratio"):
        raise ParameterError(f"side = {side!r}; allowed: 'spice', 'model', 'ratio'")
    from ..spice import compare

    result = getattr(compare, _COMPARISONS[comparison])()
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
    "population_rate",
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

"""Capstone projects (the last chapter): starting points and automatic checks of a student's design.

Three open-ended projects, each to be built on the chip in hardware mode
(integer CAM weights, at most 64 CAM entries per neuron, biases shared by the
neurons of a core, input spikes as pulses of the weight current: a weight current
chosen for the original's instant jumps is set as
:func:`~dynapse_edu.core.synapse.pulse_weight_current` of it) and with mismatch
(:mod:`dynapse_edu.hardware.mismatch`):

* a **working memory**: a population that keeps firing after a brief cue is
  removed, a self-sustained attractor state (Wang 2001, TINS 24(8); on
  neuromorphic hardware Giulioni et al. 2012, Front. Neurosci. 5:149);
  checked by :func:`check_working_memory`;
* an **E/I oscillator**: an excitatory and an inhibitory population whose loop
  makes a population rhythm out of aperiodic (Poisson) drive (Brunel 2000,
  J. Comput. Neurosci. 8(3); Buzsaki and Wang 2012, Annu. Rev. Neurosci. 35);
  checked by :func:`check_oscillator`;
* a **coincidence detector**: neurons that answer two input spikes arriving
  together and ignore each alone or the two apart (Jeffress 1948; Koenig, Engel
  and Singer 1996, TINS 19(4)); checked by :func:`check_coincidence`.

Each check takes the student's board (a :class:`~dynapse_edu.hardware.board.Board`
or :class:`~dynapse_edu.hardware.chip.Chip`) and its populations and returns a
:class:`Report`: one :class:`Criterion` per rule or goal, with the measured value,
the target and pass/fail. Nothing is taken on the student's word:

* the **hardware rules** are recomputed from the connections the board holds
  (:meth:`~dynapse_edu.hardware.board.Board.connection_arrays`): integer weights
  1..64, the CAM entries of every neuron (the project's stimulus included), the
  SRAM destinations, tag aliasing, one core per population, every bias a setting
  of the bias generator (within :data:`BIAS_TOLERANCE`); hardware mode and
  mismatch must be on;
* the **behaviour** is measured on a copy of the board (:func:`copy_with_mismatch`)
  to which the check adds the project's stimulus (a cue, test spikes), run with the
  fast engine; in hardware mode the stimulus must fit the routing memory too. The
  student's board is not changed;
* **robustness**: the same measurement on copies with other mismatch seeds
  (other chips, same design).

:meth:`Report.score` turns a report into the automatic part of the chapter's
rubric (behaviour 40, hardware rules 20, robustness 20 points; the written
analysis, 20, is the teacher's).

>>> chip, groups = start_coincidence()
>>> report = check_coincidence(chip, groups["detector"], repeats=1, seeds=())
>>> report.part_passed("hardware"), report.part_passed("behaviour")
(True, False)
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from scipy.signal import welch

from ..core.result import Result
from ..errors import DynapseError, ParameterError
from ..hardware.board import Board, Population
from ..hardware.chip import Chip
from ..hardware.inputs import PoissonGenerator, SpikeGenerator
from ..hardware.mismatch import DEFAULT_SPREAD, Mismatch
from ..hardware.routing import (
    CAM_PER_NEURON,
    NEURONS_PER_CHIP,
    NEURONS_PER_CORE,
    SRAM_PER_NEURON,
    tag,
)
from ..units import ms
from .widgets import Table, panel_axes

#: The three projects, by the name a :class:`Report` gives.
PROJECTS = ("working memory", "E/I oscillator", "coincidence detector")
#: Largest relative error of a used core's bias against its nearest (coarse, fine) setting.
BIAS_TOLERANCE = 0.05
#: Delays (s) between input A and input B that :func:`check_coincidence` tests.
DELAYS = (0.0, 1e-3, 2e-3, 5e-3, 10e-3, 20e-3)
#: The parts of a report (rows of the rubric the checks score).
PARTS = ("hardware", "behaviour", "robustness")
#: The biases that set the weights of a core's inhibitory synapses (GABA_A, GABA_B).
INHIBITORY_WEIGHTS = ("PS_WEIGHT_INH_F_N", "PS_WEIGHT_INH_S_N")
#: Longest simulated time a check accepts, s (the checks are meant to be quick).
MAX_DURATION = 10.0


# --- the report ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Criterion:
    """One rule or goal of a project, measured.

    Attributes
    ----------
    part : str
        ``"hardware"``, ``"behaviour"`` or ``"robustness"``.
    name : str
        What is checked.
    measured : str
        The measured value, with its unit.
    target : str
        What passes.
    passed : bool
        Whether the measured value meets the target.
    """

    part: str
    name: str
    measured: str
    target: str
    passed: bool


@dataclasses.dataclass
class Report:
    """What a check found: the criteria, the measured numbers, the run.

    Attributes
    ----------
    project : str
        One of :data:`PROJECTS`.
    criteria : list of Criterion
        Every rule and goal, in the order hardware, behaviour, robustness.
    values : dict of str to float
        The behaviour measured on the board's own mismatch seed (units in the key's name).
    per_seed : dict of int to dict
        The same numbers for every mismatch seed run, and ``"passed"`` (1.0 or 0.0).
    result : Result or None
        The run on the board's own seed (with the project's stimulus), for plots; None if it could not run.
    populations : dict of str to ndarray
        Local indices (rows of ``result``) of each population.
    """

    project: str
    criteria: list[Criterion]
    values: dict[str, float]
    per_seed: dict[int, dict[str, float]]
    result: Result | None = None
    populations: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True if every criterion passed."""
        return all(c.passed for c in self.criteria)

    @property
    def failed(self) -> list[str]:
        """The names of the criteria that failed."""
        return [c.name for c in self.criteria if not c.passed]

    def part_passed(self, part: str) -> bool:
        """True if every criterion of one part (``"hardware"``, ``"behaviour"``, ``"robustness"``) passed."""
        if part not in PARTS:
            raise ParameterError(f"part = {part!r}; allowed: {', '.join(map(repr, PARTS))}")
        return all(c.passed for c in self.criteria if c.part == part)

    def score(self) -> dict[str, float]:
        """The rubric's automatic points: behaviour (40), hardware rules (20), robustness (20), of 80.

        Behaviour and hardware score the fraction of their criteria that pass (on the board's own
        mismatch seed); robustness gives 20 if the behaviour passes on every seed run, 10 if on all
        but one (of at least three), else 0. The written analysis (the last 20 of 100) is the
        teacher's.

        Returns
        -------
        dict of str to float
            ``behaviour``, ``hardware``, ``robustness`` and ``total`` points.
        """
        def fraction(part: str) -> float:
            rows = [c.passed for c in self.criteria if c.part == part]
            return sum(rows) / len(rows) if rows else 0.0

        runs = [v["passed"] for v in self.per_seed.values()]
        failed = len(runs) - int(sum(runs))
        robust = 20.0 if runs and failed == 0 else 10.0 if len(runs) >= 3 and failed == 1 else 0.0
        points = {"behaviour": round(40 * fraction("behaviour"), 1), "hardware": round(20 * fraction("hardware"), 1),
                  "robustness": robust}
        return {**points, "total": round(sum(points.values()), 1)}

    def table(self) -> Table:
        """The criteria as a :class:`~dynapse_edu.course.widgets.Table` (an HTML table in a notebook)."""
        rows = [[c.part, c.name, c.measured, c.target, "pass" if c.passed else "FAIL"] for c in self.criteria]
        return Table(["part", "criterion", "measured", "target", "result"], rows)

    def __str__(self) -> str:
        verdict = "all criteria pass" if self.passed else f"{len(self.failed)} of {len(self.criteria)} criteria fail"
        return f"{self.project}: {verdict}\n{self.table()}"

    def plot(self, ax: Axes | None = None) -> Axes:
        """Raster of the run on the board's own seed, one colour per population.

        Parameters
        ----------
        ax : Axes or None
            Where to draw; None makes a new figure.

        Returns
        -------
        Axes
            The axes drawn into.
        """
        (axis,) = panel_axes(ax, figsize=(8.0, 3.0))
        if self.result is None:
            axis.set_title("no run (the design did not load on the chip)")
            return axis
        for k, (name, rows) in enumerate(self.populations.items()):
            for j, row in enumerate(rows.tolist()):
                times = self.result.spike_times[row]
                axis.plot(times / ms, np.full(times.size, row), "|", color=f"C{k}", markersize=4,
                          label=name if j == 0 else None)
        axis.set_xlim(0, self.result.duration / ms)
        axis.set_xlabel("time (ms)")
        axis.set_ylabel("neuron")
        axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        return axis


# --- checks of the arguments --------------------------------------------------------------------
def _number(value: object, name: str, lo: float, hi: float, unit: str = "") -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if not (ok and math.isfinite(float(value)) and lo <= float(value) <= hi):
        suffix = f" {unit}" if unit else ""
        raise ParameterError(f"{name} = {value!r} is outside the allowed range [{lo:g}, {hi:g}]{suffix}")
    return float(value)


def _integer(value: object, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ParameterError(f"{name} = {value!r} must be an integer in {lo}..{hi}")
    return int(value)


def _band(value: object, name: str, lo: float, hi: float, unit: str) -> tuple[float, float]:
    try:
        low, high = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ParameterError(
            f"{name} = {value!r} must be a pair (low, high) in {unit}, within [{lo:g}, {hi:g}]"
        ) from None
    low, high = _number(low, f"{name}[0]", lo, hi, unit), _number(high, f"{name}[1]", lo, hi, unit)
    if not low < high:
        raise ParameterError(f"{name} = {value!r}: the low end must be below the high end")
    return low, high


def _seeds(value: object) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ParameterError(f"seeds = {value!r} must be a sequence of mismatch seeds (integers >= 0), e.g. (1, 2)")
    return tuple(_integer(s, "a mismatch seed", 0, 2**32 - 1) for s in value)


def _board(board: object) -> Board:
    if not isinstance(board, Board):
        raise ParameterError(f"board = {board!r:.80} must be a Board or a Chip (dynapse_edu.hardware)")
    return board


def _population(board: Board, population: object, name: str) -> Population:
    if not isinstance(population, Population) or population.board is not board:
        raise ParameterError(f"{name} = {population!r:.80} must be a Population allocated on this board (get_neurons)")
    if len(population) == 0:
        raise ParameterError(f"{name} is empty: a population needs at least 1 neuron")
    return population


def _method(method: object) -> str:
    if method not in ("fast", "reference"):
        raise ParameterError(f"method = {method!r}; allowed: 'fast', 'reference'")
    return str(method)


# --- hardware rules ---------------------------------------------------------------------------
def check_hardware(board: Board, populations: Mapping[str, Population]) -> list[Criterion]:
    """The hardware rules, recomputed from what the board holds (not from the student's word).

    Parameters
    ----------
    board : Board
        The design (a Board or Chip).
    populations : Mapping of str to ~dynapse_edu.hardware.board.Population
        The design's populations by name.

    Returns
    -------
    list of Criterion
        Hardware mode; mismatch; weights are CAM entries (integers 1..64); CAM entries per
        neuron <= 64; SRAM destination chips per neuron <= the free entries; no tag aliasing;
        one core per population; every bias of a used core within :data:`BIAS_TOLERANCE` of a
        (coarse, fine) setting.

    Raises
    ------
    ParameterError
        For a board that is not a Board or a population not allocated on it.

    Examples
    --------
    >>> chip = Chip(hardware=False)
    >>> pop = chip.get_neurons(2, core=0)
    >>> _ = chip.add_connection(pop, pop, "AMPA", weight=0.5)
    >>> [c.name for c in check_hardware(chip, {"pop": pop}) if not c.passed]
    ['hardware mode', 'mismatch', 'weights are CAM entries']
    """
    board = _board(board)
    pops = {name: _population(board, p, name) for name, p in populations.items()}
    from_input, pre, post, _, weight = board.connection_arrays()
    out = [
        Criterion("hardware", "hardware mode", f"{board.hardware}, pulses {'on' if board.pulses else 'off'}",
                  "True, pulses on (hardware=True)", board.hardware is True and board.pulses),
    ]
    spread = 0.0 if board.mismatch is None else board.mismatch.spread
    out.append(Criterion("hardware", "mismatch", "none" if board.mismatch is None else f"spread {spread:.0%}",
                         "spread > 0 (mismatch=Mismatch(...))", spread > 0))
    bad = weight[(weight != np.round(weight)) | (weight < 1) | (weight > CAM_PER_NEURON)]
    out.append(Criterion("hardware", "weights are CAM entries",
                         "all integers" if bad.size == 0 else f"{bad.size} bad, e.g. {bad[0]:g}",
                         f"integers 1..{CAM_PER_NEURON}", bad.size == 0))
    cam = np.bincount(post, weights=weight, minlength=board.n_chips * NEURONS_PER_CHIP)
    worst = int(np.argmax(cam)) if cam.size else 0
    where = f" (neuron {worst})" if weight.size else " (no connections)"
    out.append(Criterion("hardware", "CAM entries per neuron", f"{cam[worst]:g}{where}",
                         f"<= {CAM_PER_NEURON}", bool(cam[worst] <= CAM_PER_NEURON)))
    rec = ~from_input
    chips = {}
    for s, c in zip(pre[rec].tolist(), (post[rec] // NEURONS_PER_CHIP).tolist(), strict=True):
        chips.setdefault(s, set()).add(c)
    fan_out = max((len(v) for v in chips.values()), default=0)
    free = SRAM_PER_NEURON - int(board.monitor)
    out.append(Criterion("hardware", "SRAM destination chips per neuron", str(fan_out), f"<= {free}", fan_out <= free))
    senders: dict[tuple[int, int], dict[int, int]] = {}
    aliased = 0
    for s, p in zip(pre[rec].tolist(), post[rec].tolist(), strict=True):
        seen = senders.setdefault((p // NEURONS_PER_CHIP, p // NEURONS_PER_CORE), {})
        aliased += seen.setdefault(int(tag(s)), s) != s
    out.append(Criterion("hardware", "no tag aliasing", f"{aliased} aliased connections", "0", aliased == 0))
    split = [name for name, p in pops.items() if np.unique(p.ids // NEURONS_PER_CORE).size > 1]
    out.append(Criterion("hardware", "one core per population (shared biases)",
                         "yes" if not split else f"split: {', '.join(split)}", "each population on one core",
                         not split))
    cores = sorted({(p.chip_id, p.core) for p in pops.values()})
    error = max((abs(row.error) for chip, core in cores for row in board.get_biases(core, chip=chip)), default=0.0)
    out.append(Criterion("hardware", "biases are generator settings", f"largest error {error:.1%}",
                         f"<= {BIAS_TOLERANCE:.0%} from a (coarse, fine) setting", error <= BIAS_TOLERANCE))
    return out


def copy_with_mismatch(board: Board, seed: int) -> Board:
    """A copy of a design on another chip: the same spread of mismatch, with seed ``seed``.

    Everything else is the design's (a deep copy: biases, neurons, inputs,
    connections, routing memory, mode); the design itself is not changed. A design
    with no mismatch gets the default spread
    (10 %, :mod:`~dynapse_edu.hardware.mismatch`).

    Parameters
    ----------
    board : Board
        The design.
    seed : int
        Mismatch seed of the copy, >= 0.

    Returns
    -------
    Board
        The copy (same neuron ids, biases, inputs and connections).

    Raises
    ------
    ParameterError
        For a bad seed or board.

    Examples
    --------
    >>> chip, groups = start_working_memory()
    >>> other = copy_with_mismatch(chip, seed=5)
    >>> other.mismatch.seed, chip.mismatch.seed, len(other.connections) == len(chip.connections)
    (5, 0, True)
    """
    board = _board(board)
    seed = _integer(seed, "seed", 0, 2**32 - 1)
    mismatch = board.mismatch or Mismatch(spread=DEFAULT_SPREAD)
    copy = deepcopy(board)
    copy.mismatch = Mismatch(spread=mismatch.spread, distribution=mismatch.distribution, seed=seed)
    return copy


def _same(board: Board, population: Population) -> Population:
    """The population with the same ids on a copy of its board."""
    return Population(board, population.core, population.ids, population.chip_id)


def _run(board: Board, duration: float, method: str) -> Result:
    return board.run(duration, method=method, dt=None, at_spikes=False)


def _rows(result: Result, population: Population) -> np.ndarray:
    return np.searchsorted(result.neuron_ids, population.ids)


def _evaluate(
    project: str,
    board: Board,
    pops: dict[str, Population],
    seeds: tuple[int, ...],
    measure: Callable[[int], tuple[dict[str, float], list[Criterion], Result, Board]],
) -> Report:
    """Hardware rules, then the behaviour on the board's own seed and on every other seed."""
    criteria = check_hardware(board, pops)
    own = board.mismatch.seed if board.mismatch is not None else 0
    order = [own, *[s for s in seeds if s != own]]
    per_seed: dict[int, dict[str, float]] = {}
    values: dict[str, float] = {}
    result = None
    rows: dict[str, np.ndarray] = {}
    for seed in order:
        try:
            numbers, behaviour, run, copy = measure(seed)
        except DynapseError as error:
            criteria.append(Criterion("hardware", "the design with the stimulus loads on the chip",
                                      f"{type(error).__name__}: {error}", "no error", False))
            criteria.append(Criterion("behaviour", "behaviour", "not run", "the design loads", False))
            criteria.append(Criterion("robustness", "behaviour on every mismatch seed", "not run",
                                      "the design loads", False))
            return Report(project, criteria, values, per_seed)
        per_seed[seed] = {**numbers, "passed": float(all(c.passed for c in behaviour))}
        if seed == own:
            _, _, post, _, weight = copy.connection_arrays()
            ids = np.concatenate([p.ids for p in pops.values()])
            cam = int(np.bincount(post, weights=weight, minlength=ids.max() + 1)[ids].max())
            criteria.append(Criterion("hardware", "CAM entries with the stimulus", f"{cam} (most used)",
                                      f"<= {CAM_PER_NEURON}", cam <= CAM_PER_NEURON))
            criteria.extend(behaviour)
            values, result = numbers, run
            rows = {name: _rows(run, p) for name, p in pops.items()}
    good = sum(int(v["passed"]) for v in per_seed.values())
    criteria.append(Criterion("robustness", "behaviour on every mismatch seed",
                              f"{good} of {len(per_seed)} seeds ({', '.join(map(str, per_seed))})",
                              f"{len(per_seed)} of {len(per_seed)}", good == len(per_seed)))
    return Report(project, criteria, values, per_seed, result, rows)


# --- project 1: working memory --------------------------------------------------------------
def cue_stimulus(n: int, rate: float, start: float, stop: float, seed: int = 0) -> SpikeGenerator:
    """A cue: ``n`` Poisson sources at ``rate`` between ``start`` and ``stop``, silent otherwise.

    Parameters
    ----------
    n : int
        Number of sources, 1..256.
    rate : float
        Rate of each source during the cue, Hz, in (0, 1000].
    start, stop : float
        When the cue is on, s (0 <= start < stop <= 10).
    seed : int
        Seed of the spike times, >= 0.

    Returns
    -------
    SpikeGenerator
        The cue's spikes.

    Raises
    ------
    ParameterError
        For a value outside its range.

    Examples
    --------
    >>> idx, t = cue_stimulus(4, 200.0, 0.05, 0.15).spikes(0.5)
    >>> bool(t.min() >= 0.05 and t.max() < 0.15), len(t) > 40
    (True, True)
    """
    n = _integer(n, "n", 1, NEURONS_PER_CORE)
    rate = _number(rate, "rate", 1e-9, 1000.0, "Hz")
    start = _number(start, "start", 0.0, MAX_DURATION, "s")
    stop = _number(stop, "stop", start + 1e-6, MAX_DURATION, "s")
    seed = _integer(seed, "seed", 0, 2**32 - 1)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate * (stop - start), size=n)
    indices = np.repeat(np.arange(n), counts)
    times = rng.uniform(start, stop, size=indices.size)
    return SpikeGenerator(indices, times, n=n)


def start_working_memory(seed: int = 0) -> tuple[Chip, dict[str, Population]]:
    """The starting point of the working-memory project: 16 neurons with weak recurrent excitation.

    Core 0 holds the memory population; each neuron excites every neuron of
    the population through AMPA with 1 CAM entry (16 of 64). The reverberation
    is too weak: the activity the cue starts dies when it ends.

    Parameters
    ----------
    seed : int
        Mismatch seed of the chip.

    Returns
    -------
    (Chip, dict)
        The chip (hardware mode, mismatch) and ``{"memory": population}``.

    Examples
    --------
    >>> chip, groups = start_working_memory()
    >>> chip.cam_used(int(groups["memory"].ids[0]))
    16
    """
    chip = Chip(hardware=True, mismatch=Mismatch(spread=0.1, seed=seed))
    memory = chip.get_neurons(16, core=0)
    chip.add_connection(memory, memory, "AMPA", weight=1)
    return chip, {"memory": memory}


def check_working_memory(
    board: Board,
    memory: Population,
    cue_weight: int = 8,
    *,
    cue_rate: float = 200.0,
    cue: tuple[float, float] = (0.05, 0.15),
    duration: float = 0.5,
    band: tuple[float, float] = (20.0, 100.0),
    baseline_max: float = 2.0,
    min_active: float = 0.75,
    seeds: Sequence[int] = (1, 2),
    method: str = "fast",
) -> Report:
    """Check a working-memory design: quiet before the cue, persistent activity in a band after it.

    The check gives every memory neuron its own Poisson cue source
    (:func:`cue_stimulus`, one-to-one, AMPA, ``cue_weight`` CAM entries) on a copy of
    the board and measures the memory's rates before the cue, during it, and
    in the delay after it (from 50 ms after the cue ends to ``duration``).

    Parameters
    ----------
    board : Board
        The design.
    memory : ~dynapse_edu.hardware.board.Population
        The population that must remember.
    cue_weight : int
        CAM entries of each cue connection, 1..64 (they count in the neurons' 64).
    cue_rate : float
        Rate of each cue source, Hz, in (0, 1000].
    cue : (float, float)
        When the cue is on, s.
    duration : float
        Simulated time, s; the delay must last at least 100 ms.
    band : (float, float)
        Allowed persistent rate, Hz (in [0, 1000]).
    baseline_max : float
        Largest mean rate before the cue, Hz.
    min_active : float
        Smallest fraction of memory neurons firing in the delay (at least half the band's low end), 0..1.
    seeds : Sequence of int
        Other mismatch seeds to check robustness on (the board's own seed is always run).
    method : str
        ``"fast"`` or ``"reference"``.

    Returns
    -------
    Report
        Hardware rules; behaviour: ``baseline rate (Hz)``, ``cue rate (Hz)``,
        ``persistent rate (Hz)``, ``late/early ratio`` (the second half of the delay
        against the first: 1 is steady), ``active fraction``; robustness.

    Raises
    ------
    ParameterError
        For a value outside its range (named, with the range).

    Examples
    --------
    >>> chip, groups = start_working_memory()
    >>> report = check_working_memory(chip, groups["memory"], duration=0.3, seeds=())
    >>> round(report.values["persistent rate (Hz)"], 1), report.passed
    (0.0, False)
    """
    board = _board(board)
    memory = _population(board, memory, "memory")
    cue_weight = _integer(cue_weight, "cue_weight", 1, CAM_PER_NEURON)
    cue_rate = _number(cue_rate, "cue_rate", 1e-9, 1000.0, "Hz")
    on, off = _band(cue, "cue", 0.0, MAX_DURATION, "s")
    duration = _number(duration, "duration", off + 0.15, MAX_DURATION, "s")
    low, high = _band(band, "band", 0.0, 1000.0, "Hz")
    baseline_max = _number(baseline_max, "baseline_max", 0.0, 1000.0, "Hz")
    min_active = _number(min_active, "min_active", 0.0, 1.0)
    seeds, method = _seeds(seeds), _method(method)
    delay = (off + 0.05, duration)
    middle = (delay[0] + delay[1]) / 2

    def measure(seed: int) -> tuple[dict[str, float], list[Criterion], Result, Board]:
        copy = copy_with_mismatch(board, seed)
        target = _same(copy, memory)
        copy.add_connection(cue_stimulus(len(memory), cue_rate, on, off, seed=1), target, "AMPA", cue_weight,
                            rule="one_to_one")
        result = _run(copy, duration, method)
        spikes = [result.spike_times[r] for r in _rows(result, memory)]

        def rate(a: float, b: float) -> float:
            return sum(int(((s >= a) & (s < b)).sum()) for s in spikes) / len(spikes) / (b - a) if b > a else 0.0

        persistent = rate(*delay)
        early, late = rate(delay[0], middle), rate(middle, delay[1])
        each = np.array([((s >= delay[0]) & (s < delay[1])).sum() / (delay[1] - delay[0]) for s in spikes])
        numbers = {
            "baseline rate (Hz)": rate(0.0, on),
            "cue rate (Hz)": rate(on, off),
            "persistent rate (Hz)": persistent,
            "late/early ratio": late / early if early > 0 else 0.0,
            "active fraction": float(np.mean(each >= low / 2)),
        }
        behaviour = [
            Criterion("behaviour", "quiet before the cue", f"{numbers['baseline rate (Hz)']:.1f} Hz",
                      f"<= {baseline_max:g} Hz", numbers["baseline rate (Hz)"] <= baseline_max),
            Criterion("behaviour", "persistent rate after the cue", f"{persistent:.1f} Hz",
                      f"{low:g}..{high:g} Hz", low <= persistent <= high),
            Criterion("behaviour", "sustained (late / early half of the delay)",
                      f"{numbers['late/early ratio']:.2f}", "0.8..1.25",
                      0.8 <= numbers["late/early ratio"] <= 1.25),
            Criterion("behaviour", "memory neurons active in the delay", f"{numbers['active fraction']:.0%}",
                      f">= {min_active:.0%}", numbers["active fraction"] >= min_active),
        ]
        return numbers, behaviour, result, copy

    return _evaluate(PROJECTS[0], board, {"memory": memory}, seeds, measure)


def memory_panel(
    weight: int = 1,
    weight_current_pA: float = 100.0,
    synapse: str = "AMPA",
    seed: int = 0,
    ax: Axes | None = None,
) -> dict[str, float]:
    """The working-memory starting point with its reverberation changed: the memory's rate over time.

    16 neurons on core 0 excite each other with ``weight`` CAM entries of
    ``synapse``, whose weight current is set on the core; the check's cue
    (:func:`check_working_memory`, 200 Hz from 50 to 150 ms) is given and the
    population rate is drawn in 10 ms bins.

    The weight current is given as the original simulator's (an instant jump of
    ``alpha I_w0`` per CAM entry, 100 pA by default) and set on the core as its
    pulse equivalent, :meth:`~dynapse_edu.hardware.bank.BiasBank.pulse_weight` (the
    chip in hardware mode takes input spikes as 10 us pulses: 100 pA of AMPA
    becomes about 35 nA, the core's default). The cue is AMPA too: with
    ``synapse="AMPA"`` it changes with the loop's weight current.

    Parameters
    ----------
    weight : int
        CAM entries of each recurrent connection, 1..3 (with the cue's 8: at most 56 of 64).
    weight_current_pA : float
        The weight current of ``synapse`` as an instant jump's, pA, in [2, 1000] (set on the
        core as its pulse equivalent).
    synapse : str
        ``"AMPA"`` (fast, 3.5 ms at the default bias) or ``"NMDA"`` (slow, 35 ms).
    seed : int
        Mismatch seed.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        The check's behaviour numbers (``persistent rate (Hz)``, ...) and ``passed`` (1.0 or 0.0).

    Raises
    ------
    ParameterError
        For a value outside its range.

    Examples
    --------
    >>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
    >>> out = memory_panel(weight=1, ax=Figure().subplots())
    >>> out["persistent rate (Hz)"], out["passed"]
    (0.0, 0.0)
    """
    weight = _integer(weight, "weight", 1, 3)
    current = _number(weight_current_pA, "weight_current_pA", 2.0, 1000.0, "pA") * 1e-12
    if synapse not in ("AMPA", "NMDA"):
        raise ParameterError(f"synapse = {synapse!r}; allowed: 'AMPA', 'NMDA'")
    chip = Chip(hardware=True, mismatch=Mismatch(spread=0.1, seed=_integer(seed, "seed", 0, 2**32 - 1)))
    memory = chip.get_neurons(16, core=0)
    current = chip.bank(0).pulse_weight(synapse, current)
    chip.set_bias(0, **{"I_w0_ampa" if synapse == "AMPA" else "I_w0_nmda": current})
    chip.add_connection(memory, memory, synapse, weight=weight)
    report = check_working_memory(chip, memory, seeds=())
    (axis,) = panel_axes(ax, figsize=(7.0, 3.0))
    axis.axvspan(50, 150, color="0.9", zorder=0, label="cue")
    if report.result is not None:
        times = np.concatenate([np.zeros(0), *report.result.spike_times])
        edges = np.arange(0.0, report.result.duration + 1e-9, 0.01)
        axis.stairs(np.histogram(times, edges)[0] / len(memory) / 0.01, edges / ms, color="C0", linewidth=2,
                    label=f"persistent rate {report.values['persistent rate (Hz)']:.0f} Hz")
    axis.axhspan(20, 100, color="C2", alpha=0.15, zorder=0, label="target band")
    axis.set_xlabel("time (ms)")
    axis.set_ylabel("rate per neuron (Hz)")
    axis.set_ylim(0, 250)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return {**report.values, "passed": float(report.part_passed("behaviour"))}


# --- project 2: E/I oscillator --------------------------------------------------------------
def population_spectrum(
    spike_times: Sequence[np.ndarray], start: float, stop: float, bin_width: float = 1e-3
) -> tuple[np.ndarray, np.ndarray]:
    """Power spectrum of a population's activity: spikes binned, mean removed, Welch's method.

    Welch 1967, IEEE Trans. Audio Electroacoust. 15(2): the binned spike count is cut into
    segments of 256 bins (half overlapping, Hann window) whose periodograms are averaged.

    Parameters
    ----------
    spike_times : Sequence of ndarray
        Spike times of each neuron, s.
    start, stop : float
        The time window analysed, s (at least 64 bins long).
    bin_width : float
        Bin width, s, in [0.1 ms, 10 ms].

    Returns
    -------
    (ndarray, ndarray)
        Frequencies (Hz) and power (spikes^2 / Hz; only the shape matters).

    Raises
    ------
    ParameterError
        For a window shorter than 64 bins or a bad bin width.

    Examples
    --------
    >>> rng = np.random.default_rng(0)  # 20 neurons firing every 25 ms, each spike jittered by 3 ms
    >>> trains = [np.sort(np.arange(0.0, 1.0, 0.025) + rng.normal(0, 0.003, 40)) for _ in range(20)]
    >>> f, p = population_spectrum(trains, 0.1, 0.9)
    >>> float(f[np.argmax(p)])
    39.0625
    """
    bin_width = _number(bin_width, "bin_width", 1e-4, 1e-2, "s")
    start = _number(start, "start", 0.0, MAX_DURATION, "s")
    stop = _number(stop, "stop", start + 64 * bin_width, MAX_DURATION, "s")
    edges = np.arange(start, stop + bin_width / 2, bin_width)
    counts = np.histogram(np.concatenate([np.zeros(0), *spike_times]), edges)[0].astype(float)
    return welch(counts - counts.mean(), fs=1.0 / bin_width, nperseg=min(256, counts.size))


def _peak(spikes: Sequence[np.ndarray], start: float, stop: float) -> tuple[float, float]:
    """Frequency (Hz) of the largest peak in 5..200 Hz and its height over the median power there."""
    f, p = population_spectrum(spikes, start, stop)
    window = (f >= 5.0) & (f <= 200.0)
    k = int(np.argmax(p[window]))
    median = float(np.median(p[window]))
    return float(f[window][k]), float(p[window][k] / median) if median > 0 else 0.0


def start_oscillator(seed: int = 0) -> tuple[Chip, dict[str, Population]]:
    """The starting point of the oscillator project: driven excitation, inhibition that does not answer back.

    32 excitatory neurons on core 0, each driven by its own 400 Hz Poisson source
    (AMPA, 12 CAM entries); 8 inhibitory neurons on core 1 listen to all of them
    (AMPA, 1 entry). The loop is open: nothing goes back from the inhibitory
    neurons, and the excitatory neurons fire fast and irregularly out of step.

    Parameters
    ----------
    seed : int
        Mismatch seed of the chip.

    Returns
    -------
    (Chip, dict)
        The chip and ``{"exc": ..., "inh": ...}``.

    Examples
    --------
    >>> chip, groups = start_oscillator()
    >>> chip.cam_used(int(groups["inh"].ids[0])), chip.cam_used(int(groups["exc"].ids[0]))
    (32, 12)
    """
    chip = Chip(hardware=True, mismatch=Mismatch(spread=0.1, seed=seed))
    exc = chip.get_neurons(32, core=0)
    inh = chip.get_neurons(8, core=1)
    chip.add_connection(PoissonGenerator(32, 400.0, seed=1), exc, "AMPA", weight=12, rule="one_to_one")
    chip.add_connection(exc, inh, "AMPA", weight=1)
    return chip, {"exc": exc, "inh": inh}


def _lesioned(board: Board, exc: Population, seed: int) -> Board:
    """The control experiment: a copy whose excitatory core has its inhibitory synapse weights turned off."""
    copy = copy_with_mismatch(board, seed)
    for name in INHIBITORY_WEIGHTS:
        copy.set_bias(exc.core, name, 0, 0, chip=exc.chip_id)
    return copy


def check_oscillator(
    board: Board,
    exc: Population,
    inh: Population,
    *,
    duration: float = 1.0,
    skip: float = 0.1,
    band: tuple[float, float] = (20.0, 80.0),
    min_peak: float = 10.0,
    min_rate: float = 5.0,
    seeds: Sequence[int] = (1, 2),
    method: str = "fast",
) -> Report:
    """Check an E/I oscillator: a population rhythm in a band, made by the loop from aperiodic drive.

    The design's own inputs are its drive; they must be Poisson (a periodic
    input would impose a rhythm). The check measures the excitatory
    population's spectrum (:func:`population_spectrum`, from ``skip`` to
    ``duration``): the frequency of its largest peak in 5..200 Hz and the peak's
    height over the median power there. Then the control experiment: the same
    design with the inhibitory synapse weights of the excitatory core turned off
    (:data:`INHIBITORY_WEIGHTS` set to (0, 0)) must lose the rhythm: the control
    passes if the design has a rhythm (a peak of at least ``min_peak`` in the
    band) and the cut design has none.

    Parameters
    ----------
    board : Board
        The design, with its drive.
    exc, inh : ~dynapse_edu.hardware.board.Population
        The excitatory and the inhibitory population.
    duration : float
        Simulated time, s, in [0.4, 10].
    skip : float
        Start-up time left out of the analysis, s, in [0, duration - 0.3].
    band : (float, float)
        Allowed oscillation frequency, Hz, within [5, 200].
    min_peak : float
        Smallest peak height over the median power, >= 1.
    min_rate : float
        Smallest mean rate of the excitatory population, Hz.
    seeds : Sequence of int
        Other mismatch seeds to check robustness on.
    method : str
        ``"fast"`` or ``"reference"``.

    Returns
    -------
    Report
        Hardware rules (and: the drive is Poisson); behaviour: ``excitatory rate (Hz)``,
        ``inhibitory rate (Hz)``, ``frequency (Hz)``, ``peak height``, ``lesioned peak height``,
        ``lesioned frequency (Hz)``; robustness.

    Raises
    ------
    ParameterError
        For a value outside its range.

    Examples
    --------
    >>> chip, groups = start_oscillator()
    >>> report = check_oscillator(chip, groups["exc"], groups["inh"], duration=0.5, seeds=())
    >>> report.values["frequency (Hz)"] > 80, report.passed
    (True, False)
    """
    board = _board(board)
    exc, inh = _population(board, exc, "exc"), _population(board, inh, "inh")
    duration = _number(duration, "duration", 0.4, MAX_DURATION, "s")
    skip = _number(skip, "skip", 0.0, duration - 0.3, "s")
    low, high = _band(band, "band", 5.0, 200.0, "Hz")
    min_peak = _number(min_peak, "min_peak", 1.0, 1e6)
    min_rate = _number(min_rate, "min_rate", 0.0, 1000.0, "Hz")
    seeds, method = _seeds(seeds), _method(method)

    def rhythm(f: float, height: float) -> bool:
        return low <= f <= high and height >= min_peak

    def measure(seed: int) -> tuple[dict[str, float], list[Criterion], Result, Board]:
        copy = copy_with_mismatch(board, seed)
        result = _run(copy, duration, method)
        e_spikes = [result.spike_times[r] for r in _rows(result, exc)]
        i_rows = _rows(result, inh)
        f, height = _peak(e_spikes, skip, duration)
        lesion = _run(_lesioned(board, exc, seed), duration, method)
        lf, lheight = _peak([lesion.spike_times[r] for r in _rows(lesion, exc)], skip, duration)
        numbers = {
            "excitatory rate (Hz)": float(result.rates[_rows(result, exc)].mean()),
            "inhibitory rate (Hz)": float(result.rates[i_rows].mean()),
            "frequency (Hz)": f,
            "peak height": height,
            "lesioned frequency (Hz)": lf,
            "lesioned peak height": lheight,
        }
        behaviour = [
            Criterion("behaviour", "excitatory population active", f"{numbers['excitatory rate (Hz)']:.1f} Hz",
                      f">= {min_rate:g} Hz", numbers["excitatory rate (Hz)"] >= min_rate),
            Criterion("behaviour", "oscillation frequency", f"{f:.1f} Hz", f"{low:g}..{high:g} Hz", low <= f <= high),
            Criterion("behaviour", "spectral peak over the median power", f"{height:.1f}", f">= {min_peak:g}",
                      height >= min_peak),
            Criterion("behaviour", "control: no rhythm without inh -> exc",
                      f"{lf:.1f} Hz, peak {lheight:.1f}", "a rhythm that the cut removes",
                      rhythm(f, height) and not rhythm(lf, lheight)),
        ]
        return numbers, behaviour, result, copy

    report = _evaluate(PROJECTS[1], board, {"exc": exc, "inh": inh}, seeds, measure)
    kinds = sorted({type(s).__name__ for s in board.sources})
    aperiodic = all(isinstance(s, PoissonGenerator) for s in board.sources) and bool(kinds)
    report.criteria.insert(0, Criterion("hardware", "drive is Poisson (no imposed rhythm)",
                                        ", ".join(kinds) or "no input", "PoissonGenerator only", aperiodic))
    return report


# --- project 3: coincidence detector --------------------------------------------------------
def coincidence_stimulus(
    delays: Sequence[float] = DELAYS, repeats: int = 4, period: float = 0.05
) -> tuple[SpikeGenerator, np.ndarray, float]:
    """Test spikes of two sources A (0) and B (1): one trial per ``period``, interleaved conditions.

    The conditions are B ``delay`` after A, for each delay, then A alone, then B
    alone; the list is repeated ``repeats`` times. A trial's first spike comes 5 ms
    after the trial starts.

    Parameters
    ----------
    delays : Sequence of float
        Delays of B after A, s, each in [0, period - 10 ms].
    repeats : int
        Repetitions of the list, 1..50.
    period : float
        Trial length, s, in [20 ms, 1 s].

    Returns
    -------
    (SpikeGenerator, ndarray, float)
        The two sources' spikes; the condition of each trial (index into ``delays``,
        then ``len(delays)`` for A alone and ``len(delays) + 1`` for B alone); the total duration, s.

    Raises
    ------
    ParameterError
        For a value outside its range.

    Examples
    --------
    >>> gen, conditions, duration = coincidence_stimulus([0.0, 0.01], repeats=1)
    >>> conditions.tolist(), duration, gen.spikes(duration)[1].tolist()
    ([0, 1, 2, 3], 0.2, [0.005, 0.005, 0.055, 0.065, 0.105, 0.155])
    """
    repeats = _integer(repeats, "repeats", 1, 50)
    period = _number(period, "period", 0.02, 1.0, "s")
    if isinstance(delays, (str, bytes)) or not isinstance(delays, Sequence) or not delays:
        raise ParameterError(f"delays = {delays!r} must be a non-empty sequence of delays in s")
    delays = [_number(d, "a delay", 0.0, period - 0.01, "s") for d in delays]
    indices: list[int] = []
    times: list[float] = []
    conditions = np.tile(np.arange(len(delays) + 2), repeats)
    for trial, condition in enumerate(conditions.tolist()):
        t0 = trial * period + 0.005
        if condition < len(delays):
            indices += [0, 1]
            times += [t0, t0 + delays[condition]]
        else:
            indices.append(condition - len(delays))
            times.append(t0)
    return SpikeGenerator(np.array(indices), np.round(np.array(times), 9), n=2), conditions, conditions.size * period


def start_coincidence(seed: int = 0) -> tuple[Chip, dict[str, Population]]:
    """The starting point of the coincidence project: 8 detector neurons on core 2 at the default biases.

    With the default biases one input spike of 8 CAM entries (the check's
    default weight) makes a detector fire: it answers every input, together or
    not.

    Parameters
    ----------
    seed : int
        Mismatch seed of the chip.

    Returns
    -------
    (Chip, dict)
        The chip and ``{"detector": ...}``.

    Examples
    --------
    >>> chip, groups = start_coincidence()
    >>> groups["detector"]
    Population(chip=0, core=2, n=8, ids=[512, 513, 514, 515]...)
    """
    chip = Chip(hardware=True, mismatch=Mismatch(spread=0.1, seed=seed))
    return chip, {"detector": chip.get_neurons(8, core=2)}


def check_coincidence(
    board: Board,
    detector: Population,
    weight: int = 8,
    synapse: str = "AMPA",
    *,
    repeats: int = 4,
    p_together: float = 0.8,
    p_single: float = 0.3,
    p_apart: float = 0.3,
    apart: float = 10e-3,
    max_window: float = 5e-3,
    seeds: Sequence[int] = (1, 2),
    method: str = "fast",
) -> Report:
    """Check a coincidence detector: it answers A and B together, not each alone, not far apart.

    The check adds two test sources, A and B (:func:`coincidence_stimulus`, trials
    of 50 ms, delays :data:`DELAYS`), each connected to every detector neuron with
    ``weight`` CAM entries of ``synapse``. A neuron *responds* in a trial if it
    fires in it; each condition's response probability is averaged over the
    detector neurons and the repetitions.

    Parameters
    ----------
    board : Board
        The design.
    detector : ~dynapse_edu.hardware.board.Population
        The detector neurons.
    weight : int
        CAM entries of each test input connection, 1..32 (A and B together use twice that).
    synapse : str
        Synapse type of the test inputs (``"AMPA"`` or ``"NMDA"``).
    repeats : int
        Repetitions of each condition, 1..50.
    p_together : float
        Smallest response probability to A and B at the same time, 0..1.
    p_single : float
        Largest response probability to A alone or B alone, 0..1.
    p_apart : float
        Largest response probability to A and B ``apart`` or more apart, 0..1.
    apart : float
        The delay from which A and B count as apart, s, in (0, 20 ms].
    max_window : float
        Largest coincidence window (the longest delay still answered with probability >= 0.5), s, in [0, 20 ms].
    seeds : Sequence of int
        Other mismatch seeds to check robustness on.
    method : str
        ``"fast"`` or ``"reference"``.

    Returns
    -------
    Report
        Hardware rules; behaviour: ``P(together)``, ``P(single)``, ``P(apart)``,
        ``window (ms)``, ``selectivity`` (P(together) minus the larger of the other two),
        and ``P(delay = d ms)`` for each delay; robustness.

    Raises
    ------
    ParameterError
        For a value outside its range.

    Examples
    --------
    >>> chip, groups = start_coincidence()
    >>> report = check_coincidence(chip, groups["detector"], repeats=1, seeds=())
    >>> report.values["P(single)"], report.values["selectivity"]
    (1.0, 0.0)
    """
    board = _board(board)
    detector = _population(board, detector, "detector")
    weight = _integer(weight, "weight", 1, CAM_PER_NEURON // 2)
    if synapse not in ("AMPA", "NMDA"):
        raise ParameterError(f"synapse = {synapse!r}; allowed: 'AMPA', 'NMDA' (the test inputs excite)")
    repeats = _integer(repeats, "repeats", 1, 50)
    p_together = _number(p_together, "p_together", 0.0, 1.0)
    p_single = _number(p_single, "p_single", 0.0, 1.0)
    p_apart = _number(p_apart, "p_apart", 0.0, 1.0)
    apart = _number(apart, "apart", 1e-6, max(DELAYS), "s")
    max_window = _number(max_window, "max_window", 0.0, max(DELAYS), "s")
    seeds, method = _seeds(seeds), _method(method)
    period = 0.05

    def measure(seed: int) -> tuple[dict[str, float], list[Criterion], Result, Board]:
        copy = copy_with_mismatch(board, seed)
        stimulus, conditions, duration = coincidence_stimulus(DELAYS, repeats, period)
        copy.add_connection(stimulus, _same(copy, detector), synapse, weight)
        result = _run(copy, duration, method)
        rows = _rows(result, detector)
        responded = np.zeros((conditions.size, rows.size), dtype=bool)
        for j, row in enumerate(rows.tolist()):
            trials = (result.spike_times[row] // period).astype(np.int64)
            responded[trials[trials < conditions.size], j] = True
        p = np.array([responded[conditions == c].mean() for c in range(len(DELAYS) + 2)])
        by_delay = dict(zip(DELAYS, p[: len(DELAYS)].tolist(), strict=True))
        answered = [d for d, q in by_delay.items() if q >= 0.5]
        numbers = {
            "P(together)": by_delay[0.0],
            "P(single)": float(p[len(DELAYS):].max()),
            "P(apart)": max(q for d, q in by_delay.items() if d >= apart),
            "window (ms)": max(answered) / ms if answered else 0.0,
        }
        numbers["selectivity"] = numbers["P(together)"] - max(numbers["P(single)"], numbers["P(apart)"])
        numbers.update({f"P(delay = {d / ms:g} ms)": q for d, q in by_delay.items()})
        behaviour = [
            Criterion("behaviour", "answers A and B together", f"{numbers['P(together)']:.2f}",
                      f">= {p_together:g}", numbers["P(together)"] >= p_together),
            Criterion("behaviour", "ignores A alone and B alone", f"{numbers['P(single)']:.2f}",
                      f"<= {p_single:g}", numbers["P(single)"] <= p_single),
            Criterion("behaviour", f"ignores A and B {apart / ms:g} ms or more apart", f"{numbers['P(apart)']:.2f}",
                      f"<= {p_apart:g}", numbers["P(apart)"] <= p_apart),
            Criterion("behaviour", "coincidence window", f"{numbers['window (ms)']:g} ms",
                      f"<= {max_window / ms:g} ms", numbers["window (ms)"] <= max_window / ms + 1e-9),
        ]
        return numbers, behaviour, result, copy

    return _evaluate(PROJECTS[2], board, {"detector": detector}, seeds, measure)


def source(function: Callable[..., Any]) -> str:
    """The source code of a starting point, to copy into a notebook and improve.

    Parameters
    ----------
    function : Callable
        One of :func:`start_working_memory`, :func:`start_oscillator`, :func:`start_coincidence`.

    Returns
    -------
    str
        Its body, without the docstring.

    Raises
    ------
    ParameterError
        For any other function.

    Examples
    --------
    >>> print(source(start_coincidence))
    chip = Chip(hardware=True, mismatch=Mismatch(spread=0.1, seed=seed))
    return chip, {"detector": chip.get_neurons(8, core=2)}
    """
    if function not in (start_working_memory, start_oscillator, start_coincidence):
        raise ParameterError(f"function = {function!r:.60}: allowed: start_working_memory, start_oscillator, "
                             "start_coincidence")
    lines = inspect.getsource(function).splitlines()
    end = max(k for k, line in enumerate(lines) if line.strip() == '"""')
    return "\n".join(line[4:] for line in lines[end + 1:])


__all__ = [
    "PROJECTS",
    "PARTS",
    "DELAYS",
    "BIAS_TOLERANCE",
    "INHIBITORY_WEIGHTS",
    "MAX_DURATION",
    "Criterion",
    "Report",
    "check_hardware",
    "copy_with_mismatch",
    "cue_stimulus",
    "start_working_memory",
    "check_working_memory",
    "memory_panel",
    "population_spectrum",
    "start_oscillator",
    "check_oscillator",
    "coincidence_stimulus",
    "start_coincidence",
    "check_coincidence",
    "source",
]

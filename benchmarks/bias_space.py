"""Random corners of the bias space: do the two integrators agree, refuse together, never hang?

Usage::

    python benchmarks/bias_space.py [--settings 200] [--seed 0] [--duration 0.1] [--only K [K ...]]
                                    [--time-limit 60]

Each setting ``k`` draws, from ``numpy.random.default_rng([seed, k])``, every one of the 25 biases of
core 0 (coarse 0-7, fine 0-255, through :meth:`Chip.set_bias <dynapse_edu.hardware.board.Board.set_bias>`),
4 neurons, and a Poisson input (:func:`setting_chip`); it runs ``duration`` s with ``method="reference"``
and ``method="fast"`` (spike monitors only) and compares the spike counts. A setting

* **agrees** when both integrators give the same spike count per neuron within max(1, 2 %), or both
  refuse the setting (an :class:`~dynapse_edu.errors.DynapseError`: the limits of
  :mod:`dynapse_edu.engines.limits`);
* **differs** otherwise (one refuses, or the counts differ); the worst ones are printed with their
  biases so that they can be reproduced (``--only K``).

It also counts the differing settings whose relative count difference is above 5 % (or where one refuses:
issue 16's figure), runs over 10 s, crashes (any other exception) and NaN/inf in the spike times.
``--settings 400`` is issue 16's sweep (about 35 min on the 2-core machine of ``benchmarks/README.md``;
``--verbose`` prints each setting as it finishes, so a long sweep shows its progress). A run
longer than ``--time-limit`` s is stopped (SIGALRM, reference only) and counted as a crash. Not a timed
test: it prints figures for ``benchmarks/README.md``. A fixed subset of 40 settings of seed 0 (those that run in
a fraction of a second), the two reproductions of issue 17 and the settings whose upswing Radau once delayed
run in ``tests/engines/test_bias_space.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from dynapse_edu import Chip, PoissonGenerator
from dynapse_edu.core.synapse import SYNAPSE_TYPES
from dynapse_edu.errors import DynapseError
from dynapse_edu.hardware.biasgen import BIAS_NAMES, FINE_MAX, N_COARSE

#: Neurons per setting.
N_NEURONS = 4
#: A run longer than this is counted as slow, s.
SLOW = 10.0
#: The disagreement issue 16 counts: a relative spike-count difference above this (:func:`distance`).
ISSUE_TOLERANCE = 0.05


def random_biases(seed: int, k: int) -> dict[str, tuple[int, int]]:
    """Setting ``k`` of ``seed``: every bias of a core, (coarse 0-7, fine 0-255), drawn uniformly."""
    rng = np.random.default_rng([seed, k])
    return {name: (int(rng.integers(N_COARSE)), int(rng.integers(FINE_MAX + 1))) for name in BIAS_NAMES}


def random_input(seed: int, k: int) -> tuple[float, list[float]]:
    """The input of setting ``k``: a Poisson rate (Hz, 10-300) and one weight (0.5-4) per synapse type."""
    rng = np.random.default_rng([seed, k, 1])
    return float(rng.uniform(10.0, 300.0)), [float(w) for w in rng.uniform(0.5, 4.0, len(SYNAPSE_TYPES))]


def setting_chip(seed: int, k: int) -> Chip:
    """A chip with setting ``k``: 4 neurons on core 0, the random biases, each neuron fed by its own Poisson
    source through each of the four synapse types (one weight per type)."""
    chip = Chip()
    pop = chip.get_neurons(N_NEURONS, core=0)
    for name, (coarse, fine) in random_biases(seed, k).items():
        chip.set_bias(0, name, coarse, fine)
    rate, weights = random_input(seed, k)
    source = PoissonGenerator(N_NEURONS, rate, seed=seed * 100_003 + k)
    for syn, w in zip(SYNAPSE_TYPES, weights, strict=True):
        chip.add_connection(source, pop, syn, weight=w, rule="one_to_one")
    return chip


@dataclass
class Outcome:
    """One integrator on one setting: spike counts or the refusal, the time, and what went wrong."""

    counts: np.ndarray | None = None
    refused: str = ""
    crashed: str = ""
    seconds: float = 0.0
    finite: bool = True


class _TooLong(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _TooLong


def run_one(chip: Chip, method: str, duration: float, time_limit: float) -> Outcome:
    """Run ``chip`` with ``method``; a refusal (DynapseError) or a crash is recorded, not raised."""
    out = Outcome()
    start = time.perf_counter()
    use_alarm = hasattr(signal, "SIGALRM") and time_limit > 0
    if use_alarm:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        result = chip.run(duration, method=method, dt=None, at_spikes=False)
        out.counts = np.asarray(result.spike_count)
        out.finite = all(np.all(np.isfinite(t)) for t in result.spike_times)
    except DynapseError as err:
        out.refused = f"{type(err).__name__}: {err}"
    except _TooLong:
        out.crashed = f"stopped after {time_limit:g} s"
    except Exception as err:  # noqa: BLE001 - a crash is what this benchmark counts
        out.crashed = f"{type(err).__name__}: {err}"
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    out.seconds = time.perf_counter() - start
    return out


def agree(a: Outcome, b: Outcome) -> bool:
    """Both refuse, or both give the same spike count per neuron within max(1, 2 %)."""
    if a.refused and b.refused:
        return True
    if a.counts is None or b.counts is None:
        return False
    tol = np.maximum(1.0, 0.02 * np.maximum(a.counts, b.counts))
    return bool(np.all(np.abs(a.counts - b.counts) <= tol))


def distance(a: Outcome, b: Outcome) -> float:
    """How far apart two outcomes are (for ranking the worst): relative count difference; 1 if one refuses."""
    if a.counts is None or b.counts is None:
        return 1.0
    return float(np.max(np.abs(a.counts - b.counts) / np.maximum(1.0, np.maximum(a.counts, b.counts))))


@dataclass
class Tally:
    agree: int = 0
    both_refuse: int = 0
    differ: list[tuple[float, int, Outcome, Outcome]] = field(default_factory=list)
    slow: list[tuple[int, str, float]] = field(default_factory=list)
    crashes: list[tuple[int, str, str]] = field(default_factory=list)
    nonfinite: list[tuple[int, str]] = field(default_factory=list)


def describe(outcome: Outcome) -> str:
    if outcome.counts is not None:
        return str(outcome.counts.tolist())
    return outcome.refused or outcome.crashed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=int, default=200, help="number of random settings (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the settings (default 0)")
    parser.add_argument("--duration", type=float, default=0.1, help="simulated time per run, s (default 0.1)")
    parser.add_argument("--only", type=int, nargs="*", help="run only these setting numbers")
    parser.add_argument("--time-limit", type=float, default=60.0, help="stop a run after this many s (default 60)")
    parser.add_argument("--verbose", action="store_true", help="one line per setting")
    args = parser.parse_args(argv)

    ks = args.only if args.only else range(args.settings)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    if hasattr(os, "getloadavg"):
        print("load average at start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    tally = Tally()
    start = time.perf_counter()
    for k in ks:
        chip = setting_chip(args.seed, k)
        ref = run_one(chip, "reference", args.duration, args.time_limit)
        fast = run_one(chip, "fast", args.duration, args.time_limit)
        for name, o in (("reference", ref), ("fast", fast)):
            if o.seconds > SLOW:
                tally.slow.append((k, name, o.seconds))
            if o.crashed:
                tally.crashes.append((k, name, o.crashed))
            if not o.finite:
                tally.nonfinite.append((k, name))
        if agree(ref, fast):
            tally.agree += 1
            tally.both_refuse += bool(ref.refused and fast.refused)
        else:
            tally.differ.append((distance(ref, fast), k, ref, fast))
        if args.verbose:
            print(f"  setting {k:3d}: reference {describe(ref)[:90]} ({ref.seconds:.2f} s); "
                  f"fast {describe(fast)[:90]} ({fast.seconds:.2f} s)", flush=True)
    n = len(ks)
    print(f"settings: {n} (seed {args.seed}, {args.duration:g} s each, {N_NEURONS} neurons), "
          f"total {time.perf_counter() - start:.0f} s")
    print(f"agree: {tally.agree} (of which both refuse: {tally.both_refuse})")
    print(f"differ: {len(tally.differ)}")
    above = sorted(k for d, k, _, _ in tally.differ if d > ISSUE_TOLERANCE)
    print(f"spike-count disagreement above {ISSUE_TOLERANCE:.0%} (or one refuses): {len(above)}"
          + (f" (settings {', '.join(map(str, above))})" if above else ""))
    print(f"runs over {SLOW:g} s: {len(tally.slow)}" + "".join(f"\n  setting {k} {m}: {s:.1f} s"
                                                               for k, m, s in tally.slow))
    print(f"crashes: {len(tally.crashes)}" + "".join(f"\n  setting {k} {m}: {c}" for k, m, c in tally.crashes))
    print(f"NaN/inf: {len(tally.nonfinite)}")
    for d, k, ref, fast in sorted(tally.differ, key=lambda x: -x[0])[:5]:
        print(f"differs, setting {k} (relative difference {d:.2f}): reference {describe(ref)}, fast {describe(fast)}")
        print(f"  biases: {random_biases(args.seed, k)}")
        print(f"  input: rate, weights (AMPA, NMDA, GABA_A, GABA_B) = {random_input(args.seed, k)}")
    return 0 if not (tally.differ or tally.crashes or tally.nonfinite) else 1


if __name__ == "__main__":
    sys.exit(main())

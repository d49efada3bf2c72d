"""Wall time of the reference (solve_ivp) integrator on two workloads.

1. The part-1 case: one neuron, NMDA (w 0.5) + AMPA (w 2) from one 100 Hz
   input, 1 s biological time. Target: <= 0.5 s on a 2-core machine.
2. One core: 256 neurons, each with 8 AMPA connections (weight 3) from 256
   independent 20 Hz Poisson sources, 1 s biological time, spike monitors only.

Run: ``python benchmarks/reference_integrator.py [--repeat N] [--skip-core]``.
Prints the best of N wall times (warm process) and the output spike counts.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from dynapse_edu import PoissonGenerator, experiments
from dynapse_edu.core.dynamics import NeuronTable
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.engines.reference import run_reference


def part1() -> tuple[float, int]:
    t0 = time.perf_counter()
    result = experiments.part1(duration=1.0, dt=1e-4)
    return time.perf_counter() - t0, int(result.spike_count[0])


def one_core_network(seed: int = 0, fan_in: int = 8, weight: float = 3.0) -> Network:
    """256 default neurons; neuron k receives AMPA input from ``fan_in`` random sources of 256."""
    rng = np.random.default_rng(seed)
    sources = PoissonGenerator(256, 20.0, seed=seed)
    idx, times = sources.spikes(1.0)
    pre = np.concatenate([rng.choice(256, fan_in, replace=False) for _ in range(256)])
    post = np.repeat(np.arange(256), fan_in)
    external = Projection.build(256, pre, post, np.zeros(pre.size, np.int64), np.full(pre.size, weight))
    no_recurrent = Projection.build(256, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    return Network(NeuronTable.from_params(Params(), 256), np.arange(256), idx, times, external, no_recurrent)


def one_core() -> tuple[float, float, int]:
    t0 = time.perf_counter()
    net = one_core_network()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = run_reference(net, 1.0, Record(dt=None, neurons=(), at_spikes=False))
    return build, time.perf_counter() - t0, int(result.spike_count.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-core", action="store_true", help="only the part-1 case")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    part1()  # warm-up: imports, first calls
    runs = [part1() for _ in range(args.repeat)]
    best = min(r[0] for r in runs)
    print(f"part-1 case (1 s, reference): best of {args.repeat}: {best:.3f} s wall, {runs[0][1]} output spikes "
          f"(target <= 0.5 s)")
    if not args.skip_core:
        build, run, spikes = one_core()
        print(f"one core (256 neurons, 8 x 20 Hz Poisson AMPA inputs each, 1 s, reference): "
              f"build {build:.2f} s, run {run:.2f} s wall, {spikes} output spikes")


if __name__ == "__main__":
    main()

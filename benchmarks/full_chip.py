"""Full-chip benchmark: 1024 neurons (4 cores x 256), 64 AMPA inputs each, from a workload file.

Usage::

    python benchmarks/full_chip.py --workload tests/data/fullchip_example.npz \\
        [--method fast|reference] [--json OUT.json] [--chips 4] [--duration S] [--step H] \\
        [--threads N] [--repeat N] [--check-core S] [--no-part1] [--pulses]

The workload ``.npz`` holds ``pre_sources`` (1024 x 64 source ids), ``weights``
(1024 x 64 integers), ``in_indices`` and ``in_spike_times`` (the input spikes,
s) and optionally ``duration_s`` (default 1 s); neuron n sits on core n // 256,
every core at the default biases. ``--chips 4`` times a board of 4 such chips
(4096 neurons, the same wiring on each chip; chips 1-3 get their own
independent 20 Hz Poisson inputs, drawn like the file's). Monitors: spike
times only.

Prints and writes (``--json``) the machine, the wall time split into build
(workload -> :class:`~dynapse_edu.core.network.Network`) and run (the integrator,
including any compilation on a first run), total output spikes and the
per-neuron spike counts. Accuracy next to the speed (after the timed runs):
core 0 for ``--check-core`` S seconds (default 0.05) with both integrators,
the spike-count difference; and the part-1 single neuron, spike count and
largest spike-time difference (``--no-part1`` skips it). ``--pulses`` also runs the same
workload as a chip in hardware mode would (input spikes as 10 us pulses from the pulse weight
currents, :func:`~dynapse_edu.hardware.bank.pulse_params`), in the same process, and prints
its run time as a ratio to the instant jumps'.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

from dynapse_edu.core.dynamics import NeuronTable
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.engines.registry import simulate

NEURONS_PER_CORE = 256
DEFAULT_WORKLOAD = Path(__file__).resolve().parents[1] / "tests" / "data" / "fullchip_example.npz"


def load_workload(path: str | Path) -> dict[str, np.ndarray | float]:
    """The arrays of a workload file, checked for shape and range."""
    with np.load(path) as z:
        missing = {"pre_sources", "weights", "in_indices", "in_spike_times"} - set(z.files)
        if missing:
            raise ValueError(f"workload {path} lacks {sorted(missing)}")
        w = {k: z[k] for k in ("pre_sources", "weights", "in_indices", "in_spike_times")}
        w["duration_s"] = float(z["duration_s"]) if "duration_s" in z.files else 1.0
    if w["pre_sources"].shape != w["weights"].shape or w["pre_sources"].ndim != 2:
        raise ValueError(f"pre_sources {w['pre_sources'].shape} and weights {w['weights'].shape} must be equal 2-D")
    if w["in_indices"].shape != w["in_spike_times"].shape:
        raise ValueError("in_indices and in_spike_times must have the same length")
    return w


def poisson_like(n_sources: int, rate: float, duration: float, seed: int, grid: float = 20e-6):
    """Independent Poisson trains on a time grid, as the example workload's generator draws them."""
    rng = np.random.default_rng(seed)
    idx, times = [], []
    for src in range(n_sources):
        isi = rng.exponential(1.0 / rate, size=int(rate * duration * 2 + 20))
        t = np.cumsum(isi)
        t = np.unique(np.round(t[t < duration] / grid) * grid)
        idx.append(np.full(t.size, src))
        times.append(t)
    return np.concatenate(idx), np.concatenate(times)


def workload_network(
    pre_sources: np.ndarray,
    weights: np.ndarray,
    in_indices: np.ndarray,
    in_spike_times: np.ndarray,
    params: Params | None = None,
    neurons: np.ndarray | None = None,
) -> Network:
    """The Network of a workload: post n gets AMPA inputs from ``pre_sources[n]`` with ``weights[n]``.

    ``neurons`` keeps a subset of the posts (e.g. one core); the input
    sources keep their numbers.
    """
    n_all, fan_in = pre_sources.shape
    keep = np.arange(n_all) if neurons is None else np.asarray(neurons)
    n = keep.size
    n_sources = int(max(pre_sources.max(), in_indices.max() if in_indices.size else 0)) + 1
    pre = pre_sources[keep].ravel()
    post = np.repeat(np.arange(n), fan_in)
    external = Projection.build(n_sources, pre, post, np.zeros(pre.size, np.int64), weights[keep].ravel())
    recurrent = Projection.build(n, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    order = np.argsort(in_spike_times, kind="stable")
    table = NeuronTable.from_params(params or Params(), n)
    return Network(
        table, keep.astype(np.int64), np.asarray(in_indices, np.int64)[order],
        np.asarray(in_spike_times, float)[order], external, recurrent,
    )


def board_workload(w: dict, n_chips: int, seed: int = 100) -> dict:
    """``n_chips`` copies of the chip wiring; chip c > 0 gets its own inputs (seed + c)."""
    n_src = int(w["pre_sources"].max()) + 1
    duration = w["duration_s"]
    pre = [w["pre_sources"]]
    idx, times = [w["in_indices"]], [w["in_spike_times"]]
    for c in range(1, n_chips):
        pre.append(w["pre_sources"] + c * n_src)
        i, t = poisson_like(n_src, 20.0, duration, seed + c)
        idx.append(i + c * n_src)
        times.append(t)
    return {
        "pre_sources": np.concatenate(pre), "weights": np.tile(w["weights"], (n_chips, 1)),
        "in_indices": np.concatenate(idx), "in_spike_times": np.concatenate(times), "duration_s": duration,
    }


def run(net: Network, duration: float, method: str, step: float | None = None, threads: int | None = None):
    """Run with spike monitors only; the fast engine's step and threads can be given."""
    record = Record(dt=None, neurons=(), at_spikes=False)
    if method == "fast" and (step is not None or threads is not None):
        from dynapse_edu.engines.fast import DEFAULT_STEP, run_fast

        return run_fast(net, duration, record, step=step or DEFAULT_STEP, threads=threads)
    return simulate(net, duration, method, record)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}


def check_core(w: dict, seconds: float, step: float | None) -> dict:
    """Core 0 (256 neurons) for ``seconds``, fast vs reference: total spike counts."""
    net = workload_network(
        w["pre_sources"], w["weights"], w["in_indices"], w["in_spike_times"], neurons=np.arange(NEURONS_PER_CORE)
    )
    t = time.perf_counter()
    ref = run(net, seconds, "reference")
    t_ref = time.perf_counter() - t
    fast = run(net, seconds, "fast", step)
    n_ref, n_fast = int(ref.spike_count.sum()), int(fast.spike_count.sum())
    return {
        "seconds": seconds, "reference_spikes": n_ref, "fast_spikes": n_fast,
        "relative_difference": (n_fast - n_ref) / max(n_ref, 1), "reference_wall_s": t_ref,
        "per_neuron_max_abs_difference": int(np.abs(fast.spike_count - ref.spike_count).max()),
    }


def check_part1(step: float | None) -> dict:
    from dynapse_edu.engines.registry import METHODS
    from dynapse_edu.experiments import part1

    if step is not None:
        from dynapse_edu.engines.fast import run_fast

        METHODS["fast_step"] = functools.partial(run_fast, step=step)
    ref = part1(dt=None).spike_times[0]
    fast = part1(dt=None, method="fast" if step is None else "fast_step").spike_times[0]
    out = {"reference_spikes": int(ref.size), "fast_spikes": int(fast.size)}
    if ref.size == fast.size:
        out["max_spike_time_difference_s"] = float(np.abs(ref - fast).max()) if ref.size else 0.0
    return out


def hardware_params() -> Params:
    """The parameters a core of a chip in hardware mode has at its default biases: pulses of 10 us."""
    from dynapse_edu.hardware.bank import BiasBank, pulse_params

    return BiasBank(pulse_params(), pulses=True).neuron_params()


def timed_runs(net: Network, duration: float, args: argparse.Namespace):
    """Run ``args.repeat`` times: the last result, and each run's wall and CPU time (s)."""
    wall, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        result = run(net, duration, args.method, args.step, args.threads)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return result, wall, cpu


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", default=str(DEFAULT_WORKLOAD), help="workload .npz (default: tests/data/...)")
    ap.add_argument("--method", default="fast", choices=["fast", "reference"])
    ap.add_argument("--json", help="write the figures to this JSON file")
    ap.add_argument("--chips", type=int, default=1, help="1 = one chip, 4 = a board (4096 neurons)")
    ap.add_argument("--duration", type=float, help="simulated time in s (default: the workload's)")
    ap.add_argument("--step", type=float, help="fast engine step in s (default: engines.fast.DEFAULT_STEP, 100e-6)")
    ap.add_argument("--threads", type=int, help="fast engine threads (default: one per core)")
    ap.add_argument("--repeat", type=int, default=1, help="run this many times in this process (warm timings)")
    ap.add_argument("--check-core", type=float, default=0.05, metavar="S",
                    help="accuracy: also run core 0 for S s with both integrators (default 0.05; 0 = skip)")
    ap.add_argument("--no-part1", dest="part1", action="store_false",
                    help="skip the accuracy check on the part-1 single neuron")
    ap.add_argument("--pulses", action="store_true",
                    help="also run it with hardware mode's input pulses and print the time ratio pulses / jumps")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    out_load = os.getloadavg()
    w = load_workload(args.workload)
    if args.chips > 1:
        w = board_workload(w, args.chips)
    duration = args.duration or w["duration_s"]
    t = time.perf_counter()
    net = workload_network(w["pre_sources"], w["weights"], w["in_indices"], w["in_spike_times"])
    build_s = time.perf_counter() - t
    result, run_s, run_cpu_s = timed_runs(net, duration, args)
    counts = result.spike_count
    out = {
        "workload": str(args.workload), "method": args.method, "chips": args.chips, "neurons": net.n,
        "step_s": args.step, "threads": args.threads,
        "duration_s": duration, "input_spikes": int(net.input_times.size),
        "build_s": build_s, "run_s": run_s, "run_cpu_s": run_cpu_s, "load_average_before": out_load,
        "total_s_since_start": time.perf_counter() - t_start,
        "total_output_spikes": int(counts.sum()), "mean_rate_hz": float(counts.mean() / duration),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "machine": machine(),
        "spike_counts": counts.tolist(),
    }
    print(f"workload {out['workload']}: {net.n} neurons, {out['input_spikes']} input spikes, {duration:g} s")
    print(f"machine: {out['machine']['cpu']}, {out['machine']['cores']} cores")
    print(f"method {args.method}: build {build_s:.3f} s, run " + ", ".join(f"{r:.3f}" for r in run_s) + " s wall ("
          + ", ".join(f"{r:.3f}" for r in run_cpu_s) + " s CPU; load average before: "
          + ", ".join(f"{x:.1f}" for x in out_load) + ")")
    print(f"output spikes {out['total_output_spikes']} (mean {out['mean_rate_hz']:.1f} Hz), "
          f"max RSS {out['max_rss_mb']:.0f} MB")
    if args.pulses:
        net_p = workload_network(w["pre_sources"], w["weights"], w["in_indices"], w["in_spike_times"],
                                 params=hardware_params())
        pulsed, pulse_s, pulse_cpu_s = timed_runs(net_p, duration, args)
        out["pulses"] = {
            "run_s": pulse_s, "run_cpu_s": pulse_cpu_s, "total_output_spikes": int(pulsed.spike_count.sum()),
            "cpu_ratio_to_jumps": min(pulse_cpu_s) / min(run_cpu_s), "wall_ratio_to_jumps": min(pulse_s) / min(run_s),
            "load_average_after": os.getloadavg(),
        }
        q = out["pulses"]
        print("with hardware mode's pulses (10 us, pulse weight currents): run "
              + ", ".join(f"{r:.3f}" for r in pulse_s) + " s wall (" + ", ".join(f"{r:.3f}" for r in pulse_cpu_s)
              + f" s CPU), {q['total_output_spikes']} output spikes; pulses / jumps: CPU "
              f"{q['cpu_ratio_to_jumps']:.2f}, wall {q['wall_ratio_to_jumps']:.2f} (fastest of each; load average "
              "after: " + ", ".join(f"{x:.1f}" for x in q["load_average_after"]) + ")")
    if args.check_core > 0:
        out["check_core"] = check_core(w, args.check_core, args.step)
        c = out["check_core"]
        print(f"accuracy, core 0 for {c['seconds']:g} s: reference {c['reference_spikes']} spikes, fast "
              f"{c['fast_spikes']} ({100 * c['relative_difference']:+.3f} %), largest per-neuron difference "
              f"{c['per_neuron_max_abs_difference']} (reference took {c['reference_wall_s']:.1f} s)")
    if args.part1:
        out["part1"] = check_part1(args.step)
        p = out["part1"]
        print(f"accuracy, part 1: reference {p['reference_spikes']} spikes, fast {p['fast_spikes']}, "
              f"largest spike-time difference {1e6 * p.get('max_spike_time_difference_s', np.nan):.2f} us")
    print("per-neuron spike counts:")
    print(np.array2string(counts, max_line_width=120, threshold=sys.maxsize))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()

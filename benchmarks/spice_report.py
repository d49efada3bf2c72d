"""Transistor level vs behavioural model: the measured figures of issue 5.

Runs every comparison of :mod:`dynapse_edu.spice.compare` (ngspice through PySpice),
prints the agreement (ratios model / ngspice) and the time each took, and
writes one figure with all panels.

    .venv/bin/python benchmarks/spice_report.py [--out build/spice_report.png] [--no-cache]

Targets: DPI decay tau and single-pulse peak within 10 %; neuron F-I within
15 % from 10 pA to 2 nA. The exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def main(argv: list[str] | None = None) -> int:
    import matplotlib.pyplot as plt

    from dynapse_edu import spice
    from dynapse_edu.spice import calibration as cal
    from dynapse_edu.spice import compare

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/spice_report.png", help="figure file (PNG)")
    parser.add_argument("--no-cache", action="store_true", help="rerun ngspice even when results are cached")
    args = parser.parse_args(argv)
    cache = not args.no_cache

    print(f"ngspice {spice.ngspice_version()}, cache {'off' if not cache else spice.cache_dir()}")
    t0 = time.perf_counter()
    tr = cal.extract_transistor(cache=cache)
    print(f"model card (circuits/models/generic018.lib): {tr.summary()}  [{time.perf_counter() - t0:.2f} s]\n")

    jobs = [
        ("transistor", lambda: compare.compare_transistor(tr, cache=cache)),
        ("DPI pulse", lambda: compare.compare_dpi_pulse(transistor=tr, cache=cache)),
        ("DPI pulse, 100 us", lambda: compare.compare_dpi_pulse({"tpulse": 100e-6}, transistor=tr, cache=cache)),
        ("DPI train", lambda: compare.compare_dpi_train(transistor=tr, cache=cache)),
        ("DPI gain", lambda: compare.compare_dpi_gain(transistor=tr, cache=cache)),
        ("neuron F-I", lambda: compare.compare_neuron_fi(transistor=tr, cache=cache)),
        ("neuron adaptation", lambda: compare.compare_neuron_adaptation(transistor=tr, cache=cache)),
    ]
    results, failed = [], []
    for label, job in jobs:
        t = time.perf_counter()
        cmp = job()
        print(cmp.report())
        print(f"  [{label}: {time.perf_counter() - t:.2f} s]\n")
        results.append(cmp)
        if not cmp.ok:
            failed.append(label)

    fig, axes = plt.subplots(4, 2, figsize=(11, 13))
    for cmp, ax in zip(results, axes.flat, strict=False):
        cmp.plot(ax)
        if cmp.spice_x is not None:
            ax.set_xlim(0, min(ax.get_xlim()[1], 0.06))
    for ax in axes.flat[len(results) :]:
        ax.axis("off")
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"figure: {out}; total {time.perf_counter() - t0:.1f} s")
    if failed:
        print(f"targets missed: {', '.join(failed)}")
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The part-1 experiment as a command: ``python -m dynapse_edu.course.demo [--out FILE]``.

One neuron driven by a 100 Hz input through an NMDA (weight 0.5) and an AMPA
(weight 2) synapse for 1 s, as in the original simulator's first exercise.
Prints the output spike count and writes a figure of the membrane and
synapse currents with the output spikes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

from .. import experiments, plot


def main(argv: list[str] | None = None) -> Path:
    """Run the part-1 experiment, print its spike count and save its figure.

    Parameters
    ----------
    argv : list of str or None
        The command's arguments (None: ``sys.argv[1:]``): ``--out FILE`` (the
        figure, default ``build/part1.png``; its folder is created) and
        ``--duration SECONDS`` (default 1).

    Returns
    -------
    pathlib.Path
        The figure file written.

    Examples
    --------
    Saving the figure takes over half a second, so the doctests do not run this
    example (``tests/course/test_demo.py`` does the same):

    >>> out = main(["--out", "build/part1.png", "--duration", "0.1"])  # doctest: +SKIP
    part 1: 6 output spikes in 0.1 s; figure written to build/part1.png
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/part1.png", help="figure file to write (default build/part1.png)")
    parser.add_argument("--duration", type=float, default=1.0, help="simulated time in s (default 1)")
    args = parser.parse_args(argv)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = experiments.part1(duration=args.duration)
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    plot.currents(result, ["I_mem"], ax=axes[0])
    axes[0].set_title(f"Part 1: one DPI neuron, NMDA + AMPA input ({result.spike_count[0]} output spikes)")
    plot.currents(result, ["I_ampa", "I_nmda", "I_nmda_gated"], threshold=False, ax=axes[1])
    plot.raster(result, ax=axes[2])
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print(f"part 1: {result.spike_count[0]} output spikes in {args.duration:g} s; figure written to {out}")
    return out


if __name__ == "__main__":
    main()

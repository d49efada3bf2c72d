"""How long a student waits after moving a slider: every widget of the book against the part-1 run.

Each widget of the book is one panel function behind ``widgets.explore``
(:mod:`dynapse_edu.course.widgets`); moving a slider calls it once. This script
calls every panel with the controls the book gives it, in three settings:

* ``default``: the panel's defaults (what the page shows first);
* ``low``: every slider at its lower end, every drop-down at its first choice;
* ``high``: every slider at its upper end, every drop-down at its last choice;

and divides each wall time by the wall time of the part-1 reference run (1 s
of one neuron, ``solve_ivp``, :func:`dynapse_edu.experiments.part1`) measured
in the same process just before that widget (best of 2), so that a change of
the machine's load during the run moves both. The goal (issue 13): every ratio at most 1. Drawing is
included (matplotlib Agg, a new figure per call); the fast engine's first
compile is not (a warm-up call runs first). ``dpi_pulse_panel`` runs ngspice at
every new setting and is timed with an empty result cache; ``comparison_panel``
shows comparisons the chapter has already run, and is timed with the cache warm.

Run: ``python benchmarks/widgets.py [--repeat N] [--skip-spice] [--only NAME]``.
Exit status 1 if a ratio is above 1 (so ``make`` can check it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from dynapse_edu import experiments  # noqa: E402
from dynapse_edu.core.synapse import SYNAPSE_TYPES  # noqa: E402
from dynapse_edu.course import capstone  # noqa: E402
from dynapse_edu.course import widgets_behaviour as wb  # noqa: E402
from dynapse_edu.course import widgets_chip as wch  # noqa: E402
from dynapse_edu.course import widgets_circuits as wc  # noqa: E402
from dynapse_edu.course import widgets_foundations as wf  # noqa: E402
from dynapse_edu.course import widgets_routing as wr  # noqa: E402
from dynapse_edu.course import widgets_transistors as wt  # noqa: E402
from dynapse_edu.errors import HardwareLimitError, ParameterError  # noqa: E402
from dynapse_edu.hardware.biasgen import BIAS_NAMES  # noqa: E402

# The controls of every widgets.explore call of the book (book/*.ipynb), as (low, high) per argument:
# a slider's two ends, or a drop-down's first and last choice.
WIDGETS: dict[str, tuple[Callable[..., Any], dict[str, tuple[Any, Any]]]] = {
    # name: (panel, controls)
    "tau_explorer (ch 1)": (wc.tau_explorer, {"C_pF": (0.5, 10.0), "I_tau_pA": (1.0, 100.0)}),
    "subthreshold_panel (biology)": (wf.subthreshold_panel, {"kappa": (0.5, 0.9),
                                                                        "temperature_C": (0.0, 100.0)}),
    "adex_panel (biology)": (wf.adex_panel, {"I_nA": (0.0, 2.0), "a_nS": (0.0, 20.0), "b_pA": (0.0, 300.0),
                                                        "tau_w_ms": (20.0, 500.0)}),
    "phase_plane_panel (biology)": (wf.phase_plane_panel, {"I_const_pA": (0.0, 3000.0),
                                                                      "I_w_ahp_pA": (0.5, 20.0),
                                                                      "I_tau_ahp_pA": (1.0, 20.0)}),
    "input_playground_panel (biology)": (
        wf.input_playground_panel,
        {"kind": ("regular", "cosine"), "rate": (10.0, 400.0), "weight": (0.5, 8.0), "depth": (0.0, 1.0),
         "frequency": (1.0, 20.0)}),
    "ff_relu_panel (biology)": (wf.ff_relu_panel, {"weight": (0.5, 8.0), "max_rate": (100.0, 400.0),
                                                              "input": ("regular", "poisson")}),
    "synapse_kernel_panel (ch 2)": (
        wc.synapse_kernel_panel,
        {"synapse": (SYNAPSE_TYPES[0], SYNAPSE_TYPES[-1]), "weight": (0.25, 4.0), "I_tau_pA": (2.0, 80.0),
         "alpha": (1.0, 10.0)}),
    "pulse_panel (ch 2)": (wc.pulse_panel, {"width_us": (1.0, 2000.0), "I_w_nA": (1.0, 50.0), "I_g_pA": (10.0, 500.0),
                                            "rate_Hz": (10.0, 400.0), "I_tau_pA": (5.0, 80.0)}),
    "pulse_panel with transistors (ch 2, ngspice)": (
        wc.pulse_panel, {"width_us": (5.0, 500.0), "rate_Hz": (50.0, 400.0), "I_w_nA": (2.0, 40.0),
                         "circuit": (True, True)}),
    "neuron_panel (ch 3)": (wc.neuron_panel, {"I_const_pA": (0.0, 3000.0), "t_ref_ms": (0.0, 30.0),
                                              "I_tau_mem_pA": (1.0, 50.0)}),
    "part1_panel (ch 3)": (wc.part1_panel, {"nmda_weight": (0.0, 2.0), "ampa_weight": (0.0, 4.0)}),
    "routing_panel (ch 4)": (wch.routing_panel, {"n_sources": (1, 64), "weight": (1, 16), "target_chips": (1, 4)}),
    "bias_panel (ch 5)": (wch.bias_panel, {"name": (BIAS_NAMES[0], BIAS_NAMES[-1]), "coarse": (0, 7),
                                           "fine": (0, 255), "input_synapse": (SYNAPSE_TYPES[0], SYNAPSE_TYPES[-1])}),
    "bias_board_panel (ch 5)": (wch.bias_board_panel, {"settings": ({name: (0, 0) for name in BIAS_NAMES},
                                                                    {name: (7, 255) for name in BIAS_NAMES})}),
    "fi_panel (ch 6)": (wb.fi_panel, {"max_current_pA": (500.0, 4000.0), "I_tau_mem_pA": (1.0, 40.0)}),
    "ff_panel (ch 6)": (wb.ff_panel, {"synapse": ("AMPA", "NMDA"), "weights": ((2.0,), (8.0,)),
                                      "max_rate": (50.0, 400.0)}),
    "adaptation_panel (ch 7)": (wb.adaptation_panel, {"I_w_ahp_pA": (0.5, 8.0), "I_tau_ahp_pA": (1.0, 20.0),
                                                      "weight": (2.0, 8.0)}),
    "nmda_gate_panel (ch 8)": (wb.nmda_gate_panel, {"I_nmda_thr_pA": (1.0, 1000.0), "nmda_weight": (0.1, 2.0)}),
    "inhibition_panel (ch 8)": (wb.inhibition_panel, {"gaba_a_weight": (0.01, 0.2), "gaba_b_weight": (0.5, 4.0),
                                                      "rate": (50.0, 300.0)}),
    "mismatch_factor_panel (ch 9)": (
        wb.mismatch_factor_panel,
        {"spread": (0.0, 0.3), "seed": (0, 20), "distribution": ("lognormal", "gaussian"),
         "bias": ("IF_TAU1_N", "PS_WEIGHT_EXC_F_N")}),
    "mismatch_fi_panel (ch 9)": (wb.mismatch_fi_panel, {"spread": (0.0, 0.3), "seed": (0, 20),
                                                        "n_neurons": (2, 32)}),
    "comparison_panel (ch 10, ngspice)": (wt.comparison_panel, {"which": ("transistor", "neuron_adaptation")}),
    "dpi_pulse_panel (ch 10, ngspice)": (wt.dpi_pulse_panel, {"iw_nA": (10.0, 40.0), "tpulse_us": (50.0, 200.0),
                                                              "itau_pA": (10.0, 40.0)}),
    "wta_panel (ch 11)": (wt.wta_panel, {"rate_a": (40.0, 160.0), "rate_b": (40.0, 160.0), "w_exc": (1, 7),
                                         "w_inh": (0, 6)}),
    "routing_explorer (ch 13)": (wr.routing_explorer, {"network": (wr.NETWORKS[0], wr.NETWORKS[-1]), "n": (2, 256),
                                                       "weight": (1, 64), "mapping": ("compact", "spread"),
                                                       "n_chips": (1, 4), "monitor": (True, False)}),
    "handshake_figure (ch 13)": (wr.handshake_figure, {"n_events": (1, 8)}),
    "memory_panel (ch 14)": (capstone.memory_panel, {"weight": (1, 3), "weight_current_pA": (2.0, 200.0),
                                                     "synapse": ("AMPA", "NMDA"), "seed": (0, 5)}),
}

# Widgets whose every new setting is a new ngspice run: timed with an empty result cache. The other
# ngspice widget (comparison_panel) shows comparisons that the chapter's earlier cell has already run
# and cached, so it is timed warm, as a student meets it.
COLD = {"dpi_pulse_panel (ch 10, ngspice)", "pulse_panel with transistors (ch 2, ngspice)"}
#: Settings the library refused (timed up to the error), reported at the end.
REFUSED: set[str] = set()


def part1_reference() -> float:
    """Wall time of the part-1 case: 1 s of one neuron with the reference integrator, s."""
    t0 = time.perf_counter()
    experiments.part1(duration=1.0, dt=1e-4)
    return time.perf_counter() - t0


def timed_call(panel: Callable[..., Any], kwargs: dict[str, Any]) -> float:
    """Wall time of one call of ``panel(**kwargs)`` (a new pyplot figure, closed after), s.

    A setting the library refuses (the chapter-11 network with weights that overflow the CAM) is timed
    up to the error: the student sees the error's message, as fast as any figure.
    """
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # what a panel prints (comparison reports) is not timed output
            panel(**kwargs)
    except (ParameterError, HardwareLimitError) as error:
        arguments = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        arguments = arguments if len(arguments) <= 80 else arguments[:77] + "..."
        REFUSED.add(f"{panel.__name__}({arguments}): {type(error).__name__}")
    elapsed = time.perf_counter() - t0
    plt.close("all")
    return elapsed


def cold_call(panel: Callable[..., Any], kwargs: dict[str, Any]) -> float:
    """Like :func:`timed_call`, with an empty ngspice result cache: the run a new slider setting starts, s."""
    saved = os.environ.get("DYNAPSE_SPICE_CACHE")
    with tempfile.TemporaryDirectory() as empty:
        os.environ["DYNAPSE_SPICE_CACHE"] = empty
        try:
            return timed_call(panel, kwargs)
        finally:
            if saved is None:
                del os.environ["DYNAPSE_SPICE_CACHE"]
            else:
                os.environ["DYNAPSE_SPICE_CACHE"] = saved


def settings(controls: dict[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    """The three settings of a widget: defaults, every control at its low end, every control at its high end."""
    return {
        "default": {},
        "low": {name: ends[0] for name, ends in controls.items()},
        "high": {name: ends[1] for name, ends in controls.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="best of N calls per setting (default 2)")
    parser.add_argument("--skip-spice", action="store_true", help="leave out the ngspice widgets of chapter 10")
    parser.add_argument("--only", default="", help="only the widgets whose name contains this text")
    args = parser.parse_args(argv)

    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    part1_reference()  # warm-up: imports, first calls
    print(f"{'widget':36s} {'default':>8s} {'low':>8s} {'high':>8s}   (wall time / part-1 reference run)")
    worst = 0.0
    references = []
    for name, (panel, controls) in WIDGETS.items():
        if args.only not in name or (args.skip_spice and "ngspice" in name):
            continue
        reference = min(part1_reference() for _ in range(2))
        references.append(reference)
        ratios = []
        for kwargs in settings(controls).values():
            if name in COLD:
                best = min(cold_call(panel, kwargs) for _ in range(args.repeat))
            else:
                timed_call(panel, kwargs)  # warm-up: the fast engine's first compile in this process
                best = min(timed_call(panel, kwargs) for _ in range(args.repeat))
            ratios.append(best / reference)
        worst = max(worst, *ratios)
        flags = "" if max(ratios) <= 1.0 else "   <- slower than the reference run"
        print(f"{name:36s} " + " ".join(f"{r:8.2f}" for r in ratios) + flags, flush=True)
    for refused in sorted(REFUSED):
        print(f"refused by the library (the widget shows the error): {refused}")
    if references:
        print(f"part-1 reference run (1 s, one neuron, solve_ivp), best of 2 before each widget: "
              f"{min(references):.3f} to {max(references):.3f} s")
    print(f"\nworst ratio: {worst:.2f} (goal: <= 1)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

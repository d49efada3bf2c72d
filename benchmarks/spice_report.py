"""Transistor level vs behavioural model: the measured figures of issues 5 and 12.

Runs every comparison of :mod:`dynapse_edu.spice.compare` (ngspice through PySpice),
prints the agreement (ratios model / ngspice), the target of each and the wall time
it took (ngspice and model together), and writes one figure with all panels.

    .venv/bin/python benchmarks/spice_report.py [--out build/spice_report.png] [--no-cache]

Every comparison has a target (issue 12): transistor Id within 10 %; DPI single pulse
(peak, decay tau) within 10 %; DPI trains of 10 pulses at 20, 50, 100 and 200 Hz at three
weights (largest and mean current) within 15 %; DPI steady state from 1 to 16 nA within
15 %; neuron F-I from 10 pA to 2 nA within 10 %; adaptation at 200 pA (first five ISIs and
the adapted ISI) within 15 %; the upswing (I_mem 2, 1 and 0.5 ms before threshold at three
input currents) within 20 %; a 1 s transient of each neuron (2 nA input, never cached) within
60 s of wall time. The neuron comparisons run on both transistor neurons
(``neuron_adexp.cir``, the comparator variant, and ``neuron_dpi.cir``, the published spike
amplifier). The DPI trains compare the circuit with the DPI equation driven by the same finite
pulses (``core.synapse.dpi_pulse_response``) with the output exponent gamma = kappa_p / kappa_pair
of the pair's split measured around balance (``calibration.measure_pair_split``), the net leak
at Vsyn = Vthr (``calibration.measure_dpi_leak``); the steady state with the exponent of the
pair's transistors at its own operating point (``calibration.measure_pair_exponent``); every DPI
row reads the model's current through the output pFET's measured curve
(``calibration.measure_output_readout``).
The adaptation rows feed the model's AHP DPI by the netlist's own pulse (``Params.t_pulse_ahp``:
the refractory period in the comparator neuron, the AHP pulse extender in the DPI neuron). The last
line names the comparisons that miss their target; the exit code is 1 when one does.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

#: The pulse trains of issue 12: rates (Hz) and weight currents (A) of the DPI testbench.
TRAIN_RATES = (20.0, 50.0, 100.0, 200.0)
TRAIN_WEIGHTS = (5e-9, 10e-9, 20e-9)
#: The speed target of issue 12: a 1 s transient of a neuron (at this input, A) within this many seconds of wall time.
SPEED_INPUT, SPEED_LIMIT = 2e-9, 60.0


def neuron_speed(circuit: str) -> tuple[float, int]:
    """Wall time (s) of an uncached 1 s ngspice transient of a neuron at :data:`SPEED_INPUT`, and its spike count."""
    from dynapse_edu.spice import compare

    start = time.perf_counter()
    spikes, _ = compare.circuit_spikes(SPEED_INPUT, 1.0, cache=False, circuit=circuit)
    return time.perf_counter() - start, int(spikes.size)


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
    fb = cal.measure_feedback(cache=cache)
    print(
        "spike amplifier feedback (spike_amplifier_tb-dc.cir): inverter switches at I_mem = "
        f"{fb.i_switch * 1e9:.0f} nA; fitted up to I_th = {fb.i_max * 1e9:.1f} nA: "
        f"I_pfb_gain = {fb.gain * 1e12:.1f} pA, "
        f"I_pfb_th = {fb.threshold * 1e9:.2f} nA, I_pfb_norm = {fb.norm * 1e9:.2f} nA "
        f"(rms log error {fb.rms_log_error:.2f}; the comparator-era fit, printed for reference)"
    )
    pair = cal.measure_membrane_pair(ut=tr.Ut, cache=cache)
    nb = cal.measure_neuron_dpi_biases(transistor=tr, cache=cache)
    fj = nb.feedback_pair
    gain, n_pfb = cal.fit_power_law_on_pair(nb.feedback, nb.pair, nb.I_tau)
    print(
        f"DPI neuron membrane pair (neuron_dpi_tb-pair.cir, {pair.i_in * 1e12:g} pA in): kappa_pair = "
        f"{pair.kappa_pair:.3f} (J = I_g I_ML2/I_ML1, the model's I_mem), J ~ I_g (I_mem/I_g)^{pair.beta:.3f} below "
        f"10 nA; the switch at J = {fj.i_max * 1e6:.2f} uA (the model's I_th); feedback against J fitted from "
        f"I_fb = I_tau: I_pfb_gain = {gain * 1e9:.3f} nA (J / I_th)^{n_pfb:.3f}; refractory period "
        f"{nb.t_ref_transient * 1e3:.2f} ms on the transient, {nb.t_ref * 1e3:.2f} ms by the formula"
    )
    cf = cal.measure_comparator_feedback(cache=cache)
    print(
        "comparator feedback (spike_comparator_tb-dc.cir): spike decided at I_mem = "
        f"{cf.i_switch * 1e9:.3f} nA (the model's I_th); switch fitted: I_pfb_gain = {cf.gain * 1e9:.3f} nA, "
        f"I_pfb_th = {cf.threshold * 1e9:.3f} nA, I_pfb_norm = {cf.norm * 1e12:.2f} pA "
        f"(rms log error over the switch {cf.rms_log_error:.2f})"
    )
    gx = cal.measure_gain_exponent(transistor=tr, cache=cache)
    pair = cal.measure_pair_exponent({"iw": 10e-9}, transistor=tr, cache=cache)
    splits = [cal.measure_pair_split({"iw": w}, transistor=tr, cache=cache).gamma for w in TRAIN_WEIGHTS]
    db = cal.measure_dpi_biases(transistor=tr, cache=cache)
    readout = cal.measure_output_readout(db.I_g, transistor=tr, cache=cache)
    compression = ", ".join(f"{float(readout(i) / i):.3f} at {i * 1e9:g} nA" for i in (1e-9, 2e-9, 16e-9))
    print(
        f"DPI output exponent, steady state: gamma = kappa_p / kappa_pair = {pair.gamma:.3f}, the pair's nFETs "
        f"measured with their source at {pair.vsb:.3f} V (its operating point at I_w = 10 nA)\n"
        "DPI output exponent, trains (dpi_synapse_tb-leak.cir, the pair's split within 0.1 V of balance): gamma = "
        + " / ".join(f"{g:.3f}" for g in splits)
        + " at I_w = " + " / ".join(f"{w * 1e9:g}" for w in TRAIN_WEIGHTS) + " nA\n"
        f"DPI net leak at Vsyn = Vthr (dpi_synapse_tb-leak.cir): {db.I_leak * 1e12:.2f} pA against the replica's "
        f"I_tau {db.I_tau * 1e12:.2f} pA; tau = {db.tau * 1e3:.3f} ms\n"
        f"DPI output pFET against its exponential (the readout): {compression}\n"
        "DPI steady-state exponent fitted to the output (dpi_synapse_tb-pulse.cir, input held on, I_w 0.5-32 nA; "
        f"not the model's): gamma = {gx.gamma:.3f} (rms log error {gx.rms_log_error:.3f})\n"
    )

    jobs = [
        ("transistor", lambda: compare.compare_transistor(tr, cache=cache)),
        ("DPI pulse", lambda: compare.compare_dpi_pulse(transistor=tr, cache=cache)),
        ("DPI pulse, 100 us", lambda: compare.compare_dpi_pulse({"tpulse": 100e-6}, transistor=tr, cache=cache)),
    ]
    for iw in TRAIN_WEIGHTS:
        for rate in TRAIN_RATES:
            jobs.append(
                (
                    f"DPI train {rate:g} Hz, I_w {iw * 1e9:g} nA",
                    lambda rate=rate, iw=iw: compare.compare_dpi_train(
                        rate, 10, {"iw": iw}, transistor=tr, cache=cache
                    ),
                )
            )
    jobs.append(("DPI gain", lambda: compare.compare_dpi_gain(transistor=tr, cache=cache)))
    for circuit in compare.NEURON_CIRCUITS:
        jobs += [
            (f"F-I ({circuit})", lambda c=circuit: compare.compare_neuron_fi(transistor=tr, cache=cache, circuit=c)),
            (
                f"adaptation ({circuit})",
                lambda c=circuit: compare.compare_neuron_adaptation(transistor=tr, cache=cache, circuit=c),
            ),
            (
                f"upswing ({circuit})",
                lambda c=circuit: compare.compare_neuron_upswing(transistor=tr, cache=cache, circuit=c),
            ),
        ]
    results, failed = [], []
    for label, job in jobs:
        cmp = compare.timed(job)
        print(cmp.report())
        print(f"  [{label}: {cmp.wall_time:.2f} s]\n")
        results.append(cmp)
        if not cmp.ok:
            failed.append(label)
    n_targets = len(results)
    for circuit in compare.NEURON_CIRCUITS:
        wall, n_spikes = neuron_speed(circuit)
        ok = wall <= SPEED_LIMIT
        print(
            f"1 s transient, {circuit} neuron, {SPEED_INPUT * 1e9:g} nA input ({n_spikes} spikes, not cached): "
            f"wall {wall:.1f} s ({'within' if ok else 'OUTSIDE'} the {SPEED_LIMIT:g} s target)"
        )
        n_targets += 1
        if not ok:
            failed.append(f"1 s transient ({circuit})")

    ncols = 3
    nrows = math.ceil(len(results) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(16, 3.3 * nrows))
    for cmp, ax in zip(results, axes.flat, strict=False):
        cmp.plot(ax)
        if cmp.spice_x is not None:
            ax.set_xlim(0, min(ax.get_xlim()[1], 0.6))
    for ax in axes.flat[len(results) :]:
        ax.axis("off")
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)
    print(f"figure: {out}; default neuron netlist: {compare.DEFAULT_NEURON}; total {time.perf_counter() - t0:.1f} s")
    if failed:
        print(f"targets missed ({len(failed)} of {n_targets}): {', '.join(failed)}")
        return 1
    print(f"all {n_targets} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

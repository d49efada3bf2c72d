"""Circuit vs behavioural model: the measured targets of issue 5.

Runs ngspice (fails in CI without it, skips elsewhere) with a fresh result
cache per session. Targets held here: DPI decay tau and single-pulse peak within 10 %,
the twelve trains of issue 12 (10 pulses at 20-200 Hz, 5-20 nA) within 15 %, the steady state
from 1 to 16 nA within 15 % (with the calibrated exponent and the output pFET's curve), neuron
F-I within 10 % from 10 pA to 2 nA and the upswing within 20 % (both transistor neurons). Every
comparison carries a target (issue 12).
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt  # (tests/conftest.py has chosen the Agg backend)
import numpy as np
import pytest

from dynapse_edu.core.synapse import dpi_pulse_response, dpi_steady_state
from dynapse_edu.errors import ParameterError
from dynapse_edu.spice import calibration as cal
from dynapse_edu.spice import compare
from dynapse_edu.spice import ngspice as spice

pytestmark = pytest.mark.usefixtures("ngspice")


@pytest.fixture(scope="module")
def tr() -> cal.TransistorFit:
    return cal.extract_transistor()


@pytest.mark.parametrize("netlist_params", [{}, {"tpulse": 100e-6}, {"iw": 4e-9, "tpulse": 200e-6}])
def test_dpi_pulse_peak_and_tau_within_10_percent(tr, netlist_params):
    cmp = compare.compare_dpi_pulse(netlist_params, transistor=tr)
    ratios = cmp.ratios
    assert set(ratios) == {"peak current (A)", "decay tau (s)"}
    assert cmp.ok, cmp.report()
    assert all(abs(r - 1) <= 0.10 for r in ratios.values())
    # the behavioural decay is the core's tau, fed with the calibrated parameters
    assert cmp.extra["tau_predicted"] == pytest.approx(cmp.extra["biases"].tau, rel=1e-9)


def test_dpi_train_model_is_the_finite_pulse_dpi(tr):
    """Issue 12: the train's model side is the DPI equation driven by the netlist's pulses, not instant jumps."""
    cmp = compare.compare_dpi_train(rate=200.0, n_pulses=5, transistor=tr)
    assert set(cmp.metrics) == {"largest current (A)", "mean current (A)"} and cmp.target == 0.15
    b = cmp.extra["biases"]
    starts = 5e-3 + np.arange(5) / 200.0
    gamma = cmp.extra["pair"].gamma
    assert gamma == cal.measure_pair_split({}, tr).gamma  # the split at the testbench's own weight current
    ode = dpi_pulse_response(cmp.x, starts, b.pulse_width, b.I_w, b.I_g, b.I_leak, b.tau, b.I_rest, gamma)
    readout = cal.measure_output_readout(b.I_g, transistor=tr)
    # exactly the core's finite-pulse DPI with the calibrated biases and exponent, read through the output pFET
    np.testing.assert_allclose(cmp.model, readout(ode))
    assert 0.85 < gamma < 0.87  # kappa_p / kappa_pair at the pair's balance, measured on the pair, not on a train
    s, m = cmp.metrics["largest current (A)"]
    assert 0.85 < m / s < 1.15  # follows the circuit
    s_jump, jump = cmp.unscored["largest, instant jumps (A)"]
    assert s_jump > 2 * jump > 0  # equal instant jumps, calibrated from rest, fall far short
    s_ideal, ideal = cmp.unscored["largest, ideal DPI (A)"]
    assert ideal > m  # without the exponent the DPI overshoots here, above I_g
    assert "(not scored)" in cmp.report() and "largest, instant jumps (A)" not in cmp.ratios
    assert cmp.reference is not None and cmp.reference.shape == cmp.model.shape


@pytest.mark.parametrize("iw", [5e-9, 10e-9, 20e-9])
@pytest.mark.parametrize("rate", [20.0, 50.0, 100.0, 200.0])
def test_dpi_trains_within_15_percent(tr, iw, rate):
    """Issue 12's grid: 10 pulses at 20-200 Hz at three weights, largest and mean current within 15 %."""
    cmp = compare.compare_dpi_train(rate=rate, netlist_params={"iw": iw}, transistor=tr)
    assert cmp.ok, cmp.report()
    assert all(abs(r - 1) <= 0.15 for r in cmp.ratios.values())


def test_pulse_edges_are_left_out_of_the_circuit_trace(tr):
    """At 5 nA the 1 ns edge of the ideal pulse source couples a glitch larger than the synaptic current."""
    cmp = compare.compare_dpi_train(rate=50.0, n_pulses=2, netlist_params={"iw": 5e-9}, transistor=tr)
    run = spice.run(cal.DPI_TB, {"tstart": 5e-3, "tperiod": 0.02, "npulse": 2, "pulse_dc": 0, "iw": 5e-9,
                                 "tstop": 5e-3 + 2 / 50.0 + 0.02})
    assert run["i(vout)"].max() > 2 * cmp.spice.max()  # the raw trace's largest value is the glitch
    s, m = cmp.metrics["largest current (A)"]
    assert s == cmp.spice.max() and 0.8 < m / s < 1.1  # the synaptic current, as the model computes it
    kept = compare.pulse_edge_mask([0.0, 1e-3, 1.0005e-3, 1.002e-3], [1e-3], 1e-3)
    assert kept.tolist() == [True, False, False, True]


def test_dpi_gain_carries_the_pairs_exponent(tr):
    """The steady state with the pair's measured exponent, read through the output pFET: within 15 % from
    1 to 16 nA; without the readout (the exponential output) the circuit grows more slowly above 4 nA."""
    weights = (1e-9, 4e-9, 16e-9)
    cmp = compare.compare_dpi_gain(weights, transistor=tr)
    assert np.all(np.diff(cmp.spice) > 0) and np.all(np.diff(cmp.model) > 0)
    ratios = np.array(list(cmp.ratios.values()))
    assert cmp.ok and np.all(np.abs(ratios - 1) <= 0.15), cmp.report()
    exponential = np.array([o / s for key, (s, o) in cmp.unscored.items() if key.startswith("exponential")])
    assert len(exponential) == 3 and np.all(np.diff(exponential) > 0) and exponential[2] > 1.15
    gammas = cmp.extra["gammas"]
    for w, gamma, model in zip(weights, gammas, cmp.model, strict=True):
        pair = cal.measure_pair_exponent({"iw": w}, tr)
        assert gamma == pair.gamma and 0.83 < gamma < 0.845
        b = cal.measure_dpi_biases({"iw": w, "pulse_dc": 0}, tr)
        readout = cal.measure_output_readout(b.I_g, transistor=tr)
        expected = readout(float(dpi_steady_state(b.I_w, b.I_g, b.I_tau, gamma)))
        assert model == pytest.approx(float(expected), rel=1e-12)
    ideal = [o / s for key, (s, o) in cmp.unscored.items() if key.startswith("ideal")]
    assert len(ideal) == 3 and all(r > 1.8 for r in ideal)  # the ideal DPI (gamma = 1) overestimates 2-3 x
    gain = cmp.extra["gain"]
    fitted = [o / s for key, (s, o) in cmp.unscored.items() if key.startswith("gamma")]
    assert len(fitted) == 3 and all(abs(r - 1) < 0.03 for r in fitted)  # a power law fitted to the sweep
    assert gain.gamma < gammas.min() - 0.015  # ... is smaller than the pair's: the output pFET compresses


def test_pair_exponent_is_measured_at_the_pairs_own_source(tr):
    """The pair's common source falls as the weight current grows; kappa_pair is the body-effect nFET's there."""
    low, high = cal.measure_pair_exponent({"iw": 2e-9}, tr), cal.measure_pair_exponent({"iw": 20e-9}, tr)
    assert 0.9 < high.vsb < low.vsb < 1.1
    assert tr.kappa_n < low.kappa_pair < tr.kappa_n_body  # between the grounded source's and the 1.2 V one's
    assert low.gamma == pytest.approx(tr.kappa_p / low.kappa_pair)


CIRCUITS_FI = compare.NEURON_CIRCUITS


@pytest.mark.parametrize("circuit", CIRCUITS_FI)
def test_neuron_fi_within_10_percent(tr, circuit):
    currents = (5e-12, 10e-12, 50e-12, 200e-12, 1e-9, 2e-9)
    cmp = compare.compare_neuron_fi(currents, transistor=tr, n_isi=6, circuit=circuit)
    assert len(cmp.metrics) == 5  # 5 pA is drawn, not scored
    assert cmp.target == 0.10 and cmp.ok, cmp.report()
    assert np.all(np.diff(cmp.spice) > 0), "the circuit's F-I curve must rise"
    assert np.all(np.diff(cmp.model) > 0)
    assert cmp.spice[-1] > 100  # the neuron really fires


def test_neuron_adaptation_lengthens_intervals(tr):
    cmp = compare.compare_neuron_adaptation(transistor=tr, duration=0.15)
    s, m = cmp.unscored["adaptation last/first"]
    assert s > 1.2 and m > 1.2  # both adapt (the AHP's charge per spike grows with I_ahp in both)
    assert cmp.metrics["ISI 1 (s)"][1] == pytest.approx(cmp.metrics["ISI 1 (s)"][0], rel=0.15)
    assert len(cmp.metrics) == 6 and cmp.target == 0.15  # five ISIs and the adapted one


def test_dpi_neuron_adaptation_is_fed_by_its_own_pulse(tr):
    """The AHP pulse width, not the refractory bias, sets the DPI neuron's adaptation (issue 12)."""
    short = compare.compare_neuron_adaptation(500e-12, 300e-12, 0.1, transistor=tr, circuit="dpi")
    s_short, _ = short.unscored["adaptation last/first"]
    assert s_short > 1.1  # 1.16: with the handshake's full 2.6 ms refractory period fewer spikes fit in 0.1 s
    longer = compare.compare_neuron_adaptation(
        500e-12, 300e-12, 0.1, {"tpulse_ahp": 200e-6}, transistor=tr, circuit="dpi"
    )
    assert longer.unscored["adaptation last/first"][0] > s_short  # a wider AHP pulse adapts more
    # the model's AHP pulse is the netlist's (Params.t_pulse_ahp), and its adaptation follows
    assert longer.extra["params"].t_pulse_ahp > 1.5 * short.extra["params"].t_pulse_ahp  # measured on the netlist
    assert longer.unscored["adaptation last/first"][1] > short.unscored["adaptation last/first"][1]


def test_comparator_neuron_adaptation_within_target(tr):
    """With the AHP fed by a pulse through the full DPI equation, each spike's charge grows with I_ahp as in
    the circuit: the first five ISIs and the adapted one within 15 % (issue 12; an instant jump gave 0.31)."""
    cmp = compare.compare_neuron_adaptation(transistor=tr)
    assert cmp.extra["params"].t_pulse_ahp == pytest.approx(cmp.extra["params"].t_ref)
    assert cmp.target == 0.15 and cmp.ok, cmp.report()


@pytest.mark.parametrize("circuit", CIRCUITS_FI)
def test_neuron_upswing_within_20_percent(tr, circuit):
    cmp = compare.compare_neuron_upswing((20e-12, 200e-12), transistor=tr, circuit=circuit)
    assert len(cmp.metrics) == 2 * len(compare.UPSWING_OFFSETS)
    i_th = float(compare.model_to_i_mem(cmp.extra["biases"])(cmp.extra["params"].I_th))
    assert np.nanmax(cmp.spice) <= 1.1 * i_th  # the window ends at the threshold
    assert cmp.target == 0.20 and cmp.ok, cmp.report()


def test_dpi_neuron_adaptation_within_target(tr):
    """Refractory period charged by the handshake, the model's I_mem the pair's ratio J: within 15 % (issue 12)."""
    cmp = compare.compare_neuron_adaptation(transistor=tr, circuit="dpi")
    assert cmp.target == 0.15 and cmp.ok, cmp.report()


def test_unknown_circuit_is_rejected():
    with pytest.raises(ParameterError, match="unknown neuron circuit"):
        compare.neuron_testbench("lif")


def test_transistor_comparison_and_plot(tr):
    cmp = compare.compare_transistor(tr)
    assert all(abs(r - 1) < 0.1 for r in cmp.ratios.values())
    ax = cmp.plot()
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    text = cmp.report()
    assert "ratio" in text and "nFET" in text
    plt.close("all")


def test_comparison_report_and_verdict():
    cmp = compare.Comparison(
        name="toy", x=np.arange(3.0), spice=np.ones(3), model=np.ones(3) * 1.2, x_label="x", y_label="y",
        metrics={"a": (1.0, 1.2)}, target=0.1, why="because",
    )
    assert cmp.ratios["a"] == pytest.approx(1.2)
    assert not cmp.ok and "OUTSIDE" in cmp.report() and "because" in cmp.report()
    timed = compare.timed(lambda: cmp)
    assert timed.wall_time is not None and "wall time" in timed.report()
    untargeted = compare.Comparison("t", np.zeros(1), np.ones(1), np.ones(1), "x", "y", {"a": (1.0, 9.0)})
    assert untargeted.ok and "no target" in untargeted.report()


def test_one_second_of_the_default_neuron_within_60_s():
    """Issue 12's speed target: a 1 s transient of the neuron (2 nA input, ~340 spikes) within 60 s wall."""
    start = time.perf_counter()
    spikes, run = compare.circuit_spikes(2e-9, 1.0, cache=False)
    wall = time.perf_counter() - start
    assert run["time"][-1] == pytest.approx(1.0) and spikes.size > 200
    assert wall <= 60.0, f"1 s transient took {wall:.1f} s"

"""Circuit vs behavioural model: the measured targets of issue 5.

Runs ngspice (fails in CI without it, skips elsewhere) with a fresh result
cache per session. Targets held here: DPI decay tau and single-pulse peak within 10 %,
neuron F-I within 10 % from 10 pA to 2 nA (both transistor neurons), the DPI neuron's
upswing within 20 %. Every comparison carries a target (issue 12).
"""

from __future__ import annotations

import matplotlib.pyplot as plt  # (tests/conftest.py has chosen the Agg backend)
import numpy as np
import pytest

from dynapse_edu.errors import ParameterError
from dynapse_edu.spice import calibration as cal
from dynapse_edu.spice import compare

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


def test_dpi_train_shows_the_nonlinear_charging(tr):
    """Documented difference: after the first pulse the circuit charges faster (linear regime) than equal jumps."""
    cmp = compare.compare_dpi_train(rate=200.0, n_pulses=5, transistor=tr)
    s, m = cmp.metrics["largest current (A)"]
    assert s > 2 * m > 0  # equal instant jumps, calibrated from rest, fall far short
    assert cmp.target == 0.15 and not cmp.ok  # issue 12's target, missed by the instant jumps
    # the ideal DPI equation driven by the same finite pulses follows the circuit (reported, not scored)
    for key in ("largest, ideal DPI eq. (A)", "mean, ideal DPI eq. (A)"):
        s_val, ode = cmp.unscored[key]
        assert ode / s_val == pytest.approx(1.0, abs=0.25)
        assert key not in cmp.ratios
    assert "(not scored)" in cmp.report()
    assert cmp.reference is not None and cmp.reference.shape == cmp.model.shape


def test_dpi_gain_comparison_is_monotone(tr):
    cmp = compare.compare_dpi_gain((1e-9, 4e-9, 16e-9), transistor=tr)
    assert np.all(np.diff(cmp.spice) > 0) and np.all(np.diff(cmp.model) > 0)
    assert all(r > 1 for r in cmp.ratios.values())  # the ideal DPI overestimates (kappa mismatch)


@pytest.mark.parametrize("circuit", compare.NEURON_CIRCUITS)
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
    assert s > 1.2 and m > 1.0  # both adapt; the circuit more (state-dependent AHP jump)
    assert cmp.metrics["ISI 1 (s)"][1] == pytest.approx(cmp.metrics["ISI 1 (s)"][0], rel=0.15)
    assert len(cmp.metrics) == 6 and cmp.target == 0.15  # five ISIs and the adapted one


def test_dpi_neuron_adaptation_is_fed_by_its_own_pulse(tr):
    """The AHP pulse width, not the refractory bias, sets the DPI neuron's adaptation (issue 12)."""
    short = compare.compare_neuron_adaptation(500e-12, 300e-12, 0.1, transistor=tr, circuit="dpi")
    s_short, _ = short.unscored["adaptation last/first"]
    assert s_short > 1.2
    longer = compare.compare_neuron_adaptation(
        500e-12, 300e-12, 0.1, {"tpulse_ahp": 200e-6}, transistor=tr, circuit="dpi"
    )
    assert longer.unscored["adaptation last/first"][0] > s_short  # a wider AHP pulse adapts more
    assert longer.extra["params"].I_w_ahp > short.extra["params"].I_w_ahp  # and the model's jump follows


def test_dpi_neuron_upswing_within_20_percent(tr):
    cmp = compare.compare_neuron_upswing((20e-12, 200e-12), transistor=tr, circuit="dpi")
    assert len(cmp.metrics) == 2 * len(compare.UPSWING_OFFSETS)
    assert cmp.target == 0.20 and cmp.ok, cmp.report()
    assert np.nanmax(cmp.spice) <= 1.1 * cmp.extra["params"].I_th  # the window ends at the threshold


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

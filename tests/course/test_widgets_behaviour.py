"""Tests of dynapse_edu.course.widgets_behaviour: the panels of chapters 6-9.

F-I and F-F curves, adaptation, NMDA gating and inhibition, mismatch: each
panel is checked against a law it must obey or against the library's own
experiments and integrators, not against numbers copied from a run.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynapse_edu import experiments  # noqa: E402
from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets_behaviour as wb  # noqa: E402
from dynapse_edu.errors import ParameterError  # noqa: E402
from dynapse_edu.units import pA  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- chapter 6 -------------------------------------------------------------------
def test_fi_panel_monotone_and_matches_experiment():
    out = wb.fi_panel(max_current_pA=1200.0, points=4, duration_ms=200.0)
    assert out["currents"][0] == 0.0 and out["currents"][-1] == pytest.approx(1200 * pA)
    assert out["rates"][0] == 0.0
    assert np.all(np.diff(out["rates"]) >= 0) and out["rates"][-1] > 0
    with pytest.raises(ParameterError, match="points"):
        wb.fi_panel(points=1)


def test_ff_panel_rate_grows_with_weight():
    out = wb.ff_panel("AMPA", weights=(2.0, 8.0), max_rate=200.0, points=2, duration_ms=200.0)
    assert list(out["input_rates"]) == [100.0, 200.0]
    assert np.all(out[8.0] >= out[2.0]) and out[8.0][-1] > out[2.0][-1]
    with pytest.raises(ParameterError, match="max_rate"):
        wb.ff_panel(max_rate=-1.0)


# --- chapter 7 -------------------------------------------------------------------
def test_adaptation_panel_intervals_grow_only_with_adaptation():
    adapting = wb.adaptation_panel(I_w_ahp_pA=2.0)
    assert adapting["last_isi"] > 1.5 * adapting["first_isi"]
    flat = wb.adaptation_panel(I_w_ahp_pA=0.001)
    assert flat["intervals"] > adapting["intervals"]
    assert flat["last_isi"] == pytest.approx(flat["first_isi"], rel=0.3)
    assert adapting["tau_ahp"] == pytest.approx(Params().tau_ahp)


# --- chapter 8 -------------------------------------------------------------------
def test_nmda_gate_panel_half_open_at_threshold():
    out = wb.nmda_gate_panel(I_nmda_thr_pA=50.0, duration_ms=100.0)
    assert out["at_threshold"] == pytest.approx(0.5)
    assert out["at_rest"] == pytest.approx(1 / (1 + 50.0), rel=1e-12)  # I0 = 1 pA


def test_nmda_gate_panel_run_passes_less_and_fires_less_with_a_higher_threshold():
    fig, axes = plt.subplots(1, 2)
    open_gate = wb.nmda_gate_panel(I_nmda_thr_pA=1.0, axes=axes)
    closed = wb.nmda_gate_panel(I_nmda_thr_pA=1000.0, axes=axes)
    assert 0 < closed["passed"] < open_gate["passed"] <= 1
    assert closed["output_spikes"] < open_gate["output_spikes"]
    # the dots of the run lie on the gate's curve: fraction passed = nmda_gate(1, I_mem)
    dots = [line for line in axes[0].lines if line.get_linestyle() == "None"][-1]  # the latest run's
    I_mem, fraction = (np.asarray(v) for v in dots.get_data())
    expected = 1 / (1 + 1000.0 * pA / (I_mem * pA))
    assert np.allclose(fraction, expected, rtol=0.05, atol=0.01)


def test_inhibition_lowers_rates_and_rejects_excitation():
    currents = np.array([900.0, 1800.0]) * pA
    free = wb.inhibited_rates(currents, None)
    for synapse, weight in (("GABA_A", 0.05), ("GABA_B", 2.0)):
        inhibited = wb.inhibited_rates(currents, synapse, weight, rate=100.0)
        assert np.all(inhibited <= free) and inhibited[0] < free[0]
    with pytest.raises(ParameterError, match="inhibitory synapse"):
        wb.inhibited_rates(currents, "AMPA")


def test_inhibition_panel_returns_three_curves():
    out = wb.inhibition_panel(points=2, max_current_pA=1800.0, duration_ms=200.0)
    assert set(out) == {"currents", "none", "GABA_A", "GABA_B"}
    assert all(len(out[k]) == 2 for k in ("none", "GABA_A", "GABA_B"))
    assert not math.isnan(out["none"][-1])


# --- chapter 9 -------------------------------------------------------------------
def test_mismatch_factor_panel_statistics():
    none = wb.mismatch_factor_panel(spread=0.0)
    assert none["min"] == none["max"] == 1.0
    out = wb.mismatch_factor_panel(spread=0.2, seed=3)
    # 256 samples: the sample std of a 20 % spread lies within ~10 % of it
    assert out["std"] == pytest.approx(0.2, rel=0.15)
    assert out["mean"] == pytest.approx(1.0, abs=0.05)
    assert out["min"] > 0
    with pytest.raises(ParameterError, match="spread"):
        wb.mismatch_factor_panel(spread=0.5, distribution="gaussian")


def test_mismatch_rates_without_spread_equal_the_single_neuron_fi_curve():
    currents = np.array([300.0, 800.0]) * pA
    rates = wb.mismatch_rates(currents, spread=0.0, n_neurons=4, duration=0.2, method="reference")
    expected = experiments.fi_curve(currents, duration=0.2)
    assert np.allclose(rates, expected[:, None])


def test_mismatch_fi_panel_spreads_the_curves():
    out = wb.mismatch_fi_panel(spread=0.2, n_neurons=12, max_current_pA=1000.0, points=3, duration_ms=300.0)
    assert out["rates"].shape == (3, 12)
    assert out["rates"][-1].std() > 0  # same biases, different rates
    assert np.isnan(out["cv"][0])  # no current: nobody fires
    assert out["cv"][-1] == pytest.approx(out["std"][-1] / out["mean"][-1])
    # the fast engine agrees with the reference integrator on the mismatched chip
    ref = wb.mismatch_rates(out["currents"][-1:], spread=0.2, n_neurons=12, duration=0.3, method="reference")
    assert np.allclose(ref[0], out["rates"][-1])


def test_closest_to_median():
    rates = np.array([[10.0, 50.0, 20.0, 22.0, 90.0]])
    assert wb.closest_to_median(rates, 1).tolist() == [3]
    assert wb.closest_to_median(rates, 3).tolist() == [0, 2, 3]
    with pytest.raises(ParameterError, match="n = 6"):
        wb.closest_to_median(rates, 6)


# --- every rate panel answers with the fast engine, and agrees with the reference -------
@pytest.mark.parametrize(("panel", "kwargs", "keys"), [
    (wb.fi_panel, {"max_current_pA": 2000.0, "points": 4, "duration_ms": 200.0}, ["rates"]),
    (wb.ff_panel, {"weights": (4.0,), "points": 3, "duration_ms": 200.0}, [4.0]),
    (wb.inhibition_panel, {"points": 3, "duration_ms": 200.0}, ["none", "GABA_A", "GABA_B"]),
])
def test_rate_panels_fast_by_default_and_within_one_spike_of_the_reference(panel, kwargs, keys):
    fast = panel(**kwargs)
    reference = panel(**kwargs, method="reference")
    one_spike = 1 / 0.2  # Hz: one output spike more or less in 200 ms
    for key in keys:
        assert np.abs(fast[key] - reference[key]).max() <= one_spike + 1e-9, key
    assert panel.__defaults__[-1] == "fast"


def test_adaptation_panel_fast_matches_the_reference_intervals():
    fast, reference = (wb.adaptation_panel(I_w_ahp_pA=2.0, method=m) for m in ("fast", "reference"))
    assert fast["intervals"] == reference["intervals"]
    assert fast["last_isi"] == pytest.approx(reference["last_isi"], abs=1e-4)  # 0.1 ms


def test_mismatch_factor_panel_shows_which_bias_sets_the_rate():
    fig, axes = plt.subplots(1, 2)
    identical = wb.mismatch_factor_panel(spread=0.0, duration_ms=100.0, axes=axes)
    assert identical["rate_std"] == 0.0 and math.isnan(identical["correlation"])
    assert identical["rate_mean"] == pytest.approx(experiments.fi_curve([1e-9], 0.1, method="fast")[0])
    input_bias = wb.mismatch_factor_panel(bias="IF_DC_P", axes=axes)
    unused_bias = wb.mismatch_factor_panel(bias="PS_WEIGHT_EXC_F_N", axes=axes)  # no AMPA input arrives
    assert input_bias["correlation"] > 0.4
    assert abs(unused_bias["correlation"]) < 0.2
    assert input_bias["rate_std"] == unused_bias["rate_std"] > 0  # the same chip: only the x axis differs


def test_adaptation_panel_draws_I_ahp_that_grows_with_its_weight():
    fig, axes = plt.subplots(1, 2)
    weak = wb.adaptation_panel(I_w_ahp_pA=0.5, axes=axes)
    strong = wb.adaptation_panel(I_w_ahp_pA=4.0, axes=axes)
    assert strong["I_ahp_max"] > 2 * weak["I_ahp_max"] > 0
    labels = [line.get_label() for line in axes[1].lines]
    assert any("I_ahp" in label for label in labels)

"""Tests of dynapse_edu.course.widgets: the functions behind the book's widgets.

Each panel is checked against a closed form or a law it must obey, not
against numbers copied from a run.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynapse_edu import experiments
from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets  # noqa: E402
from dynapse_edu.errors import ParameterError  # noqa: E402
from dynapse_edu.units import ms, pA  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_tau_explorer_matches_closed_form():
    out = widgets.tau_explorer(C_pF=3.0, I_tau_pA=12.0)
    p = Params()
    assert out["tau"] == pytest.approx(3e-12 * p.Ut / (p.kappa * 12e-12), rel=1e-12)
    assert out["tau_ms"] == pytest.approx(out["tau"] / ms)
    # halving the leak doubles tau
    assert widgets.tau_explorer(3.0, 6.0)["tau"] == pytest.approx(2 * out["tau"], rel=1e-12)


def test_tau_explorer_rejects_unit_slip():
    with pytest.raises(ParameterError, match="I_tau_ampa"):
        widgets.tau_explorer(C_pF=2.0, I_tau_pA=-5.0)


def test_measure_decay_recovers_exponential():
    t = np.linspace(0, 0.05, 500)
    current = np.maximum(400e-12 * np.exp(-t / 7e-3), 1e-12)
    assert experiments.measure_decay(t, current) == pytest.approx(7e-3, rel=1e-9)
    resting = 5e-12 + 400e-12 * np.exp(-t / 7e-3)
    assert experiments.measure_decay(t, resting, floor=5e-12) == pytest.approx(7e-3, rel=1e-9)
    with pytest.raises(ParameterError, match="need 4"):
        experiments.measure_decay(t[:2], current[:2])


@pytest.mark.parametrize("synapse", ["AMPA", "NMDA", "GABA_A", "GABA_B"])
def test_synapse_kernel_panel_agrees_with_dpi_closed_form(synapse):
    out = widgets.synapse_kernel_panel(synapse, weight=1.5, duration_ms=150.0)
    p = Params()
    assert out["peak"] == pytest.approx(p.I0 + p.jump(synapse, 1.5), rel=1e-9)
    assert out["peak_expected"] == pytest.approx(p.I0 + p.jump(synapse, 1.5), rel=1e-12)
    assert out["tau_measured"] == pytest.approx(p.tau_syn(synapse), rel=1e-3)
    assert out["max_relative_error"] < 0.02


def test_synapse_kernel_panel_slider_changes_tau_and_gain():
    slow = widgets.synapse_kernel_panel("AMPA", I_tau_pA=10.0, alpha=8.0)
    ref = Params().replace(I_tau_ampa=10 * pA, alpha_ampa=8.0)
    assert slow["tau_measured"] == pytest.approx(ref.tau_syn("AMPA"), rel=1e-3)
    assert slow["peak"] == pytest.approx(ref.I0 + ref.jump("AMPA"), rel=1e-9)


def test_synapse_kernel_panel_unknown_type():
    with pytest.raises(ParameterError, match="unknown synapse type"):
        widgets.synapse_kernel_panel("NMDAR")


def test_neuron_panel_rate_grows_with_current_and_respects_refractory_period():
    rates = [widgets.neuron_panel(I_const_pA=c, duration_ms=150.0)["rate"] for c in (100.0, 600.0, 1500.0)]
    assert rates[0] == 0.0  # below rheobase: no spike
    assert 0 < rates[1] < rates[2]
    out = widgets.neuron_panel(I_const_pA=5000.0, t_ref_ms=10.0, duration_ms=150.0)
    assert out["min_isi"] >= 10e-3
    assert out["spikes"] >= 5


def test_part1_panel_uses_the_original_input():
    out = widgets.part1_panel(duration_ms=1000.0)
    assert out["input_spikes"] == 98  # the original's np.random.seed(0) input
    p = Params()
    assert out["peak_ampa"] >= p.I0 + p.jump("AMPA", 2.0)
    stronger = widgets.part1_panel(ampa_weight=4.0, duration_ms=300.0)
    weaker = widgets.part1_panel(ampa_weight=1.0, duration_ms=300.0)
    assert stronger["output_spikes"] > weaker["output_spikes"]


def test_fi_panel_monotone_and_matches_experiment():
    out = widgets.fi_panel(max_current_pA=1200.0, points=4, duration_ms=200.0)
    assert out["currents"][0] == 0.0 and out["currents"][-1] == pytest.approx(1200 * pA)
    assert out["rates"][0] == 0.0
    assert np.all(np.diff(out["rates"]) >= 0) and out["rates"][-1] > 0
    with pytest.raises(ParameterError, match="points"):
        widgets.fi_panel(points=1)


def test_ff_panel_rate_grows_with_weight():
    out = widgets.ff_panel("AMPA", weights=(2.0, 8.0), max_rate=200.0, points=2, duration_ms=200.0)
    assert list(out["input_rates"]) == [100.0, 200.0]
    assert np.all(out[8.0] >= out[2.0]) and out[8.0][-1] > out[2.0][-1]
    with pytest.raises(ParameterError, match="max_rate"):
        widgets.ff_panel(max_rate=-1.0)


def test_adaptation_panel_intervals_grow_only_with_adaptation():
    adapting = widgets.adaptation_panel(I_w_ahp_pA=2.0)
    assert adapting["last_isi"] > 1.5 * adapting["first_isi"]
    flat = widgets.adaptation_panel(I_w_ahp_pA=0.001)
    assert flat["intervals"] > adapting["intervals"]
    assert flat["last_isi"] == pytest.approx(flat["first_isi"], rel=0.3)
    assert adapting["tau_ahp"] == pytest.approx(Params().tau_ahp)


def test_nmda_gate_panel_half_open_at_threshold():
    out = widgets.nmda_gate_panel(I_nmda_thr_pA=50.0)
    assert out["at_threshold"] == pytest.approx(0.5)
    assert out["at_rest"] == pytest.approx(1 / (1 + 50.0), rel=1e-12)  # I0 = 1 pA


def test_inhibition_lowers_rates_and_rejects_excitation():
    currents = np.array([900.0, 1800.0]) * pA
    free = widgets.inhibited_rates(currents, None)
    for synapse, weight in (("GABA_A", 0.05), ("GABA_B", 2.0)):
        inhibited = widgets.inhibited_rates(currents, synapse, weight, rate=100.0)
        assert np.all(inhibited <= free) and inhibited[0] < free[0]
    with pytest.raises(ParameterError, match="inhibitory synapse"):
        widgets.inhibited_rates(currents, "AMPA")


def test_inhibition_panel_returns_three_curves():
    out = widgets.inhibition_panel(points=2, max_current_pA=1800.0, duration_ms=200.0)
    assert set(out) == {"currents", "none", "GABA_A", "GABA_B"}
    assert all(len(out[k]) == 2 for k in ("none", "GABA_A", "GABA_B"))
    assert not math.isnan(out["none"][-1])


def test_explore_builds_controls_and_runs_the_panel_once():
    panel = widgets.explore(widgets.tau_explorer, I_tau_pA=(1.0, 100.0, 1.0))
    descriptions = [getattr(child, "description", "") for child in panel.children]
    assert "I_tau_pA" in descriptions and "C_pF" not in descriptions  # C_pF stays at its default
    slider = panel.children[descriptions.index("I_tau_pA")]
    assert slider.continuous_update is False
    assert panel.result["tau"] == pytest.approx(Params().tau_syn("AMPA"))
    slider.value = 40.0  # what a student's slider move does
    assert panel.result["tau"] == pytest.approx(Params().tau_syn("AMPA") / 2)
    with pytest.raises(ParameterError, match="no argument"):
        widgets.explore(widgets.tau_explorer, I_tau=(1.0, 2.0))

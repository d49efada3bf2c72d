"""Tests of dynapse_edu.course.widgets_circuits: the panels of chapters 1-3 (units, the DPI synapse, the neuron).

Each panel is checked against a closed form or a law it must obey, not
against numbers copied from a run.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets_circuits as wc  # noqa: E402
from dynapse_edu.errors import ParameterError  # noqa: E402
from dynapse_edu.units import ms, pA  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- chapter 1 -------------------------------------------------------------------
def test_tau_explorer_matches_closed_form():
    out = wc.tau_explorer(C_pF=3.0, I_tau_pA=12.0)
    p = Params()
    assert out["tau"] == pytest.approx(3e-12 * p.Ut / (p.kappa * 12e-12), rel=1e-12)
    assert out["tau_ms"] == pytest.approx(out["tau"] / ms)
    # halving the leak doubles tau
    assert wc.tau_explorer(3.0, 6.0)["tau"] == pytest.approx(2 * out["tau"], rel=1e-12)


def test_tau_explorer_rejects_unit_slip():
    with pytest.raises(ParameterError, match="I_tau_ampa"):
        wc.tau_explorer(C_pF=2.0, I_tau_pA=-5.0)


# --- chapter 2 -------------------------------------------------------------------
@pytest.mark.parametrize("synapse", ["AMPA", "NMDA", "GABA_A", "GABA_B"])
def test_synapse_kernel_panel_agrees_with_dpi_closed_form(synapse):
    out = wc.synapse_kernel_panel(synapse, weight=1.5, duration_ms=150.0)
    p = Params()
    assert out["peak"] == pytest.approx(p.I0 + p.jump(synapse, 1.5), rel=1e-9)
    assert out["peak_expected"] == pytest.approx(p.I0 + p.jump(synapse, 1.5), rel=1e-12)
    assert out["tau_measured"] == pytest.approx(p.tau_syn(synapse), rel=1e-3)
    assert out["max_relative_error"] < 0.02


def test_synapse_kernel_panel_slider_changes_tau_and_gain():
    slow = wc.synapse_kernel_panel("AMPA", I_tau_pA=10.0, alpha=8.0)
    ref = Params().replace(I_tau_ampa=10 * pA, alpha_ampa=8.0)
    assert slow["tau_measured"] == pytest.approx(ref.tau_syn("AMPA"), rel=1e-3)
    assert slow["peak"] == pytest.approx(ref.I0 + ref.jump("AMPA"), rel=1e-9)


def test_synapse_kernel_panel_unknown_type():
    with pytest.raises(ParameterError, match="unknown synapse type"):
        wc.synapse_kernel_panel("NMDAR")


# --- chapter 3 -------------------------------------------------------------------
def test_neuron_panel_rate_grows_with_current_and_respects_refractory_period():
    rates = [wc.neuron_panel(I_const_pA=c, duration_ms=150.0)["rate"] for c in (100.0, 600.0, 1500.0)]
    assert rates[0] == 0.0  # below rheobase: no spike
    assert 0 < rates[1] < rates[2]
    out = wc.neuron_panel(I_const_pA=5000.0, t_ref_ms=10.0, duration_ms=150.0)
    assert out["min_isi"] >= 10e-3
    assert out["spikes"] >= 5


def test_neuron_panel_rejects_a_bad_duration():
    with pytest.raises(ParameterError, match="duration_ms"):
        wc.neuron_panel(duration_ms=0.0)


def test_part1_panel_uses_the_original_input():
    out = wc.part1_panel(duration_ms=1000.0)
    assert out["input_spikes"] == 98  # the original's np.random.seed(0) input
    p = Params()
    assert out["peak_ampa"] >= p.I0 + p.jump("AMPA", 2.0)
    stronger = wc.part1_panel(ampa_weight=4.0, duration_ms=300.0)
    weaker = wc.part1_panel(ampa_weight=1.0, duration_ms=300.0)
    assert stronger["output_spikes"] > weaker["output_spikes"]


def test_part1_panel_draws_synapses_above_the_soma():
    fig, axes = plt.subplots(2, 1)
    wc.part1_panel(duration_ms=100.0, axes=axes)
    assert [line.get_label() for line in axes[0].lines] == ["I_ampa", "I_nmda", "I_nmda_gated"]
    assert [line.get_label() for line in axes[1].lines][:3] == ["I_in", "I_mem", "I_ahp"]
    with pytest.raises(ParameterError, match="2 Axes"):
        wc.part1_panel(duration_ms=100.0, axes=axes[:1])


def test_tau_explorer_draws_the_decay_beside_the_default():
    fig, ax = plt.subplots()
    out = wc.tau_explorer(C_pF=4.0, I_tau_pA=20.0, ax=ax)
    chosen, default = ax.lines[1], ax.lines[0]
    # the chosen curve falls to 1/e of its start (above the floor) at the returned tau, twice the default's
    t, current = chosen.get_data()
    k = int((abs(t - out["tau_ms"])).argmin())
    assert current[k] == pytest.approx(current[0] / 2.718281828, rel=0.02)
    assert out["tau"] == pytest.approx(2 * Params().tau_syn("AMPA"), rel=1e-12)
    assert default.get_data()[1][k] < current[k]


def test_part1_panel_takes_the_sliders_low_end():
    fig, axes = plt.subplots(2, 1, sharex=True)
    no_nmda = wc.part1_panel(nmda_weight=0.0, ampa_weight=2.0, duration_ms=100.0, axes=axes)
    assert no_nmda["peak_nmda"] == pytest.approx(Params().I0)  # the NMDA synapse got nothing: at its floor
    assert no_nmda["peak_ampa"] > 100 * Params().I0
    silent = wc.part1_panel(nmda_weight=0.0, ampa_weight=0.0, duration_ms=100.0, axes=axes)
    assert silent["output_spikes"] == 0 and silent["peak_ampa"] == pytest.approx(Params().I0)


# --- chapter 2: finite pulses against instant jumps -------------------------------
def test_jump_train_of_one_spike_is_the_closed_form_kernel():
    from dynapse_edu.core.synapse import dpi_kernel
    from dynapse_edu.course.widgets_circuits import jump_train

    t = np.linspace(0, 0.05, 501)
    got = jump_train(t, np.array([0.01]), 300e-12, 5e-3, 1e-12)
    assert np.allclose(got, dpi_kernel(t - 0.01, 300e-12, 5e-3, 1e-12), rtol=1e-12)


def test_pulse_panel_limits_and_the_linear_regime():
    from dynapse_edu.core.synapse import dpi_charge
    from dynapse_edu.course.widgets_circuits import pulse_panel

    fig = Figure()
    long = pulse_panel(width_us=10000.0, rate_Hz=20.0, axes=fig.subplots(1, 2))
    assert long["first"] == pytest.approx(long["long_limit"] * (1 - np.exp(-0.01 / long["tau"])), rel=0.03)
    short = pulse_panel(width_us=1.0, axes=Figure().subplots(1, 2))
    assert short["first"] < 0.05 * short["short_limit"]  # from rest the DPI is not linear
    # above I_g the short-pulse estimate holds, and it does not depend on I_tau
    for I_tau in (10e-12, 40e-12):
        out = pulse_panel(width_us=1.0, I_tau_pA=I_tau * 1e12, axes=Figure().subplots(1, 2))
        added = dpi_charge(1e-6, 800e-12, 10e-9, 80e-12, I_tau, out["tau"]) - 800e-12
        # dI/dt = (I_g I_w / I_tau) / (tau (1 + I_g / I)) while the pulse is short: 1/1.1 at I = 10 I_g
        assert added == pytest.approx(out["short_limit"] / 1.1, rel=0.01)
        assert out["short_limit"] == pytest.approx(short["short_limit"], rel=1e-9)
    # in a fast train the pulses add more than jumps of the same first size
    assert pulse_panel(rate_Hz=200.0, axes=Figure().subplots(1, 2))["peak_ratio"] > 1.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"width_us": 0.0}, "width_us"), ({"width_us": 2e4}, "0.1 .. 10000"), ({"width_us": 6000.0, "rate_Hz": 200.0},
     "overlap"), ({"n_pulses": 0}, "n_pulses"), ({"I_w_nA": 0.01}, "cannot charge"), ({"I_g_pA": float("nan")}, "I_g")],
)
def test_pulse_panel_refuses_bad_values(kwargs, match):
    from dynapse_edu.course.widgets_circuits import pulse_panel

    with pytest.raises(ParameterError, match=match):
        pulse_panel(axes=Figure().subplots(1, 2), **kwargs)


@pytest.mark.skipif(not __import__("dynapse_edu.spice.ngspice", fromlist=["available"]).available(),
                    reason="ngspice not installed")
def test_pulse_panel_with_the_transistors_follows_the_finite_pulse_model():
    from dynapse_edu.course.widgets_circuits import pulse_panel

    out = pulse_panel(rate_Hz=200.0, circuit=True, axes=Figure().subplots(1, 2))
    # the train's largest current: the finite-pulse DPI equation within 20 % of the circuit (chapter 10
    # measures 1.17 with the calibrated parameters); the instant jumps are far below it
    assert out["peak_pulses"] == pytest.approx(out["peak_circuit"], rel=0.2)
    assert out["peak_jumps"] < 0.5 * out["peak_circuit"]
    # the equation calibrated on the transistors (chapter 10's train comparison) within its 15 % target
    assert out["peak_calibrated"] == pytest.approx(out["peak_circuit"], rel=0.15)


@pytest.mark.skipif(not __import__("dynapse_edu.spice.ngspice", fromlist=["available"]).available(),
                    reason="ngspice not installed")
def test_pulse_panel_calibrated_curve_follows_the_circuit_where_the_textbook_values_do_not():
    """Weak, short pulses (2 nA, 5 us): textbook kappa and I0 are 3 x off; the calibrated equation is not."""
    from dynapse_edu.course.widgets_circuits import pulse_panel

    out = pulse_panel(width_us=5.0, rate_Hz=50.0, I_w_nA=2.0, circuit=True, axes=Figure().subplots(1, 2))
    assert out["peak_pulses"] > 2 * out["peak_circuit"]
    assert out["peak_calibrated"] == pytest.approx(out["peak_circuit"], rel=0.15)

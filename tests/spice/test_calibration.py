"""Calibration: kappa, I0, Ut from the model card, and behavioural parameters from the netlists.

Runs ngspice (fails in CI without it, skips elsewhere); fresh result cache per session. The DPI's closed
forms the calibration uses (dpi_charge, dpi_steady_state, ...) are tested in tests/core/test_synapse.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from dynapse_edu.core.synapse import dpi_steady_state
from dynapse_edu.errors import ParameterError
from dynapse_edu.experiments import measure_decay
from dynapse_edu.spice import calibration as cal
from dynapse_edu.spice import ngspice as spice
from dynapse_edu.spice.compare import spike_times_from_trace

KT_Q_27C = 1.380649e-23 * 300.15 / 1.602176634e-19  # thermal voltage at 27 C, V


pytestmark = pytest.mark.usefixtures("ngspice")


@pytest.fixture(scope="module")
def tr() -> cal.TransistorFit:
    return cal.extract_transistor()


# --- the model card ---------------------------------------------------------------
def test_kappa_in_plausible_range(tr):
    assert 0.6 <= tr.kappa_n <= 0.85
    assert 0.6 <= tr.kappa_p <= 0.85
    assert tr.kappa_p < tr.kappa_n  # pFETs couple worse in this card, as on the chip
    assert tr.kappa_n < tr.kappa_n_body < 0.9  # the body effect raises kappa (thinner depletion capacitance)


def test_ut_matches_kt_over_q(tr):
    assert tr.Ut == pytest.approx(KT_Q_27C, rel=0.03)
    assert tr.Ut_n == pytest.approx(KT_Q_27C, rel=0.04) and tr.Ut_p == pytest.approx(KT_Q_27C, rel=0.04)


def test_weak_inversion_spans_four_decades(tr):
    assert tr.decades_n >= 4 and tr.decades_p >= 4
    # the subthreshold swing (mV/decade) is Ut ln(10) / kappa
    swing_n = 1 / np.max(np.gradient(np.log10(tr.id_n), tr.vgs))
    assert swing_n == pytest.approx(KT_Q_27C * np.log(10) / tr.kappa_n, rel=0.05)


def test_i0_plausible_and_extrapolation_consistent(tr):
    assert 1e-14 < tr.I0_n < 1e-11 and 1e-14 < tr.I0_p < 1e-11
    k = int(np.argmin(np.abs(tr.vgs - 0.15)))  # in weak inversion
    assert tr.id_n[k] == pytest.approx(tr.I0_n * np.exp(tr.kappa_n * tr.vgs[k] / tr.Ut), rel=0.1)


def test_fit_helpers_on_synthetic_curves():
    vgs = np.linspace(0, 0.6, 301)
    i_d = 1e-12 * np.exp(0.7 * vgs / 0.026)
    slope, i0 = cal.weak_inversion_fit(vgs, i_d)
    assert slope * 0.026 == pytest.approx(0.7, rel=1e-6) and i0 == pytest.approx(1e-12, rel=1e-6)
    assert cal.exponential_decades(vgs, i_d) == pytest.approx(np.log10(i_d[-1] / i_d[0]), rel=0.01)
    vds = np.linspace(0, 0.1, 201)
    assert cal.fit_ut(vds, 3e-10 * (1 - np.exp(-vds / 0.0259)) * (1 + 0.3 * vds)) == pytest.approx(0.0259, rel=1e-3)
    with pytest.raises(ParameterError, match="fewer than 5 points"):
        cal.weak_inversion_fit(vgs, np.full_like(vgs, 1e-6))


# --- the DPI netlist ---------------------------------------------------------------------
def test_dpi_replicas_measure_the_bias_currents(tr):
    b = cal.measure_dpi_biases(transistor=tr)
    set_values = spice.netlist_params(cal.DPI_TB)
    assert b.I_w == pytest.approx(set_values["iw"], rel=0.1)
    assert b.I_g == pytest.approx(set_values["ig"], rel=0.1)
    assert b.I_tau == pytest.approx(set_values["itau"], rel=0.1)
    assert b.I_rest == pytest.approx(tr.I0_p, rel=0.2)  # the output at rest is the pFET's leakage
    assert b.tau == pytest.approx(b.C * tr.Ut / (tr.kappa_p * b.I_leak))  # the net leak sets tau
    assert b.alpha == pytest.approx(b.I_g / b.I_leak)


def test_net_leak_is_the_leak_at_its_drain_minus_the_switchs_off_current(tr):
    """Input off, Vsyn held: the current recharging C_syn is below the replica's I_tau, more so towards rest."""
    b = cal.measure_dpi_biases(transistor=tr)
    assert b.I_leak == cal.measure_dpi_leak()
    assert 0.97 * b.I_tau < b.I_leak < b.I_tau  # 1.6 % below at Vsyn = Vthr
    toward_rest = [cal.measure_dpi_leak(dv=dv) for dv in (0.0, 0.05, 0.1, 0.15)]
    assert np.all(np.diff(toward_rest) < 0)  # Vsd shrinks: Early effect, then the pFET leaves saturation
    assert cal.measure_dpi_leak(dv=0.15) < 0.96 * b.I_tau
    # the switch's off-current: with the pair's share ~1 (far above Vthr) it takes about I0_n from the node
    on_pair = cal.measure_dpi_leak(dv=0.1)
    assert cal.measure_dpi_leak({"itau": 40e-12}, dv=0.1) > on_pair  # a larger leak bias, a larger net leak
    # the pulse testbench's input parameters do not apply to the leak testbench and are ignored
    assert cal.measure_dpi_leak({"tpulse": 5e-6, "npulse": 3}) == b.I_leak


def test_output_readout_follows_the_pfet_out_of_weak_inversion(tr):
    """The model's exponential I_syn read through the output pFET's measured curve: identity below I_g,
    compressed above (moderate inversion), monotonic."""
    b = cal.measure_dpi_biases(transistor=tr)
    readout = cal.measure_output_readout(b.I_g, transistor=tr)
    assert float(readout(b.I_g)) == pytest.approx(b.I_g, rel=1e-6)
    low = np.geomspace(5e-12, 2e-10, 9)
    np.testing.assert_allclose(readout(low), low, rtol=0.02)
    high = np.array([1e-9, 2e-9, 16e-9])
    factor = readout(high) / high
    assert np.all(np.diff(factor) < 0) and 0.93 < factor[0] < 0.97 and 0.7 < factor[2] < 0.82
    grid = np.geomspace(1e-12, 5e-8, 200)
    assert np.all(np.diff(readout(grid)) > 0)
    # the readout is the pFET's own current at the gate voltage of the exponential through I_g
    v = np.interp(np.log(b.I_g), np.log(readout.i_d), readout.vsg) + tr.Ut / tr.kappa_p * np.log(16e-9 / b.I_g)
    assert float(readout(16e-9)) == pytest.approx(float(np.interp(v, readout.vsg, readout.i_d)), rel=0.01)


def test_pair_split_is_softer_at_balance_than_in_weak_inversion(tr):
    """Each arm carries I_w / 2 at balance: moderate inversion, a smaller effective kappa, a larger gamma."""
    splits = [cal.measure_pair_split({"iw": w}, tr) for w in (1e-9, 5e-9, 20e-9)]
    kappas = [s.kappa_pair for s in splits]
    assert np.all(np.diff(kappas) < 0) and 0.74 < kappas[-1] < 0.78
    for w, split in zip((1e-9, 5e-9, 20e-9), splits, strict=True):
        weak = cal.measure_pair_exponent({"iw": w}, tr)
        if w == 1e-9:  # arms of 0.5 nA at balance: weak inversion, the split is the one nFET's (0.818 vs 0.835)
            assert split.gamma == pytest.approx(weak.gamma, abs=0.025)
        else:  # arms of 2.5 and 10 nA: moderate inversion, softer than the weak-inversion body-effect nFET
            assert split.gamma > weak.gamma
        k = np.argmin(np.abs(split.dv))
        assert split.i_in[k] / split.I_w == pytest.approx(0.5, abs=0.02)  # balanced at Vsyn = Vthr
    assert splits[-1].gamma > splits[-1].kappa_p / tr.kappa_n_body + 0.03
    with pytest.raises(ParameterError, match="cannot charge the DPI"):  # a weight current below the leak
        cal.measure_pair_split({"iw": 10e-12}, tr)


@pytest.mark.parametrize("itau", [10e-12, 20e-12, 40e-12])
def test_dpi_decay_tau_matches_prediction(tr, itau):
    params = {"itau": itau, "tstop": 10e-3 + 12 * 2e-12 * 0.026 / (0.67 * itau)}
    b = cal.measure_dpi_biases(params, tr)
    res = spice.run(cal.DPI_TB, params)
    measured = measure_decay(res["time"], res["i(vout)"], floor=b.I_rest)
    assert measured == pytest.approx(b.tau, rel=0.10)


def test_dpi_steady_state_gain_is_sublinear_by_the_kappa_mismatch(tr):
    """Input held on: the output grows with I_w, but as I_w^(kappa_p/kappa_n') (< 1), not linearly.

    kappa_n' is the kappa of the pair's nFETs with their source 1.2 V above the bulk.
    """
    weights = np.array([1e-9, 4e-9, 16e-9])
    out = np.array([spice.run(cal.DPI_TB, {"iw": w, "pulse_dc": 1}, analysis="op")["i(vout)"][0] for w in weights])
    assert np.all(np.diff(out) > 0)
    slope = np.polyfit(np.log(weights), np.log(out), 1)[0]
    assert slope == pytest.approx(tr.kappa_p / tr.kappa_n_body, rel=0.05)  # body-effect kappa of the pair
    b = cal.measure_dpi_biases({"iw": 1e-9}, tr)
    ideal = dpi_steady_state(b.I_w, b.I_g, b.I_tau)
    assert 0.3 < out[0] / ideal < 1.0  # the ideal DPI overestimates, within a factor ~2


def test_dpi_params_reproduce_tau_and_jump(tr):
    b = cal.measure_dpi_biases(transistor=tr)
    p = cal.dpi_params(b, tr, "NMDA")
    assert p.tau_syn("NMDA") == pytest.approx(b.tau, rel=1e-9)
    assert p.jump("NMDA") == pytest.approx(b.jump, rel=1e-9)
    assert p.I0 == b.I_rest and p.kappa_n == tr.kappa_n and p.kappa_p == tr.kappa_p


# --- the neuron netlist ----------------------------------------------------------------------
def test_neuron_biases_and_params(tr):
    b = cal.measure_neuron_biases(transistor=tr)
    values = spice.netlist_params(cal.NEURON_TB)
    assert b.I_g == pytest.approx(values["ig"], rel=0.1)
    assert b.I_th == pytest.approx(values["ith"], rel=0.1)
    assert b.I_ref == pytest.approx(values["irfr"], rel=0.1)
    # at 1 pA the bias diode sits below 4 Ut of Vds: the replica (saturated) carries more
    assert values["itau"] < b.I_tau < 1.5 * values["itau"]
    assert 0.5 < b.V_sw < 1.1
    assert b.t_ref == pytest.approx(values["cref"] * (values["vdd"] - b.V_sw) / b.I_ref)
    p = cal.neuron_params(b, tr)
    assert p.tau_mem == pytest.approx(b.tau_mem, rel=1e-9)
    assert p.t_ref == b.t_ref and p.alpha_mem == pytest.approx(b.I_g / b.I_tau)
    fb = b.feedback  # the threshold and the feedback come from the comparator's DC sweep
    assert p.I_th == fb.i_switch and (p.I_pfb_gain, p.I_pfb_th, p.I_pfb_norm) == (fb.gain, fb.threshold, fb.norm)


def test_comparator_feedback_is_a_narrow_switch_at_the_threshold():
    """The comparator neuron's feedback: ~0 below I_th, I_pfb above, switching within a few % of I_th."""
    fb = cal.measure_comparator_feedback()
    values = spice.netlist_params(cal.NEURON_TB)
    assert fb.i_switch == pytest.approx(values["ith"], rel=0.15)  # decided at the threshold current
    assert fb.gain == pytest.approx(values["ipfb"], rel=0.1)  # limited to I_pfb
    assert fb.threshold < fb.i_switch and fb.norm < 0.02 * fb.i_switch  # a switch, not a 5 % sigmoid
    below = fb.i_mem < 0.9 * fb.threshold
    assert fb.i_fb[below].max() < 5e-12  # only the switch's leakage below the threshold
    assert fb.predict(0.9 * fb.threshold) < 1e-12 and fb.rms_log_error < 0.5
    assert cal.measure_comparator_feedback({"ith": 2e-9}).i_switch == pytest.approx(2 * fb.i_switch, rel=0.1)


def test_gain_exponent_from_the_dc_sweep(tr):
    """The steady state grows as I_w^gamma, gamma = kappa_p / kappa_n' (the pair's body effect)."""
    fit = cal.measure_gain_exponent(transistor=tr)
    assert fit.gamma == pytest.approx(tr.kappa_p / tr.kappa_n_body, rel=0.05) and fit.kappa_ratio < 1
    assert fit.rms_log_error < 0.03  # one parameter, the prefactor I_g not fitted
    sel = (fit.i_w >= 1e-9) & (fit.i_w <= 16e-9)
    assert np.all(np.abs(fit.predict(fit.i_w[sel]) / fit.i_syn[sel] - 1) < 0.05)


def test_the_steady_state_fit_is_the_cores_exponent(tr):
    """gamma fitted on the DC sweep is the exponent of core.synapse.dpi_steady_state: the fit's line is exact."""
    fit = cal.measure_gain_exponent(transistor=tr)
    x, y = np.log(fit.i_w / fit.I_tau - 1), np.log(fit.i_syn / fit.I_g)
    assert np.polyfit(x, y, 1)[0] == pytest.approx(fit.gamma, abs=0.02)  # a line through the origin fits
    np.testing.assert_allclose(fit.predict(fit.i_w), dpi_steady_state(fit.i_w, fit.I_g, fit.I_tau, fit.gamma))


def test_neuron_refractory_period_matches_prediction(tr):
    """Measured on the circuit: the reset holds Vmem at ground for about t_ref after each spike."""
    b = cal.measure_neuron_biases(transistor=tr)
    res = spice.run(cal.NEURON_TB, {"iin": 2e-9, "tstop": 0.02})
    t, vref, vmem = res["time"], res["v(vref)"], res["v(vmem)"]
    k = np.flatnonzero((vref[1:] > 0.9) & (vref[:-1] <= 0.9))[0]
    released = t[(t > t[k]) & (vref < b.V_sw)][0]
    assert released - t[k] == pytest.approx(b.t_ref, rel=0.1)
    assert vmem[(t > t[k] + 1e-4) & (t < released - 1e-4)].max() < 0.05  # held at ground meanwhile


# --- the DPI neuron: spike amplifier feedback, AHP pulse --------------------------------------
def test_fit_feedback_recovers_a_sigmoid_and_rejects_bad_input():
    i = np.linspace(1e-11, 2e-9, 300)
    fb = cal.fit_feedback(i, cal.feedback_sigmoid(i, 5e-12, 1.2e-9, 2e-10), 2e-9)
    assert (fb.gain, fb.threshold, fb.norm) == pytest.approx((5e-12, 1.2e-9, 2e-10), rel=1e-4)
    assert fb.predict(1.2e-9) == pytest.approx(2.5e-12, rel=1e-4)
    with pytest.raises(ParameterError, match="i_max"):
        cal.fit_feedback(i, i, -1.0)
    with pytest.raises(ParameterError, match="fewer than 5"):
        cal.fit_feedback(i, i, 1e-14)


def test_spike_amplifier_feedback_grows_with_imem_and_is_calibrated():
    """The DC sweep: Ia = k I_mem below the inverter's switch, k set by the mirror; the fit follows it."""
    fb = cal.measure_feedback()
    below = (fb.i_mem > 1e-10) & (fb.i_mem < 0.3 * fb.i_switch)
    k = fb.i_fb[below] / fb.i_mem[below]
    assert np.all(np.diff(fb.i_fb[below]) > 0)  # positive feedback, rising with I_mem
    assert 5e-4 < np.median(k) < 5e-3 and k.max() / k.min() < 1.5  # a power law of slope ~1 (a mirror ratio)
    assert 1e-7 < fb.i_switch < 5e-6  # the inverter switches at Vmem ~0.55 V
    assert fb.i_max == pytest.approx(cal.FEEDBACK_THRESHOLD_FRACTION * fb.i_switch)
    fitted = (fb.i_mem >= fb.i_max / 100) & (fb.i_mem <= fb.i_max)
    err = np.abs(np.log(fb.predict(fb.i_mem[fitted]) / fb.i_fb[fitted]))
    assert err.max() < 0.8 and fb.rms_log_error < 0.4  # within a factor 2.2 everywhere, ~30 % rms
    # a wider mirror output (wfb x 2) doubles the feedback, and the fit follows
    wide = cal.measure_feedback({"wfb": 1e-6})
    k_wide = np.interp(1e-8, wide.i_mem, wide.i_fb) / np.interp(1e-8, fb.i_mem, fb.i_fb)
    assert k_wide == pytest.approx(2.0, rel=0.1)


def test_neuron_dpi_biases_and_params(tr):
    b = cal.measure_neuron_dpi_biases(transistor=tr)
    assert b.I_tau == pytest.approx(1e-12, rel=0.3) and b.I_g == pytest.approx(1e-9, rel=0.1)
    assert 0.3 < b.V_sw < 1.2
    assert b.t_ahp_formula == pytest.approx(b.netlist_params["tpulse_ahp"], rel=0.3)  # the AHP pulse width parameter
    # read from the transient the pulse is longer than C_px (Vdd - V_sw) / I_px: the extender node's parasitics
    assert 1.05 * b.t_ahp_formula < b.t_ahp < 1.5 * b.t_ahp_formula
    assert b.t_ahp < b.t_ref / 10  # its own pulse, not the refractory period
    # the handshake holds /ACK until C_ref is charged to Vdd: the refractory period is the formula's
    assert b.t_ref_transient == pytest.approx(b.t_ref, rel=0.05)
    p = cal.neuron_dpi_params(b, tr)
    fb = b.feedback_pair
    assert p.I_th == fb.i_max and p.I_pfb_th == fb.i_max and 0.7 < p.n_pfb < 1.0  # the power law, up to the switch
    assert p.I_pfb_gain == pytest.approx(b.feedback.i_fb.max(), rel=0.4)  # ~ k I_mem at the switch
    assert float(b.pair.i_mem_of(p.I_th)) == pytest.approx(b.feedback.i_switch, rel=1e-6)  # the spike is the switch
    assert p.t_ref == pytest.approx(b.t_ref_transient)
    tau = cal.dpi_tau(b.netlist_params["cmem"], b.I_tau, tr.Ut, b.pair.kappa_pair)
    assert p.tau_mem == pytest.approx(tau, rel=1e-9)  # the pair's kappa: J's equation
    # the AHP's leak is the net current measured with Vahp held at the AHP gain bias
    assert b.I_ahp_leak == cal.measure_ahp_leak() and p.I_tau_ahp == b.I_ahp_leak
    assert b.tau_ahp == pytest.approx(cal.dpi_tau(b.netlist_params["cahp"], b.I_ahp_leak, tr.Ut, tr.kappa_n))
    assert p.alpha_ahp * p.I_tau_ahp == pytest.approx(b.I_ahg, rel=1e-12)  # the gain current stays the replica's
    # the refractory bias does not move the AHP pulse (issue 12), the pulse-width parameter does
    b2 = cal.measure_neuron_dpi_biases({"irfr": 400e-12, "tpulse_ahp": 200e-6}, transistor=tr)
    assert b2.t_ref == pytest.approx(b.t_ref / 2, rel=0.1)
    assert b2.t_ahp == pytest.approx(2 * b.t_ahp, rel=0.1)


def test_ahp_leak_is_the_leak_minus_the_switchs_off_current(tr):
    """Between spikes the AHP switch's off-current (~I0_p) reaches the AHP capacitor through its pair."""
    b = cal.measure_neuron_dpi_biases(transistor=tr)
    assert 0.85 * b.I_ahtau < b.I_ahp_leak < 0.95 * b.I_ahtau
    # towards rest the pair hands the capacitor more of the off-current; far above I_ahg none of it
    toward_rest = [cal.measure_ahp_leak(dv=dv) for dv in (0.1, 0.0, -0.05, -0.1)]
    assert np.all(np.diff(toward_rest) < 0)
    assert cal.measure_ahp_leak(dv=0.15) == pytest.approx(b.I_ahtau, rel=0.01)
    # a larger AHP weight bias raises the switch's source: more off-current, a smaller net leak
    assert cal.measure_ahp_leak({"iahw": 5e-10}) < b.I_ahp_leak
    assert cal.measure_ahp_leak({"iin": 2e-10, "tstop": 1.0}) == b.I_ahp_leak  # the transient's knobs do not apply


def test_neuron_dpi_ahp_pulse_in_the_transient():
    """One AHP pulse per output spike, of width t_ahp (v(vpx) above V_sw), much shorter than t_ref."""
    b = cal.measure_neuron_dpi_biases()
    run = spice.run(cal.NEURON_DPI_TB, {"iin": 1e-9, "tstop": 0.02, "iahw": 1e-9})
    t, vpx, vref = run["time"], run["v(vpx)"], run["v(vref)"]
    starts = spike_times_from_trace(t, vpx, b.V_sw)
    ends = spike_times_from_trace(t, -vpx, -b.V_sw)
    spikes = spike_times_from_trace(t, vref, 0.9)
    assert starts.size == spikes.size >= 3
    widths = ends[: starts.size] - starts
    assert np.allclose(widths, b.t_ahp, rtol=0.02)  # the calibration reads the pulse from a transient too
    rises, falls = spike_times_from_trace(t, vref, b.V_sw), spike_times_from_trace(t, -vref, -b.V_sw)
    n = falls.size  # the last refractory period may run past the transient's end
    refractory = falls - rises[:n]
    assert np.allclose(refractory, b.t_ref_transient, rtol=0.02)
    assert run["v(vahp)"][-1] > run["v(vahp)"][0] + 0.05  # the AHP DPI charged


def test_neuron_dpi_handshake_charges_the_refractory_capacitor():
    """With the 4-phase handshake C_ref reaches Vdd at every spike, and the acknowledge latency does not matter."""
    widths = []
    for tack in (30e-9, 1e-6):
        run = spice.run(cal.NEURON_DPI_TB, {**cal.PULSE_PROBE, "tack": tack})
        assert run["v(vref)"].max() > 0.97 * 1.8
        widths.append(cal.measure_pulse_widths({"tack": tack})[1])
    assert widths[0] == pytest.approx(widths[1], rel=0.02)


def test_membrane_pair_map():
    """The membrane pair's ratio J: even split at I_g, the pFETs' body effect in kappa_pair, an exact round trip."""
    pair = cal.measure_membrane_pair()
    k = int(np.argmin(np.abs(pair.i_mem - pair.i_g)))
    assert pair.j[k] == pytest.approx(pair.i_g, rel=0.15)
    assert 0.70 < pair.kappa_pair < 0.85  # above the pFET's 0.675: its source sits below its well
    assert 1.0 < pair.beta < 1.15 and pair.rms_log_error < 0.1  # not the synapse's 1/0.815: another pair
    i = np.logspace(-11, -7, 5)
    assert np.allclose(pair.i_mem_of(pair.j_of(i)), i, rtol=1e-6)

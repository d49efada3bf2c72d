"""Tests of dynapse_edu.phaseplane: the DPI neuron's nullclines, flow, equilibria and rheobase.

The nullcline is checked against the membrane equation solved by hand for I_ahp (Chicca et al.
2014, eq. 8 with dI_mem/dt = 0), the rheobase against simulations.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import expit

from dynapse_edu import experiments, phaseplane
from dynapse_edu.core.adex import AdExParams, adex_derivatives
from dynapse_edu.core.params import Params
from dynapse_edu.errors import ParameterError
from dynapse_edu.phaseplane import adex_trajectory


def nullcline_by_hand(I_mem, p):
    """dI_mem/dt = 0  <=>  I_sum = I_g I_in / (I_g + I_mem); I_sum = I_tau + I_ahp + I_shunt - I_pfb."""
    I_g = p.alpha_mem * p.I_tau_mem
    nmda = p.I0 / (1 + p.I_nmda_thr / I_mem)  # the resting NMDA current through its gate
    I_in = p.I_const + nmda + p.I0 - p.I0  # + AMPA - GABA_B, both at rest
    I_pfb = p.I_pfb_gain * expit((I_mem - p.I_pfb_th) / p.I_pfb_norm)
    return I_g * I_in / (I_g + I_mem) - p.I_tau_mem - p.I0 + I_pfb


@pytest.mark.parametrize("I_const", [1e-12, 100e-12, 800e-12])
def test_membrane_nullcline_matches_the_equation_solved_by_hand(I_const):
    p = Params(I_const=I_const, I_tau_mem=8e-12)
    I_mem = np.geomspace(p.I0, p.I_th, 60)
    assert np.allclose(phaseplane.membrane_nullcline(I_mem, p), nullcline_by_hand(I_mem, p), rtol=1e-9, atol=1e-20)


def test_vector_field_vanishes_on_the_membrane_nullcline_and_holds_the_floor():
    p = Params(I_const=300e-12)
    I_mem = np.geomspace(2e-12, 5e-10, 30)
    on = phaseplane.membrane_nullcline(I_mem, p)
    keep = on > p.I0
    d_mem, d_ahp = phaseplane.vector_field(I_mem[keep], on[keep], p)
    scale = np.abs(phaseplane.vector_field(I_mem[keep], 2 * on[keep], p)[0])
    assert np.all(np.abs(d_mem) < 1e-9 * scale)
    assert np.allclose(d_ahp, -on[keep] / p.tau_ahp, rtol=1e-12)  # the adaptation only decays
    # on the floor nothing decays further, and a membrane on its floor with too little input stays
    d_mem, d_ahp = phaseplane.vector_field(p.I0, p.I0, Params())
    assert float(d_mem) == 0.0 and float(d_ahp) == 0.0


def test_equilibria_are_zeros_of_the_rate_and_have_the_right_stability():
    p = Params(I_const=100e-12)
    points = phaseplane.equilibria(p)
    assert [stable for _, stable in points] == [True, False]
    for I_mem, _ in points:  # on the nullcline: there I_ahp = I0
        assert float(nullcline_by_hand(I_mem, p)) == pytest.approx(p.I0, rel=1e-6)
    # the rest is the closed-form steady state below the feedback (feedback still small there)
    rest = points[0][0]
    I_g = p.alpha_mem * p.I_tau_mem
    I_sum = p.I_tau_mem + 2 * p.I0
    assert rest == pytest.approx(I_g * (100e-12 + p.I0 / (1 + p.I_nmda_thr / rest) - I_sum) / I_sum, rel=1e-3)
    # more adaptation: the rest moves down, the threshold point up
    adapted = phaseplane.equilibria(p, I_ahp=20e-12)
    assert adapted[0][0] < rest and adapted[1][0] > points[1][0]


def test_can_rest_and_rheobase_agree_with_simulation():
    rheobase = phaseplane.rheobase()
    assert phaseplane.can_rest(Params(I_const=0.98 * rheobase))
    assert not phaseplane.can_rest(Params(I_const=1.02 * rheobase))
    rates = experiments.fi_curve([0.97 * rheobase, 1.05 * rheobase], duration=1.0)
    assert rates[0] == 0 and rates[1] > 0
    # a smaller membrane gain (alpha = I_g / I_tau) needs a larger input to reach the feedback's onset
    assert phaseplane.rheobase({"alpha_mem": 2.0}) > 1.5 * rheobase


def test_trajectory_of_both_integrators_agree():
    p = Params(I_const=800e-12, I_w_ahp=4e-12)
    fast = phaseplane.trajectory(p, 0.2, method="fast")
    reference = phaseplane.trajectory(p, 0.2, method="reference")
    assert fast["spikes"].size == reference["spikes"].size > 3
    assert np.allclose(fast["spikes"], reference["spikes"], atol=2e-4)
    assert np.all(fast["I_mem"] <= p.I_th * 1.001) and np.all(fast["I_ahp"] >= p.I0)


@pytest.mark.parametrize("call, match", [
    (lambda: phaseplane.membrane_nullcline([0.0, 1e-12]), "I_mem"),
    (lambda: phaseplane.vector_field(1e-12, -1e-12), "I_ahp"),
    (lambda: phaseplane.equilibria(I_ahp=0.5e-12), "I_ahp"),
    (lambda: phaseplane.rheobase(tolerance=0.5), "tolerance"),
    (lambda: phaseplane.rheobase({"I_th": 1e-3, "I_pfb_th": 1e-3, "I_pfb_gain": 1e-15}), "rests"),
    (lambda: phaseplane.trajectory({"I_const": 5.0}), "I_const"),
])
def test_bad_input_is_refused(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


# --- the AdEx's trajectory --------------------------------------------------------------------------
def test_adex_rheobase_without_adaptation_is_the_saddle_node():
    # a = 0: the V-nullcline's minimum is at V_T, so the rheobase is g_L (V_T - E_L - Delta_T)
    p = AdExParams(a=0.0, b=0.0)
    rheobase = p.g_L * (p.V_T - p.E_L - p.Delta_T)
    assert adex_trajectory(0.98 * rheobase, 1.0, p)["spikes"].size == 0
    assert adex_trajectory(1.05 * rheobase, 1.0, p)["spikes"].size > 0


def test_adex_initial_state_is_used():
    p = AdExParams()
    run = adex_trajectory(0.0, 0.01, p, V0=-0.06, w0=50e-12)
    assert run["V"][0] == -0.06 and run["w"][0] == 50e-12
    assert run["w"][-1] < 50e-12  # w relaxes towards a (V - E_L), below 50 pA here


def test_adex_subthreshold_trajectory_agrees_with_solve_ivp():
    p = AdExParams()
    I = 0.4e-9
    run = adex_trajectory(I, 0.1, p, dt=1e-5)
    assert run["spikes"].size == 0

    def rhs(_, y):
        dV, dw = adex_derivatives(y[0], y[1], I, p)
        return [float(dV), float(dw)]

    exact = solve_ivp(rhs, (0.0, 0.1), [p.E_L, 0.0], t_eval=run["t"], rtol=1e-9, atol=[1e-9, 1e-18])
    assert np.max(np.abs(exact.y[0] - run["V"])) < 1e-4  # 0.1 mV


def test_adex_resets_and_spike_triggered_adaptation():
    p = AdExParams(a=0.0, b=50e-12)
    run = adex_trajectory(1e-9, 0.3, p)
    spikes = run["spikes"]
    assert spikes.size >= 3
    isi = np.diff(spikes)
    assert isi[-1] > isi[0]  # adaptation lengthens the intervals
    k = int(np.flatnonzero(np.diff(run["V"]) < -0.01)[0])  # first reset in the trace
    assert run["V"][k] == p.V_peak and run["V"][k + 1] == p.V_r
    assert run["w"][k + 1] - run["w"][k] == pytest.approx(p.b)
    # without adaptation the intervals are all equal (to one step)
    plain = adex_trajectory(1e-9, 0.3, AdExParams(a=0.0, b=0.0))["spikes"]
    assert np.ptp(np.diff(plain)) <= 1.01 * 5e-5


def test_adex_trajectory_refuses_bad_runs():
    with pytest.raises(ParameterError, match="dt"):
        adex_trajectory(1e-9, 0.1, dt=0.0)
    with pytest.raises(ParameterError, match="duration"):
        adex_trajectory(1e-9, -1.0)
    with pytest.raises(ParameterError, match="I = 5"):
        adex_trajectory(5.0, 0.1)  # 5 A: a unit slip
    with pytest.raises(ParameterError, match="V0"):
        adex_trajectory(1e-9, 0.1, V0=0.0)  # above the cut-off
    with pytest.raises(ParameterError, match="w0"):
        adex_trajectory(1e-9, 0.1, w0=float("inf"))
    with pytest.raises(ParameterError, match="MAX_STEPS"):
        adex_trajectory(1e-9, 1000.0, dt=1e-7)
    with pytest.raises(ParameterError, match="AdExParams"):
        adex_trajectory(1e-9, 0.1, Params())  # the chip's parameters are not an AdEx


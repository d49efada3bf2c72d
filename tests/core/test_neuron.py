import numpy as np
import pytest

from dynapse_edu import Chip, PoissonGenerator, RegularGenerator, experiments
from dynapse_edu.core.dynamics import AHP, MEM, NeuronTable, derivatives, reset
from dynapse_edu.core.neuron import (
    hold_at_floor,
    membrane_rate,
    nmda_gate,
    positive_feedback,
    spike_reset,
    steady_state,
)
from dynapse_edu.core.params import Params
from dynapse_edu.units import ms, pA

STATE_TRACES = ("I_mem", "I_ahp", "I_ampa", "I_nmda", "I_gaba_a", "I_gaba_b", "I_in")


@pytest.mark.parametrize("I_const", [8 * pA, 20 * pA, 50 * pA])
def test_steady_state_of_constant_input(I_const):
    p = Params(I_const=I_const)
    chip = Chip(p)
    chip.get_neurons(1, core=0)
    result = chip.run(0.3, dt=1e-3)
    assert result.spike_count[0] == 0
    I_mem, I_in = result.trace("I_mem")[-1], result.trace("I_in")[-1]
    # the input is I_const plus the resting NMDA leakage let through by the gate
    assert I_in == pytest.approx(I_const + nmda_gate(p.I0, I_mem, p), rel=1e-6)
    assert I_mem == pytest.approx(steady_state(I_in, p), rel=0.01)


def test_input_below_leak_keeps_membrane_at_floor():
    p = Params(I_const=3 * pA)
    assert steady_state(p.I_const, p) == p.I0
    chip = Chip(p)
    chip.get_neurons(1, core=0)
    result = chip.run(0.1, dt=1e-3)
    np.testing.assert_allclose(result.trace("I_mem"), p.I0)


def test_refractory_period_respected():
    p = Params(I_const=2e-9)
    chip = Chip(p)
    chip.get_neurons(1, core=0)
    result = chip.run(0.1, dt=1e-4)
    spikes = result.spike_times[0]
    assert len(spikes) > 5
    assert np.all(np.diff(spikes) >= p.t_ref)
    # during each refractory period the membrane is held at I_reset
    for s in spikes:
        inside = (result.t > s + 1e-9) & (result.t < s + p.t_ref - 1e-9)
        np.testing.assert_allclose(result.trace("I_mem")[inside], p.I_reset, rtol=1e-12)


def test_membrane_reaches_threshold_exactly_at_the_spike():
    p = Params(I_const=1e-9)
    chip = Chip(p)
    chip.get_neurons(1, core=0)
    result = chip.run(0.05, dt=1e-3, at_spikes=True)
    s = result.spike_times[0][0]
    at = np.flatnonzero(result.t == s)
    assert at.size == 2  # just before and just after the reset
    assert result.trace("I_mem")[at[0]] == pytest.approx(p.I_th, rel=1e-6)
    assert result.trace("I_mem")[at[1]] == p.I_reset
    ahp = result.trace("I_ahp")
    assert ahp[at[1]] - ahp[at[0]] == pytest.approx(p.I_w_ahp * p.alpha_ahp, rel=1e-9)


def test_no_current_below_floor_in_a_busy_run():
    """Excitation and both inhibitions from Poisson sources: every current stays >= I0."""
    chip = Chip()
    neurons = chip.get_neurons(3, core=0)
    for k, (syn, n, w) in enumerate([("AMPA", 3, 6), ("NMDA", 3, 3), ("GABA_A", 1, 0.2), ("GABA_B", 1, 2)]):
        chip.add_connection(PoissonGenerator(n, 100.0, seed=k), neurons, syn, w)
    result = chip.run(0.3, dt=2e-4)
    assert result.spike_count.sum() > 0
    for name in STATE_TRACES:
        assert result.traces[name].min() >= chip.params(0).I0, name
        assert np.all(np.isfinite(result.traces[name])), name


def test_fi_curve_monotone_and_zero_below_rheobase():
    currents = np.array([5, 20, 100, 300, 1000, 2000]) * pA
    rates = experiments.fi_curve(currents, duration=0.3)
    assert rates[0] == 0
    assert np.all(np.diff(rates) >= 0)
    assert rates[-1] > 50


def test_adaptation_lengthens_isis():
    isi = experiments.adaptation_isi(t_on=0.0, t_off=0.4, duration=0.4)
    assert len(isi) >= 5
    assert isi[-1] > 1.3 * isi[0]


def test_without_adaptation_isis_stay_flat():
    weak = {"I_w_ahp": 1e-15}
    isi = experiments.adaptation_isi(t_on=0.0, t_off=0.4, duration=0.4, params=weak)
    adapted = experiments.adaptation_isi(t_on=0.0, t_off=0.4, duration=0.4)
    assert len(isi) > len(adapted)
    assert isi[-1] < 1.1 * isi[1]


def test_nmda_gate_half_open_at_threshold():
    p = Params()
    assert nmda_gate(100 * pA, p.I_nmda_thr, p) == pytest.approx(50 * pA)
    assert nmda_gate(100 * pA, 1000 * p.I_nmda_thr, p) == pytest.approx(100 * pA, rel=1e-2)


def test_positive_feedback_sigmoid():
    p = Params()
    assert positive_feedback(p.I_pfb_th, p) == pytest.approx(p.I_pfb_gain / 2)
    assert positive_feedback(p.I0, p) < 1e-15
    assert positive_feedback(1.0, p) == pytest.approx(p.I_pfb_gain)  # saturates, no overflow


def _steady_with(extra: dict) -> float:
    p = Params(I_const=60 * pA)
    chip = Chip(p)
    neuron = chip.get_neurons(1, core=0)
    for syn, rate in extra.items():
        chip.add_connection(RegularGenerator(1, rate), neuron, syn, 1.0)
    return float(chip.run(0.3, dt=1e-3).trace("I_mem")[-250:].mean())


def test_inhibition_lowers_the_membrane_shunting_and_subtractive():
    free = _steady_with({})
    shunted = _steady_with({"GABA_A": 200.0})
    subtracted = _steady_with({"GABA_B": 200.0})
    assert shunted < 0.8 * free
    assert subtracted < 0.8 * free


def test_refractory_time_is_the_parameter():
    p = Params(I_const=2e-9, t_ref=10 * ms)
    rates_long = experiments.fi_curve([2e-9], duration=0.2, params=p)
    rates_short = experiments.fi_curve([2e-9], duration=0.2, params=p.replace(t_ref=2 * ms))
    assert rates_long[0] < rates_short[0]
    assert rates_long[0] <= 1 / p.t_ref


# --- the soma's equation, the floor and the reset as functions ------------------------------------------
def test_membrane_rate_is_the_membrane_equation():
    """Chicca et al. 2014 eq. 8 written out here: tau (1 + I_g/I) dI/dt = alpha (I_in - I_sum) - I_sum I / I_tau."""
    rng = np.random.default_rng(1)
    p = Params(I_const=40 * pA, I_pfb_norm=50 * pA)
    I_mem, I_ahp, ampa, nmda, gaba_a, gaba_b = np.exp(rng.uniform(np.log(p.I0), np.log(3e-9), size=(6, 200)))
    gated = nmda / (1 + p.I_nmda_thr / I_mem)
    I_in = np.maximum(gated + ampa - gaba_b + p.I_const, p.I0)
    I_pfb = p.I_pfb_gain / (1 + np.exp(-(I_mem - p.I_pfb_th) / p.I_pfb_norm))
    I_sum = p.I_tau_mem + I_ahp + gaba_a - I_pfb
    tau = p.C_mem * p.Ut / (p.kappa * p.I_tau_mem)
    expected = (p.alpha_mem * (I_in - I_sum) - I_sum * I_mem / p.I_tau_mem) / (
        tau * (1 + p.alpha_mem * p.I_tau_mem / I_mem)
    )
    got = membrane_rate(I_mem, I_ahp, (ampa, nmda, gaba_a, gaba_b), p)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    # below the floor the membrane stands for I0
    assert membrane_rate(0.1 * p.I0, p.I0, (p.I0,) * 4, p) == membrane_rate(p.I0, p.I0, (p.I0,) * 4, p)


def test_hold_at_floor_stops_only_a_current_at_the_floor_going_down():
    I0 = 1e-12
    I = np.array([0.5e-12, 1e-12, 1e-12, 2e-12, 2e-12])
    rate = np.array([-1.0, -1.0, 1.0, -1.0, 1.0])
    np.testing.assert_array_equal(hold_at_floor(I, rate, I0), [0.0, 0.0, 1.0, -1.0, 1.0])
    # derivatives holds every row so: at rest, nothing moves; the membrane of a neuron at rest without input
    # would go down, and is held
    table = NeuronTable.from_params(Params(I_const=0.0), 1)
    state = np.full((6, 1), 1e-12)
    assert membrane_rate(1e-12, 1e-12, (1e-12,) * 4, table)[0] < 0
    np.testing.assert_array_equal(derivatives(state, table), 0.0)


def test_spike_reset_is_dynamics_reset():
    p = Params(I_w_ahp=3 * pA, alpha_ahp=5.0)
    table = NeuronTable.from_params(p, 3)
    state = np.full((6, 3), 7 * pA)
    state[AHP] = [0.2 * pA, 1 * pA, 30 * pA]  # below, at and above the floor
    I_mem, I_ahp = spike_reset(state[AHP], p.I_reset, p.I0, p.I_w_ahp * p.alpha_ahp)
    reset(state, table, np.array([0, 1, 2]))
    np.testing.assert_array_equal(state[MEM], I_mem)
    np.testing.assert_allclose(state[AHP], [p.I0 + 15 * pA, p.I0 + 15 * pA, 45 * pA], rtol=1e-15)
    np.testing.assert_array_equal(state[AHP], I_ahp)
    np.testing.assert_array_equal(state[2:], 7 * pA)  # the synapses are untouched

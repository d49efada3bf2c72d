"""The DPI synapse: its equation, the exact solutions the library uses, and the behaviour of the integrators."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from dynapse_edu import experiments
from dynapse_edu.core.dynamics import NeuronTable, deliver_spikes, input_jumps, rest_state
from dynapse_edu.core.params import Params
from dynapse_edu.core.synapse import (
    SYNAPSE_TYPES,
    dpi_charge,
    dpi_decay,
    dpi_decay_exact,
    dpi_derivative,
    dpi_kernel,
    dpi_pulse_response,
    dpi_steady_state,
    dpi_tau,
    spike_jump,
    synapse_index,
    weight_current_for_jump,
)
from dynapse_edu.errors import ParameterError


def _peak_and_tau(t: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    return float(current.max()), experiments.measure_decay(t, current)


@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
@pytest.mark.parametrize("weight", [0.5, 1.0, 3.0])
def test_kernel_peak_and_decay_match_closed_form(synapse, weight):
    p = Params()
    t, current = experiments.synapse_kernel(synapse, weight=weight, duration=0.12, params=p)
    peak, tau = _peak_and_tau(t, current)
    assert peak == pytest.approx(p.I0 + p.I_w0_ampa * weight * 4, rel=0.01)
    assert tau == pytest.approx(p.syn(synapse, "C") * p.Ut / (p.kappa * p.syn(synapse, "I_tau")), rel=0.01)


def test_kernel_follows_exact_solution_sample_by_sample():
    p = Params()
    t, current = experiments.synapse_kernel("AMPA", duration=0.05, t_spike=0.01, params=p, dt=1e-4)
    after = t > 0.01 + 1e-9  # the samples after the jump (the pre-jump sample at 10 ms is I0)
    exact = dpi_kernel(t[after] - 0.01, p.jump("AMPA"), p.tau_syn("AMPA"), p.I0)
    # 1e-4 relative; near the floor, where the derivative switches off, a few hundredths of I0
    np.testing.assert_allclose(current[after], exact, rtol=1e-4, atol=0.02 * p.I0)


def test_kernel_rests_at_floor_after_decay():
    p = Params()
    t, current = experiments.synapse_kernel("AMPA", duration=0.2, params=p)
    assert current.min() >= p.I0
    assert current[-1] == pytest.approx(p.I0, rel=1e-9)


def test_two_spikes_superpose():
    """A second spike adds the same jump on top of what is left of the first."""
    p = Params()
    result = experiments.spike_response({"NMDA": (1.0, [0.01, 0.02])}, 0.03, params=p, dt=1e-4)
    t, current = result.t, result.trace("I_nmda")
    after_second = current[np.flatnonzero(np.isclose(t, 0.02))[-1]]
    expected = (p.I0 + p.jump("NMDA")) * np.exp(-0.01 / p.tau_syn("NMDA")) + p.jump("NMDA")
    assert after_second == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
def test_kernels_match_the_original_simulator(kernels_ref, synapse):
    """Peak and time constant within 1 % of the Brian2 original's recorded kernels."""
    p = Params()
    ref_t, ref_i = kernels_ref["t"], kernels_ref[f"I_{synapse}"]
    ref_peak, ref_tau = _peak_and_tau(ref_t, ref_i)
    t, current = experiments.synapse_kernel(synapse, duration=0.2, t_spike=0.01, params=p)
    peak, tau = _peak_and_tau(t, current)
    assert peak == pytest.approx(ref_peak, rel=0.01)
    assert tau == pytest.approx(ref_tau, rel=0.01)


def test_dpi_tau_formula():
    assert dpi_tau(2e-12, 20e-12, 0.025, 0.705) == pytest.approx(3.546e-3, rel=1e-3)


def test_unknown_synapse_type_is_named():
    with pytest.raises(ParameterError, match="unknown synapse type 'GLU'.*AMPA, NMDA, GABA_A, GABA_B"):
        synapse_index("GLU")
    with pytest.raises(ParameterError, match="GLU"):
        experiments.synapse_kernel("GLU")


# --- the DPI equation, its exact solutions and the spike jump ---------------------------------------------
I_G, I_TAU, TAU = 80e-12, 20e-12, 4e-3  # gain and leak currents (A), time constant (s) of the tests below


def dpi_equation(I, I_in, I_g=I_G, I_tau=I_TAU, tau=TAU):
    """Chicca et al. 2014, eq. 4-6, written out here on its own: tau (1 + I_g/I) dI/dt = -I - I_g + I_g I_in / I_tau."""
    return (-I - I_g + I_g * I_in / I_tau) / (tau * (1 + I_g / I))


def test_dpi_derivative_is_the_dpi_equation_and_decays_without_input():
    I = np.geomspace(0.1e-12, 10e-9, 50)
    for I_in in (0.0, 30e-12, 1e-9, 10e-9):
        np.testing.assert_allclose(dpi_derivative(I, I_in, I_G, I_TAU, TAU), dpi_equation(I, I_in), rtol=1e-12)
    # without input the (1 + I_g / I) factor cancels: -I / tau, whatever I_g
    np.testing.assert_allclose(dpi_derivative(I, 0.0, I_G, I_TAU, TAU), dpi_decay(I, TAU), rtol=1e-12)
    np.testing.assert_allclose(dpi_decay(I, TAU), -I / TAU, rtol=1e-15)


def test_dpi_decay_exact_solves_the_decay_and_holds_the_floor():
    I0, I_start = 1e-12, 200e-12
    t = np.linspace(0, 8 * TAU, 81)
    ode = solve_ivp(lambda _t, y: dpi_decay(y, TAU), (0, t[-1]), [I_start], t_eval=t, rtol=1e-11, atol=1e-22).y[0]
    exact = dpi_decay_exact(I_start, np.exp(-t / TAU), I0)
    above = ode > I0
    np.testing.assert_allclose(exact[above], ode[above], rtol=1e-8)
    assert np.all(exact[~above] == I0) and (~above).sum() > 10  # held at the floor once there
    # the kernel of one spike is the exact decay from I0 + jump
    np.testing.assert_array_equal(dpi_kernel(t, I_start - I0, TAU, I0), exact)


@pytest.mark.parametrize("I_start", [0.3e-12, 50e-12, 500e-12])
def test_dpi_charge_solves_the_dpi_equation(I_start):
    """Against solve_ivp of the DPI equation under a constant input, below, near and above I_g."""
    I_in = 10e-9
    A = dpi_steady_state(I_in, I_G, I_TAU)
    assert A == pytest.approx(I_G * (I_in / I_TAU - 1), rel=1e-15)
    assert dpi_equation(A, I_in) == pytest.approx(0.0, abs=1e-20)  # the steady state is one
    for t in (10e-6, 50e-6, 200e-6, 2e-3):
        ode = solve_ivp(lambda _t, y: dpi_equation(y, I_in), (0, t), [I_start], rtol=1e-10, atol=1e-20).y[0, -1]
        assert dpi_charge(t, I_start, I_in, I_G, I_TAU, TAU) == pytest.approx(ode, rel=1e-6)
    assert dpi_charge(1.0, I_start, I_in, I_G, I_TAU, TAU) == pytest.approx(A, rel=1e-9)
    assert dpi_charge(0.0, I_start, I_in, I_G, I_TAU, TAU) == I_start


def test_dpi_charge_well_above_the_gain_current_is_linear():
    """For I >> I_g the factor (1 + I_g/I) is 1: a first-order low-pass, A - (A - I_s) exp(-t / tau)."""
    I_g, I_in, I_start, t = 1e-12, 10e-6, 100e-9, 1e-3  # I_g / I below 1e-5
    A = dpi_steady_state(I_in, I_g, I_TAU)
    linear = A - (A - I_start) * np.exp(-t / TAU)
    assert dpi_charge(t, I_start, I_in, I_g, I_TAU, TAU) == pytest.approx(linear, rel=1e-4)


def test_dpi_charge_rejects_an_input_below_the_leak():
    with pytest.raises(ParameterError, match="cannot charge the DPI"):
        dpi_charge(1e-3, 1e-12, 10e-12, I_G, I_TAU, TAU)


def test_dpi_pulse_response_against_solve_ivp_of_the_dpi_equation():
    """Two 50 us pulses of 10 nA: the exact piecewise solution is the DPI equation integrated pulse by pulse."""
    I_w, I_rest, width, starts = 10e-9, 0.3e-12, 50e-6, [0.01, 0.015]
    t = np.arange(0, 0.03, 1e-5)
    out = dpi_pulse_response(t, starts, width, I_w, I_G, I_TAU, TAU, I_rest)
    assert np.all(out[t < 0.01] == I_rest)
    # solve_ivp from the first pulse on (before it the current rests at the floor, which the equation does not
    # know), segment by segment, each pulse edge a discontinuity
    out, t = out[t >= 0.01], t[t >= 0.01]
    edges = [0.01, 0.01 + width, 0.015, 0.015 + width, 0.03]
    inputs = [I_w, 0.0, I_w, 0.0]
    ts, ys, y = [], [], I_rest
    for (a, b), I_in in zip(zip(edges[:-1], edges[1:], strict=True), inputs, strict=True):
        inside = t[(t >= a) & (t < b)]
        sol = solve_ivp(lambda _t, v, I_in=I_in: dpi_equation(v, I_in), (a, b), [y], t_eval=inside, rtol=1e-10,
                        atol=1e-22, dense_output=True)
        ts.append(inside)
        ys.append(sol.y[0])
        y = sol.sol(b)[0]
    ode = np.concatenate(ys)
    assert np.array_equal(np.concatenate(ts), t)
    checked = ode > 10 * I_rest  # (the equation knows no floor: compared well above it)
    assert checked.sum() > 500
    np.testing.assert_allclose(out[checked], ode[checked], rtol=1e-5)
    # the second pulse starts above rest and adds more than the first (the DPI is not linear below I_g)
    first = dpi_charge(width, I_rest, I_w, I_G, I_TAU, TAU) - I_rest
    k0, k1 = np.searchsorted(t, 0.015) - 1, np.searchsorted(t, 0.015 + width)
    assert out[k1] - out[k0] > 2 * first


def test_spike_jump_is_the_one_rule_everywhere():
    """I_w0 alpha w: Params.jump, the NeuronTable, the jumps of both integrators and its inverse agree."""
    p = Params(I_w0_nmda=30e-12, alpha_nmda=7.0, I_w_ahp=3e-12, alpha_ahp=2.5)
    assert spike_jump(30e-12, 7.0, 2.5) == 30e-12 * 7.0 * 2.5
    assert p.jump("NMDA", 2.5) == spike_jump(p.I_w0_nmda, p.alpha_nmda, 2.5)
    table = NeuronTable.from_params(p, 3)
    jumps = input_jumps(table, np.array([1, 1, 0]), np.array([0, 2, 1]), np.array([2.5, 1.0, 3.0]))
    np.testing.assert_array_equal(jumps, [p.jump("NMDA", 2.5), p.jump("NMDA"), p.jump("AMPA", 3.0)])
    assert table.jump_ahp[0] == spike_jump(p.I_w_ahp, p.alpha_ahp)
    state = rest_state(table)
    deliver_spikes(state, table, np.array([1, 1]), np.array([2, 2]), np.array([2.5, 1.0]))  # repeated target adds
    assert state[3, 2] == pytest.approx(p.I0 + p.jump("NMDA", 3.5), rel=1e-15)
    assert weight_current_for_jump(p.jump("NMDA", 2.5), p.alpha_nmda, 2.5) == pytest.approx(p.I_w0_nmda, rel=1e-15)
    np.testing.assert_allclose(weight_current_for_jump(jumps, table.alpha_syn[[1, 1, 0], [0, 2, 1]], [2.5, 1.0, 3.0]),
                               table.I_w0_syn[[1, 1, 0], [0, 2, 1]], rtol=1e-15)


def test_pulse_increment_between_rest_and_the_linear_regime():
    """What a pulse adds beyond the free decay: (I_g I_w / I_tau)(1 - exp(-t/tau)) far above I_g, far less near rest."""
    from dynapse_edu.core.synapse import dpi_pulse_increment, dpi_under_input

    I_g, I_tau, tau, I0, I_w, width = 80e-12, 20e-12, 4e-3, 0.3e-12, 10e-9, 10e-6
    linear = I_g * I_w / I_tau * (1 - np.exp(-width / tau))
    far = dpi_pulse_increment(1e-6, width, I_w, I_g, I_tau, tau, I0)
    assert far == pytest.approx(linear, rel=1e-3)
    rest = dpi_pulse_increment(I0, width, I_w, I_g, I_tau, tau, I0)
    assert 0 < rest < 0.01 * linear
    charged = dpi_pulse_increment(1e-9, width, I_w, I_g, I_tau, tau, I0)
    assert charged == pytest.approx(
        dpi_under_input(1e-9, width, I_w, I_g, I_tau, tau, I0) - dpi_under_input(1e-9, width, 0.0, I_g, I_tau, tau, I0)
    )
    assert rest < charged < far
    # with the pair's exponent the DPI charges more slowly above I_g
    assert dpi_pulse_increment(1e-9, width, I_w, I_g, I_tau, tau, I0, gamma=0.84) < charged

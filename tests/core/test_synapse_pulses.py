"""Finite input pulses in the core: the exact DPI under a constant input, its two limits, the extender rule.

Issue 12 items 1-2: :func:`~dynapse_edu.core.synapse.dpi_under_input` (the closed form both integrators use),
the pulse widths of :class:`~dynapse_edu.core.params.Params`, and the pulse extenders of
:mod:`dynapse_edu.core.dynamics`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from dynapse_edu.core.dynamics import (
    AHP,
    MEM,
    NeuronTable,
    Pulses,
    deliver_spikes,
    derivatives,
    input_jumps,
    input_pulse_currents,
    reset,
    rest_state,
)
from dynapse_edu.core.params import Params
from dynapse_edu.core.synapse import (
    dpi_charge,
    dpi_decay_exact,
    dpi_derivative,
    dpi_pulse_response,
    dpi_steady_state,
    dpi_under_input,
    pulse_intervals,
    spike_jump,
)
from dynapse_edu.errors import ParameterError

I_G, I_TAU, TAU, I0 = 80e-12, 20e-12, 4e-3, 1e-12


def _ode(
    I_start: float, s: float, I_in: float, I_g: float = I_G, I_tau: float = I_TAU, tau: float = TAU, gamma: float = 1.0
) -> float:
    """The DPI equation with its floor, integrated tightly in ln I (LSODA, rtol 1e-11)."""

    def rate(_t, x):
        I = math.exp(x[0])
        d = float(dpi_derivative(max(I, I0), I_in, I_g, I_tau, tau, gamma))
        return [0.0 if (I <= I0 and d < 0) else d / I]

    sol = solve_ivp(rate, (0.0, s), [math.log(I_start)], method="LSODA", rtol=1e-11, atol=1e-14)
    return max(math.exp(sol.y[0, -1]), I0)


A_100 = float(dpi_steady_state(100e-12, I_G, I_TAU))  # 320 pA


@pytest.mark.parametrize(
    ("I_start", "s", "I_in"),
    [
        (1e-12, 1e-6, 10e-9),  # a short pulse from rest: exponential growth below I_g
        (1e-12, 50e-6, 10e-9),
        (1e-12, 1e-12, 10e-9),  # a tiny time
        (1e-12, 10.0, 10e-9),  # 2500 tau: the steady state
        (1e-9, 1e-3, 100e-12),  # above the steady state: relaxes down towards it
        (A_100 * (1 - 1e-9), 1e-4, 100e-12),  # just below the steady state (A ~ I_start)
        (A_100 * (1 + 1e-9), 1e-4, 100e-12),  # just above it
        (300e-12, 1e-12, 100e-12),
        (50e-12, 2e-3, 10e-12),  # an input below the leak: A < 0, through to the floor
        (50e-12, 20e-3, 10e-12),
        (50e-12, 2e-3, 20e-12),  # I_in = I_tau exactly: A = 0
        (5e-12, 1e-3, 21e-12),  # A just above 0
        (5e-12, 1e-3, 19e-12),  # A just below 0
        (2e-12, 1e-5, 1e-3),  # 1 mA in: A = 4 uA
        (1e-12, 1e-6, 25e-12),  # A = 20 pA
    ],
)
def test_dpi_under_input_solves_the_dpi_equation(I_start, s, I_in):
    assert dpi_under_input(I_start, s, I_in, I_G, I_TAU, TAU, I0) == pytest.approx(_ode(I_start, s, I_in), rel=1e-8)


@pytest.mark.parametrize("gamma", [0.815, 0.6, 1.2])
@pytest.mark.parametrize(
    ("I_start", "s", "I_in"),
    [
        (1e-12, 50e-6, 10e-9),  # a pulse from rest
        (1e-12, 10.0, 10e-9),  # the steady state
        (1e-9, 1e-3, 100e-12),  # above the steady state: relaxes down towards it
        (50e-12, 20e-3, 10e-12),  # an input below the leak: down to the floor
        (300e-12, 1e-4, 5e-9),  # above I_g, where the exponent matters most
    ],
)
def test_dpi_under_input_with_an_output_exponent_solves_its_equation(I_start, s, I_in, gamma):
    """The pair's body effect: the mapped ideal solution is the solution of the equation with gamma."""
    got = dpi_under_input(I_start, s, I_in, I_G, I_TAU, TAU, I0, gamma)
    assert got == pytest.approx(_ode(I_start, s, I_in, gamma=gamma), rel=1e-7)
    assert got >= I0


def test_output_exponent_leaves_the_decay_the_floor_and_the_ideal_dpi_unchanged():
    for I in (1.5e-12, 30e-12, 2e-9):
        decay = float(dpi_decay_exact(I, math.exp(-1e-3 / TAU), I0))
        assert dpi_under_input(I, 1e-3, 0.0, I_G, I_TAU, TAU, I0, 0.815) == pytest.approx(decay, rel=1e-12)
        assert float(dpi_derivative(I, 0.0, I_G, I_TAU, TAU, 0.815)) == pytest.approx(-I / TAU, rel=1e-12)
    assert dpi_under_input(I0, 1e-3, 0.0, I_G, I_TAU, TAU, I0, 0.815) == I0
    assert dpi_under_input(1e-12, 50e-6, 10e-9, I_G, I_TAU, TAU, I0, 1.0) == dpi_under_input(
        1e-12, 50e-6, 10e-9, I_G, I_TAU, TAU, I0)
    # the steady state grows as the input to the power gamma: a line of slope gamma on log axes
    big = np.array([1e-9, 1e-8]) / I_TAU - 1
    ratio = dpi_steady_state(np.array([1e-9, 1e-8]), I_G, I_TAU, 0.815)
    assert np.log(ratio[1] / ratio[0]) / np.log(big[1] / big[0]) == pytest.approx(0.815, rel=1e-12)
    assert dpi_under_input(1e-12, 10.0, 1e-8, I_G, I_TAU, TAU, I0, 0.815) == pytest.approx(ratio[1], rel=1e-9)


def test_gamma_outside_its_range_is_refused_naming_the_range():
    with pytest.raises(ParameterError, match=r"gamma_syn = 0\.1 1 is outside the allowed range \[0\.3, 1\.5\]"):
        Params(gamma_syn=0.1)


def test_dpi_under_input_without_input_is_the_exact_decay():
    for I in (1.5e-12, 30e-12, 2e-9):
        for s in (1e-6, 1e-3, 0.05):
            decay = float(dpi_decay_exact(I, math.exp(-s / TAU), I0))
            assert dpi_under_input(I, s, 0.0, I_G, I_TAU, TAU, I0) == pytest.approx(decay, rel=1e-12)


def test_dpi_under_input_stays_on_the_floor_when_pushed_down_and_starts_from_it():
    assert dpi_under_input(I0, 1e-3, 0.0, I_G, I_TAU, TAU, I0) == I0
    assert dpi_under_input(0.2 * I0, 1e-3, 5e-12, I_G, I_TAU, TAU, I0) == I0  # below the floor: raised, held
    assert dpi_under_input(0.2 * I0, 1e-4, 1e-9, I_G, I_TAU, TAU, I0) == pytest.approx(_ode(I0, 1e-4, 1e-9), rel=1e-8)


def test_dpi_under_input_is_monotone_in_time_and_never_passes_the_steady_state():
    times = np.geomspace(1e-12, 1.0, 200)
    up = np.array([dpi_under_input(1e-12, s, 1e-9, I_G, I_TAU, TAU, I0) for s in times])
    down = np.array([dpi_under_input(5e-9, s, 1e-9, I_G, I_TAU, TAU, I0) for s in times])
    A = float(dpi_steady_state(1e-9, I_G, I_TAU))
    assert np.all(np.diff(up) >= 0) and np.all(up <= A)
    assert np.all(np.diff(down) <= 0) and np.all(down >= A)


def test_dpi_charge_is_robust_near_the_steady_state_and_for_tiny_times():
    """A helper once saw the old bracketing root finder raise a sign error in some trains."""
    I_in = 1e-9
    A = float(dpi_steady_state(I_in, I_G, I_TAU))
    for gap in (1e-3, 1e-9, 1e-14):
        I_start = A * (1 - gap)
        for t in (1e-15, 1e-9, 1e-6, 1e-3, 1.0):
            I = dpi_charge(t, I_start, I_in, I_G, I_TAU, TAU)
            assert I_start <= I <= A
    assert dpi_charge(1e-15, 1e-12, I_in, I_G, I_TAU, TAU) == pytest.approx(
        1e-12 + float(dpi_derivative(1e-12, I_in, I_G, I_TAU, TAU)) * 1e-15, rel=1e-6
    )
    with pytest.raises(ParameterError, match="I_start"):
        dpi_charge(1e-3, 0.0, I_in, I_G, I_TAU, TAU)


def test_long_pulse_limit_is_the_instant_jump():
    """A pulse of many tau from rest reaches the steady state I_g (I_w / I_tau - 1): the jump alpha I_w, within I_g."""
    p = Params()
    for I_w in (1e-9, 10e-9):
        I_g, I_tau, tau = p.alpha_ampa * p.I_tau_ampa, p.I_tau_ampa, p.tau_syn("AMPA")
        reached = dpi_under_input(p.I0, 30 * tau, I_w, I_g, I_tau, tau, p.I0)
        jump = spike_jump(I_w, p.alpha_ampa)
        assert reached == pytest.approx(jump - I_g, rel=1e-9)
        assert reached == pytest.approx(jump, rel=1.01 * I_tau / I_w)


def test_short_pulse_limit_does_not_depend_on_the_leak():
    """Well above I_g, a pulse much shorter than tau adds I_g I_w t_pulse kappa / (C U_T), whatever I_tau."""
    p = Params()
    I_g, I_w, t_pulse, I_start = 10e-12, 1e-6, 1e-6, 1e-9  # I_start = 100 I_g, far below A: the linear regime
    expected = I_g * I_w * t_pulse * p.kappa / (p.C_ampa * p.Ut)
    rises = []
    for I_tau in (5e-12, 10e-12, 20e-12):
        tau = p.C_ampa * p.Ut / (p.kappa * I_tau)
        rises.append(dpi_under_input(I_start, t_pulse, I_w, I_g, I_tau, tau, p.I0) - I_start)
    assert rises == pytest.approx([expected] * 3, rel=0.02)  # (1 + I_g / I) and (I + I_g) / A: corrections of 1 %
    assert max(rises) / min(rises) - 1 < 0.005
    # below I_g it is not linear: from rest a short pulse adds far less than the linear estimate
    tau = p.tau_syn("AMPA")
    from_rest = dpi_under_input(p.I0, t_pulse, 10e-9, 80e-12, 20e-12, tau, p.I0) - p.I0
    assert from_rest < 0.05 * 80e-12 * 10e-9 * t_pulse / (20e-12 * tau)


def test_pulse_intervals_merge_a_retriggered_extender():
    on = pulse_intervals([0.0, 3e-6, 7e-6, 20e-6], 5e-6)
    np.testing.assert_allclose(on, [[0.0, 12e-6], [20e-6, 25e-6]])
    with pytest.raises(ParameterError, match="pulse width"):
        pulse_intervals([0.0], 0.0)


def test_pulse_response_with_overlapping_pulses_is_one_longer_pulse():
    t = np.linspace(0, 3e-3, 301)
    merged = dpi_pulse_response(t, [1e-3, 1.2e-3], 0.5e-3, 1e-9, I_G, I_TAU, TAU, I0)
    one = dpi_pulse_response(t, [1e-3], 0.7e-3, 1e-9, I_G, I_TAU, TAU, I0)
    np.testing.assert_allclose(merged, one, rtol=1e-14)


# --- the pulse extenders of the dynamics -------------------------------------------------------------------
def test_pulsed_neurons_get_no_jump_but_a_pulse_current():
    table = NeuronTable.from_params([Params(), Params(t_pulse=2e-6)])
    syn, post, w = np.array([0, 1]), np.array([0, 1]), np.array([2.0, 3.0])
    np.testing.assert_allclose(input_jumps(table, syn, post, w), [800e-12, 0.0])
    np.testing.assert_allclose(input_pulse_currents(table, syn, post, w), [0.0, 300e-12])


def test_extender_rule_retrigger_same_time_adds_later_replaces():
    table = NeuronTable.from_params(Params(t_pulse=1e-3))
    state, pulses = rest_state(table), Pulses(1)
    deliver_spikes(state, table, np.array([0, 0]), np.array([0, 0]), np.array([2.0, 1.0]), 0.01, pulses)
    np.testing.assert_array_equal(state, rest_state(table))  # no jump
    assert pulses.current[1, 0] == pytest.approx(300e-12) and pulses.until[1, 0] == pytest.approx(0.011)
    deliver_spikes(state, table, np.array([0]), np.array([0]), np.array([1.0]), 0.0105, pulses)  # while on
    assert pulses.current[1, 0] == pytest.approx(100e-12)  # the latest trigger's current
    assert pulses.until[1, 0] == pytest.approx(0.0115)  # t_pulse after the latest spike
    deliver_spikes(state, table, np.array([0]), np.array([0]), np.array([4.0]), 0.0105, pulses)  # same time: adds
    assert pulses.current[1, 0] == pytest.approx(500e-12)
    assert pulses.inputs(0.0114)[1, 0] == pytest.approx(500e-12) and pulses.inputs(0.0115)[1, 0] == 0.0
    assert pulses.next_edge(0.011) == pytest.approx(0.0115) and pulses.next_edge(0.0115) == np.inf


def test_pulsed_neuron_without_pulses_object_is_an_error():
    table = NeuronTable.from_params(Params(t_pulse=1e-6))
    with pytest.raises(ValueError, match="Pulses"):
        deliver_spikes(rest_state(table), table, np.array([0]), np.array([0]), np.array([1.0]))


def test_adaptation_pulse_replaces_the_adaptation_jump():
    table = NeuronTable.from_params([Params(), Params(t_pulse_ahp=1e-4, I_w_ahp=5e-12)])
    assert table.jump_ahp.tolist() == [4e-12, 0.0]
    state, pulses = rest_state(table), Pulses(2)
    state[MEM] = 2e-9
    reset(state, table, np.array([0, 1]), 0.02, pulses)
    np.testing.assert_allclose(state[AHP], [5e-12, 1e-12])  # a jump for the first, none for the second
    assert pulses.current[0].tolist() == [0.0, 5e-12]
    assert pulses.until[0, 1] == pytest.approx(0.0201) and pulses.until[0, 0] == -np.inf


def test_derivatives_under_a_pulse_are_the_dpi_equation():
    p = Params(t_pulse=1e-6)
    table = NeuronTable.from_params(p)
    state = rest_state(table) * 7.0
    pulse = np.zeros((5, 1))
    pulse[2] = 3e-9  # NMDA
    d = derivatives(state, table, pulse_input=pulse)
    expected = dpi_derivative(7 * p.I0, 3e-9, p.alpha_nmda * p.I_tau_nmda, p.I_tau_nmda, p.tau_syn("NMDA"))
    assert d[3, 0] == pytest.approx(float(expected), rel=1e-12)
    np.testing.assert_array_equal(np.delete(d, 3, axis=0), np.delete(derivatives(state, table), 3, axis=0))

"""Tests of dynapse_edu.core.adex: the AdEx of Brette & Gerstner 2005, checked against hand formulas and solve_ivp."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynapse_edu.core.adex import (
    AdExParams,
    adex_derivatives,
    conductance_current,
    v_nullcline,
    w_nullcline,
)
from dynapse_edu.errors import ParameterError


def test_defaults_are_brette_gerstner_regular_spiking():
    p = AdExParams()
    assert (p.C, p.g_L, p.E_L, p.V_T, p.Delta_T) == (281e-12, 30e-9, -70.6e-3, -50.4e-3, 2e-3)
    assert (p.tau_w, p.a, p.b, p.V_r) == (144e-3, 4e-9, 0.0805e-9, -70.6e-3)
    assert p.tau_m == pytest.approx(281e-12 / 30e-9)


def test_derivatives_match_the_equations_written_by_hand():
    p = AdExParams()
    V, w, I = -0.055, 0.1e-9, 0.7e-9
    dV, dw = adex_derivatives(V, w, I, p)
    by_hand_V = (-30e-9 * (V + 70.6e-3) + 30e-9 * 2e-3 * math.exp((V + 50.4e-3) / 2e-3) - w + I) / 281e-12
    by_hand_w = (4e-9 * (V + 70.6e-3) - w) / 144e-3
    assert float(dV) == pytest.approx(by_hand_V, rel=1e-12)
    assert float(dw) == pytest.approx(by_hand_w, rel=1e-12)


def test_on_the_nullclines_the_derivatives_vanish():
    p = AdExParams()
    V = np.linspace(-0.08, -0.045, 50)
    dV, _ = adex_derivatives(V, v_nullcline(V, 0.3e-9, p), 0.3e-9, p)
    _, dw = adex_derivatives(V, w_nullcline(V, p), 0.0, p)
    assert np.max(np.abs(dV)) < 1e-9
    assert np.max(np.abs(dw)) < 1e-15


def test_conductance_current_has_a_driving_force():
    assert float(conductance_current(2e-9, 0.0, -0.07)) == pytest.approx(140e-12)
    assert float(conductance_current(2e-9, -0.07, -0.07)) == 0.0  # at reversal: a pure shunt
    assert float(conductance_current(2e-9, -0.07, -0.05)) < 0  # above reversal: outward
    with pytest.raises(ParameterError, match="conductance"):
        conductance_current(-1e-9, 0.0, -0.07)


@pytest.mark.parametrize("changes, match", [
    ({"C": 281}, "C = 281"),
    ({"g_L": float("nan")}, "g_L"),
    ({"V_r": -0.03}, "V_r"),
    ({"Delta_T": "2 mV"}, "Delta_T"),
])
def test_bad_parameters_are_refused(changes, match):
    with pytest.raises(ParameterError, match=match):
        AdExParams(**changes)


def test_replace_refuses_unknown_names():
    with pytest.raises(ParameterError, match="unknown"):
        AdExParams().replace(tau=1.0)

"""Tests of dynapse_edu.core.subthreshold: the weak-inversion transistor law and the thermal voltage."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynapse_edu.core.subthreshold import gate_voltage, subthreshold_current, thermal_voltage
from dynapse_edu.errors import ParameterError


def test_thermal_voltage_is_kT_over_q():
    assert thermal_voltage(300.0) == pytest.approx(1.380649e-23 * 300.0 / 1.602176634e-19, rel=1e-12)
    assert thermal_voltage(600.0) == pytest.approx(2 * thermal_voltage(300.0))


def test_saturated_current_is_exponential_in_the_gate_with_kappa():
    V_g = np.linspace(0.0, 0.5, 11)
    I = subthreshold_current(V_g, I0=2e-12, kappa=0.6, Ut=0.026)
    assert np.allclose(np.log(I / 2e-12), 0.6 * V_g / 0.026, rtol=1e-12)
    # the source enters with weight 1 (bulk-referenced form): raising V_s by Ut divides by e
    ratio = subthreshold_current(0.3, V_s=0.026, Ut=0.026) / subthreshold_current(0.3, Ut=0.026)
    assert float(ratio) == pytest.approx(math.exp(-1.0), rel=1e-12)


def test_drain_and_source_are_symmetric():
    forward = subthreshold_current(0.4, V_s=0.01, V_d=0.05)
    backward = subthreshold_current(0.4, V_s=0.05, V_d=0.01)
    assert float(forward) == pytest.approx(-float(backward), rel=1e-12)
    assert float(subthreshold_current(0.4, V_s=0.02, V_d=0.02)) == 0.0


def test_gate_voltage_inverts_the_law():
    I = np.array([1e-12, 5e-12, 2e-9])
    assert np.allclose(subthreshold_current(gate_voltage(I, V_s=0.1), V_s=0.1), I, rtol=1e-12)
    decade = float(gate_voltage(10e-12) - gate_voltage(1e-12))
    assert decade == pytest.approx(0.025 * math.log(10) / 0.705, rel=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: thermal_voltage(27.0), "temperature"),  # degrees Celsius given for kelvin
    (lambda: subthreshold_current(0.3, kappa=2.0), "kappa"),
    (lambda: subthreshold_current(0.3, Ut=25.0), "Ut"),
    (lambda: gate_voltage(-1e-12), "positive"),
    (lambda: gate_voltage(1e-12, I0=0.0), "I0"),
])
def test_bad_input_is_refused(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
